//! CycloneDX 1.6 vulnerability report: the SBOM of [`crate::cyclonedx`] plus `vulnerabilities[]`
//! (<https://cyclonedx.org/docs/1.6/json/#vulnerabilities>).
//!
//! Findings with the same id become one vulnerability that `affects` every package they were found
//! in; suppressed findings become separate vulnerabilities carrying an `analysis` (`not_affected`, or
//! `resolved` for VEX `fixed`), grouped by id and by what suppressed them.

use crate::cyclonedx::document;
use crate::sarif::advisory_url;
use crate::DocumentMeta;
use bulwark_types::{Finding, Level, Package, ScanReport, Severity, Suppression};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::Write;

/// Writes `report` as a CycloneDX 1.6 JSON document with `vulnerabilities`.
pub fn render(report: &ScanReport, meta: &DocumentMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let mut bom = document(&report.inventory, meta);
    bom.vulnerabilities = vulnerabilities(report, &bom.package_refs);
    serde_json::to_writer_pretty(&mut *out, &bom)?;
    out.write_all(b"\n")
}

/// What groups findings: the id, and for suppressed ones what suppressed them (by, source, reason).
type GroupKey<'a> = (&'a str, Option<(&'a str, &'a str, &'a str)>);

/// Findings that become one `vulnerabilities[]` entry.
struct Group<'a> {
    /// The first of them, whose id, summary and aliases the entry shows.
    first: &'a Finding,
    /// All of them, `first` included, in report order.
    findings: Vec<&'a Finding>,
    suppression: Option<&'a Suppression>,
}

/// One entry per id (and, for suppressed findings, per id and suppressor), in report order.
fn vulnerabilities(report: &ScanReport, package_refs: &[String]) -> Vec<Value> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    // (id, suppressor) → index in `groups`.
    let mut index: HashMap<GroupKey<'_>, usize> = HashMap::new();
    let all = report.findings.iter().map(|f| (f, None)).chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))));
    for (f, s) in all {
        let key = (f.id.as_str(), s.map(|s| (s.by.as_str(), s.source.as_str(), s.reason.as_str())));
        match index.get(&key).and_then(|&i| groups.get_mut(i)) {
            Some(g) => g.findings.push(f),
            None => {
                index.insert(key, groups.len());
                groups.push(Group { first: f, findings: vec![f], suppression: s });
            }
        }
    }
    let mut refs = crate::ids::Unique::default();
    let packages = &report.inventory.packages;
    groups.iter().map(|g| vulnerability(g, packages, package_refs, &mut refs)).collect()
}

/// One `vulnerabilities[]` entry.
fn vulnerability(g: &Group<'_>, packages: &[Package], package_refs: &[String], refs: &mut crate::ids::Unique) -> Value {
    let first = g.first;
    let id = first.id.as_str();
    let worst = g.findings.iter().map(|f| &f.severity).max_by_key(|s| s.rank()).unwrap_or(&first.severity);
    let mut aliases: Vec<&str> = g.findings.iter().flat_map(|f| f.aliases.iter().map(String::as_str)).collect();
    aliases.sort_unstable();
    aliases.dedup();

    let mut v = Map::new();
    v.insert("bom-ref".into(), refs.claim(&format!("vulnerability:{id}"), "#").into());
    v.insert("id".into(), id.into());
    v.insert("source".into(), json!({ "name": "OSV", "url": advisory_url(id) }));
    let references: Vec<Value> =
        aliases.iter().filter(|a| **a != id).map(|a| json!({ "id": a, "source": alias_source(a) })).collect();
    if !references.is_empty() {
        v.insert("references".into(), Value::Array(references));
    }
    v.insert("ratings".into(), json!([rating(worst)]));
    if !first.summary.trim().is_empty() {
        v.insert("description".into(), first.summary.clone().into());
    }
    if let Some(r) = recommendation(g, packages) {
        v.insert("recommendation".into(), r.into());
    }
    let mut affects: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for f in &g.findings {
        let (Some(r), Some(p)) = (package_refs.get(f.package), packages.get(f.package)) else { continue };
        if seen.contains(&r.as_str()) {
            continue;
        }
        seen.push(r);
        let mut a = Map::new();
        a.insert("ref".into(), r.clone().into());
        if let Some(version) = Some(p.version.as_str()).filter(|v| !v.is_empty()) {
            a.insert("versions".into(), json!([{ "version": version, "status": "affected" }]));
        }
        affects.push(Value::Object(a));
    }
    if !affects.is_empty() {
        v.insert("affects".into(), Value::Array(affects));
    }
    if let Some(s) = g.suppression {
        v.insert("analysis".into(), analysis(s));
    }
    let props = properties(g);
    if !props.is_empty() {
        v.insert("properties".into(), Value::Array(props));
    }
    Value::Object(v)
}

/// Where an alias is published: NVD for CVEs, GitHub for GHSAs, osv.dev for the rest.
fn alias_source(alias: &str) -> Value {
    if alias.starts_with("CVE-") {
        json!({ "name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{alias}") })
    } else if alias.starts_with("GHSA-") {
        json!({ "name": "GitHub", "url": format!("https://github.com/advisories/{alias}") })
    } else {
        json!({ "name": "OSV", "url": advisory_url(alias) })
    }
}

/// The rating of the worst severity: score, lower-case severity, CVSS method and vector.
fn rating(s: &Severity) -> Value {
    let mut r = Map::new();
    if let Some(score) = s.score.filter(|x| x.is_finite()) {
        r.insert("score".into(), score.into());
    }
    r.insert("severity".into(), cdx_severity(s.level).into());
    r.insert("method".into(), method(s).into());
    if let Some(vector) = s.vector.as_deref().filter(|v| !v.is_empty()) {
        r.insert("vector".into(), vector.into());
    }
    Value::Object(r)
}

/// CycloneDX's severity word for a level.
fn cdx_severity(level: Level) -> &'static str {
    match level {
        Level::Critical => "critical",
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
        Level::Negligible => "info",
        Level::Unknown => "unknown",
    }
}

/// The CycloneDX scoring method of a severity, from its vector's version prefix or its source.
fn method(s: &Severity) -> &'static str {
    let vector = s.vector.as_deref().unwrap_or_default();
    if vector.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3.0/") {
        "CVSSv3"
    } else if vector.starts_with("CVSS:4.0/") {
        "CVSSv4"
    } else if vector.starts_with("AV:") || s.source.eq_ignore_ascii_case("CVSS_V2") {
        "CVSSv2"
    } else {
        "other"
    }
}

/// `Upgrade libc6 to 2.36-9+deb12u7; upgrade libc-bin to …`, from the lowest fixed version of each package.
fn recommendation(g: &Group<'_>, packages: &[Package]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for f in &g.findings {
        let Some(fixed) = f.fixed.first() else { continue };
        let name = packages.get(f.package).map(|p| p.name.as_str()).filter(|n| !n.is_empty());
        let part = format!("upgrade {} to {fixed}", name.unwrap_or("the package"));
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    let mut text = parts.join("; ");
    if let Some(c) = text.get(..1) {
        text = format!("{}{}", c.to_ascii_uppercase(), text.get(1..).unwrap_or_default());
    }
    (!text.is_empty()).then_some(text)
}

/// `analysis` of a suppressed finding: `resolved` for a VEX `fixed` statement, else `not_affected`,
/// with the OpenVEX justification mapped onto CycloneDX's when the reason names one.
fn analysis(s: &Suppression) -> Value {
    let reason = s.reason.to_ascii_lowercase();
    let words: Vec<&str> =
        reason.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let fixed = s.by == "vex" && words.first().is_some_and(|w| *w == "fixed" || *w == "resolved");
    let mut a = Map::new();
    a.insert("state".into(), if fixed { "resolved" } else { "not_affected" }.into());
    let justification = words.iter().find_map(|w| match *w {
        "component_not_present" | "vulnerable_code_not_present" => Some("code_not_present"),
        "vulnerable_code_not_in_execute_path" => Some("code_not_reachable"),
        "vulnerable_code_cannot_be_controlled_by_adversary" => Some("requires_environment"),
        "inline_mitigations_already_exist" => Some("protected_by_mitigating_control"),
        _ => None,
    });
    if let (Some(j), false) = (justification, fixed) {
        a.insert("justification".into(), j.into());
    }
    let mut detail = format!("suppressed by {}", s.by);
    if !s.source.is_empty() {
        detail.push_str(&format!(" ({})", s.source));
    }
    if !s.reason.is_empty() {
        detail.push_str(&format!(": {}", s.reason));
    }
    a.insert("detail".into(), detail.into());
    Value::Object(a)
}

/// `bulwark:` properties: the risk text, EPSS and KEV facts, the matched records.
fn properties(g: &Group<'_>) -> Vec<Value> {
    let first = g.first;
    let mut props = Vec::new();
    let mut push = |name: &str, value: String| {
        if !value.is_empty() {
            props.push(json!({ "name": name, "value": value }));
        }
    };
    push("bulwark:risk", first.risk.clone());
    if let Some(e) = &first.epss {
        push("bulwark:epss:score", e.score.to_string());
        push("bulwark:epss:percentile", e.percentile.to_string());
    }
    if let Some(k) = &first.kev {
        push("bulwark:kev:dateAdded", k.date_added.clone());
    }
    let mut records: Vec<&str> = g.findings.iter().flat_map(|f| f.records.iter().map(String::as_str)).collect();
    records.sort_unstable();
    records.dedup();
    push("bulwark:records", records.join(","));
    let mut related: Vec<&str> = g.findings.iter().flat_map(|f| f.related.iter().map(String::as_str)).collect();
    related.sort_unstable();
    related.dedup();
    push("bulwark:related", related.join(","));
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(level: Level, vector: Option<&str>, source: &str) -> Severity {
        Severity { level, score: None, vector: vector.map(str::to_string), source: source.to_string() }
    }

    #[test]
    fn methods_follow_the_vector_version() {
        let cases = [
            (Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "CVSS_V3", "CVSSv31"),
            (Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "CVSS_V3", "CVSSv3"),
            (Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), "CVSS_V4", "CVSSv4"),
            (Some("AV:N/AC:L/Au:N/C:P/I:P/A:P"), "CVSS_V2", "CVSSv2"),
            (None, "database_specific", "other"),
        ];
        for (vector, source, want) in cases {
            assert_eq!(method(&sev(Level::High, vector, source)), want, "{vector:?}");
        }
    }

    #[test]
    fn alias_sources_name_the_publisher() {
        assert_eq!(alias_source("CVE-2019-10906")["name"], "NVD");
        assert_eq!(alias_source("GHSA-462w-v97r-4m45")["url"], "https://github.com/advisories/GHSA-462w-v97r-4m45");
        assert_eq!(alias_source("PYSEC-2019-217")["url"], "https://osv.dev/vulnerability/PYSEC-2019-217");
    }
}
