//! Exit codes (documented in README.md).

/// Everything worked (and no finding reached `--fail-on`).
pub const OK: i32 = 0;
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

/// Maps an error to its exit code.
pub fn code_for(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<OutputError>().is_some() {
        OUTPUT
    } else {
        INPUT
    }
}
