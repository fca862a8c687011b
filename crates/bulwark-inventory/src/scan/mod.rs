//! The scan engine: streams every layer once, routes wanted files to extractors, then stacks the
//! layers and keeps only what the final image still contains.

mod assemble;
mod companions;
mod progress;
mod visitor;

pub use progress::{NoProgress, Progress};

use crate::extractors;
use assemble::assemble;
use bulwark_image::{walk_dir, walk_layer, ImageError, ImageSource, LayerContents, WalkOptions};
use bulwark_types::{Inventory, LayerRef, ScanTarget, INVENTORY_SCHEMA_VERSION};
use rayon::prelude::*;
use std::path::Path;
use visitor::{FileResult, InventoryVisitor};

/// Why a scan failed as a whole (a single unparseable file is a warning, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The image could not be read.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// A directory could not be walked.
    #[error("{0}")]
    Dir(String),
}

/// Scan settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Bounds on file reads.
    pub walk: WalkOptions,
}

/// Builds the inventory of an image: every layer is read once, in parallel.
pub fn scan_image(
    source: &dyn ImageSource,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Result<Inventory, ScanError> {
    let info = source.info();
    let visitor = InventoryVisitor::new(extractors::all());
    let total: Option<u64> = info.layers.iter().map(|l| l.size).sum();
    progress.start(total, info.layers.len());
    let on_bytes = |n: u64| progress.advance(n);
    let layers: Vec<LayerContents<FileResult>> = (0..info.layers.len())
        .into_par_iter()
        .map(|i| {
            let layer = &info.layers[i];
            let blob = source.open_layer(i)?;
            walk_layer(blob, &visitor, options.walk, &on_bytes).map_err(|message| ImageError::Layer {
                image: info.reference.clone(),
                index: i + 1,
                digest: layer.digest.clone(),
                message,
            })
        })
        .collect::<Result<_, ImageError>>()?;
    progress.finish();
    let refs: Vec<LayerRef> = info
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerRef { index: i + 1, digest: l.digest.clone(), diff_id: l.diff_id.clone() })
        .collect();
    let target = ScanTarget {
        reference: info.reference.clone(),
        kind: "image".into(),
        manifest_digest: info.manifest_digest.clone(),
        config_digest: info.config_digest.clone(),
        architecture: info.config.architecture.clone(),
        os: info.config.os.clone(),
        layers: refs.clone(),
    };
    let mut inventory = assemble(&layers, Some(&refs));
    inventory.target = target;
    Ok(inventory)
}

/// Builds the inventory of a directory (a root filesystem or a source tree).
pub fn scan_dir(root: &Path, reference: &str, options: &ScanOptions) -> Result<Inventory, ScanError> {
    let visitor = InventoryVisitor::new(extractors::all());
    let layer = walk_dir(root, &visitor, options.walk).map_err(ScanError::Dir)?;
    let mut inventory = assemble(std::slice::from_ref(&layer), None);
    inventory.target = ScanTarget { reference: reference.to_string(), kind: "directory".into(), ..Default::default() };
    Ok(inventory)
}

/// An empty inventory of the current schema version.
pub(crate) fn empty_inventory() -> Inventory {
    Inventory { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() }
}
