//! Vulnerability scanning through the CLI on the real corpus image and the real OSV exports in
//! ../shared/vulndata: every expected match, from every source form, and nothing else.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use support::{bulwark, corpus, workspace, Registry};

fn vulndata() -> PathBuf {
    workspace().join("../shared/vulndata")
}

/// A cache dir with all of vulndata's exports imported.
fn database() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let zips: Vec<String> = std::fs::read_to_string(vulndata().join("osv/ecosystems.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|eco| vulndata().join("osv").join(eco).join("all.zip").display().to_string())
        .collect();
    let mut args = vec!["db", "import", "--cache-dir", dir.path().to_str().unwrap()];
    args.extend(zips.iter().map(String::as_str));
    let out = bulwark(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn scan(db: &tempfile::TempDir, extra: &[&str]) -> (Option<i32>, Value, String) {
    // The verb first, then the database and format flags, then the rest.
    let mut args = vec![extra[0], "--cache-dir", db.path().to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(&extra[1..]);
    let out = bulwark(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), report, stderr)
}

/// (ecosystem, name, version) → ids of the records that matched it.
fn matched(report: &Value) -> BTreeMap<(String, String, String), BTreeSet<String>> {
    let packages = report["inventory"]["packages"].as_array().unwrap();
    let mut out: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let p = &packages[f["package"].as_u64().unwrap() as usize];
        let key = (
            p["ecosystem"].as_str().unwrap().into(),
            p["name"].as_str().unwrap().into(),
            p["version"].as_str().unwrap().into(),
        );
        out.entry(key)
            .or_default()
            .extend(f["records"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()));
    }
    out
}

fn assert_expected(report: &Value, label: &str) {
    let expected: Vec<Value> =
        serde_json::from_slice(&std::fs::read(vulndata().join("expected-matches.json")).unwrap()).unwrap();
    let got = matched(report);
    let mut checked = 0;
    for e in expected.iter().filter(|e| e["image"] == "app-python") {
        let key = (
            e["ecosystem"].as_str().unwrap().to_string(),
            e["name"].as_str().unwrap().to_string(),
            e["version"].as_str().unwrap().to_string(),
        );
        let want: BTreeSet<String> =
            e["ids"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect();
        assert_eq!(got.get(&key).cloned().unwrap_or_default(), want, "{label}: {key:?}");
        checked += 1;
    }
    assert_eq!(checked, 79, "every app-python entry of expected-matches.json");
    // No finding for a package the expectations do not name (the Debian 12 packages have no
    // Debian:12 records in vulndata), and none for PyJWT, deleted in layer 6.
    for key in got.keys() {
        assert!(
            expected.iter().any(|e| e["image"] == "app-python"
                && e["ecosystem"] == key.0
                && e["name"] == key.1
                && e["version"] == key.2),
            "{label}: unexpected finding for {key:?}"
        );
        assert_ne!(key.1, "PyJWT");
    }
}

#[test]
fn every_expected_match_from_every_source_form() {
    let db = database();
    let archive = format!("docker-archive:{}", corpus().join("archives/app-python.tar").display());
    let layout = format!("oci:{}:latest", corpus().join("oci/app-python").display());
    let (code, report, _) = scan(&db, &["image", &archive]);
    assert_eq!(code, Some(0));
    assert_expected(&report, "docker-archive");
    let (_, report, _) = scan(&db, &["image", &layout]);
    assert_expected(&report, "oci");
    let registry = Registry::start(false);
    let (_, report, _) = scan(&db, &["image", "--insecure", &format!("{}/app-python:latest", registry.host)]);
    assert_expected(&report, "registry");

    // Ranked most urgent first: severity never increases down the list.
    let order = ["critical", "high", "medium", "low", "negligible", "unknown"];
    let ranks: Vec<usize> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| order.iter().position(|l| *l == f["severity"]["level"].as_str().unwrap()).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert!(report["findings"].as_array().unwrap().iter().all(|f| !f["risk"].as_str().unwrap_or_default().is_empty()));
}

#[test]
fn sbom_scan_rematches_a_saved_sbom() {
    let db = database();
    let layout = format!("oci:{}:latest", corpus().join("oci/app-python").display());
    let tmp = tempfile::tempdir().unwrap();
    let sbom = tmp.path().join("app.cdx.json");
    let out = bulwark(&["sbom", "-f", "cyclonedx", "-o", sbom.to_str().unwrap(), &layout]);
    assert!(out.status.success());
    let (code, report, stderr) = scan(&db, &["sbom-scan", sbom.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_expected(&report, "sbom-scan");
}

#[test]
fn fail_on_sets_the_exit_code_and_flags_filter() {
    let db = database();
    let layout = format!("oci:{}:latest", corpus().join("oci/app-python").display());
    let (code, report, _) = scan(&db, &["image", "--fail-on", "high", &layout]);
    assert_eq!(code, Some(1), "app-python has HIGH and CRITICAL findings");
    assert!(!report["findings"].as_array().unwrap().is_empty(), "the report is still written");

    let (code, report, _) = scan(&db, &["image", "--severity", "CRITICAL", &layout]);
    assert_eq!(code, Some(0));
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty() && findings.iter().all(|f| f["severity"]["level"] == "critical"));

    let (_, all, _) = scan(&db, &["image", &layout]);
    let (_, fixed_only, _) = scan(&db, &["image", "--ignore-unfixed", &layout]);
    let n = |r: &Value| r["findings"].as_array().unwrap().len();
    assert!(n(&fixed_only) <= n(&all));
    assert!(fixed_only["findings"].as_array().unwrap().iter().all(|f| !f["fixed"].as_array().unwrap().is_empty()));

    let out = bulwark(&["image", "--cache-dir", db.path().to_str().unwrap(), "--fail-on", "SEVERE", &layout]);
    assert_eq!(out.status.code(), Some(2), "an unknown severity is a usage error");
}

#[test]
fn no_database_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let layout = format!("oci:{}:latest", corpus().join("oci/debian-min").display());
    let out = bulwark(&["image", "--cache-dir", empty.path().to_str().unwrap(), &layout]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("bulwark db update") && stderr.contains(empty.path().to_str().unwrap()), "{stderr}");
}

#[test]
fn an_old_database_warns_and_still_scans() {
    let db = database();
    // Pretend the last import was years ago (Python's sqlite3 edits the real database file).
    let file = db.path().join("vulndb.sqlite");
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value='2020-01-01T00:00:00Z' WHERE key='last_import'\"); c.commit()",
            file.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let layout = format!("oci:{}:latest", corpus().join("oci/app-python").display());
    let (code, report, stderr) = scan(&db, &["image", &layout]);
    assert_eq!(code, Some(0), "never a refusal: {stderr}");
    assert!(stderr.contains("last updated") && stderr.contains("bulwark db update"), "{stderr}");
    assert_expected(&report, "old database");
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("last updated")));
}
