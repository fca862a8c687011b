//! The one error type of this crate; every variant names the file (or zip entry) it is about.

use std::path::PathBuf;

/// What can go wrong while importing, opening or querying the vulnerability database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An OSV record is malformed: `origin` is the file or `zip!entry`, `field` the JSON path.
    #[error("{origin}: field `{field}`: {message}")]
    Record {
        /// File path, or `archive.zip!entry.json`.
        origin: String,
        /// JSON path of the offending field, e.g. `affected[0].ranges[1].events[2]` (`.` for the whole document).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A zip archive is unreadable (corrupt, encrypted, truncated).
    #[error("{origin}: invalid zip archive: {message}")]
    Zip {
        /// The archive, or `archive.zip!entry`.
        origin: String,
        /// What the zip reader said.
        message: String,
    },
    /// An input exceeded an import limit (entry count, entry size, total size, directory depth).
    #[error("{origin}: {message}")]
    Limit {
        /// The file, archive or entry.
        origin: String,
        /// Which limit, and the numbers.
        message: String,
    },
    /// No database exists yet in the cache directory.
    #[error("no vulnerability database at {0} (run `bulwark db import` or `bulwark db update` first)")]
    NoDatabase(PathBuf),
    /// The database was written by a build with another schema version.
    #[error("{path}: database schema version {found}, this build reads version {expected}; re-import the advisories")]
    Schema {
        /// The database file.
        path: PathBuf,
        /// Version stored in the file.
        found: i64,
        /// Version this build reads and writes.
        expected: i64,
    },
    /// SQLite reported an error.
    #[error("{path}: database error: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The cache directory could not be determined (no `BULWARK_CACHE_DIR`, `XDG_CACHE_HOME` or `HOME`).
    #[error("cannot determine a cache directory: set BULWARK_CACHE_DIR or pass --cache-dir")]
    NoCacheDir,
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Attaches a path to an `io::Error`.
pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

/// Attaches the database path to a SQLite error.
pub(crate) fn db_err(path: impl Into<PathBuf>) -> impl FnOnce(rusqlite::Error) -> Error {
    let path = path.into();
    move |source| Error::Db { path, source }
}
