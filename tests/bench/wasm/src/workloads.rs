//! The benchmark's training steps, written once with pixelgrad tensors, so the same code runs
//! on every device: forward, loss, backward, and core's `optim::Sgd` with momentum 0.9 (PyTorch
//! semantics: `m = 0.9 m + g; p -= 0.01 m`). The loss read-back is the caller's, so it can be
//! awaited.

use pixelgrad::optim::{Optimizer, Sgd, SgdConfig};
use pixelgrad::{no_grad, Conv2dParams, Device, Error, Pool2dParams, Result, Tensor};

use crate::backend::upload;
use crate::data::{self, ClassifierData, CLASSES};

const LEARNING_RATE: f64 = 0.01;
const MOMENTUM: f64 = 0.9;

/// The two classifiers of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    LeNet,
    Mlp,
}

/// A model, its batch and its optimizer state on one device.
pub struct Trainer {
    model: Model,
    batch: usize,
    x: Tensor,
    onehot: Tensor,
    params: Vec<Tensor>,
    sgd: Sgd,
}

impl Trainer {
    /// Uploads the seeded data and initial weights of `model` to `device`.
    pub fn new(model: Model, device: Device) -> Result<Trainer> {
        let d: ClassifierData = match model {
            Model::LeNet => data::lenet(),
            Model::Mlp => data::mlp(),
        };
        let onehot = upload(d.one_hot(), &[d.batch, CLASSES], device)?;
        let x = upload(d.x, &d.x_shape, device)?;
        let params = d
            .params
            .into_iter()
            .map(|p| upload(p.values, &p.shape, device)?.requires_grad_())
            .collect::<Result<Vec<_>>>()?;
        let config = SgdConfig {
            momentum: MOMENTUM,
            ..SgdConfig::new(LEARNING_RATE)
        };
        let sgd = Sgd::new(params.clone(), config).map_err(optim_error)?;
        Ok(Trainer {
            model,
            batch: d.batch,
            x,
            onehot,
            params,
            sgd,
        })
    }

    /// The logits of the current batch.
    fn forward(&self) -> Result<Tensor> {
        let p = &self.params;
        let linear = |h: &Tensor, w: &Tensor, b: &Tensor| h.matmul(w)?.add(b);
        match self.model {
            Model::LeNet => {
                let pool = Pool2dParams::square(2);
                let same = Conv2dParams {
                    padding: [2, 2],
                    ..Conv2dParams::default()
                };
                let h = self.x.conv2d(&p[0], Some(&p[1]), same)?.relu()?;
                let h = h.max_pool2d(pool)?;
                let h = h.conv2d(&p[2], Some(&p[3]), Conv2dParams::default())?;
                let h = h.relu()?.max_pool2d(pool)?.reshape_to(&[self.batch, 400])?;
                let h = linear(&h, &p[4], &p[5])?.relu()?;
                let h = linear(&h, &p[6], &p[7])?.relu()?;
                linear(&h, &p[8], &p[9])
            }
            Model::Mlp => {
                let h = linear(&self.x, &p[0], &p[1])?.relu()?;
                let h = linear(&h, &p[2], &p[3])?.relu()?;
                linear(&h, &p[4], &p[5])
            }
        }
    }

    /// Mean softmax cross-entropy against the one-hot labels.
    pub fn loss(&self) -> Result<Tensor> {
        self.forward()?
            .log_softmax(1)?
            .mul(&self.onehot)?
            .sum_all()?
            .mul_scalar(-1.0 / self.batch as f64)
    }

    /// One training step; returns the loss of the weights before the update (not read back).
    pub fn step(&mut self) -> Result<Tensor> {
        let loss = self.loss()?;
        loss.backward()?;
        self.sgd.step().map_err(optim_error)?;
        self.sgd.zero_grad();
        Ok(loss.detach())
    }
}

fn optim_error(e: pixelgrad::optim::OptimError) -> Error {
    Error::invalid("bench sgd", e.to_string())
}

/// The `n`×`n` product benchmark: both operands stay on the device between calls.
pub struct Matmul {
    pub n: usize,
    a: Tensor,
    b: Tensor,
}

impl Matmul {
    /// Uploads the seeded operands.
    pub fn new(n: usize, device: Device) -> Result<Matmul> {
        let (a, b) = data::matmul(n);
        Ok(Matmul {
            n,
            a: upload(a, &[n, n], device)?,
            b: upload(b, &[n, n], device)?,
        })
    }

    /// The product (not read back).
    pub fn run(&self) -> Result<Tensor> {
        no_grad(|| self.a.matmul(&self.b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The peers' initial losses on this data (TensorFlow.js, jax-js and PyTorch agree).
    const LENET_INITIAL: f64 = 2.3265;
    const MLP_INITIAL: f64 = 2.3054;

    fn first_losses(model: Model, steps: usize) -> Vec<f64> {
        let mut t = Trainer::new(model, Device::Cpu).expect("trainer");
        (0..steps)
            .map(|_| t.step().and_then(|l| l.item()).expect("step"))
            .collect()
    }

    #[test]
    fn lenet_starts_at_the_peers_loss_and_descends() {
        let l = first_losses(Model::LeNet, 3);
        assert!((l[0] - LENET_INITIAL).abs() < 5e-4, "initial loss {l:?}");
        assert!(l[2] < l[0], "loss does not decrease: {l:?}");
    }

    #[test]
    fn mlp_starts_at_the_peers_loss_and_descends() {
        let l = first_losses(Model::Mlp, 3);
        assert!((l[0] - MLP_INITIAL).abs() < 5e-4, "initial loss {l:?}");
        assert!(l[2] < l[0], "loss does not decrease: {l:?}");
    }
}
