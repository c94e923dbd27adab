//! Sends a [`LessonQuery`] to the worker and gives back a signal that fills in with the answer.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

use crate::lessons::query::{Answer, Ask, LessonQuery};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::Command;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Asks the worker; the signal is `None` until the answer arrives.
pub fn ask_worker(worker: WorkerClient, ask: Ask) -> Signal<Option<Answer>> {
    let id = send_query(worker, ask);
    Signal::derive(move || answer_to(worker, id))
}

/// Sends a question and returns its id, for [`answer_to`] (a widget that asks again and again).
pub fn send_query(worker: WorkerClient, ask: Ask) -> u64 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    worker.send(&Command::Lesson(LessonQuery { id, ask }));
    id
}

/// The worker's answer to question `id`, once it has come (tracks the answers).
pub fn answer_to(worker: WorkerClient, id: u64) -> Option<Answer> {
    worker.lesson_answers.with(|answers| {
        answers
            .iter()
            .rev()
            .find(|a| a.id == id)
            .map(|a| a.answer.clone())
    })
}
