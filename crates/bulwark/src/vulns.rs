//! Vulnerability scanning for `image`, `fs` and `sbom-scan`: match the inventory against the local
//! database, apply filters and suppressions, rank by risk, render, and decide the exit code.

use crate::db::{CacheArgs, STALE_AFTER_DAYS};
use crate::exit;
use crate::output::{terminal_default, write_to};
use anyhow::Context;
use bulwark_report::{render_report, ReportFormat};
use bulwark_types::{Inventory, Level, ScanReport, INVENTORY_SCHEMA_VERSION};
use bulwark_vulndb::policy::{self, IgnoreFile, Policy, VexDocument};
use bulwark_vulndb::{match_packages, Store};
use clap::Args;
use std::path::{Path, PathBuf};

/// Flags of the vulnerability-scanning verbs.
#[derive(Debug, Args)]
pub struct VulnArgs {
    /// Report only these severities, e.g. CRITICAL,HIGH.
    #[arg(long, value_name = "LIST")]
    pub severity: Option<String>,
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Exit with code 1 when a finding (after suppressions) is at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Suppress findings listed in this ignore file (YAML with reason and expiry; see docs/ignore-file.md).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Apply an OpenVEX document (repeatable): not_affected and fixed statements suppress findings.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

impl VulnArgs {
    fn policy(&self) -> anyhow::Result<Policy> {
        let severities = match &self.severity {
            Some(list) => Some(policy::parse_levels(list).map_err(exit::usage)?),
            None => None,
        };
        let ignore = match &self.ignore_file {
            Some(path) => Some(IgnoreFile::load(path)?),
            None => None,
        };
        let vex = self.vex.iter().map(|p| VexDocument::load(p)).collect::<Result<Vec<_>, _>>()?;
        Ok(Policy { severities, ignore_unfixed: self.ignore_unfixed, ignore, vex, today: policy::today_utc() })
    }

    fn fail_on(&self) -> anyhow::Result<Option<Level>> {
        self.fail_on.as_deref().map(|s| policy::parse_level(s).map_err(exit::usage)).transpose()
    }

    /// Matches `inventory`, applies the policy, writes the report; returns the exit code.
    pub fn scan_and_report(
        &self,
        inventory: Inventory,
        format: Option<ReportFormat>,
        output: Option<&Path>,
    ) -> anyhow::Result<i32> {
        // Read every flag before the (longer) match, so a typo fails fast.
        let policy = self.policy()?;
        let fail_on = self.fail_on()?;
        let dir = self.cache.dir()?;
        let store = Store::open(&dir).with_context(|| {
            format!(
                "no usable vulnerability database in {}: run `bulwark db update` or `bulwark db import PATH` first",
                dir.display()
            )
        })?;
        let status = store.status()?;
        let mut warnings = Vec::new();
        if let Some(days) = status.age_days() {
            if days > STALE_AFTER_DAYS {
                warnings.push(format!(
                    "the vulnerability database was last updated {days} days ago; run `bulwark db update`"
                ));
            }
        }
        let findings = match_packages(&store, &inventory.packages)?;
        let applied = policy::apply(&policy, &inventory, findings);
        warnings.extend(applied.warnings);
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        let failed = fail_on.is_some_and(|level| policy::fails(&applied.findings, level));
        let report = ScanReport {
            schema_version: INVENTORY_SCHEMA_VERSION,
            database: Some(status.database_info()),
            inventory,
            findings: applied.findings,
            suppressed: applied.suppressed,
            warnings,
        };
        let format = format.unwrap_or_else(|| terminal_default(ReportFormat::Table, ReportFormat::Json));
        write_to(output, |out| render_report(&report, format, out))?;
        Ok(if failed { exit::FINDINGS } else { exit::OK })
    }
}
