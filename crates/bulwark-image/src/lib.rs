//! Where images come from and how their layers are read.
//!
//! [`open`] turns a `REF` ([`ImageRef`]) into an [`ImageSource`]; [`walk_layer`] streams one
//! layer once and hands wanted files to a [`Visitor`]; [`MergedView`] stacks the layers into
//! the file system a container would see.

mod combine;
mod config;
mod digest;
mod docker_archive;
pub mod engine;
mod entry;
mod error;
mod gzip;
mod manifest;
mod merge;
mod oci_layout;
mod parallel_gzip;
mod progress;
mod reference;
pub mod registry;
mod rootfs;
mod source;
mod walk;

pub use combine::{KeepFiles, Pair};
pub use config::{History, ImageConfig, RootFs, RuntimeConfig};
pub use digest::{Digest, VerifyingReader};
pub use docker_archive::DockerArchive;
pub use entry::{normalize_entry_path, resolve_link_target, EntryKind, EntryMeta, LayerEntry};
pub use error::ImageError;
pub use merge::MergedView;
pub use oci_layout::OciLayout;
#[doc(hidden)]
pub use parallel_gzip::walk_gzip_parts;
pub use progress::{NoProgress, Progress};
pub use reference::{EngineKind, ImageRef, RegistryRef};
pub use registry::{Credentials, RegistryOptions};
pub use rootfs::walk_dir;
pub use source::{ImageInfo, ImageSource, LayerBlob, LayerDescriptor, Platform};
pub use walk::{
    sniff_compression, walk_image, walk_layer, walk_layer_file, Compression, LayerContents, Visitor, WalkOptions,
    DEFAULT_MAX_FILE_SIZE, DEFAULT_SPLIT_SIZE,
};

/// How to open an image: platform choice and registry access.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Platform to pick from multi-platform indexes; defaults to this machine's.
    pub platform: Option<Platform>,
    /// Registry access (credentials, plain HTTP, timeouts).
    pub registry: RegistryOptions,
    /// Check local layer blobs (docker-archive, OCI layout, engine export) against their digests,
    /// reading every byte; registry blobs are always checked.
    pub verify_layers: bool,
}

/// Opens an image reference that has layers (everything but `dir:`).
pub fn open(reference: &ImageRef, options: &OpenOptions) -> Result<Box<dyn ImageSource>, ImageError> {
    let platform = options.platform.clone().unwrap_or_else(Platform::host);
    Ok(match reference {
        ImageRef::DockerArchive(path) => {
            Box::new(DockerArchive::open(path, &platform)?.verify_layers(options.verify_layers))
        }
        ImageRef::OciLayout { dir, tag } => {
            Box::new(OciLayout::open(dir, tag.as_deref(), &platform)?.verify_layers(options.verify_layers))
        }
        ImageRef::Registry(r) => Box::new(registry::RegistryImage::open(r, &platform, &options.registry)?),
        ImageRef::Engine { kind, name } => {
            Box::new(engine::EngineImage::open(*kind, name, &platform)?.verify_layers(options.verify_layers))
        }
        ImageRef::Dir(path) => {
            return Err(ImageError::invalid(
                path.display().to_string(),
                "a directory has no layers; walk it with walk_dir",
            ))
        }
    })
}
