//! The model part of the spec limits: each family's settings within bounds, and for the
//! families whose size grows fastest with their settings (MLP, VGG, ResNet) an upper bound of
//! the parameter count checked against [`MAX_PARAMS`], computed without building anything.

#![warn(missing_docs)]

use super::spec_limits::{fail, fraction, list, within, Check, MAX_CLASSES, MAX_PARAMS, MAX_SIDE};
use crate::models::{BlockKind, InputSpec, ModelSpec};

/// Every setting of the model, and its size.
pub(crate) fn check_model(m: &ModelSpec, input: InputSpec) -> Check {
    check_family(m, input, "model", true)
}

fn check_family(m: &ModelSpec, input: InputSpec, f: &str, top: bool) -> Check {
    let at = |s: &str| format!("{f}.{s}");
    let (c, h, w) = (input.channels as u64, input.height, input.width);
    let params = match m {
        ModelSpec::Mlp {
            hidden, dropout, ..
        } => {
            list(&at("hidden"), hidden, 0, 8)?;
            fraction(&at("dropout"), *dropout, false)?;
            let mut width = c * (h * w) as u64;
            let mut p = 0u64;
            for (i, &n) in hidden.iter().enumerate() {
                within(&format!("{f}.hidden[{i}]"), n, 1, 4096)?;
                p += (width + 1) * n as u64;
                width = n as u64;
            }
            p + (width + 1) * MAX_CLASSES as u64
        }
        ModelSpec::LeNet { .. } => {
            within(&at("input"), h.min(w), 12, MAX_SIDE)?;
            0
        }
        ModelSpec::Vgg {
            stages,
            pool,
            hidden,
            dropout,
            ..
        } => {
            list(&at("stages"), stages, 1, 6)?;
            within(&at("pool"), *pool, 1, 7)?;
            within(&at("hidden"), *hidden, 1, 4096)?;
            fraction(&at("dropout"), *dropout, false)?;
            let (mut p, mut ch) = (0u64, c);
            for (i, s) in stages.iter().enumerate() {
                list(&format!("{f}.stages[{i}]"), s, 1, 4)?;
                for (j, &wd) in s.iter().enumerate() {
                    within(&format!("{f}.stages[{i}][{j}]"), wd, 1, 512)?;
                    p += 9 * ch * wd as u64;
                    ch = wd as u64;
                }
            }
            let hd = *hidden as u64;
            p + ch * (*pool * *pool) as u64 * hd + hd * hd + hd * MAX_CLASSES as u64
        }
        ModelSpec::ResNet(r) => {
            list(&at("layers"), &r.layers, 1, 4)?;
            within(&at("base_width"), r.base_width, 1, 128)?;
            within(&at("groups"), r.groups, 1, 64)?;
            within(&at("width_per_group"), r.width_per_group, 1, 256)?;
            let mut p = 9 * c * r.base_width as u64;
            let mut inplanes = r.base_width as u64;
            for (i, &n) in r.layers.iter().enumerate() {
                within(&format!("{f}.layers[{i}]"), n, 1, 8)?;
                let planes = (r.base_width << i) as u64;
                for _ in 0..n {
                    p += match r.block {
                        BlockKind::Basic => 9 * inplanes * planes + 9 * planes * planes,
                        BlockKind::Bottleneck => {
                            let width = planes * r.width_per_group as u64 / 64 * r.groups as u64;
                            if width == 0 || !width.is_multiple_of(r.groups as u64) {
                                return fail(
                                    &at("width_per_group"),
                                    "gives a block width of 0 or one not divisible by groups",
                                );
                            }
                            inplanes * width
                                + 9 * width * width / r.groups as u64
                                + width * planes * 4
                        }
                    } + inplanes * planes * 4;
                    inplanes = planes
                        * if r.block == BlockKind::Bottleneck {
                            4
                        } else {
                            1
                        };
                }
            }
            p
        }
        ModelSpec::DenseNet(d) => {
            within(&at("growth_rate"), d.growth_rate, 1, 48)?;
            list(&at("block_config"), &d.block_config, 1, 4)?;
            for (i, &n) in d.block_config.iter().enumerate() {
                within(&format!("{f}.block_config[{i}]"), n, 1, 24)?;
            }
            within(&at("num_init_features"), d.num_init_features, 1, 128)?;
            within(&at("bn_size"), d.bn_size, 1, 4)?;
            0
        }
        ModelSpec::MobileNetV2 {
            width_mult,
            dropout,
            ..
        } => {
            multiplier(&at("width_mult"), *width_mult)?;
            fraction(&at("dropout"), *dropout, false)?;
            0
        }
        ModelSpec::EfficientNet {
            width_mult,
            depth_mult,
            dropout,
            stochastic_depth,
            ..
        } => {
            multiplier(&at("width_mult"), *width_mult)?;
            multiplier(&at("depth_mult"), *depth_mult)?;
            fraction(&at("dropout"), *dropout, false)?;
            fraction(&at("stochastic_depth"), *stochastic_depth, false)?;
            0
        }
        ModelSpec::Vit(v) => {
            within(&at("patch_size"), v.patch_size, 1, 32)?;
            if h != w || !h.is_multiple_of(v.patch_size) || (h / v.patch_size).pow(2) > 1024 {
                return fail(
                    &at("patch_size"),
                    "needs square inputs cut into at most 1024 whole patches",
                );
            }
            within(&at("num_layers"), v.num_layers, 1, 12)?;
            within(&at("num_heads"), v.num_heads, 1, 16)?;
            within(&at("hidden_dim"), v.hidden_dim, 1, 512)?;
            if !v.hidden_dim.is_multiple_of(v.num_heads) {
                return fail(&at("num_heads"), "must divide hidden_dim");
            }
            within(&at("mlp_dim"), v.mlp_dim, 1, 2048)?;
            fraction(&at("dropout"), v.dropout, false)?;
            0
        }
        ModelSpec::ConvNext(x) => {
            list(&at("dims"), &x.dims, 1, 4)?;
            if x.depths.len() != x.dims.len() {
                return fail(&at("depths"), "needs one depth per entry of dims");
            }
            for (i, (&d, &n)) in x.dims.iter().zip(&x.depths).enumerate() {
                within(&format!("{f}.dims[{i}]"), d, 1, 512)?;
                within(&format!("{f}.depths[{i}]"), n, 1, 12)?;
            }
            within(&at("stem"), x.stem, 1, 8)?;
            fraction(&at("stochastic_depth"), x.stochastic_depth, false)?;
            fraction(&at("layer_scale"), x.layer_scale, true)?;
            0
        }
        ModelSpec::Ensemble { members } => {
            if !top {
                return fail(f, "ensembles cannot be nested");
            }
            list(&at("members"), members, 1, 4)?;
            for (i, m) in members.iter().enumerate() {
                check_family(m, input, &format!("{f}.members[{i}]"), false)?;
            }
            0
        }
    };
    if params > MAX_PARAMS {
        return fail(
            f,
            format!("about {params} parameters; at most {MAX_PARAMS} allowed"),
        );
    }
    Ok(())
}

fn multiplier(field: &str, v: f64) -> Check {
    if v > 0.0 && v <= 2.0 {
        Ok(())
    } else {
        fail(field, format!("{v} is outside (0, 2]"))
    }
}
