//! Tests of the register-tiled products: every kernel against a plain triple loop.

use super::super::dot::{nt, DotOperands};
use super::*;

fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1 << 24) as f32 - 0.5
        })
        .collect()
}

fn close(got: &[f32], want: &[f64], scale: f64, what: &str) {
    for (g, w) in got.iter().zip(want) {
        let w = w * scale;
        assert!(
            (f64::from(*g) - w).abs() < 1e-4 * (1.0 + w.abs()),
            "{what}: {g} vs {w}"
        );
    }
}

/// Every product against a plain triple loop, on sizes with partial tiles and a `k` deeper
/// than one block, in f32 (the detected ISA) and f64 (the portable kernel).
#[test]
fn nn_and_nt_match_naive_products() {
    for &(m, k, n) in &[
        (1, 1, 1),
        (6, 25, 784),
        (16, 150, 100),
        (13, 300, 37),
        (9, 3, 65),
    ] {
        let what = format!("{m}x{k}x{n}");
        let a = data(m * k, 1);
        let b = data(k * n, 2);
        let mut want = vec![0f64; m * n];
        for i in 0..m {
            for p in 0..k {
                for j in 0..n {
                    want[i * n + j] += f64::from(a[i * k + p]) * f64::from(b[p * n + j]);
                }
            }
        }
        // C = A B, then C += A B.
        let mut c = vec![f32::NAN; m * n];
        let pa = PackedA::new(&a, m, k, k, 1);
        nn(&pa, n, &b, &row_offsets(k, n), &mut c, n, false);
        close(&c, &want, 1.0, &what);
        nn(&pa, n, &b, &row_offsets(k, n), &mut c, n, true);
        close(&c, &want, 2.0, &what);
        // A packed from a transposed layout.
        let at: Vec<f32> = (0..k * m).map(|q| a[(q % m) * k + q / m]).collect();
        let pt = PackedA::new(&at, m, k, 1, m);
        nn(&pt, n, &b, &row_offsets(k, n), &mut c, n, false);
        close(&c, &want, 1.0, &what);
        // As dot products, the batch split in two halves of the inner dimension.
        let bt: Vec<f32> = (0..n * k).map(|q| b[(q % k) * n + q / k]).collect();
        let ops = DotOperands {
            a: &a,
            lda: k,
            sa: 0,
            b: &bt,
            boff: &row_offsets(n, k),
            sb: 0,
            batch: 1,
            len: k,
        };
        nt(m, &ops, &mut c, n, false);
        close(&c, &want, 1.0, &what);
        if k % 2 == 0 {
            let halves = DotOperands {
                sa: k / 2,
                sb: k / 2,
                batch: 2,
                len: k / 2,
                ..ops
            };
            nt(m, &halves, &mut c, n, false);
            close(&c, &want, 1.0, &what);
        }
        let a64: Vec<f64> = a.iter().map(|&v| f64::from(v)).collect();
        let bt64: Vec<f64> = bt.iter().map(|&v| f64::from(v)).collect();
        let mut c64 = vec![0f64; m * n];
        let ops64 = DotOperands {
            a: &a64,
            b: &bt64,
            boff: &row_offsets(n, k),
            lda: k,
            sa: 0,
            sb: 0,
            batch: 1,
            len: k,
        };
        nt(m, &ops64, &mut c64, n, false);
        let pa64 = PackedA::new(&a64, m, k, k, 1);
        let b64: Vec<f64> = b.iter().map(|&v| f64::from(v)).collect();
        let mut d64 = vec![0f64; m * n];
        nn(&pa64, n, &b64, &row_offsets(k, n), &mut d64, n, false);
        for ((g, h), w) in c64.iter().zip(&d64).zip(&want) {
            assert!((g - w).abs() < 1e-9 * (1.0 + w.abs()), "{what}");
            assert!((h - w).abs() < 1e-9 * (1.0 + w.abs()), "{what}");
        }
    }
}
