//! A per-thread cache of large CPU buffers. A training step allocates the same big tensors
//! every iteration; returning freed buffers to the OS (glibc does for large blocks) and
//! faulting fresh zero pages back in cost as much as the arithmetic on native targets.
//! Storage hands its buffer back here on drop and kernels take output buffers from here.

use std::cell::RefCell;

use super::Float;

/// Buffers below this many elements go straight to the allocator (it handles them well).
const MIN_POOLED: usize = 1 << 14;
/// At most this many cached buffers per thread and element type.
const MAX_CACHED: usize = 64;
/// At most this many cached bytes per thread and element type.
const MAX_BYTES: usize = 256 << 20;

/// The cache of one element type on one thread.
pub struct Cache<T> {
    free: Vec<Vec<T>>,
    bytes: usize,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            free: Vec::new(),
            bytes: 0,
        }
    }
}

/// Access to the calling thread's cache for `T` (implemented per float type); `None` while
/// the thread is being torn down.
pub trait Cached: Sized + 'static {
    fn with_cache<R>(f: impl FnOnce(&mut Cache<Self>) -> R) -> Option<R>;
}

macro_rules! impl_cached {
    ($t:ty) => {
        impl Cached for $t {
            fn with_cache<R>(f: impl FnOnce(&mut Cache<Self>) -> R) -> Option<R> {
                thread_local! {
                    static CACHE: RefCell<Cache<$t>> = RefCell::new(Cache::default());
                }
                CACHE
                    .try_with(|c| c.try_borrow_mut().ok().map(|mut c| f(&mut c)))
                    .ok()
                    .flatten()
            }
        }
    };
}

impl_cached!(f32);
impl_cached!(f64);

/// An empty vector with capacity for at least `n` elements, reusing a cached buffer whose
/// capacity is between `n` and `2n` when there is one.
pub fn take<T: Float>(n: usize) -> Vec<T> {
    let mut v = reuse(n);
    v.clear();
    v
}

/// `n` elements of unspecified value (a reused buffer's old contents, or zeros), for outputs
/// whose every element the kernel writes: it spares the memset of [`filled`].
pub fn stale<T: Float>(n: usize) -> Vec<T> {
    let mut v = reuse(n);
    v.truncate(n);
    v.resize(n, T::ZERO);
    v
}

/// A cached buffer with capacity between `n` and `2n` (contents kept), or a new empty one.
fn reuse<T: Float>(n: usize) -> Vec<T> {
    if n >= MIN_POOLED {
        let hit = T::with_cache(|c| {
            let i = c
                .free
                .iter()
                .enumerate()
                .filter(|(_, v)| v.capacity() >= n && v.capacity() <= 2 * n)
                .min_by_key(|(_, v)| v.capacity())
                .map(|(i, _)| i)?;
            let v = c.free.swap_remove(i);
            c.bytes -= v.capacity() * std::mem::size_of::<T>();
            Some(v)
        })
        .flatten();
        if let Some(v) = hit {
            return v;
        }
    }
    Vec::with_capacity(n)
}

/// `n` copies of `value` in a (possibly reused) buffer.
pub fn filled<T: Float>(value: T, n: usize) -> Vec<T> {
    let mut v = take(n);
    v.resize(n, value);
    v
}

/// Returns a buffer to the cache (or frees it when it is small or the cache is full).
pub fn give<T: Float>(v: Vec<T>) {
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if v.capacity() < MIN_POOLED {
        return;
    }
    // A buffer freed during thread teardown (no cache) simply goes back to the allocator.
    T::with_cache(|c| {
        if c.free.len() < MAX_CACHED && c.bytes + bytes <= MAX_BYTES {
            c.bytes += bytes;
            c.free.push(v);
        }
    });
}

/// Collects an iterator into a cached buffer.
pub trait CollectPooled<T: Float>: Iterator<Item = T> + Sized {
    fn pooled(self) -> Vec<T> {
        let mut v = take(self.size_hint().0);
        v.extend(self);
        v
    }
}

impl<T: Float, I: Iterator<Item = T>> CollectPooled<T> for I {}
