//! One secret found by the scanner, and its conversion into a report finding.

use bulwark_types::{LayerRef, Level, SecretFinding};
use sha2::{Digest, Sha256};

/// A secret the scanner found in one file or text. The value itself is private: only the
/// fingerprint sees it, and `Debug` prints it masked.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Id of the rule that found it.
    pub rule_id: String,
    /// Provider or family of the rule.
    pub category: String,
    /// Title of the rule.
    pub title: String,
    /// The rule's severity, or `Low` for a documented example value.
    pub severity: Level,
    /// 1-based line where the match starts.
    pub line: u32,
    /// The line with every secret value on it masked.
    pub redacted: String,
    /// True when the value is a documented example.
    pub example: bool,
    pub(crate) secret: String,
}

impl std::fmt::Debug for SecretMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretMatch")
            .field("rule_id", &self.rule_id)
            .field("severity", &self.severity)
            .field("line", &self.line)
            .field("redacted", &self.redacted)
            .field("example", &self.example)
            .field("secret", &"****")
            .finish()
    }
}

impl SecretMatch {
    /// Stable id for suppression: hex of the first 16 bytes of SHA-256 over rule id, target and value
    /// (each followed by a NUL byte).
    pub fn fingerprint(&self, target: &str) -> String {
        let mut hash = Sha256::new();
        for part in [self.rule_id.as_bytes(), target.as_bytes(), self.secret.as_bytes()] {
            hash.update(part);
            hash.update([0u8]);
        }
        hex::encode(hash.finalize().get(..16).unwrap_or_default())
    }

    /// Length in bytes of the secret value (the value itself never leaves the crate).
    pub fn secret_len(&self) -> usize {
        self.secret.len()
    }

    /// The report finding for this match in `target` (a path or metadata name), held by `layer`.
    /// `deleted` is left false: the caller knows whether a later layer removed the file.
    pub fn to_finding(&self, target: &str, layer: Option<LayerRef>) -> SecretFinding {
        SecretFinding {
            rule_id: self.rule_id.clone(),
            category: self.category.clone(),
            title: self.title.clone(),
            severity: self.severity,
            target: target.to_string(),
            line: Some(self.line),
            layer,
            deleted: false,
            redacted: self.redacted.clone(),
            example: self.example,
            fingerprint: self.fingerprint(target),
        }
    }
}

/// What one scan of a file or text found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The secrets, ordered by line.
    pub matches: Vec<SecretMatch>,
    /// Ids of the rules that matched more than [`crate::MAX_MATCHES_PER_RULE`] times: their later
    /// matches were not looked at, so the file may hold more secrets than `matches` shows.
    pub capped: Vec<String>,
}

impl Scan {
    /// The warning for users when rules stopped at the bound in `target`, naming them.
    pub fn warning(&self, target: &str) -> Option<String> {
        (!self.capped.is_empty()).then(|| {
            format!(
                "{target}: secret rule(s) {} matched more than {} times; later matches were not checked, so the \
                 file may hold more secrets than reported (review it, or allow the path if it is test data)",
                self.capped.join(", "),
                crate::MAX_MATCHES_PER_RULE
            )
        })
    }
}
