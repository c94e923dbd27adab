//! The first layer's filters as images: what the first convolution looks for (edges, blobs,
//! strokes), or an MLP's first-layer templates over the whole image.

use leptos::prelude::*;

use super::picture::PictureView;
use crate::worker::client::WorkerClient;

/// The first layer's weights, mid-grey for zero.
#[component]
pub fn FiltersView() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    move || {
        if let Some(e) = worker.inspect.errors.with(|e| e.get("filters").cloned()) {
            return view! { <p class="error" role="alert">{e}</p> }.into_any();
        }
        worker.inspect.filters.with(|f| match f {
            None => view! { <p class="detail">"Reading the first layer…"</p> }.into_any(),
            Some(f) => {
                let size = f
                    .pictures
                    .first()
                    .map_or(String::new(), |p| format!("{}×{}", p.height, p.width));
                let shown = if f.pictures.len() < f.total {
                    format!(", the first {}", f.pictures.len())
                } else {
                    String::new()
                };
                let pictures = f
                    .pictures
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        view! { <PictureView picture=p.clone() label=format!("filter {i}") class="filter" /> }
                    })
                    .collect_view();
                view! {
                    <p class="detail">{format!(
                        "{}: {} filters of {size}{shown}. Mid-grey is 0, white +{:.3}, black −{:.3}.",
                        f.name, f.total, f.scale, f.scale
                    )}</p>
                    <div class="picture-grid filters" data-testid="filters">{pictures}</div>
                }
                .into_any()
            }
        })
    }
}
