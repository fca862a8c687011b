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
use bulwark_types::{ConfigKind, Framework, Misconfiguration};

/// Parses the Dockerfile at `path` (its `text`) and runs every built-in check on it, dropping findings an
/// ignore pragma suppresses (`# hadolint ignore=DL3008` or `# bulwark ignore=BW-DF-007` on the line above
/// the instruction, or `# hadolint global ignore=…` anywhere).
pub fn check(path: &str, text: &str) -> Result<Vec<Misconfiguration>, ParseError> {
    let dockerfile = parse(text).map_err(|e| e.in_file(path))?;
    Ok(check_parsed(path, &dockerfile))
}

/// Runs every built-in check on a parsed Dockerfile; `path` names it in the findings.
pub fn check_parsed(path: &str, dockerfile: &Dockerfile) -> Vec<Misconfiguration> {
    let target = Target { kind: ConfigKind::Dockerfile, name: path, layers: &[] };
    let mut findings = run_checks(CHECKS, dockerfile, &target);
    findings.retain(|f| !suppressed(dockerfile, f));
    findings
}

/// Whether an ignore pragma names the finding's check id or one of the Hadolint rules it maps to.
pub fn suppressed(dockerfile: &Dockerfile, finding: &Misconfiguration) -> bool {
    let codes: Vec<&str> = std::iter::once(finding.check_id.as_str())
        .chain(finding.mappings.iter().filter(|m| m.framework == Framework::Hadolint).map(|m| m.control.as_str()))
        .collect();
    let names = |list: &[String]| list.iter().any(|code| codes.iter().any(|c| c.eq_ignore_ascii_case(code)));
    names(&dockerfile.ignore_global)
        || dockerfile.instructions.iter().any(|i| Some(i.start_line) == finding.start_line && names(&i.ignore))
}
