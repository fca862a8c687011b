//! Import OSV records from a JSON file, a directory tree of them, or an osv.dev `all.zip`; and the
//! enrichment files, recognised by content: FIRST's EPSS CSV and CISA's KEV catalogue (see [`crate::enrich`]).
//! A single file may be gzip-compressed (`epss_scores-YYYY-MM-DD.csv.gz`).
//!
//! The import is atomic: under an exclusive lock on `<cache>/vulndb.lock`, the current database is
//! copied to `vulndb.sqlite.tmp-<pid>`, the records are written into the copy in one transaction, and
//! the copy is renamed over `vulndb.sqlite`. A killed import leaves the previous file untouched (its
//! temporary file is removed by the next import). Every read is bounded by [`ImportLimits`].

use crate::enrich::{self, EpssSummary, KevSummary, Kind};
use crate::error::{db_err, io_err, Error, Result};
use crate::model::{parse_record, RangeKind, Vulnerability};
use crate::normalize::{ecosystem_base, normalize_name};
use crate::severity::severity_of;
use crate::store::{check_schema, StoredAffected, StoredRange, DB_FILE, SCHEMA_SQL, SCHEMA_VERSION};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Bounds on what an import reads, so hostile archives cannot exhaust memory, disk or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Most files (directory) or entries (zip) read from one source.
    pub max_entries: u64,
    /// Largest single record file or decompressed zip entry, in bytes.
    pub max_entry_bytes: u64,
    /// Most decompressed bytes read from one source in total.
    pub max_total_bytes: u64,
    /// Deepest directory nesting walked.
    pub max_depth: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        // osv.dev's largest ecosystem export has a few hundred thousand entries; its largest records
        // (kernel CVEs with long version lists) are a few MiB.
        ImportLimits { max_entries: 2_000_000, max_entry_bytes: 64 << 20, max_total_bytes: 32 << 30, max_depth: 16 }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The files or directories imported.
    pub sources: Vec<PathBuf>,
    /// Records read and parsed.
    pub read: u64,
    /// Records new to the database.
    pub inserted: u64,
    /// Records that replaced an older or equal version with the same id.
    pub replaced: u64,
    /// Records skipped because the database already held a newer version.
    pub kept_newer: u64,
    /// How many of the records read are withdrawn (stored, never matched).
    pub withdrawn: u64,
    /// Files or zip entries skipped because they are not `*.json`.
    pub skipped: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Set when the previous database had another schema version and was replaced by a fresh one.
    pub discarded_schema: Option<i64>,
    /// The EPSS CSV imported, if any (it replaced the previous EPSS data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssSummary>,
    /// The KEV catalogue imported, if any (it replaced the previous KEV data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevSummary>,
    /// Wall time of the whole import.
    #[serde(with = "duration_ms")]
    pub elapsed: Duration,
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().min(u128::from(u64::MAX)) as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// Imports `source` (OSV record file, directory tree of `*.json`, `all.zip`, EPSS CSV or KEV JSON) into the
/// database in `cache_dir`.
pub fn import_path(cache_dir: &Path, source: &Path) -> Result<ImportReport> {
    import_path_with(cache_dir, source, &ImportLimits::default())
}

/// [`import_path`] with explicit limits.
pub fn import_path_with(cache_dir: &Path, source: &Path, limits: &ImportLimits) -> Result<ImportReport> {
    import_paths(cache_dir, &[source], limits)
}

/// Imports several sources in one atomic step (one copy, one transaction, one rename): all or none.
/// The limits apply to each source.
pub fn import_paths(cache_dir: &Path, sources: &[&Path], limits: &ImportLimits) -> Result<ImportReport> {
    let started = Instant::now();
    fs::create_dir_all(cache_dir).map_err(io_err(cache_dir))?;
    let lock_path = cache_dir.join("vulndb.lock");
    let lock = File::options().create(true).truncate(false).write(true).open(&lock_path).map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;
    remove_stale_temps(cache_dir)?;
    let db = cache_dir.join(DB_FILE);
    let tmp = cache_dir.join(format!("{DB_FILE}.tmp-{}", std::process::id()));
    let result = build(&db, &tmp, sources, limits);
    match result {
        Ok(mut report) => {
            report.elapsed = started.elapsed();
            Ok(report)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Removes temporary files of imports that died (the caller holds the lock, so none is running).
fn remove_stale_temps(cache_dir: &Path) -> Result<()> {
    let prefix = format!("{DB_FILE}.tmp-");
    for entry in fs::read_dir(cache_dir).map_err(io_err(cache_dir))? {
        let entry = entry.map_err(io_err(cache_dir))?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            fs::remove_file(entry.path()).map_err(io_err(entry.path()))?;
        }
    }
    Ok(())
}

/// Copies or creates the database at `tmp`, imports into it, and renames it over `db`.
fn build(db: &Path, tmp: &Path, sources: &[&Path], limits: &ImportLimits) -> Result<ImportReport> {
    let mut report =
        ImportReport { sources: sources.iter().map(|s| s.to_path_buf()).collect(), ..ImportReport::default() };
    let mut conn = None;
    if db.is_file() {
        fs::copy(db, tmp).map_err(io_err(tmp))?;
        let c = Connection::open(tmp).map_err(db_err(tmp))?;
        match check_schema(&c, tmp) {
            Ok(()) => conn = Some(c),
            Err(Error::Schema { found, .. }) => {
                drop(c);
                fs::remove_file(tmp).map_err(io_err(tmp))?;
                report.discarded_schema = Some(found);
            }
            Err(e) => return Err(e),
        }
    }
    let mut conn = match conn {
        Some(c) => c,
        None => create(tmp)?,
    };
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;")
        .map_err(db_err(tmp))?;
    let tx = conn.transaction().map_err(db_err(tmp))?;
    {
        let compressor = zstd::bulk::Compressor::new(1).map_err(io_err(tmp))?;
        let mut writer = Writer { tx: &tx, path: tmp, report: &mut report, compressor };
        for source in sources {
            visit_source(source, limits, &mut |origin, bytes| writer.put(origin, bytes))?;
        }
    }
    finish(&tx, tmp, sources)?;
    tx.commit().map_err(db_err(tmp))?;
    conn.close().map_err(|(_, e)| Error::Db { path: tmp.to_path_buf(), source: e })?;
    File::open(tmp).and_then(|f| f.sync_all()).map_err(io_err(tmp))?;
    fs::rename(tmp, db).map_err(io_err(db))?;
    if let Some(dir) = db.parent() {
        // Make the rename durable; not every filesystem allows fsync on a directory.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(report)
}

/// A new, empty database file with the current schema.
fn create(path: &Path) -> Result<Connection> {
    let _ = fs::remove_file(path);
    let conn = Connection::open(path).map_err(db_err(path))?;
    conn.execute_batch(SCHEMA_SQL).map_err(db_err(path))?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(db_err(path))?;
    Ok(conn)
}

/// Recomputes per-ecosystem counts and writes the import metadata.
fn finish(tx: &Transaction<'_>, path: &Path, sources: &[&Path]) -> Result<()> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    tx.execute_batch(
        "DELETE FROM ecosystem_stats;
         INSERT INTO ecosystem_stats (ecosystem, records, withdrawn, newest_modified)
           SELECT ecosystem, n, w, modified FROM (
             SELECT e.ecosystem AS ecosystem, count(*) AS n, sum(a.withdrawn) AS w, a.modified AS modified,
                    max(a.modified_us) AS newest
             FROM (SELECT DISTINCT advisory, ecosystem FROM affected) e
             JOIN advisories a ON a.rowid = e.advisory
             GROUP BY e.ecosystem);",
    )
    .map_err(db_err(path))?;
    let mut put = tx.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)").map_err(db_err(path))?;
    put.execute(params!["last_import", bulwark_types::time::format_rfc3339(now)]).map_err(db_err(path))?;
    let shown: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
    put.execute(params!["last_sources", shown.join("\n")]).map_err(db_err(path))?;
    put.execute(params!["schema_version", SCHEMA_VERSION.to_string()]).map_err(db_err(path))?;
    // Totals for `status`, so a scan does not count a million rows to say how big the database is.
    let (records, withdrawn): (i64, i64) = tx
        .query_row("SELECT count(*), coalesce(sum(withdrawn), 0) FROM advisories", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_err(path))?;
    put.execute(params!["records", records.to_string()]).map_err(db_err(path))?;
    put.execute(params!["withdrawn", withdrawn.to_string()]).map_err(db_err(path))?;
    Ok(())
}

/// Calls `visit(origin, bytes)` for every record file or zip entry of `source`.
fn visit_source(source: &Path, limits: &ImportLimits, visit: &mut dyn FnMut(&str, &[u8]) -> Result<()>) -> Result<()> {
    let meta = fs::metadata(source).map_err(io_err(source))?;
    let mut budget = Budget { limits, entries: 0, bytes: 0 };
    if meta.is_dir() {
        return visit_dir(source, 0, &mut budget, visit);
    }
    let mut magic = [0u8; 4];
    let n = File::open(source).and_then(|mut f| f.read(&mut magic)).map_err(io_err(source))?;
    if n == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06") {
        visit_zip(source, &mut budget, visit)
    } else if n >= 2 && magic[..2] == [0x1f, 0x8b] {
        budget.entry(&|| source.display().to_string())?;
        let file = File::open(source).map_err(io_err(source))?;
        let gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
        let bytes = budget.read(gz, 0, &|| source.display().to_string(), false)?;
        visit(&source.display().to_string(), &bytes)
    } else {
        budget.entry(&|| source.display().to_string())?;
        let bytes = budget.read_file(source)?;
        visit(&source.display().to_string(), &bytes)
    }
}

/// Counts entries and bytes against the limits.
struct Budget<'a> {
    limits: &'a ImportLimits,
    entries: u64,
    bytes: u64,
}

impl Budget<'_> {
    fn entry(&mut self, origin: &dyn Fn() -> String) -> Result<()> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(Error::Limit {
                origin: origin(),
                message: format!("more than {} entries", self.limits.max_entries),
            });
        }
        Ok(())
    }

    /// Reads at most `max_entry_bytes` from `r`; errors past that or past the total budget.
    /// `in_zip` says whether a read error is the archive's fault (bad CRC, truncated stream).
    fn read(&mut self, r: impl Read, size_hint: u64, origin: &dyn Fn() -> String, in_zip: bool) -> Result<Vec<u8>> {
        let max = self.limits.max_entry_bytes;
        if size_hint > max {
            return Err(Error::Limit {
                origin: origin(),
                message: format!("entry of {size_hint} bytes exceeds the {max}-byte limit"),
            });
        }
        let mut buf = Vec::with_capacity(size_hint.min(max) as usize);
        r.take(max + 1).read_to_end(&mut buf).map_err(|e| match in_zip {
            true => Error::Zip { origin: origin(), message: e.to_string() },
            false => Error::Io { path: PathBuf::from(origin()), source: e },
        })?;
        let len = buf.len() as u64;
        if len > max {
            return Err(Error::Limit { origin: origin(), message: format!("entry exceeds the {max}-byte limit") });
        }
        self.bytes += len;
        if self.bytes > self.limits.max_total_bytes {
            return Err(Error::Limit {
                origin: origin(),
                message: format!("more than {} bytes in total", self.limits.max_total_bytes),
            });
        }
        Ok(buf)
    }

    fn read_file(&mut self, path: &Path) -> Result<Vec<u8>> {
        let origin = || path.display().to_string();
        let f = File::open(path).map_err(io_err(path))?;
        let len = f.metadata().map_err(io_err(path))?.len();
        self.read(f, len, &origin, false)
    }
}

/// Walks a directory in name order; reads `*.json`, skips symlinks and other files.
fn visit_dir(
    dir: &Path,
    depth: usize,
    budget: &mut Budget<'_>,
    visit: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
) -> Result<()> {
    if depth > budget.limits.max_depth {
        return Err(Error::Limit {
            origin: dir.display().to_string(),
            message: format!("directory nesting deeper than {}", budget.limits.max_depth),
        });
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        budget.entry(&|| dir.display().to_string())?;
        entries.push(entry.path());
    }
    entries.sort();
    for path in entries {
        let ty = fs::symlink_metadata(&path).map_err(io_err(&path))?.file_type();
        if ty.is_dir() {
            visit_dir(&path, depth + 1, budget, visit)?;
        } else if ty.is_file() && path.extension().is_some_and(|e| e == "json") {
            let bytes = budget.read_file(&path)?;
            visit(&path.display().to_string(), &bytes)?;
        }
    }
    Ok(())
}

/// Reads every `*.json` entry of a zip archive.
fn visit_zip(path: &Path, budget: &mut Budget<'_>, visit: &mut dyn FnMut(&str, &[u8]) -> Result<()>) -> Result<()> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(io_err(path))?;
    let zip_err = |origin: String, e: zip::result::ZipError| Error::Zip { origin, message: e.to_string() };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| zip_err(shown.clone(), e))?;
    if archive.len() as u64 > budget.limits.max_entries {
        return Err(Error::Limit {
            origin: shown,
            message: format!("{} entries, more than the limit of {}", archive.len(), budget.limits.max_entries),
        });
    }
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| zip_err(format!("{shown}!#{i}"), e))?;
        let origin = format!("{shown}!{}", entry.name());
        budget.entry(&|| origin.clone())?;
        if entry.is_dir() || !entry.name().ends_with(".json") {
            continue;
        }
        let size = entry.size();
        let bytes = budget.read(entry, size, &|| origin.clone(), true)?;
        visit(&origin, &bytes)?;
    }
    Ok(())
}

/// Writes parsed records into the open transaction.
struct Writer<'a, 'c> {
    tx: &'a Transaction<'c>,
    path: &'a Path,
    report: &'a mut ImportReport,
    /// Reused across records: creating a zstd context per record costs more than compressing one.
    compressor: zstd::bulk::Compressor<'static>,
}

impl Writer<'_, '_> {
    fn put(&mut self, origin: &str, bytes: &[u8]) -> Result<()> {
        if enrich::sniff(bytes) == Kind::Epss {
            self.report.epss = Some(enrich::import_epss(self.tx, self.path, origin, bytes)?);
            self.report.bytes += bytes.len() as u64;
            return Ok(());
        }
        let vuln = match parse_record(bytes, origin) {
            Ok(v) => v,
            Err(e) if enrich::looks_like_kev(bytes) => {
                drop(e);
                self.report.kev = Some(enrich::import_kev(self.tx, self.path, origin, bytes)?);
                self.report.bytes += bytes.len() as u64;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.report.read += 1;
        self.report.bytes += bytes.len() as u64;
        if vuln.withdrawn.is_some() {
            self.report.withdrawn += 1;
        }
        let modified_us = vuln.modified_micros().unwrap_or(i64::MIN);
        let db = db_err(self.path);
        let existing: Option<(i64, i64)> = self
            .tx
            .prepare_cached("SELECT rowid, modified_us FROM advisories WHERE id = ?1")
            .and_then(|mut s| s.query_row([&vuln.id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(db)?;
        if let Some((rowid, old_us)) = existing {
            if old_us > modified_us {
                self.report.kept_newer += 1;
                return Ok(());
            }
            self.tx
                .prepare_cached("DELETE FROM affected WHERE advisory = ?1")
                .and_then(|mut s| s.execute([rowid]))
                .and_then(|_| self.tx.prepare_cached("DELETE FROM advisories WHERE rowid = ?1"))
                .and_then(|mut s| s.execute([rowid]))
                .map_err(db_err(self.path))?;
            self.report.replaced += 1;
        } else {
            self.report.inserted += 1;
        }
        self.insert(&vuln, modified_us, bytes, origin)
    }

    fn insert(&mut self, v: &Vulnerability, modified_us: i64, bytes: &[u8], origin: &str) -> Result<()> {
        let to_json = |field: &str, value: &dyn erased::Json| {
            value.json().map_err(|e| Error::Record {
                origin: origin.into(),
                field: field.into(),
                message: e.to_string(),
            })
        };
        let mut related = v.related.clone();
        related.extend(v.upstream.iter().cloned());
        let severity = severity_of(&v.severity, v.database_severity());
        let compressed = self.compressor.compress(bytes).map_err(io_err(origin))?;
        let (aliases, related, severity) =
            (to_json("aliases", &v.aliases)?, to_json("related", &related)?, to_json("severity", &severity)?);
        let path = self.path;
        self.tx
            .prepare_cached(
                "INSERT INTO advisories (id, modified, modified_us, published, withdrawn, summary, aliases, related, severity, record) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    v.id,
                    v.modified,
                    modified_us,
                    v.published,
                    v.withdrawn.is_some(),
                    summary_of(v),
                    aliases,
                    related,
                    severity,
                    compressed,
                ])
            })
            .map_err(db_err(path))?;
        let rowid = self.tx.last_insert_rowid();
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO affected (advisory, eco_base, name, ecosystem, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(db_err(path))?;
        for (i, a) in v.affected.iter().enumerate() {
            let Some(pkg) = &a.package else { continue };
            let stored = StoredAffected {
                ranges: a
                    .ranges
                    .iter()
                    .filter(|r| matches!(r.kind, RangeKind::Ecosystem | RangeKind::Semver))
                    .map(|r| StoredRange { kind: r.kind, events: r.events.clone() })
                    .collect(),
                versions: a.versions.clone(),
                severity: (!a.severity.is_empty()).then(|| severity_of(&a.severity, None)),
            };
            let data = to_json(&format!("affected[{i}]"), &stored)?;
            stmt.execute(params![
                rowid,
                ecosystem_base(&pkg.ecosystem),
                normalize_name(&pkg.ecosystem, &pkg.name),
                pkg.ecosystem,
                data.into_bytes()
            ])
            .map_err(db_err(path))?;
        }
        Ok(())
    }
}

/// The record's summary, else the first non-empty line of its details, at most 200 characters.
fn summary_of(v: &Vulnerability) -> String {
    let text = v
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| v.details.as_deref().and_then(|d| d.lines().find(|l| !l.trim().is_empty())))
        .unwrap_or_default()
        .trim();
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Serialising through a trait object keeps the closure above non-generic.
mod erased {
    /// Something serialisable to a JSON string.
    pub trait Json {
        fn json(&self) -> serde_json::Result<String>;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Result<String> {
            serde_json::to_string(self)
        }
    }
}
