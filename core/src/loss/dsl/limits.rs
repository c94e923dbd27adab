//! Bounds that keep any loss source cheap to parse, check and evaluate, so a shared link or a
//! stray keystroke can never hang the training worker.

/// Longest accepted source, in bytes (the same bound as `RunSpec` validation).
pub const MAX_SOURCE_BYTES: usize = 4096;
/// Most tokens in a source.
pub const MAX_TOKENS: usize = 2048;
/// Longest identifier.
pub const MAX_IDENT_LEN: usize = 64;
/// Deepest nesting of expressions (parentheses, calls, operators); the parser recurses at
/// most this deep.
pub const MAX_DEPTH: usize = 48;
/// Most `let` bindings.
pub const MAX_LETS: usize = 64;
/// Most sliders (the same bound as `RunSpec` validation).
pub const MAX_PARAMS: usize = 16;
/// Most evaluated AST nodes (lets counted once).
pub const MAX_NODES: usize = 1024;
/// Most element operations one evaluation may cost (sum over nodes of weight × elements);
/// about a second of the single-threaded CPU fallback in the browser.
pub const MAX_COST: u64 = 200_000_000;
