use crate::os_release;
use crate::{Companion, Extractor, FileInput, FileMeta};
use bulwark_image::{EntryMeta, Visitor};
use bulwark_types::Package;
use std::sync::Arc;

/// What the engine keeps of one version of one wanted file.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    /// Packages the extractors found in it.
    pub packages: Vec<Package>,
    /// Facts about packages found elsewhere (owned files, licences), from companion files.
    pub companions: Vec<Companion>,
    /// Extractor errors, already prefixed with the path.
    pub errors: Vec<String>,
    /// The bytes, kept only for OS identification files (they are tiny).
    pub os_data: Option<Arc<Vec<u8>>>,
}

/// Routes each file to the extractors that want it (the inventory side of a layer walk).
pub struct InventoryVisitor {
    extractors: Vec<Box<dyn Extractor>>,
}

impl InventoryVisitor {
    /// A visitor over the given extractors.
    pub fn new(extractors: Vec<Box<dyn Extractor>>) -> Self {
        InventoryVisitor { extractors }
    }
}

fn file_meta<'a>(entry: &EntryMeta<'a>) -> FileMeta<'a> {
    FileMeta { path: entry.path, size: entry.size, mode: entry.mode }
}

impl Visitor for InventoryVisitor {
    type Output = FileResult;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        let meta = file_meta(entry);
        os_release::is_os_file(entry.path) || self.extractors.iter().any(|e| e.wants(&meta) || e.wants_companion(&meta))
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> FileResult {
        let meta = file_meta(entry);
        let input = FileInput { path: entry.path, data };
        let mut result = FileResult::default();
        if os_release::is_os_file(entry.path) {
            result.os_data = Some(Arc::new(data.to_vec()));
        }
        for extractor in self.extractors.iter().filter(|e| e.wants(&meta)) {
            match extractor.extract(&input) {
                Ok(found) => result.packages.extend(found),
                Err(e) => result.errors.push(format!("{}: {e}", extractor.name())),
            }
        }
        for extractor in self.extractors.iter().filter(|e| e.wants_companion(&meta)) {
            result.companions.extend(extractor.companion(&input));
        }
        result
    }
}
