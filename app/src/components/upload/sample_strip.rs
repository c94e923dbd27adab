//! The latest images of one class, each with a delete button, so bad captures or wrong
//! uploads can be taken out before training.

use leptos::prelude::*;

use super::store::{UserData, USER_IMAGE_SIDE};
use crate::components::thumbnail::PixelImage;

/// Images shown per class; the count says how many there are in all.
const SHOWN: usize = 18;

/// The newest images of class `label`, newest first.
#[component]
pub fn SampleStrip(
    /// The class shown.
    label: usize,
) -> impl IntoView {
    let data = UserData::use_or_provide();
    let samples = move || {
        data.store.with(|s| {
            s.set
                .samples()
                .iter()
                .zip(&s.ids)
                .filter(|(sample, _)| sample.label == label)
                .rev()
                .take(SHOWN)
                .map(|(sample, &id)| (id, sample.source.clone(), sample.pixels.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul class="sample-strip" data-testid=format!("samples-{label}")>
            <For each=samples key=|(id, _, _)| *id let:item>
                {
                    let (id, source, pixels) = item;
                    let name = if source == "webcam" { "webcam capture".to_string() } else { source };
                    view! {
                        <li class="sample">
                            <PixelImage height=USER_IMAGE_SIDE width=USER_IMAGE_SIDE channels=3 pixels label=name.clone() class="sample-image" />
                            <button type="button" class="sample-delete" title=format!("Delete {name}")
                                aria-label=format!("Delete {name}") on:click=move |_| data.remove(id)>"×"</button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
