//! Layer tests: PyTorch parity on the core's composite fixtures, init bounds, modes, names,
//! freezing and loading.

use std::collections::BTreeMap;

use super::*;
use crate::io::read_safetensors;
use crate::rng::Rng;
use crate::tensor::Tensor;

fn fixture(name: &str) -> BTreeMap<String, Tensor> {
    let path = format!(
        "{}/../tests/fixtures/{name}.safetensors",
        env!("CARGO_MANIFEST_DIR")
    );
    read_safetensors(&std::fs::read(&path).expect("fixture present")).expect("fixture parses")
}

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

/// The core's `attention_block` fixture (pre-LN self-attention with a residual, torch) run
/// through LayerNorm + MultiheadAttention with q/k/v packed into `in_proj_weight`.
#[test]
fn attention_matches_pytorch() {
    let f = fixture("attention_block");
    let mut rng = Rng::new(0);
    let mha = MultiheadAttention::new(8, 2, &mut rng).expect("valid");
    let ln = LayerNorm::new(8, 1e-5);
    let cat = |s: &str| {
        Tensor::cat(
            &[
                f[&format!("input.q.{s}")].clone(),
                f[&format!("input.k.{s}")].clone(),
                f[&format!("input.v.{s}")].clone(),
            ],
            0,
        )
        .expect("cat")
    };
    mha.in_proj_weight.set_data(&cat("weight")).expect("shape");
    mha.in_proj_bias.set_data(&cat("bias")).expect("shape");
    mha.out_proj
        .weight
        .set_data(&f["input.out.weight"])
        .expect("shape");
    mha.out_proj
        .bias
        .as_ref()
        .expect("bias")
        .set_data(&f["input.out.bias"])
        .expect("shape");
    ln.weight.set_data(&f["input.ln.weight"]).expect("shape");
    ln.bias.set_data(&f["input.ln.bias"]).expect("shape");
    let x = f["input.x"].clone().requires_grad_().expect("leaf");
    let mut ctx = Ctx::eval();
    let y = x
        .add(
            &mha.forward(&ln.forward(&x, &mut ctx).expect("ln"), &mut ctx)
                .expect("mha"),
        )
        .expect("add");
    assert_close(&y, &f["output"], 1e-5, "output");
    y.mul(&f["grad_output"])
        .and_then(|t| t.sum_all())
        .expect("loss")
        .backward()
        .expect("backward");
    assert_close(&x.grad().expect("grad"), &f["grad.x"], 1e-5, "grad x");
    assert_close(
        &mha.out_proj.weight.grad().expect("grad"),
        &f["grad.out.weight"],
        1e-4,
        "grad out",
    );
}

#[test]
fn linear_init_and_shapes() {
    let mut rng = Rng::new(1);
    let l = Linear::new(100, 7, true, &mut rng).expect("valid");
    let bound = 0.1 + 1e-6;
    assert!(l
        .weight
        .to_vec_f32()
        .expect("read")
        .iter()
        .all(|v| v.abs() <= bound));
    assert!(l
        .bias
        .as_ref()
        .expect("bias")
        .to_vec_f32()
        .expect("read")
        .iter()
        .all(|v| v.abs() <= bound));
    let y = l
        .forward(&Tensor::ones([4, 3, 100]), &mut Ctx::eval())
        .expect("forward");
    assert_eq!(y.dims(), &[4, 3, 7]);
    assert!(l.forward(&Tensor::ones([4, 99]), &mut Ctx::eval()).is_err());
    let names: Vec<String> = state_dict(&l).into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["weight", "bias"]);
}

#[test]
fn batch_norm_modes_and_sequential_names() {
    let mut rng = Rng::new(2);
    let net = Sequential::new()
        .push(Conv2d::same(3, 4, 3, 1, 1, &mut rng).expect("valid"))
        .push(BatchNorm2d::new(4))
        .push(Activation::Relu)
        .push(Flatten)
        .push(Linear::new(4 * 5 * 5, 2, true, &mut rng).expect("valid"));
    let names: Vec<String> = state_dict(&net).into_iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "0.weight",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "4.weight",
            "4.bias"
        ]
    );
    assert_eq!(count_parameters(&net), 4 * 27 + 8 + 100 * 2 + 2);
    let x = Tensor::randn([2, 3, 5, 5], &mut rng)
        .add_scalar(3.0)
        .expect("shift");
    net.forward(&x, &mut Ctx::train(Rng::new(0)))
        .expect("train forward");
    let rm = state_dict(&net)[3].tensor.to_vec_f32().expect("read");
    assert!(
        rm.iter().any(|v| v.abs() > 1e-3),
        "running mean updated: {rm:?}"
    );
    let eval1 = net.forward(&x, &mut Ctx::eval()).expect("eval");
    let eval2 = net.forward(&x, &mut Ctx::eval()).expect("eval");
    assert_eq!(
        eval1.to_vec_f32().expect("read"),
        eval2.to_vec_f32().expect("read")
    );
    let mut ctx = Ctx::eval().recording();
    net.forward(&x, &mut ctx).expect("eval");
    let recs: Vec<String> = ctx.take_records().into_iter().map(|r| r.name).collect();
    assert_eq!(recs, ["0", "1", "2", "3", "4"]);
    let mut only = Ctx::eval().recording_only("3");
    net.forward(&x, &mut only).expect("eval");
    let recs = only.take_records();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].tensor.dims(), &[2, 100]);
    let macs = macs_per_sample(&net, &[3, 5, 5]).expect("count");
    assert_eq!(macs[0], ("0".to_string(), 25 * 4 * 27));

    // Frozen, the batch norm uses and keeps its running statistics even in training mode.
    freeze(&net, "1.").expect("matches");
    let stats = |net: &Sequential| -> Vec<Vec<f32>> {
        state_dict(net)[3..5]
            .iter()
            .map(|t| t.tensor.to_vec_f32().expect("read"))
            .collect()
    };
    let before = stats(&net);
    let bn_only = |ctx: &mut Ctx| {
        net.children()
            .take(2)
            .try_fold(x.clone(), |y, (_, m)| m.forward(&y, ctx))
            .expect("forward")
            .to_vec_f32()
            .expect("read")
    };
    let train = bn_only(&mut Ctx::train(Rng::new(0)));
    assert_eq!(train, bn_only(&mut Ctx::eval()));
    assert_eq!(stats(&net), before);
    unfreeze(&net, "1.").expect("matches");
    assert_ne!(bn_only(&mut Ctx::train(Rng::new(0))), train);
    assert_ne!(stats(&net), before);
}

#[test]
fn freeze_and_load() {
    let mut rng = Rng::new(3);
    let net = Sequential::new()
        .push_named(
            "features",
            Linear::new(3, 3, true, &mut rng).expect("valid"),
        )
        .push_named("head", Linear::new(3, 2, true, &mut rng).expect("valid"));
    assert_eq!(freeze(&net, "features.").expect("matches"), 2);
    assert_eq!(count_trainable(&net), 8);
    assert!(freeze(&net, "nope").is_err());
    unfreeze(&net, "").expect("matches");
    assert_eq!(count_trainable(&net), 20);
    let mut src = BTreeMap::new();
    src.insert(
        "head.bias".to_string(),
        Tensor::from_vec(vec![7.0f32, 8.0], [2]).expect("valid"),
    );
    src.insert("extra".to_string(), Tensor::zeros([1]));
    assert!(load_state_dict(&net, &src, true).is_err());
    let r = load_state_dict(&net, &src, false).expect("non-strict");
    assert_eq!((r.loaded, r.unexpected.len(), r.missing.len()), (1, 1, 3));
    assert_eq!(
        state_dict(&net)[3].tensor.to_vec_f32().expect("read"),
        vec![7.0, 8.0]
    );
    src.insert("head.bias".to_string(), Tensor::zeros([3]));
    assert!(load_state_dict(&net, &src, false).is_err());
}

#[test]
fn dropout_and_stochastic_depth_only_in_training() {
    let x = Tensor::ones([64, 4]);
    let sd = StochasticDepth { p: 0.5 };
    assert_eq!(
        sd.forward(&x, &mut Ctx::eval())
            .expect("eval")
            .to_vec_f32()
            .expect("read"),
        vec![1.0; 256]
    );
    let y = sd
        .forward(&x, &mut Ctx::train(Rng::new(4)))
        .expect("train")
        .to_vec_f32()
        .expect("read");
    let dropped_rows = y.chunks(4).filter(|r| r.iter().all(|&v| v == 0.0)).count();
    assert!(y
        .chunks(4)
        .all(|r| r.iter().all(|&v| v == r[0]) && (r[0] == 0.0 || r[0] == 2.0)));
    assert!((16..48).contains(&dropped_rows), "{dropped_rows}");
    let d = Dropout { p: 0.5 }
        .forward(&x, &mut Ctx::train(Rng::new(5)))
        .expect("train");
    assert!(d.to_vec_f32().expect("read").contains(&0.0));
}
