//! Exit codes (documented in README.md).

/// Everything worked (and no finding reached `--fail-on`).
pub const OK: i32 = 0;
/// A finding (after suppressions) is at or above `--fail-on`.
pub const FINDINGS: i32 = 1;
/// The image, directory or registry could not be read (bad input, missing blob, auth, network).
pub const INPUT: i32 = 3;
/// The report could not be written.
pub const OUTPUT: i32 = 4;

/// An error raised while writing output.
#[derive(Debug)]
pub struct OutputError(pub String);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutputError {}

/// Bad command line (clap uses this code for its own errors too).
pub const USAGE: i32 = 2;

/// A flag value that does not parse (e.g. an unknown `--format`).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Maps an error to its exit code.
pub fn code_for(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<OutputError>().is_some() {
        OUTPUT
    } else if err.downcast_ref::<UsageError>().is_some() {
        USAGE
    } else {
        INPUT
    }
}

/// Wraps a flag-parsing failure so it exits with [`USAGE`].
pub fn usage(message: impl std::fmt::Display) -> anyhow::Error {
    UsageError(message.to_string()).into()
}
