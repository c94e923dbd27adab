//! The backward pass: topological order over nodes that require grad, gradients accumulated
//! per node id, rules from [`super::backward`]. Iterative, so deep graphs cannot overflow the
//! stack.

use std::collections::{HashMap, HashSet};

use super::backward::backward_rule;
use super::grad_mode;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Nodes reachable from `roots` through tensors that require grad, inputs before outputs.
fn topo_order(roots: &[Tensor]) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut visited = HashSet::new();
    let mut stack: Vec<(Tensor, bool)> = roots.iter().map(|t| (t.clone(), false)).collect();
    while let Some((t, expanded)) = stack.pop() {
        if expanded {
            order.push(t);
            continue;
        }
        if !visited.insert(t.id()) {
            continue;
        }
        stack.push((t.clone(), true));
        if let Some(node) = t.node() {
            for i in &node.inputs {
                if i.requires_grad() && !visited.contains(&i.id()) {
                    stack.push((i.clone(), false));
                }
            }
        }
    }
    order
}

fn accumulate(map: &mut HashMap<u64, Tensor>, id: u64, g: Tensor) -> Result<()> {
    let sum = match map.remove(&id) {
        Some(prev) => prev.add(&g)?,
        None => g,
    };
    map.insert(id, sum);
    Ok(())
}

fn check_scalar(op: &'static str, t: &Tensor) -> Result<()> {
    if t.numel() != 1 {
        return Err(Error::NotScalar {
            op,
            shape: t.dims().to_vec(),
        });
    }
    if !t.requires_grad() {
        return Err(Error::NoGrad { op });
    }
    Ok(())
}

/// Propagates from seeded roots. With `keep = None`, leaf gradients are accumulated into the
/// leaves' grad slots; otherwise the gradients of the tensors in `keep` are returned.
fn propagate(
    roots: &[Tensor],
    create_graph: bool,
    keep: Option<&HashSet<u64>>,
) -> Result<HashMap<u64, Tensor>> {
    let order = topo_order(roots);
    grad_mode::with_mode(create_graph, || {
        let mut grads: HashMap<u64, Tensor> = HashMap::new();
        for r in roots {
            accumulate(&mut grads, r.id(), r.ones_like())?;
        }
        for t in order.iter().rev() {
            let Some(g) = grads.get(&t.id()).cloned() else {
                continue;
            };
            let Some(node) = t.node() else {
                if keep.is_none() {
                    let total = match t.grad() {
                        Some(prev) => prev.add(&g)?,
                        None => g,
                    };
                    t.set_grad(Some(total));
                }
                continue;
            };
            let needs: Vec<bool> = node.inputs.iter().map(Tensor::requires_grad).collect();
            let input_grads = backward_rule(&node.op, &node.inputs, t, &g, &needs)?;
            for ((input, gi), need) in node.inputs.iter().zip(input_grads).zip(needs) {
                let Some(gi) = gi else { continue };
                if !need {
                    continue;
                }
                if gi.dims() != input.dims() {
                    return Err(Error::shapes(
                        "backward",
                        &[input.dims(), gi.dims()],
                        format!(
                            "rule for {:?} produced a gradient of the wrong shape",
                            node.op.kind()
                        ),
                    ));
                }
                accumulate(&mut grads, input.id(), gi)?;
            }
            if !keep.is_some_and(|k| k.contains(&t.id())) {
                grads.remove(&t.id());
            }
        }
        Ok(grads)
    })
}

impl Tensor {
    /// Backpropagates from this one-element tensor, adding d(self)/d(leaf) into the `grad()`
    /// of every leaf that requires grad (like torch, gradients accumulate until `zero_grad`).
    pub fn backward(&self) -> Result<()> {
        check_scalar("backward", self)?;
        propagate(std::slice::from_ref(self), false, None).map(|_| ())
    }
}

/// torch.autograd.grad: d(sum of outputs)/d(input) for each input, without touching `grad()`
/// slots. With `create_graph`, the results are themselves differentiable (gradient penalty,
/// higher-order checks). Inputs the outputs do not depend on get zeros.
pub fn grad(outputs: &[Tensor], inputs: &[Tensor], create_graph: bool) -> Result<Vec<Tensor>> {
    for o in outputs {
        check_scalar("grad", o)?;
    }
    let keep: HashSet<u64> = inputs.iter().map(Tensor::id).collect();
    let grads = propagate(outputs, create_graph, Some(&keep))?;
    Ok(inputs
        .iter()
        .map(|i| {
            grads
                .get(&i.id())
                .cloned()
                .unwrap_or_else(|| i.zeros_like())
        })
        .collect())
}
