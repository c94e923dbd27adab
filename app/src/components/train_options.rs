//! The playground's schedule, regularization and augmentation choices as plain data, and
//! their mapping to and from the core's [`Schedule`], [`Pipeline`] and model dropout. Pure
//! functions, so the mapping is tested natively; `run_settings` holds the signals.

use pixelgrad::data::{Pipeline, Transform};
use pixelgrad::models::ModelSpec;
use pixelgrad::optim::Schedule;

/// Factor the warm-up starts from (PyTorch `LinearLR(start_factor=0.1)`).
pub const WARMUP_START_FACTOR: f64 = 0.1;

/// The schedule controls, as typed. `kind` is one of [`SCHEDULE_KINDS`] or `"shared"` (a
/// schedule from a link that no control describes, kept as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleControls {
    /// Which schedule.
    pub kind: String,
    /// Step: epochs between decays.
    pub step_size: String,
    /// Step: decay factor.
    pub gamma: String,
    /// Warm restarts: length of the first cycle in epochs.
    pub t_0: String,
    /// Warm restarts: factor by which each cycle grows.
    pub t_mult: String,
    /// Linear warm-up length, in the schedule's own unit (0 for none).
    pub warmup: String,
}

/// `(value, label)` of the schedules the panel offers.
pub const SCHEDULE_KINDS: &[(&str, &str)] = &[
    ("constant", "Constant"),
    ("step", "Step decay"),
    ("cosine", "Cosine annealing"),
    ("cosine_restarts", "Cosine with warm restarts"),
    ("one_cycle", "One-cycle"),
];

impl Default for ScheduleControls {
    fn default() -> Self {
        ScheduleControls {
            kind: "constant".into(),
            step_size: "1".into(),
            gamma: "0.5".into(),
            t_0: "1".into(),
            t_mult: "2".into(),
            warmup: "0".into(),
        }
    }
}

impl ScheduleControls {
    /// The controls that describe `schedule` (a warm-up around one of the offered kinds is
    /// split into both); anything else is `"shared"`.
    pub fn of(schedule: &Schedule) -> ScheduleControls {
        let mut c = ScheduleControls::default();
        let inner = match schedule {
            Schedule::Warmup {
                steps,
                start_factor,
                then,
            } if *start_factor == WARMUP_START_FACTOR
                && !matches!(**then, Schedule::Warmup { .. }) =>
            {
                c.warmup = steps.to_string();
                then.as_ref()
            }
            other => other,
        };
        match inner {
            Schedule::Constant => c.kind = "constant".into(),
            Schedule::Step { step_size, gamma } => {
                c.kind = "step".into();
                c.step_size = step_size.to_string();
                c.gamma = gamma.to_string();
            }
            Schedule::Cosine { eta_min, .. } if *eta_min == 0.0 => c.kind = "cosine".into(),
            Schedule::CosineWarmRestarts {
                t_0,
                t_mult,
                eta_min,
            } if *eta_min == 0.0 => {
                c.kind = "cosine_restarts".into();
                c.t_0 = t_0.to_string();
                c.t_mult = t_mult.to_string();
            }
            Schedule::OneCycle { .. } => c.kind = "one_cycle".into(),
            _ => {
                c = ScheduleControls::default();
                c.kind = "shared".into();
            }
        }
        c
    }

    /// The schedule these controls describe for a run of `epochs` epochs and `total_steps`
    /// optimizer steps at base rate `lr`. `shared` is the schedule a link brought (used for
    /// the `"shared"` kind). Errors name the control.
    pub fn schedule(
        &self,
        epochs: usize,
        total_steps: usize,
        lr: f64,
        shared: Option<&Schedule>,
    ) -> Result<Schedule, String> {
        let inner = match self.kind.as_str() {
            "constant" => Schedule::Constant,
            "step" => Schedule::Step {
                step_size: positive("the step decay's epochs", &self.step_size)?,
                gamma: fraction("the step decay's factor", &self.gamma)?,
            },
            "cosine" => Schedule::Cosine {
                t_max: epochs.max(1),
                eta_min: 0.0,
            },
            "cosine_restarts" => Schedule::CosineWarmRestarts {
                t_0: positive("the first cycle's epochs", &self.t_0)?,
                t_mult: positive("the cycle growth", &self.t_mult)?,
                eta_min: 0.0,
            },
            "one_cycle" => Schedule::one_cycle(lr, total_steps.max(2)),
            "shared" => match shared {
                Some(s) => return Ok(s.clone()),
                None => Schedule::Constant,
            },
            other => return Err(format!("there is no schedule called \"{other}\"")),
        };
        let warmup = whole("the warm-up length", &self.warmup)?;
        Ok(if warmup == 0 {
            inner
        } else {
            Schedule::Warmup {
                steps: warmup,
                start_factor: WARMUP_START_FACTOR,
                then: Box::new(inner),
            }
        })
    }

    /// The unit the schedule (and so its warm-up) counts in, for the labels.
    pub fn unit(&self) -> &'static str {
        match self.kind.as_str() {
            "one_cycle" => "steps",
            _ => "epochs",
        }
    }
}

/// Which augmentations are on. Each maps to one torchvision transform with common settings
/// ([`AugmentToggles::transform`]); a link's own settings for a kind are kept while its toggle
/// stays on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AugmentToggles {
    /// `RandomResizedCrop` to the image's own size, 60–100% of its area.
    pub crop: bool,
    /// `RandomHorizontalFlip(0.5)`.
    pub flip: bool,
    /// `RandomRotation(15)`.
    pub rotate: bool,
    /// `ColorJitter(0.4, 0.4, 0.4, 0.1)`.
    pub jitter: bool,
    /// `Normalize(0.5, 0.5)`: values to `[-1, 1]`.
    pub normalize: bool,
    /// `RandomErasing()`.
    pub erase: bool,
}

/// The toggle kinds in pipeline order, with their labels.
pub const AUGMENT_KINDS: &[(Kind, &str)] = &[
    (Kind::Crop, "Random crop"),
    (Kind::Flip, "Horizontal flip"),
    (Kind::Rotate, "Rotation ±15°"),
    (Kind::Jitter, "Colour jitter"),
    (Kind::Normalize, "Normalize to [−1, 1]"),
    (Kind::Erase, "Random erasing"),
];

/// One toggle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Crop,
    Flip,
    Rotate,
    Jitter,
    Normalize,
    Erase,
}

impl Kind {
    /// A short identifier, for test ids.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Crop => "crop",
            Kind::Flip => "flip",
            Kind::Rotate => "rotate",
            Kind::Jitter => "jitter",
            Kind::Normalize => "normalize",
            Kind::Erase => "erase",
        }
    }

    /// The toggle a transform belongs to, if any.
    fn of(t: &Transform) -> Option<Kind> {
        match t {
            Transform::RandomResizedCrop { .. } => Some(Kind::Crop),
            Transform::RandomHorizontalFlip { .. } => Some(Kind::Flip),
            Transform::RandomRotation { .. } => Some(Kind::Rotate),
            Transform::ColorJitter { .. } => Some(Kind::Jitter),
            Transform::Normalize { .. } => Some(Kind::Normalize),
            Transform::RandomErasing { .. } => Some(Kind::Erase),
            _ => None,
        }
    }
}

/// Where a transform sits in the usual torchvision order (resizes and colour conversions
/// first, erasing after normalization).
fn rank(t: &Transform) -> u8 {
    match t {
        Transform::Resize { .. }
        | Transform::CenterCrop { .. }
        | Transform::Grayscale
        | Transform::ToRgb => 0,
        Transform::RandomResizedCrop { .. } => 1,
        Transform::RandomHorizontalFlip { .. } | Transform::RandomVerticalFlip { .. } => 2,
        Transform::RandomRotation { .. } => 3,
        Transform::ColorJitter { .. } => 4,
        Transform::Normalize { .. } => 5,
        Transform::RandomErasing { .. } => 6,
    }
}

impl AugmentToggles {
    /// Whether `kind` is on.
    pub fn get(&self, kind: Kind) -> bool {
        match kind {
            Kind::Crop => self.crop,
            Kind::Flip => self.flip,
            Kind::Rotate => self.rotate,
            Kind::Jitter => self.jitter,
            Kind::Normalize => self.normalize,
            Kind::Erase => self.erase,
        }
    }

    /// Turns `kind` on or off.
    pub fn set(&mut self, kind: Kind, on: bool) {
        match kind {
            Kind::Crop => self.crop = on,
            Kind::Flip => self.flip = on,
            Kind::Rotate => self.rotate = on,
            Kind::Jitter => self.jitter = on,
            Kind::Normalize => self.normalize = on,
            Kind::Erase => self.erase = on,
        }
    }

    /// The toggles `pipeline` has on.
    pub fn of(pipeline: &Pipeline) -> AugmentToggles {
        let mut toggles = AugmentToggles::default();
        for kind in pipeline.transforms.iter().filter_map(Kind::of) {
            toggles.set(kind, true);
        }
        toggles
    }

    /// The transform a toggle adds, for `channels`-plane images of `height × width`.
    pub fn transform(kind: Kind, channels: usize, height: usize, width: usize) -> Transform {
        match kind {
            Kind::Crop => Transform::RandomResizedCrop {
                height,
                width,
                scale: [0.6, 1.0],
                ratio: [0.75, 4.0 / 3.0],
            },
            Kind::Flip => Transform::RandomHorizontalFlip { p: 0.5 },
            Kind::Rotate => Transform::RandomRotation { degrees: 15.0 },
            Kind::Jitter => Transform::ColorJitter {
                brightness: 0.4,
                contrast: 0.4,
                saturation: 0.4,
                hue: 0.1,
            },
            Kind::Normalize => Transform::Normalize {
                mean: vec![0.5; channels.max(1)],
                std: vec![0.5; channels.max(1)],
            },
            Kind::Erase => Transform::random_erasing(),
        }
    }

    /// `base` (a link's pipeline, or none) with the transforms of toggles that are off
    /// removed and those of toggles that are on but missing inserted in torchvision order;
    /// every other step of `base` keeps its settings and place.
    pub fn pipeline(
        &self,
        base: Option<&Pipeline>,
        channels: usize,
        height: usize,
        width: usize,
    ) -> Pipeline {
        let mut steps: Vec<Transform> = base
            .map(|b| b.transforms.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|t| Kind::of(t).is_none_or(|k| self.get(k)))
            .collect();
        for (kind, _) in AUGMENT_KINDS {
            if !self.get(*kind) || steps.iter().any(|t| Kind::of(t) == Some(*kind)) {
                continue;
            }
            let t = AugmentToggles::transform(*kind, channels, height, width);
            let at = steps
                .iter()
                .position(|s| rank(s) > rank(&t))
                .unwrap_or(steps.len());
            steps.insert(at, t);
        }
        Pipeline::new(steps)
    }
}

/// The dropout probability of a model that has one (the MLP, VGG, MobileNetV2,
/// EfficientNet and ViT heads); `None` for models without dropout.
pub fn model_dropout(model: &ModelSpec) -> Option<f64> {
    match model {
        ModelSpec::Mlp { dropout, .. }
        | ModelSpec::Vgg { dropout, .. }
        | ModelSpec::MobileNetV2 { dropout, .. }
        | ModelSpec::EfficientNet { dropout, .. } => Some(*dropout),
        ModelSpec::Vit(cfg) => Some(cfg.dropout),
        _ => None,
    }
}

/// `model` with its dropout probability set to `p` (unchanged for models without dropout).
pub fn with_dropout(model: &ModelSpec, p: f64) -> ModelSpec {
    let mut model = model.clone();
    match &mut model {
        ModelSpec::Mlp { dropout, .. }
        | ModelSpec::Vgg { dropout, .. }
        | ModelSpec::MobileNetV2 { dropout, .. }
        | ModelSpec::EfficientNet { dropout, .. } => *dropout = p,
        ModelSpec::Vit(cfg) => cfg.dropout = p,
        _ => {}
    }
    model
}

fn positive(name: &str, text: &str) -> Result<usize, String> {
    match whole(name, text)? {
        0 => Err(format!("{name} must be at least 1")),
        n => Ok(n),
    }
}

fn whole(name: &str, text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| format!("{name} must be a whole number, not \"{}\"", text.trim()))
}

fn fraction(name: &str, text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!(
            "{name} must be a number above 0 and at most 1, not \"{}\"",
            text.trim()
        )),
    }
}

#[cfg(test)]
mod tests;
