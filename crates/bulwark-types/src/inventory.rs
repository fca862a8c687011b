use crate::{LayerRef, OsRelease, Package};
use serde::{Deserialize, Serialize};

/// Version of our own JSON inventory schema (`bulwark sbom --format json`); bump on breaking change.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

/// What was scanned: an image (with layers) or a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanTarget {
    /// The reference as the user gave it, e.g. `oci:corpus/app-python:latest`, `dir:.`.
    pub reference: String,
    /// `image` or `directory`.
    pub kind: String,
    /// Manifest digest, when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Config digest (the image id), when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// Image architecture, e.g. `amd64`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub architecture: String,
    /// Image OS, e.g. `linux`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub os: String,
    /// Layers, bottom first.
    #[serde(default)]
    pub layers: Vec<LayerRef>,
}

/// The result of an inventory scan: every package found, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// [`INVENTORY_SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// What was scanned.
    pub target: ScanTarget,
    /// The operating system, when one was identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsRelease>,
    /// Packages, sorted by kind, name, version.
    pub packages: Vec<Package>,
    /// Non-fatal problems (unparseable files, skipped huge files), each naming its path.
    #[serde(default)]
    pub warnings: Vec<String>,
}
