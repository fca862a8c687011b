//! The scan engine: streams every layer once, routes wanted files to extractors, then stacks the
//! layers and keeps only what the final image still contains.

mod assemble;
mod companions;
mod visitor;

use crate::extractors;
use assemble::assemble;
use bulwark_image::{
    walk_dir, walk_image, ImageError, ImageInfo, ImageSource, LayerContents, MergedView, Progress, WalkOptions,
};
use bulwark_types::{Inventory, LayerRef, ScanTarget, INVENTORY_SCHEMA_VERSION};
use std::path::Path;
pub use visitor::{FileResult, InventoryVisitor};

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
    let layers = walk_image(source, &inventory_visitor(), options.walk, progress)?;
    let merged = MergedView::build(&layers.iter().collect::<Vec<_>>());
    Ok(assemble_image(source.info(), &layers, &merged))
}

/// The visitor that routes an image's files to every extractor; feed its layer results to [`assemble_image`].
pub fn inventory_visitor() -> InventoryVisitor {
    InventoryVisitor::new(extractors::all())
}

/// Builds an image's inventory from the walked layers (bottom first) of [`inventory_visitor`] and
/// the view [`MergedView::build`] stacks from them.
pub fn assemble_image(info: &ImageInfo, layers: &[LayerContents<FileResult>], merged: &MergedView) -> Inventory {
    let refs = layer_refs(info);
    let target = ScanTarget {
        reference: info.reference.clone(),
        kind: "image".into(),
        manifest_digest: info.manifest_digest.clone(),
        config_digest: info.config_digest.clone(),
        architecture: info.config.architecture.clone(),
        os: info.config.os.clone(),
        layers: refs.clone(),
    };
    let mut inventory = assemble(layers, merged, Some(&refs));
    inventory.target = target;
    inventory
}

/// The layers of an image as findings name them (1-based index, blob digest, diff_id).
pub fn layer_refs(info: &ImageInfo) -> Vec<LayerRef> {
    info.layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerRef { index: i + 1, digest: l.digest.clone(), diff_id: l.diff_id.clone() })
        .collect()
}

/// Builds the inventory of a directory (a root filesystem or a source tree).
pub fn scan_dir(root: &Path, reference: &str, options: &ScanOptions) -> Result<Inventory, ScanError> {
    let layer = walk_dir(root, &inventory_visitor(), options.walk).map_err(ScanError::Dir)?;
    Ok(assemble_dir(reference, &layer, &MergedView::build(&[&layer])))
}

/// Builds a directory's inventory from its walk with [`inventory_visitor`] and the view of it.
pub fn assemble_dir(reference: &str, layer: &LayerContents<FileResult>, merged: &MergedView) -> Inventory {
    let mut inventory = assemble(std::slice::from_ref(layer), merged, None);
    inventory.target = ScanTarget { reference: reference.to_string(), kind: "directory".into(), ..Default::default() };
    inventory
}

/// An empty inventory of the current schema version.
pub(crate) fn empty_inventory() -> Inventory {
    Inventory { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() }
}
