//! Multi-layer perceptron: `Flatten`, then `Linear → activation [→ Dropout]` per hidden layer,
//! then the classifier, as one `nn.Sequential` (names `1.weight`, `3.weight`, ...).

use crate::error::Result;
use crate::nn::{Activation, Dropout, Flatten, Linear, Sequential};
use crate::rng::Rng;

/// Builds the MLP for `inputs` features.
pub(crate) fn build(
    inputs: usize,
    hidden: &[usize],
    activation: Activation,
    dropout: f64,
    classes: usize,
    rng: &mut Rng,
) -> Result<Sequential> {
    let mut net = Sequential::new().push(Flatten);
    let mut width = inputs;
    for &h in hidden {
        net = net.push(Linear::new(width, h, true, rng)?).push(activation);
        if dropout > 0.0 {
            net = net.push(Dropout { p: dropout });
        }
        width = h;
    }
    Ok(net.push(Linear::new(width, classes, true, rng)?))
}
