//! PLACEHOLDER: to be written (the session's helper replaces this file).

use crate::{ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::Package;

/// PLACEHOLDER extractor.
pub struct YarnLock;

impl Extractor for YarnLock {
    fn name(&self) -> &'static str {
        "placeholder/yarn_lock"
    }
    fn wants(&self, _file: &FileMeta<'_>) -> bool {
        false
    }
    fn extract(&self, _input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        Ok(Vec::new())
    }
}
