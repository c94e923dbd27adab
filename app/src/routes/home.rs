//! The landing page: what pixelgrad is, where to start, and whether this browser has WebGPU.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::gpu_status::GpuStatus;

/// `/`: the pitch, the start buttons and the device check.
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
    }
}
