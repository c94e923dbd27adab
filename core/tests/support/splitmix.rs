//! The one seeded generator every fuzz and property test shares (SplitMix64): a case is
//! reproducible from its seed alone, with no dependency. Included by path
//! (`#[path = ".../support/splitmix.rs"] mod splitmix;`) from `core/tests` and `app/tests`,
//! so each test binary uses the subset it needs.
#![allow(dead_code)]

/// A counter-based generator: `Gen(seed)`, then draw.
#[derive(Debug, Clone)]
pub struct Gen(pub u64);

impl Gen {
    /// The next 64 random bits.
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; `0` when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A fair coin.
    pub fn bool(&mut self) -> bool {
        self.u64() & 1 == 1
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)` with all 53 bits random.
    pub fn unit(&mut self) -> f64 {
        (self.u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)` with all 53 bits random, so JSON must round-trip exactly.
    pub fn f64(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in `[lo, hi]` with 24 random bits.
    pub fn f32(&mut self, lo: f32, hi: f32) -> f32 {
        (lo + (hi - lo) * ((self.u64() >> 40) as f32 / (1u64 << 24) as f32)).min(hi)
    }

    /// 1 to `max` characters that stress text handling (quotes, escapes, slashes, non-ASCII,
    /// JSON punctuation), never only spaces.
    pub fn text(&mut self, max: usize) -> String {
        const POOL: &[char] = &[
            'a', 'Z', '7', ' ', '"', '\\', '/', 'é', '猫', '🙂', '{', ':',
        ];
        let n = self.range(1, max);
        let mut s: String = (0..n).map(|_| POOL[self.below(POOL.len())]).collect();
        if s.trim().is_empty() {
            s.push('x');
        }
        s
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}
