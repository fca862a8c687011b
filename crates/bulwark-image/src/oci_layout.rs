//! `oci:DIR[:TAG]` — an OCI image layout on disk (also the shape Docker ≥ 25 writes inside `docker save`).

use crate::config::ImageConfig;
use crate::digest::{Digest, VerifyingReader};
use crate::manifest::{is_index_media_type, select_platform, Descriptor, ManifestDoc};
use crate::source::{ImageInfo, ImageSource, LayerBlob, LayerDescriptor, Platform};
use crate::ImageError;
use std::fs::File;
use std::io::{Read, Take};
use std::path::{Path, PathBuf};

/// Read access to the files of a layout (a directory, or entries of a tar).
pub(crate) trait LayoutFiles: Sync {
    /// Reads a small file whole (index, manifest, config), bounded.
    fn read_small(&self, path: &str) -> Result<Vec<u8>, String>;
    /// Opens a blob for streaming: the file positioned at its start, limited to its length.
    fn open(&self, path: &str) -> Result<Take<File>, String>;
}

/// Small JSON documents above this size are refused (a manifest is a few kB).
pub(crate) const MAX_METADATA_SIZE: u64 = 16 * 1024 * 1024;

struct DirFiles {
    root: PathBuf,
}

impl LayoutFiles for DirFiles {
    fn read_small(&self, path: &str) -> Result<Vec<u8>, String> {
        let full = self.root.join(path);
        let f = File::open(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let mut data = Vec::new();
        f.take(MAX_METADATA_SIZE + 1).read_to_end(&mut data).map_err(|e| format!("{}: {e}", full.display()))?;
        if data.len() as u64 > MAX_METADATA_SIZE {
            return Err(format!("{}: larger than {MAX_METADATA_SIZE} bytes, not a manifest", full.display()));
        }
        Ok(data)
    }

    fn open(&self, path: &str) -> Result<Take<File>, String> {
        let full = self.root.join(path);
        let f = File::open(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let len = f.metadata().map_err(|e| format!("{}: {e}", full.display()))?.len();
        Ok(f.take(len))
    }
}

/// Path of a blob inside a layout.
pub(crate) fn blob_path(digest: &str) -> Result<String, String> {
    let d = Digest::parse(digest)?;
    Ok(format!("blobs/sha256/{}", d.hex()))
}

/// Reads and verifies a small blob.
pub(crate) fn read_blob(files: &dyn LayoutFiles, desc: &Descriptor) -> Result<Vec<u8>, String> {
    let path = blob_path(&desc.digest)?;
    let data = files
        .read_small(&path)
        .map_err(|e| format!("blob {} named by the manifest is missing or unreadable: {e}", desc.digest))?;
    let got = Digest::of(&data);
    if got.to_string() != desc.digest {
        return Err(format!("blob {} does not match its digest (content hashes to {got})", desc.digest));
    }
    Ok(data)
}

/// Resolves `index.json` → (nested indexes) → manifest → config, for a tag and platform.
pub(crate) fn resolve_layout(
    files: &dyn LayoutFiles,
    reference: &str,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<ImageInfo, ImageError> {
    let invalid = |m: String| ImageError::invalid(reference, m);
    let index = files.read_small("index.json").map_err(|e| invalid(format!("not an OCI layout (index.json): {e}")))?;
    let index = ManifestDoc::parse(&index, "index.json").map_err(invalid)?;
    let entries = index.manifests.unwrap_or_default();
    let tagged: Vec<Descriptor> = match tag {
        Some(t) => entries
            .iter()
            .filter(|d| d.annotations.get("org.opencontainers.image.ref.name").map(|n| n == t).unwrap_or(false))
            .cloned()
            .collect(),
        None => entries.clone(),
    };
    if tagged.is_empty() {
        let tags: Vec<&String> =
            entries.iter().filter_map(|d| d.annotations.get("org.opencontainers.image.ref.name")).collect();
        return Err(invalid(format!("no image tagged {:?} in index.json; tags present: {tags:?}", tag.unwrap_or(""))));
    }
    let mut desc = if tagged.len() == 1 && tagged[0].platform.is_none() {
        tagged[0].clone()
    } else {
        select_platform(&tagged, platform).map_err(invalid)?.clone()
    };
    // Follow nested indexes down to an image manifest.
    for _ in 0..8 {
        let data = read_blob(files, &desc).map_err(invalid)?;
        let doc = ManifestDoc::parse(&data, &format!("manifest {}", desc.digest)).map_err(invalid)?;
        if is_index_media_type(&desc.media_type) || doc.is_index() {
            let entries = doc.manifests.unwrap_or_default();
            desc = select_platform(&entries, platform).map_err(invalid)?.clone();
            continue;
        }
        let config_desc = doc.config.ok_or_else(|| invalid(format!("manifest {} has no config", desc.digest)))?;
        let config_data = read_blob(files, &config_desc).map_err(invalid)?;
        let config = ImageConfig::from_json(&config_data).map_err(invalid)?;
        let layers = doc.layers.unwrap_or_default();
        if !config.rootfs.diff_ids.is_empty() && config.rootfs.diff_ids.len() != layers.len() {
            return Err(invalid(format!(
                "manifest lists {} layers but the config lists {} diff_ids",
                layers.len(),
                config.rootfs.diff_ids.len()
            )));
        }
        let layers = layers
            .iter()
            .enumerate()
            .map(|(i, l)| LayerDescriptor {
                digest: l.digest.clone(),
                media_type: l.media_type.clone(),
                size: l.size,
                diff_id: config.rootfs.diff_ids.get(i).cloned(),
            })
            .collect();
        return Ok(ImageInfo {
            reference: reference.to_string(),
            manifest_digest: Some(desc.digest.clone()),
            config_digest: Some(config_desc.digest.clone()),
            config,
            layers,
        });
    }
    Err(invalid("indexes nested more than 8 deep".to_string()))
}

/// An OCI image layout directory.
pub struct OciLayout {
    files: Box<dyn LayoutFiles + Send>,
    info: ImageInfo,
    /// Whether layers are checked against their digests while read.
    verify: bool,
}

impl OciLayout {
    /// Opens the image tagged `tag` (or the only image) in the layout at `dir`.
    pub fn open(dir: &Path, tag: Option<&str>, platform: &Platform) -> Result<OciLayout, ImageError> {
        let reference = match tag {
            Some(t) => format!("oci:{}:{t}", dir.display()),
            None => format!("oci:{}", dir.display()),
        };
        if !dir.is_dir() {
            return Err(ImageError::invalid(reference, "no such directory"));
        }
        let files = DirFiles { root: dir.to_path_buf() };
        let info = resolve_layout(&files, &reference, tag, platform)?;
        Ok(OciLayout { files: Box::new(files), info, verify: false })
    }

    /// Whether layers are checked against their manifest digests, reading every byte; off by
    /// default (sizes are always checked).
    pub fn verify_layers(mut self, on: bool) -> Self {
        self.verify = on;
        self
    }
}

impl ImageSource for OciLayout {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>, ImageError> {
        open_layout_layer(self.files.as_ref(), &self.info, index, self.verify)
    }
}

/// Opens a layer blob of a layout: its size checked against the manifest's, and with `verify`
/// its content against the manifest digest while it streams.
pub(crate) fn open_layout_layer<'a>(
    files: &'a dyn LayoutFiles,
    info: &ImageInfo,
    index: usize,
    verify: bool,
) -> Result<LayerBlob<'a>, ImageError> {
    let layer = info.layers.get(index).ok_or_else(|| {
        ImageError::invalid(&info.reference, format!("no layer {} (the image has {})", index + 1, info.layers.len()))
    })?;
    let err = |m: String| ImageError::Layer {
        image: info.reference.clone(),
        index: index + 1,
        digest: layer.digest.clone(),
        message: m,
    };
    let path = blob_path(&layer.digest).map_err(err)?;
    let blob = files.open(&path).map_err(|e| err(format!("blob named by the manifest is missing: {e}")))?;
    if let Some(size) = layer.size {
        if blob.limit() != size {
            return Err(err(format!("blob is {} bytes, the manifest declares {size}", blob.limit())));
        }
    }
    if !verify {
        return Ok(LayerBlob::File(blob));
    }
    let digest = Digest::parse(&layer.digest).map_err(err)?;
    Ok(LayerBlob::VerifiedFile(VerifyingReader::new(blob, digest, layer.size)))
}
