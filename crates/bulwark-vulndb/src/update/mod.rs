//! `bulwark db update`: download osv.dev's per-ecosystem `all.zip` exports and import them atomically.
//!
//! Files under `<cache>/downloads/`:
//!
//! | file | what |
//! |---|---|
//! | `update.lock` | held for the whole update: one updater at a time |
//! | `<ecosystem>/all.zip` | the last export that was verified and imported |
//! | `<ecosystem>/all.zip.meta` | its ETag, Last-Modified, URL, size, MD5 and fetch time (JSON) |
//! | `<ecosystem>/all.zip.part` | a download in progress |
//! | `<ecosystem>/all.zip.new` | a verified download waiting for the import |
//! | `imported.json` | which exports the current database was built from |
//!
//! Steps: list the ecosystems (`<base>/ecosystems.txt`); download each export with a conditional
//! request built from its sidecar (a 304 keeps the cached zip); verify it (size, MD5 when the server
//! sends `x-goog-hash`, a readable zip of bounded `*.json` entries); import the newest good export of
//! every ecosystem in one [`crate::import_paths`] call, which swaps the database with one rename; only
//! then promote each `all.zip.new` to `all.zip` with its sidecar. An ecosystem that fails keeps its
//! previous export. Killed at any moment, the database is the previous one or the complete new one;
//! the next run removes the leftovers and fetches again what was not promoted.
//!
//! The HTTP client is blocking: do not call [`update`] from inside an async runtime.

mod cache;
mod fetch;

use crate::error::{io_err, Error, Result};
use crate::import::{import_paths, ImportLimits, ImportReport};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where osv.dev publishes its exports (`<base>/<ecosystem>/all.zip`, `<base>/ecosystems.txt`).
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Ecosystems fetched when the server has no usable `ecosystems.txt`: those Bulwark's inventory reports.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpine",
    "Azure Linux",
    "Chainguard",
    "Debian",
    "Go",
    "Mariner",
    "Maven",
    "NuGet",
    "Packagist",
    "Photon OS",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "RubyGems",
    "SUSE",
    "Ubuntu",
    "Wolfi",
    "crates.io",
    "npm",
    "openSUSE",
];

/// How [`update`] downloads and verifies.
#[derive(Clone)]
pub struct UpdateOptions<'a> {
    /// Base URL of the export bucket (a trailing `/` is ignored).
    pub base_url: String,
    /// Ecosystems to fetch; `None`: those `<base>/ecosystems.txt` lists, else [`DEFAULT_ECOSYSTEMS`].
    pub ecosystems: Option<Vec<String>>,
    /// Connect timeout, and the longest wait for the response head or any single read of its body.
    pub timeout: Duration,
    /// Retries after a connection error, a cut-off body, an MD5 mismatch or a 408/429/5xx response.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one (at most 30 s).
    pub retry_delay: Duration,
    /// Downloads running at the same time.
    pub concurrency: usize,
    /// Largest export accepted, in bytes.
    pub max_download_bytes: u64,
    /// Bounds for verifying the downloaded zips and for the import.
    pub limits: ImportLimits,
    /// Receives progress events, from the download threads too.
    pub progress: Option<&'a (dyn Fn(&UpdateEvent) + Sync)>,
}

impl Default for UpdateOptions<'_> {
    fn default() -> Self {
        UpdateOptions {
            base_url: DEFAULT_BASE_URL.to_string(),
            ecosystems: None,
            timeout: Duration::from_secs(30),
            max_retries: 3,
            retry_delay: Duration::from_secs(1),
            concurrency: 4,
            // osv.dev's largest per-ecosystem exports are a few hundred MiB.
            max_download_bytes: 4 << 30,
            limits: ImportLimits::default(),
            progress: None,
        }
    }
}

impl std::fmt::Debug for UpdateOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateOptions")
            .field("base_url", &self.base_url)
            .field("ecosystems", &self.ecosystems)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_delay", &self.retry_delay)
            .field("concurrency", &self.concurrency)
            .field("max_download_bytes", &self.max_download_bytes)
            .field("limits", &self.limits)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Something [`update`] reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateEvent {
    /// The ecosystems to fetch, and where that list came from (a URL, "options" or "built-in").
    Listed {
        /// Ecosystem names.
        ecosystems: Vec<String>,
        /// Where the list came from.
        source: String,
    },
    /// A request for one export is about to be sent.
    Started {
        /// Ecosystem name.
        ecosystem: String,
        /// The export's URL.
        url: String,
    },
    /// Body bytes received so far (at most one event per MiB, and one at the end).
    Progress {
        /// Ecosystem name.
        ecosystem: String,
        /// Bytes received.
        bytes: u64,
        /// Content-Length, if the server sent one.
        total: Option<u64>,
    },
    /// One ecosystem's download is over.
    Finished {
        /// Ecosystem name.
        ecosystem: String,
        /// What happened.
        status: FetchStatus,
    },
    /// A problem that does not stop the update (a failed ecosystem, a missing `ecosystems.txt`).
    Warning(String),
    /// The import of this many exports is starting.
    Importing {
        /// Number of exports.
        sources: usize,
    },
}

/// What happened to one ecosystem's export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "message", rename_all = "kebab-case")]
pub enum FetchStatus {
    /// A new export was downloaded, verified and imported.
    Fetched,
    /// The server answered 304: the cached export is current.
    NotModified,
    /// Download, verification or import failed; the message names the URL or file.
    Failed(String),
}

/// One ecosystem in an [`UpdateReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemUpdate {
    /// Ecosystem name, e.g. `PyPI`, `Rocky Linux`.
    pub ecosystem: String,
    /// The export's URL.
    pub url: String,
    /// What happened.
    pub status: FetchStatus,
    /// Response body bytes received, over all attempts (0 for a 304).
    pub bytes: u64,
    /// The cached export the database now holds for this ecosystem (the previous one if this update
    /// failed), `None` when there is none.
    pub export: Option<PathBuf>,
}

/// What [`update`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateReport {
    /// The base URL used.
    pub base_url: String,
    /// Per ecosystem, in the order listed.
    pub ecosystems: Vec<EcosystemUpdate>,
    /// The import; `None` when the database already held exactly these exports, or there was none.
    pub import: Option<ImportReport>,
    /// Problems that did not stop the update, for the user.
    pub warnings: Vec<String>,
    /// Wall time of the whole update, in milliseconds.
    pub elapsed_ms: u64,
}

/// The overall result of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every ecosystem is current.
    Complete,
    /// Some ecosystems failed (their previous data, if any, is still in the database).
    Partial,
    /// Every ecosystem failed, or none was listed.
    Failed,
}

impl UpdateReport {
    /// Complete, partial or failed.
    pub fn outcome(&self) -> Outcome {
        let failed = self.failed().count();
        match failed {
            0 if !self.ecosystems.is_empty() => Outcome::Complete,
            n if n == self.ecosystems.len() => Outcome::Failed,
            _ => Outcome::Partial,
        }
    }

    /// The ecosystems that failed.
    pub fn failed(&self) -> impl Iterator<Item = &EcosystemUpdate> {
        self.ecosystems.iter().filter(|e| matches!(e.status, FetchStatus::Failed(_)))
    }
}

/// Downloads the exports `options` selects into `<cache_dir>/downloads/` and rebuilds the database
/// from them in one atomic import. Errors only for local problems (cache not writable, database
/// error); network and data problems are per-ecosystem results in the report.
pub fn update(cache_dir: &Path, options: &UpdateOptions<'_>) -> Result<UpdateReport> {
    let started = Instant::now();
    let downloads = cache_dir.join(cache::DOWNLOADS);
    fs::create_dir_all(&downloads).map_err(io_err(&downloads))?;
    let _lock = cache::lock(&downloads)?;
    cache::remove_leftovers(&downloads)?;
    let base = options.base_url.trim_end_matches('/').to_string();
    let emit = |event: UpdateEvent| {
        if let Some(progress) = options.progress {
            progress(&event);
        }
    };
    let mut warnings = Vec::new();
    let client = fetch::client(options).map_err(|e| Error::Io {
        path: PathBuf::from(&base),
        source: std::io::Error::other(format!("cannot build the HTTP client: {e}")),
    })?;
    let (names, listed_from) = fetch::list_ecosystems(&client, &base, options, &mut warnings);
    emit(UpdateEvent::Listed { ecosystems: names.clone(), source: listed_from });
    let slots_and_jobs = names.into_iter().map(|name| {
        let url = fetch::export_url(&base, &name);
        let slot = Slot::new(name, url, &downloads);
        let job = slot.dir_ok.then(|| fetch::Job {
            ecosystem: slot.ecosystem.clone(),
            url: slot.url.clone(),
            dir: downloads.join(&slot.ecosystem),
        });
        (slot, job)
    });
    let (mut slots, jobs): (Vec<Slot>, Vec<Option<fetch::Job>>) = slots_and_jobs.unzip();
    let jobs: Vec<fetch::Job> = jobs.into_iter().flatten().collect();
    let results = fetch::fetch_all(&client, &jobs, options, &emit);
    for (slot, done) in slots.iter_mut().filter(|s| s.dir_ok).zip(results) {
        slot.status = done.status;
        slot.bytes = done.bytes;
        slot.new = done.new;
    }
    for slot in &slots {
        if let FetchStatus::Failed(message) = &slot.status {
            let keeps = if slot.old.is_some() { " (keeping the previously downloaded export)" } else { "" };
            warnings.push(format!("{}: {message}{keeps}", slot.ecosystem));
        }
    }
    let import = import_all(cache_dir, &downloads, &mut slots, options, &mut warnings, &emit);
    let import = match import {
        Ok(import) => import,
        Err(e) => {
            for slot in &slots {
                if let Some((path, _)) = &slot.new {
                    let _ = fs::remove_file(path);
                }
            }
            return Err(e);
        }
    };
    for w in &warnings {
        emit(UpdateEvent::Warning(w.clone()));
    }
    Ok(UpdateReport {
        base_url: base,
        ecosystems: slots.into_iter().map(Slot::into_report).collect(),
        import,
        warnings,
        elapsed_ms: started.elapsed().as_millis().min(u128::from(u64::MAX)) as u64,
    })
}

/// One ecosystem while the update runs.
struct Slot {
    ecosystem: String,
    url: String,
    /// Whether the name is usable as a directory (downloads ran for it).
    dir_ok: bool,
    status: FetchStatus,
    bytes: u64,
    /// The previously promoted export, if any.
    old: Option<PathBuf>,
    /// A verified download waiting for the import, with its sidecar.
    new: Option<(PathBuf, cache::Meta)>,
    /// The export imported for this ecosystem.
    export: Option<PathBuf>,
}

impl Slot {
    /// A slot for `ecosystem`, failed at once when the name cannot be a directory.
    fn new(ecosystem: String, url: String, downloads: &Path) -> Slot {
        let (dir_ok, status) = match cache::check_name(&ecosystem) {
            Ok(()) => (true, FetchStatus::NotModified),
            Err(message) => (false, FetchStatus::Failed(message)),
        };
        let old = dir_ok.then(|| downloads.join(&ecosystem).join(cache::ZIP)).filter(|p| p.is_file());
        Slot { ecosystem, url, dir_ok, status, bytes: 0, old, new: None, export: None }
    }

    /// The export to import for this ecosystem: the new download, else the previous one.
    fn source(&self) -> Option<&Path> {
        self.new.as_ref().map(|(p, _)| p.as_path()).or(self.old.as_deref())
    }

    fn into_report(self) -> EcosystemUpdate {
        EcosystemUpdate {
            ecosystem: self.ecosystem,
            url: self.url,
            status: self.status,
            bytes: self.bytes,
            export: self.export,
        }
    }
}

/// Imports every slot's export in one step (skipped when the database already holds exactly these),
/// dropping exports the import rejects, then promotes the new downloads.
fn import_all(
    cache_dir: &Path,
    downloads: &Path,
    slots: &mut [Slot],
    options: &UpdateOptions<'_>,
    warnings: &mut Vec<String>,
    emit: &dyn Fn(UpdateEvent),
) -> Result<Option<ImportReport>> {
    let fresh = slots.iter().any(|s| s.new.is_some());
    let current: Vec<(String, Option<String>)> = slots
        .iter()
        .filter(|s| s.old.is_some())
        .map(|s| (s.ecosystem.clone(), cache::read_meta(&downloads.join(&s.ecosystem)).map(|m| m.md5)))
        .collect();
    if !fresh && cache::state_matches(cache_dir, downloads, &current) {
        cache::remove_dead_imports(cache_dir)?;
        for slot in slots.iter_mut() {
            slot.export = slot.old.clone();
        }
        return Ok(None);
    }
    // Each failed attempt drops one export (a new one falls back to the previous), so this ends.
    let report = loop {
        let sources: Vec<(usize, PathBuf)> =
            slots.iter().enumerate().filter_map(|(i, s)| s.source().map(|p| (i, p.to_path_buf()))).collect();
        if sources.is_empty() {
            return Ok(None);
        }
        emit(UpdateEvent::Importing { sources: sources.len() });
        let paths: Vec<&Path> = sources.iter().map(|(_, p)| p.as_path()).collect();
        let err = match import_paths(cache_dir, &paths, &options.limits) {
            Ok(report) => break report,
            Err(e) => e,
        };
        let Some(i) = culprit(&err, &sources) else { return Err(err) };
        let Some(slot) = slots.get_mut(i) else { return Err(err) };
        if let Some((path, _)) = slot.new.take() {
            let _ = fs::remove_file(&path);
        } else if let Some(old) = slot.old.take() {
            // The cached export itself is unusable (e.g. tighter limits): drop it so the next run fetches anew.
            let _ = fs::remove_file(old.with_file_name(cache::META));
            let _ = fs::remove_file(&old);
        }
        let keeps = if slot.old.is_some() { " (keeping the previously downloaded export)" } else { "" };
        warnings.push(format!("{}: import failed: {err}{keeps}", slot.ecosystem));
        slot.status = FetchStatus::Failed(format!("import failed: {err}"));
    };
    let mut imported = Vec::new();
    for slot in slots.iter_mut() {
        let dir = downloads.join(&slot.ecosystem);
        if let Some((path, meta)) = slot.new.take() {
            cache::promote(&dir, &path, &meta)?;
            slot.old = Some(dir.join(cache::ZIP));
            imported.push((slot.ecosystem.clone(), Some(meta.md5)));
        } else if slot.old.is_some() {
            imported.push((slot.ecosystem.clone(), cache::read_meta(&dir).map(|m| m.md5)));
        }
        slot.export = slot.old.clone();
    }
    cache::write_state(cache_dir, downloads, &imported)?;
    Ok(Some(report))
}

/// The export an import error is about, if it names one of `sources` (file or `file!entry`).
fn culprit(err: &Error, sources: &[(usize, PathBuf)]) -> Option<usize> {
    let origin = match err {
        Error::Io { path, .. } => path.display().to_string(),
        Error::Record { origin, .. } | Error::Zip { origin, .. } | Error::Limit { origin, .. } => origin.clone(),
        _ => return None,
    };
    sources.iter().find_map(|(i, p)| {
        let shown = p.display().to_string();
        let names = origin == shown || origin.strip_prefix(&shown).is_some_and(|rest| rest.starts_with('!'));
        names.then_some(*i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_errors_are_traced_to_the_export_they_name() {
        let sources = vec![(0, PathBuf::from("/c/npm/all.zip")), (3, PathBuf::from("/c/npm/all.zip.new"))];
        let zip = |origin: &str| Error::Zip { origin: origin.into(), message: "bad".into() };
        assert_eq!(culprit(&zip("/c/npm/all.zip.new!GHSA-1.json"), &sources), Some(3));
        assert_eq!(culprit(&zip("/c/npm/all.zip!#4"), &sources), Some(0));
        assert_eq!(culprit(&zip("/c/npm/all.zip"), &sources), Some(0));
        assert_eq!(culprit(&zip("/c/npm/all.zip.other"), &sources), None);
        let db = Error::Io { path: "/c/vulndb.sqlite.tmp-1".into(), source: std::io::Error::other("full") };
        assert_eq!(culprit(&db, &sources), None);
    }

    #[test]
    fn outcome_counts_failures() {
        let eco = |status| EcosystemUpdate { ecosystem: "x".into(), url: "u".into(), status, bytes: 0, export: None };
        let report = |list| UpdateReport {
            base_url: "b".into(),
            ecosystems: list,
            import: None,
            warnings: vec![],
            elapsed_ms: 0,
        };
        assert_eq!(report(vec![]).outcome(), Outcome::Failed);
        assert_eq!(report(vec![eco(FetchStatus::Fetched), eco(FetchStatus::NotModified)]).outcome(), Outcome::Complete);
        assert_eq!(
            report(vec![eco(FetchStatus::Fetched), eco(FetchStatus::Failed("x".into()))]).outcome(),
            Outcome::Partial
        );
        assert_eq!(report(vec![eco(FetchStatus::Failed("x".into()))]).outcome(), Outcome::Failed);
    }
}
