//! The per-call context of a forward pass: mode, randomness, and optional instrumentation.

use crate::rng::Rng;
use crate::tensor::Tensor;

/// An output recorded during a forward pass (feature maps for the UI).
#[derive(Debug, Clone)]
pub struct Record {
    /// Dotted module path, e.g. `features.0`.
    pub name: String,
    /// The module's output.
    pub tensor: Tensor,
}

/// Mode, generator and instrumentation for one forward pass.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Training mode: dropout active, batch norm uses and updates batch statistics.
    pub training: bool,
    /// Draws for dropout and stochastic depth.
    pub rng: Rng,
    path: Vec<String>,
    records: Option<Vec<Record>>,
    /// When set, only the module at this dotted path is recorded.
    record_only: Option<String>,
    macs: Option<Vec<(String, u64)>>,
}

impl Ctx {
    /// Training mode with a seeded generator.
    pub fn train(rng: Rng) -> Ctx {
        Ctx {
            training: true,
            rng,
            path: Vec::new(),
            records: None,
            record_only: None,
            macs: None,
        }
    }

    /// Evaluation mode (deterministic).
    pub fn eval() -> Ctx {
        Ctx {
            training: false,
            rng: Rng::new(0),
            path: Vec::new(),
            records: None,
            record_only: None,
            macs: None,
        }
    }

    /// Also keep every module's output (for feature-map views); costs memory.
    pub fn recording(mut self) -> Ctx {
        self.records = Some(Vec::new());
        self
    }

    /// Record only the output of the module at `path` (e.g. `pool`: a backbone's pooled
    /// features), which costs one tensor instead of every activation: how transfer learning
    /// caches a frozen backbone's features.
    pub fn recording_only(mut self, path: &str) -> Ctx {
        self.records = Some(Vec::new());
        self.record_only = Some(path.to_string());
        self
    }

    /// Also count multiply-accumulates per module.
    pub fn counting_macs(mut self) -> Ctx {
        self.macs = Some(Vec::new());
        self
    }

    /// Runs `f` as the child `name` of the current module: the path grows by `name` and the
    /// output is recorded when recording.
    pub fn child(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut Ctx) -> crate::Result<Tensor>,
    ) -> crate::Result<Tensor> {
        self.path.push(name.to_string());
        let out = f(self);
        if let (Ok(t), Some(records)) = (&out, self.records.as_mut()) {
            let name = self.path.join(".");
            if self.record_only.as_ref().is_none_or(|only| *only == name) {
                records.push(Record {
                    name,
                    tensor: t.detach(),
                });
            }
        }
        self.path.pop();
        out
    }

    /// Adds `n` multiply-accumulates to the current module (leaf layers call this).
    pub fn count_macs(&mut self, n: u64) {
        if let Some(m) = self.macs.as_mut() {
            m.push((self.path.join("."), n));
        }
    }

    /// The recorded outputs, in execution order.
    pub fn take_records(&mut self) -> Vec<Record> {
        self.records
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// MACs per module path, in execution order.
    pub fn take_macs(&mut self) -> Vec<(String, u64)> {
        self.macs.as_mut().map(std::mem::take).unwrap_or_default()
    }
}
