//! Checkpoints round-trip through safetensors and int8 quantization, and the summary adds up.

use pixelgrad::io::{dequantize_model, load_model, quantize_model, save_model};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::{count_parameters, freeze, macs_per_sample, state_dict, summary, Ctx, Module};
use pixelgrad::{no_grad, Rng, Tensor};

fn outputs(m: &dyn Module, x: &Tensor) -> Vec<f32> {
    no_grad(|| m.forward(x, &mut Ctx::eval()))
        .expect("forward")
        .to_vec_f32()
        .expect("read")
}

#[test]
fn safetensors_round_trip_reproduces_outputs() {
    let spec = ModelSpec::preset("lenet5_bn").expect("preset");
    let a = spec.build(InputSpec::GREY28, 10, 1).expect("builds");
    let b = spec.build(InputSpec::GREY28, 10, 2).expect("builds");
    let x = Tensor::randn([3, 1, 28, 28], &mut Rng::new(9));
    // Move a's BN running statistics away from their init so buffers are exercised too.
    a.forward(&x, &mut Ctx::train(Rng::new(0)))
        .expect("train forward");
    assert_ne!(outputs(&a, &x), outputs(&b, &x));
    let bytes = save_model(&a, None).expect("save");
    let report = load_model(&b, &bytes, true).expect("load");
    assert_eq!(report.loaded, state_dict(&a).len());
    assert_eq!(outputs(&a, &x), outputs(&b, &x));
    // A different architecture refuses the checkpoint by shape or name.
    let other = ModelSpec::preset("mlp")
        .expect("preset")
        .build(InputSpec::GREY28, 10, 0)
        .expect("builds");
    assert!(load_model(&other, &bytes, true).is_err());
}

#[test]
fn int8_weights_stay_close() {
    let spec = ModelSpec::preset("resnet18_small").expect("preset");
    let a = spec.build(InputSpec::RGB32, 5, 1).expect("builds");
    let b = spec.build(InputSpec::RGB32, 5, 2).expect("builds");
    let q = quantize_model(&a).expect("quantize");
    let int8: usize = q.weights.iter().map(|w| w.values.len()).sum();
    assert!(
        int8 as f64 > 0.95 * count_parameters(&a) as f64,
        "most parameters are weights"
    );
    dequantize_model(&b, &q).expect("load");
    let x = Tensor::randn([2, 3, 32, 32], &mut Rng::new(3));
    let (ya, yb) = (outputs(&a, &x), outputs(&b, &x));
    let scale = ya.iter().fold(0f32, |m, v| m.max(v.abs()));
    let worst = ya
        .iter()
        .zip(&yb)
        .fold(0f32, |m, (p, q)| m.max((p - q).abs()));
    assert!(worst < 0.05 * scale, "worst {worst} of {scale}");
}

#[test]
fn summary_adds_up_and_freezing_shows() {
    let model = ModelSpec::preset("lenet5")
        .expect("preset")
        .build(InputSpec::GREY28, 10, 0)
        .expect("builds");
    let rows = summary(&model, &[1, 28, 28]).expect("summary");
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["conv1", "conv2", "fc1", "fc2", "fc3"]);
    assert_eq!(rows[0].output_shape, vec![1, 6, 28, 28]);
    assert_eq!(
        rows.iter().map(|r| r.parameters).sum::<usize>(),
        count_parameters(&model)
    );
    let macs: u64 = macs_per_sample(&model, &[1, 28, 28])
        .expect("macs")
        .iter()
        .map(|(_, m)| m)
        .sum();
    // conv1 28·28·6·25 + conv2 10·10·16·150 + fc 400·120 + 120·84 + 84·10
    assert_eq!(macs, 117_600 + 240_000 + 48_000 + 10_080 + 840);
    assert_eq!(rows.iter().map(|r| r.macs).sum::<u64>(), macs);
    freeze(&model, "conv").expect("matches");
    assert_eq!(
        pixelgrad::nn::count_trainable(&model),
        count_parameters(&model) - (156 + 2416)
    );
}
