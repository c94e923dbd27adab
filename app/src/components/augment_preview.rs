//! A grid of real training images as an augmentation pipeline makes them: the originals, then
//! the same images as epochs 1, 2, ... of a run with this seed see them. The worker draws them
//! with the loader's own seeded streams (`Command::PreviewAugment`), so the preview is what
//! training gets, and it is drawn again whenever the pipeline, the seed or the data set
//! changes. Reusable: the playground shows it under the augmentation toggles and a lesson can
//! embed it with its own pipeline.

use std::cell::Cell;

use leptos::prelude::*;
use pixelgrad::data::Pipeline;

use crate::components::thumbnail::PixelImage;
use crate::worker::client::{WorkerClient, WorkerStatus};
use crate::worker::protocol::{AugmentPreviewRequest, Command, PreviewImage};

thread_local! {
    /// Ids of the previews on the page, so each matches its own answers.
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// Shows `count` training images of the loaded data set (one per class in turn), untouched
/// and as `epochs` epochs of augmentation with `pipeline` and `seed` make them. Needs the
/// [`WorkerClient`] in context and a data set loaded in the worker (`Command::LoadBundled` or
/// the data panel); until then it says so.
#[component]
pub fn AugmentPreview(
    /// The augmentation recipe to preview.
    #[prop(into)]
    pipeline: Signal<Pipeline>,
    /// The run's seed.
    #[prop(into)]
    seed: Signal<u64>,
    /// Images per row (at most 16).
    #[prop(default = 8)]
    count: usize,
    /// Augmented rows, one per epoch (at most 4).
    #[prop(default = 2)]
    epochs: usize,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    // Asks again when the pipeline, the seed, the data set or the worker (a restart) changes.
    Effect::new(move |_| {
        let request = AugmentPreviewRequest {
            id,
            pipeline: pipeline.get(),
            seed: seed.get(),
            count,
            epochs,
        };
        let loaded = worker.dataset.with(|d| d.as_ref().map(|d| d.id.clone()));
        let ready = worker.status.get() == WorkerStatus::Ready;
        if loaded.is_some() && ready {
            worker.send(&Command::PreviewAugment(request));
        }
    });
    let answer = move || {
        worker
            .augment_previews
            .with(|all| all.iter().find(|p| p.id == id).cloned())
    };
    let no_data = move || worker.dataset.with(Option::is_none);
    view! {
        <figure class="augment-preview" data-testid="augment-preview">
            {move || {
                if no_data() {
                    return view! { <p class="detail">"Choose a data set to see augmented samples."</p> }.into_any();
                }
                match answer() {
                    None => view! { <p class="detail">"Drawing augmented samples…"</p> }.into_any(),
                    Some(a) => match a.error {
                        Some(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                        None => grid(a.rows, a.labels).into_any(),
                    },
                }
            }}
            <figcaption class="detail">
                "Top row: training images as stored. Below: the same images as the first epochs of a run with this seed see them."
            </figcaption>
        </figure>
    }
}

/// The rows of images with their headings.
fn grid(rows: Vec<Vec<PreviewImage>>, labels: Vec<String>) -> impl IntoView {
    let drawn = rows.iter().skip(1).flatten().count();
    view! {
        <div class="augment-grid" data-testid="augment-grid" data-drawn=drawn>
            {rows
                .into_iter()
                .enumerate()
                .map(|(r, row)| {
                    let heading = if r == 0 { "original".to_string() } else { format!("epoch {r}") };
                    view! {
                        <div class="augment-row">
                            <span class="augment-row-label">{heading.clone()}</span>
                            {row
                                .into_iter()
                                .zip(labels.iter().cloned())
                                .map(|(image, label)| view! {
                                    <PixelImage height=image.height width=image.width channels=image.channels pixels=image.pixels
                                        label=format!("{label}, {heading}") class="thumb augment-thumb" />
                                })
                                .collect_view()}
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
