//! The playground's "more settings": learning-rate schedule with warm-up and
//! reduce-on-plateau, regularization (weight decay, dropout, clipping, label smoothing, early
//! stopping) and augmentation toggles with a preview of augmented training images. All of it
//! lives in [`RunSettings`], so it goes into the run's spec, its share link and its PyTorch
//! export.

use leptos::prelude::*;
use pixelgrad::models::{InputSpec, ModelSpec};

use crate::components::augment_preview::AugmentPreview;
use crate::components::run_settings::{RunSettings, RESTORED_MODEL};
use crate::components::train_options::{
    model_dropout, ScheduleControls, AUGMENT_KINDS, SCHEDULE_KINDS,
};
use crate::worker::client::WorkerClient;

/// Schedule, regularization and augmentation controls, folded under one summary.
#[component]
pub fn HyperParams(settings: RunSettings) -> impl IntoView {
    view! {
        <details class="more-settings" data-testid="more-settings">
            <summary>"Schedule, regularization and augmentation"</summary>
            <ScheduleControlsView settings />
            <Regularization settings />
            <Augmentation settings />
        </details>
    }
}

/// One text field bound to a string inside the schedule controls.
#[component]
fn ScheduleField(
    label: &'static str,
    testid: &'static str,
    schedule: RwSignal<ScheduleControls>,
    get: fn(&ScheduleControls) -> &String,
    set: fn(&mut ScheduleControls) -> &mut String,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type="text" inputmode="decimal" data-testid=testid
                prop:value=move || schedule.with(|c| get(c).clone())
                on:input=move |e| schedule.update(|c| *set(c) = event_target_value(&e)) />
        </label>
    }
}

/// A labelled text input holding a number as typed (validated when training starts).
#[component]
fn Field(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type="text" inputmode="decimal" data-testid=testid placeholder=placeholder
                prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
        </label>
    }
}

#[component]
fn ScheduleControlsView(settings: RunSettings) -> impl IntoView {
    let schedule = settings.schedule;
    let kind = move || schedule.with(|c| c.kind.clone());
    let unit = move || schedule.with(|c| c.unit());
    view! {
        <fieldset class="settings-group" data-testid="schedule-settings">
            <legend>"Learning-rate schedule"</legend>
            <div class="form-grid">
                <label>"Schedule"
                    <select data-testid="schedule" prop:value=kind
                        on:change=move |e| schedule.update(|c| c.kind = event_target_value(&e))>
                        {move || (kind() == "shared").then(|| view! { <option value="shared" selected=true>"as shared"</option> })}
                        {SCHEDULE_KINDS.iter().map(|(value, label)| view! {
                            <option value=*value selected=move || kind() == *value>{*label}</option>
                        }).collect_view()}
                    </select>
                </label>
                {move || match kind().as_str() {
                    "step" => view! {
                        <ScheduleField label="Decay every (epochs)" testid="step-size" schedule get=|c| &c.step_size set=|c| &mut c.step_size />
                        <ScheduleField label="Decay factor" testid="gamma" schedule get=|c| &c.gamma set=|c| &mut c.gamma />
                    }.into_any(),
                    "cosine_restarts" => view! {
                        <ScheduleField label="First cycle (epochs)" testid="t0" schedule get=|c| &c.t_0 set=|c| &mut c.t_0 />
                        <ScheduleField label="Cycle growth" testid="t-mult" schedule get=|c| &c.t_mult set=|c| &mut c.t_mult />
                    }.into_any(),
                    _ => ().into_any(),
                }}
                <label>{move || format!("Warm-up ({})", unit())}
                    <input type="text" inputmode="numeric" data-testid="warmup"
                        prop:value=move || schedule.with(|c| c.warmup.clone())
                        on:input=move |e| schedule.update(|c| c.warmup = event_target_value(&e)) />
                </label>
                <label class="check"><input type="checkbox" data-testid="plateau" prop:checked=move || settings.plateau.get()
                    on:change=move |e| settings.plateau.set(event_target_checked(&e)) />"Reduce on plateau"</label>
                {move || settings.plateau.get().then(|| view! {
                    <Field label="Plateau patience (epochs)" testid="plateau-patience" value=settings.plateau_patience />
                    <Field label="Plateau factor" testid="plateau-factor" value=settings.plateau_factor />
                })}
            </div>
            <p class="detail">{move || schedule_hint(&kind())}</p>
        </fieldset>
    }
}

/// What the chosen schedule does, in a sentence.
fn schedule_hint(kind: &str) -> &'static str {
    match kind {
        "constant" => "The rate stays the same.",
        "step" => "The rate is multiplied by the factor every few epochs.",
        "cosine" => "The rate falls along a half cosine to 0 over all epochs.",
        "cosine_restarts" => "The rate falls along a cosine, then jumps back up; each cycle is longer than the last.",
        "one_cycle" => "The rate climbs to the learning rate over the first 30% of steps, then falls far below it.",
        _ => "The shared run's own schedule, unchanged.",
    }
}

#[component]
fn Regularization(settings: RunSettings) -> impl IntoView {
    let has_dropout = move || {
        let preset = settings.preset.get();
        let model = if preset == RESTORED_MODEL {
            settings.base.with(|b| b.as_ref().map(|b| b.model.clone()))
        } else {
            ModelSpec::preset(&preset)
        };
        model.as_ref().and_then(model_dropout).is_some()
    };
    view! {
        <fieldset class="settings-group" data-testid="regularization-settings">
            <legend>"Regularization"</legend>
            <div class="form-grid">
                <Field label="Weight decay" testid="weight-decay" value=settings.weight_decay />
                {move || has_dropout().then(|| view! { <Field label="Dropout" testid="dropout" value=settings.dropout placeholder="the model's own" /> })}
                <Field label="Clip gradient norm" testid="clip" value=settings.clip placeholder="off" />
                <Field label="Label smoothing" testid="label-smoothing" value=settings.label_smoothing />
                <Field label="Early stopping (epochs)" testid="patience" value=settings.patience placeholder="off" />
            </div>
            {move || (!has_dropout()).then(|| view! { <p class="detail">"This model has no dropout layer."</p> })}
        </fieldset>
    }
}

#[component]
fn Augmentation(settings: RunSettings) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let pipeline = Signal::derive(move || {
        let input = worker.dataset.with(|d| {
            d.as_ref().map_or(InputSpec::GREY28, |d| InputSpec {
                channels: 1,
                height: d.height,
                width: d.width,
            })
        });
        settings.pipeline(input)
    });
    let seed = Signal::derive(move || settings.seed_or_zero());
    view! {
        <fieldset class="settings-group" data-testid="augment-settings">
            <legend>"Augmentation"</legend>
            <div class="toggles">
                {AUGMENT_KINDS.iter().map(|(kind, label)| {
                    let kind = *kind;
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("augment-{}", kind.id())
                                prop:checked=move || settings.augment.with(|a| a.get(kind))
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    settings.augment.update(|a| a.set(kind, on));
                                } />
                            {*label}
                        </label>
                    }
                }).collect_view()}
            </div>
            <AugmentPreview pipeline seed />
        </fieldset>
    }
}
