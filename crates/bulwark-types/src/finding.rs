//! Vulnerability findings: which advisory affects which package, how badly, and why.

use serde::{Deserialize, Serialize};

/// Qualitative severity, ordered from unknown to critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No usable severity in the record.
    #[default]
    Unknown,
    /// CVSS 0.0, or a distribution's "negligible"/"unimportant".
    Negligible,
    /// CVSS 0.1–3.9.
    Low,
    /// CVSS 4.0–6.9 (GitHub's "moderate").
    Medium,
    /// CVSS 7.0–8.9 (Red Hat's "important").
    High,
    /// CVSS 9.0–10.0.
    Critical,
}

impl Level {
    /// Upper-case name, as Trivy and Grype print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unknown => "UNKNOWN",
            Level::Negligible => "NEGLIGIBLE",
            Level::Low => "LOW",
            Level::Medium => "MEDIUM",
            Level::High => "HIGH",
            Level::Critical => "CRITICAL",
        }
    }

    /// The CVSS qualitative rating of a score.
    pub fn from_score(score: f64) -> Level {
        match score {
            s if s >= 9.0 => Level::Critical,
            s if s >= 7.0 => Level::High,
            s if s >= 4.0 => Level::Medium,
            s if s > 0.0 => Level::Low,
            _ => Level::Negligible,
        }
    }

    /// Reads a severity word as databases write it (`MODERATE`, `important`, `medium`, …).
    pub fn from_word(word: &str) -> Level {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Level::Critical,
            "high" | "important" => Level::High,
            "medium" | "moderate" => Level::Medium,
            "low" => Level::Low,
            "negligible" | "unimportant" | "none" => Level::Negligible,
            _ => Level::Unknown,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The severity attached to a finding, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Severity {
    /// Qualitative level.
    pub level: Level,
    /// CVSS base score, when computed from a vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The CVSS vector the score was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// `CVSS_V3`, `CVSS_V4`, `database_specific`, `Ubuntu`, … (empty when unknown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl Severity {
    /// Orders severities for "take the worst": by level, then score.
    pub fn rank(&self) -> (Level, u32) {
        (self.level, self.score.map_or(0, |s| (s * 10.0).round() as u32))
    }
}

/// How a range's event versions are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeKind {
    /// The ecosystem's own version ordering.
    Ecosystem,
    /// SemVer 2.0 ordering.
    Semver,
    /// Git commits (not evaluated against package versions).
    Git,
    /// A range type this build does not know (ignored when matching).
    #[serde(other)]
    Other,
}

impl RangeKind {
    /// The name as OSV spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeKind::Ecosystem => "ECOSYSTEM",
            RangeKind::Semver => "SEMVER",
            RangeKind::Git => "GIT",
            RangeKind::Other => "OTHER",
        }
    }
}

/// One vulnerability affecting one package (records that alias each other merged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Index of the package in the inventory's package list.
    pub package: usize,
    /// Primary id: among the matched records, a `CVE-` id first, then `GHSA-`, then the smallest id.
    pub id: String,
    /// Every other id of this vulnerability: the other matched records and all their aliases, sorted.
    pub aliases: Vec<String>,
    /// Ids the records list as `related` or `upstream` (not the same vulnerability), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Ids of the database records that matched (the primary id among them), sorted.
    pub records: Vec<String>,
    /// One-line summary.
    pub summary: String,
    /// The worst severity among the matched records.
    pub severity: Severity,
    /// Versions that fix it and are newer than the installed one (from the `fixed` events of the matching ranges), ascending.
    pub fixed: Vec<String>,
    /// Why it matched: one entry per matching range or version list.
    pub evidence: Vec<Evidence>,
    /// EPSS exploit-prediction score of the CVE, when the database has EPSS data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    /// CISA Known Exploited Vulnerabilities entry of the CVE, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<Kev>,
    /// Why the finding ranks where it does (severity, then KEV, then EPSS), e.g.
    /// `CRITICAL (CVSS 9.8); in CISA KEV since 2023-03-30; EPSS 0.94 (99th percentile)`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub risk: String,
}

/// FIRST's Exploit Prediction Scoring System values for one CVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// Probability of exploitation in the next 30 days, 0–1.
    pub score: f64,
    /// Percentile of the score among all CVEs, 0–1.
    pub percentile: f64,
    /// Date of the EPSS data (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
}

/// A CISA Known Exploited Vulnerabilities catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    /// When CISA added it (`YYYY-MM-DD`).
    pub date_added: String,
    /// Remediation due date for US federal agencies (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub due_date: String,
    /// Whether it is known to be used in ransomware campaigns.
    #[serde(default)]
    pub ransomware: bool,
}

/// Why one record matched one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The record id.
    pub record: String,
    /// The affected ecosystem as the record wrote it.
    pub ecosystem: String,
    /// The name that was looked up (the source package name for most OS packages).
    pub name: String,
    /// The version that was evaluated.
    pub version: String,
    /// Range or explicit version.
    pub reason: Reason,
}

/// How a version was found affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Reason {
    /// Inside a range: from `introduced`, up to `fixed` (exclusive) or `last_affected` (inclusive), if any.
    Range {
        /// ECOSYSTEM or SEMVER.
        kind: RangeKind,
        /// The `introduced` event that opened the interval.
        introduced: String,
        /// The `fixed` event that closes it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fixed: Option<String>,
        /// The `last_affected` event that closes it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_affected: Option<String>,
    },
    /// Listed in the record's `versions`.
    Version,
}

/// A finding hidden from the results, and what hid it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// The finding that was suppressed.
    pub finding: Finding,
    /// What suppressed it: `ignore-file` or `vex`.
    pub by: String,
    /// The file that holds the rule or statement.
    pub source: String,
    /// The reason the rule gives (ignore file `reason`, VEX `justification` / `impact_statement`).
    pub reason: String,
}

/// A secret or misconfiguration an ignore rule hid, and the rule's file and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed<T> {
    /// What was hidden.
    pub item: T,
    /// What suppressed it: `ignore-file`.
    pub by: String,
    /// The file that holds the rule.
    pub source: String,
    /// The reason the rule gives.
    pub reason: String,
}

/// The vulnerability database a scan used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// Path of the database file.
    pub path: String,
    /// Advisory records it holds.
    pub records: u64,
    /// Newest `modified` among them (RFC 3339).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub newest_modified: String,
    /// When it was last imported or updated (RFC 3339).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated: String,
}

/// The result of a vulnerability scan: the inventory, its findings ordered by risk, and what was suppressed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// [`crate::INVENTORY_SCHEMA_VERSION`] of the embedded inventory's schema.
    pub schema_version: u32,
    /// What was scanned and every package found; findings refer to packages by index.
    pub inventory: crate::Inventory,
    /// Findings after filters and suppressions, most urgent first.
    pub findings: Vec<Finding>,
    /// Findings an ignore file or VEX document suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppression>,
    /// The database used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseInfo>,
    /// Secrets found, in path order (empty when the secret scanner did not run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<crate::SecretFinding>,
    /// Misconfigurations found, most severe first (empty when the misconfiguration scanner did not run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misconfigurations: Vec<crate::Misconfiguration>,
    /// Secrets an ignore file suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed_secrets: Vec<Suppressed<crate::SecretFinding>>,
    /// Misconfigurations an ignore file suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed_misconfigurations: Vec<Suppressed<crate::Misconfiguration>>,
    /// Scanners that ran: `vuln`, `secret`, `misconfig`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scanners: Vec<String>,
    /// Notes for the user (old database, expired ignore rules, unmatched VEX statements).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
