//! Errors of loading secret rules and configuration.

/// What went wrong loading a secret configuration or compiling its rules; always names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file could not be read.
    #[error("{file}: cannot read secret config: {source}")]
    Io {
        /// Path of the file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or does not have the documented shape.
    #[error("{file}: malformed secret config: {message}")]
    Yaml {
        /// Path of the file.
        file: String,
        /// The parser's message (with line and column when it has them).
        message: String,
    },
    /// One rule or allow rule is invalid (bad regex, missing `secret` group, unknown severity, …).
    #[error("{file}: rule {rule}: {problem}")]
    Rule {
        /// Path of the file.
        file: String,
        /// Id of the rule or allow rule.
        rule: String,
        /// What is wrong with it.
        problem: String,
    },
}
