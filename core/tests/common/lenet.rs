//! LeNet-5 built from raw tensor ops with a hand-written SGD (momentum 0.9), shared by the native
//! and browser GPU training tests; the batch is fixed so the loss must fall.

use pixelgrad::{
    no_grad, Conv2dParams, CrossEntropyOptions, Device, Pool2dParams, Result, Rng, Tensor,
};

/// Batch size of the peer benchmark's LeNet workload.
pub const BATCH: usize = 64;

/// One fixed batch of 1x28x28 images and class labels (kept on the host, as the loss wants).
pub fn fixed_batch() -> Result<(Tensor, Tensor)> {
    let mut rng = Rng::new(7);
    let x = Tensor::uniform(vec![BATCH, 1, 28, 28], 0.0, 1.0, &mut rng);
    let labels: Vec<f32> = rng
        .uniform(BATCH, 0.0, 10.0)
        .iter()
        .map(|v| v.floor())
        .collect();
    Ok((x, Tensor::from_vec(labels, [BATCH])?))
}

/// conv 1->6 5x5 pad 2, conv 6->16 5x5, fc 400->120->84->10 (fc weights stored [in, out]).
pub struct LeNet {
    params: Vec<Tensor>,
    velocity: Vec<Option<Tensor>>,
}

impl LeNet {
    pub fn new(device: Device) -> Result<LeNet> {
        let mut rng = Rng::new(42);
        let shapes: [(&[usize], usize); 10] = [
            (&[6, 1, 5, 5], 25),
            (&[6], 25),
            (&[16, 6, 5, 5], 150),
            (&[16], 150),
            (&[400, 120], 400),
            (&[120], 400),
            (&[120, 84], 120),
            (&[84], 120),
            (&[84, 10], 84),
            (&[10], 84),
        ];
        let params = shapes
            .iter()
            .map(|(shape, fan_in)| {
                let bound = 1.0 / (*fan_in as f32).sqrt();
                Tensor::uniform(shape.to_vec(), -bound, bound, &mut rng)
                    .to_device(device)?
                    .requires_grad_()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LeNet {
            velocity: vec![None; params.len()],
            params,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let p = &self.params;
        let pool = Pool2dParams::square(2);
        let h = x.conv2d(
            &p[0],
            Some(&p[1]),
            Conv2dParams {
                padding: [2, 2],
                ..Default::default()
            },
        )?;
        let h = h.relu()?.max_pool2d(pool)?;
        let h = h
            .conv2d(&p[2], Some(&p[3]), Conv2dParams::default())?
            .relu()?
            .max_pool2d(pool)?;
        let h = h.flatten(1, -1)?;
        let h = h.matmul(&p[4])?.add(&p[5])?.relu()?;
        let h = h.matmul(&p[6])?.add(&p[7])?.relu()?;
        h.matmul(&p[8])?.add(&p[9])
    }

    /// SGD with momentum 0.9 (PyTorch semantics), as tensor ops on the parameters' device.
    pub fn sgd_step(&mut self, lr: f64) -> Result<()> {
        no_grad(|| {
            for (p, v) in self.params.iter().zip(self.velocity.iter_mut()) {
                let Some(g) = p.grad() else { continue };
                let nv = match v.take() {
                    Some(prev) => prev.mul_scalar(0.9)?.add(&g)?,
                    None => g,
                };
                p.set_data(&p.detach().sub(&nv.mul_scalar(lr)?)?)?;
                *v = Some(nv);
                p.zero_grad();
            }
            Ok(())
        })
    }
}

/// Forward, loss, backward and SGD update; returns the loss tensor without reading it back.
pub fn train_step(net: &mut LeNet, x: &Tensor, y: &Tensor, device: Device) -> Result<Tensor> {
    // The batch is uploaded every step, as a data loader would.
    let loss = net
        .forward(&x.to_device(device)?)?
        .cross_entropy(y, &CrossEntropyOptions::default())?;
    loss.backward()?;
    net.sgd_step(0.05)?;
    Ok(loss)
}
