//! The three workloads' inputs and initial weights, generated exactly as the peers' `common.js`
//! does (same seeds, same draw order), in pixelgrad's layouts, which are the canonical ones:
//! conv weights OIHW, fully connected weights `[in, out]` (`y = x @ W + b`), inputs NCHW.

use crate::rng::Mulberry32;

/// Classes in every workload.
pub const CLASSES: usize = 10;

/// A named parameter: its values and shape, in the order the peers draw them.
pub struct Param {
    pub name: &'static str,
    pub values: Vec<f32>,
    pub shape: Vec<usize>,
}

/// One classification batch plus the model's initial parameters.
pub struct ClassifierData {
    pub batch: usize,
    /// Input, `[batch, 1, 28, 28]` for LeNet-5 and `[batch, 784]` for the MLP.
    pub x: Vec<f32>,
    pub x_shape: Vec<usize>,
    pub labels: Vec<usize>,
    pub params: Vec<Param>,
}

impl ClassifierData {
    /// Labels as a one-hot `[batch, 10]` matrix: the loss becomes plain tensor ops
    /// (`-(log_softmax(logits) * onehot).sum() / batch`), as in the jax-js peer.
    pub fn one_hot(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.labels.len() * CLASSES];
        for (row, &class) in self.labels.iter().enumerate() {
            out[row * CLASSES + class] = 1.0;
        }
        out
    }
}

/// Draws `(name, shape, fan_in)` parameters in order from `rng`.
fn params(rng: &mut Mulberry32, spec: &[(&'static str, &[usize], usize)]) -> Vec<Param> {
    spec.iter()
        .map(|&(name, shape, fan_in)| Param {
            name,
            values: rng.param(shape.iter().product(), fan_in),
            shape: shape.to_vec(),
        })
        .collect()
}

/// LeNet-5 on a batch of 64 images 1×28×28 (seed 42).
pub fn lenet() -> ClassifierData {
    let batch = 64;
    let mut rng = Mulberry32::new(42);
    let x = rng.fill(batch * 784, 0.0, 1.0);
    let labels = rng.labels(batch);
    let params = params(
        &mut rng,
        &[
            ("w1", &[6, 1, 5, 5], 25),
            ("b1", &[6], 25),
            ("w2", &[16, 6, 5, 5], 150),
            ("b2", &[16], 150),
            ("w3", &[400, 120], 400),
            ("b3", &[120], 400),
            ("w4", &[120, 84], 120),
            ("b4", &[84], 120),
            ("w5", &[84, 10], 84),
            ("b5", &[10], 84),
        ],
    );
    ClassifierData {
        batch,
        x,
        x_shape: vec![batch, 1, 28, 28],
        labels,
        params,
    }
}

/// MLP 784-256-256-10 on a batch of 128 (seed 43).
pub fn mlp() -> ClassifierData {
    let batch = 128;
    let mut rng = Mulberry32::new(43);
    let x = rng.fill(batch * 784, 0.0, 1.0);
    let labels = rng.labels(batch);
    let params = params(
        &mut rng,
        &[
            ("w1", &[784, 256], 784),
            ("b1", &[256], 784),
            ("w2", &[256, 256], 256),
            ("b2", &[256], 256),
            ("w3", &[256, 10], 256),
            ("b3", &[10], 256),
        ],
    );
    ClassifierData {
        batch,
        x,
        x_shape: vec![batch, 784],
        labels,
        params,
    }
}

/// Two `n`×`n` matrices uniform in [-1, 1) (seed 44).
pub fn matmul(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Mulberry32::new(44);
    let a = rng.fill(n * n, -1.0, 1.0);
    let b = rng.fill(n * n, -1.0, 1.0);
    (a, b)
}
