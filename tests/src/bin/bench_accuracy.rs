//! Accuracy benchmark (not a test): fixed training budgets on the bundled data sets with the
//! library's one training loop, reporting test accuracy and wall time on the CPU, the same
//! recipe's time per step on the GPU backend, and int8 quantization of LeNet-5 against f32.
//!
//! Recipes are the textbook ones, fixed before looking at test accuracy: Adam or SGD with
//! Nesterov momentum under a OneCycle schedule, mild geometric augmentation, batch norm where the
//! architecture has it. 10% of the training split is held out for validation (reported per
//! epoch); the test split is used once, at the end.
//!
//! Usage: `bench_accuracy [--only a,b] [--gpu-steps N] [--gpu-seconds S] [--gpu-full]
//! [--fashion full|bundled]`. After one warm-up step (kernel compilation), each recipe runs on
//! the GPU backend for at most `--gpu-steps` steps (default 30; 0 = no GPU) or `--gpu-seconds`
//! seconds (default 60), whichever comes first, and the full budget's time is projected from
//! the time per step; `--gpu-full` trains the whole budget there instead and reports its test
//! accuracy too. Prints one JSON object on stdout
//! and progress on stderr.

use std::time::Instant;

use pixelgrad::data::{
    train_val_split, BundledDataset, DataLoader, Dataset, Pipeline, Split, Subset,
};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::io::{dequantize_model, quantize_model};
use pixelgrad::models::{InputSpec, Model, ModelSpec};
use pixelgrad::nn::{count_parameters, move_to_device};
use pixelgrad::optim::Schedule;
use pixelgrad::train::{Control, Event, TrainConfig, Trainer};
use serde_json::{json, Value};

#[path = "bench_accuracy/recipes.rs"]
mod recipes;

use recipes::{recipes, Recipe};

type Error = Box<dyn std::error::Error>;

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// The train and test splits of a data set: `fashion-mnist` may use the full 60k/10k set that
/// `cargo xtask data` leaves in `target/data` (not served to browsers).
fn load(
    root: &str,
    name: &str,
    fashion: &str,
) -> Result<(BundledDataset, BundledDataset, String), Error> {
    let full = format!("{root}/target/data/fashion-mnist-full.safetensors");
    let path =
        if name == "fashion-mnist" && fashion == "full" && std::path::Path::new(&full).exists() {
            full
        } else {
            format!("{root}/public/data/{name}.safetensors")
        };
    let bytes =
        std::fs::read(&path).map_err(|e| format!("{path}: {e} (run `cargo xtask data`)"))?;
    Ok((
        BundledDataset::from_safetensors(&bytes, Split::Train)?,
        BundledDataset::from_safetensors(&bytes, Split::Test)?,
        path.trim_start_matches(root)
            .trim_start_matches('/')
            .to_string(),
    ))
}

fn config(r: &Recipe, steps_per_epoch: usize, max_steps: Option<usize>) -> TrainConfig {
    TrainConfig {
        max_steps,
        schedule: Schedule::one_cycle(r.max_lr, r.epochs * steps_per_epoch),
        loader: pixelgrad::data::LoaderConfig {
            batch_size: r.batch_size,
            shuffle: true,
            drop_last: false,
            augment: Pipeline::new(r.augment.clone()),
            mix: None,
        },
        label_smoothing: r.label_smoothing,
        ..TrainConfig::new(r.epochs, r.optimizer)
    }
}

/// What a training run measured.
struct Run {
    /// Wall time of the whole run, evaluations on the validation split included.
    secs: f64,
    steps: usize,
    /// Wall time per step after the first `warm` steps (GPU kernels compile on first use).
    ms_per_step: f64,
    val_accuracy: Vec<f64>,
    last_loss: f64,
}

/// How long a run may go: the recipe's budget, cut at `max_steps`, or `seconds_after_warm`
/// after the first `warm` steps (which compile GPU kernels and are timed apart).
#[derive(Clone, Copy, Default)]
struct Budget {
    max_steps: Option<usize>,
    warm: usize,
    seconds_after_warm: Option<f64>,
}

/// Trains `model` on `train` within `budget`, printing progress and validation accuracy per
/// epoch.
fn train<D: Dataset, V: Dataset>(
    r: &Recipe,
    model: &Model,
    classes: usize,
    train: &D,
    val: Option<&V>,
    budget: Budget,
) -> Result<Run, Error> {
    let Budget {
        max_steps,
        warm,
        seconds_after_warm,
    } = budget;
    let steps_per_epoch = DataLoader::new(train, config(r, 1, None).loader, 0)?.num_batches();
    let mut trainer = Trainer::new(model, classes, config(r, steps_per_epoch, max_steps))?;
    let t0 = Instant::now();
    let mut last_loss = f64::NAN;
    let mut timed: Option<(Instant, usize)> = None;
    let history = trainer.fit(train, val, |e| {
        match e {
            Event::Step(s) => {
                last_loss = s.loss;
                if s.step == warm {
                    timed = Some((Instant::now(), s.step));
                }
                if s.step % 200 == 0 {
                    eprintln!(
                        "  {} step {}: loss {:.4} ({:.0} s)",
                        r.name,
                        s.step,
                        s.loss,
                        t0.elapsed().as_secs_f64()
                    );
                }
            }
            Event::Eval(v) => eprintln!(
                "  {} epoch {}: val accuracy {:.4}, loss {:.4} ({:.0} s)",
                r.name,
                v.epoch + 1,
                v.accuracy,
                v.loss,
                t0.elapsed().as_secs_f64()
            ),
        }
        match (timed, seconds_after_warm) {
            (Some((t, _)), Some(limit)) if t.elapsed().as_secs_f64() >= limit => Control::Stop,
            _ => Control::Continue,
        }
    })?;
    let secs = t0.elapsed().as_secs_f64();
    let steps = history.steps.len();
    let ms_per_step = match timed {
        Some((t, at)) if steps > at => 1e3 * t.elapsed().as_secs_f64() / (steps - at) as f64,
        _ => 1e3 * secs / steps.max(1) as f64,
    };
    Ok(Run {
        secs,
        steps,
        ms_per_step,
        val_accuracy: history.evals.iter().map(|e| e.accuracy).collect(),
        last_loss,
    })
}

/// Stored bytes of a model in f32 (every parameter and buffer).
fn f32_bytes(model: &Model) -> usize {
    pixelgrad::nn::state_dict(model)
        .iter()
        .map(|t| t.tensor.numel() * 4)
        .sum()
}

fn run_recipe(
    r: &Recipe,
    root: &str,
    fashion: &str,
    gpu: Option<&Gpu>,
    gpu_steps: usize,
    gpu_seconds: f64,
    gpu_full: bool,
) -> Result<Value, Error> {
    let (train_all, test, file) = load(root, r.data, fashion)?;
    let classes = train_all.classes().len();
    let (h, w) = train_all.image_size();
    let input = InputSpec {
        channels: 1,
        height: h,
        width: w,
    };
    let (train_idx, val_idx) = train_val_split(&train_all, 0.1, 0)?;
    let train_set = Subset::new(&train_all, train_idx)?;
    let val_set = Subset::new(&train_all, val_idx)?;
    let spec = ModelSpec::preset(r.preset).ok_or("unknown preset")?;
    eprintln!(
        "{}: {} on {file} ({} train, {} val, {} test), {} epochs",
        r.name,
        r.preset,
        train_set.len(),
        val_set.len(),
        test.len(),
        r.epochs
    );

    let model = spec.build(input, classes, 0)?;
    let cpu = train(
        r,
        &model,
        classes,
        &train_set,
        Some(&val_set),
        Budget::default(),
    )?;
    let steps_per_epoch = DataLoader::new(&train_set, config(r, 1, None).loader, 0)?.num_batches();
    let eval_cfg = config(r, steps_per_epoch, None);
    let evaluator = Trainer::new(&model, classes, eval_cfg.clone())?;
    let report = evaluator.evaluate(&test, 500, r.epochs)?;
    eprintln!(
        "  {} test accuracy {:.4} after {} steps in {:.1} s ({:.1} ms/step)",
        r.name, report.accuracy, cpu.steps, cpu.secs, cpu.ms_per_step
    );
    let mut out = json!({
        "name": r.name,
        "model": r.preset,
        "parameters": count_parameters(&model),
        "data": file,
        "train": train_set.len(),
        "val": val_set.len(),
        "test": test.len(),
        "epochs": r.epochs,
        "batch_size": r.batch_size,
        "optimizer": r.optimizer,
        "schedule": eval_cfg.schedule,
        "augment": r.augment,
        "label_smoothing": r.label_smoothing,
        "val_accuracy_per_epoch": cpu.val_accuracy,
        "final_train_loss": cpu.last_loss,
        "test_accuracy": report.accuracy,
        "test_loss": report.loss,
        "test_macro_f1": report.confusion.report().macro_avg.f1,
        "cpu": { "wall_s": cpu.secs, "steps": cpu.steps, "ms_per_step": cpu.ms_per_step },
    });

    if r.quantize {
        let q = quantize_model(&model)?;
        let copy = spec.build(input, classes, 1)?;
        dequantize_model(&copy, &q)?;
        let qreport = pixelgrad::train::evaluate_preprocessed(
            &copy,
            &test,
            classes,
            500,
            r.epochs,
            &Pipeline::new(r.augment.clone()).for_evaluation(),
        )?;
        let (fb, qb) = (f32_bytes(&model), q.stored_bytes());
        eprintln!(
            "  {} int8: test accuracy {:.4} (f32 {:.4}), {qb} bytes vs {fb} ({:.2}x smaller)",
            r.name,
            qreport.accuracy,
            report.accuracy,
            fb as f64 / qb as f64
        );
        out["int8"] = json!({
            "test_accuracy": qreport.accuracy,
            "f32_test_accuracy": report.accuracy,
            "accuracy_drop_points": 100.0 * (report.accuracy - qreport.accuracy),
            "f32_bytes": fb,
            "int8_bytes": qb,
            "ratio": fb as f64 / qb as f64,
        });
    }

    if let Some(gpu) = gpu {
        let gmodel = spec.build(input, classes, 0)?;
        move_to_device(&gmodel, gpu.device())?;
        // The first step compiles the GPU kernels; it is timed apart.
        let warm = 1;
        let limit = if gpu_full {
            None
        } else {
            Some(gpu_steps + warm)
        };
        let g_run = train(
            r,
            &gmodel,
            classes,
            &train_set,
            gpu_full.then_some(&val_set),
            Budget {
                max_steps: limit,
                warm,
                seconds_after_warm: (!gpu_full).then_some(gpu_seconds),
            },
        )?;
        let ms = g_run.ms_per_step;
        let mut g = json!({
            "adapter": gpu.context().adapter().to_string(),
            "steps": g_run.steps,
            "wall_s": g_run.secs,
            "ms_per_step_after_warm_up": ms,
            "warm_up_steps": warm,
            "last_train_loss": g_run.last_loss,
            "full_budget": gpu_full,
        });
        if gpu_full {
            let grep = Trainer::new(&gmodel, classes, eval_cfg)?.evaluate(&test, 500, r.epochs)?;
            g["test_accuracy"] = json!(grep.accuracy);
            g["val_accuracy_per_epoch"] = json!(g_run.val_accuracy);
        } else {
            g["projected_full_budget_s"] = json!(ms * cpu.steps as f64 / 1e3);
        }
        eprintln!(
            "  {} GPU: {} steps in {:.1} s ({ms:.1} ms/step after {warm} warm-up steps{})",
            r.name,
            g_run.steps,
            g_run.secs,
            if gpu_full {
                String::new()
            } else {
                format!(", full budget ~{:.0} s", ms * cpu.steps as f64 / 1e3)
            }
        );
        out["gpu"] = g;
    }
    Ok(out)
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let root = std::fs::canonicalize(root)?.to_string_lossy().to_string();
    let only: Option<Vec<&str>> = arg(&args, "--only").map(|s| s.split(',').collect());
    let gpu_steps: usize = arg(&args, "--gpu-steps").map_or(Ok(30), str::parse)?;
    let gpu_seconds: f64 = arg(&args, "--gpu-seconds").map_or(Ok(60.0), str::parse)?;
    let gpu_full = args.iter().any(|a| a == "--gpu-full");
    let fashion = arg(&args, "--fashion").unwrap_or("full");
    let gpu = if gpu_steps > 0 || gpu_full {
        match pollster::block_on(Gpu::new()) {
            Ok(g) => {
                eprintln!("GPU backend: {}", g.context().adapter());
                Some(g)
            }
            Err(e) => {
                eprintln!("no GPU backend ({e}); CPU only");
                None
            }
        }
    } else {
        None
    };
    let mut results = Vec::new();
    for r in recipes() {
        if only.as_ref().is_some_and(|o| !o.contains(&r.name)) {
            continue;
        }
        results.push(run_recipe(
            &r,
            &root,
            fashion,
            gpu.as_ref(),
            gpu_steps,
            gpu_seconds,
            gpu_full,
        )?);
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({ "kind": "accuracy", "results": results }))?
    );
    Ok(())
}
