//! The WGSL sources, one file per op family under `shaders/`, and how they are composed into
//! modules: every module starts with `common.wgsl` (bindings and helpers); the matmul appends
//! its operand layout to the register-blocked GEMM core, conv its implicit-GEMM layouts to the
//! workgroup-tiled one.

const COMMON: &str = include_str!("../../../../shaders/common.wgsl");
const ELEMENTWISE: &str = include_str!("../../../../shaders/elementwise.wgsl");
const REDUCE: &str = include_str!("../../../../shaders/reduce.wgsl");
const SOFTMAX: &str = include_str!("../../../../shaders/softmax.wgsl");
const POOL: &str = include_str!("../../../../shaders/pool.wgsl");
const INDEX: &str = include_str!("../../../../shaders/index.wgsl");
const GEMM: &str = include_str!("../../../../shaders/gemm.wgsl");
const GEMM_REGS: &str = include_str!("../../../../shaders/gemm_regs.wgsl");
const MATMUL: &str = include_str!("../../../../shaders/matmul.wgsl");
const CONV: &str = include_str!("../../../../shaders/conv.wgsl");

/// One compiled module per op family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShaderId {
    Elementwise,
    Reduce,
    Softmax,
    Pool,
    Index,
    Matmul,
    Conv,
}

impl ShaderId {
    /// Every module, for validation tests and warm-up.
    pub const ALL: [ShaderId; 7] = [
        ShaderId::Elementwise,
        ShaderId::Reduce,
        ShaderId::Softmax,
        ShaderId::Pool,
        ShaderId::Index,
        ShaderId::Matmul,
        ShaderId::Conv,
    ];

    /// File name of the family's own source, for labels and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ShaderId::Elementwise => "elementwise.wgsl",
            ShaderId::Reduce => "reduce.wgsl",
            ShaderId::Softmax => "softmax.wgsl",
            ShaderId::Pool => "pool.wgsl",
            ShaderId::Index => "index.wgsl",
            ShaderId::Matmul => "matmul.wgsl",
            ShaderId::Conv => "conv.wgsl",
        }
    }

    /// The complete module source as compiled by the runtime.
    pub fn source(self) -> String {
        let parts: &[&str] = match self {
            ShaderId::Elementwise => &[COMMON, ELEMENTWISE],
            ShaderId::Reduce => &[COMMON, REDUCE],
            ShaderId::Softmax => &[COMMON, SOFTMAX],
            ShaderId::Pool => &[COMMON, POOL],
            ShaderId::Index => &[COMMON, INDEX],
            ShaderId::Matmul => &[COMMON, GEMM_REGS, MATMUL],
            ShaderId::Conv => &[COMMON, GEMM, CONV],
        };
        parts.join("\n")
    }

    /// Every pipeline the runtime may create from this module: entry, `MODE`, input count.
    pub(crate) fn kernels(self) -> Vec<Kernel> {
        let k = |entry, inputs| Kernel::new(self, entry, inputs);
        match self {
            ShaderId::Elementwise => {
                let with_mode = |entry, inputs, mode| Kernel {
                    mode: Some(mode),
                    ..k(entry, inputs)
                };
                let mut v: Vec<Kernel> = (0..super::kernels::UNARY_OPS)
                    .map(|m| with_mode("unary", 1, m))
                    .collect();
                v.extend((0..super::kernels::BINARY_OPS).map(|m| with_mode("binary", 2, m)));
                v.push(k("where_select", 3));
                v
            }
            ShaderId::Reduce => ["reduce_serial", "reduce_tree"]
                .into_iter()
                .flat_map(|entry| {
                    (0..2).map(move |mode| Kernel {
                        mode: Some(mode),
                        ..Kernel::new(ShaderId::Reduce, entry, 1)
                    })
                })
                .collect(),
            ShaderId::Softmax => vec![k("softmax", 1)],
            ShaderId::Pool => vec![
                k("max_forward", 1),
                k("max_gather", 2),
                k("max_scatter", 2),
                k("max_scatter_blocks", 2),
                k("avg_forward", 1),
                k("avg_backward", 1),
                k("adaptive_forward", 1),
                k("adaptive_backward", 1),
            ],
            ShaderId::Index => vec![
                k("copy_strided", 1),
                k("copy_into", 1),
                k("gather", 2),
                k("scatter_add", 2),
            ],
            ShaderId::Matmul => vec![k("gemm", 2)],
            ShaderId::Conv => {
                let mut v: Vec<Kernel> = (0..3)
                    .map(|mode| Kernel {
                        mode: Some(mode),
                        ..k("gemm", 2)
                    })
                    .collect();
                v.extend([
                    k("conv_forward_direct", 2),
                    k("conv_backward_input_direct", 2),
                    k("conv_backward_weight_direct", 2),
                ]);
                v
            }
        }
    }

    /// Entry points of the module that the runtime dispatches (for validation tests).
    pub fn entries(self) -> Vec<&'static str> {
        let mut e: Vec<&'static str> = self.kernels().iter().map(|k| k.entry).collect();
        e.dedup();
        e
    }
}

/// A pipeline: module, entry point, the value of the `MODE` override (conv only) and the number
/// of inputs, which selects the bind group layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Kernel {
    pub shader: ShaderId,
    pub entry: &'static str,
    pub mode: Option<u32>,
    pub inputs: usize,
}

impl Kernel {
    /// A kernel without pipeline constants.
    pub const fn new(shader: ShaderId, entry: &'static str, inputs: usize) -> Kernel {
        Kernel {
            shader,
            entry,
            mode: None,
            inputs,
        }
    }
}
