//! Secrets found in image layers, file trees and image metadata.

use crate::{LayerRef, Level};
use serde::{Deserialize, Serialize};

/// One secret: which rule found it, where, and its value redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// Rule id, e.g. `aws-access-key-id`.
    pub rule_id: String,
    /// Provider or family, e.g. `AWS`, `GitHub`, `Private key`.
    pub category: String,
    /// Human title of the rule, e.g. `AWS access key ID`.
    pub title: String,
    /// How bad a leak of it is (documented example values are `low`).
    pub severity: Level,
    /// Where it is: a path (`/app/config/.env`) or image metadata (`config.Env[1]`, `history[7].created_by`).
    pub target: String,
    /// 1-based line of the match in the file or text, when it has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The layer that holds the file (absent for directories and image metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// True when a later layer deleted or replaced the file: the secret is still extractable from `layer`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The matched line with the secret value masked by `*`.
    pub redacted: String,
    /// True when the value is a documented example (e.g. `AKIAIOSFODNN7EXAMPLE`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub example: bool,
    /// Stable id for suppression: hex SHA-256 (first 16 bytes) of rule id, target path and the secret value.
    pub fingerprint: String,
}
