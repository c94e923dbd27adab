//! One file per page.

pub mod debug;
pub mod home;
pub mod lesson;
pub mod lessons;
pub mod not_found;
pub mod playground;
pub mod runs;
