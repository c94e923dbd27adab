//! Bad shapes and arguments give typed errors that name the op and the shapes, never a panic.

use pixelgrad::{Conv2dParams, CrossEntropyOptions, DType, Error, Pool2dParams, Tensor};

fn z(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape.to_vec())
}

fn assert_shape_error(r: pixelgrad::Result<Tensor>, op: &str, shapes: &[&[usize]]) {
    match r {
        Err(Error::ShapeMismatch {
            op: o,
            shapes: s,
            reason,
        }) => {
            assert_eq!(o, op, "{reason}");
            let want: Vec<Vec<usize>> = shapes.iter().map(|s| s.to_vec()).collect();
            assert_eq!(s, want, "{op}: {reason}");
            let msg = Error::ShapeMismatch {
                op: o,
                shapes: s,
                reason,
            }
            .to_string();
            assert!(msg.starts_with(op), "message should name the op: {msg}");
        }
        other => panic!("{op}: expected ShapeMismatch, got {other:?}"),
    }
}

#[test]
fn broadcasting_mismatch_names_op_and_shapes() {
    assert_shape_error(z(&[2, 3]).add(&z(&[4])), "add", &[&[2, 3], &[4]]);
    assert_shape_error(z(&[2, 3]).mul(&z(&[3, 2])), "mul", &[&[2, 3], &[3, 2]]);
}

#[test]
fn matmul_inner_size_mismatch() {
    assert_shape_error(
        z(&[2, 3]).matmul(&z(&[4, 5])),
        "matmul",
        &[&[2, 3], &[4, 5]],
    );
    assert_shape_error(
        z(&[2, 2, 3]).matmul(&z(&[3, 3, 1])),
        "matmul",
        &[&[2, 2, 3], &[3, 3, 1]],
    );
}

#[test]
fn conv2d_channel_and_group_errors() {
    let p = Conv2dParams::default();
    assert_shape_error(
        z(&[1, 3, 8, 8]).conv2d(&z(&[4, 2, 3, 3]), None, p),
        "conv2d",
        &[&[1, 3, 8, 8], &[4, 2, 3, 3]],
    );
    let g = Conv2dParams { groups: 2, ..p };
    assert_shape_error(
        z(&[1, 3, 8, 8]).conv2d(&z(&[4, 1, 3, 3]), None, g),
        "conv2d",
        &[&[1, 3, 8, 8], &[4, 1, 3, 3]],
    );
    assert_shape_error(
        z(&[1, 1, 2, 2]).conv2d(&z(&[1, 1, 3, 3]), None, p),
        "conv2d",
        &[&[1, 1, 2, 2], &[1, 1, 3, 3]],
    );
    assert!(matches!(
        z(&[1, 1, 4, 4]).conv2d(
            &z(&[1, 1, 3, 3]),
            None,
            Conv2dParams {
                stride: [0, 1],
                ..p
            }
        ),
        Err(Error::InvalidArgument { op: "conv2d", .. })
    ));
}

#[test]
fn shape_op_errors() {
    assert_shape_error(
        Tensor::cat(&[z(&[2, 3]), z(&[3, 3])], 1),
        "cat",
        &[&[2, 3], &[3, 3]],
    );
    assert_shape_error(z(&[2, 3]).reshape(&[4, 2]), "reshape", &[&[2, 3], &[4, 2]]);
    assert_shape_error(
        z(&[2, 3]).expand(&[4, 3, 2]),
        "expand",
        &[&[2, 3], &[4, 3, 2]],
    );
    assert_shape_error(
        Tensor::stack(&[z(&[2]), z(&[3])], 0),
        "stack",
        &[&[2], &[3]],
    );
    assert!(matches!(
        z(&[2, 3]).sum(&[2], false),
        Err(Error::DimOutOfRange {
            op: "sum",
            dim: 2,
            rank: 2
        })
    ));
    assert!(matches!(
        z(&[2, 3]).narrow(1, 2, 2),
        Err(Error::IndexOutOfRange { op: "narrow", .. })
    ));
    assert!(matches!(
        z(&[2, 3]).permute(&[0, 0]),
        Err(Error::InvalidArgument { op: "permute", .. })
    ));
}

#[test]
fn pooling_and_norm_errors() {
    assert_shape_error(
        z(&[4, 4]).max_pool2d(Pool2dParams::square(2)),
        "max_pool2d",
        &[&[4, 4]],
    );
    assert_shape_error(
        z(&[1, 1, 2, 2]).avg_pool2d(Pool2dParams::square(3)),
        "avg_pool2d",
        &[&[1, 1, 2, 2]],
    );
    assert_shape_error(
        z(&[2, 3, 4]).layer_norm(&[3], None, None, 1e-5),
        "layer_norm",
        &[&[2, 3, 4], &[3]],
    );
    assert_shape_error(
        z(&[2, 3]).batch_norm(None, None, Some(&z(&[4])), None, true, 0.1, 1e-5),
        "batch_norm",
        &[&[2, 3], &[4]],
    );
}

#[test]
fn index_and_loss_errors() {
    let idx = Tensor::from_vec(vec![0.0f32, 5.0], [2, 1]).expect("sized");
    assert!(matches!(
        z(&[2, 3]).gather(1, &idx),
        Err(Error::IndexOutOfRange {
            op: "gather",
            index: 5,
            size: 3
        })
    ));
    let target = Tensor::from_vec(vec![0.0f32, 1.0, 2.0], [3]).expect("sized");
    assert_shape_error(
        z(&[2, 4]).cross_entropy(&target, &CrossEntropyOptions::default()),
        "cross_entropy",
        &[&[2, 4], &[3]],
    );
    let bad = Tensor::from_vec(vec![0.0f32, 7.0], [2]).expect("sized");
    assert!(matches!(
        z(&[2, 4]).cross_entropy(&bad, &CrossEntropyOptions::default()),
        Err(Error::IndexOutOfRange {
            op: "cross_entropy",
            index: 7,
            size: 4
        })
    ));
}

#[test]
fn dtype_and_autograd_errors() {
    let a = z(&[2]);
    let b = z(&[2]).to_dtype(DType::F64).expect("cpu");
    assert!(matches!(
        a.add(&b),
        Err(Error::DTypeMismatch {
            op: "add",
            expected: DType::F32,
            got: DType::F64,
        })
    ));
    let w = Tensor::ones([3]).requires_grad_().expect("leaf");
    let y = w.mul_scalar(2.0).expect("mul");
    assert!(matches!(
        y.backward(),
        Err(Error::NotScalar { op: "backward", .. })
    ));
    assert!(matches!(
        Tensor::zeros([1]).backward(),
        Err(Error::NoGrad { .. })
    ));
    assert!(matches!(
        y.set_requires_grad(false),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        Tensor::from_vec(vec![1.0f32; 5], [2, 3]),
        Err(Error::ShapeMismatch { op: "from_vec", .. })
    ));
}
