//! The parity specification shared by the native and browser GPU tests: at least one case per
//! [`OpKind`], on shapes with odd sizes, size-1 dims and broadcasting, and the comparison rule
//! (max abs error < 1e-4 + 1e-4 * |reference|).

use std::sync::Arc;

use super::spatial_cases;
use pixelgrad::autograd::{BinaryOp, CmpOp, UnaryOp};
use pixelgrad::device::{self, CpuStorage, Storage};
use pixelgrad::{Device, Op, OpKind, Shape};

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

pub fn conv_out(size: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (size + 2 * p - d * (k - 1) - 1) / s + 1
}

pub fn pool_out(size: usize, k: usize, s: usize, p: usize) -> usize {
    (size + 2 * p - k) / s + 1
}

pub fn case(
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

/// Every case; panics if some [`OpKind`] has none (a new op must come with a GPU parity case).
pub fn all_cases() -> Vec<Case> {
    let mut d = Data::new(7);
    let mut cases = Vec::new();
    unary_cases(&mut d, &mut cases);
    binary_cases(&mut d, &mut cases);
    reduce_cases(&mut d, &mut cases);
    matmul_cases(&mut d, &mut cases);
    spatial_cases::conv_cases(&mut d, &mut cases);
    spatial_cases::pool_cases(&mut d, &mut cases);
    spatial_cases::index_cases(&mut d, &mut cases);
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

/// Runs a case's op on one device from host copies of its inputs: the same entry point the
/// tensor layer uses, so CPU and GPU results are compared through the real dispatch.
pub fn run_on(c: &Case, device: Device) -> Result<Storage, String> {
    let inputs: Vec<Storage> = c
        .inputs
        .iter()
        .map(|(_, v)| Storage::Cpu(Arc::new(CpuStorage::F32(v.clone()))).to_device(device))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: upload: {e}", c.name))?;
    let shapes: Vec<Shape> = c
        .inputs
        .iter()
        .map(|(s, _)| Shape::new(s.clone()))
        .collect();
    let args: Vec<(&Storage, &Shape)> = inputs.iter().zip(&shapes).collect();
    device::run(&c.op, &args, &Shape::new(c.out.clone()))
        .map_err(|e| format!("{} on {device}: {e}", c.name))
}
