//! Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), the generator PyTorch
//! uses on CUDA. Value `i` of a stream is a pure function of `(seed, offset + i)`, so the CPU,
//! WGSL shaders and any worker produce the same numbers for the same seed without sharing state.
//!
//! Layout, kept deliberately simple for the WGSL port (only `u32` add, mul, xor, shifts):
//! - key = (seed low 32 bits, seed high 32 bits);
//! - element index `j = offset + i` lives in block `j / 4`, lane `j % 4`;
//! - block `b` is encrypted from the counter `(b low 32, b high 32, 0, 0)`;
//! - uniform: `(x >> 8) * 2^-24` in `[0, 1)` (24 random bits, exact in f32, as torch does);
//! - normal: Box-Muller on the uniform pair `(2k, 2k + 1)`: element `2k` takes the cosine branch,
//!   `2k + 1` the sine branch, with `u1 = 1 - uniform` so the logarithm never sees zero.

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// High and low 32-bit halves of a 32x32-bit product (WGSL: split into 16-bit halves).
#[inline]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32 with 10 rounds: encrypts a 128-bit counter under a 64-bit key.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c0, mut c1, mut c2, mut c3] = counter;
    let [mut k0, mut k1] = key;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let (hi0, lo0) = mulhilo(M0, c0);
        let (hi1, lo1) = mulhilo(M1, c2);
        (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
    }
    [c0, c1, c2, c3]
}

/// The raw 32-bit value at absolute position `index` of the stream for `seed`.
pub fn u32_at(seed: u64, index: u64) -> u32 {
    let block = index / 4;
    let out = philox4x32_10(
        [block as u32, (block >> 32) as u32, 0, 0],
        [seed as u32, (seed >> 32) as u32],
    );
    out[(index % 4) as usize]
}

/// Uniform `[0, 1)` at absolute position `index` (24-bit resolution, like torch).
pub fn uniform_at(seed: u64, index: u64) -> f32 {
    (u32_at(seed, index) >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Standard normal at absolute position `index` (Box-Muller over uniform pairs).
pub fn normal_at(seed: u64, index: u64) -> f32 {
    let pair = index & !1;
    let u1 = 1.0 - f64::from(uniform_at(seed, pair));
    let u2 = f64::from(uniform_at(seed, pair + 1));
    let r = (-2.0 * u1.ln()).sqrt();
    let theta = 2.0 * std::f64::consts::PI * u2;
    let z = if index.is_multiple_of(2) {
        r * theta.cos()
    } else {
        r * theta.sin()
    };
    z as f32
}

/// A seeded stream position: each draw consumes `n` values and advances the offset, so
/// successive tensors get independent values while a run stays reproducible from its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    seed: u64,
    offset: u64,
}

impl Rng {
    /// A stream starting at offset 0.
    pub fn new(seed: u64) -> Self {
        Rng { seed, offset: 0 }
    }

    /// The seed, for kernels (GPU dropout) that generate values themselves.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next unused position, for kernels that generate values themselves.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reserves `n` positions and returns the first; normal draws reserve an even count so a
    /// Box-Muller pair is never split between two tensors.
    pub fn advance(&mut self, n: u64) -> u64 {
        let start = self.offset;
        self.offset += n + (n & 1);
        start
    }

    /// `n` uniform values in `[lo, hi)`.
    pub fn uniform(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        let start = self.advance(n as u64);
        (0..n as u64)
            .map(|i| lo + (hi - lo) * uniform_at(self.seed, start + i))
            .collect()
    }

    /// `n` normal values with the given mean and standard deviation.
    pub fn normal(&mut self, n: usize, mean: f32, std: f32) -> Vec<f32> {
        let start = self.advance(n as u64);
        (0..n as u64)
            .map(|i| mean + std * normal_at(self.seed, start + i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors from Random123's `kat_vectors` (philox4x32_10).
    #[test]
    fn philox_known_answers() {
        assert_eq!(
            philox4x32_10([0, 0, 0, 0], [0, 0]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    #[test]
    fn streams_are_positional_and_distributed() {
        let mut rng = Rng::new(7);
        let a = rng.uniform(10, 0.0, 1.0);
        assert_eq!(a[3], uniform_at(7, 3));
        let b = rng.uniform(4, 0.0, 1.0);
        assert_eq!(b[0], uniform_at(7, 10));
        let n = Rng::new(1).normal(20_000, 0.0, 1.0);
        let mean = n.iter().sum::<f32>() / n.len() as f32;
        let var = n.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n.len() as f32;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
        assert!(a.iter().all(|&x| (0.0..1.0).contains(&x)));
    }
}
