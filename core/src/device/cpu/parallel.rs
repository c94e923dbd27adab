//! Splitting CPU kernels over the cores. Natively a kernel's work is cut into a fixed number of
//! parts run on a small fork-join tree of threads (thread-tree, the pool matrixmultiply uses);
//! the split depends only on the sizes, never on timing, so results are the same on every run.
//! In wasm, and inside a part already running in parallel, parts simply run one after another.

use std::cell::Cell;

thread_local! {
    /// True while this thread runs a part, so nested kernels stay on their thread.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

#[cfg(not(target_arch = "wasm32"))]
mod tree {
    use std::sync::OnceLock;
    use thread_tree::ThreadTree;

    /// The process-wide tree and its number of leaves (threads): 2^level for the cores this
    /// process may use.
    pub fn get() -> &'static (Box<ThreadTree>, usize) {
        static TREE: OnceLock<(Box<ThreadTree>, usize)> = OnceLock::new();
        TREE.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            // 1 core: no threads; 2-3: one helper; 4-7: three; 8+: seven.
            let level = match cores {
                0 | 1 => 0,
                2 | 3 => 1,
                4..=7 => 2,
                _ => 3,
            };
            (ThreadTree::new_with_level(level), 1 << level)
        })
    }
}

/// Threads a kernel can usefully split over (1 in wasm and inside a running part).
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if INSIDE.with(Cell::get) {
            1
        } else {
            tree::get().1
        }
    }
    #[cfg(target_arch = "wasm32")]
    1
}

/// How many parts to cut `items` units of work into, giving each part at least `min_per_part`
/// units (below that, waking another thread costs more than it saves).
pub fn parts(items: usize, min_per_part: usize) -> usize {
    (items / min_per_part.max(1)).clamp(1, threads())
}

/// Runs `f(part)` for `part in 0..parts`, spread over the threads, and returns when all are done.
pub fn for_each_part(parts: usize, f: &(dyn Fn(usize) + Sync)) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if parts > 1 && !INSIDE.with(Cell::get) {
            let run = |lo: usize, hi: usize| {
                let was = INSIDE.with(|c| c.replace(true));
                for i in lo..hi {
                    f(i);
                }
                INSIDE.with(|c| c.set(was));
            };
            fn split(
                ctx: thread_tree::ThreadTreeCtx<'_>,
                lo: usize,
                hi: usize,
                run: &(dyn Fn(usize, usize) + Sync),
            ) {
                if hi - lo > 1 && ctx.is_parallel() {
                    let mid = lo + (hi - lo) / 2;
                    ctx.join(|c| split(c, lo, mid, run), |c| split(c, mid, hi, run));
                } else {
                    run(lo, hi);
                }
            }
            split(tree::get().0.top(), 0, parts, &run);
            return;
        }
    }
    for i in 0..parts {
        f(i);
    }
}

/// Cuts `data` into `parts` pieces of whole `unit`-element blocks (as equal as possible) and
/// runs `f(first block index, piece)` on each in parallel.
pub fn for_each_piece_mut<T: Send>(
    data: &mut [T],
    unit: usize,
    parts: usize,
    f: &(dyn Fn(usize, &mut [T]) + Sync),
) {
    let blocks = data.len() / unit.max(1);
    let parts = parts.clamp(1, blocks.max(1));
    if parts == 1 {
        f(0, data);
        return;
    }
    let bounds: Vec<usize> = (0..=parts).map(|i| i * blocks / parts).collect();
    let base = SendPtr(data.as_mut_ptr());
    let base = &base;
    for_each_part(parts, &|i| {
        let (b0, b1) = (bounds[i], bounds[i + 1]);
        // SAFETY: the pieces [b0*unit, b1*unit) are disjoint for different i and lie inside
        // `data`, which stays mutably borrowed until every part has returned.
        let piece =
            unsafe { std::slice::from_raw_parts_mut(base.0.add(b0 * unit), (b1 - b0) * unit) };
        f(b0, piece);
    });
}

/// A raw pointer that may cross threads (the caller guarantees disjoint use).
struct SendPtr<T>(*mut T);
// SAFETY: only used by `for_each_piece_mut`, whose parts touch disjoint ranges.
unsafe impl<T: Send> Sync for SendPtr<T> {}
unsafe impl<T: Send> Send for SendPtr<T> {}
