//! Walking one archive and the archives nested in it, with every decompression bounded.

use super::has_archive_extension;
use super::identity::{self, Coordinates};
use super::manifest::Manifest;
use crate::{package_at, ExtractError, FileInput};
use bulwark_types::{Package, PackageKind};
use std::borrow::Cow;
use std::io::{self, Cursor, Read};
use zip::{CompressionMethod, ZipArchive};

/// One mebibyte.
const MIB: u64 = 1 << 20;
/// Read granularity for decompression; also the first allocation when the declared size is unknown.
const CHUNK: usize = 64 * 1024;

/// Bounds on the work done for one top-level archive.
#[derive(Debug, Clone)]
pub(super) struct Limits {
    /// How many archives deep to look below the top-level one.
    pub max_depth: u32,
    /// Bytes read of one manifest or `pom.properties`; the rest is ignored.
    pub metadata_cap: u64,
    /// Decompressed size of one nested archive; a larger one is an error.
    pub nested_cap: u64,
    /// Decompressed bytes (metadata and nested archives together) for the whole top-level archive.
    pub total_bytes: u64,
    /// Central-directory entries, summed over every archive opened.
    pub max_entries: u64,
}

impl Limits {
    /// The limits the extractor runs with.
    pub const DEFAULT: Limits = Limits {
        max_depth: 4,
        metadata_cap: MIB,
        nested_cap: 256 * MIB,
        total_bytes: 512 * MIB,
        max_entries: 1_000_000,
    };
}

/// Why an archive could not be read.
enum Failure {
    /// The archive (or an entry of it) is not valid; a nested one is skipped.
    Malformed(String),
    /// A limit was hit (a zip bomb, or absurdly large); always fails the whole top-level archive.
    Limit(String),
}

/// Where an archive sits: its location for reports and its path inside the top-level archive.
struct Place<'a> {
    /// Its file name, for naming by file name (`name-1.2.3.jar`).
    file_name: &'a str,
    /// `/outer.war!/WEB-INF/lib/inner.jar` (just `/outer.war` for the top level).
    location: String,
    /// `WEB-INF/lib/inner.jar` relative to the top-level archive (empty for the top level).
    inner: String,
    /// 0 for the top-level archive.
    depth: u32,
}

impl Place<'_> {
    /// How error messages name entry `entry` of this archive.
    fn describe(&self, entry: &str) -> String {
        if self.inner.is_empty() {
            entry.to_string()
        } else {
            format!("{}!/{entry}", self.inner)
        }
    }

    /// How error messages name this archive itself.
    fn describe_self(&self) -> String {
        if self.inner.is_empty() {
            "archive".to_string()
        } else {
            self.inner.clone()
        }
    }
}

/// The state of one scan: remaining budgets and where packages are reported.
struct Walk<'i, 'l> {
    input: &'i FileInput<'i>,
    limits: &'l Limits,
    found_by: &'static str,
    bytes_left: u64,
    entries_left: u64,
}

/// Packages in the archive `input` and the archives nested in it.
pub(super) fn scan(
    input: &FileInput<'_>,
    limits: &Limits,
    found_by: &'static str,
) -> Result<Vec<Package>, ExtractError> {
    let mut walk = Walk { input, limits, found_by, bytes_left: limits.total_bytes, entries_left: limits.max_entries };
    let file_name = input.path.rsplit('/').next().unwrap_or(input.path);
    let top = Place { file_name, location: input.location(), inner: String::new(), depth: 0 };
    walk.archive(input.data, &top).map_err(|failure| match failure {
        Failure::Malformed(message) | Failure::Limit(message) => ExtractError::new(input, message),
    })
}

/// The entries of one archive that matter, by index.
#[derive(Default)]
struct Interesting {
    manifest: Option<usize>,
    poms: Vec<usize>,
    nested: Vec<usize>,
}

impl Walk<'_, '_> {
    /// Packages of the archive `data` at `place`, then those of its nested archives.
    fn archive(&mut self, data: &[u8], place: &Place<'_>) -> Result<Vec<Package>, Failure> {
        let mut zip = ZipArchive::new(Cursor::new(data))
            .map_err(|e| Failure::Malformed(format!("{}: not a readable zip archive: {e}", place.describe_self())))?;
        let count = zip.len() as u64;
        if count > self.entries_left {
            return Err(Failure::Limit(format!(
                "{}: more than {} zip entries in total",
                place.describe_self(),
                self.limits.max_entries
            )));
        }
        self.entries_left -= count;

        let interesting = classify(&zip);
        let manifest = match interesting.manifest {
            Some(index) => Manifest::parse(&self.metadata(&mut zip, index, place)?),
            None => Manifest::default(),
        };
        let mut poms = Vec::new();
        for &index in &interesting.poms {
            let data = self.metadata(&mut zip, index, place)?;
            if let Some(coordinates) = zip.name_for_index(index).and_then(|e| identity::from_pom_properties(e, &data)) {
                poms.push(coordinates);
            }
        }
        let mut packages = self.own_packages(&manifest, poms, place);

        if place.depth < self.limits.max_depth {
            for &index in &interesting.nested {
                let entry = zip.name_for_index(index).unwrap_or_default().to_string();
                let bytes = match self.nested_bytes(&mut zip, index, &entry, data, place) {
                    Ok(bytes) => bytes,
                    Err(Failure::Malformed(_)) => continue,
                    Err(limit) => return Err(limit),
                };
                let child = Place {
                    file_name: entry.rsplit('/').next().unwrap_or(&entry),
                    location: format!("{}!/{entry}", place.location),
                    inner: place.describe(&entry),
                    depth: place.depth + 1,
                };
                match self.archive(&bytes, &child) {
                    Ok(found) => packages.extend(found),
                    Err(Failure::Malformed(_)) => {}
                    Err(limit) => return Err(limit),
                }
            }
        }
        Ok(packages)
    }

    /// Packages for the archive itself: one per `pom.properties`, else one from the manifest and file name.
    fn own_packages(&self, manifest: &Manifest, poms: Vec<Coordinates>, place: &Place<'_>) -> Vec<Package> {
        let licenses = manifest.bundle_licenses();
        if poms.is_empty() {
            return identity::from_manifest(manifest, place.file_name)
                .map(|c| self.package(&c, licenses, place))
                .into_iter()
                .collect();
        }
        // The manifest describes one artifact; its licence goes to the matching pom (or the only one).
        let described = identity::manifest_name(manifest, place.file_name).map(|(_, artifact)| artifact);
        let single = poms.len() == 1;
        poms.iter()
            .map(|c| {
                let matches = single || described.as_deref() == Some(c.artifact.as_str());
                self.package(c, if matches { licenses.clone() } else { Vec::new() }, place)
            })
            .collect()
    }

    /// A Maven package located at the top-level file and, when nested, at its nested path.
    fn package(&self, coordinates: &Coordinates, licenses: Vec<String>, place: &Place<'_>) -> Package {
        let mut package =
            package_at(self.input, PackageKind::Maven, &coordinates.name(), &coordinates.version, self.found_by);
        package.licenses = licenses;
        if place.depth > 0 {
            package.locations.push(place.location.clone());
        }
        package
    }

    /// The first [`Limits::metadata_cap`] bytes of a manifest or `pom.properties` entry.
    fn metadata(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        place: &Place<'_>,
    ) -> Result<Vec<u8>, Failure> {
        let (bytes, _truncated) = self.decompress(zip, index, self.limits.metadata_cap, place)?;
        Ok(bytes)
    }

    /// A nested archive's bytes: borrowed from `data` when stored uncompressed, else inflated
    /// up to [`Limits::nested_cap`] (beyond that it is a [`Failure::Limit`]).
    fn nested_bytes<'d>(
        &mut self,
        zip: &mut ZipArchive<Cursor<&'d [u8]>>,
        index: usize,
        entry: &str,
        data: &'d [u8],
        place: &Place<'_>,
    ) -> Result<Cow<'d, [u8]>, Failure> {
        let malformed = |e: &dyn std::fmt::Display| Failure::Malformed(format!("{}: {e}", place.describe(entry)));
        let raw = zip.by_index_raw(index).map_err(|e| malformed(&e))?;
        if raw.compression() == CompressionMethod::Stored && !raw.encrypted() {
            let start = raw.data_start();
            let slice = start
                .checked_add(raw.compressed_size())
                .and_then(|end| data.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?))
                .ok_or_else(|| malformed(&"stored entry runs past the end of the archive"))?;
            return Ok(Cow::Borrowed(slice));
        }
        drop(raw);
        let (bytes, truncated) = self.decompress(zip, index, self.limits.nested_cap, place)?;
        if truncated {
            return Err(Failure::Limit(format!(
                "{}: nested archive decompresses to more than {} MiB",
                place.describe(entry),
                self.limits.nested_cap / MIB
            )));
        }
        Ok(Cow::Owned(bytes))
    }

    /// Inflates entry `index` up to `cap` bytes, charging the total budget; the flag says whether the
    /// entry holds more than `cap`. Running out of total budget is a [`Failure::Limit`].
    fn decompress(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        cap: u64,
        place: &Place<'_>,
    ) -> Result<(Vec<u8>, bool), Failure> {
        let entry = place.describe(zip.name_for_index(index).unwrap_or_default());
        let mut file = zip.by_index(index).map_err(|e| Failure::Malformed(format!("{entry}: {e}")))?;
        let allowed = cap.min(self.bytes_left);
        let declared = file.size();
        let read = read_capped(&mut file, allowed, declared);
        let (bytes, more) = read.map_err(|e| Failure::Malformed(format!("{entry}: {e}")))?;
        self.bytes_left = self.bytes_left.saturating_sub(bytes.len() as u64);
        if more && allowed < cap {
            return Err(Failure::Limit(format!(
                "{entry}: decompression budget of {} MiB for the whole archive exhausted",
                self.limits.total_bytes / MIB
            )));
        }
        Ok((bytes, more))
    }
}

/// The manifest, `pom.properties` and nested-archive entries of `zip`.
fn classify(zip: &ZipArchive<Cursor<&[u8]>>) -> Interesting {
    let mut found = Interesting::default();
    for (index, name) in zip.file_names().enumerate() {
        if name.ends_with('/') {
            continue;
        }
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            found.manifest.get_or_insert(index);
        } else if identity::is_pom_properties(name) {
            found.poms.push(index);
        } else if has_archive_extension(name) {
            found.nested.push(index);
        }
    }
    found
}

/// Reads at most `limit` bytes from `reader` (never trusting `declared`, which only sizes the first
/// allocation); the flag says whether more bytes followed. The buffer never grows past `limit`.
fn read_capped(reader: &mut impl Read, limit: u64, declared: u64) -> io::Result<(Vec<u8>, bool)> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let first = usize::try_from(declared).unwrap_or(usize::MAX).min(limit).min(16 * CHUNK);
    let mut buf: Vec<u8> = Vec::with_capacity(first);
    let mut chunk = vec![0u8; CHUNK];
    while buf.len() < limit {
        let want = CHUNK.min(limit - buf.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => return Ok((buf, false)),
            Ok(n) => n.min(want),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.capacity() - buf.len() < n {
            let grown = buf.capacity().saturating_mul(2).max(CHUNK).min(limit);
            buf.reserve_exact(grown.max(buf.len() + n) - buf.len());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut probe = [0u8; 1];
    let more = loop {
        match reader.read(&mut probe) {
            Ok(n) => break n > 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    Ok((buf, more))
}
