//! The fault drill: with `?drill` in the playground's address, buttons make the GPU in use fail
//! the way real GPUs do (device lost, out of memory), crash the training worker, make the loss
//! NaN, or stop checkpoint saves between writing the new slot and moving the head to it (then
//! a reload is the reload mid-write), so that a teacher can show, and the tests can prove,
//! that a run survives it: it goes on on the CPU from its last checkpoint, offers to resume
//! after a restart, or stops with a message that says what to try, and what was kept stays.

use leptos::prelude::*;

use crate::storage::runs::hold_swaps;
use crate::worker::client::WorkerClient;
use crate::worker::protocol::{Command, FaultDrill};

/// Whether the page's query string asks for the drill.
fn drill_requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "drill" || p.starts_with("drill="))
        })
}

/// The drill's buttons; nothing unless the address asks for them.
#[component]
pub fn FaultDrillPanel() -> impl IntoView {
    if !drill_requested() {
        return ().into_any();
    }
    let worker = expect_context::<WorkerClient>();
    let inject = move |drill: FaultDrill| move |_| worker.send(&Command::InjectFault(drill));
    // `(step, slot)` of the latest checkpoint written but not swapped in.
    let held = RwSignal::new(None::<(usize, u8)>);
    let hold = move |_| {
        hold_swaps(Some(Box::new(move |step, slot| {
            held.set(Some((step, slot)))
        })))
    };
    on_cleanup(|| hold_swaps(None));
    let held_view = move || {
        held.get().map(|(step, slot)| view! {
            <p role="status" data-testid="drill-swap-held" data-step=step data-slot=slot>
                {format!("The checkpoint of step {step} is written to slot {slot}, but the run still points at its previous checkpoint: reload the page now, as if it had closed mid-write.")}
            </p>
        })
    };
    view! {
        <section class="panel fault-drill" aria-labelledby="drill-title" data-testid="fault-drill">
            <h2 id="drill-title">"Fault drill"</h2>
            <p class="detail">"Make the GPU fail on purpose, the way real GPUs sometimes do, and watch the run recover."</p>
            <div class="run-controls">
                <button type="button" class="button" data-testid="drill-device-lost" on:click=inject(FaultDrill::DeviceLost)>"Lose the GPU device"</button>
                <button type="button" class="button" data-testid="drill-out-of-memory" on:click=inject(FaultDrill::OutOfMemory)>"Run out of GPU memory"</button>
                <button type="button" class="button" data-testid="drill-worker-crash" on:click=inject(FaultDrill::WorkerCrash)>"Crash the training worker"</button>
                <button type="button" class="button" data-testid="drill-nan" on:click=inject(FaultDrill::NanLoss)>"Make the loss NaN"</button>
                <button type="button" class="button" data-testid="drill-hold-swap" on:click=hold>"Stop saves before the checkpoint swap"</button>
            </div>
            {held_view}
        </section>
    }
    .into_any()
}
