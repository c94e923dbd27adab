//! The autograd surface: accumulation into leaves, zero_grad, no_grad, detach, set_data,
//! shared subexpressions, and the documented forward values of a few ops.

use pixelgrad::{no_grad, Tensor};

fn v(t: &Tensor) -> Vec<f32> {
    t.to_vec_f32().expect("cpu")
}

#[test]
fn backward_accumulates_and_zero_grad_clears() {
    let w = Tensor::from_vec(vec![1.0f32, -2.0, 3.0], [3])
        .unwrap()
        .requires_grad_()
        .unwrap();
    let loss = w.square().unwrap().sum_all().unwrap();
    loss.backward().unwrap();
    assert_eq!(v(&w.grad().unwrap()), vec![2.0, -4.0, 6.0]);
    loss.backward().unwrap();
    assert_eq!(v(&w.grad().unwrap()), vec![4.0, -8.0, 12.0]);
    w.zero_grad();
    assert!(w.grad().is_none());
}

#[test]
fn shared_subexpressions_sum_their_gradients() {
    let x = Tensor::from_vec(vec![2.0f32], [1])
        .unwrap()
        .requires_grad_()
        .unwrap();
    let y = x.mul(&x).unwrap();
    let z = y.add(&y.mul(&x).unwrap()).unwrap().sum_all().unwrap(); // x^2 + x^3
    z.backward().unwrap();
    assert_eq!(v(&x.grad().unwrap()), vec![2.0 * 2.0 + 3.0 * 4.0]);
}

#[test]
fn no_grad_and_detach_cut_the_graph() {
    let w = Tensor::ones([2]).requires_grad_().unwrap();
    let y = no_grad(|| w.mul_scalar(3.0)).unwrap();
    assert!(!y.requires_grad() && y.is_leaf());
    assert!(pixelgrad::autograd::is_grad_enabled());
    let d = w.mul_scalar(3.0).unwrap().detach();
    assert!(!d.requires_grad());
    let out = w.mul(&d).unwrap().sum_all().unwrap();
    out.backward().unwrap();
    assert_eq!(v(&w.grad().unwrap()), vec![3.0, 3.0]);
}

#[test]
fn set_data_updates_a_parameter_in_place() {
    let w = Tensor::ones([2]).requires_grad_().unwrap();
    let before = w.mul_scalar(1.0).unwrap();
    no_grad(|| w.set_data(&w.sub_scalar(0.5).unwrap())).unwrap();
    assert_eq!(v(&w), vec![0.5, 0.5]);
    assert_eq!(
        v(&before),
        vec![1.0, 1.0],
        "earlier results keep their values"
    );
    assert!(w.requires_grad());
}

#[test]
fn grad_returns_zeros_for_unused_inputs_and_leaves_slots_alone() {
    let a = Tensor::ones([2]).requires_grad_().unwrap();
    let b = Tensor::ones([3]).requires_grad_().unwrap();
    let y = a.mul_scalar(2.0).unwrap().sum_all().unwrap();
    let g = pixelgrad::grad(&[y], &[a.clone(), b.clone()], false).unwrap();
    assert_eq!(v(&g[0]), vec![2.0, 2.0]);
    assert_eq!(v(&g[1]), vec![0.0, 0.0, 0.0]);
    assert!(a.grad().is_none());
}

#[test]
fn display_reads_like_pytorch() {
    let t = Tensor::from_vec(vec![1.0f32, 2.5, -3.0, 4.0], [2, 2]).unwrap();
    assert_eq!(
        t.to_string(),
        "tensor([[1.0000, 2.5000],\n        [-3.0000, 4.0000]])"
    );
    assert_eq!(Tensor::scalar(0.5).to_string(), "tensor(0.5000)");
}

#[test]
fn dropout_is_seeded_and_scaled() {
    let x = Tensor::ones([1000]);
    let a = x.dropout(0.25, true, &mut pixelgrad::Rng::new(3)).unwrap();
    let b = x.dropout(0.25, true, &mut pixelgrad::Rng::new(3)).unwrap();
    assert_eq!(v(&a), v(&b));
    let kept = v(&a).iter().filter(|&&e| e != 0.0).count();
    assert!((700..800).contains(&kept), "{kept}");
    assert!(v(&a)
        .iter()
        .all(|&e| e == 0.0 || (e - 1.0 / 0.75).abs() < 1e-6));
    assert_eq!(
        v(&x.dropout(0.25, false, &mut pixelgrad::Rng::new(3)).unwrap()),
        v(&x)
    );
}

#[test]
fn creation_and_init_follow_torch_formulas() {
    assert_eq!(
        v(&Tensor::arange(0.0, 5.0, 2.0).unwrap()),
        vec![0.0, 2.0, 4.0]
    );
    let mut rng = pixelgrad::Rng::new(1);
    let w = Tensor::kaiming_uniform(
        [64, 32, 3, 3],
        pixelgrad::FanMode::FanIn,
        pixelgrad::Nonlinearity::Relu,
        &mut rng,
    )
    .unwrap();
    let bound = (2.0f32).sqrt() * (3.0f32 / (32.0 * 9.0)).sqrt();
    let vals = v(&w);
    assert!(vals.iter().all(|&x| x.abs() <= bound));
    assert!(vals.iter().any(|&x| x.abs() > 0.9 * bound));
    let x = Tensor::xavier_normal([200, 300], 1.0, &mut rng).unwrap();
    let std = (v(&x).iter().map(|e| e * e).sum::<f32>() / 60000.0).sqrt();
    assert!((std - (2.0f32 / 500.0).sqrt()).abs() < 0.003, "{std}");
}
