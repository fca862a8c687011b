//! OCI and Docker manifest / index documents, and platform selection from an index.

use crate::source::Platform;
use serde::Deserialize;

/// Media types of manifests and indexes.
pub mod media {
    /// OCI image index.
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// Docker manifest list.
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// Docker schema 2 manifest.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
}

/// A content descriptor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    #[serde(default)]
    pub media_type: String,
    /// `sha256:…`.
    pub digest: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Platform, for index entries.
    #[serde(default)]
    pub platform: Option<DescriptorPlatform>,
    /// Annotations (e.g. `org.opencontainers.image.ref.name`).
    #[serde(default)]
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// Platform of an index entry.
#[derive(Debug, Clone, Deserialize)]
pub struct DescriptorPlatform {
    /// e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// e.g. `v8`.
    #[serde(default)]
    pub variant: Option<String>,
}

/// Either an index (manifests) or a manifest (config + layers); both share one JSON shape family.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDoc {
    /// Declared media type (optional in OCI 1.0).
    #[serde(default)]
    pub media_type: Option<String>,
    /// Index entries.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    /// Config descriptor.
    #[serde(default)]
    pub config: Option<Descriptor>,
    /// Layer descriptors, bottom first.
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
}

impl ManifestDoc {
    /// Parses a manifest or index, with a message naming `what` on failure.
    pub fn parse(data: &[u8], what: &str) -> Result<ManifestDoc, String> {
        serde_json::from_slice(data).map_err(|e| format!("{what} is not a valid manifest or index: {e}"))
    }

    /// Whether this document is an index / manifest list.
    pub fn is_index(&self) -> bool {
        self.manifests.is_some() && self.config.is_none()
    }
}

/// Whether a descriptor points at an index rather than an image manifest.
pub fn is_index_media_type(media_type: &str) -> bool {
    media_type == media::OCI_INDEX || media_type == media::DOCKER_LIST
}

/// Picks the entry of an index matching `platform`; attestation manifests (`unknown/unknown`) are skipped.
pub fn select_platform<'a>(entries: &'a [Descriptor], platform: &Platform) -> Result<&'a Descriptor, String> {
    let candidates: Vec<&Descriptor> = entries
        .iter()
        .filter(|d| d.annotations.get("vnd.docker.reference.type").map(|t| t != "attestation-manifest").unwrap_or(true))
        .collect();
    if let Some(d) = candidates.iter().find(|d| match &d.platform {
        Some(p) => platform.matches(&p.os, &p.architecture, p.variant.as_deref()),
        None => false,
    }) {
        return Ok(d);
    }
    // An index whose single entry carries no platform is unambiguous.
    if candidates.len() == 1 && candidates[0].platform.is_none() {
        return Ok(candidates[0]);
    }
    let available: Vec<String> = candidates
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .map(|p| match &p.variant {
            Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
            None => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    Err(format!(
        "no manifest for platform {platform}; available: {}; choose one with --platform",
        if available.is_empty() { "none".to_string() } else { available.join(", ") }
    ))
}
