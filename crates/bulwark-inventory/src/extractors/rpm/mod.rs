//! Installed RPM packages, read from rpm's package database in any of its three
//! formats: sqlite (`rpmdb.sqlite`, Fedora/RHEL 9+), ndb (`Packages.db`, SUSE)
//! and Berkeley DB hash (`Packages`, RHEL ≤ 8, CentOS, Amazon Linux 2).
//!
//! Each format is only a container of RPM header blobs, one per package;
//! [`header`] parses a blob and this module turns it into a [`Package`].

mod bdb;
mod header;
mod ndb;
mod sqlite;

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind, SourcePackage};
use header::{tag, Header};
use std::borrow::Cow;

/// At most this many owned files are listed in a package's `locations`.
const MAX_FILES_PER_PACKAGE: usize = 20_000;

/// The database files rpm keeps, relative to the root.
const DB_PATHS: [&str; 6] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
];

/// Reads installed packages from rpm's database (`os/rpm`).
pub struct Rpm;

/// One package record of a database: its key (rpm's package number) and header blob.
#[derive(Debug)]
struct Blob<'a> {
    key: i64,
    data: Cow<'a, [u8]>,
}

impl Extractor for Rpm {
    fn name(&self) -> &'static str {
        "os/rpm"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        DB_PATHS.iter().any(|p| {
            file.path.ends_with(p)
                && (file.path.len() == p.len() || file.path[..file.path.len() - p.len()].ends_with('/'))
        })
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let data = input.data;
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let blobs = if data.starts_with(sqlite::MAGIC) {
            sqlite::blobs(data)
        } else if data.starts_with(ndb::MAGIC) {
            ndb::blobs(data)
        } else if bdb::is_bdb_hash(data) {
            bdb::blobs(data)
        } else {
            Err("not an rpm database (no SQLite, ndb or Berkeley DB hash magic)".to_string())
        }
        .map_err(|e| ExtractError::new(input, e))?;
        let mut out = Vec::with_capacity(blobs.len());
        for blob in &blobs {
            let pkg = package(input, self.name(), &blob.data)
                .map_err(|e| ExtractError::new(input, format!("package {}: {e}", blob.key)))?;
            out.extend(pkg);
        }
        Ok(out)
    }
}

/// The package a header blob describes; `None` for `gpg-pubkey` pseudo-packages.
fn package(input: &FileInput<'_>, found_by: &str, blob: &[u8]) -> Result<Option<Package>, String> {
    let h = Header::parse(blob)?;
    let required = |t: u32, what: &str| h.string(t)?.ok_or_else(|| format!("no {what} tag"));
    let name = required(tag::NAME, "NAME")?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = required(tag::VERSION, "VERSION")?;
    let release = required(tag::RELEASE, "RELEASE")?;
    let epoch = h.int32(tag::EPOCH)?;
    let evr = |version: &str, release: &str| match epoch {
        Some(e) => format!("{e}:{version}-{release}"),
        None => format!("{version}-{release}"),
    };
    let mut pkg = package_at(input, PackageKind::Rpm, &name, &evr(&version, &release), found_by);
    pkg.arch = h.string(tag::ARCH)?.map(Cow::into_owned);
    pkg.licenses = h.string(tag::LICENSE)?.filter(|l| !l.is_empty()).map(Cow::into_owned).into_iter().collect();
    pkg.source = h
        .string(tag::SOURCERPM)?
        .as_deref()
        .and_then(source_rpm)
        .map(|(name, version, release)| SourcePackage { name: name.to_string(), version: evr(version, release) });
    pkg.files.extend(files(&h)?);
    Ok(Some(pkg))
}

/// Splits a SOURCERPM value, `name-version-release.src.rpm`, into its parts.
fn source_rpm(file: &str) -> Option<(&str, &str, &str)> {
    let nvr = file.strip_suffix(".src.rpm").or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (nv, release) = nvr.rsplit_once('-')?;
    let (name, version) = nv.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty()).then_some((name, version, release))
}

/// The package's files: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the pre-4.x OLDFILENAMES.
fn files(h: &Header<'_>) -> Result<Vec<String>, String> {
    let Some(basenames) = h.string_array(tag::BASENAMES)? else {
        let old = h.string_array(tag::OLDFILENAMES)?.unwrap_or_default();
        return Ok(old.into_iter().take(MAX_FILES_PER_PACKAGE).map(Cow::into_owned).collect());
    };
    let dirnames = h.string_array(tag::DIRNAMES)?.ok_or("BASENAMES without DIRNAMES")?;
    let indexes = h.int32_array(tag::DIRINDEXES)?.ok_or("BASENAMES without DIRINDEXES")?;
    if indexes.len() != basenames.len() {
        return Err(format!("{} BASENAMES but {} DIRINDEXES", basenames.len(), indexes.len()));
    }
    basenames
        .iter()
        .zip(&indexes)
        .take(MAX_FILES_PER_PACKAGE)
        .map(|(base, &i)| {
            let dir = dirnames
                .get(i as usize)
                .ok_or_else(|| format!("DIRINDEXES entry {i} is past the {} DIRNAMES", dirnames.len()))?;
            Ok(format!("{dir}{base}"))
        })
        .collect()
}

#[cfg(test)]
mod tests;
