//! The parity specification shared by the native and browser GPU tests: at least one case per
//! [`OpKind`], on shapes with odd sizes, size-1 dims and broadcasting, and the comparison rule
//! (max abs error < 1e-4 + 1e-4 * |reference|).

use pixelgrad::autograd::{BinaryOp, CmpOp, UnaryOp};
use pixelgrad::{Conv2dParams, Op, OpKind, Pool2dParams};

/// One op applied to concrete inputs, with the output shape the op layer would compute.
pub struct Case {
    pub name: String,
    pub op: Op,
    pub inputs: Vec<(Vec<usize>, Vec<f32>)>,
    pub out: Vec<usize>,
}

/// Deterministic test data (xorshift), so a failure names reproducible values.
pub struct Data(u64);

impl Data {
    pub fn new(seed: u64) -> Self {
        Data(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform values in `[lo, hi)` for `shape`.
    pub fn uniform(&mut self, shape: &[usize], lo: f32, hi: f32) -> (Vec<usize>, Vec<f32>) {
        let n = shape.iter().product();
        (
            shape.to_vec(),
            (0..n).map(|_| lo + (hi - lo) * self.next()).collect(),
        )
    }

    /// Integers in `0..bound` (index tensors, and values that compare equal).
    pub fn ints(&mut self, shape: &[usize], bound: usize) -> (Vec<usize>, Vec<f32>) {
        let n = shape.iter().product();
        let v = (0..n)
            .map(|_| ((self.next() * bound as f32) as usize).min(bound - 1) as f32)
            .collect();
        (shape.to_vec(), v)
    }
}

fn conv_out(size: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (size + 2 * p - d * (k - 1) - 1) / s + 1
}

fn pool_out(size: usize, k: usize, s: usize, p: usize) -> usize {
    (size + 2 * p - k) / s + 1
}

fn case(
    name: impl Into<String>,
    op: Op,
    inputs: Vec<(Vec<usize>, Vec<f32>)>,
    out: &[usize],
) -> Case {
    Case {
        name: name.into(),
        op,
        inputs,
        out: out.to_vec(),
    }
}

fn unary_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let ops = [
        UnaryOp::Neg,
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Sqrt,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Erf,
        UnaryOp::Relu,
        UnaryOp::LeakyRelu(0.1),
        UnaryOp::Sigmoid,
        UnaryOp::Tanh,
        UnaryOp::Silu,
        UnaryOp::Gelu { tanh: false },
        UnaryOp::Gelu { tanh: true },
        UnaryOp::Hardswish,
        UnaryOp::Hardsigmoid,
        UnaryOp::PowScalar(2.0),
        UnaryOp::PowScalar(0.7),
        UnaryOp::PowScalar(-1.5),
        UnaryOp::Clamp {
            min: Some(-0.5),
            max: None,
        },
        UnaryOp::Clamp {
            min: Some(-1.0),
            max: Some(0.25),
        },
    ];
    for u in ops {
        let positive = matches!(u, UnaryOp::Log | UnaryOp::Sqrt)
            || matches!(u, UnaryOp::PowScalar(p) if p.fract() != 0.0);
        let (lo, hi) = if positive { (0.1, 3.0) } else { (-4.0, 4.0) };
        for shape in [vec![2, 3, 37], vec![1]] {
            let x = d.uniform(&shape, lo, hi);
            cases.push(case(
                format!("{u:?} {shape:?}"),
                Op::Unary(u),
                vec![x],
                &shape,
            ));
        }
    }
}

fn binary_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let shapes: [(&[usize], &[usize], &[usize]); 4] = [
        (&[3, 1, 5], &[4, 1], &[3, 4, 5]),
        (&[1], &[2, 3], &[2, 3]),
        (&[7, 9], &[7, 9], &[7, 9]),
        (&[2, 1, 3, 1], &[1, 5, 1, 4], &[2, 5, 3, 4]),
    ];
    let ops = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
    ];
    for b in ops {
        for (sa, sb, so) in shapes {
            let a = if b == BinaryOp::Pow {
                d.uniform(sa, 0.2, 2.0)
            } else {
                d.uniform(sa, -3.0, 3.0)
            };
            let y = match b {
                BinaryOp::Div => d.uniform(sb, 0.5, 2.0),
                BinaryOp::Pow => d.uniform(sb, -2.0, 2.0),
                _ => d.uniform(sb, -3.0, 3.0),
            };
            cases.push(case(
                format!("{b:?} {sa:?} {sb:?}"),
                Op::Binary(b),
                vec![a, y],
                so,
            ));
        }
    }
    for c in [CmpOp::Gt, CmpOp::Ge, CmpOp::Eq] {
        for (sa, sb, so) in shapes {
            let (a, b) = (d.ints(sa, 3), d.ints(sb, 3));
            cases.push(case(
                format!("{c:?} {sa:?} {sb:?}"),
                Op::Compare(c),
                vec![a, b],
                so,
            ));
        }
    }
    let s = [5, 7];
    let cond = d.ints(&s, 2);
    let (a, b) = (d.uniform(&s, -1.0, 1.0), d.uniform(&s, -1.0, 1.0));
    cases.push(case("where [5, 7]", Op::Where, vec![cond, a, b], &s));
}

fn reduce_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let shapes: [(&[usize], &[usize], &[usize]); 6] = [
        (&[3, 4, 5], &[0, 2], &[4]),
        (&[3, 4, 5], &[1], &[3, 5]),
        (&[2, 1000], &[1], &[2]),
        (&[7, 300], &[0, 1], &[]),
        (&[1, 1], &[0], &[1]),
        (&[64, 33], &[0], &[33]),
    ];
    for (shape, axes, out) in shapes {
        let x = d.uniform(shape, -2.0, 2.0);
        let sum = Op::Sum {
            axes: axes.to_vec(),
            keepdim: false,
        };
        cases.push(case(
            format!("sum {shape:?} over {axes:?}"),
            sum,
            vec![x.clone()],
            out,
        ));
        let max = Op::Max {
            axes: axes.to_vec(),
            keepdim: false,
        };
        cases.push(case(
            format!("amax {shape:?} over {axes:?}"),
            max,
            vec![x],
            out,
        ));
    }
    for (shape, dim) in [(vec![3, 5, 7], 1), (vec![4, 10], 1), (vec![6, 1], 0)] {
        let x = d.uniform(&shape, -5.0, 5.0);
        cases.push(case(
            format!("softmax {shape:?} dim {dim}"),
            Op::Softmax { dim },
            vec![x.clone()],
            &shape,
        ));
        cases.push(case(
            format!("log_softmax {shape:?} dim {dim}"),
            Op::LogSoftmax { dim },
            vec![x],
            &shape,
        ));
    }
}

fn matmul_cases(d: &mut Data, cases: &mut Vec<Case>) {
    for (b, m, k, n) in [
        (2, 17, 33, 9),
        (1, 1, 1, 1),
        (3, 65, 20, 70),
        (1, 5, 2000, 3),
    ] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = d.uniform(&if ta { [b, k, m] } else { [b, m, k] }, -1.0, 1.0);
            let bb = d.uniform(&if tb { [b, n, k] } else { [b, k, n] }, -1.0, 1.0);
            let op = Op::Matmul {
                transpose_a: ta,
                transpose_b: tb,
            };
            cases.push(case(
                format!("matmul b{b} {m}x{k}x{n} t({ta},{tb})"),
                op,
                vec![a, bb],
                &[b, m, n],
            ));
        }
    }
}

fn conv_cases(d: &mut Data, cases: &mut Vec<Case>) {
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

fn pool_cases(d: &mut Data, cases: &mut Vec<Case>) {
    let geoms = [
        (
            [2, 3, 9, 7],
            Pool2dParams {
                kernel: [3, 3],
                stride: [2, 2],
                padding: [1, 1],
                count_include_pad: true,
            },
        ),
        (
            [2, 3, 9, 7],
            Pool2dParams {
                kernel: [3, 2],
                stride: [2, 1],
                padding: [1, 1],
                count_include_pad: false,
            },
        ),
        ([1, 1, 5, 5], Pool2dParams::square(2)),
    ];
    for (xs, p) in geoms {
        let ys = [
            xs[0],
            xs[1],
            pool_out(xs[2], p.kernel[0], p.stride[0], p.padding[0]),
            pool_out(xs[3], p.kernel[1], p.stride[1], p.padding[1]),
        ];
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

fn index_cases(d: &mut Data, cases: &mut Vec<Case>) {
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

/// Every case; panics if some [`OpKind`] has none (a new op must come with a GPU parity case).
pub fn all_cases() -> Vec<Case> {
    let mut d = Data::new(7);
    let mut cases = Vec::new();
    unary_cases(&mut d, &mut cases);
    binary_cases(&mut d, &mut cases);
    reduce_cases(&mut d, &mut cases);
    matmul_cases(&mut d, &mut cases);
    conv_cases(&mut d, &mut cases);
    pool_cases(&mut d, &mut cases);
    index_cases(&mut d, &mut cases);
    let missing: Vec<&OpKind> = OpKind::ALL
        .iter()
        .filter(|k| !cases.iter().any(|c| c.op.kind() == **k))
        .collect();
    assert!(missing.is_empty(), "no GPU parity case for {missing:?}");
    cases
}

/// Compares a GPU result with the CPU reference; the error names the case, shape and the
/// worst element.
pub fn compare(c: &Case, want: &[f32], got: &[f32]) -> Result<(), String> {
    if want.len() != got.len() {
        return Err(format!(
            "{}: {} values on the GPU, {} on the CPU",
            c.name,
            got.len(),
            want.len()
        ));
    }
    let mut worst: Option<(usize, f32)> = None;
    for (i, (&w, &g)) in want.iter().zip(got).enumerate() {
        let err = (w - g).abs();
        let excess = err - (1e-4 + 1e-4 * w.abs());
        // NaN errors count as failures unless both sides are NaN; equal infinities pass.
        let within = excess <= 0.0 || (w.is_nan() && g.is_nan()) || w == g;
        let bad = !within;
        if bad && worst.is_none_or(|(_, e)| excess > e) {
            worst = Some((i, excess));
        }
    }
    match worst {
        None => Ok(()),
        Some((i, _)) => Err(format!(
            "{}: output {:?}, worst element {i}: cpu {} gpu {}",
            c.name, c.out, want[i], got[i]
        )),
    }
}
