//! The NaN warnings: a division by something that can be zero, or a log of something that
//! can be zero, with a one-click `clamp` fix. Built on the sign analysis of [`super::sign`].

use super::ast::Expr;
use super::checker::{literal, Checker};
use super::diagnostic::Diagnostic;
use super::env::Ty;
use super::sign::Sign;

impl Checker<'_> {
    /// Errors on a literal zero divisor, warns on one that is not provably positive.
    pub(super) fn check_divisor(&mut self, b: &Expr, tb: &Ty) {
        if literal(b) == Some(0.0) {
            self.error(b.span, "division by zero");
            return;
        }
        if tb.sign == Sign::Pos {
            return;
        }
        let text = b.span.text(self.source);
        self.diags.push(
            Diagnostic::warning(
                b.span,
                format!(
                    "`{text}` can be zero (or negative), and dividing by zero gives NaN or inf \
                     that ends training"
                ),
            )
            .with_fix(
                "clamp the divisor away from zero",
                b.span,
                format!("clamp({text}, 1e-12)"),
            ),
        );
    }

    /// Warns when `log` may see zero.
    pub(super) fn check_log_arg(&mut self, arg: &Expr, ty: &Ty) {
        if ty.sign == Sign::Pos {
            return;
        }
        let text = arg.span.text(self.source);
        self.diags.push(
            Diagnostic::warning(
                arg.span,
                format!("`{text}` can be zero, and log(0) = -inf gives NaN gradients"),
            )
            .with_fix(
                "clamp the argument away from zero",
                arg.span,
                format!("clamp({text}, 1e-12)"),
            ),
        );
    }
}
