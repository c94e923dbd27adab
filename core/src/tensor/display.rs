//! `Display` in PyTorch's style (`tensor([[1.0000, 2.0000], ...])`), eliding the middle of
//! long dimensions so printing a batch never floods a log.

use std::fmt;

use super::Tensor;

const EDGE: usize = 3;
const MAX_FULL: usize = 1000;

fn write_dim(
    f: &mut fmt::Formatter<'_>,
    v: &[f64],
    dims: &[usize],
    depth: usize,
    elide: bool,
) -> fmt::Result {
    if dims.is_empty() {
        return write!(f, "{:.4}", v[0]);
    }
    let n = dims[0];
    let inner: usize = dims[1..].iter().product();
    write!(f, "[")?;
    let show: Vec<usize> = if elide && n > 2 * EDGE {
        (0..EDGE).chain(n - EDGE..n).collect()
    } else {
        (0..n).collect()
    };
    for (k, &i) in show.iter().enumerate() {
        if k > 0 {
            if dims.len() > 1 {
                write!(f, ",\n{}", " ".repeat(depth + 8))?;
            } else {
                write!(f, ", ")?;
            }
        }
        if elide && n > 2 * EDGE && k == EDGE {
            write!(f, "...")?;
            if dims.len() > 1 {
                write!(f, ",\n{}", " ".repeat(depth + 8))?;
            } else {
                write!(f, ", ")?;
            }
        }
        write_dim(
            f,
            &v[i * inner..(i + 1) * inner],
            &dims[1..],
            depth + 1,
            elide,
        )?;
    }
    write!(f, "]")
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.to_vec::<f64>().map_err(|_| fmt::Error)?;
        write!(f, "tensor(")?;
        write_dim(f, &v, self.dims(), 0, v.len() > MAX_FULL)?;
        if self.requires_grad() {
            write!(f, ", requires_grad=True")?;
        }
        write!(f, ")")
    }
}
