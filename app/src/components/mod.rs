//! One component per file.

pub mod augment_preview;
pub mod backend_picker;
pub mod bar;
pub mod confusion_matrix;
pub mod crash_resume;
pub mod data_panel;
pub mod fault_drill;
pub mod gpu_status;
pub mod hyper_params;
pub mod inspect;
pub mod kernel_times;
pub mod line_chart;
pub mod loss_editor;
pub mod model_panel;
pub mod results;
pub mod run_settings;
pub mod runs_gallery;
pub mod share;
pub mod thumbnail;
pub mod train_options;
pub mod training_panel;
pub mod upload;
pub mod webcam;
