//! A tiny sign analysis for the NaN warnings: which values are provably positive (safe to
//! divide by or take the log of) and which are at least non-negative. Underflow (exp of a very
//! negative number) is ignored: the warnings target the common slips, `x / sum(w)` and
//! `log(1 - p)`, not floating-point corner cases.

/// What is known about the sign of every element of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sign {
    /// Nothing known.
    Any,
    /// `>= 0`.
    NonNeg,
    /// `> 0`.
    Pos,
}

impl Sign {
    /// The sign of a known constant.
    pub fn of(v: f64) -> Sign {
        if v > 0.0 {
            Sign::Pos
        } else if v == 0.0 {
            Sign::NonNeg
        } else {
            Sign::Any
        }
    }

    /// `a + b`.
    pub fn add(a: Sign, b: Sign) -> Sign {
        match (a, b) {
            (Sign::Any, _) | (_, Sign::Any) => Sign::Any,
            (Sign::Pos, _) | (_, Sign::Pos) => Sign::Pos,
            _ => Sign::NonNeg,
        }
    }

    /// `a * b` and `a / b` (a quotient is only defined where the divisor is non-zero).
    pub fn mul(a: Sign, b: Sign) -> Sign {
        a.min(b)
    }

    /// `maximum(a, b)`: positive if either is.
    pub fn maximum(a: Sign, b: Sign) -> Sign {
        a.max(b)
    }

    /// `base ^ exponent`; an even integer exponent makes anything non-negative.
    pub fn pow(base: Sign, exponent: Option<f64>) -> Sign {
        let even = exponent.is_some_and(|p| p.fract() == 0.0 && p % 2.0 == 0.0);
        if even {
            base.max(Sign::NonNeg)
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_rules() {
        assert_eq!(Sign::add(Sign::Pos, Sign::NonNeg), Sign::Pos);
        assert_eq!(Sign::add(Sign::Pos, Sign::Any), Sign::Any);
        assert_eq!(Sign::mul(Sign::Pos, Sign::NonNeg), Sign::NonNeg);
        assert_eq!(Sign::pow(Sign::Any, Some(2.0)), Sign::NonNeg);
        assert_eq!(Sign::of(-1.0), Sign::Any);
    }
}
