//! Every case of the PyTorch golden fixtures, forward and backward: outputs must match within
//! `1e-5 + 1e-4 |ref|`, and the gradient of `sum(output * grad_output)` w.r.t. each float
//! input must match `grad.<name>`. An op in the manifest that this file does not map fails.

use std::collections::{BTreeMap, HashMap};

use pixelgrad::{
    Conv2dParams, CrossEntropyOptions, GeluApproximate, Pool2dParams, Reduction,
    Result as PgResult, Tensor,
};
use pixelgrad_tests::{compare, load_manifest, load_tensors, FixtureCase, Stored};
use serde_json::Value;

struct Args<'a> {
    t: &'a HashMap<String, Tensor>,
    p: &'a Value,
}

impl Args<'_> {
    fn get(&self, name: &str) -> &Tensor {
        self.t
            .get(name)
            .unwrap_or_else(|| panic!("fixture input {name} missing"))
    }
    fn opt(&self, name: &str) -> Option<&Tensor> {
        self.t.get(name)
    }
    fn f(&self, key: &str) -> Option<f64> {
        self.p.get(key).and_then(Value::as_f64)
    }
    fn i(&self, key: &str) -> Option<i64> {
        self.p.get(key).and_then(Value::as_i64)
    }
    fn b(&self, key: &str) -> Option<bool> {
        self.p.get(key).and_then(Value::as_bool)
    }
    fn list(&self, key: &str) -> Option<Vec<isize>> {
        self.p.get(key).and_then(Value::as_array).map(|a| {
            a.iter()
                .map(|v| v.as_i64().expect("integer list") as isize)
                .collect()
        })
    }
    fn usize_opt(&self, key: &str) -> Option<usize> {
        self.i(key).map(|v| v as usize)
    }
    fn pair(&self, key: &str, default: [usize; 2]) -> [usize; 2] {
        self.list(key)
            .map_or(default, |l| [l[0] as usize, l[1] as usize])
    }
    fn reduction(&self) -> Reduction {
        match self.p.get("reduction").and_then(Value::as_str) {
            Some("none") => Reduction::None,
            Some("sum") => Reduction::Sum,
            _ => Reduction::Mean,
        }
    }
    fn tensors(&self) -> Vec<Tensor> {
        (0..)
            .map_while(|i| self.opt(&format!("tensors.{i}")).cloned())
            .collect()
    }
    fn pool(&self) -> Pool2dParams {
        let kernel = self.pair("kernel_size", [1, 1]);
        Pool2dParams {
            kernel,
            stride: self.pair("stride", kernel),
            padding: self.pair("padding", [0, 0]),
            count_include_pad: self.b("count_include_pad").unwrap_or(true),
            dilation: self.pair("dilation", [1, 1]),
            ceil_mode: self.b("ceil_mode").unwrap_or(false),
            divisor_override: self.usize_opt("divisor_override"),
        }
    }
}

fn linear(h: &Tensor, w: &Tensor, b: &Tensor) -> PgResult<Tensor> {
    h.matmul(&w.t()?)?.add(b)
}

/// Runs the case's op in pixelgrad; `None` for ops this file does not know.
fn run(op: &str, a: &Args) -> Option<PgResult<Vec<Tensor>>> {
    let x = || a.get("input");
    let one = |r: PgResult<Tensor>| Some(r.map(|t| vec![t]));
    let dims = || a.list("dim").unwrap_or_default();
    let keepdim = || a.b("keepdim").unwrap_or(false);
    match op {
        "add" => one(x().add(a.get("other"))),
        "sub" => one(x().sub(a.get("other"))),
        "mul" => one(x().mul(a.get("other"))),
        "div" => one(x().div(a.get("other"))),
        "neg" => one(x().neg()),
        "pow" => match a.f("exponent") {
            Some(p) => one(x().pow_scalar(p)),
            None => one(x().pow(a.get("exponent"))),
        },
        "exp" => one(x().exp()),
        "log" => one(x().log()),
        "sqrt" => one(x().sqrt()),
        "abs" => one(x().abs()),
        "clamp" => one(x().clamp(a.f("min"), a.f("max"))),
        "where" => one(Tensor::where_cond(a.get("condition"), x(), a.get("other"))),
        "maximum" => one(x().maximum(a.get("other"))),
        "minimum" => one(x().minimum(a.get("other"))),
        "sum" => one(x().sum(&dims(), keepdim())),
        "mean" => one(x().mean(&dims(), keepdim())),
        "amax" => one(x().amax(&dims(), keepdim())),
        "var" => one(x().var(&dims(), a.i("correction").unwrap_or(1) == 1, keepdim())),
        "matmul" => one(x().matmul(a.get("other"))),
        "conv2d" => one(x().conv2d(
            a.get("weight"),
            a.opt("bias"),
            Conv2dParams {
                stride: a.pair("stride", [1, 1]),
                padding: a.pair("padding", [0, 0]),
                dilation: a.pair("dilation", [1, 1]),
                groups: a.i("groups").unwrap_or(1) as usize,
            },
        )),
        "max_pool2d" => one(x().max_pool2d(a.pool())),
        "avg_pool2d" => one(x().avg_pool2d(a.pool())),
        "adaptive_avg_pool2d" => one(x().adaptive_avg_pool2d(a.pair("output_size", [1, 1]))),
        "batch_norm" => {
            let (rm, rv) = (
                a.get("running_mean").detach(),
                a.get("running_var").detach(),
            );
            let training = a.b("training").unwrap_or(false);
            let y = x().batch_norm(
                Some(&rm),
                Some(&rv),
                a.opt("weight"),
                a.opt("bias"),
                training,
                a.f("momentum").unwrap_or(0.1),
                a.f("eps").unwrap_or(1e-5),
            );
            Some(y.map(|y| if training { vec![y, rm, rv] } else { vec![y] }))
        }
        "layer_norm" => {
            let shape: Vec<usize> = a
                .list("normalized_shape")
                .unwrap_or_default()
                .iter()
                .map(|&d| d as usize)
                .collect();
            one(x().layer_norm(
                &shape,
                a.opt("weight"),
                a.opt("bias"),
                a.f("eps").unwrap_or(1e-5),
            ))
        }
        "relu" => one(x().relu()),
        "leaky_relu" => one(x().leaky_relu(a.f("negative_slope").unwrap_or(0.01))),
        "gelu" => one(
            x().gelu(match a.p.get("approximate").and_then(Value::as_str) {
                Some("tanh") => GeluApproximate::Tanh,
                _ => GeluApproximate::None,
            }),
        ),
        "silu" => one(x().silu()),
        "sigmoid" => one(x().sigmoid()),
        "tanh" => one(x().tanh()),
        "hardswish" => one(x().hardswish()),
        "hardsigmoid" => one(x().hardsigmoid()),
        "softmax" => one(x().softmax(a.i("dim").unwrap_or(-1) as isize)),
        "log_softmax" => one(x().log_softmax(a.i("dim").unwrap_or(-1) as isize)),
        "cross_entropy" | "nll_loss" => {
            let opts = CrossEntropyOptions {
                weight: a.opt("weight"),
                ignore_index: a.i("ignore_index").unwrap_or(-100),
                label_smoothing: a.f("label_smoothing").unwrap_or(0.0),
                reduction: a.reduction(),
            };
            if op == "nll_loss" {
                one(x().nll_loss(a.get("target"), &opts))
            } else {
                one(x().cross_entropy(a.get("target"), &opts))
            }
        }
        "mse_loss" => one(x().mse_loss(a.get("target"), a.reduction())),
        "l1_loss" => one(x().l1_loss(a.get("target"), a.reduction())),
        "smooth_l1_loss" => {
            one(x().smooth_l1_loss(a.get("target"), a.f("beta").unwrap_or(1.0), a.reduction()))
        }
        "binary_cross_entropy_with_logits" => one(x().binary_cross_entropy_with_logits(
            a.get("target"),
            a.opt("weight"),
            a.opt("pos_weight"),
            a.reduction(),
        )),
        "reshape" => one(x().reshape(&a.list("shape").unwrap_or_default())),
        "permute" => one(x().permute(&a.list("dims").unwrap_or_default())),
        "transpose" => one(x().transpose(
            a.i("dim0").unwrap_or(0) as isize,
            a.i("dim1").unwrap_or(1) as isize,
        )),
        "narrow" => one(x().narrow(
            a.i("dim").unwrap_or(0) as isize,
            a.i("start").unwrap_or(0) as usize,
            a.i("length").unwrap_or(0) as usize,
        )),
        "cat" => one(Tensor::cat(&a.tensors(), a.i("dim").unwrap_or(0) as isize)),
        "stack" => one(Tensor::stack(
            &a.tensors(),
            a.i("dim").unwrap_or(0) as isize,
        )),
        "expand" => one(x().expand(&a.list("size").unwrap_or_default())),
        "gather" => one(x().gather(a.i("dim").unwrap_or(0) as isize, a.get("index"))),
        "index_select" => one(x().index_select(a.i("dim").unwrap_or(0) as isize, a.get("index"))),
        "one_hot" => one(x().one_hot(a.i("num_classes").map(|c| c as usize))),
        "lenet" => one(lenet(a)),
        "residual_block" => one(residual_block(a)),
        "attention_block" => one(attention_block(a)),
        _ => None,
    }
}

fn lenet(a: &Args) -> PgResult<Tensor> {
    let conv = |h: &Tensor, l: &str, pad: usize| {
        let p = Conv2dParams {
            padding: [pad, pad],
            ..Conv2dParams::default()
        };
        h.conv2d(
            a.get(&format!("{l}.weight")),
            Some(a.get(&format!("{l}.bias"))),
            p,
        )?
        .relu()?
        .max_pool2d(Pool2dParams::square(2))
    };
    let h = conv(&conv(a.get("x"), "conv1", 2)?, "conv2", 0)?.flatten(1, -1)?;
    let h = linear(&h, a.get("fc1.weight"), a.get("fc1.bias"))?.relu()?;
    let h = linear(&h, a.get("fc2.weight"), a.get("fc2.bias"))?.relu()?;
    let logits = linear(&h, a.get("fc3.weight"), a.get("fc3.bias"))?;
    logits.cross_entropy(a.get("target"), &CrossEntropyOptions::default())
}

fn residual_block(a: &Args) -> PgResult<Tensor> {
    let p = Conv2dParams {
        padding: [1, 1],
        ..Conv2dParams::default()
    };
    let bn = |h: &Tensor, l: &str| {
        let rm = a.get(&format!("{l}.running_mean")).detach();
        let rv = a.get(&format!("{l}.running_var")).detach();
        h.batch_norm(
            Some(&rm),
            Some(&rv),
            a.opt(&format!("{l}.weight")),
            a.opt(&format!("{l}.bias")),
            true,
            0.1,
            1e-5,
        )
    };
    let x = a.get("x");
    let h = bn(&x.conv2d(a.get("conv1.weight"), None, p)?, "bn1")?.relu()?;
    let h = bn(&h.conv2d(a.get("conv2.weight"), None, p)?, "bn2")?;
    h.add(x)?.relu()
}

fn attention_block(a: &Args) -> PgResult<Tensor> {
    let n = |k: &str| a.p.get(k).and_then(Value::as_u64).expect("attention size") as usize;
    let (e, heads, d, s, b) = (
        n("embed_dim"),
        n("num_heads"),
        n("head_dim"),
        n("seq_len"),
        n("batch"),
    );
    let x = a.get("x");
    let h = x.layer_norm(
        &[e],
        a.opt("ln.weight"),
        a.opt("ln.bias"),
        a.f("ln_eps").unwrap_or(1e-5),
    )?;
    let split = |l: &str| -> PgResult<Tensor> {
        linear(
            &h,
            a.get(&format!("{l}.weight")),
            a.get(&format!("{l}.bias")),
        )?
        .reshape(&[b as isize, s as isize, heads as isize, d as isize])?
        .transpose(1, 2)
    };
    let (q, k, v) = (split("q")?, split("k")?, split("v")?);
    let att = q
        .matmul(&k.transpose(-1, -2)?)?
        .div_scalar((d as f64).sqrt())?
        .softmax(-1)?;
    let o = att
        .matmul(&v)?
        .transpose(1, 2)?
        .reshape(&[b as isize, s as isize, e as isize])?;
    x.add(&linear(&o, a.get("out.weight"), a.get("out.bias"))?)
}

fn check_case(case: &FixtureCase) -> Result<(), String> {
    let stored: BTreeMap<String, Stored> = load_tensors(&case.file)?;
    let mut inputs = HashMap::new();
    let mut leaves = Vec::new();
    for name in &case.inputs {
        let s = stored
            .get(&format!("input.{name}"))
            .ok_or_else(|| format!("{}: input.{name} missing", case.name))?;
        let t = s.to_tensor();
        if stored.contains_key(&format!("grad.{name}")) {
            t.set_requires_grad(true).map_err(|e| e.to_string())?;
            leaves.push((name.clone(), t.clone()));
        }
        inputs.insert(name.clone(), t);
    }
    let args = Args {
        t: &inputs,
        p: &case.params,
    };
    let outputs = run(&case.op, &args)
        .ok_or_else(|| format!("{}: op `{}` is not mapped to pixelgrad", case.name, case.op))?
        .map_err(|e| format!("{}: {} failed: {e}", case.name, case.op))?;
    let shapes: Vec<Vec<usize>> = inputs.values().map(|t| t.dims().to_vec()).collect();
    let ctx = |e: String| format!("{e} [op {}, input shapes {shapes:?}]", case.op);
    if let Some(want) = stored.get("output") {
        compare(&case.name, "output", &outputs[0], want).map_err(ctx)?;
    } else {
        for (i, out) in outputs.iter().enumerate() {
            let want = stored
                .get(&format!("output.{i}"))
                .ok_or_else(|| format!("{}: output.{i} missing", case.name))?;
            compare(&case.name, &format!("output.{i}"), out, want).map_err(ctx)?;
        }
    }
    let Some(go) = stored.get("grad_output") else {
        return Ok(());
    };
    if leaves.is_empty() {
        return Ok(());
    }
    let loss = outputs[0]
        .mul(&go.to_tensor())
        .and_then(|t| t.sum_all())
        .map_err(|e| e.to_string())?;
    let tensors: Vec<Tensor> = leaves.iter().map(|(_, t)| t.clone()).collect();
    let grads = pixelgrad::grad(&[loss], &tensors, false)
        .map_err(|e| format!("{}: backward failed: {e}", case.name))?;
    for ((name, _), g) in leaves.iter().zip(&grads) {
        compare(
            &case.name,
            &format!("grad.{name}"),
            g,
            &stored[&format!("grad.{name}")],
        )
        .map_err(ctx)?;
    }
    Ok(())
}

#[test]
fn every_pytorch_fixture_matches() {
    let manifest = load_manifest().expect("fixture manifest");
    assert_eq!(manifest.version, 1, "unknown manifest version");
    assert!(!manifest.cases.is_empty(), "no fixture cases");
    let failures: Vec<String> = manifest
        .cases
        .iter()
        .filter_map(|c| check_case(c).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases failed:\n{}",
        failures.len(),
        manifest.cases.len(),
        failures.join("\n")
    );
}
