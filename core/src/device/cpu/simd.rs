//! A minimal vector abstraction for the register-tiled kernels in [`super::tile`]: one trait,
//! implemented by AVX-512 and AVX2+FMA registers of f32 (picked at run time on x86-64), by
//! wasm SIMD128 (when the module is built with `+simd128`), and by a plain fixed-size array for
//! every other case (f64, other CPUs), which the compiler vectorizes as it can.

use super::Float;

/// A vector of `N` lanes of `T`. Methods are `unsafe` because they read and write raw pointers
/// and, for the x86 types, need the CPU feature the caller checked for.
pub trait Lanes<T: Float>: Copy {
    /// Lanes per vector.
    const N: usize;
    /// All lanes zero.
    unsafe fn zero() -> Self;
    /// All lanes `x`.
    unsafe fn splat(x: T) -> Self;
    /// Reads `N` elements from `p` (unaligned).
    unsafe fn load(p: *const T) -> Self;
    /// Writes `N` elements to `p` (unaligned).
    unsafe fn store(self, p: *mut T);
    /// `self + a * b` (fused where the target has FMA).
    unsafe fn madd(self, a: Self, b: Self) -> Self;
    /// `self + b`.
    unsafe fn add(self, b: Self) -> Self;
    /// Sum of the lanes.
    unsafe fn hsum(self) -> T;
}

/// Portable fallback: `W` scalars in an array; multiply and add are not fused, so results match
/// plain scalar loops.
#[derive(Clone, Copy)]
pub struct Arr<T, const W: usize>([T; W]);

impl<T: Float, const W: usize> Lanes<T> for Arr<T, W> {
    const N: usize = W;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Arr([T::ZERO; W])
    }
    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        Arr([x; W])
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> Self {
        Arr(std::ptr::read_unaligned(p.cast::<[T; W]>()))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T) {
        std::ptr::write_unaligned(p.cast::<[T; W]>(), self.0)
    }
    #[inline(always)]
    unsafe fn madd(self, a: Self, b: Self) -> Self {
        let mut r = self.0;
        for ((r, &x), &y) in r.iter_mut().zip(&a.0).zip(&b.0) {
            *r += x * y;
        }
        Arr(r)
    }
    #[inline(always)]
    unsafe fn add(self, b: Self) -> Self {
        let mut r = self.0;
        for (r, &y) in r.iter_mut().zip(&b.0) {
            *r += y;
        }
        Arr(r)
    }
    #[inline(always)]
    unsafe fn hsum(self) -> T {
        self.0.iter().fold(T::ZERO, |s, &v| s + v)
    }
}

#[cfg(target_arch = "x86_64")]
pub use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes;
    use std::arch::x86_64::*;

    /// 16 f32 lanes in a zmm register (AVX-512F).
    #[derive(Clone, Copy)]
    pub struct Avx512(__m512);

    impl Lanes<f32> for Avx512 {
        const N: usize = 16;
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn zero() -> Self {
            Avx512(_mm512_setzero_ps())
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn splat(x: f32) -> Self {
            Avx512(_mm512_set1_ps(x))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load(p: *const f32) -> Self {
            Avx512(_mm512_loadu_ps(p))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn store(self, p: *mut f32) {
            _mm512_storeu_ps(p, self.0)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn madd(self, a: Self, b: Self) -> Self {
            Avx512(_mm512_fmadd_ps(a.0, b.0, self.0))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn add(self, b: Self) -> Self {
            Avx512(_mm512_add_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn hsum(self) -> f32 {
            _mm512_reduce_add_ps(self.0)
        }
    }

    /// 8 f32 lanes in a ymm register (AVX2 with FMA).
    #[derive(Clone, Copy)]
    pub struct Avx2(__m256);

    impl Lanes<f32> for Avx2 {
        const N: usize = 8;
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn zero() -> Self {
            Avx2(_mm256_setzero_ps())
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn splat(x: f32) -> Self {
            Avx2(_mm256_set1_ps(x))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn load(p: *const f32) -> Self {
            Avx2(_mm256_loadu_ps(p))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn store(self, p: *mut f32) {
            _mm256_storeu_ps(p, self.0)
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn madd(self, a: Self, b: Self) -> Self {
            Avx2(_mm256_fmadd_ps(a.0, b.0, self.0))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn add(self, b: Self) -> Self {
            Avx2(_mm256_add_ps(self.0, b.0))
        }
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn hsum(self) -> f32 {
            let hi = _mm256_extractf128_ps(self.0, 1);
            let s = _mm_add_ps(_mm256_castps256_ps128(self.0), hi);
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
            _mm_cvtss_f32(s)
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use wasm::Simd128;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::Lanes;
    use std::arch::wasm32::*;

    /// 4 f32 lanes of wasm SIMD128 (multiply and add are separate instructions).
    #[derive(Clone, Copy)]
    pub struct Simd128(v128);

    impl Lanes<f32> for Simd128 {
        const N: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Simd128(f32x4_splat(0.0))
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            Simd128(f32x4_splat(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Simd128(v128_load(p.cast()))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            v128_store(p.cast(), self.0)
        }
        #[inline(always)]
        unsafe fn madd(self, a: Self, b: Self) -> Self {
            Simd128(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            Simd128(f32x4_add(self.0, b.0))
        }
        #[inline(always)]
        unsafe fn hsum(self) -> f32 {
            f32x4_extract_lane::<0>(self.0)
                + f32x4_extract_lane::<1>(self.0)
                + f32x4_extract_lane::<2>(self.0)
                + f32x4_extract_lane::<3>(self.0)
        }
    }
}
