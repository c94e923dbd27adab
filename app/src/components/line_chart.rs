//! A small SVG line chart for live training curves: no chart library, so it costs a few KB of
//! wasm and redraws cheaply on every metrics event.

use leptos::prelude::*;

/// One curve: a name for the legend, a CSS class for its colour, and `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS class that sets the stroke colour (`series-0`, `series-1`, ...).
    pub class: &'static str,
    /// Points in data coordinates, x increasing.
    pub points: Vec<(f64, f64)>,
}

const WIDTH: f64 = 340.0;
const HEIGHT: f64 = 190.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// Most points drawn per curve; longer runs are thinned by striding, keeping the last point.
const MAX_POINTS: usize = 600;

/// A titled chart of several series sharing axes; `y_range` fixes the y axis (e.g. 0–1 for
/// accuracy), otherwise it follows the data.
#[component]
pub fn LineChart(
    /// Heading and accessible name.
    #[prop(into)]
    title: String,
    /// The curves, read reactively.
    #[prop(into)]
    series: Signal<Vec<Series>>,
    /// Fixed y bounds, or `None` to fit the data.
    #[prop(optional)]
    y_range: Option<(f64, f64)>,
    /// Label under the x axis.
    #[prop(into)]
    x_label: String,
) -> impl IntoView {
    let svg_title = title.clone();
    let body = move || {
        let series = series.get();
        let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let all: Vec<(f64, f64)> = series
            .iter()
            .flat_map(|s| s.points.iter().filter(finite).copied())
            .collect();
        if all.is_empty() {
            return view! { <text x=WIDTH / 2.0 y=HEIGHT / 2.0 class="chart-empty" text-anchor="middle">"No data yet"</text> }.into_any();
        }
        let (x0, x1) = bounds(all.iter().map(|p| p.0));
        let (y0, y1) = y_range.unwrap_or_else(|| bounds(all.iter().map(|p| p.1)));
        let sx = move |x: f64| LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
        let sy = move |y: f64| {
            TOP + (1.0 - (y.clamp(y0, y1) - y0) / (y1 - y0)) * (HEIGHT - TOP - BOTTOM)
        };
        let grid = ticks(y0, y1)
            .into_iter()
            .map(|t| {
                view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=sy(t) y2=sy(t) class="chart-grid" />
                    <text x=LEFT - 6.0 y=sy(t) class="chart-tick" text-anchor="end" dominant-baseline="middle">{format_tick(t)}</text>
                }
            })
            .collect_view();
        let x_ticks = ticks(x0, x1)
            .into_iter()
            .map(|t| view! { <text x=sx(t) y=HEIGHT - 10.0 class="chart-tick" text-anchor="middle">{format_tick(t)}</text> })
            .collect_view();
        let lines = series
            .iter()
            .map(|s| {
                let points = thin(&s.points)
                    .filter(|p| p.0.is_finite() && p.1.is_finite())
                    .map(|(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polyline points=points class=format!("chart-line {}", s.class) /> }
            })
            .collect_view();
        view! { {grid} {x_ticks} {lines} }.into_any()
    };
    let legend = move || {
        series
            .get()
            .into_iter()
            .map(|s| {
                let last = s
                    .points
                    .last()
                    .map(|p| format!(" {}", format_value(p.1)))
                    .unwrap_or_default();
                view! { <li class=s.class>{s.name}{last}</li> }
            })
            .collect_view()
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=svg_title>
                {body}
                <line x1=LEFT x2=LEFT y1=TOP y2=HEIGHT - BOTTOM class="chart-axis" />
                <line x1=LEFT x2=WIDTH - RIGHT y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM class="chart-axis" />
            </svg>
            <ul class="chart-legend">{legend}</ul>
            <p class="chart-x-label">{x_label}</p>
        </figure>
    }
}

/// Min and max, widened when flat so the scale never divides by zero.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        let pad = if lo.abs() > 1e-12 {
            lo.abs() * 0.5
        } else {
            0.5
        };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// About five round tick values between `lo` and `hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

fn format_tick(v: f64) -> String {
    if v.abs() >= 1000.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn format_value(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

/// At most [`MAX_POINTS`] points, evenly strided, always ending with the newest.
fn thin(points: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + '_ {
    let stride = points.len().div_ceil(MAX_POINTS).max(1);
    let last = points.len().saturating_sub(1);
    points
        .iter()
        .enumerate()
        .filter(move |(i, _)| i % stride == 0 || *i == last)
        .map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        let unit = ticks(0.0, 1.0);
        assert_eq!(unit.len(), 6, "{unit:?}");
        assert!((unit[5] - 1.0).abs() < 1e-12);
        let t = ticks(0.13, 2.31);
        assert!(t.iter().all(|v| (0.13..=2.31).contains(v)), "{t:?}");
        assert_eq!(t, vec![0.5, 1.0, 1.5, 2.0]);
    }

    #[test]
    fn thinning_keeps_the_last_point() {
        let points: Vec<(f64, f64)> = (0..1999).map(|i| (i as f64, 0.0)).collect();
        let kept: Vec<_> = thin(&points).collect();
        assert!(kept.len() <= MAX_POINTS + 1);
        assert_eq!(kept.last(), Some(&(1998.0, 0.0)));
    }

    #[test]
    fn flat_data_gets_a_usable_range() {
        assert_eq!(bounds([2.0, 2.0].into_iter()), (1.0, 3.0));
        assert_eq!(bounds([0.0, 0.0].into_iter()), (-0.5, 0.5));
    }
}
