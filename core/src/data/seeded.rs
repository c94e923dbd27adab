//! Seed plumbing for the data pipeline: every random decision (shuffle order, a sample's
//! augmentation, a batch's mixup) draws from its own counter-based stream keyed by
//! `(run seed, epoch, index)`, so results do not depend on batch size, worker count or order
//! of evaluation, and a seed reproduces a run exactly.

use crate::rng::Rng;

/// SplitMix64's finalizer: a bijective 64-bit mix used to derive stream keys.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Distinct purposes get distinct streams even for equal `(epoch, index)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Shuffle = 1,
    Augment = 2,
    Mix = 3,
    Split = 4,
}

/// The generator for `(seed, purpose, a, b)`.
pub(crate) fn stream(seed: u64, purpose: Stream, a: u64, b: u64) -> Rng {
    Rng::new(mix(mix(mix(
        seed ^ (purpose as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    ) ^ a)
        ^ b))
}

/// One uniform draw in `[lo, hi)`.
pub(crate) fn uniform(rng: &mut Rng, lo: f32, hi: f32) -> f32 {
    rng.uniform(1, lo, hi)[0]
}

/// A uniform integer in `0..n` (`n > 0`), from 48 random bits (bias below 2^-30 for any n the
/// pipeline sees).
pub(crate) fn below(rng: &mut Rng, n: usize) -> usize {
    let u = rng.uniform(2, 0.0, 1.0);
    let r = f64::from(u[0]) + f64::from(u[1]) / 16_777_216.0;
    ((r * n as f64) as usize).min(n - 1)
}

/// Fisher–Yates permutation of `0..n`.
pub(crate) fn permutation(rng: &mut Rng, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = below(rng, i + 1);
        p.swap(i, j);
    }
    p
}

/// Gamma(shape, 1) by Marsaglia–Tsang (with the `shape < 1` boost), for Beta draws.
fn gamma(rng: &mut Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = f64::from(uniform(rng, 0.0, 1.0)).max(1e-12);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = f64::from(rng.normal(1, 0.0, 1.0)[0]);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = f64::from(uniform(rng, 0.0, 1.0)).max(1e-12);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Beta(a, b), the mixing weight of mixup and cutmix.
pub(crate) fn beta(rng: &mut Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    if x + y == 0.0 {
        0.5
    } else {
        x / (x + y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_seeded_and_complete() {
        let a = permutation(&mut stream(1, Stream::Shuffle, 0, 0), 100);
        let b = permutation(&mut stream(1, Stream::Shuffle, 0, 0), 100);
        let c = permutation(&mut stream(1, Stream::Shuffle, 1, 0), 100);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut s = a.clone();
        s.sort_unstable();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn beta_has_the_right_mean() {
        let mut rng = stream(3, Stream::Mix, 0, 0);
        for (a, b) in [(0.4, 0.4), (2.0, 5.0), (1.0, 1.0)] {
            let n = 4000;
            let m: f64 = (0..n).map(|_| beta(&mut rng, a, b)).sum::<f64>() / n as f64;
            assert!((m - a / (a + b)).abs() < 0.02, "Beta({a}, {b}) mean {m}");
        }
    }
}
