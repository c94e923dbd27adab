//! "Train on your images": MobileNetV2 pretrained on ImageNet with a new head (the frozen
//! backbone makes a few dozen images per class enough), or any colour model of the zoo from
//! scratch. It sends the user's set to the worker and a run spec that names it by hash.

use leptos::prelude::*;
use pixelgrad::data::{LoaderConfig, Pipeline, Transform, UserDataset};
use pixelgrad::io::{DataSource, RunSpec};
use pixelgrad::models::{InputSpec, ModelSpec, PRESETS};
use pixelgrad::optim::{AdamConfig, OptimizerSpec};
use pixelgrad::train::TrainConfig;

use super::balance_view::readiness;
use super::store::UserData;
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{BackendChoice, Command, TrainRequest};

/// The choice value of the transfer-learning model.
const TRANSFER: &str = "transfer";
/// Side of the images the zoo's colour presets are built for.
const ZOO_SIDE: usize = 32;

/// What the form produces: the run spec and whether to start from the ImageNet weights.
pub fn user_run(
    set: &UserDataset,
    model: &str,
    epochs: usize,
    val_fraction: f64,
    seed: u64,
) -> Result<(RunSpec, bool), String> {
    let transfer = model == TRANSFER;
    let (spec_model, side, lr) = if transfer {
        let m = ModelSpec::MobileNetV2 {
            width_mult: 1.0,
            dropout: 0.2,
            small_input: false,
        };
        (m, set.height(), 3e-3)
    } else {
        let m = ModelSpec::preset(model)
            .ok_or_else(|| format!("there is no model called \"{model}\""))?;
        (m, ZOO_SIDE, 1e-3)
    };
    let mut transforms = Vec::new();
    if side != set.height() {
        transforms.push(Transform::Resize {
            height: side,
            width: side,
        });
    }
    transforms.push(Transform::RandomHorizontalFlip { p: 0.5 });
    // The ImageNet statistics the pretrained weights expect; harmless for a fresh model.
    transforms.push(Transform::Normalize {
        mean: vec![0.485, 0.456, 0.406],
        std: vec![0.229, 0.224, 0.225],
    });
    let train = TrainConfig {
        loader: LoaderConfig {
            batch_size: 16,
            augment: Pipeline::new(transforms),
            ..LoaderConfig::default()
        },
        seed,
        ..TrainConfig::new(epochs, OptimizerSpec::Adam(AdamConfig::new(lr)))
    };
    let input = InputSpec {
        channels: 3,
        height: side,
        width: side,
    };
    let mut spec = RunSpec::bundled(
        "user",
        input,
        pixelgrad::data::Dataset::classes(set).len(),
        spec_model,
        train,
    );
    spec.data.source = DataSource::User {
        sha256: set.sha256_hex().map_err(|e| e.to_string())?,
        class_names: pixelgrad::data::Dataset::classes(set).to_vec(),
    };
    spec.data.val_fraction = val_fraction;
    spec.validate().map_err(|e| e.to_string())?;
    Ok((spec, transfer))
}

/// The model choice and the train button for the user's own images.
#[component]
pub fn TrainUser() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let data = UserData::use_or_provide();
    let model = RwSignal::new(TRANSFER.to_string());
    let epochs = RwSignal::new("8".to_string());
    let error = RwSignal::new(None::<String>);
    let blocker = move || {
        data.store.with(|s| {
            readiness(
                &s.set.class_counts(),
                pixelgrad::data::Dataset::classes(&s.set),
            )
        })
    };
    let running = move || {
        worker.training.with(|t| {
            matches!(
                t.state,
                RunState::Starting | RunState::Running | RunState::Paused
            )
        })
    };
    let train = move |_| {
        let epochs = match epochs.get_untracked().trim().parse::<usize>() {
            Ok(e) if (1..=100).contains(&e) => e,
            _ => return error.set(Some("Epochs must be a whole number from 1 to 100.".into())),
        };
        let set = data.snapshot();
        match user_run(
            &set,
            &model.get_untracked(),
            epochs,
            data.val_fraction.get_untracked(),
            0,
        ) {
            Ok((spec, transfer)) => {
                error.set(None);
                worker.send(&Command::LoadUser { data: set });
                let request = Box::new(TrainRequest {
                    spec,
                    backend: BackendChoice::Auto,
                    eval_every: 0,
                    stop_at: None,
                });
                worker.start_run(&if transfer {
                    Command::TrainTransfer(request)
                } else {
                    Command::Train(request)
                });
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let zoo = PRESETS
        .iter()
        .filter(|(_, kind)| *kind == "rgb32")
        .map(|(name, _)| *name);
    view! {
        <section class="train-user" aria-labelledby="train-user-title">
            <h3 id="train-user-title">"Train on your images"</h3>
            <div class="form-grid">
                <label>"Model"
                    <select data-testid="user-model" on:change=move |e| model.set(event_target_value(&e))>
                        <option value=TRANSFER selected=true>"MobileNetV2 transfer (96 px)"</option>
                        {zoo.map(|name| view! { <option value=name>{format!("{name} from scratch (32 px)")}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Epochs"
                    <input type="text" inputmode="numeric" data-testid="user-epochs" prop:value=move || epochs.get()
                        on:input=move |e| epochs.set(event_target_value(&e)) />
                </label>
            </div>
            <p class="detail">{move || if model.get() == TRANSFER {
                "The ImageNet-trained MobileNetV2 stays frozen; only a new last layer learns your classes, so a few dozen images per class are enough."
            } else {
                "A zoo model learns everything from your images: it needs many more of them."
            }}</p>
            <button type="button" class="button primary" data-testid="train-user"
                disabled=move || blocker().is_some() || running() on:click=train>"Train on my images"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
