//! All of shared/vulndata imported from its `all.zip` exports, checked against `expected-matches.json`
//! (computed there by independent evaluators: npm `semver`, Python `packaging`, `dpkg`, `rpm`).

mod support;

use bulwark_vulndb::{import_path, match_packages, Store};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;
use support::{package, record_ids, vulndata};

/// Every loose record of vulndata, parsed as plain JSON (independently of this crate's model).
fn loose_records(root: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for eco in std::fs::read_dir(root.join("osv")).expect("osv dir") {
        let eco = eco.expect("entry").path();
        if !eco.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&eco).expect("eco dir") {
            let f = f.expect("entry").path();
            if f.extension().is_some_and(|e| e == "json") {
                let v: Value = serde_json::from_slice(&std::fs::read(&f).expect("read")).expect("json");
                out.insert(v["id"].as_str().expect("id").to_string(), v);
            }
        }
    }
    out
}

/// Number of groups when `ids` are joined through the records' `aliases` (the README's "# after alias merge").
fn alias_groups(ids: &BTreeSet<String>, records: &BTreeMap<String, Value>) -> usize {
    let keys: Vec<BTreeSet<String>> = ids
        .iter()
        .map(|id| {
            let mut k: BTreeSet<String> = records[id]["aliases"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default();
            k.insert(id.clone());
            k
        })
        .collect();
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    for k in keys {
        let (joined, rest): (Vec<_>, Vec<_>) = groups.into_iter().partition(|g| !g.is_disjoint(&k));
        let mut merged = k;
        for g in joined {
            merged.extend(g);
        }
        groups = rest;
        groups.push(merged);
    }
    groups.len()
}

#[test]
fn all_of_vulndata_matches_the_expected_ids() {
    let root = vulndata();
    let cache = tempfile::tempdir().expect("tempdir");
    let ecosystems = std::fs::read_to_string(root.join("osv/ecosystems.txt")).expect("ecosystems.txt");
    let started = Instant::now();
    let mut read = 0;
    for eco in ecosystems.lines().filter(|l| !l.trim().is_empty()) {
        let report = import_path(cache.path(), &root.join("osv").join(eco).join("all.zip")).expect("import");
        read += report.read;
    }
    let elapsed = started.elapsed();
    let records = loose_records(&root);
    assert_eq!(read, records.len() as u64, "every zip entry imported");
    let store = Store::open(cache.path()).expect("open");
    let status = store.status().expect("status");
    println!(
        "import: {read} records in {:.3}s ({:.0}/s, debug build), database {} bytes",
        elapsed.as_secs_f64(),
        read as f64 / elapsed.as_secs_f64(),
        status.size_bytes
    );
    let withdrawn: BTreeSet<&String> =
        records.iter().filter(|(_, v)| v.get("withdrawn").is_some()).map(|(k, _)| k).collect();
    assert_eq!((status.records, status.withdrawn), (records.len() as u64, withdrawn.len() as u64));
    // The newest `modified` per language ecosystem equals the first line of that folder's modified_id.csv.
    for eco in ["crates.io", "PyPI", "npm"] {
        let csv = std::fs::read_to_string(root.join("osv").join(eco).join("modified_id.csv")).expect("csv");
        let newest = csv.lines().next().and_then(|l| l.split(',').next()).expect("line");
        let got = status.ecosystems.iter().find(|e| e.ecosystem == eco).expect("ecosystem in status");
        assert_eq!(got.newest_modified.as_deref(), Some(newest), "{eco}");
    }

    let expected: Vec<Value> =
        serde_json::from_slice(&std::fs::read(root.join("expected-matches.json")).expect("read")).expect("json");
    let mut packages = Vec::new();
    let mut want = Vec::new();
    for e in &expected {
        let s = |k: &str| e[k].as_str().expect(k).to_string();
        packages.push(package(&s("ecosystem"), &s("name"), &s("version")));
        let ids: BTreeSet<String> =
            e["ids"].as_array().expect("ids").iter().map(|x| x.as_str().expect("id").to_string()).collect();
        want.push(ids);
    }
    let started = Instant::now();
    let found = match_packages(&store, &packages).expect("match");
    println!("match: {} packages in {:.2} ms (debug build)", packages.len(), started.elapsed().as_secs_f64() * 1e3);
    let mut by_package: HashMap<usize, Vec<bulwark_vulndb::Finding>> = HashMap::new();
    for f in found {
        by_package.entry(f.package).or_default().push(f);
    }
    let mut failures = Vec::new();
    let mut with_findings = 0;
    for (i, (pkg, ids)) in packages.iter().zip(&want).enumerate() {
        let findings = by_package.remove(&i).unwrap_or_default();
        let got = record_ids(&findings);
        if &got != ids {
            failures.push(format!("{} {}@{}: got {got:?}, want {ids:?}", pkg.ecosystem, pkg.name, pkg.version));
            continue;
        }
        if !ids.is_empty() {
            with_findings += 1;
        }
        let groups = alias_groups(ids, &records);
        if findings.len() != groups {
            failures.push(format!("{}@{}: {} findings, {groups} alias groups", pkg.name, pkg.version, findings.len()));
        }
        for f in &findings {
            assert!(f.records.contains(&f.id), "primary id is a matched record");
            assert!(!f.evidence.is_empty());
            assert!(f.records.iter().all(|r| !withdrawn.contains(r)), "withdrawn record {r:?} matched", r = f.records);
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    // vulndata's README: 20 affected app-python packages plus 9 affected OS samples.
    assert!(with_findings >= 29, "only {with_findings} affected packages checked");
    println!("{} expected entries checked, {with_findings} with findings", packages.len());
}

#[test]
fn the_readme_alias_merge_counts_hold() {
    // vulndata README, "Expected matches": PyYAML@5.3 3 ids / 2 groups, Jinja2@2.10 6 ids / 4 groups.
    let root = vulndata();
    let cache = tempfile::tempdir().expect("tempdir");
    import_path(cache.path(), &root.join("osv/PyPI/all.zip")).expect("import");
    let store = Store::open(cache.path()).expect("open");
    for (name, version, ids, groups) in [("PyYAML", "5.3", 3, 2), ("Jinja2", "2.10", 6, 4)] {
        let f = match_packages(&store, &[package("PyPI", name, version)]).expect("match");
        assert_eq!((record_ids(&f).len(), f.len()), (ids, groups), "{name}");
    }
}

#[test]
fn withdrawn_records_never_match_the_versions_they_list() {
    let root = vulndata();
    let cache = tempfile::tempdir().expect("tempdir");
    for eco in ["PyPI", "crates.io"] {
        import_path(cache.path(), &root.join("osv").join(eco).join("all.zip")).expect("import");
    }
    let store = Store::open(cache.path()).expect("open");
    let mut checked = 0;
    for (id, rec) in loose_records(&root).iter().filter(|(_, v)| v.get("withdrawn").is_some()) {
        for a in rec["affected"].as_array().expect("affected") {
            let eco = a["package"]["ecosystem"].as_str().expect("eco");
            let name = a["package"]["name"].as_str().expect("name");
            // A version the record itself says is affected: listed, else an `introduced` bound.
            let listed = a["versions"].as_array().and_then(|v| v.first()).and_then(Value::as_str);
            let introduced = a["ranges"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["events"].as_array().into_iter().flatten())
                .filter_map(|e| e["introduced"].as_str())
                .find(|v| *v != "0" && *v != "0.0.0-0");
            let Some(version) = listed.or(introduced).or(Some("0.0.1")) else { continue };
            let f = match_packages(&store, &[package(eco, name, version)]).expect("match");
            assert!(!record_ids(&f).contains(id), "withdrawn {id} matched {name}@{version}");
            checked += 1;
        }
    }
    assert_eq!(checked, 23, "all 23 withdrawn records checked");
}
