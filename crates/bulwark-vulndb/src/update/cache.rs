//! The download cache: exports, their sidecars, the record of what the database was built from, and
//! the checks a downloaded zip must pass.

use crate::error::{io_err, Result};
use crate::import::ImportLimits;
use crate::store::DB_FILE;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Folder of the cache directory holding the downloads.
pub(super) const DOWNLOADS: &str = "downloads";
/// A promoted export.
pub(super) const ZIP: &str = "all.zip";
/// Its sidecar.
pub(super) const META: &str = "all.zip.meta";
/// A download in progress.
pub(super) const PART: &str = "all.zip.part";
/// A verified download waiting for the import.
pub(super) const NEW: &str = "all.zip.new";
/// What the database was built from.
const STATE: &str = "imported.json";
/// Largest sidecar or state file read.
const MAX_SIDECAR_BYTES: u64 = 1 << 20;

/// What the server said about a promoted export, for the next conditional request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Meta {
    /// The URL it was fetched from.
    pub url: String,
    /// The response's `ETag`.
    pub etag: Option<String>,
    /// The response's `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// When it was fetched (UTC, RFC 3339).
    pub fetched_at: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5, lower-case hex.
    pub md5: String,
}

/// Which export (by MD5) of each ecosystem the database was built from, and the database file then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    db_size: u64,
    db_modified_ns: u128,
    exports: BTreeMap<String, String>,
}

/// Takes the updater lock (blocks while another update of this cache runs); released on drop.
pub(super) fn lock(downloads: &Path) -> Result<File> {
    let path = downloads.join("update.lock");
    let file = File::options().create(true).truncate(false).write(true).open(&path).map_err(io_err(&path))?;
    file.lock().map_err(io_err(&path))?;
    Ok(file)
}

/// Removes the partial and unpromoted files of updates that died (the caller holds the lock).
pub(super) fn remove_leftovers(downloads: &Path) -> Result<()> {
    for dir in fs::read_dir(downloads).map_err(io_err(downloads))? {
        let dir = dir.map_err(io_err(downloads))?.path();
        if !fs::symlink_metadata(&dir).map_err(io_err(&dir))?.is_dir() {
            continue;
        }
        for name in [PART, NEW, "all.zip.meta.tmp"] {
            let path = dir.join(name);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&path)(e)),
                _ => {}
            }
        }
    }
    let tmp = downloads.join(format!("{STATE}.tmp"));
    let _ = fs::remove_file(tmp);
    Ok(())
}

/// Removes the temporary databases of imports that died, under the import lock. Every import does
/// this itself; an update that has nothing to import calls it so they do not linger.
pub(super) fn remove_dead_imports(cache_dir: &Path) -> Result<()> {
    let lock_path = cache_dir.join("vulndb.lock");
    let lock = File::options().create(true).truncate(false).write(true).open(&lock_path).map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;
    let prefix = format!("{DB_FILE}.tmp-");
    for entry in fs::read_dir(cache_dir).map_err(io_err(cache_dir))? {
        let entry = entry.map_err(io_err(cache_dir))?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            fs::remove_file(entry.path()).map_err(io_err(entry.path()))?;
        }
    }
    Ok(())
}

/// Refuses ecosystem names that cannot safely be a directory name (they come from the server).
pub(super) fn check_name(name: &str) -> std::result::Result<(), String> {
    let bad = name.is_empty()
        || name.len() > 128
        || name.starts_with('.')
        || name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'));
    match bad {
        true => Err(format!("ecosystem name {name:?} is not usable as a directory name")),
        false => Ok(()),
    }
}

/// The sidecar in `dir`, if present and readable.
pub(super) fn read_meta(dir: &Path) -> Option<Meta> {
    let bytes = read_small(&dir.join(META))?;
    serde_json::from_slice(&bytes).ok()
}

/// The sidecar of the export in `dir` when it can back a conditional request for `url`: same URL,
/// and the export on disk has the recorded size.
pub(super) fn conditional_meta(dir: &Path, url: &str) -> Option<Meta> {
    let meta = read_meta(dir)?;
    let size = fs::metadata(dir.join(ZIP)).ok()?.len();
    (meta.url == url && meta.size == size && (meta.etag.is_some() || meta.last_modified.is_some())).then_some(meta)
}

/// Renames the verified download `new` to `all.zip`, then writes its sidecar (both atomic renames).
/// A crash between the two leaves a sidecar that no longer fits: the next run fetches again.
pub(super) fn promote(dir: &Path, new: &Path, meta: &Meta) -> Result<()> {
    let zip = dir.join(ZIP);
    fs::rename(new, &zip).map_err(io_err(&zip))?;
    let json = serde_json::to_vec_pretty(meta).map_err(|e| io_err(dir.join(META))(std::io::Error::other(e)))?;
    write_atomic(&dir.join(META), &json)?;
    sync_dir(dir);
    Ok(())
}

/// Whether the database is the file the last update built, from exactly these exports
/// (ecosystem, MD5 of its export; `None` when unknown).
pub(super) fn state_matches(cache_dir: &Path, downloads: &Path, exports: &[(String, Option<String>)]) -> bool {
    let Some(state) = read_small(&downloads.join(STATE)).and_then(|b| serde_json::from_slice::<State>(&b).ok()) else {
        return false;
    };
    let Some((size, modified)) = db_identity(cache_dir) else { return false };
    state.db_size == size
        && state.db_modified_ns == modified
        && exports.iter().all(|(eco, md5)| md5.as_ref().is_some_and(|m| state.exports.get(eco) == Some(m)))
}

/// Records that the database now in `cache_dir` was built from these exports.
pub(super) fn write_state(cache_dir: &Path, downloads: &Path, exports: &[(String, Option<String>)]) -> Result<()> {
    let db = cache_dir.join(DB_FILE);
    let (db_size, db_modified_ns) =
        db_identity(cache_dir).ok_or_else(|| io_err(&db)(std::io::Error::other("database missing after import")))?;
    let exports = exports.iter().filter_map(|(e, m)| m.clone().map(|m| (e.clone(), m))).collect();
    let state = State { db_size, db_modified_ns, exports };
    let path = downloads.join(STATE);
    let json = serde_json::to_vec_pretty(&state).map_err(|e| io_err(&path)(std::io::Error::other(e)))?;
    write_atomic(&path, &json)
}

/// Size and modification time of the database file.
fn db_identity(cache_dir: &Path) -> Option<(u64, u128)> {
    let meta = fs::metadata(cache_dir.join(DB_FILE)).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), modified))
}

/// Reads a file of at most [`MAX_SIDECAR_BYTES`]; `None` when missing, unreadable or larger.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path).ok()?.take(MAX_SIDECAR_BYTES + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_SIDECAR_BYTES).then_some(bytes)
}

/// Writes `path` through a synced temporary file and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).and_then(|_| file.sync_all()).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Makes renames in `dir` durable; not every filesystem allows fsync on a directory.
pub(super) fn sync_dir(dir: &Path) {
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

/// Checks that `path` is a zip whose entries are all `*.json` files within `limits`, from its
/// central directory (entry contents are checked by the import). Returns the entry count.
pub(super) fn verify_zip(path: &Path, limits: &ImportLimits) -> std::result::Result<u64, String> {
    let shown = path.display();
    let file = File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| format!("{shown}: invalid zip archive: {e}"))?;
    let count = archive.len() as u64;
    if count > limits.max_entries {
        return Err(format!("{shown}: {count} entries, more than the limit of {}", limits.max_entries));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| format!("{shown}!#{i}: invalid zip archive: {e}"))?;
        let name = entry.name();
        if entry.is_dir() || !name.ends_with(".json") {
            return Err(format!("{shown}!{name}: not an OSV record (every entry of an export is a *.json file)"));
        }
        let size = entry.size();
        if size > limits.max_entry_bytes {
            return Err(format!("{shown}!{name}: {size} bytes, more than the limit of {}", limits.max_entry_bytes));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(format!("{shown}: more than {} bytes in total", limits.max_total_bytes));
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_escape_the_download_folder_are_refused() {
        for good in ["PyPI", "crates.io", "Rocky Linux", "Ubuntu:22.04:LTS", "openSUSE", "GIT"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in ["", ".", "..", "../etc", "a/b", "a\\b", ".hidden", "tab\tname", &"x".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_zip_with_a_non_json_entry_or_too_many_entries_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("all.zip");
        let mut zip = zip::ZipWriter::new(File::create(&path).expect("create"));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("A-1.json", opts).expect("start");
        zip.write_all(b"{}").expect("write");
        zip.start_file("README", opts).expect("start");
        zip.finish().expect("finish");
        let err = verify_zip(&path, &ImportLimits::default()).expect_err("README");
        assert!(err.contains("all.zip!README: not an OSV record"), "{err}");
        let limits = ImportLimits { max_entries: 1, ..ImportLimits::default() };
        let err = verify_zip(&path, &limits).expect_err("count");
        assert!(err.contains("2 entries, more than the limit of 1"), "{err}");
        std::fs::write(&path, b"PK\x03\x04 not really").expect("write");
        assert!(verify_zip(&path, &ImportLimits::default()).expect_err("junk").contains("invalid zip archive"));
    }
}
