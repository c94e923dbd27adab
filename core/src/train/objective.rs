//! What a [`Trainer`] minimizes: the built-in cross-entropy, or a run's custom loss checked
//! against the training settings before the first step.

use super::{TrainError, Trainer};
use crate::io::LossSpec;
use crate::loss::dsl::Env;
use crate::loss::{Objective, ObjectiveError};
use crate::nn::Module;

impl From<ObjectiveError> for TrainError {
    fn from(e: ObjectiveError) -> Self {
        match e {
            ObjectiveError::Tensor(e) => TrainError::Tensor(e),
            ObjectiveError::Loss(e) => TrainError::Loss(e),
            ObjectiveError::SoftTargets => TrainError::Config(e.to_string()),
        }
    }
}

impl<M: Module> Trainer<M> {
    /// Trains with `loss` (a run's [`LossSpec`]) instead of the built-in cross-entropy: a
    /// custom source is compiled for a plain classifier (logits, targets, the input batch for
    /// `grad_norm`) and its sliders and cost at the configured batch size are checked now.
    /// Custom losses take class-index targets, so mixing and label smoothing (which belong
    /// to the built-in loss) are refused with them.
    pub fn with_loss(self, loss: &LossSpec) -> Result<Trainer<M>, TrainError> {
        let objective = Objective::from_spec(loss, self.config.label_smoothing, &Env::default())?;
        self.with_objective(objective)
    }

    /// [`Trainer::with_loss`] for an objective built by the caller (e.g. with class weights).
    pub fn with_objective(mut self, objective: Objective) -> Result<Trainer<M>, TrainError> {
        if objective.is_custom() {
            if self.config.loader.mix.is_some() {
                return Err(TrainError::Config(
                    "custom losses take class-index targets; turn off mixup and cutmix".into(),
                ));
            }
            if self.config.label_smoothing != 0.0 {
                return Err(TrainError::Config(
                    "label smoothing belongs to the built-in cross-entropy; write it into the \
                     custom loss instead (see the label_smoothing preset)"
                        .into(),
                ));
            }
            objective.check_batch(self.config.loader.batch_size, self.classes)?;
        }
        self.objective = objective;
        Ok(self)
    }
}
