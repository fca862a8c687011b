//! The [`ImageSource`] abstraction every image location implements.

use crate::config::ImageConfig;
use crate::{ImageError, VerifyingReader};
use std::fs::File;
use std::io::{self, Read, Take};

/// One layer of an image as its manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDescriptor {
    /// Digest of the blob as stored (`sha256:…`); for docker-archive layers stored
    /// uncompressed this equals the diff_id.
    pub digest: String,
    /// Media type from the manifest (may be empty for docker-archive legacy layers).
    pub media_type: String,
    /// Blob size in bytes, when the manifest gives one.
    pub size: Option<u64>,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids`.
    pub diff_id: Option<String>,
}

/// An image whose manifest and config have been read: what a source knows before any layer is opened.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// The reference the user gave, e.g. `oci:/tmp/x:latest`.
    pub reference: String,
    /// Digest of the manifest selected, where the source has one.
    pub manifest_digest: Option<String>,
    /// Digest of the config blob.
    pub config_digest: Option<String>,
    /// The parsed image config.
    pub config: ImageConfig,
    /// Layers bottom first.
    pub layers: Vec<LayerDescriptor>,
}

/// A place images are read from. Layers are streamed, never extracted to disk.
pub trait ImageSource: Send + Sync {
    /// Manifest, config and layer list.
    fn info(&self) -> &ImageInfo;

    /// Opens layer `index` (0-based) as stored, compressed or not. Registry blobs, and local ones
    /// when the source was asked to verify them, are checked against their digest while they
    /// stream (a mismatch surfaces as a read error at end of stream).
    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>, ImageError>;
}

/// A layer blob opened for reading.
pub enum LayerBlob<'a> {
    /// A stream: from the network, or verified against its digest while read.
    Stream(Box<dyn Read + Send + 'a>),
    /// A byte range of a local file that must match its digest. Read as a stream, it verifies
    /// itself; a walker may instead take the range back while unread, walk it in parts and hash
    /// it on another thread.
    VerifiedFile(VerifyingReader<Take<File>>),
    /// An unverified byte range of a local file (positioned at its start, limited to its length):
    /// a walker may seek past the entries it does not need instead of reading them.
    File(Take<File>),
}

impl Read for LayerBlob<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            LayerBlob::Stream(r) => r.read(buf),
            LayerBlob::VerifiedFile(r) => r.read(buf),
            LayerBlob::File(f) => f.read(buf),
        }
    }
}

/// An `os/arch[/variant]` platform, as `--platform` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`, `arm64`.
    pub architecture: String,
    /// e.g. `v8` for arm64; `None` matches any variant.
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: None })
            }
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: Some(variant.to_string()) })
            }
            _ => Err(format!("invalid platform {s:?}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8")),
        }
    }

    /// The platform of this machine, in OCI spelling (`linux/amd64` on x86-64).
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        Platform { os: "linux".into(), architecture: architecture.into(), variant: None }
    }

    /// Whether an index entry's platform fields match this one.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == architecture
            && match (&self.variant, variant) {
                (None, _) => true,
                (Some(want), Some(got)) => want == got,
                (Some(_), None) => false,
            }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}
