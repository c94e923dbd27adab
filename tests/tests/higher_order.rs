//! Second-order gradients: gradcheck of functions that themselves call `grad(.., create_graph)`,
//! for mul, exp, matmul, conv2d and a gradient-penalty term of a small model.

use pixelgrad::{grad, gradcheck, Conv2dParams, Result, Rng, Tensor};

const TOL: f64 = 1e-6;

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(shape.to_vec(), &mut Rng::new(seed))
}

/// d(sum f(x..))/d x[0] with create_graph, as a differentiable function of all inputs.
fn first_grad(f: impl Fn(&[Tensor]) -> Result<Tensor>) -> impl Fn(&[Tensor]) -> Result<Tensor> {
    move |x: &[Tensor]| {
        let y = f(x)?.sum_all()?;
        Ok(grad(&[y], &x[..1], true)?.remove(0))
    }
}

fn check(name: &str, f: impl Fn(&[Tensor]) -> Result<Tensor>, inputs: &[Tensor]) {
    let r = gradcheck(f, inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        r.passes(TOL),
        "{name}: second-order error {:.3e} at {:?}",
        r.max_error,
        r.worst
    );
}

#[test]
fn second_order_mul() {
    check(
        "mul",
        first_grad(|x| x[0].mul(&x[0])?.mul(&x[1])),
        &[randn(&[3, 4], 1), randn(&[4], 2)],
    );
}

#[test]
fn second_order_exp() {
    check("exp", first_grad(|x| x[0].exp()), &[randn(&[2, 3], 3)]);
}

#[test]
fn second_order_matmul() {
    check(
        "matmul",
        first_grad(|x| x[0].matmul(&x[1])?.square()),
        &[randn(&[3, 4], 4), randn(&[4, 2], 5)],
    );
}

#[test]
fn second_order_conv2d() {
    let p = Conv2dParams {
        stride: [2, 1],
        padding: [1, 0],
        dilation: [1, 1],
        groups: 1,
    };
    check(
        "conv2d",
        first_grad(move |x| x[0].conv2d(&x[1], None, p)?.tanh()),
        &[randn(&[2, 2, 5, 4], 6), randn(&[3, 2, 3, 2], 7)],
    );
}

#[test]
fn second_order_through_pooling_and_softmax() {
    check(
        "max_pool2d+log_softmax",
        first_grad(|x| {
            let h = x[0]
                .conv2d(&x[1], None, Conv2dParams::default())?
                .max_pool2d(pixelgrad::Pool2dParams::square(2))?;
            h.flatten(1, -1)?.log_softmax(1)?.mul(&h.flatten(1, -1)?)
        }),
        &[randn(&[2, 1, 5, 5], 8), randn(&[2, 1, 2, 2], 9)],
    );
}

/// WGAN-GP style penalty: `sum_i ||d f(x_i) / d x_i||^2` for a two-layer tanh MLP, checked
/// w.r.t. the weights (the penalty's gradient needs second derivatives of the model).
#[test]
fn gradient_penalty_of_a_small_model() {
    let penalty = |p: &[Tensor]| -> Result<Tensor> {
        let (x, w1, w2) = (&p[0], &p[1], &p[2]);
        let out = x.matmul(w1)?.tanh()?.matmul(w2)?.sum_all()?;
        let gx = grad(&[out], std::slice::from_ref(x), true)?.remove(0);
        gx.square()?.sum(&[1], false)
    };
    check(
        "gradient_penalty",
        penalty,
        &[randn(&[4, 3], 10), randn(&[3, 5], 11), randn(&[5, 1], 12)],
    );
}
