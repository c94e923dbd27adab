//! The classes of the user's data as cards, plus the form that adds a class.

use leptos::prelude::*;
use pixelgrad::data::Dataset;

use super::class_card::ClassCard;
use super::store::UserData;

/// Every class card and an "add class" form. `record` builds the extra header controls of a
/// card (the webcam's record button) from its label.
#[component]
pub fn ClassList(
    /// Whether files dropped on a card go to that class.
    #[prop(optional)]
    droppable: bool,
    /// Header controls per class.
    #[prop(optional, into)]
    record: Option<Callback<usize, AnyView>>,
) -> impl IntoView {
    let data = UserData::use_or_provide();
    let new_name = RwSignal::new(String::new());
    // Keyed by position and name: a removed class re-renders the cards after it.
    let classes = move || {
        data.store.with(|s| {
            s.set
                .classes()
                .iter()
                .cloned()
                .enumerate()
                .collect::<Vec<_>>()
        })
    };
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        data.add_class(&new_name.get_untracked());
        if data.notice.get_untracked().is_none() {
            new_name.set(String::new());
        }
    };
    view! {
        <div class="class-list">
            <For each=classes key=|(label, name)| (*label, name.clone()) let:item>
                {
                    let label = item.0;
                    match record {
                        Some(record) => view! { <ClassCard label droppable>{record.run(label)}</ClassCard> }.into_any(),
                        None => view! { <ClassCard label droppable /> }.into_any(),
                    }
                }
            </For>
            <form class="add-class" on:submit=add>
                <input type="text" maxlength="40" placeholder="New class name" aria-label="New class name"
                    data-testid="new-class" prop:value=move || new_name.get()
                    on:input=move |e| new_name.set(event_target_value(&e)) />
                <button type="submit" class="button">"Add class"</button>
            </form>
            {move || data.notice.get().map(|n| view! { <p class="error" role="alert">{n}</p> })}
        </div>
    }
}
