//! What a scan reports after the user's policy: severity and fix filters, ignore files, OpenVEX
//! documents, and the order of findings by risk (severity, then CISA KEV, then EPSS).
//!
//! ```no_run
//! # fn main() -> Result<(), bulwark_vulndb::policy::PolicyError> {
//! use bulwark_vulndb::policy::{self, IgnoreFile, Policy, VexDocument};
//! use std::path::Path;
//! # let inventory = bulwark_types::Inventory::default();
//! # let findings = Vec::new();
//! let policy = Policy {
//!     severities: Some(policy::parse_levels("CRITICAL,HIGH")?),
//!     ignore_unfixed: true,
//!     ignore: Some(IgnoreFile::load(Path::new(".bulwarkignore.yaml"))?),
//!     vex: vec![VexDocument::load(Path::new("app.openvex.json"))?],
//!     today: policy::today_utc(),
//! };
//! let applied = policy::apply(&policy, &inventory, findings);
//! let exit_code = i32::from(policy::fails(&applied.findings, policy::parse_level("HIGH")?));
//! # let _ = exit_code; Ok(()) }
//! ```

mod date;
mod error;
mod glob;
mod ignore;
mod purl;
mod rank;
mod read;
mod vex;

pub use error::PolicyError;
pub use ignore::{IgnoreFile, IgnoreRule};
pub use rank::{compare, risk_text};
pub use vex::{VexDocument, VexProduct, VexStatement, VexStatus};

use bulwark_types::{Finding, Inventory, Level, Suppression};

/// The user's choices that decide which findings a scan reports and which fail it.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `--severity`: keep only findings at these levels (`None` keeps every level).
    pub severities: Option<Vec<Level>>,
    /// `--ignore-unfixed`: drop findings that no released version fixes.
    pub ignore_unfixed: bool,
    /// `--ignore-file`: rules that suppress findings, each with a reason and an optional expiry.
    pub ignore: Option<IgnoreFile>,
    /// `--vex`: OpenVEX documents; `not_affected` and `fixed` statements suppress findings.
    pub vex: Vec<VexDocument>,
    /// Today's date (`YYYY-MM-DD`) for ignore-rule expiry; [`today_utc`] in the CLI, fixed in tests.
    pub today: String,
}

/// The findings a policy leaves, the ones it suppressed, and what the user should know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Findings after filters and suppressions, most urgent first, each with `risk` filled.
    pub findings: Vec<Finding>,
    /// Findings an ignore rule or a VEX statement hid, in the same order, each with `risk` filled.
    pub suppressed: Vec<Suppression>,
    /// Expired ignore rules, VEX statements that matched nothing, an unreadable `today`.
    pub warnings: Vec<String>,
}

/// Most "matched no finding" warnings listed one by one for a VEX document; the rest are counted.
const MAX_UNMATCHED_WARNINGS: usize = 20;

/// Filters, suppresses and ranks `findings` (which index into `inventory.packages`) under `policy`.
pub fn apply(policy: &Policy, inventory: &Inventory, findings: Vec<Finding>) -> Applied {
    let mut warnings = Vec::new();
    let expiring = policy.ignore.as_ref().is_some_and(|f| f.rules.iter().any(|r| r.expires.is_some()));
    let today = match date::parse_date(&policy.today) {
        Some(_) => Some(policy.today.as_str()),
        None if !expiring => None,
        None => {
            warnings.push(format!(
                "today's date `{}` is not YYYY-MM-DD; every ignore rule with an expiry is treated as expired",
                policy.today
            ));
            None
        }
    };
    let active: Vec<bool> = match &policy.ignore {
        Some(file) => file.rules.iter().map(|rule| rule.is_active(today)).collect(),
        None => Vec::new(),
    };
    if let Some(file) = &policy.ignore {
        for (rule, &active) in file.rules.iter().zip(&active) {
            if !active {
                warnings.push(rule.expired_warning());
            }
        }
    }
    let mut vex_index = vex::Index::new(&policy.vex, inventory);

    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for mut finding in findings {
        let package = inventory.packages.get(finding.package);
        // Decided before the filters so a statement about a filtered-out finding still counts as matched.
        let decision = vex_index.decide(&finding, package);
        if policy.severities.as_ref().is_some_and(|levels| !levels.contains(&finding.severity.level)) {
            continue;
        }
        if policy.ignore_unfixed && finding.fixed.is_empty() {
            continue;
        }
        finding.risk = risk_text(&finding);
        if let Some(file) = &policy.ignore {
            let rule = file.rules.iter().zip(&active).find(|(rule, &on)| on && rule.matches(&finding, package));
            if let Some((rule, _)) = rule {
                let (source, reason) = (file.path.clone(), rule.reason.clone());
                suppressed.push(Suppression { finding, by: "ignore-file".to_string(), source, reason });
                continue;
            }
        }
        match decision {
            Some(decision) if decision.statement.status.suppresses() => {
                let (source, reason) = (decision.document.path.clone(), decision.statement.reason());
                suppressed.push(Suppression { finding, by: "vex".to_string(), source, reason });
            }
            Some(decision) => {
                finding.risk.push_str("; ");
                finding.risk.push_str(&decision.annotation());
                kept.push(finding);
            }
            None => kept.push(finding),
        }
    }
    kept.sort_by(compare);
    suppressed.sort_by(|a, b| compare(&a.finding, &b.finding));
    warnings.extend(vex_index.unmatched_warnings(MAX_UNMATCHED_WARNINGS));
    Applied { findings: kept, suppressed, warnings }
}

/// Whether any finding is at or above `fail_on` (pass the findings left after suppression).
pub fn fails(findings: &[Finding], fail_on: Level) -> bool {
    findings.iter().any(|f| f.severity.level >= fail_on)
}

/// Reads a `--severity` list such as `CRITICAL,HIGH` (case-insensitive, no duplicates kept).
pub fn parse_levels(list: &str) -> Result<Vec<Level>, PolicyError> {
    let mut out = Vec::new();
    for word in list.split(',') {
        let level = parse_level(word)?;
        if !out.contains(&level) {
            out.push(level);
        }
    }
    Ok(out)
}

/// Reads one severity name (`critical`, `HIGH`, …) as `--fail-on` takes it.
pub fn parse_level(word: &str) -> Result<Level, PolicyError> {
    const ALL: [Level; 6] =
        [Level::Unknown, Level::Negligible, Level::Low, Level::Medium, Level::High, Level::Critical];
    let word = word.trim();
    ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(word)).ok_or_else(|| {
        let names: Vec<&str> = ALL.iter().rev().map(|l| l.as_str()).collect();
        PolicyError::Level(format!("unknown severity `{word}` (expected one of {})", names.join(", ")))
    })
}

/// Today's date in UTC as `YYYY-MM-DD`, from the system clock.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
    let stamp = bulwark_types::time::format_rfc3339(secs);
    stamp.get(..10).unwrap_or("1970-01-01").to_string()
}
