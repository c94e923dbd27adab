//! "Check gradient" for a user's loss: autograd against central differences, in f64 on the
//! CPU, on a small random batch produced by a tiny linear model, so terms with `grad_norm`
//! (second order) are checked too.

use super::error::LossError;
use super::inputs::Inputs;
use super::Loss;
use crate::autograd::{gradcheck as core_gradcheck, GradcheckReport};
use crate::error::Error;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Input width of the stand-in model.
const WIDTH: usize = 3;
/// Feature width of the stand-in model.
const FEATURES: usize = 2;

/// Checks `loss` on a random batch of `batch` samples (at most 16) and `classes` classes (2 to
/// 16): logits `x W`, heads `x W_h`, features `tanh(x W_f)` with `x` the `grad_norm` input.
/// Returns the worst relative error over the weights; below about 1e-6 is correct.
pub fn gradcheck(
    loss: &Loss,
    batch: usize,
    classes: usize,
    seed: u64,
) -> Result<GradcheckReport, LossError> {
    let (b, c) = (batch.clamp(1, 16), classes.clamp(2, 16));
    let mut rng = Rng::new(seed);
    let f64s = |v: Vec<f32>, shape: &[usize]| {
        Tensor::from_vec(
            v.into_iter().map(f64::from).collect::<Vec<f64>>(),
            shape.to_vec(),
        )
    };
    let wrap = |r: crate::Result<Tensor>| {
        r.map_err(|source| LossError::Tensor {
            span: loss.program().result.span,
            source,
        })
    };
    let x = wrap(f64s(rng.normal(b * WIDTH, 0.0, 1.0), &[b, WIDTH]))?;
    let target: Vec<f64> = rng
        .uniform(b, 0.0, c as f32)
        .into_iter()
        .map(|v| f64::from(v).floor().min(c as f64 - 1.0))
        .collect();
    let target = wrap(Tensor::from_vec(target, [b]))?;
    let cw = wrap(f64s(rng.uniform(c, 0.5, 2.0), &[c]))?;
    let heads = &loss.env().heads;
    let mut weights = vec![wrap(f64s(rng.normal(WIDTH * c, 0.0, 1.0), &[WIDTH, c]))?];
    for _ in heads {
        weights.push(wrap(f64s(rng.normal(WIDTH * c, 0.0, 1.0), &[WIDTH, c]))?);
    }
    weights.push(wrap(f64s(
        rng.normal(WIDTH * FEATURES, 0.0, 1.0),
        &[WIDTH, FEATURES],
    ))?);
    let build = |ws: &[Tensor]| -> Result<Tensor, LossError> {
        let x = wrap(x.detach().requires_grad_())?;
        let logits = wrap(x.matmul(&ws[0]))?;
        let mut inputs = Inputs::new(logits, target.clone())
            .class_weights(cw.clone())
            .wrt(x.clone());
        for (i, name) in heads.iter().enumerate() {
            inputs = inputs.head(name, wrap(x.matmul(&ws[i + 1]))?);
        }
        if loss.env().features {
            let last = &ws[ws.len() - 1];
            inputs = inputs.features(wrap(x.matmul(last).and_then(|f| f.tanh()))?);
        }
        loss.evaluate(&inputs)
    };
    // One plain evaluation first, so a bad loss reports its own typed error.
    build(&weights)?;
    core_gradcheck(
        |ws| build(ws).map_err(|e| Error::invalid("loss", e.to_string())),
        &weights,
    )
    .map_err(|source| LossError::Tensor {
        span: loss.program().result.span,
        source,
    })
}
