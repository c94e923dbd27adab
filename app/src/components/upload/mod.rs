//! The user's own images: uploads (files, folders, zips, decoded in the worker in Rust), the
//! class cards shared with the webcam, the class balance and validation split, training on
//! them, and trying the trained model on a dropped image.

pub mod balance_view;
pub mod class_card;
pub mod class_list;
pub mod read_files;
pub mod sample_strip;
pub mod send;
pub mod store;
pub mod train_user;
pub mod try_image;
pub mod upload_panel;
