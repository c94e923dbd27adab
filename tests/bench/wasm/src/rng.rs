//! mulberry32, bit for bit as in the peers' `common.js` (and `bench_torch.py`), so pixelgrad,
//! TensorFlow.js, jax-js and PyTorch all start from the same data and weights: equal initial
//! losses and matching trajectories are the benchmark's built-in correctness check.

/// The 32-bit state generator; `next_f64` returns what JavaScript's `rng()` returns.
pub struct Mulberry32(u32);

impl Mulberry32 {
    pub fn new(seed: u32) -> Self {
        Mulberry32(seed)
    }

    /// A value in [0, 1), exactly the double the JavaScript version yields.
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6D2B_79F5);
        let a = self.0;
        let mut t = (a ^ (a >> 15)).wrapping_mul(1 | a);
        t = t.wrapping_add((t ^ (t >> 7)).wrapping_mul(61 | t)) ^ t;
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }

    /// `n` values uniform in [lo, hi), computed in f64 and rounded to f32 like a Float32Array.
    pub fn fill(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f32> {
        (0..n)
            .map(|_| (lo + (hi - lo) * self.next_f64()) as f32)
            .collect()
    }

    /// `n` class labels in 0..10.
    pub fn labels(&mut self, n: usize) -> Vec<usize> {
        (0..n).map(|_| (self.next_f64() * 10.0) as usize).collect()
    }

    /// PyTorch-default-like init U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    pub fn param(&mut self, n: usize, fan_in: usize) -> Vec<f32> {
        let b = 1.0 / (fan_in as f64).sqrt();
        self.fill(n, -b, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_javascript_sequence() {
        // First values of mulberry32(42) as printed by node running common.js.
        let mut r = Mulberry32::new(42);
        let got: Vec<f64> = (0..3).map(|_| r.next_f64()).collect();
        assert_eq!(
            got,
            [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]
        );
    }
}
