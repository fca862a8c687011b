//! Yarn lockfiles (`yarn.lock`): the classic v1 format (yarn 1) and the YAML format of
//! Yarn Berry (v2+, recognised by its `__metadata` entry). One package per name and version.

mod berry;
mod classic;
pub(crate) mod yaml;

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use std::collections::HashSet;

/// Protocols of local code (the project's own workspaces and directories) and of patched
/// copies of packages already listed under their `npm:` resolution; neither is reported.
const SKIPPED_PROTOCOLS: &[&str] = &["workspace:", "patch:", "link:", "portal:", "file:", "exec:"];

/// Extractor for `yarn.lock`.
pub struct YarnLock;

impl Extractor for YarnLock {
    fn name(&self) -> &'static str {
        "lang/yarn-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        // A lockfile shipped inside an installed package describes its development, not this install.
        file.file_name() == "yarn.lock" && !file.path.contains("node_modules/")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let entries = if is_berry(input.data) { berry::entries(input.data) } else { classic::entries(input.data) }
            .map_err(|message| ExtractError::new(input, message))?;
        let mut seen = HashSet::new();
        let mut packages = Vec::new();
        for (name, version) in entries {
            if seen.insert((name.clone(), version.clone())) {
                packages.push(package_at(input, PackageKind::Npm, &name, &version, self.name()));
            }
        }
        Ok(packages)
    }
}

/// Whether the file has Berry's top-level `__metadata:` entry.
fn is_berry(data: &[u8]) -> bool {
    data.starts_with(b"__metadata:") || memchr::memmem::find(data, b"\n__metadata:").is_some()
}

/// Splits a descriptor `name@range` (`@scope/name@range` for scoped names) at the `@` after the name.
fn split_descriptor(s: &str) -> Option<(&str, &str)> {
    let first = s.chars().next()?.len_utf8();
    let at = s.get(first..)?.find('@')? + first;
    let (name, range) = (s.get(..at)?, s.get(at + 1..)?);
    (!name.is_empty()).then_some((name, range))
}

/// Whether a range or resolution uses a protocol whose packages are not reported.
fn is_skipped_protocol(range: &str) -> bool {
    SKIPPED_PROTOCOLS.iter().any(|p| range.starts_with(p))
}

#[cfg(test)]
mod tests;
