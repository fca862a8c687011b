//! Dockerfile parsing (heredocs included) and Hadolint-style checks.
//!
//! [`parse`] reads a Dockerfile the way BuildKit does (directives, continuations, flags, exec and shell
//! forms, heredocs, stages); [`input_document`] gives the OPA input user Rego policies see (Trivy's shape);
//! [`CHECKS`] are the built-in checks and [`check`] runs them on one file.

mod checks;
mod input;
mod parser;
pub mod shell;
mod words;

pub use checks::CHECKS;
pub use input::{input_document, input_document_at};
pub use parser::{
    parse, Directive, Dockerfile, Heredoc, Instruction, ParseError, ParseErrorKind, ParseWarning, Stage, KEYWORDS,
    MAX_DOCKERFILE_BYTES, MAX_HEREDOCS, MAX_INSTRUCTIONS,
};
pub use words::Flag;

use crate::check::{run_checks, Target};
use bulwark_types::{ConfigKind, Misconfiguration};

/// Parses the Dockerfile at `path` (its `text`) and runs every built-in check on it.
pub fn check(path: &str, text: &str) -> Result<Vec<Misconfiguration>, ParseError> {
    let dockerfile = parse(text).map_err(|e| e.in_file(path))?;
    let target = Target { kind: ConfigKind::Dockerfile, name: path, layers: &[] };
    Ok(run_checks(CHECKS, &dockerfile, &target))
}
