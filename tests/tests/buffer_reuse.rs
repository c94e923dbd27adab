//! The CPU backend reuses freed buffers for new outputs; no kernel may read what a previous
//! tensor left in them. Poisoning the cache with NaN-filled buffers must not change results.

use pixelgrad::{Conv2dParams, CrossEntropyOptions, Pool2dParams, Result, Rng, Tensor};

fn compute() -> Result<Vec<Vec<f32>>> {
    let mut rng = Rng::new(5);
    // 45 samples: conv processes them in blocks of 19, 19 and 7, so a column buffer is also
    // reused inside one call with a different block size.
    let x = Tensor::randn([45, 3, 17, 15], &mut rng).requires_grad_()?;
    let w = Tensor::randn([6, 3, 3, 3], &mut rng).requires_grad_()?;
    let p = Conv2dParams {
        padding: [1, 2],
        ..Conv2dParams::default()
    };
    let h = x
        .conv2d(&w, None, p)?
        .relu()?
        .max_pool2d(Pool2dParams::square(2))?;
    let h = h.avg_pool2d(Pool2dParams::square(2))?.flatten(1, -1)?;
    let fc = Tensor::randn([h.dims()[1], 10], &mut rng).requires_grad_()?;
    let logits = h.matmul(&fc)?;
    let target: Vec<f32> = (0..45).map(|i| (i * 7 % 10) as f32).collect();
    let target = Tensor::from_vec(target, [45])?;
    let loss = logits.cross_entropy(&target, &CrossEntropyOptions::default())?;
    let grads = pixelgrad::grad(std::slice::from_ref(&loss), &[x, w, fc], false)?;
    let mut out = vec![loss.to_vec_f32()?, logits.to_vec_f32()?];
    for g in grads {
        out.push(g.to_vec_f32()?);
    }
    Ok(out)
}

#[test]
fn kernels_never_read_stale_buffer_contents() {
    let clean = compute().expect("clean run");
    let mut n = 1 << 14;
    while n < 1 << 22 {
        drop(Tensor::full([n], f32::NAN));
        n = n * 5 / 4;
    }
    let dirty = compute().expect("run on reused buffers");
    assert_eq!(clean.len(), dirty.len());
    for (i, (a, b)) in clean.iter().zip(&dirty).enumerate() {
        let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(
            same,
            "output {i} changed after the buffer cache was poisoned"
        );
    }
}

/// conv2d works on blocks of samples with reused column buffers; the result for each sample
/// must not depend on which block it fell in (45 samples run in blocks of 16, 16 and 13).
#[test]
fn conv2d_results_do_not_depend_on_sample_blocking() {
    let mut rng = Rng::new(9);
    let x = Tensor::randn([45, 3, 17, 15], &mut rng)
        .requires_grad_()
        .expect("leaf");
    let w = Tensor::randn([6, 3, 3, 3], &mut rng);
    let p = Conv2dParams {
        padding: [1, 2],
        ..Conv2dParams::default()
    };
    let y = x.conv2d(&w, None, p).expect("conv");
    let gy = Tensor::randn(y.dims().to_vec(), &mut rng);
    let loss = y.mul(&gy).and_then(|t| t.sum_all()).expect("loss");
    let gx = pixelgrad::grad(&[loss], std::slice::from_ref(&x), false)
        .expect("grad")
        .remove(0);
    for s in [0, 15, 16, 31, 32, 44] {
        let xs = x
            .narrow(0, s, 1)
            .expect("narrow")
            .detach()
            .requires_grad_()
            .expect("leaf");
        let ys = xs.conv2d(&w, None, p).expect("conv");
        let gys = gy.narrow(0, s, 1).expect("narrow");
        let ls = ys.mul(&gys).and_then(|t| t.sum_all()).expect("loss");
        let gxs = pixelgrad::grad(&[ls], std::slice::from_ref(&xs), false)
            .expect("grad")
            .remove(0);
        for (what, batched, single) in [("output", &y, &ys), ("grad input", &gx, &gxs)] {
            let a = batched
                .narrow(0, s, 1)
                .and_then(|t| t.to_vec_f32())
                .expect("values");
            let b = single.to_vec_f32().expect("values");
            let worst = a
                .iter()
                .zip(&b)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0f32, f32::max);
            assert!(
                worst < 1e-4,
                "sample {s}: {what} differs from the single-sample run by {worst}"
            );
        }
    }
}
