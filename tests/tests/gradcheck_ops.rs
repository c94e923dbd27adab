//! Gradcheck (f64 central differences, error < 1e-6) of every primitive in `OpKind::ALL`, on
//! sample cases with odd sizes, size-1 dimensions and broadcasting. `cases` matches every kind
//! without a wildcard, so adding an op without a case does not compile; each case must also
//! really produce a node of its kind.

use std::collections::HashSet;

#[path = "gradcheck_ops/inputs.rs"]
mod inputs;

use inputs::*;
use pixelgrad::{Conv2dParams, OpKind, Pool2dParams, Result, Tensor};

const TOL: f64 = 1e-6;

/// Sample cases for one primitive. No wildcard arm: a new `OpKind` fails to compile here.
fn cases(kind: OpKind) -> Vec<Case> {
    use OpKind as K;
    match kind {
        K::Neg => unary_cases("neg", Tensor::neg, any),
        K::Exp => unary_cases("exp", Tensor::exp, any),
        K::Log => unary_cases("log", Tensor::log, positive),
        K::Sqrt => unary_cases("sqrt", Tensor::sqrt, positive),
        K::Abs => unary_cases("abs", Tensor::abs, nonzero),
        K::Sign => unary_cases("sign", Tensor::sign, nonzero),
        K::Erf => unary_cases("erf", Tensor::erf, any),
        K::Relu => unary_cases("relu", Tensor::relu, nonzero),
        K::LeakyRelu => unary_cases("leaky_relu", |x| x.leaky_relu(0.2), nonzero),
        K::Sigmoid => unary_cases("sigmoid", Tensor::sigmoid, any),
        K::Tanh => unary_cases("tanh", Tensor::tanh, any),
        K::Silu => unary_cases("silu", Tensor::silu, any),
        K::Gelu => unary_cases("gelu", |x| x.gelu(pixelgrad::GeluApproximate::None), any),
        K::GeluTanh => unary_cases(
            "gelu_tanh",
            |x| x.gelu(pixelgrad::GeluApproximate::Tanh),
            any,
        ),
        K::Hardswish => unary_cases("hardswish", Tensor::hardswish, hard),
        K::Hardsigmoid => unary_cases("hardsigmoid", Tensor::hardsigmoid, hard),
        K::PowScalar => {
            let mut c = unary_cases("pow_2_5", |x| x.pow_scalar(2.5), positive);
            c.extend(unary_cases("pow_3", |x| x.pow_scalar(3.0), any));
            c
        }
        K::Clamp => vec![
            case(
                "clamp_both",
                vec![away(&[3, 5], 1.0, &[-0.5, 0.7], 3)],
                |x| x[0].clamp(Some(-0.5), Some(0.7)),
            ),
            case("clamp_min", vec![away(&[1, 4], 1.0, &[0.1], 4)], |x| {
                x[0].clamp(Some(0.1), None)
            }),
        ],
        K::Add => vec![
            case(
                "add_broadcast",
                vec![randn(&[3, 1, 5], 5), randn(&[4, 1], 6)],
                |x| x[0].add(&x[1]),
            ),
            case("add_scalar", vec![randn(&[1], 7), randn(&[2, 3], 8)], |x| {
                x[0].add(&x[1])
            }),
        ],
        K::Sub => vec![case(
            "sub_broadcast",
            vec![randn(&[2, 3], 9), randn(&[3], 10)],
            |x| x[0].sub(&x[1]),
        )],
        K::Mul => vec![
            case(
                "mul_broadcast",
                vec![randn(&[3, 1], 11), randn(&[1, 5], 12)],
                |x| x[0].mul(&x[1]),
            ),
            case("mul_same", vec![randn(&[7], 13), randn(&[7], 14)], |x| {
                x[0].mul(&x[1])
            }),
        ],
        K::Div => vec![case(
            "div_broadcast",
            vec![randn(&[2, 3, 5], 15), positive(&[3, 1], 16)],
            |x| x[0].div(&x[1]),
        )],
        K::Pow => vec![case(
            "pow_broadcast",
            vec![positive(&[2, 3], 17), randn(&[3], 18)],
            |x| x[0].pow(&x[1]),
        )],
        K::Maximum => vec![case(
            "maximum_broadcast",
            vec![randn(&[3, 1, 5], 19), randn(&[4, 1], 20)],
            |x| x[0].maximum(&x[1]),
        )],
        K::Minimum => vec![case(
            "minimum_broadcast",
            vec![randn(&[3, 4], 21), randn(&[4], 22)],
            |x| x[0].minimum(&x[1]),
        )],
        K::Gt => vec![case("gt", vec![randn(&[3, 4], 23), randn(&[4], 24)], |x| {
            x[0].gt(&x[1])
        })],
        K::Ge => vec![case("ge", vec![randn(&[3, 4], 25), randn(&[1], 26)], |x| {
            x[0].ge(&x[1])
        })],
        K::Eq => vec![case(
            "eq",
            vec![randn(&[2, 3], 27), randn(&[2, 3], 28)],
            |x| x[0].eq(&x[1]),
        )],
        K::Where => {
            let cond = index(&[1, 0, 1], &[3, 1]);
            vec![case(
                "where_broadcast",
                vec![randn(&[3, 4], 29), randn(&[4], 30)],
                move |x| Tensor::where_cond(&cond.to_dtype(pixelgrad::DType::F64)?, &x[0], &x[1]),
            )]
        }
        K::Sum => vec![
            case("sum_dim", vec![randn(&[2, 3, 5], 31)], |x| {
                x[0].sum(&[1], false)
            }),
            case("sum_dims_keepdim", vec![randn(&[2, 3, 5], 32)], |x| {
                x[0].sum(&[0, -1], true)
            }),
            case("sum_all", vec![randn(&[3, 1], 33)], |x| x[0].sum_all()),
        ],
        K::Max => vec![
            case("amax_dim", vec![randn(&[3, 5], 34)], |x| {
                x[0].amax(&[1], false)
            }),
            case("amax_dims_keepdim", vec![randn(&[2, 3, 5], 35)], |x| {
                x[0].amax(&[0, 2], true)
            }),
        ],
        K::Matmul => vec![
            case(
                "matmul_batched_broadcast",
                vec![randn(&[2, 1, 3, 4], 36), randn(&[3, 4, 5], 37)],
                |x| x[0].matmul(&x[1]),
            ),
            case(
                "matmul_2d",
                vec![randn(&[3, 4], 38), randn(&[4, 1], 39)],
                |x| x[0].matmul(&x[1]),
            ),
            case(
                "matmul_1d_1d",
                vec![randn(&[5], 40), randn(&[5], 41)],
                |x| x[0].matmul(&x[1]),
            ),
            case(
                "matmul_1d_3d",
                vec![randn(&[3], 42), randn(&[2, 3, 4], 43)],
                |x| x[0].matmul(&x[1]),
            ),
        ],
        K::Conv2d => vec![
            case(
                "conv2d_groups_stride_dilation",
                vec![
                    randn(&[2, 4, 5, 6], 44),
                    randn(&[6, 2, 3, 2], 45),
                    randn(&[6], 46),
                ],
                |x| x[0].conv2d(&x[1], Some(&x[2]), conv_params()),
            ),
            case(
                "conv2d_depthwise",
                vec![randn(&[1, 3, 5, 5], 47), randn(&[3, 1, 3, 3], 48)],
                |x| {
                    x[0].conv2d(
                        &x[1],
                        None,
                        Conv2dParams {
                            padding: [1, 1],
                            groups: 3,
                            ..Conv2dParams::default()
                        },
                    )
                },
            ),
        ],
        K::Conv2dBackwardInput => vec![case(
            "conv2d_backward_input",
            vec![
                randn(&[2, 4, 5, 6], 49),
                randn(&[6, 2, 3, 2], 50),
                randn(&[2, 6, 3, 6], 51),
            ],
            |x| vjp(&x[0].conv2d(&x[1], None, conv_params())?, &x[0], &x[2]),
        )],
        K::Conv2dBackwardWeight => vec![case(
            "conv2d_backward_weight",
            vec![
                randn(&[2, 4, 5, 6], 52),
                randn(&[6, 2, 3, 2], 53),
                randn(&[2, 6, 3, 6], 54),
            ],
            |x| vjp(&x[0].conv2d(&x[1], None, conv_params())?, &x[1], &x[2]),
        )],
        K::MaxPool2d => vec![
            case("max_pool2d_pad", vec![randn(&[2, 3, 5, 7], 55)], |x| {
                x[0].max_pool2d(pool_params())
            }),
            case("max_pool2d_square", vec![randn(&[1, 1, 4, 4], 56)], |x| {
                x[0].max_pool2d(Pool2dParams::square(2))
            }),
            case(
                "max_pool2d_ceil_dilated",
                vec![randn(&[2, 3, 6, 7], 220)],
                |x| x[0].max_pool2d(pool_ceil_dilated()),
            ),
            case(
                "max_pool2d_square_ceil",
                vec![randn(&[1, 2, 5, 3], 221)],
                |x| {
                    x[0].max_pool2d(Pool2dParams {
                        ceil_mode: true,
                        ..Pool2dParams::square(2)
                    })
                },
            ),
        ],
        K::MaxPool2dScatter => vec![
            case(
                "max_pool2d_scatter",
                vec![randn(&[2, 3, 5, 7], 57), randn(&[2, 3, 3, 8], 58)],
                |x| vjp(&x[0].max_pool2d(pool_params())?, &x[0], &x[1]),
            ),
            case(
                "max_pool2d_scatter_ceil_dilated",
                vec![randn(&[2, 3, 6, 7], 222), randn(&[2, 3, 3, 4], 223)],
                |x| vjp(&x[0].max_pool2d(pool_ceil_dilated())?, &x[0], &x[1]),
            ),
        ],
        K::MaxPool2dGather => vec![
            case(
                "max_pool2d_gather",
                vec![
                    randn(&[2, 3, 5, 7], 59),
                    randn(&[2, 3, 3, 8], 60),
                    randn(&[2, 3, 5, 7], 61),
                ],
                |x| {
                    let scatter = vjp(&x[0].max_pool2d(pool_params())?, &x[0], &x[1])?;
                    vjp(&scatter, &x[1], &x[2])
                },
            ),
            case(
                "max_pool2d_gather_ceil_dilated",
                vec![
                    randn(&[2, 3, 6, 7], 224),
                    randn(&[2, 3, 3, 4], 225),
                    randn(&[2, 3, 6, 7], 226),
                ],
                |x| {
                    let scatter = vjp(&x[0].max_pool2d(pool_ceil_dilated())?, &x[0], &x[1])?;
                    vjp(&scatter, &x[1], &x[2])
                },
            ),
        ],
        K::AvgPool2d => vec![
            case(
                "avg_pool2d_exclude_pad",
                vec![randn(&[2, 3, 5, 7], 62)],
                |x| x[0].avg_pool2d(pool_params()),
            ),
            case(
                "avg_pool2d_include_pad",
                vec![randn(&[1, 2, 5, 5], 63)],
                |x| {
                    x[0].avg_pool2d(Pool2dParams {
                        count_include_pad: true,
                        ..pool_params()
                    })
                },
            ),
            case(
                "avg_pool2d_ceil_include_pad",
                vec![randn(&[1, 2, 6, 8], 227)],
                |x| x[0].avg_pool2d(avg_ceil(true, None)),
            ),
            case(
                "avg_pool2d_ceil_exclude_pad",
                vec![randn(&[2, 1, 6, 8], 228)],
                |x| x[0].avg_pool2d(avg_ceil(false, None)),
            ),
            case(
                "avg_pool2d_divisor_override",
                vec![randn(&[1, 2, 6, 8], 229)],
                |x| x[0].avg_pool2d(avg_ceil(true, Some(4))),
            ),
        ],
        K::AvgPool2dBackward => vec![
            case(
                "avg_pool2d_backward",
                vec![randn(&[2, 3, 5, 7], 64), randn(&[2, 3, 3, 8], 65)],
                |x| vjp(&x[0].avg_pool2d(pool_params())?, &x[0], &x[1]),
            ),
            case(
                "avg_pool2d_backward_ceil",
                vec![randn(&[1, 2, 6, 8], 230), randn(&[1, 2, 4, 5], 231)],
                |x| vjp(&x[0].avg_pool2d(avg_ceil(true, None))?, &x[0], &x[1]),
            ),
        ],
        K::AdaptiveAvgPool2d => vec![
            case(
                "adaptive_avg_pool2d_uneven",
                vec![randn(&[2, 3, 7, 5], 66)],
                |x| x[0].adaptive_avg_pool2d([3, 2]),
            ),
            case(
                "adaptive_avg_pool2d_global",
                vec![randn(&[1, 2, 3, 3], 67)],
                |x| x[0].adaptive_avg_pool2d([1, 1]),
            ),
        ],
        K::AdaptiveAvgPool2dBackward => vec![case(
            "adaptive_avg_pool2d_backward",
            vec![randn(&[2, 3, 7, 5], 68), randn(&[2, 3, 3, 2], 69)],
            |x| vjp(&x[0].adaptive_avg_pool2d([3, 2])?, &x[0], &x[1]),
        )],
        K::Softmax => vec![
            case("softmax_last", vec![randn(&[3, 5], 70)], |x| {
                x[0].softmax(-1)
            }),
            case("softmax_middle", vec![randn(&[2, 3, 4], 71)], |x| {
                x[0].softmax(1)
            }),
        ],
        K::LogSoftmax => vec![
            case("log_softmax_last", vec![randn(&[3, 5], 72)], |x| {
                x[0].log_softmax(-1)
            }),
            case("log_softmax_middle", vec![randn(&[2, 3, 4], 73)], |x| {
                x[0].log_softmax(1)
            }),
        ],
        K::Gather => {
            let idx = index(&[4, 0, 2, 2, 1, 3], &[3, 2]);
            vec![case("gather_dim1", vec![randn(&[3, 5], 74)], move |x| {
                x[0].gather(1, &idx)
            })]
        }
        K::ScatterAdd => {
            let idx = index(&[4, 0, 2, 2, 1, 3], &[3, 2]);
            vec![case(
                "scatter_add",
                vec![randn(&[3, 5], 75), randn(&[3, 2], 76)],
                move |x| vjp(&x[0].gather(1, &idx)?, &x[0], &x[1]),
            )]
        }
        K::Reshape => vec![case("reshape_infer", vec![randn(&[2, 3, 4], 77)], |x| {
            x[0].reshape(&[4, -1])
        })],
        K::Permute => vec![case("permute_3d", vec![randn(&[2, 3, 4], 78)], |x| {
            x[0].permute(&[2, 0, 1])
        })],
        K::Expand => vec![
            case("expand_new_dims", vec![randn(&[3, 1], 79)], |x| {
                x[0].expand(&[2, 3, 4])
            }),
            case("expand_size1", vec![randn(&[1], 80)], |x| x[0].expand(&[5])),
        ],
        K::Narrow => vec![case("narrow_middle", vec![randn(&[3, 7], 81)], |x| {
            x[0].narrow(1, 2, 3)
        })],
        K::Cat => vec![case(
            "cat_dim1",
            vec![randn(&[2, 3], 82), randn(&[2, 1], 83), randn(&[2, 4], 84)],
            |x| Tensor::cat(x, 1),
        )],
    }
}

/// Kinds whose nodes are never recorded (no gradient flows through them).
const UNRECORDED: &[OpKind] = &[OpKind::Gt, OpKind::Ge, OpKind::Eq, OpKind::Sign];

fn kinds_in_graph(root: &Tensor) -> HashSet<OpKind> {
    let mut seen = HashSet::new();
    let mut kinds = HashSet::new();
    let mut stack = vec![root.clone()];
    while let Some(t) = stack.pop() {
        if !seen.insert(t.id()) {
            continue;
        }
        if let Some(node) = t.node() {
            kinds.insert(node.op.kind());
            stack.extend(node.inputs.iter().cloned());
        }
    }
    kinds
}

#[test]
fn every_op_passes_gradcheck() {
    let mut failures = Vec::new();
    for &kind in OpKind::ALL {
        let cs = cases(kind);
        assert!(!cs.is_empty(), "{kind:?} has no gradcheck case");
        for c in cs {
            let leaves: Vec<Tensor> = c
                .inputs
                .iter()
                .map(|t| {
                    t.to_dtype(pixelgrad::DType::F64)
                        .and_then(Tensor::requires_grad_)
                })
                .collect::<Result<_>>()
                .expect("f64 leaves");
            match (c.f)(&leaves) {
                Ok(out) if !UNRECORDED.contains(&kind) && !kinds_in_graph(&out).contains(&kind) => {
                    failures.push(format!(
                        "{kind:?}/{}: the case never records a {kind:?} node",
                        c.name
                    ));
                    continue;
                }
                Err(e) => {
                    failures.push(format!("{kind:?}/{}: forward failed: {e}", c.name));
                    continue;
                }
                Ok(_) => {}
            }
            match pixelgrad::gradcheck(&c.f, &c.inputs) {
                Ok(r) if r.passes(TOL) => {}
                Ok(r) => {
                    let shapes: Vec<&[usize]> = c.inputs.iter().map(|t| t.dims()).collect();
                    failures.push(format!(
                        "{kind:?}/{} (inputs {shapes:?}): error {:.3e} at {:?}",
                        c.name, r.max_error, r.worst
                    ));
                }
                Err(e) => failures.push(format!("{kind:?}/{}: {e}", c.name)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "gradcheck failures:\n{}",
        failures.join("\n")
    );
}
