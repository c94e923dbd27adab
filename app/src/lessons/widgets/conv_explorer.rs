//! The conv explorer: change kernel, stride, padding, dilation and groups of one `Conv2d` and
//! see the output size formula with the numbers in it, the parameter count, and which input
//! pixels one output pixel reads (step through output positions, or play them in order).

use leptos::prelude::*;

use crate::lessons::check::Observed;
use crate::lessons::conv_math::ConvSettings;

/// Largest padded side drawn as a grid (bigger inputs show the formula only).
const MAX_DRAWN: usize = 36;
const CELL: f64 = 11.0;

/// One conv layer to play with; reports output shape and parameters to the step's checks.
#[component]
pub fn ConvExplorer(settings: ConvSettings, observed: RwSignal<Observed>) -> impl IntoView {
    let s = RwSignal::new(settings);
    let position = RwSignal::new(0usize);
    let playing = RwSignal::new(false);
    Effect::new(move |_| {
        let conv = s.get();
        observed.update(
            |o| match conv.validate().and_then(|_| conv.output_shape()) {
                Ok(shape) => {
                    o.output_shape = Some(shape.to_vec());
                    o.params = Some(conv.parameters() as f64);
                }
                Err(_) => {
                    o.output_shape = None;
                    o.params = None;
                }
            },
        );
    });
    // Playing advances the highlighted output position a few times a second.
    let handle = set_interval_with_handle(
        move || {
            if playing.get_untracked() {
                let cells =
                    s.with_untracked(|c| c.output_shape().map(|[_, _, h, w]| h * w).unwrap_or(1));
                position.update(|p| *p = (*p + 1) % cells.max(1));
            }
        },
        std::time::Duration::from_millis(250),
    );
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });

    let field = move |label: &'static str,
                      testid: &'static str,
                      get: fn(&ConvSettings) -> usize,
                      set: fn(&mut ConvSettings, usize)| {
        view! {
            <label>{label}
                <input type="number" min="0" max="512" data-testid=testid prop:value=move || s.with(get).to_string()
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<usize>() {
                            s.update(|c| set(c, v.min(512)));
                            position.set(0);
                        }
                    } />
            </label>
        }
    };
    view! {
        <div class="widget conv-widget" data-testid="conv-widget">
            <div class="form-grid">
                {field("in_channels", "conv-in", |c| c.in_channels, |c, v| c.in_channels = v)}
                {field("input size", "conv-size", |c| c.height, |c, v| { c.height = v; c.width = v; })}
                {field("out_channels", "conv-out", |c| c.out_channels, |c, v| c.out_channels = v)}
                {field("kernel_size", "conv-kernel", |c| c.kernel, |c, v| c.kernel = v)}
                {field("stride", "conv-stride", |c| c.stride, |c, v| c.stride = v)}
                {field("padding", "conv-padding", |c| c.padding, |c, v| c.padding = v)}
                {field("dilation", "conv-dilation", |c| c.dilation, |c, v| c.dilation = v)}
                {field("groups", "conv-groups", |c| c.groups, |c, v| c.groups = v)}
            </div>
            {move || {
                let c = s.get();
                match c.validate().and_then(|_| c.output_shape()) {
                    Err(why) => view! { <p class="error" role="alert" data-testid="conv-error">{format!("PyTorch would refuse this: {why}")}</p> }.into_any(),
                    Ok(shape) => view! {
                        <p class="formula">{format!(
                            "H_out = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 = ⌊({} + 2·{} − {}·({} − 1) − 1) / {}⌋ + 1 = {}",
                            c.height, c.padding, c.dilation, c.kernel, c.stride, shape[2]
                        )}</p>
                        <p data-testid="conv-output">{format!(
                            "nn.Conv2d({}, {}, kernel_size={}, stride={}, padding={}, dilation={}, groups={}) maps [1, {}, {}, {}] to [{}, {}, {}, {}]",
                            c.in_channels, c.out_channels, c.kernel, c.stride, c.padding, c.dilation, c.groups,
                            c.in_channels, c.height, c.width, shape[0], shape[1], shape[2], shape[3]
                        )}</p>
                        <p data-testid="conv-params">{format!(
                            "Parameters: {} × ({} / {}) × {} × {} weights + {} biases = {} · {} multiply-accumulates per image",
                            c.out_channels, c.in_channels, c.groups, c.kernel, c.kernel, c.out_channels, c.parameters(), c.macs()
                        )}</p>
                        <Footprint conv=c position=position playing=playing />
                    }.into_any(),
                }
            }}
        </div>
    }
}

/// The padded input as a grid with the taps one output pixel reads.
#[component]
fn Footprint(
    conv: ConvSettings,
    position: RwSignal<usize>,
    playing: RwSignal<bool>,
) -> impl IntoView {
    let padded = conv.height + 2 * conv.padding;
    let Ok([_, _, oh, ow]) = conv.output_shape() else {
        return ().into_any();
    };
    if padded > MAX_DRAWN || conv.width + 2 * conv.padding > MAX_DRAWN {
        return view! { <p class="detail">"(The input is too large to draw; make it 36 pixels or smaller to see the kernel move.)"</p> }.into_any();
    }
    let side = padded as f64 * CELL;
    let grid = move || {
        let p = position.get() % (oh * ow).max(1);
        let (oy, ox) = (p / ow, p % ow);
        let taps: Vec<(usize, usize)> = (0..conv.kernel)
            .flat_map(|ky| {
                (0..conv.kernel).map(move |kx| {
                    (
                        oy * conv.stride + ky * conv.dilation,
                        ox * conv.stride + kx * conv.dilation,
                    )
                })
            })
            .collect();
        (0..padded)
            .flat_map(|y| (0..padded).map(move |x| (y, x)))
            .map(|(y, x)| {
                let pad = y < conv.padding || x < conv.padding || y >= conv.padding + conv.height || x >= conv.padding + conv.width;
                let class = match (taps.contains(&(y, x)), pad) {
                    (true, _) => "cell tap",
                    (false, true) => "cell pad",
                    (false, false) => "cell",
                };
                view! { <rect class=class x=x as f64 * CELL y=y as f64 * CELL width=CELL - 1.0 height=CELL - 1.0 /> }
            })
            .collect_view()
    };
    view! {
        <div class="conv-footprint">
            <svg role="img" aria-label="padded input with the kernel's taps for one output pixel" viewBox=format!("0 0 {side} {side}") width=side height=side>{grid}</svg>
            <div>
                <p>{move || { let p = position.get() % (oh * ow).max(1); format!("Output pixel (row {}, column {}) of {oh}×{ow} reads the highlighted taps; grey is padding.", p / ow, p % ow) }}</p>
                <input type="range" min="0" max=(oh * ow).saturating_sub(1) aria-label="output position" prop:value=move || position.get().to_string() on:input=move |e| position.set(event_target_value(&e).parse().unwrap_or(0)) />
                <button type="button" class="button" on:click=move |_| playing.update(|p| *p = !*p)>{move || if playing.get() { "Pause" } else { "Play" }}</button>
            </div>
        </div>
    }
    .into_any()
}
