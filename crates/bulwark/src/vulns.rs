//! Vulnerability scanning for `image`, `fs` and `sbom-scan`: match the inventory against the local
//! database, apply filters and suppressions, rank by risk.

use crate::db::{CacheArgs, STALE_AFTER_DAYS};
use anyhow::Context;
use bulwark_types::{Level, ScanReport};
use bulwark_vulndb::policy::{self, IgnoreFile, Policy, VexDocument};
use bulwark_vulndb::{match_packages, Store};
use clap::Args;
use std::path::PathBuf;

/// Flags of the vulnerability scanner.
#[derive(Debug, Args)]
pub struct VulnArgs {
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Apply an OpenVEX document (repeatable): not_affected and fixed statements suppress findings.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

impl VulnArgs {
    /// Reads the VEX documents into a policy keeping `severities` and applying `ignore`.
    pub fn policy(&self, severities: Option<Vec<Level>>, ignore: Option<IgnoreFile>) -> anyhow::Result<Policy> {
        let vex = self.vex.iter().map(|p| VexDocument::load(p)).collect::<Result<Vec<_>, _>>()?;
        Ok(Policy { severities, ignore_unfixed: self.ignore_unfixed, ignore, vex, today: policy::today_utc() })
    }

    /// Matches the inventory against the database and applies `policy`: fills the report's findings,
    /// suppressions, database and warnings.
    pub fn scan(&self, report: &mut ScanReport, policy: &Policy) -> anyhow::Result<()> {
        let dir = self.cache.dir()?;
        let store = Store::open(&dir).with_context(|| {
            format!(
                "no usable vulnerability database in {}: run `bulwark db update` or `bulwark db import PATH` first \
                 (or leave vuln out of --scanners)",
                dir.display()
            )
        })?;
        let status = store.status()?;
        if let Some(days) = status.age_days() {
            if days > STALE_AFTER_DAYS {
                report.warnings.push(format!(
                    "the vulnerability database was last updated {days} days ago; run `bulwark db update`"
                ));
            }
        }
        let findings = match_packages(&store, &report.inventory.packages)?;
        let applied = policy::apply(policy, &report.inventory, findings);
        report.warnings.extend(applied.warnings);
        report.findings = applied.findings;
        report.suppressed = applied.suppressed;
        report.database = Some(status.database_info());
        Ok(())
    }
}
