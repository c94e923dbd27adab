//! Convolution geometry as `torch.nn.Conv2d` defines it: the output size formula and the
//! parameter count, for the conv explorer widget and its checks.

use super::error::LessonError;

/// A `Conv2d` layer applied to a `[1, C, H, W]` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvSettings {
    /// Input channels.
    pub in_channels: usize,
    /// Input height.
    pub height: usize,
    /// Input width.
    pub width: usize,
    /// Output channels (number of filters).
    pub out_channels: usize,
    /// Square kernel side.
    pub kernel: usize,
    /// Stride.
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
    /// Spacing between kernel taps.
    pub dilation: usize,
    /// Channel groups (`in_channels` for a depthwise conv).
    pub groups: usize,
    /// Whether the layer has a bias per output channel.
    pub bias: bool,
}

impl Default for ConvSettings {
    fn default() -> Self {
        ConvSettings {
            in_channels: 1,
            height: 28,
            width: 28,
            out_channels: 6,
            kernel: 5,
            stride: 1,
            padding: 0,
            dilation: 1,
            groups: 1,
            bias: true,
        }
    }
}

/// One spatial dimension: `floor((n + 2p - d(k-1) - 1) / s) + 1`, or `None` when the dilated
/// kernel does not fit in the padded input.
pub fn output_size(
    n: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Option<usize> {
    let span = dilation
        .checked_mul(kernel.checked_sub(1)?)?
        .checked_add(1)?;
    let padded = n.checked_add(padding.checked_mul(2)?)?;
    if stride == 0 || span > padded {
        return None;
    }
    Some((padded - span) / stride + 1)
}

impl ConvSettings {
    /// Parses `key: value` lines (`input: 1x28x28`, `out_channels`, `kernel`, `stride`,
    /// `padding`, `dilation`, `groups`, `bias`); missing keys keep LeNet's first layer.
    pub fn parse(text: &str) -> Result<ConvSettings, LessonError> {
        let mut s = ConvSettings::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (key, value) = line.split_once(':').ok_or_else(|| {
                LessonError::widget("conv", format!("`{line}` is not `key: value`"))
            })?;
            let value = value.trim();
            let num = || {
                value.parse::<usize>().map_err(|_| {
                    LessonError::widget("conv", format!("{key}: `{value}` is not a whole number"))
                })
            };
            match key.trim() {
                "input" => {
                    let dims: Vec<usize> = value
                        .split('x')
                        .map(|d| d.trim().parse::<usize>())
                        .collect::<Result<_, _>>()
                        .map_err(|_| LessonError::widget("conv", "input must look like 3x32x32"))?;
                    let [c, h, w] = dims[..] else {
                        return Err(LessonError::widget(
                            "conv",
                            "input must have three dimensions, CxHxW",
                        ));
                    };
                    (s.in_channels, s.height, s.width) = (c, h, w);
                }
                "out_channels" => s.out_channels = num()?,
                "kernel" => s.kernel = num()?,
                "stride" => s.stride = num()?,
                "padding" => s.padding = num()?,
                "dilation" => s.dilation = num()?,
                "groups" => s.groups = num()?,
                "bias" => {
                    s.bias = value
                        .parse()
                        .map_err(|_| LessonError::widget("conv", "bias must be true or false"))?
                }
                other => {
                    return Err(LessonError::widget(
                        "conv",
                        format!("unknown key `{other}`"),
                    ))
                }
            }
        }
        s.validate()
            .map_err(|why| LessonError::widget("conv", why))?;
        Ok(s)
    }

    /// Why `torch.nn.Conv2d` would refuse these settings or this input, in words; `Ok` when it
    /// accepts them.
    pub fn validate(&self) -> Result<(), String> {
        if [
            self.in_channels,
            self.out_channels,
            self.kernel,
            self.stride,
            self.dilation,
            self.groups,
            self.height,
            self.width,
        ]
        .contains(&0)
        {
            return Err(
                "channels, sizes, kernel, stride, dilation and groups must be at least 1".into(),
            );
        }
        if !self.in_channels.is_multiple_of(self.groups) {
            return Err(format!(
                "in_channels ({}) must be divisible by groups ({})",
                self.in_channels, self.groups
            ));
        }
        if !self.out_channels.is_multiple_of(self.groups) {
            return Err(format!(
                "out_channels ({}) must be divisible by groups ({})",
                self.out_channels, self.groups
            ));
        }
        self.output_shape().map(|_| ())
    }

    /// `[1, out_channels, H_out, W_out]`, or why the kernel does not fit.
    pub fn output_shape(&self) -> Result<[usize; 4], String> {
        let h = output_size(
            self.height,
            self.kernel,
            self.stride,
            self.padding,
            self.dilation,
        );
        let w = output_size(
            self.width,
            self.kernel,
            self.stride,
            self.padding,
            self.dilation,
        );
        match (h, w) {
            (Some(h), Some(w)) => Ok([1, self.out_channels, h, w]),
            _ => Err(format!(
                "the kernel spans {} pixels with dilation {}, more than the padded input ({}×{})",
                self.dilation
                    .saturating_mul(self.kernel.saturating_sub(1))
                    .saturating_add(1),
                self.dilation,
                self.height.saturating_add(self.padding.saturating_mul(2)),
                self.width.saturating_add(self.padding.saturating_mul(2))
            )),
        }
    }

    /// Weights `out * (in / groups) * k * k`, plus `out` biases (saturating: settings too large
    /// for any device show the largest count rather than a wrapped one).
    pub fn parameters(&self) -> usize {
        self.out_channels
            .saturating_mul(self.in_channels / self.groups.max(1))
            .saturating_mul(self.kernel)
            .saturating_mul(self.kernel)
            .saturating_add(if self.bias { self.out_channels } else { 0 })
    }

    /// Multiply-accumulates for one input: one per weight per output position.
    pub fn macs(&self) -> usize {
        match self.output_shape() {
            Ok([_, c, h, w]) => [
                h,
                w,
                self.in_channels / self.groups.max(1),
                self.kernel,
                self.kernel,
            ]
            .into_iter()
            .fold(c, usize::saturating_mul),
            Err(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pytorch_conv2d_shapes_and_counts() {
        // LeNet's first layer: 28 - 5 + 1 = 24; 6 * 1 * 25 + 6 = 156 parameters.
        let lenet = ConvSettings::default();
        assert_eq!(lenet.output_shape(), Ok([1, 6, 24, 24]));
        assert_eq!(lenet.parameters(), 156);
        // ResNet stem on 224: (224 + 6 - 6 - 1) / 2 + 1 = 112.
        let stem = ConvSettings::parse(
            "input: 3x224x224\nout_channels: 64\nkernel: 7\nstride: 2\npadding: 3\nbias: false",
        )
        .expect("parses");
        assert_eq!(stem.output_shape(), Ok([1, 64, 112, 112]));
        assert_eq!(stem.parameters(), 64 * 3 * 49);
        // Dilation 2 makes a 3x3 kernel span 5 pixels.
        assert_eq!(output_size(7, 3, 1, 0, 2), Some(3));
        // Depthwise: groups = channels, one 3x3 filter per channel.
        let dw = ConvSettings::parse(
            "input: 32x14x14\nout_channels: 32\nkernel: 3\npadding: 1\ngroups: 32\nbias: false",
        )
        .expect("parses");
        assert_eq!(dw.parameters(), 32 * 9);
        assert!(ConvSettings::parse("input: 3x8x8\ngroups: 2").is_err());
        assert!(ConvSettings::parse("input: 1x4x4\nkernel: 5").is_err());
    }
}
