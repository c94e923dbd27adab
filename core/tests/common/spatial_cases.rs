//! Parity cases of the spatial and data-movement ops: conv2d and its gradients (direct and
//! implicit-GEMM paths), pooling and its adjoints, gather/scatter and the copy ops.

use super::op_cases::{case, conv_out, Case, Data};
use pixelgrad::{Conv2dParams, Op, Pool2dParams};

pub fn conv_cases(d: &mut Data, cases: &mut Vec<Case>) {
    // The last geometry has 64 channels per group: it takes the implicit-GEMM path (with split-k
    // for the weight gradient); the others take the direct kernels.
    let geoms: [([usize; 4], [usize; 4], Conv2dParams); 5] = [
        (
            [2, 3, 9, 11],
            [4, 3, 3, 3],
            Conv2dParams {
                padding: [1, 1],
                ..Default::default()
            },
        ),
        (
            [1, 4, 10, 9],
            [6, 2, 3, 2],
            Conv2dParams {
                stride: [2, 1],
                padding: [1, 0],
                dilation: [1, 2],
                groups: 2,
            },
        ),
        (
            [3, 4, 6, 6],
            [4, 1, 3, 3],
            Conv2dParams {
                padding: [1, 1],
                groups: 4,
                ..Default::default()
            },
        ),
        ([4, 2, 20, 20], [3, 2, 3, 3], Conv2dParams::default()),
        (
            [4, 64, 16, 16],
            [64, 64, 3, 3],
            Conv2dParams {
                padding: [1, 1],
                ..Default::default()
            },
        ),
    ];
    for (xs, ws, p) in geoms {
        let oh = conv_out(xs[2], ws[2], p.stride[0], p.padding[0], p.dilation[0]);
        let ow = conv_out(xs[3], ws[3], p.stride[1], p.padding[1], p.dilation[1]);
        let ys = [xs[0], ws[0], oh, ow];
        let x = d.uniform(&xs, -1.0, 1.0);
        let w = d.uniform(&ws, -1.0, 1.0);
        let dy = d.uniform(&ys, -1.0, 1.0);
        let tag = format!("x {xs:?} w {ws:?} {p:?}");
        cases.push(case(
            format!("conv2d {tag}"),
            Op::Conv2d(p),
            vec![x.clone(), w.clone()],
            &ys,
        ));
        cases.push(case(
            format!("conv2d_backward_input {tag}"),
            Op::Conv2dBackwardInput(p),
            vec![dy.clone(), w],
            &xs,
        ));
        cases.push(case(
            format!("conv2d_backward_weight {tag}"),
            Op::Conv2dBackwardWeight(p),
            vec![x, dy],
            &ws,
        ));
    }
}

/// torch's pooled size (`pooling_output_shape`): floor or ceil, and with ceil_mode the last
/// window must start inside the input or its left padding.
fn pooled(size: usize, k: usize, s: usize, p: usize, dil: usize, ceil: bool) -> usize {
    if !ceil {
        return conv_out(size, k, s, p, dil);
    }
    let out = (size + 2 * p - dil * (k - 1) - 1).div_ceil(s) + 1;
    if (out - 1) * s >= size + p {
        out - 1
    } else {
        out
    }
}

pub fn pool_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let base = Pool2dParams::square(1);
    let geoms = [
        (
            [2, 3, 9, 7],
            Pool2dParams {
                kernel: [3, 3],
                stride: [2, 2],
                padding: [1, 1],
                count_include_pad: true,
                ..base
            },
        ),
        (
            [2, 3, 9, 7],
            Pool2dParams {
                kernel: [3, 2],
                stride: [2, 1],
                padding: [1, 1],
                count_include_pad: false,
                ..base
            },
        ),
        ([1, 1, 5, 5], Pool2dParams::square(2)),
        // ceil_mode: an extra window clipped at the right edge (torch's divisor rule).
        (
            [2, 3, 9, 8],
            Pool2dParams {
                kernel: [3, 3],
                stride: [2, 2],
                padding: [1, 1],
                ceil_mode: true,
                ..base
            },
        ),
        // ceil_mode where the rounded-up window would start in the right padding: dropped.
        (
            [1, 2, 5, 4],
            Pool2dParams {
                kernel: [2, 2],
                stride: [2, 2],
                padding: [1, 1],
                count_include_pad: false,
                ceil_mode: true,
                ..base
            },
        ),
        // 2x2 non-overlapping windows on odd sizes with ceil_mode (GoogLeNet-style).
        (
            [1, 3, 5, 7],
            Pool2dParams {
                ceil_mode: true,
                ..Pool2dParams::square(2)
            },
        ),
        // Dilated max pooling (the average cases skip dilation: torch's avg has none).
        (
            [2, 2, 7, 6],
            Pool2dParams {
                kernel: [3, 2],
                stride: [1, 2],
                padding: [1, 1],
                dilation: [2, 2],
                ..base
            },
        ),
        (
            [1, 2, 8, 9],
            Pool2dParams {
                kernel: [3, 3],
                stride: [2, 2],
                padding: [1, 1],
                dilation: [2, 1],
                ceil_mode: true,
                ..base
            },
        ),
        // Dilation 3 on a 2x2 input: the padded corner windows have no tap inside the input
        // (torch: -inf, no gradient).
        (
            [1, 1, 2, 2],
            Pool2dParams {
                kernel: [2, 2],
                stride: [1, 1],
                padding: [1, 1],
                dilation: [3, 3],
                ..base
            },
        ),
        (
            [1, 2, 6, 5],
            Pool2dParams {
                kernel: [3, 2],
                stride: [2, 1],
                padding: [1, 1],
                ceil_mode: true,
                divisor_override: Some(5),
                ..base
            },
        ),
    ];
    for (xs, p) in geoms {
        let size = |a: usize| {
            pooled(
                xs[2 + a],
                p.kernel[a],
                p.stride[a],
                p.padding[a],
                p.dilation[a],
                p.ceil_mode,
            )
        };
        let ys = [xs[0], xs[1], size(0), size(1)];
        let x = d.uniform(&xs, -1.0, 1.0);
        let g = d.uniform(&ys, -1.0, 1.0);
        let h = d.uniform(&xs, -1.0, 1.0);
        let tag = format!("{xs:?} {p:?}");
        cases.push(case(
            format!("max_pool2d {tag}"),
            Op::MaxPool2d(p),
            vec![x.clone()],
            &ys,
        ));
        cases.push(case(
            format!("max_pool2d_scatter {tag}"),
            Op::MaxPool2dScatter(p),
            vec![x.clone(), g.clone()],
            &xs,
        ));
        cases.push(case(
            format!("max_pool2d_gather {tag}"),
            Op::MaxPool2dGather(p),
            vec![x.clone(), h],
            &ys,
        ));
        if p.dilation != [1, 1] {
            continue;
        }
        cases.push(case(
            format!("avg_pool2d {tag}"),
            Op::AvgPool2d(p),
            vec![x],
            &ys,
        ));
        cases.push(case(
            format!("avg_pool2d_backward {tag}"),
            Op::AvgPool2dBackward(p),
            vec![g],
            &xs,
        ));
    }
    for (xs, ys) in [
        ([2, 3, 7, 9], [2, 3, 3, 4]),
        ([1, 2, 3, 3], [1, 2, 5, 4]),
        ([2, 5, 4, 4], [2, 5, 1, 1]),
    ] {
        let x = d.uniform(&xs, -1.0, 1.0);
        let g = d.uniform(&ys, -1.0, 1.0);
        cases.push(case(
            format!("adaptive_avg_pool2d {xs:?} -> {ys:?}"),
            Op::AdaptiveAvgPool2d,
            vec![x],
            &ys,
        ));
        cases.push(case(
            format!("adaptive_avg_pool2d_backward {xs:?} -> {ys:?}"),
            Op::AdaptiveAvgPool2dBackward,
            vec![g],
            &xs,
        ));
    }
}

pub fn index_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let x = d.uniform(&[3, 5, 4], -1.0, 1.0);
    let idx = d.ints(&[3, 2, 4], 5);
    cases.push(case(
        "gather dim 1",
        Op::Gather { dim: 1 },
        vec![x.clone(), idx],
        &[3, 2, 4],
    ));
    let idx0 = d.ints(&[2, 5, 1], 3);
    cases.push(case(
        "gather dim 0",
        Op::Gather { dim: 0 },
        vec![x, idx0],
        &[2, 5, 1],
    ));
    let idx = d.ints(&[3, 6, 4], 5);
    let src = d.uniform(&[3, 6, 4], -1.0, 1.0);
    cases.push(case(
        "scatter_add dim 1",
        Op::ScatterAdd { dim: 1 },
        vec![idx, src],
        &[3, 5, 4],
    ));
    let idx = d.ints(&[2, 6, 3], 5);
    let src = d.uniform(&[2, 6, 3], -1.0, 1.0);
    cases.push(case(
        "scatter_add smaller index",
        Op::ScatterAdd { dim: 1 },
        vec![idx, src],
        &[3, 5, 4],
    ));
    let idx = d.ints(&[64, 1], 10);
    let src = d.uniform(&[64, 1], -1.0, 1.0);
    cases.push(case(
        "scatter_add one-hot rows",
        Op::ScatterAdd { dim: 1 },
        vec![idx, src],
        &[64, 10],
    ));

    let x = d.uniform(&[3, 4], -1.0, 1.0);
    cases.push(case(
        "reshape [3, 4] -> [4, 3]",
        Op::Reshape,
        vec![x],
        &[4, 3],
    ));
    let x = d.uniform(&[2, 3, 5, 7], -1.0, 1.0);
    cases.push(case(
        "permute [0, 2, 3, 1]",
        Op::Permute {
            perm: vec![0, 2, 3, 1],
        },
        vec![x],
        &[2, 5, 7, 3],
    ));
    let x = d.uniform(&[3, 1, 5], -1.0, 1.0);
    cases.push(case(
        "permute [2, 0, 1]",
        Op::Permute {
            perm: vec![2, 0, 1],
        },
        vec![x.clone()],
        &[5, 3, 1],
    ));
    cases.push(case(
        "expand [3, 1, 5] -> [2, 3, 4, 5]",
        Op::Expand,
        vec![x],
        &[2, 3, 4, 5],
    ));
    let x = d.uniform(&[1], -1.0, 1.0);
    cases.push(case("expand [1] -> [7]", Op::Expand, vec![x], &[7]));
    let x = d.uniform(&[5, 7, 3], -1.0, 1.0);
    cases.push(case(
        "narrow dim 1",
        Op::Narrow { dim: 1, start: 2 },
        vec![x.clone()],
        &[5, 4, 3],
    ));
    cases.push(case(
        "narrow dim 0",
        Op::Narrow { dim: 0, start: 4 },
        vec![x],
        &[1, 7, 3],
    ));
    let parts = vec![
        d.uniform(&[2, 3, 4], -1.0, 1.0),
        d.uniform(&[2, 1, 4], -1.0, 1.0),
        d.uniform(&[2, 5, 4], -1.0, 1.0),
    ];
    cases.push(case("cat dim 1", Op::Cat { dim: 1 }, parts, &[2, 9, 4]));
    let parts = vec![d.uniform(&[1, 3], -1.0, 1.0), d.uniform(&[4, 3], -1.0, 1.0)];
    cases.push(case("cat dim 0", Op::Cat { dim: 0 }, parts, &[5, 3]));
}
