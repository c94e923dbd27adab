//! The evaluation bound and slider resolution, checked before any tensor is computed.

use super::ast::Program;
use super::error::LossError;
use super::limits::MAX_COST;
use super::shape::{Sizes, SymShape};

/// Sum over the checker's nodes of weight × elements at `sizes`, saturating.
pub(super) fn estimate(terms: &[(SymShape, u64)], sizes: Sizes) -> u64 {
    terms.iter().fold(0u64, |acc, (shape, w)| {
        acc.saturating_add(sizes.numel(shape).saturating_mul(*w))
    })
}

/// Refuses an evaluation over [`MAX_COST`].
pub(super) fn check(terms: &[(SymShape, u64)], sizes: Sizes) -> Result<(), LossError> {
    let cost = estimate(terms, sizes);
    if cost > MAX_COST {
        return Err(LossError::TooCostly {
            cost,
            limit: MAX_COST,
        });
    }
    Ok(())
}

/// Slider values in declaration order: given values (validated against the ranges) or the
/// defaults.
pub(super) fn param_values(
    program: &Program,
    given: &[(String, f64)],
) -> Result<Vec<f64>, LossError> {
    let decls: Vec<_> = program.params().collect();
    if let Some((name, _)) = given
        .iter()
        .find(|(n, _)| !decls.iter().any(|d| &d.name == n))
    {
        return Err(LossError::UnknownParam { name: name.clone() });
    }
    decls
        .iter()
        .map(|d| {
            let v = given
                .iter()
                .rev()
                .find(|(n, _)| n == &d.name)
                .map_or(d.default, |&(_, v)| v);
            if v.is_finite() && (d.lo..=d.hi).contains(&v) {
                Ok(v)
            } else {
                Err(LossError::ParamOutOfRange {
                    name: d.name.clone(),
                    value: v,
                    lo: d.lo,
                    hi: d.hi,
                })
            }
        })
        .collect()
}
