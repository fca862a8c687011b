//! The OSV schema (<https://ossf.github.io/osv-schema/>) as serde types.
//!
//! Unknown fields are ignored; `null` where a list is expected reads as an empty list.
//! [`parse_record`] names the file and the JSON path of whatever is malformed.

use crate::error::{Error, Result};
use bulwark_types::time::parse_rfc3339_micros;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One OSV vulnerability record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// OSV schema version the record declares, if any.
    #[serde(default)]
    pub schema_version: Option<String>,
    /// Record id, e.g. `PYSEC-2019-13`, `GHSA-…`, `RUSTSEC-…`, `DSA-3029-1`.
    pub id: String,
    /// Last modification time (RFC 3339).
    pub modified: String,
    /// First publication time (RFC 3339).
    #[serde(default)]
    pub published: Option<String>,
    /// Set when the record was withdrawn; withdrawn records never match.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Ids of records about the same vulnerability in other databases.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub aliases: Vec<String>,
    /// Ids of records about closely related (not identical) vulnerabilities.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub related: Vec<String>,
    /// Ids of the upstream records this one was derived from.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub upstream: Vec<String>,
    /// One-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Full description (Markdown).
    #[serde(default)]
    pub details: Option<String>,
    /// Severity scores (CVSS vectors and others).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub severity: Vec<SeverityScore>,
    /// Affected packages and versions.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub affected: Vec<Affected>,
    /// Links: advisories, fixes, reports.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub references: Vec<Reference>,
    /// Database-specific data (GHSA puts its `severity` word here).
    #[serde(default)]
    pub database_specific: Option<Value>,
}

/// A `severity[]` entry: a scoring system and its score or vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector (CVSS) or word (`Ubuntu`: `medium`).
    pub score: String,
}

/// One `affected[]` entry: a package and the versions of it that are affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package; absent in some GIT-only records.
    #[serde(default)]
    pub package: Option<PackageRef>,
    /// Per-package severity (schema 1.5+).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub severity: Vec<SeverityScore>,
    /// Version ranges.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub versions: Vec<String>,
    /// Ecosystem-specific data (RustSec `affects`, Ubuntu `binaries`, …).
    #[serde(default)]
    pub ecosystem_specific: Option<Value>,
    /// Database-specific data.
    #[serde(default)]
    pub database_specific: Option<Value>,
}

/// The package an `affected[]` entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    /// OSV ecosystem, e.g. `PyPI`, `Debian:12`, `Ubuntu:22.04:LTS`.
    pub ecosystem: String,
    /// Package name as the ecosystem spells it.
    pub name: String,
    /// Package URL, when given.
    #[serde(default)]
    pub purl: Option<String>,
}

pub use bulwark_types::RangeKind;

/// A version range: a type and its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Ordering of the event versions.
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// Repository URL of GIT ranges.
    #[serde(default)]
    pub repo: Option<String>,
    /// Events, in any order.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: Vec<Event>,
    /// Database-specific data.
    #[serde(default)]
    pub database_specific: Option<Value>,
}

/// A range event: the version where being affected starts or stops.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`"0"`: from the start).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// The last affected version (affected up to and including it).
    LastAffected(String),
    /// Upper limit of the range (`"*"`: none).
    Limit(String),
}

impl Event {
    /// The version the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A `references[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `WEB`, `FIX`, `PACKAGE`, `REPORT`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The link.
    pub url: String,
}

impl Vulnerability {
    /// `modified` as microseconds since the Unix epoch (validated by [`parse_record`]).
    pub fn modified_micros(&self) -> Option<i64> {
        parse_rfc3339_micros(&self.modified)
    }

    /// The GitHub-style severity word in `database_specific.severity` (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`).
    pub fn database_severity(&self) -> Option<&str> {
        self.database_specific.as_ref()?.get("severity")?.as_str()
    }
}

/// Parses one OSV record; `origin` (a path or `zip!entry`) goes into every error.
pub fn parse_record(bytes: &[u8], origin: &str) -> Result<Vulnerability> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let vuln: Vulnerability = serde_path_to_error::deserialize(de).map_err(|e| Error::Record {
        origin: origin.to_string(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    validate(&vuln, origin)?;
    Ok(vuln)
}

/// Checks what serde cannot: non-empty id, a readable `modified`, non-empty package names.
fn validate(v: &Vulnerability, origin: &str) -> Result<()> {
    let bad = |field: String, message: String| Error::Record { origin: origin.to_string(), field, message };
    if v.id.trim().is_empty() {
        return Err(bad("id".into(), "empty id".into()));
    }
    if parse_rfc3339_micros(&v.modified).is_none() {
        return Err(bad("modified".into(), format!("not an RFC 3339 timestamp: {:?}", truncate(&v.modified))));
    }
    for (i, a) in v.affected.iter().enumerate() {
        if let Some(p) = &a.package {
            if p.name.is_empty() || p.ecosystem.is_empty() {
                return Err(bad(format!("affected[{i}].package"), "empty ecosystem or name".into()));
            }
        }
    }
    Ok(())
}

/// At most 80 characters of `s`, for error messages.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Reads `null` as the empty list.
fn null_as_empty<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
