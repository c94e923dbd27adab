//! `/lessons` and `/lesson/:id`: the course.

use leptos::prelude::*;

/// The planned course, in order; each lesson trains something real in the page.
const COURSE: &[&str] = &[
    "Tensors and autograd",
    "From logistic regression to an MLP",
    "Convolutions",
    "LeNet-5 and batch norm",
    "Fighting overfitting",
    "Losses, and writing your own",
    "Metrics beyond accuracy",
    "ResNet",
    "ResNeXt",
    "DenseNet",
    "MobileNet",
    "EfficientNet",
    "Vision Transformer",
    "ConvNeXt",
    "Transfer learning with your webcam",
    "Ensembles and int8 quantization",
    "Taking it further with PyTorch",
];

/// The course outline; lessons open here as they are written.
#[component]
pub fn Lessons() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Lessons"</h1>
            <p>"A step-by-step course, one lesson per architecture and per craft topic."</p>
            <ol class="course">
                {COURSE.iter().map(|title| view! { <li>{*title}</li> }).collect_view()}
            </ol>
        </section>
    }
}
