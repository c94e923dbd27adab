//! Symbolic shapes: dimensions are the batch `B`, the classes `C`, the feature width `F`, or 1,
//! so a loss is checked once for every batch size and data set. Broadcasting follows PyTorch:
//! shapes align at the trailing dimension and a 1 stretches; `B` never matches `C`, even on a
//! batch where the sizes happen to agree.

/// One symbolic dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dim {
    /// A size-1 dimension (from `keepdim`).
    One,
    /// Batch size.
    B,
    /// Number of classes.
    C,
    /// Width of the model's feature vector.
    F,
}

impl std::fmt::Display for Dim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dim::One => "1",
            Dim::B => "B",
            Dim::C => "C",
            Dim::F => "F",
        })
    }
}

/// A symbolic shape; empty is a scalar.
pub type SymShape = Vec<Dim>;

/// `[B, C]`, `[]` ("scalar") and so on, for messages.
pub fn show(shape: &[Dim]) -> String {
    if shape.is_empty() {
        return "a scalar".to_string();
    }
    let dims: Vec<String> = shape.iter().map(Dim::to_string).collect();
    format!("[{}]", dims.join(", "))
}

/// PyTorch broadcasting of two shapes, or the first pair of dimensions that clash.
pub fn broadcast(a: &[Dim], b: &[Dim]) -> Result<SymShape, (Dim, Dim)> {
    let n = a.len().max(b.len());
    let mut out = vec![Dim::One; n];
    for (i, slot) in out.iter_mut().enumerate() {
        let da = (i + a.len()).checked_sub(n).map_or(Dim::One, |j| a[j]);
        let db = (i + b.len()).checked_sub(n).map_or(Dim::One, |j| b[j]);
        *slot = match (da, db) {
            (x, y) if x == y => x,
            (Dim::One, y) => y,
            (x, Dim::One) => x,
            (x, y) => return Err((x, y)),
        };
    }
    Ok(out)
}

/// Concrete sizes of the symbols for one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// `B`: samples in the batch.
    pub batch: usize,
    /// `C`: classes.
    pub classes: usize,
    /// `F`: width of `features` (0 when absent).
    pub features: usize,
}

impl Sizes {
    /// Number of elements of `shape` at these sizes.
    pub fn numel(&self, shape: &[Dim]) -> u64 {
        shape
            .iter()
            .map(|d| match d {
                Dim::One => 1u64,
                Dim::B => self.batch as u64,
                Dim::C => self.classes as u64,
                Dim::F => self.features as u64,
            })
            .fold(1u64, u64::saturating_mul)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_broadcasting() {
        use Dim::*;
        assert_eq!(broadcast(&[B, C], &[B, One]), Ok(vec![B, C]));
        assert_eq!(broadcast(&[B, C], &[C]), Ok(vec![B, C]));
        assert_eq!(broadcast(&[], &[B]), Ok(vec![B]));
        assert_eq!(broadcast(&[B, C], &[B]), Err((C, B)));
    }
}
