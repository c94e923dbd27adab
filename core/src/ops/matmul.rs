//! torch.matmul: dot products, matrix-vector, matrix-matrix and batched products with
//! broadcast batch dimensions, all lowered to the rank-3 [`Op::Matmul`] primitive.

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::shape::broadcast_shapes;
use crate::tensor::Tensor;

impl Tensor {
    /// Rank-3 batched product with optional transposed operands (read via strides).
    pub(crate) fn matmul_raw(
        a: &Tensor,
        b: &Tensor,
        transpose_a: bool,
        transpose_b: bool,
    ) -> Result<Tensor> {
        let (ad, bd) = (a.dims(), b.dims());
        if a.rank() != 3 || b.rank() != 3 || ad[0] != bd[0] {
            return Err(Error::shapes(
                "matmul",
                &[ad, bd],
                "expects two rank-3 tensors with equal batch",
            ));
        }
        let (m, k) = if transpose_a {
            (ad[2], ad[1])
        } else {
            (ad[1], ad[2])
        };
        let (k2, n) = if transpose_b {
            (bd[2], bd[1])
        } else {
            (bd[1], bd[2])
        };
        if k != k2 {
            return Err(Error::shapes(
                "matmul",
                &[ad, bd],
                format!("inner sizes differ ({k} vs {k2})"),
            ));
        }
        Tensor::from_op(
            Op::Matmul {
                transpose_a,
                transpose_b,
            },
            vec![a.clone(), b.clone()],
            vec![ad[0], m, n],
        )
    }

    /// Matrix product with torch.matmul's rules: 1-D operands are promoted and the added
    /// dimension removed; batch dimensions broadcast.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (ad, bd) = (self.dims().to_vec(), other.dims().to_vec());
        if self.rank() == 0 || other.rank() == 0 {
            return Err(Error::shapes(
                "matmul",
                &[&ad, &bd],
                "both arguments need at least one dimension",
            ));
        }
        let a = if self.rank() == 1 {
            self.reshape_to(&[1, ad[0]])?
        } else {
            self.clone()
        };
        let b = if other.rank() == 1 {
            other.reshape_to(&[bd[0], 1])?
        } else {
            other.clone()
        };
        let (ar, br) = (a.rank(), b.rank());
        let (m, k) = (a.dims()[ar - 2], a.dims()[ar - 1]);
        let (k2, n) = (b.dims()[br - 2], b.dims()[br - 1]);
        if k != k2 {
            return Err(Error::shapes(
                "matmul",
                &[&ad, &bd],
                format!("inner sizes differ ({k} vs {k2})"),
            ));
        }
        let result = if br == 2 {
            // Fold every batch dimension of `a` into the rows: one GEMM.
            let batch = &a.dims()[..ar - 2];
            let rows = batch.iter().product::<usize>() * m;
            let y = Tensor::matmul_raw(
                &a.reshape_to(&[1, rows, k])?,
                &b.reshape_to(&[1, k, n])?,
                false,
                false,
            )?;
            let mut out = batch.to_vec();
            out.extend([m, n]);
            y.reshape_to(&out)?
        } else {
            let batch = broadcast_shapes("matmul", &a.dims()[..ar - 2], &b.dims()[..br - 2])
                .map_err(|_| {
                    Error::shapes("matmul", &[&ad, &bd], "batch dimensions do not broadcast")
                })?;
            let nb: usize = batch.iter().product();
            let mut sa = batch.clone();
            sa.extend([m, k]);
            let mut sb = batch.clone();
            sb.extend([k, n]);
            let a3 = a.expand_to(&sa)?.reshape_to(&[nb, m, k])?;
            let b3 = b.expand_to(&sb)?.reshape_to(&[nb, k, n])?;
            let mut out = batch;
            out.extend([m, n]);
            Tensor::matmul_raw(&a3, &b3, false, false)?.reshape_to(&out)?
        };
        // Drop the dimensions added for 1-D operands.
        let mut out = result.dims().to_vec();
        let r = out.len();
        if other.rank() == 1 {
            out.remove(r - 1);
        }
        if self.rank() == 1 {
            out.remove(out.len() - if other.rank() == 1 { 1 } else { 2 });
        }
        result.reshape_to(&out)
    }
}
