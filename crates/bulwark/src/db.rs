//! `bulwark db import | status | update`: the local vulnerability database.

use crate::exit;
use anyhow::Context;
use bulwark_vulndb::{
    cache_dir, import_paths, EpssSummary, FetchStatus, ImportLimits, KevSummary, Outcome, Status, Store, UpdateEvent,
    UpdateOptions,
};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// Where the database lives.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Cache directory holding the database (default: $BULWARK_CACHE_DIR, else ~/.cache/bulwark).
    #[arg(long, value_name = "DIR", global = true)]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    /// The cache directory these flags name.
    pub fn dir(&self) -> anyhow::Result<PathBuf> {
        Ok(cache_dir(self.cache_dir.as_deref())?)
    }
}

/// The `db` verbs.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV records (JSON files, directories, osv.dev `all.zip` exports), EPSS CSV or CISA KEV JSON.
    Import {
        /// Files or directories to import (all-or-nothing).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Download the OSV exports (all.zip per ecosystem; unchanged ones are not fetched again) and swap the database atomically.
    Update {
        /// Where the exports are served: `<URL>/ecosystems.txt`, `<URL>/<Ecosystem>/all.zip`.
        #[arg(long, value_name = "URL", default_value = bulwark_vulndb::DEFAULT_BASE_URL)]
        base_url: String,
        /// Only these ecosystems (repeatable), instead of the server's ecosystems.txt.
        #[arg(long = "ecosystem", value_name = "NAME")]
        ecosystems: Vec<String>,
    },
    /// Show what the database holds and how old it is.
    Status {
        /// Output format: table or json.
        #[arg(long, short = 'f', default_value = "table")]
        format: String,
    },
}

/// Runs a `db` verb.
pub fn run(command: DbCommand, cache: &CacheArgs) -> anyhow::Result<i32> {
    let dir = cache.dir()?;
    match command {
        DbCommand::Import { paths } => import(&dir, &paths),
        DbCommand::Status { format } => status(&dir, &format),
        DbCommand::Update { base_url, ecosystems } => update(&dir, base_url, ecosystems),
    }
}

fn import(dir: &Path, paths: &[PathBuf]) -> anyhow::Result<i32> {
    let sources: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let report = import_paths(dir, &sources, &ImportLimits::default())
        .with_context(|| format!("importing into {}", dir.display()))?;
    if let Some(old) = report.discarded_schema {
        eprintln!(
            "warning: the database had schema version {old}; it was replaced by a fresh one: re-import the advisories"
        );
    }
    if report.read > 0 {
        eprintln!(
            "imported {} records ({} new, {} replaced, {} older than what the database holds, {} withdrawn) in {:.2}s into {}",
            report.read,
            report.inserted,
            report.replaced,
            report.kept_newer,
            report.withdrawn,
            report.elapsed.as_secs_f64(),
            dir.join(bulwark_vulndb::DB_FILE).display()
        );
    }
    if let Some(e) = &report.epss {
        eprintln!("{}", epss_line(e));
    }
    if let Some(k) = &report.kev {
        eprintln!("{}", kev_line(k));
    }
    Ok(exit::OK)
}

fn update(dir: &Path, base_url: String, ecosystems: Vec<String>) -> anyhow::Result<i32> {
    let bar = crate::progress::Bar::new("db update");
    let progress = |event: &UpdateEvent| match event {
        UpdateEvent::Listed { ecosystems, source } => {
            bar.note(&format!("{} ecosystems (from {source})", ecosystems.len()));
        }
        UpdateEvent::Progress { ecosystem, bytes, total } => bar.note(&format!(
            "{ecosystem}: {:.1} MB{}",
            *bytes as f64 / 1e6,
            total.map(|t| format!(" of {:.1} MB", t as f64 / 1e6)).unwrap_or_default()
        )),
        UpdateEvent::Importing { sources } => bar.note(&format!("importing {sources} exports")),
        UpdateEvent::Warning(w) => bar.println(&format!("warning: {w}")),
        UpdateEvent::Started { .. } | UpdateEvent::Finished { .. } => {}
    };
    let options = UpdateOptions {
        base_url,
        ecosystems: (!ecosystems.is_empty()).then_some(ecosystems),
        progress: Some(&progress),
        ..Default::default()
    };
    let report =
        bulwark_vulndb::update(dir, &options).with_context(|| format!("updating the database in {}", dir.display()))?;
    bar.finish();
    for e in &report.ecosystems {
        let (what, detail) = match &e.status {
            FetchStatus::Fetched => ("fetched", format!("{:.1} MB", e.bytes as f64 / 1e6)),
            FetchStatus::NotModified => ("unchanged", String::new()),
            FetchStatus::Failed(message) => ("FAILED", message.clone()),
        };
        eprintln!("{:<24} {what:<10} {detail}", e.ecosystem);
    }
    if let Some(import) = &report.import {
        eprintln!("imported {} records in {:.2}s", import.read, import.elapsed.as_secs_f64());
    }
    Ok(match report.outcome() {
        Outcome::Complete => exit::OK,
        Outcome::Partial => {
            eprintln!("warning: some ecosystems failed; the database holds their previous data (if any) and everything else is current");
            exit::INPUT
        }
        Outcome::Failed => {
            eprintln!("error: no ecosystem could be updated; the previous database is unchanged");
            exit::INPUT
        }
    })
}

fn status(dir: &Path, format: &str) -> anyhow::Result<i32> {
    let status = Store::open(dir)?.status()?;
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&status)?),
        "table" => print_status(&status),
        other => anyhow::bail!("unknown format {other:?} for db status: use table or json"),
    }
    if let Some(days) = status.age_days() {
        if days > STALE_AFTER_DAYS {
            eprintln!(
                "warning: the database was last updated {days} days ago; run `bulwark db update` (scans still use it)"
            );
        }
    }
    Ok(exit::OK)
}

/// A database older than this gets a warning (never a refusal).
pub const STALE_AFTER_DAYS: u64 = 7;

fn epss_line(e: &EpssSummary) -> String {
    format!(
        "EPSS scores for {} CVEs (score date {}, model {})",
        e.scores,
        e.date.as_deref().unwrap_or("unknown"),
        e.model_version.as_deref().unwrap_or("unknown")
    )
}

fn kev_line(k: &KevSummary) -> String {
    format!(
        "CISA KEV catalogue {}: {} CVEs (released {})",
        k.catalog_version,
        k.entries,
        k.date_released.as_deref().unwrap_or("unknown")
    )
}

fn print_status(status: &Status) {
    println!("database   {}", status.path.display());
    println!("schema     {}", status.schema_version);
    println!("size       {:.1} MB", status.size_bytes as f64 / 1e6);
    println!("records    {} ({} withdrawn)", status.records, status.withdrawn);
    println!("updated    {}", status.last_import.as_deref().unwrap_or("never"));
    println!("epss       {}", status.epss.as_ref().map_or("none".to_string(), epss_line));
    println!("kev        {}", status.kev.as_ref().map_or("none".to_string(), kev_line));
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(["ECOSYSTEM", "RECORDS", "WITHDRAWN", "NEWEST MODIFIED"]);
    for e in &status.ecosystems {
        table.add_row([
            e.ecosystem.clone(),
            e.records.to_string(),
            e.withdrawn.to_string(),
            e.newest_modified.clone().unwrap_or_default(),
        ]);
    }
    println!("{table}");
}
