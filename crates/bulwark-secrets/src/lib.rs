//! Secret detection: rules as data, one scanner.
//!
//! The built-in rules live in `rules.yaml` (embedded): each rule has an id, a provider category, a
//! severity, lower-case keywords for the Aho-Corasick prefilter, a regex whose named group `secret`
//! holds the value, an optional entropy minimum and path filter, and positive and negative examples.
//! [`Scanner::scan`] runs on raw file bytes (binary and oversized files skipped),
//! [`Scanner::scan_text`] on image metadata; a [`SecretMatch`] becomes a
//! [`bulwark_types::SecretFinding`] through [`SecretMatch::to_finding`].

mod claimed;
mod config;
mod error;
mod matched;
mod rule;
mod scanner;
mod text;

pub use config::{AllowSpec, RuleSpec, SecretConfig, DEFAULT_MAX_FILE_SIZE};
pub use error::Error;
pub use matched::{Scan, SecretMatch};
pub use rule::{Allow, Rule};
pub use scanner::{Scanner, Skip, BUILTIN_SOURCE, MAX_MATCHES_PER_RULE};
pub use text::{entropy, is_binary};

#[cfg(test)]
mod tests;
