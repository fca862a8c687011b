//! PLACEHOLDER: to be written (the session's helper replaces this file).

use crate::{ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::Package;

/// PLACEHOLDER extractor.
pub struct CargoAuditable;

impl Extractor for CargoAuditable {
    fn name(&self) -> &'static str {
        "placeholder/cargo_auditable"
    }
    fn wants(&self, _file: &FileMeta<'_>) -> bool {
        false
    }
    fn extract(&self, _input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        Ok(Vec::new())
    }
}
