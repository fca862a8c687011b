//! PLACEHOLDER: to be written (the session's helper replaces this file).

use crate::{ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::Package;

/// PLACEHOLDER extractor.
pub struct CargoLock;

impl Extractor for CargoLock {
    fn name(&self) -> &'static str {
        "placeholder/cargo_lock"
    }
    fn wants(&self, _file: &FileMeta<'_>) -> bool {
        false
    }
    fn extract(&self, _input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        Ok(Vec::new())
    }
}
