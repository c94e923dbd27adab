//! The layer list: every module in execution order, indented by depth, with its output shape,
//! parameters and FLOPs (two per multiply-accumulate, per image).

use leptos::prelude::*;

use crate::lessons::query::ModelSummary;

/// `1234567` as `1.23 M`, `61706` as `61.7 k`: counts at a glance.
pub fn count(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.3} G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.3} M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n}")
    }
}

/// FLOPs with a unit.
pub fn flops(n: u64) -> String {
    let c = count(n);
    if c.ends_with(char::is_alphabetic) {
        format!("{c}FLOPs")
    } else {
        format!("{c} FLOPs")
    }
}

/// The summary's rows as a table, scrolling when long.
#[component]
pub fn LayerTable(summary: ModelSummary) -> impl IntoView {
    let rows = summary
        .layers
        .iter()
        .map(|layer| {
            let depth = layer.name.matches('.').count();
            let short = layer.name.rsplit('.').next().unwrap_or(&layer.name).to_string();
            // Nesting shown with em spaces: the content security policy refuses inline styles.
            let indent = "\u{2003}".repeat(depth);
            let shape = layer
                .output_shape
                .iter()
                .skip(1)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("×");
            view! {
                <tr class:top=depth == 0>
                    <th scope="row" title=layer.name.clone()>{indent}{short}</th>
                    <td>{shape}</td>
                    <td>{if layer.parameters == 0 { "–".to_string() } else { count(layer.parameters as u64) }}</td>
                    <td>{if layer.macs == 0 { "–".to_string() } else { count(2 * layer.macs) }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="layer-wrap">
            <table class="layers" data-testid="layer-table">
                <caption>"Layers in execution order; shapes are per image (channels×height×width)"</caption>
                <thead><tr><th scope="col">"layer"</th><th scope="col">"output"</th><th scope="col">"params"</th><th scope="col">"FLOPs"</th></tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr>
                    <th scope="row">"total"</th><td></td>
                    <td data-testid="total-params">{count(summary.parameters as u64)}</td>
                    <td data-testid="total-flops">{count(2 * summary.macs)}</td>
                </tr></tfoot>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_at_a_glance() {
        assert_eq!(count(6), "6");
        assert_eq!(count(9999), "9999");
        assert_eq!(count(61_706), "61.7 k");
        assert_eq!(count(1_234_567), "1.235 M");
        assert_eq!(flops(846_000), "846.0 kFLOPs");
        assert_eq!(flops(600), "600 FLOPs");
    }
}
