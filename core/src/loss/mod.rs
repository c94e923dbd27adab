//! Losses beyond the built-in functions of `ops::loss`: the loss language users write in the
//! playground's editor ([`dsl`]).

pub mod dsl;
pub mod objective;
pub mod probe;

pub use objective::{Objective, ObjectiveError};
