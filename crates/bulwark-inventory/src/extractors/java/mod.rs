//! Java archives (`.jar`, `.war`, `.ear` and their plugin cousins): Maven coordinates from
//! `META-INF/maven/*/*/pom.properties`, else from `META-INF/MANIFEST.MF` and the file name,
//! searched recursively through nested archives with bounded decompression.

mod archive;
mod identity;
mod manifest;
mod properties;
#[cfg(test)]
mod tests;

use crate::{ExtractError, Extractor, FileInput, FileMeta};
use archive::Limits;
use bulwark_types::Package;

/// File name extensions (lower case, without the dot) of the archives this extractor opens,
/// at the top level and nested inside other archives.
const ARCHIVE_EXTENSIONS: [&str; 8] = ["jar", "war", "ear", "jpi", "hpi", "par", "sar", "nar"];

/// The smallest possible zip file: an empty end-of-central-directory record.
const MIN_ZIP_SIZE: u64 = 22;

/// Extractor for Java archives and the archives nested inside them.
pub struct JavaArchive;

impl Extractor for JavaArchive {
    fn name(&self) -> &'static str {
        "lang/java"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.size >= MIN_ZIP_SIZE && has_archive_extension(file.path)
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        archive::scan(input, &Limits::DEFAULT, self.name())
    }
}

/// Whether `path` ends in `.jar`, `.war`, … (any case), with a file name before the dot.
fn has_archive_extension(path: &str) -> bool {
    let Some((stem, ext)) = path.rsplit_once('.') else { return false };
    !stem.is_empty() && !stem.ends_with('/') && ARCHIVE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
}
