//! Shape arithmetic done on the host before a dispatch: strides, coalescing (so kernels index
//! as few dimensions as possible) and grids that respect the 65535-workgroups-per-dimension limit.

use super::GpuError;

/// Invocations per workgroup of every 1-D kernel (WebGPU's default maximum).
pub(crate) const WG: u64 = 256;

/// Contiguous row-major strides.
pub(crate) fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// Strides that read a contiguous `shape` while iterating `out` (right-aligned broadcasting).
pub(crate) fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let own = contiguous_strides(shape);
    let lead = out.len() - shape.len();
    (0..out.len())
        .map(|d| {
            if d < lead || shape[d - lead] == 1 {
                0
            } else {
                own[d - lead]
            }
        })
        .collect()
}

/// Drops size-1 dims and merges neighbours that are contiguous for every stride list.
pub(crate) fn coalesce(dims: &[usize], strides: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut out_dims: Vec<usize> = Vec::new();
    let mut out_strides: Vec<Vec<usize>> = vec![Vec::new(); strides.len()];
    for d in 0..dims.len() {
        if dims[d] == 1 {
            continue;
        }
        let mergeable = !out_dims.is_empty()
            && strides
                .iter()
                .zip(&out_strides)
                .all(|(s, o)| *o.last().expect("non-empty with out_dims") == s[d] * dims[d]);
        if mergeable {
            let n = out_dims.len() - 1;
            out_dims[n] *= dims[d];
            for (o, s) in out_strides.iter_mut().zip(strides) {
                o[n] = s[d];
            }
        } else {
            out_dims.push(dims[d]);
            for (o, s) in out_strides.iter_mut().zip(strides) {
                o.push(s[d]);
            }
        }
    }
    (out_dims, out_strides)
}

/// A size as a shader word, or an error naming the op.
pub(crate) fn word(op: &'static str, v: usize) -> Result<u32, GpuError> {
    u32::try_from(v).map_err(|_| GpuError::InvalidArgument {
        op,
        reason: format!("size {v} exceeds the u32 range of the GPU kernels"),
    })
}

/// Appends `values` padded with zeros to `width` words; errors if there are more.
pub(crate) fn push_padded(
    op: &'static str,
    params: &mut Vec<u32>,
    values: &[usize],
    width: usize,
) -> Result<(), GpuError> {
    if values.len() > width {
        return Err(GpuError::InvalidArgument {
            op,
            reason: format!(
                "{} dimensions after coalescing; the GPU kernels take at most {width}",
                values.len()
            ),
        });
    }
    for &v in values {
        params.push(word(op, v)?);
    }
    params.extend(std::iter::repeat_n(0, width - values.len()));
    Ok(())
}

/// A grid of `groups` workgroups, split over y when x would exceed 65535.
pub(crate) fn grid(groups: u64) -> [u32; 3] {
    const MAX: u64 = 65535;
    if groups <= MAX {
        return [groups as u32, 1, 1];
    }
    [
        MAX as u32,
        groups.div_ceil(MAX).min(u64::from(u32::MAX)) as u32,
        1,
    ]
}

/// The grid that runs one invocation per element of `n`.
pub(crate) fn grid_for(n: usize) -> [u32; 3] {
    grid((n as u64).div_ceil(WG))
}
