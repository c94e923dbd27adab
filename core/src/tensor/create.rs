//! Creating leaves: from data, constants, ranges, seeded random values and PyTorch's weight
//! initializations (same formulas as `torch.nn.init`).

use std::sync::Arc;

use super::{Shape, Tensor};
use crate::device::{CpuStorage, DType, Float, Storage};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Which fan the Kaiming initializers preserve (`torch.nn.init` `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanMode {
    FanIn,
    FanOut,
}

/// The nonlinearity after a layer, for `torch.nn.init.calculate_gain`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nonlinearity {
    Linear,
    Sigmoid,
    Tanh,
    Relu,
    /// leaky_relu with its negative slope (torch's default `a = 0` gives ReLU's gain).
    LeakyRelu(f64),
}

impl Nonlinearity {
    /// torch.nn.init.calculate_gain.
    pub fn gain(self) -> f64 {
        match self {
            Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
            Nonlinearity::Tanh => 5.0 / 3.0,
            Nonlinearity::Relu => 2f64.sqrt(),
            Nonlinearity::LeakyRelu(a) => (2.0 / (1.0 + a * a)).sqrt(),
        }
    }
}

/// (fan_in, fan_out) as torch computes them: dims 1 and 0 times the receptive field.
fn fans(op: &'static str, shape: &[usize]) -> Result<(f64, f64)> {
    if shape.len() < 2 {
        return Err(Error::shapes(
            op,
            &[shape],
            "fan in and fan out need at least 2 dimensions",
        ));
    }
    let receptive: usize = shape[2..].iter().product();
    Ok(((shape[1] * receptive) as f64, (shape[0] * receptive) as f64))
}

impl Tensor {
    /// A leaf from a vector and a shape; errors if the element count differs.
    pub fn from_vec<T: Float>(data: Vec<T>, shape: impl Into<Shape>) -> Result<Tensor> {
        let shape = shape.into();
        if data.len() != shape.numel() {
            return Err(Error::shapes(
                "from_vec",
                &[shape.dims(), &[data.len()]],
                format!("{} values do not fill the shape", data.len()),
            ));
        }
        Tensor::from_storage(Storage::Cpu(Arc::new(T::wrap(data))), shape)
    }

    /// A leaf copied from a slice.
    pub fn from_slice<T: Float>(data: &[T], shape: impl Into<Shape>) -> Result<Tensor> {
        Tensor::from_vec(data.to_vec(), shape)
    }

    /// A rank-0 f32 tensor.
    pub fn scalar(v: f32) -> Tensor {
        Tensor::from_vec(vec![v], Shape::new(vec![])).expect("one value fills a scalar")
    }

    /// A tensor of `shape` filled with `v`, in `dtype`.
    pub fn full_dtype(shape: impl Into<Shape>, v: f64, dtype: DType) -> Tensor {
        let shape = shape.into();
        let n = shape.numel();
        let storage = match dtype {
            DType::F32 => CpuStorage::F32(vec![v as f32; n]),
            DType::F64 => CpuStorage::F64(vec![v; n]),
        };
        Tensor::from_storage(Storage::Cpu(Arc::new(storage)), shape).expect("filled to size")
    }

    /// f32 tensor filled with `v`.
    pub fn full(shape: impl Into<Shape>, v: f32) -> Tensor {
        Tensor::full_dtype(shape, f64::from(v), DType::F32)
    }

    /// f32 zeros.
    pub fn zeros(shape: impl Into<Shape>) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// f32 ones.
    pub fn ones(shape: impl Into<Shape>) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// Constant with this tensor's shape and dtype.
    pub fn full_like(&self, v: f64) -> Tensor {
        Tensor::full_dtype(self.shape().clone(), v, self.dtype())
    }

    /// Zeros with this tensor's shape and dtype.
    pub fn zeros_like(&self) -> Tensor {
        self.full_like(0.0)
    }

    /// Ones with this tensor's shape and dtype.
    pub fn ones_like(&self) -> Tensor {
        self.full_like(1.0)
    }

    /// A rank-0 constant with this tensor's dtype (for scalar arithmetic).
    pub fn scalar_like(&self, v: f64) -> Tensor {
        Tensor::full_dtype(Shape::new(vec![]), v, self.dtype())
    }

    /// torch.arange(start, end, step) in f32.
    pub fn arange(start: f64, end: f64, step: f64) -> Result<Tensor> {
        if step == 0.0 || !step.is_finite() || (end - start) / step < 0.0 {
            return Err(Error::invalid(
                "arange",
                format!("cannot step from {start} to {end} by {step}"),
            ));
        }
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let v: Vec<f32> = (0..n).map(|i| (start + i as f64 * step) as f32).collect();
        Tensor::from_vec(v, [n])
    }

    /// Uniform `[0, 1)` values from the counter-based generator.
    pub fn rand(shape: impl Into<Shape>, rng: &mut Rng) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0, rng)
    }

    /// Uniform `[lo, hi)` values.
    pub fn uniform(shape: impl Into<Shape>, lo: f32, hi: f32, rng: &mut Rng) -> Tensor {
        let shape = shape.into();
        let v = rng.uniform(shape.numel(), lo, hi);
        Tensor::from_vec(v, shape).expect("generated to size")
    }

    /// Standard normal values.
    pub fn randn(shape: impl Into<Shape>, rng: &mut Rng) -> Tensor {
        Tensor::normal(shape, 0.0, 1.0, rng)
    }

    /// Normal values with `mean` and `std`.
    pub fn normal(shape: impl Into<Shape>, mean: f32, std: f32, rng: &mut Rng) -> Tensor {
        let shape = shape.into();
        let v = rng.normal(shape.numel(), mean, std);
        Tensor::from_vec(v, shape).expect("generated to size")
    }

    /// torch.nn.init.kaiming_uniform_: `U(-b, b)`, `b = gain * sqrt(3 / fan)`.
    pub fn kaiming_uniform(
        shape: impl Into<Shape>,
        mode: FanMode,
        nl: Nonlinearity,
        rng: &mut Rng,
    ) -> Result<Tensor> {
        let shape = shape.into();
        let (fi, fo) = fans("kaiming_uniform", shape.dims())?;
        let fan = if mode == FanMode::FanIn { fi } else { fo };
        let bound = nl.gain() * (3.0 / fan).sqrt();
        Ok(Tensor::uniform(shape, -bound as f32, bound as f32, rng))
    }

    /// torch.nn.init.kaiming_normal_: `N(0, gain / sqrt(fan))`.
    pub fn kaiming_normal(
        shape: impl Into<Shape>,
        mode: FanMode,
        nl: Nonlinearity,
        rng: &mut Rng,
    ) -> Result<Tensor> {
        let shape = shape.into();
        let (fi, fo) = fans("kaiming_normal", shape.dims())?;
        let fan = if mode == FanMode::FanIn { fi } else { fo };
        Ok(Tensor::normal(
            shape,
            0.0,
            (nl.gain() / fan.sqrt()) as f32,
            rng,
        ))
    }

    /// torch.nn.init.xavier_uniform_: `U(-b, b)`, `b = gain * sqrt(6 / (fan_in + fan_out))`.
    pub fn xavier_uniform(shape: impl Into<Shape>, gain: f64, rng: &mut Rng) -> Result<Tensor> {
        let shape = shape.into();
        let (fi, fo) = fans("xavier_uniform", shape.dims())?;
        let bound = gain * (6.0 / (fi + fo)).sqrt();
        Ok(Tensor::uniform(shape, -bound as f32, bound as f32, rng))
    }

    /// torch.nn.init.xavier_normal_: `N(0, gain * sqrt(2 / (fan_in + fan_out)))`.
    pub fn xavier_normal(shape: impl Into<Shape>, gain: f64, rng: &mut Rng) -> Result<Tensor> {
        let shape = shape.into();
        let (fi, fo) = fans("xavier_normal", shape.dims())?;
        Ok(Tensor::normal(
            shape,
            0.0,
            (gain * (2.0 / (fi + fo)).sqrt()) as f32,
            rng,
        ))
    }
}
