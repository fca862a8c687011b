//! Registry images: the OCI distribution API (`host[:port]/repo[:tag|@digest]`).
//!
//! Manifests, indexes and the config are fetched whole (bounded) and verified against their
//! digests; layers are streamed on demand through a [`VerifyingReader`]. Requests are retried
//! with exponential back-off on connection errors, 5xx and 429; a layer whose connection drops
//! mid-stream is resumed with a `Range` request (see [`blob`]). Authentication: anonymous first,
//! then whatever the 401 challenge asks for — basic credentials, or a bearer token fetched from
//! the challenge's realm (with the basic credentials when there are some). Credentials come from
//! [`RegistryOptions::credentials`], else from the Docker client config's `auths` entry.
//!
//! The client is blocking `reqwest`; do not open a registry image from inside a tokio runtime
//! (use `spawn_blocking`).

mod auth;
mod blob;
mod client;
mod docker_config;

use crate::config::ImageConfig;
use crate::digest::{Digest, VerifyingReader};
use crate::manifest::{is_index_media_type, media, select_platform, Descriptor, ManifestDoc};
use crate::oci_layout::MAX_METADATA_SIZE;
use crate::reference::RegistryRef;
use crate::source::{ImageInfo, ImageSource, LayerBlob, LayerDescriptor, Platform};
use crate::ImageError;
use blob::BlobStream;
use client::Client;
use std::path::PathBuf;
use std::time::Duration;

/// Registry credentials.
#[derive(Clone, Default)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// How to reach registries. `Default` is HTTPS, credentials from the Docker config, 30 s
/// timeout, 10 s connect timeout, 3 retries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Explicit credentials (`--username` + `--password-stdin`); otherwise `~/.docker/config.json`.
    pub credentials: Option<Credentials>,
    /// Use plain HTTP (`--insecure`).
    pub insecure: bool,
    /// How long to wait for a response and for each read of a body (default 30 s); a registry
    /// that stops answering fails after this long instead of hanging.
    pub timeout: Option<Duration>,
    /// How long to wait for a connection (default 10 s).
    pub connect_timeout: Option<Duration>,
    /// Retries after the first attempt on connection errors, 5xx, 429 and broken layer
    /// streams (default 3).
    pub max_retries: Option<u32>,
    /// The Docker client config to read credentials from (default `$DOCKER_CONFIG/config.json`,
    /// else `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

/// Accept header for manifests: every manifest and index type Bulwark reads.
fn manifest_accept() -> String {
    [media::OCI_INDEX, media::OCI_MANIFEST, media::DOCKER_LIST, media::DOCKER_MANIFEST].join(", ")
}

/// An image in a registry: manifest and config read, layers streamed on demand.
pub struct RegistryImage {
    client: Client,
    info: ImageInfo,
    resolved_digest: String,
}

impl RegistryImage {
    /// Resolves `r` (tag or digest → index → the manifest for `platform`) and reads its config.
    pub fn open(r: &RegistryRef, platform: &Platform, options: &RegistryOptions) -> Result<RegistryImage, ImageError> {
        let image = r.to_string();
        let remote = |message: String| ImageError::Remote { image: image.clone(), message };
        let credentials = match &options.credentials {
            Some(c) => Some(c.clone()),
            None => match options.docker_config.clone().or_else(docker_config::default_path) {
                Some(path) => docker_config::lookup(&path, &r.registry).map_err(remote)?,
                None => None,
            },
        };
        let client = Client::new(r, options, credentials).map_err(remote)?;

        if let Some(d) = &r.digest {
            Digest::parse(d).map_err(remote)?;
        }
        let reference = r.manifest_reference().to_string();
        let (top_digest, mut doc, mut media_type) = fetch_manifest(&client, &reference, None).map_err(remote)?;
        if let Some(want) = &r.digest {
            if &top_digest != want {
                return Err(remote(format!("manifest content hashes to {top_digest}, not the {want} asked for")));
            }
        }
        let mut manifest_digest = top_digest.clone();
        for _ in 0..8 {
            if !(is_index_media_type(&media_type) || doc.is_index()) {
                let info = image_info(&client, &image, &manifest_digest, doc).map_err(remote)?;
                return Ok(RegistryImage { client, info, resolved_digest: top_digest });
            }
            let entries = doc.manifests.unwrap_or_default();
            let desc = select_platform(&entries, platform).map_err(remote)?.clone();
            let (digest, next, next_media) = fetch_manifest(&client, &desc.digest, Some(&desc)).map_err(remote)?;
            (manifest_digest, doc, media_type) = (digest, next, next_media);
        }
        Err(remote("indexes nested more than 8 deep".into()))
    }

    /// The digest the tag resolved to (the index, for multi-platform images; what `Docker-Content-Digest` said).
    pub fn resolved_digest(&self) -> &str {
        &self.resolved_digest
    }
}

/// GETs a manifest or index by tag or digest and verifies it: against `desc` (digest and size)
/// when an index named it, against the digest when the reference is one, and always against the
/// `Docker-Content-Digest` header when the registry sends one. Returns (digest, document, media type).
fn fetch_manifest(
    client: &Client,
    reference: &str,
    desc: Option<&Descriptor>,
) -> Result<(String, ManifestDoc, String), String> {
    let what = format!("manifest {reference}");
    if let Some(d) = desc {
        // A digest from a remote index goes into a URL and is the only check on what comes back.
        Digest::parse(&d.digest).map_err(|m| format!("index entry: {m}"))?;
    }
    let small =
        client.get_small(&client.url("manifests", reference), Some(&manifest_accept()), MAX_METADATA_SIZE, &what)?;
    let digest = Digest::of(&small.body).to_string();
    if (desc.is_some() || reference.starts_with("sha256:")) && digest != reference {
        return Err(format!("{what}: content hashes to {digest}; the registry served the wrong or altered bytes"));
    }
    if let Some(header) = &small.docker_content_digest {
        if header.starts_with("sha256:") && header != &digest {
            return Err(format!("{what}: content hashes to {digest} but Docker-Content-Digest says {header}"));
        }
    }
    if let Some(size) = desc.and_then(|d| d.size) {
        if size != small.body.len() as u64 {
            return Err(format!("{what}: {} bytes, the index says {size}", small.body.len()));
        }
    }
    let content_type = small.content_type.unwrap_or_default();
    let content_type = content_type.split(';').next().unwrap_or("").trim().to_string();
    if content_type.starts_with("application/vnd.docker.distribution.manifest.v1") {
        return Err(format!(
            "{what}: Docker schema 1 manifests ({content_type}) are not supported; re-push the image with a schema 2 or OCI manifest"
        ));
    }
    let doc = ManifestDoc::parse(&small.body, &what)?;
    let media_type = doc
        .media_type
        .clone()
        .or_else(|| desc.map(|d| d.media_type.clone()).filter(|m| !m.is_empty()))
        .unwrap_or(content_type);
    Ok((digest, doc, media_type))
}

/// Reads the config a manifest names and builds the image's [`ImageInfo`].
fn image_info(client: &Client, image: &str, manifest_digest: &str, doc: ManifestDoc) -> Result<ImageInfo, String> {
    let config_desc = doc.config.ok_or_else(|| format!("manifest {manifest_digest} has no config"))?;
    let config_digest = Digest::parse(&config_desc.digest).map_err(|m| format!("config of {manifest_digest}: {m}"))?;
    let what = format!("config blob {config_digest}");
    let limit = config_desc.size.unwrap_or(MAX_METADATA_SIZE).min(MAX_METADATA_SIZE);
    let small = client.get_small(&client.url("blobs", &config_desc.digest), None, limit, &what)?;
    let got = Digest::of(&small.body);
    if got != config_digest {
        return Err(format!("{what}: content hashes to {got}; the registry served the wrong or altered bytes"));
    }
    if let Some(size) = config_desc.size.filter(|s| *s != small.body.len() as u64) {
        return Err(format!("{what}: {} bytes, the manifest says {size}", small.body.len()));
    }
    let config = ImageConfig::from_json(&small.body).map_err(|m| format!("{what}: {m}"))?;
    let layers = doc.layers.unwrap_or_default();
    if !config.rootfs.diff_ids.is_empty() && config.rootfs.diff_ids.len() != layers.len() {
        return Err(format!(
            "manifest {manifest_digest} lists {} layers but the config lists {} diff_ids",
            layers.len(),
            config.rootfs.diff_ids.len()
        ));
    }
    let mut out = Vec::with_capacity(layers.len());
    for (i, l) in layers.iter().enumerate() {
        Digest::parse(&l.digest).map_err(|m| format!("layer {} of manifest {manifest_digest}: {m}", i + 1))?;
        out.push(LayerDescriptor {
            digest: l.digest.clone(),
            media_type: l.media_type.clone(),
            size: l.size,
            diff_id: config.rootfs.diff_ids.get(i).cloned(),
        });
    }
    Ok(ImageInfo {
        reference: image.to_string(),
        manifest_digest: Some(manifest_digest.to_string()),
        config_digest: Some(config_digest.to_string()),
        config,
        layers: out,
    })
}

impl ImageSource for RegistryImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>, ImageError> {
        let Some(layer) = self.info.layers.get(index) else {
            return Err(ImageError::invalid(
                &self.info.reference,
                format!("no layer {} (the image has {})", index + 1, self.info.layers.len()),
            ));
        };
        let err = |message: String| ImageError::Layer {
            image: self.info.reference.clone(),
            index: index + 1,
            digest: layer.digest.clone(),
            message,
        };
        let digest = Digest::parse(&layer.digest).map_err(err)?;
        let url = self.client.url("blobs", &layer.digest);
        let what = format!("blob {}", layer.digest);
        let first = self.client.get(&url, None, None, &what).map_err(err)?;
        let stream = BlobStream::new(&self.client, url, what, first, layer.size);
        Ok(LayerBlob::Stream(Box::new(VerifyingReader::new(stream, digest, layer.size))))
    }
}
