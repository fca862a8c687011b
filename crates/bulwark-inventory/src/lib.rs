//! Package extractors and the engine that feeds them.
//!
//! Every extractor implements [`Extractor`]: it says which files it wants
//! ([`Extractor::wants`], from path, size and mode alone) and then parses only
//! those ([`Extractor::extract`]). The scan engine streams each layer once and
//! hands every wanted file to every extractor that asked for it. Companion files
//! ([`Extractor::companion`]) add owned files and licences to packages found elsewhere.

mod extractor;
pub mod extractors;
pub mod os_release;
mod scan;

pub use extractor::{package_at, Companion, ExtractError, Extractor, FileInput, FileMeta};
pub use scan::{
    assemble_dir, assemble_image, inventory_visitor, layer_refs, scan_dir, scan_image, FileResult, InventoryVisitor,
    ScanError, ScanOptions,
};
