//! Enrichment by CVE id: FIRST's EPSS scores (the published `epss_scores-YYYY-MM-DD.csv[.gz]`) and CISA's
//! Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`).
//!
//! `bulwark db import` recognises both by content ([`sniff`]) and stores each in its own table, replacing
//! whatever EPSS or KEV data the database held before (inside the import's one transaction, so the swap is
//! atomic). The matcher looks every CVE id of a finding (its id and aliases) up in both tables: the highest
//! EPSS score wins, and a finding is in KEV when any of its CVEs is.

use crate::error::{db_err, Error, Result};
use crate::store::Store;
use bulwark_types::{Epss, Finding, Kev};
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The EPSS data held by a database (or read by an import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpssSummary {
    /// Date of the scores (`YYYY-MM-DD`, from the file's `score_date`, else its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// EPSS model that produced them, e.g. `v2025.03.14`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// Number of CVEs scored.
    pub scores: u64,
}

/// The CISA KEV catalogue held by a database (or read by an import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevSummary {
    /// `catalogVersion`, e.g. `2025.02.13`.
    pub catalog_version: String,
    /// `dateReleased` as CISA wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_released: Option<String>,
    /// Number of CVEs listed.
    pub entries: u64,
}

/// What an input file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An EPSS CSV.
    Epss,
    /// Anything else (OSV JSON, or a KEV catalogue, told apart by [`looks_like_kev`]).
    Json,
}

/// Tells an EPSS CSV (first line `#model_version:…` or the `cve,epss,…` header) from everything else.
pub(crate) fn sniff(bytes: &[u8]) -> Kind {
    let head = String::from_utf8_lossy(bytes.get(..256).unwrap_or(bytes));
    let first = head.trim_start_matches('\u{feff}').trim_start();
    let epss =
        first.starts_with("#model_version") || first.get(..8).is_some_and(|h| h.eq_ignore_ascii_case("cve,epss"));
    if epss {
        Kind::Epss
    } else {
        Kind::Json
    }
}

/// Whether a JSON document that is not an OSV record is a KEV catalogue (a top-level `catalogVersion`).
pub(crate) fn looks_like_kev(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "catalogVersion")]
        catalog_version: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.catalog_version.is_some())
}

/// An error about one place of an enrichment file.
fn bad(origin: &str, field: &str, message: impl Into<String>) -> Error {
    Error::Record { origin: origin.to_string(), field: field.to_string(), message: message.into() }
}

/// Whether `s` is a CVE id as MITRE writes them: `CVE-YYYY-NNNN` (four or more digits).
pub fn is_cve_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else { return false };
    let Some((year, number)) = rest.split_once('-') else { return false };
    year.len() == 4
        && number.len() >= 4
        && number.len() <= 19
        && (year.bytes().chain(number.bytes())).all(|b| b.is_ascii_digit())
}

/// The lookup key of an advisory id when it is a CVE id (any case), else `None`.
fn cve_key(id: &str) -> Option<String> {
    let upper = id.trim().to_ascii_uppercase();
    is_cve_id(&upper).then_some(upper)
}

/// Whether `s` is a `YYYY-MM-DD` date.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// A probability or percentile: a finite number in 0–1.
fn unit_interval(origin: &str, field: &str, text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(bad(origin, field, format!("{text:?} is not a number between 0 and 1"))),
    }
}

/// Reads an EPSS CSV, calling `row(cve, score, percentile)` for every data line. Errors name the line
/// (`origin:LINE`) and the column.
pub(crate) fn read_epss(
    origin: &str,
    bytes: &[u8],
    row: &mut dyn FnMut(&str, f64, f64) -> Result<()>,
) -> Result<EpssSummary> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes.get(..e.valid_up_to()).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count()) + 1;
        bad(&format!("{origin}:{line}"), "text", format!("not UTF-8: {e}"))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at = |n: usize| format!("{origin}:{n}");
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let mut summary = EpssSummary::default();
    let mut header = None;
    for (n, line) in lines.by_ref() {
        if let Some(comment) = line.strip_prefix('#') {
            read_comment(&at(n), comment, &mut summary)?;
        } else if !line.is_empty() {
            header = Some((n, line));
            break;
        }
    }
    let Some((n, header)) = header else { return Err(bad(origin, "header", "no `cve,epss,percentile` header line")) };
    let columns: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    if columns != ["cve", "epss", "percentile"] {
        return Err(bad(&at(n), "header", format!("expected `cve,epss,percentile`, found `{header}`")));
    }
    for (n, line) in lines {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let origin = at(n);
        let mut fields = line.split(',');
        let (Some(cve), Some(epss), Some(percentile), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad(
                &origin,
                "line",
                format!("expected 3 comma-separated fields, found {}", line.split(',').count()),
            ));
        };
        let cve = cve.trim();
        if !is_cve_id(cve) {
            return Err(bad(&origin, "cve", format!("{cve:?} is not a CVE id")));
        }
        let score = unit_interval(&origin, "epss", epss)?;
        let percentile = unit_interval(&origin, "percentile", percentile)?;
        row(cve, score, percentile)?;
        summary.scores += 1;
    }
    if summary.scores == 0 {
        return Err(bad(origin, "cve", "no scores after the header"));
    }
    if summary.date.is_none() {
        summary.date = date_from_name(origin);
    }
    Ok(summary)
}

/// Reads `model_version:…,score_date:…` from the comment line.
fn read_comment(origin: &str, comment: &str, summary: &mut EpssSummary) -> Result<()> {
    for pair in comment.split(',') {
        let Some((key, value)) = pair.split_once(':') else { continue };
        match key.trim() {
            "model_version" => summary.model_version = Some(value.trim().to_string()),
            "score_date" => {
                let date = value.trim().get(..10).filter(|d| is_date(d));
                let date =
                    date.ok_or_else(|| bad(origin, "score_date", format!("{value:?} does not start with a date")))?;
                summary.date = Some(date.to_string());
            }
            _ => {}
        }
    }
    Ok(())
}

/// The date in an `epss_scores-YYYY-MM-DD.csv[.gz]` file name.
fn date_from_name(origin: &str) -> Option<String> {
    let name = Path::new(origin).file_name()?.to_str()?;
    let date = name.strip_prefix("epss_scores-")?.get(..10)?;
    is_date(date).then(|| date.to_string())
}

/// The parts of the KEV catalogue Bulwark keeps.
#[derive(Debug, Deserialize)]
struct KevCatalog {
    #[serde(rename = "catalogVersion")]
    catalog_version: String,
    #[serde(rename = "dateReleased", default)]
    date_released: Option<String>,
    vulnerabilities: Vec<KevEntry>,
}

/// One catalogue entry.
#[derive(Debug, Deserialize)]
struct KevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(rename = "dateAdded")]
    date_added: String,
    #[serde(rename = "dueDate", default)]
    due_date: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    ransomware: Option<String>,
}

/// Reads a KEV catalogue, calling `entry(cve, kev)` for every listed CVE. Errors name the JSON path.
pub(crate) fn read_kev(
    origin: &str,
    bytes: &[u8],
    entry: &mut dyn FnMut(&str, &Kev) -> Result<()>,
) -> Result<KevSummary> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let catalog: KevCatalog = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        bad(origin, &field, e.into_inner().to_string())
    })?;
    if catalog.catalog_version.trim().is_empty() {
        return Err(bad(origin, "catalogVersion", "empty"));
    }
    for (i, v) in catalog.vulnerabilities.iter().enumerate() {
        let field = |name: &str| format!("vulnerabilities[{i}].{name}");
        if !is_cve_id(&v.cve_id) {
            return Err(bad(origin, &field("cveID"), format!("{:?} is not a CVE id", v.cve_id)));
        }
        if !is_date(&v.date_added) {
            return Err(bad(origin, &field("dateAdded"), format!("{:?} is not a YYYY-MM-DD date", v.date_added)));
        }
        let due_date = v.due_date.as_deref().unwrap_or_default();
        if !due_date.is_empty() && !is_date(due_date) {
            return Err(bad(origin, &field("dueDate"), format!("{due_date:?} is not a YYYY-MM-DD date")));
        }
        let ransomware = v.ransomware.as_deref().is_some_and(|r| r.trim().eq_ignore_ascii_case("known"));
        entry(&v.cve_id, &Kev { date_added: v.date_added.clone(), due_date: due_date.to_string(), ransomware })?;
    }
    Ok(KevSummary {
        catalog_version: catalog.catalog_version,
        date_released: catalog.date_released.filter(|d| !d.is_empty()),
        entries: catalog.vulnerabilities.len() as u64,
    })
}

/// Sets one `meta` value (empty for none).
fn put_meta(tx: &Transaction<'_>, db: &Path, key: &str, value: Option<&str>) -> Result<()> {
    tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", params![key, value.unwrap_or_default()])
        .map(drop)
        .map_err(db_err(db))
}

/// Replaces the database's EPSS scores with those of an EPSS CSV.
pub(crate) fn import_epss(tx: &Transaction<'_>, db: &Path, origin: &str, bytes: &[u8]) -> Result<EpssSummary> {
    tx.execute("DELETE FROM epss", []).map_err(db_err(db))?;
    let mut insert =
        tx.prepare("INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?1, ?2, ?3)").map_err(db_err(db))?;
    let summary = read_epss(origin, bytes, &mut |cve, score, percentile| {
        insert.execute(params![cve, score, percentile]).map(drop).map_err(db_err(db))
    })?;
    put_meta(tx, db, "epss_date", summary.date.as_deref())?;
    put_meta(tx, db, "epss_model_version", summary.model_version.as_deref())?;
    put_meta(tx, db, "epss_source", Some(origin))?;
    Ok(summary)
}

/// Replaces the database's KEV catalogue with a `known_exploited_vulnerabilities.json`.
pub(crate) fn import_kev(tx: &Transaction<'_>, db: &Path, origin: &str, bytes: &[u8]) -> Result<KevSummary> {
    tx.execute("DELETE FROM kev", []).map_err(db_err(db))?;
    let mut insert = tx
        .prepare("INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware) VALUES (?1, ?2, ?3, ?4)")
        .map_err(db_err(db))?;
    let summary = read_kev(origin, bytes, &mut |cve, k| {
        insert.execute(params![cve, k.date_added, k.due_date, k.ransomware]).map(drop).map_err(db_err(db))
    })?;
    put_meta(tx, db, "kev_catalog_version", Some(&summary.catalog_version))?;
    put_meta(tx, db, "kev_date_released", summary.date_released.as_deref())?;
    put_meta(tx, db, "kev_source", Some(origin))?;
    Ok(summary)
}

/// Fills `finding.epss` (highest score among its CVE ids) and `finding.kev` (earliest listing among them).
pub(crate) fn enrich_finding(store: &Store, finding: &mut Finding) -> Result<()> {
    let mut epss: Option<Epss> = None;
    let mut kev: Option<Kev> = None;
    for id in std::iter::once(&finding.id).chain(&finding.aliases) {
        let Some(cve) = cve_key(id) else { continue };
        if let Some(e) = store.epss(&cve)? {
            if epss.as_ref().is_none_or(|best| e.score > best.score) {
                epss = Some(e);
            }
        }
        if let Some(k) = store.kev(&cve)? {
            if kev.as_ref().is_none_or(|first| k.date_added < first.date_added) {
                kev = Some(k);
            }
        }
    }
    finding.epss = epss;
    finding.kev = kev;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_and_dates() {
        for ok in ["CVE-2022-33891", "CVE-1999-0001", "CVE-2024-1234567"] {
            assert!(is_cve_id(ok), "{ok}");
        }
        for no in
            ["cve-2022-33891", "CVE-22-33891", "CVE-2022-123", "GHSA-4x9r-j582-cgr8", "CVE-2022-3389a", "CVE-2022"]
        {
            assert!(!is_cve_id(no), "{no}");
        }
        assert_eq!(cve_key(" cve-2022-33891 ").as_deref(), Some("CVE-2022-33891"));
        assert_eq!(cve_key("PYSEC-2022-236"), None);
        assert!(is_date("2025-02-13") && !is_date("2025-2-13") && !is_date("2025/02/13"));
        assert_eq!(date_from_name("/x/epss_scores-2026-09-29.csv.gz").as_deref(), Some("2026-09-29"));
        assert_eq!(date_from_name("/x/epss.csv"), None);
    }

    #[test]
    fn sniffing_needs_the_first_line() {
        assert_eq!(sniff(b"#model_version:v2023.03.01,score_date:2023-06-01T00:00:00+0000\ncve,epss"), Kind::Epss);
        assert_eq!(sniff(b"\xef\xbb\xbfCVE,EPSS,PERCENTILE\n"), Kind::Epss);
        assert_eq!(sniff(b"{\"id\": \"X\"}"), Kind::Json);
        assert!(looks_like_kev(b"{\"vulnerabilities\": [], \"catalogVersion\": \"1\"}"));
        assert!(!looks_like_kev(b"{\"id\": \"CVE-2023-0286\"}"));
        assert!(!looks_like_kev(b"cve,epss"));
    }
}
