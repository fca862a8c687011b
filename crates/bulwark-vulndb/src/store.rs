//! The local database: one SQLite file, `vulndb.sqlite`, in the cache directory.
//!
//! Tables: `advisories` (one row per OSV record: what a finding needs, plus the original JSON
//! compressed with zstd), `affected` (one row per `affected[]` package, keyed by ecosystem base and
//! normalised name, holding the ranges and versions to evaluate), `ecosystem_stats` (counts and newest
//! `modified` per ecosystem, for `status`), `epss` and `kev` (enrichment by CVE id, see [`crate::enrich`])
//! and `meta`. `PRAGMA user_version` holds [`SCHEMA_VERSION`].
//! Writers never touch this file in place: [`crate::import_path`] builds a new file and renames it over.

use crate::enrich::{EpssSummary, KevSummary};
use crate::error::{db_err, io_err, Error, Result};
use crate::model::{Event, RangeKind, Vulnerability};
use crate::severity::Severity;
use bulwark_types::{Epss, Kev};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Version of the database layout; a file with another version is refused (re-import).
/// 2: `epss` and `kev` tables.
pub const SCHEMA_VERSION: i64 = 2;

/// File name of the database inside the cache directory.
pub const DB_FILE: &str = "vulndb.sqlite";

/// Largest decompressed original record [`Store::record`] will inflate.
const MAX_RECORD_BYTES: usize = 64 << 20;

pub(crate) const SCHEMA_SQL: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  modified TEXT NOT NULL,
  modified_us INTEGER NOT NULL,
  published TEXT,
  withdrawn INTEGER NOT NULL,
  summary TEXT NOT NULL,
  aliases TEXT NOT NULL,
  related TEXT NOT NULL,
  severity TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE TABLE affected (
  advisory INTEGER NOT NULL,
  eco_base TEXT NOT NULL,
  name TEXT NOT NULL,
  ecosystem TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX affected_key ON affected (eco_base, name);
CREATE INDEX affected_advisory ON affected (advisory);
CREATE TABLE ecosystem_stats (
  ecosystem TEXT PRIMARY KEY,
  records INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  newest_modified TEXT
);
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE kev (
  cve TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date TEXT NOT NULL,
  ransomware INTEGER NOT NULL
) WITHOUT ROWID;
";

/// The evaluable part of one `affected[]` entry, as stored (GIT ranges dropped).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredAffected {
    /// ECOSYSTEM and SEMVER ranges.
    #[serde(default, rename = "r")]
    pub ranges: Vec<StoredRange>,
    /// Explicitly listed versions.
    #[serde(default, rename = "v")]
    pub versions: Vec<String>,
    /// Severity given on the affected entry itself, if any.
    #[serde(default, rename = "s", skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// One stored range.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredRange {
    /// ECOSYSTEM or SEMVER.
    #[serde(rename = "t")]
    pub kind: RangeKind,
    /// Events as written.
    #[serde(rename = "e")]
    pub events: Vec<Event>,
}

/// One `affected` row returned by a lookup.
#[derive(Debug, Clone)]
pub(crate) struct AffectedRow {
    /// Row id of the advisory.
    pub advisory: i64,
    /// Ecosystem as the record wrote it.
    pub ecosystem: String,
    /// Ranges and versions.
    pub data: StoredAffected,
}

/// What a finding needs from an advisory row.
#[derive(Debug, Clone)]
pub(crate) struct AdvisoryRow {
    /// OSV id.
    pub id: String,
    /// `aliases` of the record.
    pub aliases: Vec<String>,
    /// `related` and `upstream` of the record.
    pub related: Vec<String>,
    /// Summary, or the first line of the details.
    pub summary: String,
    /// Record-level severity.
    pub severity: Severity,
}

/// Counts and freshness of one ecosystem in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemStatus {
    /// Ecosystem as records write it, e.g. `PyPI`, `Ubuntu:22.04:LTS`.
    pub ecosystem: String,
    /// Records with an `affected[]` entry in this ecosystem (withdrawn included).
    pub records: u64,
    /// How many of those are withdrawn.
    pub withdrawn: u64,
    /// The newest `modified` among them, as written.
    pub newest_modified: Option<String>,
}

/// What `bulwark db status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The database file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// [`SCHEMA_VERSION`] of the file.
    pub schema_version: i64,
    /// Total records (withdrawn included).
    pub records: u64,
    /// Withdrawn records.
    pub withdrawn: u64,
    /// When the last import finished (UTC, RFC 3339).
    pub last_import: Option<String>,
    /// Per ecosystem, sorted by name.
    pub ecosystems: Vec<EcosystemStatus>,
    /// The EPSS scores held, if any were imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssSummary>,
    /// The CISA KEV catalogue held, if one was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevSummary>,
}

impl Status {
    /// What a scan report says about this database.
    pub fn database_info(&self) -> bulwark_types::DatabaseInfo {
        bulwark_types::DatabaseInfo {
            path: self.path.display().to_string(),
            records: self.records,
            newest_modified: self.ecosystems.iter().filter_map(|e| e.newest_modified.clone()).max().unwrap_or_default(),
            updated: self.last_import.clone().unwrap_or_default(),
        }
    }

    /// Whole days since the last import, when one is recorded.
    pub fn age_days(&self) -> Option<u64> {
        let last = bulwark_types::time::parse_rfc3339_micros(self.last_import.as_deref()?)? / 1_000_000;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
        u64::try_from((now - last) / 86_400).ok()
    }
}

/// The cache directory: `explicit` (`--cache-dir`), else `BULWARK_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/bulwark`, else `$HOME/.cache/bulwark`.
pub fn cache_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("BULWARK_CACHE_DIR") {
        return Ok(p);
    }
    if let Some(p) = var("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Ok(p.join("bulwark"));
    }
    var("HOME").map(|h| h.join(".cache").join("bulwark")).ok_or(Error::NoCacheDir)
}

/// A read-only handle on the database in a cache directory.
pub struct Store {
    path: PathBuf,
    conn: Connection,
    /// Date of the EPSS data, when the `epss` table holds any.
    epss_date: Option<String>,
    /// Whether the `kev` table holds any entry.
    has_kev: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens `<cache_dir>/vulndb.sqlite` read-only; errors if it is missing or of another schema version.
    pub fn open(cache_dir: &Path) -> Result<Store> {
        let path = cache_dir.join(DB_FILE);
        if !path.is_file() {
            return Err(Error::NoDatabase(path));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(db_err(&path))?;
        check_schema(&conn, &path)?;
        let err = db_err(&path);
        let (has_epss, has_kev): (bool, bool) = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM epss), EXISTS (SELECT 1 FROM kev)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(err)?;
        let epss_date = match has_epss {
            true => Some(meta(&conn, &path, "epss_date")?.unwrap_or_default()),
            false => None,
        };
        Ok(Store { path, conn, epss_date, has_kev })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Record counts, newest `modified` per ecosystem, last import time.
    pub fn status(&self) -> Result<Status> {
        let err = db_err(&self.path);
        let size_bytes = std::fs::metadata(&self.path).map_err(io_err(&self.path))?.len();
        let stored =
            |key: &str| -> Result<Option<i64>> { Ok(meta(&self.conn, &self.path, key)?.and_then(|v| v.parse().ok())) };
        let (records, withdrawn): (i64, i64) = match (stored("records")?, stored("withdrawn")?) {
            (Some(r), Some(w)) => (r, w),
            // Written by every import since the totals were added; count for older files.
            _ => self
                .conn
                .query_row("SELECT count(*), coalesce(sum(withdrawn), 0) FROM advisories", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(db_err(&self.path))?,
        };
        let last_import = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'last_import'", [], |r| r.get(0))
            .optional()
            .map_err(db_err(&self.path))?;
        let mut stmt = self
            .conn
            .prepare("SELECT ecosystem, records, withdrawn, newest_modified FROM ecosystem_stats ORDER BY ecosystem")
            .map_err(db_err(&self.path))?;
        let ecosystems = stmt
            .query_map([], |r| {
                Ok(EcosystemStatus {
                    ecosystem: r.get(0)?,
                    records: r.get::<_, i64>(1)?.max(0) as u64,
                    withdrawn: r.get::<_, i64>(2)?.max(0) as u64,
                    newest_modified: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        let (epss_rows, kev_rows): (i64, i64) = self
            .conn
            .query_row("SELECT (SELECT count(*) FROM epss), (SELECT count(*) FROM kev)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(db_err(&self.path))?;
        let m = |key: &str| meta(&self.conn, &self.path, key);
        let epss = match epss_rows > 0 {
            true => Some(EpssSummary {
                date: m("epss_date")?.filter(|d| !d.is_empty()),
                model_version: m("epss_model_version")?.filter(|d| !d.is_empty()),
                scores: epss_rows as u64,
            }),
            false => None,
        };
        let kev = match kev_rows > 0 {
            true => Some(KevSummary {
                catalog_version: m("kev_catalog_version")?.unwrap_or_default(),
                date_released: m("kev_date_released")?.filter(|d| !d.is_empty()),
                entries: kev_rows as u64,
            }),
            false => None,
        };
        Ok(Status {
            path: self.path.clone(),
            size_bytes,
            schema_version: SCHEMA_VERSION,
            records: records.max(0) as u64,
            withdrawn: withdrawn.max(0) as u64,
            last_import,
            ecosystems,
            epss,
            kev,
        })
    }

    /// The EPSS score of one CVE id (exact, upper-case `CVE-YYYY-NNNN`), if EPSS data was imported and lists it.
    pub fn epss(&self, cve: &str) -> Result<Option<Epss>> {
        let Some(date) = &self.epss_date else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1")
            .map_err(db_err(&self.path))?;
        let row: Option<(f64, f64)> =
            stmt.query_row([cve], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(db_err(&self.path))?;
        Ok(row.map(|(score, percentile)| Epss { score, percentile, date: date.clone() }))
    }

    /// The CISA KEV entry of one CVE id (exact, upper-case), if a catalogue was imported and lists it.
    pub fn kev(&self, cve: &str) -> Result<Option<Kev>> {
        if !self.has_kev {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT date_added, due_date, ransomware FROM kev WHERE cve = ?1")
            .map_err(db_err(&self.path))?;
        stmt.query_row([cve], |r| Ok(Kev { date_added: r.get(0)?, due_date: r.get(1)?, ransomware: r.get(2)? }))
            .optional()
            .map_err(db_err(&self.path))
    }

    /// The full original record with this id (withdrawn ones too), parsed again from its stored JSON.
    pub fn record(&self, id: &str) -> Result<Option<Vulnerability>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT record FROM advisories WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db_err(&self.path))?;
        let Some(blob) = blob else { return Ok(None) };
        let origin = format!("{}!{id}", self.path.display());
        let json = zstd::bulk::decompress(&blob, MAX_RECORD_BYTES).map_err(|e| Error::Record {
            origin: origin.clone(),
            field: ".".into(),
            message: e.to_string(),
        })?;
        crate::model::parse_record(&json, &origin).map(Some)
    }

    /// Non-withdrawn `affected` rows for a normalised (ecosystem base, name) key.
    pub(crate) fn lookup(&self, eco_base: &str, name: &str) -> Result<Vec<AffectedRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.advisory, f.ecosystem, f.data FROM affected f JOIN advisories a ON a.rowid = f.advisory \
                 WHERE f.eco_base = ?1 AND f.name = ?2 AND a.withdrawn = 0",
            )
            .map_err(db_err(&self.path))?;
        let rows = stmt
            .query_map([eco_base, name], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err(&self.path))?;
        rows.into_iter()
            .map(|(advisory, ecosystem, blob)| {
                let data = serde_json::from_slice(&blob).map_err(|e| Error::Record {
                    origin: format!("{}!affected of advisory row {advisory}", self.path.display()),
                    field: ".".into(),
                    message: e.to_string(),
                })?;
                Ok(AffectedRow { advisory, ecosystem, data })
            })
            .collect()
    }

    /// The finding-relevant columns of one advisory row.
    pub(crate) fn advisory(&self, rowid: i64) -> Result<AdvisoryRow> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, aliases, related, summary, severity FROM advisories WHERE rowid = ?1")
            .map_err(db_err(&self.path))?;
        let (id, aliases, related, summary, severity): (String, String, String, String, String) = stmt
            .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .map_err(db_err(&self.path))?;
        let bad = |what: &str, e: serde_json::Error| Error::Record {
            origin: format!("{}!{id}", self.path.display()),
            field: what.to_string(),
            message: e.to_string(),
        };
        Ok(AdvisoryRow {
            aliases: serde_json::from_str(&aliases).map_err(|e| bad("aliases", e))?,
            related: serde_json::from_str(&related).map_err(|e| bad("related", e))?,
            severity: serde_json::from_str(&severity).map_err(|e| bad("severity", e))?,
            summary,
            id,
        })
    }
}

/// One `meta` value.
fn meta(conn: &Connection, path: &Path, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().map_err(db_err(path))
}

/// Refuses a file whose `user_version` is not [`SCHEMA_VERSION`].
pub(crate) fn check_schema(conn: &Connection, path: &Path) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_err(path))?;
    if found != SCHEMA_VERSION {
        return Err(Error::Schema { path: path.to_path_buf(), found, expected: SCHEMA_VERSION });
    }
    Ok(())
}
