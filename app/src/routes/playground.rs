//! `/playground`: where users pick data and a model and train it.

use leptos::prelude::*;

use crate::components::gpu_status::GpuStatus;

/// The playground page. Data, model and training panels arrive with the playground work; today
/// it shows which device training will use.
#[component]
pub fn Playground() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Playground"</h1>
            <p>"Pick data, pick a model, press train. The training panels are being built; the device check below is live."</p>
        </section>
        <GpuStatus />
    }
}
