//! Inputs for the gradcheck cases: seeded tensors kept away from the points where an op is not
//! differentiable (central differences across a kink would be wrong), and the case record.

use pixelgrad::{Conv2dParams, Pool2dParams, Result, Rng, Tensor};

pub(crate) type F = Box<dyn Fn(&[Tensor]) -> Result<Tensor>>;

pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) inputs: Vec<Tensor>,
    pub(crate) f: F,
}

pub(crate) fn case(
    name: &str,
    inputs: Vec<Tensor>,
    f: impl Fn(&[Tensor]) -> Result<Tensor> + 'static,
) -> Case {
    Case {
        name: name.to_string(),
        inputs,
        f: Box::new(f),
    }
}

/// Standard normal values, seeded by a per-call counter so every input differs.
pub(crate) fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(shape.to_vec(), &mut Rng::new(seed))
}

/// Uniform values in `[lo, hi)`.
pub(crate) fn uniform(shape: &[usize], lo: f32, hi: f32, seed: u64) -> Tensor {
    Tensor::uniform(shape.to_vec(), lo, hi, &mut Rng::new(seed))
}

/// Normal values pushed at least 0.1 away from each of `kinks` (non-differentiable points).
pub(crate) fn away(shape: &[usize], scale: f32, kinks: &[f64], seed: u64) -> Tensor {
    let v: Vec<f64> = randn(shape, seed)
        .to_vec::<f64>()
        .expect("cpu")
        .into_iter()
        .map(|x| {
            let mut x = x * f64::from(scale);
            for &k in kinks {
                if (x - k).abs() < 0.1 {
                    x = k + if x >= k { 0.1 } else { -0.1 } + (x - k);
                }
            }
            x
        })
        .collect();
    Tensor::from_vec(v, shape.to_vec()).expect("sized")
}

/// Integer-valued index tensor.
pub(crate) fn index(values: &[usize], shape: &[usize]) -> Tensor {
    Tensor::from_vec(
        values.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        shape.to_vec(),
    )
    .expect("sized")
}

/// vector-Jacobian product with `create_graph`: records the backward ops as graph nodes.
pub(crate) fn vjp(y: &Tensor, x: &Tensor, v: &Tensor) -> Result<Tensor> {
    let loss = y.mul(v)?.sum_all()?;
    Ok(pixelgrad::grad(&[loss], std::slice::from_ref(x), true)?.remove(0))
}

pub(crate) fn unary_cases(
    name: &str,
    f: fn(&Tensor) -> Result<Tensor>,
    domain: fn(&[usize], u64) -> Tensor,
) -> Vec<Case> {
    vec![
        case(&format!("{name}_odd"), vec![domain(&[3, 5], 1)], move |x| {
            f(&x[0])
        }),
        case(
            &format!("{name}_size1"),
            vec![domain(&[1, 1], 2)],
            move |x| f(&x[0]),
        ),
    ]
}

pub(crate) fn any(s: &[usize], seed: u64) -> Tensor {
    randn(s, seed)
}
pub(crate) fn positive(s: &[usize], seed: u64) -> Tensor {
    uniform(s, 0.3, 2.0, seed)
}
pub(crate) fn nonzero(s: &[usize], seed: u64) -> Tensor {
    away(s, 1.0, &[0.0], seed)
}
pub(crate) fn hard(s: &[usize], seed: u64) -> Tensor {
    away(s, 3.0, &[-3.0, 3.0], seed)
}

pub(crate) fn conv_params() -> Conv2dParams {
    Conv2dParams {
        stride: [2, 1],
        padding: [1, 1],
        dilation: [1, 2],
        groups: 2,
    }
}

pub(crate) fn pool_params() -> Pool2dParams {
    Pool2dParams {
        kernel: [3, 2],
        stride: [2, 1],
        padding: [1, 1],
        count_include_pad: false,
        ..Pool2dParams::square(1)
    }
}

/// Max pooling with dilation and ceil_mode: on a `[_, _, 6, 7]` input the output is 3 x 4 (the
/// rounded-up last column would start in the right padding and is dropped).
pub(crate) fn pool_ceil_dilated() -> Pool2dParams {
    Pool2dParams {
        kernel: [3, 2],
        stride: [2, 2],
        padding: [1, 1],
        dilation: [2, 1],
        ceil_mode: true,
        ..Pool2dParams::square(1)
    }
}

/// Average pooling with ceil_mode (windows clipped at the padded edge): `[_, _, 6, 8]` -> 4 x 5.
pub(crate) fn avg_ceil(count_include_pad: bool, divisor_override: Option<usize>) -> Pool2dParams {
    Pool2dParams {
        kernel: [3, 3],
        stride: [2, 2],
        padding: [1, 1],
        count_include_pad,
        ceil_mode: true,
        divisor_override,
        ..Pool2dParams::square(1)
    }
}
