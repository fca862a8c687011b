//! The vulnerability report renderers on real findings: the app-python corpus inventory matched
//! against the shared OSV advisories by `bulwark_vulndb`, ranked by its policy code. SARIF is
//! checked against the official SARIF 2.1.0 schema, CycloneDX against the official 1.6 schema.

mod support;

use bulwark_report::{render_report, render_report_with, ReportFormat};
use bulwark_types::{Finding, Level, ScanReport, INVENTORY_SCHEMA_VERSION};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use support::*;

fn render(report: &ScanReport, format: ReportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    render_report_with(report, format, &fixed_meta(), &mut out).expect("render");
    out
}

fn render_json(report: &ScanReport, format: ReportFormat) -> Value {
    serde_json::from_slice(&render(report, format)).expect("renderer wrote JSON")
}

/// Every finding, the suppressed ones last, as the renderers walk them.
fn all_findings(report: &ScanReport) -> Vec<&Finding> {
    report.findings.iter().chain(report.suppressed.iter().map(|s| &s.finding)).collect()
}

/// The real findings cover what the renderers must handle: several levels, scored and unscored,
/// fixed lists, aliases, OS-less language packages, and all three suppressions.
#[test]
fn the_real_findings_are_varied_enough() {
    let report = scan_report();
    let levels: BTreeSet<Level> = report.findings.iter().map(|f| f.severity.level).collect();
    assert!(levels.len() >= 4, "{levels:?}");
    assert!(report.findings.iter().any(|f| f.severity.score.is_some()));
    assert!(report.findings.iter().any(|f| f.severity.score.is_none()));
    assert!(report.findings.iter().any(|f| f.aliases.iter().any(|a| a.starts_with("CVE-"))));
    assert!(report.findings.iter().any(|f| f.fixed.len() > 1));
    assert_eq!(report.suppressed.len(), 3);
    let kinds: BTreeSet<&str> =
        report.findings.iter().map(|f| report.inventory.packages[f.package].kind.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["cargo", "npm", "python"]));
    // Most urgent first, as the policy code ranked them.
    let ranks: Vec<_> = report.findings.iter().map(|f| f.severity.rank()).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
}

// ---------------------------------------------------------------------------------------------
// Table

#[test]
fn table_has_a_header_and_one_row_per_finding_in_order() {
    let report = scan_report();
    let text = String::from_utf8(render(&report, ReportFormat::Table)).expect("utf-8");
    assert!(!text.contains('\u{1b}'), "no ANSI escapes");
    let lines: Vec<&str> = text.lines().collect();
    let digest = report.inventory.target.manifest_digest.as_deref().expect("digest");
    assert_eq!(lines[0], format!("Target:     oci:corpus-cache/oci/app-python:latest ({digest})"));
    assert_eq!(lines[1], "OS:         Debian GNU/Linux 12 (bookworm)");
    let db = report.database.as_ref().expect("database");
    assert!(lines[2].starts_with(&format!("Database:   {} ({} records, newest ", db.path, db.records)), "{}", lines[2]);
    assert_eq!(lines[3], format!("Packages:   {}", report.inventory.packages.len()));
    let count = |l: Level| report.findings.iter().filter(|f| f.severity.level == l).count();
    assert_eq!(
        lines[4],
        format!(
            "Findings:   {} (CRITICAL: {}, HIGH: {}, MEDIUM: {}, LOW: {}, NEGLIGIBLE: {}, UNKNOWN: {})",
            report.findings.len(),
            count(Level::Critical),
            count(Level::High),
            count(Level::Medium),
            count(Level::Low),
            count(Level::Negligible),
            count(Level::Unknown)
        )
    );
    assert_eq!(lines[5], "Suppressed: 3 (ignore-file: 1, vex: 2)");

    let cells = |l: &str| l.trim_matches('|').split('|').map(str::trim).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(cells(lines[7]), ["PACKAGE", "VULNERABILITY", "SEVERITY", "INSTALLED", "FIXED", "TYPE", "TITLE", "WHY"]);
    let rows: Vec<Vec<String>> = lines[9..].iter().map(|l| cells(l)).collect();
    assert_eq!(rows.len(), report.findings.len(), "one line per finding, no wrapping");
    for (row, f) in rows.iter().zip(&report.findings) {
        let p = &report.inventory.packages[f.package];
        assert_eq!(row[0], p.name);
        assert_eq!(row[1], f.id);
        let severity = match f.severity.score {
            Some(s) => format!("{} ({s:.1})", f.severity.level),
            None => f.severity.level.to_string(),
        };
        assert_eq!(row[2], severity);
        assert_eq!(row[3], p.version);
        assert_eq!(row[4], if f.fixed.is_empty() { "—".to_string() } else { f.fixed.join(", ") });
        assert_eq!(row[5], p.kind.as_str());
        assert!(f.summary.starts_with(row[6].trim_end_matches('…')), "{} / {}", row[6], f.summary);
        assert!(row[6].chars().count() <= 60, "{}", row[6]);
        assert_eq!(row[7], f.risk);
    }
}

#[test]
fn table_escapes_hostile_names_and_says_when_nothing_was_found() {
    let mut report = scan_report();
    // Point a real finding at the package with escape sequences in its name.
    let evil = report.inventory.packages.iter().position(|p| p.name.starts_with("evil")).expect("evil package");
    report.findings.truncate(1);
    report.findings[0].package = evil;
    report.findings[0].fixed.clear();
    report.warnings = vec!["expired rule\u{1b}[2J".into()];
    let text = String::from_utf8(render(&report, ReportFormat::Table)).expect("utf-8");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("| evil\\u{1b}[31mred\\u{1b}[0m |"), "{text}");
    assert!(text.contains("Warning:    expired rule\\u{1b}[2J"), "{text}");
    assert!(text.lines().last().is_some_and(|l| l.contains("| — ")), "{text}");

    let empty = ScanReport { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() };
    let text = String::from_utf8(render(&empty, ReportFormat::Table)).expect("utf-8");
    assert_eq!(
        text,
        "Target:     \nOS:         unknown\nDatabase:   none\nPackages:   0\n\
         Findings:   0 (CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0)\n\
         Suppressed: 0\n\nNo vulnerabilities found.\n"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Every object key in `v`, except inside `inventory` (documented in docs/inventory-json.md).
fn keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                out.insert(k.clone());
                if k != "inventory" {
                    keys(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

#[test]
fn json_is_the_scan_report_and_every_field_is_documented() {
    let mut report = scan_report();
    // EPSS and KEV come from enrichment data the shared collection lacks: set them on one finding
    // so their fields are written (and must be documented).
    report.findings[0].epss = Some(bulwark_types::Epss { score: 0.97, percentile: 0.99, date: "2026-11-20".into() });
    report.findings[0].kev =
        Some(bulwark_types::Kev { date_added: "2023-03-30".into(), due_date: "2023-04-20".into(), ransomware: true });
    let text = render(&report, ReportFormat::Json);
    let back: ScanReport = serde_json::from_slice(&text).expect("parses as ScanReport");
    assert_eq!(back, report);
    let v: Value = serde_json::from_slice(&text).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["findings"][0]["id"], report.findings[0].id.as_str());
    let mut found = BTreeSet::new();
    keys(&v, &mut found);
    for must in ["related", "evidence", "by", "introduced", "database", "suppressed", "epss", "kev", "risk"] {
        assert!(found.contains(must), "fixture lacks `{must}`: {found:?}");
    }
    let doc = read(&workspace().join("docs/report-json.md"));
    for k in found {
        assert!(doc.contains(&format!("`{k}`")), "docs/report-json.md does not document `{k}`");
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_official_2_1_0_schema() {
    let report = scan_report();
    let doc = render_json(&report, ReportFormat::Sarif);
    let errors = violations(sarif_validator(), &doc);
    assert!(errors.is_empty(), "{} schema violations:\n{}", errors.len(), errors.join("\n"));

    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "bulwark");
    assert_eq!(driver["version"], bulwark_report::TOOL_VERSION);

    // One rule per id, in order of first appearance.
    let all = all_findings(&report);
    let mut ids: Vec<&str> = Vec::new();
    for f in &all {
        if !ids.contains(&f.id.as_str()) {
            ids.push(&f.id);
        }
    }
    let rules = driver["rules"].as_array().expect("rules");
    let rule_ids: Vec<&str> = rules.iter().map(|r| str_of(r, "id")).collect();
    assert_eq!(rule_ids, ids);
    for (rule, id) in rules.iter().zip(&ids) {
        assert_eq!(rule["helpUri"], format!("https://osv.dev/vulnerability/{id}"));
        let worst = all.iter().filter(|f| f.id == *id).map(|f| &f.severity).max_by_key(|s| s.rank()).expect("finding");
        let sec = rule["properties"]["security-severity"].as_str();
        match (worst.score, worst.level) {
            (Some(score), _) => assert_eq!(sec, Some(format!("{score:.1}").as_str()), "{id}"),
            (None, Level::Unknown) => assert_eq!(sec, None, "{id}"),
            (None, level) => {
                let s: f64 = sec.expect("level-derived score").parse().expect("number");
                assert_eq!(Level::from_score(s), level, "{id}: {s}");
            }
        }
        let summary = all.iter().find(|f| f.id == *id).map(|f| f.summary.lines().next().unwrap_or_default().trim());
        assert_eq!(rule["shortDescription"]["text"].as_str(), summary.filter(|s| !s.is_empty()).or(Some(*id)));
        assert!(rule["properties"]["tags"].as_array().expect("tags").contains(&"security".into()));
    }

    // One result per finding, suppressed ones last with their justification.
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), all.len());
    for (i, (r, f)) in results.iter().zip(&all).enumerate() {
        let p = &report.inventory.packages[f.package];
        assert_eq!(r["ruleId"], f.id.as_str());
        assert_eq!(rules[r["ruleIndex"].as_u64().expect("index") as usize]["id"], f.id.as_str());
        let want_level = match f.severity.level {
            Level::Critical | Level::High => "error",
            Level::Medium => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], want_level);
        let text = str_of(&r["message"], "text");
        assert!(text.contains(&format!("Package: {}", p.name)), "{text}");
        assert!(text.contains(&format!("Installed Version: {}", p.version)), "{text}");
        let fixed = if f.fixed.is_empty() { "none".to_string() } else { f.fixed.join(", ") };
        assert!(text.contains(&format!("Fixed Version: {fixed}")), "{text}");
        let loc = &r["locations"][0];
        let uri = str_of(&loc["physicalLocation"]["artifactLocation"], "uri");
        assert!(!uri.starts_with('/'), "{uri}");
        assert_eq!(format!("/{uri}").replace("%2B", "+").replace("%C3%AF", "ï"), p.locations[0]);
        assert_eq!(loc["logicalLocations"][0]["fullyQualifiedName"], p.purl.as_str());
        match i.checked_sub(report.findings.len()) {
            None => assert!(r.get("suppressions").is_none()),
            Some(s) => {
                let sup = &r["suppressions"][0];
                assert_eq!(sup["kind"], "external");
                assert_eq!(sup["justification"], report.suppressed[s].reason.as_str());
            }
        }
    }
}

#[test]
fn sarif_schema_rejects_broken_logs() {
    let report = scan_report();
    let doc = render_json(&report, ReportFormat::Sarif);
    let v = sarif_validator();
    assert!(v.is_valid(&doc));

    let mut no_driver_name = doc.clone();
    no_driver_name["runs"][0]["tool"]["driver"].as_object_mut().expect("driver").remove("name");
    let errors = violations(v, &no_driver_name);
    assert!(errors.iter().any(|e| e.starts_with("/runs/0/tool/driver") && e.contains("name")), "{errors:?}");

    let mut bad_level = doc.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&bad_level));

    let mut bad_suppression = doc.clone();
    let last = report.findings.len() + report.suppressed.len() - 1;
    bad_suppression["runs"][0]["results"][last]["suppressions"][0]["kind"] = "ignored".into();
    assert!(!v.is_valid(&bad_suppression));

    let mut bad_uri = doc;
    bad_uri["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(!v.is_valid(&bad_uri), "uri format is checked");
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

#[test]
fn cyclonedx_report_validates_against_the_official_1_6_schema() {
    let report = scan_report();
    let doc = render_json(&report, ReportFormat::CycloneDx);
    let errors = violations(cyclonedx_validator(), &doc);
    assert!(errors.is_empty(), "{} schema violations:\n{}", errors.len(), errors.join("\n"));
    assert_eq!(doc["serialNumber"], "urn:uuid:3f0c5b1e-8d2a-4c6b-9e71-0a5d4f2b7c19");

    // The SBOM part is the one `render_sbom` writes.
    let mut sbom = Vec::new();
    bulwark_report::render_sbom_with(
        &report.inventory,
        bulwark_report::SbomFormat::CycloneDx,
        &fixed_meta(),
        &mut sbom,
    )
    .expect("sbom");
    let sbom: Value = serde_json::from_slice(&sbom).expect("json");
    assert_eq!(doc["components"], sbom["components"]);
    assert_eq!(doc["metadata"], sbom["metadata"]);

    let components = doc["components"].as_array().expect("components");
    let refs: HashMap<&str, &Value> = components.iter().map(|c| (str_of(c, "bom-ref"), c)).collect();
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    // Active findings grouped by id, then one group per suppression.
    let active_ids: BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(vulns.len(), active_ids.len() + report.suppressed.len());
    let vuln_refs: HashSet<&str> = vulns.iter().map(|v| str_of(v, "bom-ref")).collect();
    assert_eq!(vuln_refs.len(), vulns.len(), "unique vulnerability bom-refs");

    for v in &vulns[..active_ids.len()] {
        let id = str_of(v, "id");
        let group: Vec<&Finding> = report.findings.iter().filter(|f| f.id == id).collect();
        let first = group[0];
        assert_eq!(v["source"]["name"], "OSV");
        assert_eq!(v["source"]["url"], format!("https://osv.dev/vulnerability/{id}"));
        let references: Vec<(&str, &str)> = v["references"]
            .as_array()
            .map(|a| a.iter().map(|r| (str_of(r, "id"), str_of(&r["source"], "name"))).collect())
            .unwrap_or_default();
        let want: Vec<(&str, &str)> = first
            .aliases
            .iter()
            .map(|a| {
                let src = if a.starts_with("CVE-") {
                    "NVD"
                } else if a.starts_with("GHSA-") {
                    "GitHub"
                } else {
                    "OSV"
                };
                (a.as_str(), src)
            })
            .collect();
        assert_eq!(references, want, "{id}");
        let rating = &v["ratings"][0];
        assert_eq!(rating["severity"], first.severity.level.as_str().to_lowercase());
        assert_eq!(rating["score"].as_f64(), first.severity.score);
        if let Some(vector) = &first.severity.vector {
            assert_eq!(rating["vector"], vector.as_str());
            let method = [("CVSS:3.1/", "CVSSv31"), ("CVSS:3.0/", "CVSSv3"), ("CVSS:4.0/", "CVSSv4")]
                .into_iter()
                .find(|(prefix, _)| vector.starts_with(prefix))
                .map_or("CVSSv2", |(_, m)| m);
            assert_eq!(rating["method"], method, "{vector}");
        }
        assert_eq!(v["description"], first.summary.as_str());
        match first.fixed.first() {
            Some(fixed) => {
                let want = format!("Upgrade {} to {fixed}", report.inventory.packages[first.package].name);
                assert!(str_of(v, "recommendation").starts_with(&want), "{}", v["recommendation"]);
            }
            None => assert!(v.get("recommendation").is_none()),
        }
        let affects = v["affects"].as_array().expect("affects");
        assert_eq!(affects.len(), group.len());
        for (a, f) in affects.iter().zip(&group) {
            let p = &report.inventory.packages[f.package];
            let c = refs.get(str_of(a, "ref")).expect("affects ref resolves to a component");
            assert_eq!(c["purl"], p.purl.as_str());
            assert_eq!(a["versions"], serde_json::json!([{ "version": p.version, "status": "affected" }]));
        }
        assert!(v.get("analysis").is_none());
    }

    let analyses: Vec<(&str, Option<&str>)> = vulns[active_ids.len()..]
        .iter()
        .map(|v| (str_of(&v["analysis"], "state"), v["analysis"]["justification"].as_str()))
        .collect();
    assert_eq!(analyses, [("not_affected", None), ("not_affected", Some("code_not_reachable")), ("resolved", None)]);
    for (v, s) in vulns[active_ids.len()..].iter().zip(&report.suppressed) {
        assert_eq!(v["id"], s.finding.id.as_str());
        let detail = str_of(&v["analysis"], "detail");
        assert!(detail.contains(&s.reason) && detail.contains(&s.source), "{detail}");
    }
}

#[test]
fn cyclonedx_schema_rejects_broken_vulnerabilities() {
    let report = scan_report();
    let doc = render_json(&report, ReportFormat::CycloneDx);
    let v = cyclonedx_validator();
    let last = doc["vulnerabilities"].as_array().expect("vulnerabilities").len() - 1;

    let mut bad_state = doc.clone();
    bad_state["vulnerabilities"][last]["analysis"]["state"] = "suppressed".into();
    assert!(!v.is_valid(&bad_state));

    let mut bad_method = doc.clone();
    bad_method["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv9".into();
    assert!(!v.is_valid(&bad_method));

    let mut bad_severity = doc.clone();
    bad_severity["vulnerabilities"][0]["ratings"][0]["severity"] = "CRITICAL".into();
    assert!(!v.is_valid(&bad_severity));

    let mut no_ref = doc;
    no_ref["vulnerabilities"][0]["affects"][0].as_object_mut().expect("affects").remove("ref");
    assert!(!v.is_valid(&no_ref));
}

// ---------------------------------------------------------------------------------------------
// Robustness

#[test]
fn findings_pointing_nowhere_still_render_valid_documents() {
    let mut report = scan_report();
    report.findings[0].package = usize::MAX;
    report.suppressed[0].finding.package = report.inventory.packages.len();
    for format in ReportFormat::ALL {
        let mut out = Vec::new();
        render_report(&report, format, &mut out).expect("render");
        assert!(!out.is_empty(), "{format}");
    }
    assert!(sarif_validator().is_valid(&render_json(&report, ReportFormat::Sarif)));
    let cdx = render_json(&report, ReportFormat::CycloneDx);
    assert_eq!(violations(cyclonedx_validator(), &cdx), Vec::<String>::new());
    let text = String::from_utf8(render(&report, ReportFormat::Table)).expect("utf-8");
    assert!(text.contains(&format!("| package #{} ", usize::MAX)), "{text}");
}
