//! `docker:NAME` / `podman:NAME` — an image held by a local engine, read through the Docker
//! Engine API on its unix socket (`DOCKER_HOST=unix:///path`, else the engine's default socket).
//!
//! The image is exported once (`GET /images/{name}/get`, a `docker save` tar: the legacy layout,
//! or the OCI layout Docker ≥ 25 writes) into a private temporary file that is deleted when the
//! [`EngineImage`] is dropped, and then read as a [`DockerArchive`]. This is the one source that
//! touches disk: the export's `manifest.json` / `index.json` comes *after* the layers in the
//! stream, so the layers cannot be told apart (or verified against their diff_ids) until the
//! whole stream has been seen, and keeping it in memory would not be bounded.

mod http;

use crate::docker_archive::DockerArchive;
use crate::reference::EngineKind;
use crate::source::{ImageInfo, ImageSource, LayerBlob, Platform};
use crate::ImageError;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Each read from or write to the engine's socket waits at most this long.
pub const ENGINE_TIMEOUT: Duration = Duration::from_secs(120);

/// `/images/{name}/json` answers above this size are refused.
const MAX_INSPECT_SIZE: u64 = 8 * 1024 * 1024;

/// An image exported from a local engine and spooled to a private temporary file.
pub struct EngineImage {
    archive: DockerArchive,
    info: ImageInfo,
    /// Deleted on drop; declared after `archive` so the archive is dropped first.
    _spool: tempfile::NamedTempFile,
}

fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Docker => "docker",
        EngineKind::Podman => "podman",
    }
}

/// The engine's socket: `DOCKER_HOST` (and `CONTAINER_HOST` for podman) when it is a `unix://`
/// URL, else `/var/run/docker.sock` for docker, or `/run/podman/podman.sock` then
/// `$XDG_RUNTIME_DIR/podman/podman.sock` for podman.
pub fn socket_path(kind: EngineKind) -> Result<PathBuf, String> {
    let mut vars = vec!["DOCKER_HOST"];
    if kind == EngineKind::Podman {
        vars.push("CONTAINER_HOST");
    }
    for var in vars {
        let Some(value) = std::env::var(var).ok().filter(|v| !v.is_empty()) else { continue };
        return match value.strip_prefix("unix://") {
            Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
            _ => Err(format!(
                "{var}={value} is not supported: Bulwark talks to {} over a unix socket only (unix:///path/to.sock)",
                engine_name(kind)
            )),
        };
    }
    Ok(match kind {
        EngineKind::Docker => PathBuf::from("/var/run/docker.sock"),
        EngineKind::Podman => {
            let system = PathBuf::from("/run/podman/podman.sock");
            let user = std::env::var_os("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("podman/podman.sock"));
            match user {
                Some(u) if !system.exists() && u.exists() => u,
                _ => system,
            }
        }
    })
}

/// Percent-encodes an image name for a URL path (`/` and `:` kept: the API routes on `{name:.*}`).
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl EngineImage {
    /// Exports `name` from the engine `kind` (socket from [`socket_path`]) and opens it.
    pub fn open(kind: EngineKind, name: &str, platform: &Platform) -> Result<EngineImage, ImageError> {
        let reference = format!("{}:{name}", engine_name(kind));
        let socket = socket_path(kind).map_err(|message| ImageError::Remote { image: reference.clone(), message })?;
        EngineImage::open_at(kind, &socket, name, platform)
    }

    /// Exports `name` from the engine listening on `socket` and opens it.
    pub fn open_at(
        kind: EngineKind,
        socket: &Path,
        name: &str,
        platform: &Platform,
    ) -> Result<EngineImage, ImageError> {
        let engine = engine_name(kind);
        let reference = format!("{engine}:{name}");
        let remote = |message: String| ImageError::Remote { image: reference.clone(), message };
        let connect_err = |e: io::Error| {
            remote(format!(
                "cannot talk to {engine} at {}: {e}; is the service running (e.g. `{}`), or set DOCKER_HOST=unix:///path/to.sock",
                socket.display(),
                match kind {
                    EngineKind::Docker => "systemctl start docker",
                    EngineKind::Podman => "podman system service --time=0",
                }
            ))
        };
        let encoded = encode_name(name);

        let inspect = http::get(socket, &format!("/images/{encoded}/json"), ENGINE_TIMEOUT).map_err(connect_err)?;
        match inspect.status {
            200 => {
                let body = inspect
                    .read_small(MAX_INSPECT_SIZE)
                    .map_err(|e| remote(format!("reading the inspect answer from {engine} failed: {e}")))?;
                let _: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| remote(format!("{engine} answered the image inspect with invalid JSON: {e}")))?;
            }
            404 => {
                return Err(remote(format!(
                    "image {name} not found in {engine}; pull it first (`{engine} pull {name}`)"
                )))
            }
            status => {
                return Err(remote(format!("{engine} answered {status} to the image inspect: {}", error_text(inspect))))
            }
        }

        let export = http::get(socket, &format!("/images/{encoded}/get"), ENGINE_TIMEOUT).map_err(connect_err)?;
        if export.status != 200 {
            let status = export.status;
            return Err(remote(format!("{engine} answered {status} to the image export: {}", error_text(export))));
        }
        let mut spool = tempfile::Builder::new()
            .prefix("bulwark-engine-")
            .suffix(".tar")
            .tempfile()
            .map_err(|e| remote(format!("cannot create a temporary file for the export: {e}")))?;
        let mut body = export.body;
        let copied = io::copy(&mut body, spool.as_file_mut())
            .map_err(|e| remote(format!("streaming the export from {engine} failed: {e}")))?;
        tracing::debug!("{reference}: spooled {copied} bytes of export to {}", spool.path().display());

        let archive = DockerArchive::open(spool.path(), platform).map_err(|e| rename(e, &reference))?;
        let mut info = archive.info().clone();
        info.reference = reference;
        if !info.config.architecture.is_empty() && info.config.architecture != platform.architecture {
            tracing::warn!(
                "{}: the image is {}/{}, not the {platform} asked for; the engine holds only this one",
                info.reference,
                info.config.os,
                info.config.architecture
            );
        }
        Ok(EngineImage { archive, info, _spool: spool })
    }

    /// Whether layers are checked against their digests while read (see [`DockerArchive::verify_layers`]).
    pub fn verify_layers(mut self, on: bool) -> Self {
        self.archive = self.archive.verify_layers(on);
        self
    }
}

/// The `message` of an engine's JSON error body, or the body text.
fn error_text(resp: http::Response) -> String {
    let body = resp.read_small(64 * 1024).unwrap_or_default();
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect())
}

/// Replaces the temporary file's name with the engine reference in an error.
fn rename(e: ImageError, reference: &str) -> ImageError {
    match e {
        ImageError::Invalid { message, .. } => {
            ImageError::Invalid { image: reference.to_string(), message: format!("engine export: {message}") }
        }
        ImageError::Layer { index, digest, message, .. } => {
            ImageError::Layer { image: reference.to_string(), index, digest, message }
        }
        ImageError::Remote { message, .. } => ImageError::Remote { image: reference.to_string(), message },
        other => other,
    }
}

impl ImageSource for EngineImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>, ImageError> {
        if index >= self.info.layers.len() {
            return Err(ImageError::invalid(
                &self.info.reference,
                format!("no layer {} (the image has {})", index + 1, self.info.layers.len()),
            ));
        }
        self.archive.open_layer(index).map_err(|e| rename(e, &self.info.reference))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_names_for_the_path() {
        assert_eq!(encode_name("docker.io/library/debian-min:latest"), "docker.io/library/debian-min:latest");
        assert_eq!(encode_name("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(encode_name("x@sha256:00"), "x@sha256:00");
    }
}
