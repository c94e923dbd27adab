//! Field-by-field validation of a [`RunSpec`](super::RunSpec) from a link or file. Besides each
//! field's domain, the limits bound the model a spec can ask for (about [`MAX_PARAMS`]
//! parameters, bounded widths, depths and input sizes), so a hostile link cannot make the app
//! allocate gigabytes before anything is shown.

#![warn(missing_docs)]

use super::run_spec::{DataSource, DataSpec, LossSpec, SpecError};
use crate::data::Transform;
use crate::optim::{OptimizerSpec, Schedule};
use crate::train::{Penalty, TrainConfig};

/// Most optimizer steps (or samples in a subset) a spec may name.
pub const MAX_STEPS: u64 = 10_000_000;
/// Most parameters a spec's model may have (checked exactly for the families whose size grows
/// fastest with their settings, bounded by per-field limits for the others).
pub const MAX_PARAMS: u64 = 50_000_000;
/// Largest input side in pixels.
pub const MAX_SIDE: usize = 224;
/// Most classes.
pub const MAX_CLASSES: usize = 1000;

/// What every check returns.
pub(super) type Check = Result<(), SpecError>;

pub(super) fn fail(field: &str, reason: impl Into<String>) -> Check {
    Err(SpecError::new(field, reason))
}

pub(super) fn within(field: &str, v: usize, lo: usize, hi: usize) -> Check {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        fail(field, format!("{v} is outside {lo}..={hi}"))
    }
}

pub(super) fn fraction(field: &str, v: f64, hi_inclusive: bool) -> Check {
    let ok = v >= 0.0 && if hi_inclusive { v <= 1.0 } else { v < 1.0 };
    if ok {
        Ok(())
    } else {
        fail(
            field,
            format!(
                "{v} is outside [0, 1{}",
                if hi_inclusive { "]" } else { ")" }
            ),
        )
    }
}

pub(super) fn list<T>(field: &str, items: &[T], lo: usize, hi: usize) -> Check {
    if (lo..=hi).contains(&items.len()) {
        Ok(())
    } else {
        fail(
            field,
            format!("has {} entries; allowed {lo} to {hi}", items.len()),
        )
    }
}

fn text(field: &str, s: &str, max: usize) -> Check {
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return fail(
            field,
            format!("must be 1 to {max} characters without control characters"),
        );
    }
    Ok(())
}

pub(crate) use super::model_limits::check_model;

/// Data source, input and class count.
pub(crate) fn check_data(d: &DataSpec) -> Check {
    if d.input.channels != 1 && d.input.channels != 3 {
        return fail(
            "data.input.channels",
            format!("{} must be 1 or 3", d.input.channels),
        );
    }
    within("data.input.height", d.input.height, 8, MAX_SIDE)?;
    within("data.input.width", d.input.width, 8, MAX_SIDE)?;
    within("data.classes", d.classes, 1, MAX_CLASSES)?;
    if let Some(n) = d.subset {
        within("data.subset", n, 1, MAX_STEPS as usize)?;
    }
    if !(0.0..=0.5).contains(&d.val_fraction) {
        return fail(
            "data.val_fraction",
            format!("{} is outside [0, 0.5]", d.val_fraction),
        );
    }
    if let Some(im) = d.imbalance {
        within(
            "data.imbalance.class",
            im.class,
            0,
            d.classes.saturating_sub(1),
        )?;
        if !(im.keep > 0.0 && im.keep <= 1.0) {
            return fail(
                "data.imbalance.keep",
                format!("{} is outside (0, 1]", im.keep),
            );
        }
    }
    match &d.source {
        DataSource::Bundled { name } => {
            let slug =
                |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
            if name.is_empty() || name.len() > 32 || !name.chars().all(slug) {
                return fail(
                    "data.source.name",
                    "must be 1 to 32 of a-z, 0-9, '-' and '_'",
                );
            }
        }
        DataSource::User {
            sha256,
            class_names,
        } => {
            let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
            if sha256.len() != 64 || !sha256.chars().all(hex) {
                return fail("data.source.sha256", "must be 64 lower-case hex digits");
            }
            if class_names.len() != d.classes {
                return fail(
                    "data.source.class_names",
                    format!("has {} names for {} classes", class_names.len(), d.classes),
                );
            }
            for (i, n) in class_names.iter().enumerate() {
                text(&format!("data.source.class_names[{i}]"), n, 64)?;
            }
        }
    }
    Ok(())
}

/// Optimizer, schedule, loader, augmentations and the remaining training settings.
pub(crate) fn check_train(t: &TrainConfig) -> Check {
    within("train.epochs", t.epochs, 1, 10_000)?;
    if let Some(m) = t.max_steps {
        within("train.max_steps", m, 1, MAX_STEPS as usize)?;
    }
    let opt = match &t.optimizer {
        OptimizerSpec::Sgd(c) => c.validate(),
        OptimizerSpec::Adam(c) => c.validate(),
    };
    opt.map_err(|e| SpecError::new("train.optimizer", e.to_string()))?;
    if let OptimizerSpec::Sgd(c) = &t.optimizer {
        fraction("train.optimizer.momentum", c.momentum, true)?;
        fraction("train.optimizer.dampening", c.dampening, true)?;
    }
    if t.optimizer.lr() > 10.0 {
        return fail("train.optimizer.lr", "must be at most 10");
    }
    check_schedule(&t.schedule, "train.schedule", 0)?;
    t.schedule
        .validate()
        .map_err(|e| SpecError::new("train.schedule", e.to_string()))?;
    within("train.loader.batch_size", t.loader.batch_size, 1, 1024)?;
    let steps = &t.loader.augment.transforms;
    list("train.loader.augment", steps, 0, 16)?;
    for (i, s) in steps.iter().enumerate() {
        let field = format!("train.loader.augment[{i}]");
        if let Transform::Normalize { mean, std } = s {
            if mean.len() != std.len() || mean.is_empty() || mean.len() > 3 {
                return fail(&field, "normalize needs 1 to 3 means and as many stds");
            }
        }
        s.validate()
            .map_err(|e| SpecError::new(&field, e.to_string()))?;
    }
    if let Some(m) = &t.loader.mix {
        m.validate()
            .map_err(|e| SpecError::new("train.loader.mix", e.to_string()))?;
    }
    fraction("train.label_smoothing", t.label_smoothing, true)?;
    if let Some(c) = t.clip_grad_norm {
        if !(c > 0.0 && c <= 1e6) {
            return fail("train.clip_grad_norm", format!("{c} is outside (0, 1e6]"));
        }
    }
    if let Some(p) = t.early_stopping_patience {
        within("train.early_stopping_patience", p, 1, 10_000)?;
    }
    if let Some(Penalty::L1(l) | Penalty::L2(l)) = t.penalty {
        if !(0.0..=1.0).contains(&l) {
            return fail("train.penalty", format!("lambda {l} is outside [0, 1]"));
        }
    }
    if let Some(p) = &t.reduce_on_plateau {
        if !(p.factor > 0.0 && p.factor < 1.0) {
            return fail(
                "train.reduce_on_plateau.factor",
                format!("{} is outside (0, 1)", p.factor),
            );
        }
        within("train.reduce_on_plateau.patience", p.patience, 0, 10_000)?;
        within("train.reduce_on_plateau.cooldown", p.cooldown, 0, 10_000)?;
        fraction("train.reduce_on_plateau.threshold", p.threshold, true)?;
        fraction("train.reduce_on_plateau.min_lr", p.min_lr, true)?;
    }
    Ok(())
}

fn check_schedule(s: &Schedule, field: &str, depth: usize) -> Check {
    match s {
        Schedule::MultiStep { milestones, .. } => {
            list(&format!("{field}.milestones"), milestones, 1, 64)
        }
        Schedule::Warmup { .. } if depth >= 3 => fail(field, "warm-ups nest at most 3 deep"),
        Schedule::Warmup { then, .. } => check_schedule(then, &format!("{field}.then"), depth + 1),
        _ => Ok(()),
    }
}

/// Parameter-name prefixes (`freeze`, `unfreeze`): at most 32, each 1 to 64 characters of
/// letters, digits, `_` and `.`.
pub(crate) fn check_prefixes(field: &str, prefixes: &[String]) -> Check {
    list(field, prefixes, 0, 32)?;
    for (i, p) in prefixes.iter().enumerate() {
        let ok = !p.is_empty()
            && p.len() <= 64
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !ok {
            return fail(
                &format!("{field}[{i}]"),
                "must be 1 to 64 letters, digits, `_` or `.` (a parameter-name prefix)",
            );
        }
    }
    Ok(())
}

/// The loss: built-in, or a custom source within size limits.
pub(crate) fn check_loss(l: &LossSpec) -> Check {
    let LossSpec::Custom { source, params } = l else {
        return Ok(());
    };
    let bad_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if source.trim().is_empty() || source.len() > 4096 || source.chars().any(bad_char) {
        return fail("loss.source", "must be 1 to 4096 bytes of text");
    }
    list("loss.params", params, 0, 16)?;
    for (i, p) in params.iter().enumerate() {
        let ident = p
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.name.len() <= 32
            && p.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident || params[..i].iter().any(|q| q.name == p.name) {
            return fail(
                &format!("loss.params[{i}].name"),
                "must be a unique identifier of at most 32 characters",
            );
        }
        if !p.value.is_finite() {
            return fail(&format!("loss.params[{i}].value"), "must be finite");
        }
    }
    Ok(())
}
