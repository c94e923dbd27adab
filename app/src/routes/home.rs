//! The landing page: what pixelgrad is, where to start, whether this browser has WebGPU, and a
//! gallery of lessons and example runs to open with one click.

use leptos::prelude::*;
use leptos_router::components::A;
use pixelgrad::data::{LoaderConfig, Pipeline, Transform};
use pixelgrad::io::{encode_link, RunSpec};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule};
use pixelgrad::train::TrainConfig;

use crate::components::gpu_status::GpuStatus;
use crate::components::run_settings::sgd_momentum;
use crate::lessons::catalog;

/// Lessons shown on the home page; the rest are one click away.
const LESSONS_SHOWN: usize = 6;

/// `/`: the pitch, the start buttons, the device check and the gallery.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Train real neural networks in your browser"</h1>
            <p class="pitch">
                "pixelgrad trains LeNet, ResNet, MobileNet, ViT and more on your own GPU, right in this page: "
                "no install, no Python, no server. Use your webcam or your own images, watch every layer "
                "learn, write your own loss, and share a run with a link."
            </p>
            <div class="actions">
                <A href="/playground" attr:class="button primary">"Open the playground"</A>
                <A href="/lessons" attr:class="button">"Start the course"</A>
            </div>
        </section>
        <GpuStatus />
        <ExampleRuns />
        <LessonGallery />
    }
}

/// An example run: a title, one line on what it shows, and its spec.
struct Example {
    title: &'static str,
    blurb: &'static str,
    spec: RunSpec,
}

/// Runs that each show something, as share links the playground opens ready to train.
fn examples() -> Vec<Example> {
    let train = |epochs, optimizer, schedule, augment: Vec<Transform>| TrainConfig {
        schedule,
        loader: LoaderConfig {
            batch_size: 64,
            drop_last: true,
            augment: Pipeline::new(augment),
            ..LoaderConfig::default()
        },
        ..TrainConfig::new(epochs, optimizer)
    };
    let preset = |name| ModelSpec::preset(name);
    let mut out = Vec::new();
    if let Some(lenet) = preset("lenet5") {
        out.push(Example {
            title: "LeNet-5 reads handwritten digits",
            blurb: "The 1998 convolutional network on MNIST: from guessing to reading most digits in one epoch.",
            spec: RunSpec::bundled(
                "mnist",
                InputSpec::GREY28,
                10,
                lenet,
                train(1, sgd_momentum(0.05), Schedule::Constant, Vec::new()),
            ),
        });
    }
    if let Some(mlp) = preset("mlp") {
        let mut config = train(
            20,
            OptimizerSpec::Adam(AdamConfig::new(0.01)),
            Schedule::Cosine {
                t_max: 20,
                eta_min: 0.0,
            },
            vec![Transform::RandomRotation { degrees: 15.0 }],
        );
        config.early_stopping_patience = Some(4);
        out.push(Example {
            title: "A small MLP, augmented, stopping early",
            blurb: "8×8 digits with rotations, a cosine schedule and early stopping: quick on any device.",
            spec: RunSpec::bundled(
                "digits",
                InputSpec {
                    channels: 1,
                    height: 8,
                    width: 8,
                },
                10,
                mlp,
                config,
            ),
        });
    }
    if let Some(bn) = preset("lenet5_bn") {
        out.push(Example {
            title: "Batch norm and one-cycle on Fashion-MNIST",
            blurb: "LeNet-5 with batch normalization and a one-cycle rate: watch the rate chart climb and fall.",
            spec: RunSpec::bundled(
                "fashion-mnist",
                InputSpec::GREY28,
                10,
                bn,
                train(2, sgd_momentum(0.1), Schedule::one_cycle(0.1, 250), Vec::new()),
            ),
        });
    }
    out
}

/// Example runs as cards that open the playground with the run set up.
#[component]
fn ExampleRuns() -> impl IntoView {
    let cards = examples()
        .into_iter()
        .filter_map(|e| {
            let link = encode_link(&e.spec).ok()?;
            Some(view! {
                <li class="card">
                    <a href=format!("/playground#run={link}") rel="external" data-testid="example-run">{e.title}</a>
                    <p class="detail">{e.blurb}</p>
                </li>
            })
        })
        .collect_view();
    view! {
        <section class="gallery" aria-labelledby="examples-title">
            <h2 id="examples-title">"Example runs"</h2>
            <ul class="cards">{cards}</ul>
        </section>
    }
}

/// The first lessons of the course as cards.
#[component]
fn LessonGallery() -> impl IntoView {
    let total = catalog::lessons().count();
    let cards = catalog::lessons()
        .take(LESSONS_SHOWN)
        .map(|lesson| {
            view! {
                <li class="card">
                    <a href=format!("/lesson/{}", lesson.id) data-testid="lesson-card">
                        {format!("{}. {}", lesson.number, lesson.title)}
                    </a>
                    <p class="detail">{lesson.summary.clone()}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="gallery" aria-labelledby="lessons-title">
            <h2 id="lessons-title">"Lessons"</h2>
            <ul class="cards">{cards}</ul>
            <p><A href="/lessons">{format!("All {total} lessons")}</A></p>
        </section>
    }
}
