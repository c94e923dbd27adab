//! The data side of training: data sets (bundled, in-memory, webcam), decoding of user images,
//! seeded augmentation, splitting and batching. Everything here is plain CPU Rust on planar f32
//! [`Image`]s, so the same pipeline feeds the CPU and the GPU device and runs in a worker.

mod archive;
mod augment;
mod bundled;
mod colour;
mod dataset;
mod decode;
mod geometry;
mod import;
mod loader;
mod mix;
mod raster;
mod seeded;
mod shapes;
mod split;
mod user_set;

pub use archive::{
    looks_like_zip, read_zip, ArchiveContents, ArchiveError, ArchiveFile, ArchiveLimits,
    EntryProblem,
};
pub use augment::{Pipeline, Transform};
pub use bundled::{BundledDataset, Split};
pub use dataset::{Dataset, InMemoryDataset, Sample, Subset};
pub use decode::{decode_image, DecodeLimits, SUPPORTED_FORMATS};
pub use import::{
    folder_of, import_files, ImportLimits, ImportReport, ImportedImage, RejectedFile, UploadFile,
};
pub use loader::{Batch, DataLoader, LoaderConfig};
pub use mix::BatchMix;
pub use raster::Image;
pub use shapes::{ShapesDataset, SHAPE_CLASSES};
pub use split::{train_val_split, ClassBalance};
pub use user_set::{
    base64_bytes, rgb_bytes, UserDataset, UserSample, MAX_CLASS_NAME, MAX_USER_CLASSES,
    MAX_USER_SAMPLES, MAX_USER_SIDE,
};

/// What can go wrong with user data: images, data set files, transform settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The file or image has no pixels (zero bytes, zero width or height).
    #[error("the image is empty")]
    Empty,
    /// The bytes are not one of the supported formats.
    #[error("unsupported image format ({0}); use PNG, JPEG, WebP, GIF or BMP")]
    UnsupportedFormat(String),
    /// The file is corrupt or truncated.
    #[error("could not decode the image: {0}")]
    Decode(String),
    /// The declared dimensions exceed the limits.
    #[error("the image is larger than {max_width}x{max_height} pixels")]
    TooLarge { max_width: u32, max_height: u32 },
    /// Decoding would allocate more than allowed.
    #[error("decoding the image needs more than {max_bytes} bytes")]
    MemoryLimit { max_bytes: u64 },
    /// A data set file is malformed (missing tensor, wrong dtype, inconsistent shapes).
    #[error("invalid data set file: {0}")]
    Format(String),
    /// An index past the end of a data set.
    #[error("index {index} out of range for a data set of {len} samples")]
    IndexOutOfRange { index: usize, len: usize },
    /// A label outside `0..classes`.
    #[error("label {label} out of range for {classes} classes")]
    BadLabel { label: usize, classes: usize },
    /// A setting of a transform, loader or split is out of its domain.
    #[error("{what}: {reason}")]
    InvalidArgument { what: &'static str, reason: String },
}

impl DataError {
    /// Shorthand for [`DataError::InvalidArgument`].
    pub fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        DataError::InvalidArgument {
            what,
            reason: reason.into(),
        }
    }
}
