//! A second core for the CPU backend in the browser, without wasm threads (they need a nightly
//! `build-std`): a helper Web Worker runs its own instance of the same wasm module and computes
//! a share of the rows of every large f32 product, exchanging operands through a
//! `SharedArrayBuffer` (so the page must be cross-origin isolated).
//!
//! Protocol over the buffer: 16 control words (`Int32Array`), then f32 data (`A`, `B`, `C`).
//! Word [`STATE`] goes idle (0) → job posted (1, by the caller) → done (2, by the helper) →
//! idle (0, by the caller once it has read `C`); [`READY`] is 1 while a helper serves. The
//! caller computes its own rows meanwhile and then spins (the page's main thread may not
//! `Atomics.wait`); the helper sleeps in `Atomics.wait`. Each output element is computed by
//! the same code in the same order on either side, so results do not depend on the split.
//!
//! Measured (node 20, Zen 5): the 6 MB of a 1024³ half-job copy in and out in ~0.5 ms, a
//! notify-and-answer round trip takes ~10 µs; the half product itself takes ~21 ms.

use std::cell::RefCell;

use js_sys::{Atomics, Float32Array, Int32Array, SharedArrayBuffer};

use super::gemm::{gemm, View};
use super::simd::Simd128;

/// The product both sides run: the SIMD128 4x8 tile (see [`super::gemm`]).
fn local(m: usize, k: usize, n: usize, a: View<'_, f32>, b: View<'_, f32>, c: &mut [f32]) {
    gemm::<f32, Simd128, 4, 2>(m, k, n, a, b, c, n);
}

const STATE: u32 = 0;
const READY: u32 = 1;
/// Header words: rows, k, n, A strides, B strides, A and B lengths.
const HEADER: u32 = 2;
const CONTROL_WORDS: u32 = 16;
/// Products below this many multiply-adds stay on one core (the copies and the hand-over
/// would cost more than half the work).
const MIN_MACS: usize = 1 << 20;
/// How long (ms) the helper spins after a job before it sleeps: longer than the gaps between
/// a training step's products, far shorter than the gaps between steps a person waits for.
const SPIN_MS: f64 = 5.0;
/// Give up on a helper that has not answered in this long (it died) and compute locally.
const TIMEOUT_MS: f64 = 10_000.0;

/// The caller's side: the shared buffer's views.
struct Link {
    control: Int32Array,
    data: Float32Array,
    capacity: usize,
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
}

fn control_and_data(sab: &SharedArrayBuffer) -> (Int32Array, Float32Array, usize) {
    let control = Int32Array::new_with_byte_offset_and_length(sab, 0, CONTROL_WORDS);
    let bytes = sab.byte_length() as usize;
    let capacity = bytes.saturating_sub(CONTROL_WORDS as usize * 4) / 4;
    let data =
        Float32Array::new_with_byte_offset_and_length(sab, CONTROL_WORDS * 4, capacity as u32);
    (control, data, capacity)
}

/// Shares this thread's large f32 products with the helper serving `sab` (see [`serve`]);
/// `None` stops sharing.
pub fn attach(sab: Option<&SharedArrayBuffer>) {
    let link = sab.map(|sab| {
        let (control, data, capacity) = control_and_data(sab);
        Link {
            control,
            data,
            capacity,
        }
    });
    LINK.with(|l| *l.borrow_mut() = link);
}

fn load(a: &Int32Array, i: u32) -> i32 {
    Atomics::load(a, i).unwrap_or(-1)
}

fn store(a: &Int32Array, i: u32, v: i32) {
    let _ = Atomics::store(a, i, v);
}

/// The elements of `v` that rows `r0..r0+rows` (all `cols` columns) touch, and the view of
/// them relative to the first: the part of an operand to ship.
fn span<'a>(v: View<'a, f32>, r0: usize, rows: usize, cols: usize) -> View<'a, f32> {
    let first = r0 * v.rs;
    let last = (r0 + rows - 1) * v.rs + (cols - 1) * v.cs;
    View {
        data: &v.data[first..=last],
        rs: v.rs,
        cs: v.cs,
    }
}

/// `C = A B` (row-major `C`, `n` wide) with the second half of the rows computed by the
/// helper when one is attached and the product is large enough; otherwise all here.
pub fn gemm_shared(
    m: usize,
    k: usize,
    n: usize,
    a: View<'_, f32>,
    b: View<'_, f32>,
    c: &mut [f32],
) {
    let r0 = (m / 2).next_multiple_of(4);
    // The size checks come first: `span` needs rows on both sides of `r0` and `k > 0`.
    if k == 0 || r0 == 0 || r0 >= m || m * k * n < MIN_MACS {
        local(m, k, n, a, b, c);
        return;
    }
    let usable = LINK.with(|l| {
        l.borrow().as_ref().is_some_and(|l| {
            let need = span(a, r0, m - r0, k).data.len() + span(b, 0, k, n).data.len();
            load(&l.control, READY) == 1
                && load(&l.control, STATE) == 0
                && need + (m - r0) * n <= l.capacity
        })
    });
    if !usable {
        local(m, k, n, a, b, c);
        return;
    }
    let (ha, hb) = (span(a, r0, m - r0, k), span(b, 0, k, n));
    LINK.with(|l| {
        let l = l.borrow();
        let Some(l) = l.as_ref() else { return };
        let (la, lb) = (ha.data.len() as u32, hb.data.len() as u32);
        let header = [
            m - r0,
            k,
            n,
            ha.rs,
            ha.cs,
            hb.rs,
            hb.cs,
            la as usize,
            lb as usize,
        ];
        for (i, &h) in header.iter().enumerate() {
            store(&l.control, HEADER + i as u32, h as i32);
        }
        l.data.subarray(0, la).copy_from(ha.data);
        l.data.subarray(la, la + lb).copy_from(hb.data);
        store(&l.control, STATE, 1);
        let _ = Atomics::notify(&l.control, STATE);
    });
    local(r0, k, n, a, b, &mut c[..r0 * n]);
    let done = LINK.with(|l| {
        let l = l.borrow();
        let Some(l) = l.as_ref() else { return false };
        let t0 = js_sys::Date::now();
        while load(&l.control, STATE) != 2 {
            if js_sys::Date::now() - t0 > TIMEOUT_MS {
                store(&l.control, READY, 0);
                return false;
            }
        }
        let c0 = ha.data.len() as u32 + hb.data.len() as u32;
        let len = ((m - r0) * n) as u32;
        l.data.subarray(c0, c0 + len).copy_to(&mut c[r0 * n..m * n]);
        store(&l.control, STATE, 0);
        true
    });
    if !done {
        // The helper died mid-job: stop sharing and compute its rows here.
        attach(None);
        let rest = span(a, r0, m - r0, k);
        local(m - r0, k, n, rest, b, &mut c[r0 * n..m * n]);
    }
}

/// The helper's loop (call it in a dedicated worker, where `Atomics.wait` may block): marks
/// the buffer ready, then computes every posted job. Never returns.
pub fn serve(sab: &SharedArrayBuffer) -> ! {
    let (control, data, _) = control_and_data(sab);
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    store(&control, READY, 1);
    let mut last_job = f64::NEG_INFINITY;
    loop {
        let state = load(&control, STATE);
        if state != 1 {
            // Jobs come in bursts (a training step's products): stay awake between them, as
            // a wake-up from `Atomics.wait` can take longer than a small product.
            if js_sys::Date::now() - last_job > SPIN_MS {
                let _ = Atomics::wait(&control, STATE, state);
            }
            continue;
        }
        let h: Vec<usize> = (0..9)
            .map(|i| load(&control, HEADER + i).max(0) as usize)
            .collect();
        let (m, k, n) = (h[0], h[1], h[2]);
        let (la, lb) = (h[7] as u32, h[8] as u32);
        a.resize(la as usize, 0.0);
        b.resize(lb as usize, 0.0);
        c.resize(m * n, 0.0);
        data.subarray(0, la).copy_to(&mut a);
        data.subarray(la, la + lb).copy_to(&mut b);
        let va = View {
            data: &a,
            rs: h[3],
            cs: h[4],
        };
        let vb = View {
            data: &b,
            rs: h[5],
            cs: h[6],
        };
        local(m, k, n, va, vb, &mut c);
        data.subarray(la + lb, la + lb + (m * n) as u32)
            .copy_from(&c);
        store(&control, STATE, 2);
        last_job = js_sys::Date::now();
    }
}
