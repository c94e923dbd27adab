//! `/playground`: where users pick data and a model and train it.

use leptos::prelude::*;

use crate::components::confusion_matrix::ConfusionView;
use crate::components::crash_resume::CrashResume;
use crate::components::data_panel::DataPanel;
use crate::components::fault_drill::FaultDrillPanel;
use crate::components::gpu_status::GpuStatus;
use crate::components::inspect::selection::LookInside;
use crate::components::inspect::InspectPanel;
use crate::components::loss_editor::LossEditor;
use crate::components::model_panel::ModelPanel;
use crate::components::results::ResultsExtras;
use crate::components::share::link_opener::LinkOpener;
use crate::components::training_panel::TrainingPanel;
use crate::storage::alert::StorageAlert;

/// The playground page: data, model and training panels side by side on a laptop, stacked on a
/// phone.
#[component]
pub fn Playground() -> impl IntoView {
    let look = LookInside::provide();
    view! {
        <section class="page">
            <h1>"Playground"</h1>
            <p>"Pick data, pick a model, press train, and watch it learn."</p>
        </section>
        <LinkOpener />
        <CrashResume />
        <StorageAlert />
        <div class="playground">
            <DataPanel />
            // Where training runs sits beside what it trains on (and fills that row on a laptop).
            <GpuStatus />
            <TrainingPanel />
            <LossEditor />
            <ModelPanel />
            <ConfusionView on_cell=look.open_cell() />
            <ResultsExtras />
            <InspectPanel />
            <FaultDrillPanel />
        </div>
    }
}
