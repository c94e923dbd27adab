//! Shared helpers for pixelgrad's integration tests: fixture loading and tolerances.
