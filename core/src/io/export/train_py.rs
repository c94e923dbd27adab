//! `train.py` of the PyTorch export: a fixed script (`train_template.py`, readable and tested
//! as Python) with the run's settings written in as Python literals: constants, the transform
//! list, the optimizer, the schedule and the loss.

#![warn(missing_docs)]

use super::model_py::py_float;
use super::ExportError;
use crate::data::{BatchMix, Transform};
use crate::io::run_spec::{DataSource, LossSpec, RunSpec};
use crate::optim::{Anneal, OptimizerSpec, Schedule};
use crate::train::{Penalty, PlateauConfig};

const TEMPLATE: &str = include_str!("train_template.py");

fn py_opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "None".to_string(), f)
}

fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn f32s(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| py_float(f64::from(*x))).collect();
    format!("[{}]", items.join(", "))
}

fn transform(t: &Transform) -> String {
    let f = |x: f32| py_float(f64::from(x));
    match t {
        Transform::Resize { height, width } => format!("resize({height}, {width})"),
        Transform::CenterCrop { height, width } => format!("center_crop({height}, {width})"),
        Transform::RandomResizedCrop {
            height,
            width,
            scale,
            ratio,
        } => format!(
            "random_resized_crop({height}, {width}, {}, {})",
            f32s(scale),
            f32s(ratio)
        ),
        Transform::RandomHorizontalFlip { p } => format!("hflip({})", f(*p)),
        Transform::RandomVerticalFlip { p } => format!("vflip({})", f(*p)),
        Transform::RandomRotation { degrees } => format!("rotation({})", f(*degrees)),
        Transform::ColorJitter {
            brightness,
            contrast,
            saturation,
            hue,
        } => format!(
            "color_jitter({}, {}, {}, {})",
            f(*brightness),
            f(*contrast),
            f(*saturation),
            f(*hue)
        ),
        Transform::Grayscale => "to_grey()".into(),
        Transform::ToRgb => "to_rgb()".into(),
        Transform::Normalize { mean, std } => format!("normalize({}, {})", f32s(mean), f32s(std)),
        Transform::RandomErasing {
            p,
            scale,
            ratio,
            value,
        } => format!(
            "random_erasing({}, {}, {}, {})",
            f(*p),
            f32s(scale),
            f32s(ratio),
            f(*value)
        ),
    }
}

fn optimizer(o: &OptimizerSpec) -> String {
    match o {
        OptimizerSpec::Sgd(c) => format!(
            "torch.optim.SGD(params, lr={}, momentum={}, dampening={}, nesterov={}, weight_decay={})",
            py_float(c.lr),
            py_float(c.momentum),
            py_float(c.dampening),
            if c.nesterov { "True" } else { "False" },
            py_float(c.weight_decay)
        ),
        OptimizerSpec::Adam(c) => format!(
            "torch.optim.{}(params, lr={}, betas=({}, {}), eps={}, weight_decay={})",
            if c.decoupled { "AdamW" } else { "Adam" },
            py_float(c.lr),
            py_float(c.betas[0]),
            py_float(c.betas[1]),
            py_float(c.eps),
            py_float(c.weight_decay)
        ),
    }
}

/// PyTorch's scheduler for `s` (pixelgrad's schedules are PyTorch's closed forms; OneCycle
/// leaves momentum alone, as pixelgrad does).
fn scheduler(s: &Schedule) -> String {
    match s {
        Schedule::Constant => "lr_scheduler.LambdaLR(opt, lambda t: 1.0)".into(),
        Schedule::Step { step_size, gamma } => format!(
            "lr_scheduler.StepLR(opt, step_size={step_size}, gamma={})",
            py_float(*gamma)
        ),
        Schedule::MultiStep { milestones, gamma } => format!(
            "lr_scheduler.MultiStepLR(opt, milestones={milestones:?}, gamma={})",
            py_float(*gamma)
        ),
        Schedule::Exponential { gamma } => {
            format!(
                "lr_scheduler.ExponentialLR(opt, gamma={})",
                py_float(*gamma)
            )
        }
        Schedule::Cosine { t_max, eta_min } => format!(
            "lr_scheduler.CosineAnnealingLR(opt, T_max={t_max}, eta_min={})",
            py_float(*eta_min)
        ),
        Schedule::CosineWarmRestarts {
            t_0,
            t_mult,
            eta_min,
        } => format!(
            "lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0={t_0}, T_mult={t_mult}, eta_min={})",
            py_float(*eta_min)
        ),
        Schedule::OneCycle {
            max_lr,
            total_steps,
            pct_start,
            anneal,
            div_factor,
            final_div_factor,
        } => format!(
            "lr_scheduler.OneCycleLR(opt, max_lr={}, total_steps={total_steps}, pct_start={}, \
             anneal_strategy={:?}, cycle_momentum=False, div_factor={}, final_div_factor={})",
            py_float(*max_lr),
            py_float(*pct_start),
            match anneal {
                Anneal::Cos => "cos",
                Anneal::Linear => "linear",
            },
            py_float(*div_factor),
            py_float(*final_div_factor)
        ),
        Schedule::Warmup {
            steps,
            start_factor,
            then,
        } => format!(
            "lr_scheduler.SequentialLR(opt, [lr_scheduler.LinearLR(opt, start_factor={}, \
             end_factor=1.0, total_iters={steps}), {}], milestones=[{steps}])",
            py_float(*start_factor),
            scheduler(then)
        ),
    }
}

/// The `compute_loss(logits, target, labels, x)` definition (`target`: class indices or the
/// mixed soft targets; `labels`: always the class indices; `x`: the input batch, for
/// `grad_norm`) and whether the loss needs gradients with respect to the input.
fn loss(l: &LossSpec) -> Result<(String, bool), ExportError> {
    match l {
        LossSpec::CrossEntropy => Ok((
            r#"def compute_loss(logits, target, labels, x):
    """Cross-entropy (soft targets under mixup/cutmix) with the run's label smoothing."""
    return F.cross_entropy(logits, target, label_smoothing=LABEL_SMOOTHING)"#
                .into(),
            false,
        )),
        LossSpec::Custom { source, params } => {
            let function = super::custom_loss_python(source)?;
            let kwargs: Vec<String> = params
                .iter()
                .map(|p| format!("{}: {}", py_str(&p.name), py_float(p.value)))
                .collect();
            let code = format!(
                r#"{function}

LOSS_PARAMS = {{{}}}
# Slider names that clash with Python get a trailing "_" in loss_fn's signature.
_LOSS_ARGS = inspect.signature(loss_fn).parameters
LOSS_KWARGS = {{(k if k in _LOSS_ARGS else k + "_"): v for k, v in LOSS_PARAMS.items()}}


def compute_loss(logits, target, labels, x):
    """The run's custom loss with its slider values."""
    wrt = x if LOSS_NEEDS_INPUT_GRAD else None
    return loss_fn(logits, labels, wrt=wrt, **LOSS_KWARGS)"#,
                kwargs.join(", ")
            );
            Ok((code, source.contains("grad_norm")))
        }
    }
}

fn penalty(p: Option<Penalty>) -> String {
    match p {
        None => "None, 0.0".into(),
        Some(Penalty::L1(l)) => format!("\"l1\", {}", py_float(l)),
        Some(Penalty::L2(l)) => format!("\"l2\", {}", py_float(l)),
    }
}

fn plateau(p: Option<PlateauConfig>) -> String {
    p.map_or_else(
        || "None".into(),
        |p| {
            format!(
                "dict(factor={}, patience={}, threshold={}, cooldown={}, min_lr={})",
                py_float(p.factor),
                p.patience,
                py_float(p.threshold),
                p.cooldown,
                py_float(p.min_lr)
            )
        },
    )
}

/// The whole `train.py` for `spec`.
pub fn train_py(spec: &RunSpec) -> Result<String, ExportError> {
    let t = &spec.train;
    let mix = match t.loader.mix {
        None => "None, 0.0".to_string(),
        Some(BatchMix::Mixup { alpha }) => format!("\"mixup\", {}", py_float(f64::from(alpha))),
        Some(BatchMix::Cutmix { alpha }) => format!("\"cutmix\", {}", py_float(f64::from(alpha))),
    };
    let (data, sha) = match &spec.data.source {
        DataSource::Bundled { name } => (py_str(&format!("{name}.safetensors")), "None".into()),
        DataSource::User { sha256, .. } => ("\"your data set file\"".into(), py_str(sha256)),
    };
    let transforms: Vec<String> = t.loader.augment.transforms.iter().map(transform).collect();
    let py_bool = |b: bool| if b { "True" } else { "False" }.to_string();
    let per_step = t.schedule.interval() == crate::optim::Interval::Step;
    let (loss, input_grad) = loss(&spec.loss)?;
    let values = [
        ("SEED", t.seed.to_string()),
        ("EPOCHS", t.epochs.to_string()),
        ("MAX_STEPS", py_opt(t.max_steps, |v| v.to_string())),
        ("BATCH_SIZE", t.loader.batch_size.to_string()),
        ("SHUFFLE", py_bool(t.loader.shuffle)),
        ("DROP_LAST", py_bool(t.loader.drop_last)),
        ("LABEL_SMOOTHING", py_float(t.label_smoothing)),
        ("CLIP_GRAD_NORM", py_opt(t.clip_grad_norm, py_float)),
        (
            "EARLY_STOPPING_PATIENCE",
            py_opt(t.early_stopping_patience, |v| v.to_string()),
        ),
        ("SUBSET", py_opt(spec.data.subset, |v| v.to_string())),
        ("VAL_FRACTION", py_float(spec.data.val_fraction)),
        ("DATA", data),
        ("DATA_SHA256", sha),
        ("TRANSFORMS", transforms.join(", ")),
        ("MIX", mix),
        ("OPTIMIZER", optimizer(&t.optimizer)),
        ("SCHEDULER", scheduler(&t.schedule)),
        ("PER_STEP", py_bool(per_step)),
        ("PENALTY", penalty(t.penalty)),
        ("PLATEAU", plateau(t.reduce_on_plateau)),
        ("LOSS_NEEDS_INPUT_GRAD", py_bool(input_grad)),
        ("LOSS", loss),
    ];
    let mut out = TEMPLATE.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), &value);
    }
    Ok(out)
}
