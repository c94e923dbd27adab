//! Loss semantics beyond the fixtures: probability targets agree with class-index targets
//! (torch defines both, label smoothing included), and 1-D inputs take scalar targets.

use pixelgrad::{CrossEntropyOptions, Reduction, Rng, Tensor};

fn close(a: &Tensor, b: &Tensor) -> bool {
    let (a, b) = (a.to_vec_f32().expect("cpu"), b.to_vec_f32().expect("cpu"));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5)
}

#[test]
fn probability_targets_match_index_targets() {
    let logits = Tensor::randn([5, 4], &mut Rng::new(3));
    let idx = Tensor::from_vec(vec![3.0f32, 0.0, 1.0, 1.0, 2.0], [5]).expect("sized");
    let probs = idx.one_hot(Some(4)).expect("one_hot");
    for smoothing in [0.0, 0.2] {
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
            let opts = CrossEntropyOptions {
                label_smoothing: smoothing,
                reduction,
                ..CrossEntropyOptions::default()
            };
            let a = logits.cross_entropy(&idx, &opts).expect("index targets");
            let b = logits
                .cross_entropy(&probs, &opts)
                .expect("probability targets");
            assert!(
                close(&a, &b),
                "smoothing {smoothing}, {reduction:?}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn unbatched_input_takes_a_scalar_target() {
    let logits = Tensor::from_vec(vec![1.0f32, 2.0, 0.5], [3]).expect("sized");
    let target = Tensor::from_vec(vec![1.0f32], Vec::<usize>::new()).expect("scalar");
    let loss = logits
        .cross_entropy(&target, &CrossEntropyOptions::default())
        .expect("ce");
    let lse = (1f32.exp() + 2f32.exp() + 0.5f32.exp()).ln();
    assert!((loss.item().expect("scalar") as f32 - (lse - 2.0)).abs() < 1e-6);
}

#[test]
fn all_ignored_mean_is_nan_like_torch() {
    let logits = Tensor::randn([2, 3], &mut Rng::new(4));
    let target = Tensor::from_vec(vec![-100.0f32, -100.0], [2]).expect("sized");
    let loss = logits
        .cross_entropy(&target, &CrossEntropyOptions::default())
        .expect("ce");
    assert!(loss.item().expect("scalar").is_nan());
}
