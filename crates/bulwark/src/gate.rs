//! `--severity` and `--fail-on`: which findings a report keeps, and which fail the run (exit 1).

use crate::exit;
use bulwark_types::{Level, ScanReport};
use bulwark_vulndb::policy::{self, IgnoreFile, IgnoreRule};
use clap::Args;
use std::path::PathBuf;

/// Flags that filter findings of every scanner and gate CI on them.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Report only these severities, e.g. CRITICAL,HIGH (vulnerabilities, secrets and misconfigurations).
    #[arg(long, value_name = "LIST")]
    pub severity: Option<String>,
    /// Exit with code 1 when a finding (after suppressions) is at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Suppress findings listed in this ignore file: vulnerability ids, secret rule ids or fingerprints,
    /// check ids (YAML with reason and expiry, or plain ids; see docs/ignore-file.md).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
}

impl GateArgs {
    /// The `--severity` list, `None` when every level is kept.
    pub fn severities(&self) -> anyhow::Result<Option<Vec<Level>>> {
        self.severity.as_deref().map(|list| policy::parse_levels(list).map_err(exit::usage)).transpose()
    }

    /// The `--ignore-file`, loaded.
    pub fn ignore_file(&self) -> anyhow::Result<Option<IgnoreFile>> {
        Ok(self.ignore_file.as_deref().map(IgnoreFile::load).transpose()?)
    }

    /// The `--fail-on` level.
    pub fn fail_on(&self) -> anyhow::Result<Option<Level>> {
        self.fail_on.as_deref().map(|s| policy::parse_level(s).map_err(exit::usage)).transpose()
    }
}

/// Drops secrets and misconfigurations outside `severities` (vulnerabilities are filtered by their policy).
pub fn keep_severities(report: &mut ScanReport, severities: Option<&[Level]>) {
    if let Some(keep) = severities {
        report.secrets.retain(|s| keep.contains(&s.severity));
        report.misconfigurations.retain(|m| keep.contains(&m.severity));
    }
}

/// Moves the secrets and misconfigurations `ignore` covers into the report's suppressed lists.
pub fn suppress(report: &mut ScanReport, ignore: &IgnoreFile, today: Option<&str>) {
    let (kept, hidden) = ignore.suppress(std::mem::take(&mut report.secrets), today, IgnoreRule::matches_secret);
    report.secrets = kept;
    report.suppressed_secrets = hidden;
    let (kept, hidden) =
        ignore.suppress(std::mem::take(&mut report.misconfigurations), today, IgnoreRule::matches_misconfiguration);
    report.misconfigurations = kept;
    report.suppressed_misconfigurations = hidden;
}

/// Whether any reported finding of any scanner is at or above `level`.
pub fn fails(report: &ScanReport, level: Level) -> bool {
    policy::fails(&report.findings, level)
        || report.secrets.iter().any(|s| s.severity >= level)
        || report.misconfigurations.iter().any(|m| m.severity >= level)
}
