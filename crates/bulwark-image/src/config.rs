//! The OCI / Docker image config (`application/vnd.oci.image.config.v1+json`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The parts of an image config Bulwark uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture, e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// Operating system, e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// Architecture variant, e.g. `v8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Runtime settings.
    #[serde(default)]
    pub config: RuntimeConfig,
    /// Uncompressed layer digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// Build history, one entry per Dockerfile instruction.
    #[serde(default)]
    pub history: Vec<History>,
}

/// `config` of an image config: how containers of the image run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    /// `USER`; empty means root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `ENV` as `KEY=value`.
    #[serde(default)]
    pub env: Vec<String>,
    /// `ENTRYPOINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// `WORKDIR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `EXPOSE`, keys like `22/tcp`.
    #[serde(default)]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// `LABEL`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `HEALTHCHECK`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<serde_json::Value>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Digests of the uncompressed layer tars, bottom first.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One build step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// When the step ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The instruction, e.g. `RUN /bin/sh -c apt-get update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether the step produced no layer (ENV, CMD, …).
    #[serde(default)]
    pub empty_layer: bool,
    /// Free-form comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ImageConfig {
    /// Parses a config blob; the error says which field was wrong.
    pub fn from_json(data: &[u8]) -> Result<ImageConfig, String> {
        serde_json::from_slice(data).map_err(|e| format!("image config is not valid JSON: {e}"))
    }

    /// The history entries that produced a layer, aligned with `rootfs.diff_ids`.
    pub fn layer_history(&self) -> Vec<Option<&History>> {
        let mut out: Vec<Option<&History>> = self.history.iter().filter(|h| !h.empty_layer).map(Some).collect();
        out.resize(self.rootfs.diff_ids.len().max(out.len()), None);
        out
    }
}
