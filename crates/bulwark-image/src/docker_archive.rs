//! `docker-archive:PATH` — what `docker save` writes: legacy `manifest.json` + layer tars, or
//! (Docker ≥ 25) an OCI layout inside the tar. The tar is indexed once by seeking over entry
//! data; layers are then read straight from their byte ranges, in parallel.

use crate::config::ImageConfig;
use crate::digest::{Digest, VerifyingReader};
use crate::entry::normalize_entry_path;
use crate::oci_layout::{open_layout_layer, resolve_layout, LayoutFiles, MAX_METADATA_SIZE};
use crate::source::{ImageInfo, ImageSource, LayerBlob, LayerDescriptor, Platform};
use crate::walk::{sniff_compression, Compression};
use crate::ImageError;
use serde::Deserialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Take};
use std::path::{Path, PathBuf};

/// Byte ranges of the regular files in a tar file.
struct TarIndex {
    path: PathBuf,
    files: HashMap<String, (u64, u64)>,
}

impl TarIndex {
    fn build(path: &Path) -> Result<TarIndex, String> {
        let mut f = File::open(path).map_err(|e| e.to_string())?;
        let mut head = [0u8; 4];
        let n = f.read(&mut head).map_err(|e| e.to_string())?;
        if sniff_compression(&head[..n]) != Compression::None {
            return Err("the archive itself is compressed; decompress it first (e.g. gunzip image.tar.gz)".into());
        }
        f.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        let mut archive = tar::Archive::new(f);
        let mut files = HashMap::new();
        let entries = archive.entries_with_seek().map_err(|e| format!("not a tar archive: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("corrupt tar entry: {e}"))?;
            if !matches!(entry.header().entry_type(), tar::EntryType::Regular | tar::EntryType::Continuous) {
                continue;
            }
            let raw = entry.path_bytes();
            let name = normalize_entry_path(&String::from_utf8_lossy(&raw))?;
            files.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(TarIndex { path: path.to_path_buf(), files })
    }

    fn range(&self, name: &str) -> Result<(u64, u64), String> {
        let name = normalize_entry_path(name)?;
        self.files.get(&name).copied().ok_or_else(|| format!("{name} is not in the archive"))
    }
}

impl LayoutFiles for TarIndex {
    fn read_small(&self, name: &str) -> Result<Vec<u8>, String> {
        let (_, size) = self.range(name)?;
        if size > MAX_METADATA_SIZE {
            return Err(format!("{name}: {size} bytes, larger than any manifest"));
        }
        let mut data = Vec::with_capacity(size as usize);
        self.open(name)?.read_to_end(&mut data).map_err(|e| format!("{name}: {e}"))?;
        Ok(data)
    }

    fn open(&self, name: &str) -> Result<Take<File>, String> {
        let (offset, size) = self.range(name)?;
        let mut f = File::open(&self.path).map_err(|e| e.to_string())?;
        f.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
        Ok(f.take(size))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyManifest {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// A `docker save` tarball.
pub struct DockerArchive {
    index: TarIndex,
    info: ImageInfo,
    /// Tar member holding each layer, for legacy archives; `None` when layers are OCI blobs.
    layer_files: Option<Vec<String>>,
    /// Whether layers are checked against their digests while read.
    verify: bool,
}

impl DockerArchive {
    /// Indexes the archive at `path` and reads its manifest and config.
    pub fn open(path: &Path, platform: &Platform) -> Result<DockerArchive, ImageError> {
        let reference = format!("docker-archive:{}", path.display());
        let index = TarIndex::build(path).map_err(|m| ImageError::invalid(&reference, m))?;
        let invalid = |m: String| ImageError::invalid(&reference, m);
        if !index.files.contains_key("manifest.json") {
            if index.files.contains_key("index.json") {
                let info = resolve_layout(&index, &reference, None, platform)?;
                return Ok(DockerArchive { index, info, layer_files: None, verify: false });
            }
            return Err(invalid("neither manifest.json nor index.json: not a docker-archive".into()));
        }
        let data = index.read_small("manifest.json").map_err(invalid)?;
        let manifests: Vec<LegacyManifest> =
            serde_json::from_slice(&data).map_err(|e| invalid(format!("manifest.json is not valid: {e}")))?;
        let m = manifests.into_iter().next().ok_or_else(|| invalid("manifest.json lists no images".into()))?;
        let config_data =
            index.read_small(&m.config).map_err(|e| invalid(format!("config named by manifest.json: {e}")))?;
        let config = ImageConfig::from_json(&config_data).map_err(invalid)?;
        if config.rootfs.diff_ids.len() != m.layers.len() {
            return Err(invalid(format!(
                "manifest.json lists {} layers but the config lists {} diff_ids",
                m.layers.len(),
                config.rootfs.diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (i, file) in m.layers.iter().enumerate() {
            let (_, size) = index
                .range(file)
                .map_err(|e| invalid(format!("layer {} named by manifest.json is missing: {e}", i + 1)))?;
            let diff_id = config.rootfs.diff_ids[i].clone();
            // Blobs stored under their digest (Docker ≥ 25) are verified against that; legacy
            // uncompressed layer tars against the config's diff_id.
            let digest = match file.strip_prefix("blobs/sha256/") {
                Some(hex) => format!("sha256:{hex}"),
                None => diff_id.clone(),
            };
            layers.push(LayerDescriptor {
                digest,
                media_type: String::new(),
                size: Some(size),
                diff_id: Some(diff_id),
            });
        }
        let _ = m.repo_tags;
        let info = ImageInfo {
            reference,
            manifest_digest: None,
            config_digest: Some(Digest::of(&config_data).to_string()),
            config,
            layers,
        };
        Ok(DockerArchive { index, info, layer_files: Some(m.layers), verify: false })
    }

    /// Whether layers are checked against their digests (the diff_id of a legacy layer tar),
    /// reading every byte; off by default, when entries a walk does not need are skipped unread.
    pub fn verify_layers(mut self, on: bool) -> Self {
        self.verify = on;
        self
    }
}

impl ImageSource for DockerArchive {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>, ImageError> {
        let Some(files) = &self.layer_files else {
            return open_layout_layer(&self.index, &self.info, index, self.verify);
        };
        let layer = self.info.layers.get(index).ok_or_else(|| {
            ImageError::invalid(
                &self.info.reference,
                format!("no layer {} (the image has {})", index + 1, self.info.layers.len()),
            )
        })?;
        let err = |m: String| ImageError::Layer {
            image: self.info.reference.clone(),
            index: index + 1,
            digest: layer.digest.clone(),
            message: m,
        };
        let blob = self.index.open(&files[index]).map_err(err)?;
        if !self.verify {
            return Ok(LayerBlob::File(blob));
        }
        let digest = Digest::parse(&layer.digest).map_err(err)?;
        Ok(LayerBlob::VerifiedFile(VerifyingReader::new(blob, digest, layer.size)))
    }
}
