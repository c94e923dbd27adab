//! Learning-rate schedules with PyTorch's closed forms (`torch.optim.lr_scheduler`), as serde
//! data for a run's spec. `t` counts `scheduler.step()` calls: per epoch for the epoch-based
//! schedules, per batch for [`Schedule::OneCycle`], as in PyTorch; the trainer follows
//! [`Schedule::interval`].

use serde::{Deserialize, Serialize};

use super::OptimError;

/// When the trainer advances a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Epoch,
    Step,
}

/// A closed-form schedule: the learning rate is a pure function of `(base_lr, t)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// `StepLR`: `base * gamma^floor(t / step_size)`.
    Step { step_size: usize, gamma: f64 },
    /// `MultiStepLR`: `base * gamma^(number of milestones <= t)`.
    MultiStep { milestones: Vec<usize>, gamma: f64 },
    /// `ExponentialLR`: `base * gamma^t`.
    Exponential { gamma: f64 },
    /// `CosineAnnealingLR` (closed form): `eta_min + (base - eta_min)(1 + cos(pi t / t_max)) / 2`.
    Cosine { t_max: usize, eta_min: f64 },
    /// `CosineAnnealingWarmRestarts`: cosine cycles of length `t_0`, `t_0 * t_mult`, ...
    CosineWarmRestarts {
        t_0: usize,
        t_mult: usize,
        eta_min: f64,
    },
    /// `OneCycleLR` (two phases): from `max_lr / div_factor` up to `max_lr` over
    /// `pct_start * total_steps - 1` steps, then down to `initial / final_div_factor` at
    /// `total_steps - 1`; ignores the base rate, as PyTorch does.
    OneCycle {
        max_lr: f64,
        total_steps: usize,
        pct_start: f64,
        anneal: Anneal,
        div_factor: f64,
        final_div_factor: f64,
    },
    /// Linear warm-up composed with any schedule: PyTorch's
    /// `SequentialLR([LinearLR(start_factor, total_iters=steps), then], milestones=[steps])`;
    /// `then` starts at its own `t = 0` when the warm-up ends.
    Warmup {
        steps: usize,
        start_factor: f64,
        then: Box<Schedule>,
    },
}

/// OneCycle's interpolation between phase end points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anneal {
    Cos,
    Linear,
}

impl Schedule {
    /// PyTorch's `OneCycleLR(max_lr, total_steps)` defaults: pct 0.3, cos, 25, 1e4.
    pub fn one_cycle(max_lr: f64, total_steps: usize) -> Schedule {
        Schedule::OneCycle {
            max_lr,
            total_steps,
            pct_start: 0.3,
            anneal: Anneal::Cos,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }

    /// Whether the trainer steps this schedule per epoch or per batch.
    pub fn interval(&self) -> Interval {
        match self {
            Schedule::OneCycle { .. } => Interval::Step,
            Schedule::Warmup { then, .. } => then.interval(),
            _ => Interval::Epoch,
        }
    }

    /// Rejects settings PyTorch rejects (zero periods, non-positive factors, bad fractions).
    pub fn validate(&self) -> Result<(), OptimError> {
        let bad = |r: String| {
            Err(OptimError::InvalidArgument {
                what: "schedule",
                reason: r,
            })
        };
        let gamma_ok = |g: f64| g > 0.0 && g.is_finite();
        match self {
            Schedule::Step { step_size: 0, .. } => bad("step_size must be positive".into()),
            Schedule::Step { gamma, .. }
            | Schedule::MultiStep { gamma, .. }
            | Schedule::Exponential { gamma }
                if !gamma_ok(*gamma) =>
            {
                bad(format!("gamma {gamma} must be positive"))
            }
            Schedule::Cosine { t_max: 0, .. } => bad("t_max must be positive".into()),
            Schedule::CosineWarmRestarts { t_0, t_mult, .. } if *t_0 == 0 || *t_mult == 0 => {
                bad("t_0 and t_mult must be positive".into())
            }
            Schedule::OneCycle {
                max_lr,
                total_steps,
                pct_start,
                div_factor,
                final_div_factor,
                ..
            } => {
                if *total_steps < 2
                    || !(0.0..=1.0).contains(pct_start)
                    || [*max_lr, *div_factor, *final_div_factor]
                        .iter()
                        .any(|v| !v.is_finite() || *v <= 0.0)
                {
                    bad("one_cycle needs total_steps >= 2, pct_start in [0, 1] and positive max_lr and factors".into())
                } else {
                    Ok(())
                }
            }
            Schedule::Warmup {
                start_factor, then, ..
            } => {
                if !(*start_factor > 0.0 && *start_factor <= 1.0) {
                    return bad(format!("start_factor {start_factor} must be in (0, 1]"));
                }
                then.validate()
            }
            _ => Ok(()),
        }
    }

    /// The learning rate after `t` scheduler steps.
    pub fn lr(&self, base_lr: f64, t: usize) -> f64 {
        let cosine = |lo: f64, hi: f64, cur: f64, period: f64| {
            lo + (hi - lo) * (1.0 + (std::f64::consts::PI * cur / period).cos()) / 2.0
        };
        match self {
            Schedule::Constant => base_lr,
            Schedule::Step { step_size, gamma } => base_lr * gamma.powi((t / step_size) as i32),
            Schedule::MultiStep { milestones, gamma } => {
                base_lr * gamma.powi(milestones.iter().filter(|&&m| m <= t).count() as i32)
            }
            Schedule::Exponential { gamma } => base_lr * gamma.powi(t as i32),
            Schedule::Cosine { t_max, eta_min } => {
                cosine(*eta_min, base_lr, t as f64, *t_max as f64)
            }
            Schedule::CosineWarmRestarts {
                t_0,
                t_mult,
                eta_min,
            } => {
                let (t_cur, t_i) = restart_position(t, *t_0, *t_mult);
                cosine(*eta_min, base_lr, t_cur as f64, t_i as f64)
            }
            Schedule::OneCycle {
                max_lr,
                total_steps,
                pct_start,
                anneal,
                div_factor,
                final_div_factor,
            } => {
                let initial = max_lr / div_factor;
                let min_lr = initial / final_div_factor;
                let up_end = pct_start * *total_steps as f64 - 1.0;
                let down_end = *total_steps as f64 - 1.0;
                let t = t as f64;
                let (start, end, from, to) = if t <= up_end {
                    (initial, *max_lr, 0.0, up_end)
                } else {
                    (*max_lr, min_lr, up_end, down_end)
                };
                let pct = ((t - from) / (to - from)).min(1.0);
                match anneal {
                    Anneal::Cos => {
                        end + (start - end) / 2.0 * ((std::f64::consts::PI * pct).cos() + 1.0)
                    }
                    Anneal::Linear => (end - start) * pct + start,
                }
            }
            Schedule::Warmup {
                steps,
                start_factor,
                then,
            } => {
                if t < *steps {
                    base_lr * (start_factor + (1.0 - start_factor) * t as f64 / *steps as f64)
                } else {
                    then.lr(base_lr, t - steps)
                }
            }
        }
    }
}

/// `(T_cur, T_i)` of `CosineAnnealingWarmRestarts` at step `t`.
fn restart_position(t: usize, t_0: usize, t_mult: usize) -> (usize, usize) {
    if t_mult == 1 {
        return (t % t_0, t_0);
    }
    let (mut start, mut len) = (0usize, t_0);
    while t >= start + len {
        start += len;
        len *= t_mult;
    }
    (t - start, len)
}

/// A schedule being followed: the base rate and the step count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheduler {
    schedule: Schedule,
    base_lr: f64,
    t: usize,
}

impl Scheduler {
    /// Starts `schedule` at `t = 0` from `base_lr` (the optimizer's initial rate).
    pub fn new(schedule: Schedule, base_lr: f64) -> Result<Scheduler, OptimError> {
        schedule.validate()?;
        Ok(Scheduler {
            schedule,
            base_lr,
            t: 0,
        })
    }

    /// The current learning rate.
    pub fn lr(&self) -> f64 {
        self.schedule.lr(self.base_lr, self.t)
    }

    /// Advances one step and returns the new rate.
    pub fn step(&mut self) -> f64 {
        self.t += 1;
        self.lr()
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.t
    }

    /// Jumps to step `t`: a run resumed from a checkpoint continues its schedule where the
    /// checkpoint left it (every schedule is a pure function of `t`).
    pub fn seek(&mut self, t: usize) {
        self.t = t;
    }

    /// The schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
}
