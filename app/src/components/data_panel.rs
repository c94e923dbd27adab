//! Picking the training data: the bundled sets with thumbnails and the class balance, the
//! user's own uploads, or webcam captures.

use leptos::prelude::*;

use crate::components::bar::Bar;

use crate::components::thumbnail::PixelImage;
use crate::components::upload::store::UserData;
use crate::components::upload::train_user::TrainUser;
use crate::components::upload::try_image::TryImage;
use crate::components::upload::upload_panel::UploadPanel;
use crate::components::webcam::webcam_panel::WebcamPanel;
use crate::worker::client::WorkerClient;
use crate::worker::datasets::BUNDLED;
use crate::worker::protocol::{Command, DatasetSummary};

/// Where the training images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Bundled,
    Upload,
    Webcam,
}

impl Source {
    const ALL: [(Source, &'static str, &'static str); 3] = [
        (Source::Bundled, "Bundled sets", "bundled"),
        (Source::Upload, "Your images", "upload"),
        (Source::Webcam, "Webcam", "webcam"),
    ];
}

/// The data panel: a tab per source. Decoded uploads arriving from the worker are added to
/// the user's set here, whichever tab is open.
#[component]
pub fn DataPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let data = UserData::use_or_provide();
    let source = RwSignal::new(Source::Bundled);
    Effect::new(move |_| {
        if worker.decoded.with(Vec::is_empty) {
            return;
        }
        let arrived = worker
            .decoded
            .try_update_untracked(std::mem::take)
            .unwrap_or_default();
        for (files, report) in arrived {
            data.decoding.update(|d| *d = d.saturating_sub(files));
            data.add_import(report);
        }
    });
    let wide = move || source.get() != Source::Bundled;
    view! {
        <section class="panel data-panel" class:wide=wide data-testid="data-panel" aria-labelledby="data-title">
            <h2 id="data-title">"Data"</h2>
            <div class="tabs" role="tablist" aria-label="Where the images come from">
                {Source::ALL.iter().map(|&(s, title, id)| view! {
                    <button type="button" role="tab" class="tab" id=format!("tab-{id}") data-testid=format!("source-{id}")
                        aria-selected=move || (source.get() == s).to_string()
                        on:click=move |_| source.set(s)>{title}</button>
                }).collect_view()}
            </div>
            <div role="tabpanel">
                {move || match source.get() {
                    Source::Bundled => view! { <BundledChoice /> }.into_any(),
                    Source::Upload => view! { <UploadPanel /> <TrainUser /> <TryImage /> }.into_any(),
                    Source::Webcam => view! { <WebcamPanel /> <TrainUser /> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// One button per bundled set; the loaded set's size, balance and examples.
#[component]
fn BundledChoice() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let loading = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if worker.dataset.get().is_some() || worker.last_error.get().is_some() {
            loading.set(None);
        }
    });
    let choose = move |id: &'static str| {
        loading.set(Some(id));
        worker.send(&Command::LoadBundled { id: id.to_string() });
    };
    let selected = move || worker.dataset.with(|d| d.as_ref().map(|d| d.id.clone()));
    view! {
        <div class="choices" role="radiogroup" aria-label="Bundled data sets">
            {BUNDLED.iter().map(|set| {
                let id = set.id;
                let checked = move || selected().as_deref() == Some(id);
                view! {
                    <button type="button" role="radio" class="choice" aria-checked=move || checked().to_string()
                        data-dataset=id on:click=move |_| choose(id)>
                        <strong>{set.title}</strong>
                        <span class="detail">{set.blurb}</span>
                    </button>
                }
            }).collect_view()}
        </div>
        {move || worker.last_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        {move || loading.get().map(|id| view! { <p class="detail" aria-live="polite">{format!("Loading {id}…")}</p> })}
        {move || worker.dataset.get().filter(|d| !d.id.starts_with("user:")).map(|summary| view! { <DatasetView summary /> })}
    }
}

/// Size, class balance and example images of a loaded set.
#[component]
fn DatasetView(summary: DatasetSummary) -> impl IntoView {
    let largest = summary
        .class_counts
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let balance = summary
        .classes
        .iter()
        .zip(&summary.class_counts)
        .map(|(name, &count)| {
            let percent = 100.0 * count as f64 / largest as f64;
            view! {
                <li>
                    <span class="bar-label">{name.clone()}</span>
                    <Bar percent=percent class="bar" />
                    <span class="bar-count">{count}</span>
                </li>
            }
        })
        .collect_view();
    let classes = summary.classes.clone();
    let thumbs = summary
        .thumbnails
        .into_iter()
        .map(|t| {
            let label = classes.get(t.label).cloned().unwrap_or_default();
            view! { <PixelImage height=t.height width=t.width channels=1 pixels=t.pixels label class="thumb" /> }
        })
        .collect_view();
    view! {
        <p data-testid="dataset-size">
            {format!(
                "{} training and {} test images of {}×{} pixels in {} classes.",
                summary.train_len, summary.test_len, summary.height, summary.width, summary.classes.len()
            )}
        </p>
        <h3>"Class balance"</h3>
        <ul class="balance">{balance}</ul>
        <h3>"Examples"</h3>
        <div class="thumbs">{thumbs}</div>
    }
}
