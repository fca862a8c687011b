use std::path::PathBuf;

/// Why an image could not be read. Every variant names the image, layer or file involved.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// A file of the image source could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The image's metadata (manifest, index, config) is malformed or incomplete.
    #[error("{image}: {message}")]
    Invalid {
        /// The image reference or path.
        image: String,
        /// What is wrong.
        message: String,
    },
    /// A layer could not be read or is corrupt.
    #[error("{image}: layer {index} ({digest}): {message}")]
    Layer {
        /// The image reference or path.
        image: String,
        /// Layer position, from 1.
        index: usize,
        /// Layer digest.
        digest: String,
        /// What failed, including the path inside the layer where known.
        message: String,
    },
    /// A registry or engine request failed.
    #[error("{image}: {message}")]
    Remote {
        /// The image reference.
        image: String,
        /// What failed and what to do.
        message: String,
    },
    /// The reference string is not one Bulwark understands.
    #[error("cannot parse image reference {reference:?}: {message}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// Why it is not valid.
        message: String,
    },
}

impl ImageError {
    /// A malformed-metadata error for `image`.
    pub fn invalid(image: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Invalid { image: image.into(), message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ImageError::Io { path: path.into(), source }
    }
}
