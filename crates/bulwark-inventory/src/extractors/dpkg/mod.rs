//! Debian packages from dpkg's database: `var/lib/dpkg/status` and the
//! per-package files distroless images keep in `var/lib/dpkg/status.d/`; their owned files
//! (`var/lib/dpkg/info/<pkg>.list`) and licences (`usr/share/doc/<pkg>/copyright`) come from
//! companion files.

mod companion;
mod deb822;
mod license;

use crate::{package_at, Companion, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind, SourcePackage};
use deb822::{Field, Paragraph};

/// The dpkg status database path, relative to the root.
const STATUS: &str = "var/lib/dpkg/status";
/// The distroless per-package status directory, relative to the root.
const STATUS_D: &str = "var/lib/dpkg/status.d/";

/// dpkg package states (third word of `Status:`) in which the package's files are on disk;
/// `not-installed`, `config-files` and `half-installed` are not reported.
const PRESENT_STATES: &[&str] = &["installed", "triggers-pending", "triggers-awaited", "half-configured", "unpacked"];
/// Every state dpkg knows; anything else in `Status:` is an error.
const ALL_STATES: &[&str] = &[
    "not-installed",
    "config-files",
    "half-installed",
    "unpacked",
    "half-configured",
    "triggers-awaited",
    "triggers-pending",
    "installed",
];

/// Extractor for dpkg's status database (Debian, Ubuntu, distroless).
pub struct Dpkg;

impl Extractor for Dpkg {
    fn name(&self) -> &'static str {
        "os/dpkg"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        is_status_file(file.path) || status_d_entry(file.path).is_some_and(|name| !name.ends_with(".md5sums"))
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        // Files in status.d carry no Status field: being there means installed.
        let needs_status = status_d_entry(input.path).is_none();
        let paragraphs = deb822::paragraphs(input.data)
            .map_err(|e| ExtractError::new(input, format!("line {}: {}", e.line, e.message)))?;
        let mut packages = Vec::new();
        for paragraph in &paragraphs {
            if let Some(pkg) = package(input, paragraph, needs_status, self.name())? {
                packages.push(pkg);
            }
        }
        Ok(packages)
    }

    fn wants_companion(&self, file: &FileMeta<'_>) -> bool {
        companion::kind(file.path).is_some()
    }

    fn companion(&self, input: &FileInput<'_>) -> Option<Companion> {
        companion::parse(companion::kind(input.path)?, input)
    }
}

/// Whether `path` is `var/lib/dpkg/status` at the root or under some directory.
fn is_status_file(path: &str) -> bool {
    path.strip_suffix(STATUS).is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
}

/// The file name of a direct child of `var/lib/dpkg/status.d/`, if `path` is one.
fn status_d_entry(path: &str) -> Option<&str> {
    let (dir, name) = path.rsplit_once(STATUS_D)?;
    let at_root_or_dir = dir.is_empty() || dir.ends_with('/');
    (at_root_or_dir && !name.is_empty() && !name.contains('/')).then_some(name)
}

/// The package a paragraph describes, or `None` when dpkg does not have it on disk.
fn package(
    input: &FileInput<'_>,
    p: &Paragraph<'_>,
    needs_status: bool,
    found_by: &str,
) -> Result<Option<Package>, ExtractError> {
    let err = |line: usize, msg: &str| ExtractError::new(input, format!("line {line}: {msg}"));
    let name = text(input, p.get("Package"))?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err(p.line, "paragraph has no Package field"))?;
    match p.get("Status") {
        Some(field) if !is_present(input, field)? => return Ok(None),
        None if needs_status => return Err(err(p.line, &format!("package {name} has no Status field"))),
        _ => {}
    }
    let version = text(input, p.get("Version"))?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err(p.line, &format!("package {name} has no Version field")))?;
    let mut pkg = package_at(input, PackageKind::Deb, name, version, found_by);
    pkg.arch = text(input, p.get("Architecture"))?.filter(|a| !a.is_empty()).map(str::to_string);
    pkg.source = Some(match p.get("Source") {
        Some(field) => source(input, field, version)?,
        None => SourcePackage { name: name.to_string(), version: version.to_string() },
    });
    Ok(Some(pkg))
}

/// Whether a `Status: want flag state` field names a state with the package's files on disk.
fn is_present(input: &FileInput<'_>, field: &Field<'_>) -> Result<bool, ExtractError> {
    let value = text(input, Some(field))?.unwrap_or_default();
    let words: Vec<&str> = value.split_ascii_whitespace().take(4).collect();
    match words.as_slice() {
        [_, _, state] if ALL_STATES.contains(state) => Ok(PRESENT_STATES.contains(state)),
        [_, _, state] => Err(ExtractError::new(input, format!("line {}: unknown package state {state:?}", field.line))),
        _ => Err(ExtractError::new(input, format!("line {}: Status must be `want flag state`", field.line))),
    }
}

/// `Source: name` or `Source: name (version)`; without a version the source version is the binary's.
fn source(input: &FileInput<'_>, field: &Field<'_>, binary_version: &str) -> Result<SourcePackage, ExtractError> {
    let bad = || ExtractError::new(input, format!("line {}: Source must be `name` or `name (version)`", field.line));
    let value = text(input, Some(field))?.unwrap_or_default();
    let (name, version) = match value.split_once('(') {
        None => (value, binary_version),
        Some((name, rest)) => {
            let version = rest.strip_suffix(')').ok_or_else(bad)?.trim();
            (name.trim_end(), version)
        }
    };
    if name.is_empty() || name.contains(char::is_whitespace) || version.is_empty() || version.contains(['(', ')']) {
        return Err(bad());
    }
    Ok(SourcePackage { name: name.to_string(), version: version.to_string() })
}

/// A field's value as UTF-8 text.
fn text<'a>(input: &FileInput<'_>, field: Option<&Field<'a>>) -> Result<Option<&'a str>, ExtractError> {
    field
        .map(|f| {
            std::str::from_utf8(f.value)
                .map_err(|_| ExtractError::new(input, format!("line {}: value is not UTF-8", f.line)))
        })
        .transpose()
}

#[cfg(test)]
mod tests;
