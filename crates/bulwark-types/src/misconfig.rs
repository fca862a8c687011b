//! Misconfigurations found in images, Dockerfiles and Kubernetes manifests, and the checks that find them.

use crate::{LayerRef, Level};
use serde::{Deserialize, Serialize};

/// A security framework a check maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// CIS Docker Benchmark (control numbers like `4.1`).
    CisDocker,
    /// Kubernetes Pod Security Standards (controls named as in the standard, level in the text).
    Pss,
    /// NSA/CISA Kubernetes Hardening Guidance.
    NsaCisa,
    /// NIST SP 800-190 risk areas and countermeasures (section numbers like `4.1.4`).
    Nist800190,
    /// Hadolint rule codes (`DL3006`), for Dockerfile checks that correspond to one.
    Hadolint,
    /// Dockle checkpoint codes (`CIS-DI-0001`, `DKL-DI-0005`).
    Dockle,
}

impl Framework {
    /// Display name, e.g. `CIS Docker Benchmark`.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::CisDocker => "CIS Docker Benchmark",
            Framework::Pss => "Pod Security Standards",
            Framework::NsaCisa => "NSA/CISA Kubernetes Hardening",
            Framework::Nist800190 => "NIST SP 800-190",
            Framework::Hadolint => "Hadolint",
            Framework::Dockle => "Dockle",
        }
    }
}

/// One control of a framework a check maps to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mapping {
    /// The framework.
    pub framework: Framework,
    /// The control within it, e.g. `4.1`, `restricted: Running as Non-root`, `4.1.4 Embedded clear text secrets`.
    pub control: String,
}

/// What kind of thing a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigKind {
    /// A container image: its config, history and files.
    Image,
    /// A Dockerfile (or Containerfile).
    Dockerfile,
    /// Kubernetes manifests (YAML or JSON, Helm output).
    Kubernetes,
}

impl ConfigKind {
    /// Lower-case name as used in output and Rego `package` names.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKind::Image => "image",
            ConfigKind::Dockerfile => "dockerfile",
            ConfigKind::Kubernetes => "kubernetes",
        }
    }
}

/// One failed check on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misconfiguration {
    /// Check id, e.g. `BW-DF-006` (built-in) or the `id` a Rego policy declares.
    pub check_id: String,
    /// Short title of the check.
    pub title: String,
    /// Severity of the check.
    pub severity: Level,
    /// What the check looks for and why it matters.
    pub description: String,
    /// How to fix it.
    pub remediation: String,
    /// What exactly is wrong here, e.g. `container "app" is privileged`.
    pub message: String,
    /// What was checked.
    pub kind: ConfigKind,
    /// The file (Dockerfile, manifest) or image reference checked.
    pub target: String,
    /// The object inside the target, e.g. `Deployment/default/web container "app"` or a Dockerfile stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// For image checks about a file: its path inside the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For image checks about a file: the layer holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// First line (1-based) of the offending text, when the target has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    /// Last line of the offending text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Framework controls the check maps to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Mapping>,
    /// Links to documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// `builtin`, or the path of the Rego file that raised it.
    pub source: String,
}
