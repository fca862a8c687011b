//! The error of loading a policy input: every variant names the file and, where it can, the place in it.

use std::path::PathBuf;

/// Why an ignore file, a VEX document or a severity list could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Reading the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is larger than this build reads for its kind.
    #[error("{path}: larger than {limit} bytes; refusing to read it")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is malformed: `at` is a JSON path (`statements[2].status`) or a rule and line (`ignore rule 3 (line 9)`).
    #[error("{file}: {at}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Where in the file.
        at: String,
        /// What is wrong there.
        message: String,
    },
    /// A severity name in `--severity` or `--fail-on` is not one of the six levels.
    #[error("{0}")]
    Level(String),
}
