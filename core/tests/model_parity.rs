//! A model built from a ModelSpec computes what PyTorch computes: LeNet-5 with the weights,
//! input and target of the core's `lenet` fixture gives torch's loss and gradients.

use std::collections::BTreeMap;

use pixelgrad::io::read_safetensors;
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::{load_state_dict, parameters, Ctx, Module};
use pixelgrad::{CrossEntropyOptions, Rng, Tensor};

fn assert_close(got: &Tensor, want: &Tensor, tol: f32, what: &str) {
    assert_eq!(got.dims(), want.dims(), "{what}");
    let (g, w) = (
        got.to_vec_f32().expect("read"),
        want.to_vec_f32().expect("read"),
    );
    let worst = g
        .iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < tol, "{what}: worst difference {worst}");
}

#[test]
fn lenet_matches_the_pytorch_fixture() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/lenet.safetensors"
    );
    let f = read_safetensors(&std::fs::read(path).expect("fixture present")).expect("parses");
    let model = ModelSpec::preset("lenet5")
        .expect("preset")
        .build(InputSpec::GREY28, 10, 0)
        .expect("builds");
    let weights: BTreeMap<String, Tensor> = f
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("input.")
                .filter(|n| *n != "x" && *n != "target")
                .map(|n| (n.to_string(), v.clone()))
        })
        .collect();
    assert_eq!(
        load_state_dict(&model, &weights, true)
            .expect("loads")
            .loaded,
        10
    );
    // The target is stored as I64, which the reader skips; rebuild it from the raw file.
    let bytes = std::fs::read(path).expect("fixture present");
    let st = safetensors::SafeTensors::deserialize(&bytes).expect("parses");
    let t = st.tensor("input.target").expect("target");
    let target: Vec<f32> = t
        .data()
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")) as f32)
        .collect();
    let target = Tensor::from_vec(target, [4]).expect("valid");
    let x = f["input.x"].clone();
    let mut ctx = Ctx::train(Rng::new(0));
    let loss = model
        .forward(&x, &mut ctx)
        .expect("forward")
        .cross_entropy(&target, &CrossEntropyOptions::default())
        .expect("loss");
    assert_close(&loss, &f["output"], 1e-5, "loss");
    loss.backward().expect("backward");
    for p in parameters(&model) {
        assert_close(
            &p.tensor.grad().expect("grad"),
            &f[&format!("grad.{}", p.name)],
            1e-5,
            &p.name,
        );
    }
}
