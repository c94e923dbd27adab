//! `/playground`: where users pick data and a model and train it.

use leptos::prelude::*;

use crate::components::confusion_matrix::ConfusionView;
use crate::components::data_panel::DataPanel;
use crate::components::gpu_status::GpuStatus;
use crate::components::loss_editor::LossEditor;
use crate::components::share::link_opener::LinkOpener;
use crate::components::training_panel::TrainingPanel;

/// The playground page: data, model and training panels side by side on a laptop, stacked on a
/// phone.
#[component]
pub fn Playground() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Playground"</h1>
            <p>"Pick data, pick a model, press train, and watch it learn."</p>
        </section>
        <LinkOpener />
        <div class="playground">
            <DataPanel />
            <TrainingPanel />
            <LossEditor />
            <ConfusionView />
            <GpuStatus />
        </div>
    }
}
