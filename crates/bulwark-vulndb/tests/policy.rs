//! Scan policy on real findings: the app-python image's inventory (written by `bulwark sbom`)
//! matched against shared/vulndata, then filtered, suppressed (ignore files, OpenVEX) and ranked.
//! The ignore files and VEX documents are in tests/data/policy (see its README).

mod support;

use bulwark_types::{Epss, Finding, Inventory, Kev, Level};
use bulwark_vulndb::policy::{self, Applied, IgnoreFile, Policy, PolicyError, VexDocument};
use bulwark_vulndb::{import_path, match_packages, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/policy").join(name)
}

/// An inventory written by `bulwark sbom -f json`, and its findings against vulndata's PyPI and npm records.
fn scan(inventory: &str) -> (Inventory, Vec<Finding>) {
    let inv: Inventory = serde_json::from_slice(&std::fs::read(data(inventory)).expect("read")).expect("inventory");
    let root = support::vulndata();
    let cache = tempfile::tempdir().expect("tempdir");
    for eco in ["PyPI", "npm"] {
        import_path(cache.path(), &root.join("osv").join(eco).join("all.zip")).expect("import");
    }
    let store = Store::open(cache.path()).expect("open");
    let findings = match_packages(&store, &inv.packages).expect("match");
    (inv, findings)
}

fn app_python() -> &'static (Inventory, Vec<Finding>) {
    static SCAN: OnceLock<(Inventory, Vec<Finding>)> = OnceLock::new();
    SCAN.get_or_init(|| scan("app-python.inventory.json"))
}

fn policy(today: &str) -> Policy {
    Policy { today: today.to_string(), ..Policy::default() }
}

fn ignore(name: &str) -> IgnoreFile {
    IgnoreFile::load(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn vex(name: &str) -> VexDocument {
    VexDocument::load(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(policy: &Policy) -> Applied {
    let (inv, findings) = app_python();
    policy::apply(policy, inv, findings.clone())
}

/// Suppressed finding id → (by, reason).
fn suppressed(applied: &Applied) -> BTreeMap<String, (String, String)> {
    applied.suppressed.iter().map(|s| (s.finding.id.clone(), (s.by.clone(), s.reason.clone()))).collect()
}

fn kept<'a>(applied: &'a Applied, id: &str) -> Option<&'a Finding> {
    applied.findings.iter().find(|f| f.id == id)
}

#[test]
fn the_real_scan_has_the_findings_these_tests_rely_on() {
    let (inv, findings) = app_python();
    assert_eq!(
        inv.target.manifest_digest.as_deref(),
        Some("sha256:3121fb1ef82f5896adc547a552c4465c80e738504eb1b3eb04f7175c3fc1da81")
    );
    assert_eq!(findings.len(), 68);
    let applied = run(&policy("2025-06-15"));
    assert_eq!(applied.findings.len(), 68, "an empty policy keeps everything");
    assert!(applied.suppressed.is_empty() && applied.warnings.is_empty(), "{:?}", applied.warnings);
    assert!(applied.findings.iter().all(|f| !f.risk.is_empty()), "risk is filled");
}

#[test]
fn each_ignore_rule_applies_as_written() {
    let file = ignore("app-python.ignore.yaml");
    assert_eq!(file.rules.len(), 11);
    let applied = run(&Policy { ignore: Some(file), ..policy("2025-06-15") });
    let want: BTreeMap<&str, &str> = [
        // rule 1: CVE alias of the GHSA finding, purl without version
        ("GHSA-462w-v97r-4m45", "the Jinja2 sandbox is not used; templates are part of the image"),
        // rule 4: a path glob over lodash's locations
        ("GHSA-p6mc-m468-83gw", "zipObjectDeep is never called by the app"),
        // rule 6: not yet expired
        ("PYSEC-2023-254", "no PKCS7 certificates are loaded"),
        // rule 7: package name
        ("GHSA-xvch-5gv4-984h", "minimist only parses our own fixed arguments"),
        // rule 8: name@version
        ("PYSEC-2023-228", "pip is not run at runtime"),
        // rule 11: lower-case id
        ("PYSEC-2024-60", "idna.encode is never given untrusted input"),
    ]
    .into_iter()
    .collect();
    let got = suppressed(&applied);
    assert_eq!(got.keys().map(String::as_str).collect::<Vec<_>>(), want.keys().copied().collect::<Vec<_>>());
    for (id, reason) in &want {
        assert_eq!(got[*id], ("ignore-file".to_string(), reason.to_string()), "{id}");
    }
    assert!(applied.suppressed.iter().all(|s| s.source.ends_with("app-python.ignore.yaml")));
    // Rules 2 (other version), 3 (other path), 5 (expired), 9 (qualifier), 10 (other package) do not apply.
    for id in [
        "GHSA-x84v-xcm2-53pg",
        "GHSA-jf85-cpcp-j695",
        "GHSA-8q59-q68h-6hv4",
        "GHSA-qwcr-r2fm-qrc7",
        "GHSA-hrpp-h998-j3pp",
    ] {
        assert!(kept(&applied, id).is_some(), "{id} should be kept");
    }
    assert_eq!(applied.findings.len() + applied.suppressed.len(), 68);
    assert_eq!(applied.warnings, ["ignore rule 5 (CVE-2020-14343) expired on 2025-01-01; no longer suppressing"]);
}

#[test]
fn expiry_follows_the_injected_date() {
    let file = ignore("app-python.ignore.yaml");
    let cases: [(&str, bool, bool, &[&str]); 4] = [
        // today, PyYAML (rule 5, expires 2025-01-01) suppressed, cryptography (rule 6, 2025-12-31) suppressed, warnings
        ("2024-12-31", true, true, &[]),
        ("2025-01-01", false, true, &["ignore rule 5 (CVE-2020-14343) expired on 2025-01-01; no longer suppressing"]),
        (
            "2026-01-01",
            false,
            false,
            &[
                "ignore rule 5 (CVE-2020-14343) expired on 2025-01-01; no longer suppressing",
                "ignore rule 6 (CVE-2023-49083) expired on 2025-12-31; no longer suppressing",
            ],
        ),
        (
            "soon",
            false,
            false,
            &[
                "today's date `soon` is not YYYY-MM-DD; every ignore rule with an expiry is treated as expired",
                "ignore rule 5 (CVE-2020-14343) expired on 2025-01-01; no longer suppressing",
                "ignore rule 6 (CVE-2023-49083) expired on 2025-12-31; no longer suppressing",
            ],
        ),
    ];
    for (today, pyyaml, cryptography, warnings) in cases {
        let applied = run(&Policy { ignore: Some(file.clone()), ..policy(today) });
        let got = suppressed(&applied);
        assert_eq!(got.contains_key("GHSA-8q59-q68h-6hv4"), pyyaml, "{today}");
        assert_eq!(got.contains_key("PYSEC-2023-254"), cryptography, "{today}");
        assert!(got.contains_key("GHSA-462w-v97r-4m45"), "rules without expiry always apply ({today})");
        assert_eq!(applied.warnings, warnings, "{today}");
    }
}

#[test]
fn plain_text_ignore_files_read_like_trivyignore() {
    let file = ignore("app-python.bulwarkignore");
    let rules: Vec<(&str, Option<&str>, &str)> =
        file.rules.iter().map(|r| (r.id.as_str(), r.expires.as_deref(), r.reason.as_str())).collect();
    let listed = format!("listed in {}", data("app-python.bulwarkignore").display());
    assert_eq!(
        rules,
        [
            ("CVE-2019-12781", None, "Django admin is not exposed"),
            ("CVE-2019-14232", Some("2025-01-01"), listed.as_str()),
            ("GHSA-qwcr-r2fm-qrc7", None, "body-parser sits behind a proxy that limits body sizes"),
            ("PYSEC-2023-175", Some("2099-12-31"), listed.as_str()),
        ]
    );
    let applied = run(&Policy { ignore: Some(file), ..policy("2025-06-15") });
    let got = suppressed(&applied);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["GHSA-qwcr-r2fm-qrc7", "PYSEC-2019-10", "PYSEC-2023-175"]);
    assert_eq!(got["PYSEC-2019-10"].1, "Django admin is not exposed");
    assert!(kept(&applied, "PYSEC-2019-11").is_some(), "CVE-2019-14232 expired");
    assert_eq!(applied.warnings, ["ignore rule 2 (CVE-2019-14232) expired on 2025-01-01; no longer suppressing"]);
}

#[test]
fn vex_statements_decide_findings() {
    let doc = vex("app-python.openvex.json");
    assert_eq!(doc.statements.len(), 16);
    let applied = run(&Policy { vex: vec![doc], ..policy("2025-06-15") });
    let got = suppressed(&applied);
    let want_suppressed = [
        // [0] image product, subcomponent jinja2
        ("GHSA-h75v-3vvj-5mfj", "not_affected: vulnerable_code_not_in_execute_path"),
        // [1] fixed, with notes
        ("GHSA-x84v-xcm2-53pg", "fixed: patched in our requests build"),
        // [4] is later than [5]
        ("GHSA-mh33-7rrq-662w", "not_affected: vulnerable_code_not_present"),
        // [9] named by an alias, product purl without version, impact statement only
        ("GHSA-g4mx-q9vg-27p4", "not_affected: request bodies are never sent on redirects"),
        // [11] the image by name, no subcomponents: every package
        ("GHSA-hrpp-h998-j3pp", "not_affected: inline_mitigations_already_exist"),
        // [13] subcomponent of a product that is in the image
        ("GHSA-m6fv-jmcg-4jfg", "not_affected: vulnerable_code_not_in_execute_path"),
        // [15] product identified by identifiers.purl
        ("GHSA-pxg6-pf52-xh8x", "fixed"),
    ];
    assert_eq!(got.len(), want_suppressed.len(), "{got:?}");
    for (id, reason) in want_suppressed {
        assert_eq!(got.get(id), Some(&("vex".to_string(), reason.to_string())), "{id}");
    }
    let want_annotated = [
        ("GHSA-9wx4-h78v-vm56", "VEX affected ("),
        ("GHSA-34jh-p97f-mpxf", "VEX under_investigation ("),
        // [7]'s last_updated (2024-06-01) is later than [6]'s inherited document timestamp (2024-05-01)
        ("GHSA-v845-jxx5-vc9f", "VEX affected ("),
    ];
    for (id, note) in want_annotated {
        let f = kept(&applied, id).unwrap_or_else(|| panic!("{id} kept"));
        assert!(f.risk.contains(note), "{id}: {}", f.risk);
    }
    let requests = kept(&applied, "GHSA-9wx4-h78v-vm56").expect("kept");
    assert!(requests.risk.ends_with("app-python.openvex.json): upgrade requests to 2.32.2"), "{}", requests.risk);
    // Not reached: a qualifier the package's purl lacks, another image's digest, a product not in the image.
    for id in ["GHSA-9wv6-86v2-598j", "GHSA-rv95-896h-c2vc", "GHSA-cm22-4g7w-348p"] {
        let f = kept(&applied, id).unwrap_or_else(|| panic!("{id} kept"));
        assert!(!f.risk.contains("VEX"), "{id}: {}", f.risk);
    }
    let unmatched: Vec<&str> =
        applied.warnings.iter().map(|w| w.rsplit_once(": ").map_or("", |(_, tail)| tail)).collect();
    assert_eq!(
        unmatched,
        [
            "VEX statement statements[8] (CVE-2024-45296, not_affected) matched no finding",
            "VEX statement statements[10] (CVE-2021-44228, not_affected) matched no finding",
            "VEX statement statements[12] (CVE-2024-29041, not_affected) matched no finding",
            "VEX statement statements[14] (CVE-2024-43800, not_affected) matched no finding",
        ]
    );
}

#[test]
fn the_latest_statement_wins_across_documents() {
    let first = vex("app-python.openvex.json");
    let update = vex("app-python.update.openvex.json");
    let urllib3 = "GHSA-34jh-p97f-mpxf"; // under_investigation 2024-05-01, then not_affected 2024-08-01
    let requests = "GHSA-9wx4-h78v-vm56"; // affected 2024-05-01; the update's statement says 2024-01-01
    let alone = run(&Policy { vex: vec![update.clone()], ..policy("2025-06-15") });
    assert!(suppressed(&alone).contains_key(urllib3));
    assert!(suppressed(&alone).contains_key(requests), "alone, the update's old statement applies");
    for docs in [vec![first.clone(), update.clone()], vec![update, first]] {
        let applied = run(&Policy { vex: docs, ..policy("2025-06-15") });
        let got = suppressed(&applied);
        assert_eq!(got.get(urllib3).map(|s| s.1.as_str()), Some("not_affected: no proxies are configured"));
        let f = kept(&applied, requests).expect("the 2024-05-01 affected statement is later than 2024-01-01");
        assert!(f.risk.contains("VEX affected"), "{}", f.risk);
    }
}

#[test]
fn severity_and_unfixed_filters() {
    let (_, findings) = app_python();
    let levels = policy::parse_levels("critical,HIGH").expect("levels");
    let applied = run(&Policy { severities: Some(levels.clone()), ..policy("2025-06-15") });
    let want = findings.iter().filter(|f| levels.contains(&f.severity.level)).count();
    assert_eq!(applied.findings.len(), want);
    assert!(applied.findings.iter().all(|f| f.severity.level >= Level::High));
    let criticals: Vec<&str> =
        applied.findings.iter().filter(|f| f.severity.level == Level::Critical).map(|f| f.id.as_str()).collect();
    assert_eq!(criticals, ["GHSA-8q59-q68h-6hv4", "GHSA-xvch-5gv4-984h", "GHSA-jf85-cpcp-j695"]);

    // Every app-python finding has a fixed version, so --ignore-unfixed keeps them all.
    assert!(findings.iter().all(|f| !f.fixed.is_empty()));
    assert_eq!(run(&Policy { ignore_unfixed: true, ..policy("2025-06-15") }).findings.len(), findings.len());

    // py 1.11.0 (installed with pip) is affected by PYSEC-2022-42969 up to `last_affected`: no fix.
    let (inv, py_findings) = scan("py-1.11.0.inventory.json");
    let ids = |a: &Applied| a.findings.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    let all = policy::apply(&policy("2025-06-15"), &inv, py_findings.clone());
    assert_eq!(ids(&all), ["PYSEC-2022-42969"]);
    assert!(all.findings[0].fixed.is_empty());
    let fixed_only = policy::apply(&Policy { ignore_unfixed: true, ..policy("2025-06-15") }, &inv, py_findings);
    assert!(fixed_only.findings.is_empty() && fixed_only.suppressed.is_empty());
}

#[test]
fn fail_on_counts_only_what_is_left_after_suppression() {
    let (_, findings) = app_python();
    assert!(policy::fails(findings, Level::Critical));
    let ignore_only = run(&Policy { ignore: Some(ignore("criticals.ignore.yaml")), ..policy("2025-06-15") });
    assert_eq!(ignore_only.suppressed.len(), 2);
    assert!(policy::fails(&ignore_only.findings, Level::Critical), "minimist is still critical");
    let both = run(&Policy {
        ignore: Some(ignore("criticals.ignore.yaml")),
        vex: vec![vex("criticals.openvex.json")],
        ..policy("2025-06-15")
    });
    assert_eq!(suppressed(&both).get("GHSA-xvch-5gv4-984h").map(|s| s.0.as_str()), Some("vex"));
    assert!(!policy::fails(&both.findings, Level::Critical), "VEX is honoured by --fail-on");
    assert!(policy::fails(&both.findings, Level::High));
    let lows = run(&Policy { severities: Some(vec![Level::Low]), ..policy("2025-06-15") });
    assert!(!policy::fails(&lows.findings, Level::Medium));
    assert!(policy::fails(&lows.findings, Level::Low));
    assert!(!policy::fails(&[], Level::Unknown));
}

#[test]
fn findings_rank_by_severity_then_kev_then_epss() {
    let (inv, findings) = app_python();
    let mut findings = findings.clone();
    let kev = |date: &str, ransomware| Kev { date_added: date.into(), due_date: String::new(), ransomware };
    let epss = |score, percentile| Epss { score, percentile, date: "2025-06-14".into() };
    for f in &mut findings {
        match f.id.as_str() {
            "GHSA-hrpp-h998-j3pp" => f.kev = Some(kev("2023-03-30", true)), // qs, HIGH 7.5
            "GHSA-9wv6-86v2-598j" => f.epss = Some(epss(0.94, 0.993)),      // path-to-regexp, HIGH 7.5
            "PYSEC-2024-60" => f.epss = Some(epss(0.2, 0.955)),             // idna, HIGH 7.5
            "GHSA-x84v-xcm2-53pg" => {
                // requests, HIGH 7.5: KEV and EPSS
                f.kev = Some(kev("2024-01-10", false));
                f.epss = Some(epss(0.00043, 0.12));
            }
            "GHSA-m6fv-jmcg-4jfg" => f.kev = Some(kev("2024-09-01", false)), // send, LOW 2.3
            _ => {}
        }
    }
    let applied = policy::apply(&policy("2025-06-15"), inv, findings);
    let order: Vec<&str> = applied.findings.iter().map(|f| f.id.as_str()).collect();
    // Severity and score first: the three criticals by score.
    assert_eq!(order[..3], ["GHSA-8q59-q68h-6hv4", "GHSA-xvch-5gv4-984h", "GHSA-jf85-cpcp-j695"]);
    // The HIGH 7.5 group: KEV first (then EPSS among them), then EPSS, then id.
    let high75: Vec<&str> = applied
        .findings
        .iter()
        .filter(|f| f.severity.level == Level::High && f.severity.score == Some(7.5))
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        high75,
        [
            "GHSA-x84v-xcm2-53pg",
            "GHSA-hrpp-h998-j3pp",
            "GHSA-9wv6-86v2-598j",
            "PYSEC-2024-60",
            "GHSA-mh33-7rrq-662w",
            "PYSEC-2023-254"
        ]
    );
    // KEV does not lift a LOW finding above any MEDIUM one.
    let send = order.iter().position(|id| *id == "GHSA-m6fv-jmcg-4jfg").expect("send");
    assert!(applied.findings[..send].iter().all(|f| f.severity.level >= Level::Low));
    assert!(applied.findings[send..].iter().all(|f| f.severity.level <= Level::Low));
    for pair in applied.findings.windows(2) {
        assert_ne!(policy::compare(&pair[0], &pair[1]), std::cmp::Ordering::Greater, "{} / {}", pair[0].id, pair[1].id);
    }
    let risk = |id: &str| applied.findings.iter().find(|f| f.id == id).map(|f| f.risk.as_str()).unwrap_or_default();
    let cases = [
        ("GHSA-hrpp-h998-j3pp", "HIGH (CVSS 7.5); in CISA KEV since 2023-03-30, used in ransomware campaigns"),
        ("GHSA-9wv6-86v2-598j", "HIGH (CVSS 7.5); EPSS 0.94 (99th percentile)"),
        ("GHSA-x84v-xcm2-53pg", "HIGH (CVSS 7.5); in CISA KEV since 2024-01-10; EPSS 0.00043 (12th percentile)"),
        ("GHSA-8q59-q68h-6hv4", "CRITICAL (CVSS 9.8); no exploitation data"),
        ("GHSA-4xc9-xhrj-v574", "HIGH (database severity); no exploitation data"),
        ("PYSEC-2019-10", "UNKNOWN (no severity in the database); no exploitation data"),
    ];
    for (id, want) in cases {
        assert_eq!(risk(id), want, "{id}");
    }
}

#[test]
fn malformed_documents_name_the_file_and_the_place() {
    let cases: &[(&str, &[&str])] = &[
        ("bad/context.openvex.json", &["@context: `https://example.com/ns` is not an OpenVEX context"]),
        ("bad/status.openvex.json", &["statements[1].status: unknown variant `exploitable`"]),
        (
            "bad/not-affected-without-justification.openvex.json",
            &["statements[0]: status `not_affected` needs a `justification` or an `impact_statement`"],
        ),
        ("bad/justification.openvex.json", &["statements[0].justification: unknown variant `trust_me`"]),
        ("bad/timestamp.openvex.json", &["statements[0].timestamp: `yesterday` is not an RFC 3339 timestamp"]),
        ("bad/no-timestamp.openvex.json", &["statements[0].timestamp: no timestamp in the statement or the document"]),
        ("bad/no-products.openvex.json", &["statements[0].products: a statement needs at least one product"]),
        ("bad/purl.openvex.json", &["statements[0].products[0].@id: `pkg:pypi` has no name after the type"]),
        ("bad/subcomponent.openvex.json", &["statements[0].products[0].subcomponents[0]: a subcomponent needs"]),
        (
            "bad/vulnerability-string.openvex.json",
            &["statements[0].vulnerability: invalid type: string \"CVE-2024-34064\", expected struct Vulnerability"],
        ),
        ("bad/no-statements.openvex.json", &["document: missing field `statements`"]),
        ("bad/truncated.openvex.json", &["statements[0].products[0].@id: EOF while parsing"]),
        ("bad/missing-reason.ignore.yaml", &["ignore rule 2 (line 4): missing field `reason`"]),
        ("bad/empty-reason.ignore.yaml", &["ignore rule 1, field `reason` (line 2): must not be empty"]),
        (
            "bad/expires.ignore.yaml",
            &["ignore rule 1, field `expires` (line 2): `2025-02-30` is not a YYYY-MM-DD date"],
        ),
        ("bad/unknown-field.ignore.yaml", &["ignore rule 2, field `reasons` (line 5): unknown field `reasons`"]),
        ("bad/glob.ignore.yaml", &["ignore rule 1, field `paths`", "`***` in path glob `/app/***`"]),
        ("bad/purl.ignore.yaml", &["ignore rule 1, field `package` (line 2): `pkg:pypi` has no name after the type"]),
        (
            "bad/not-a-list.ignore.yaml",
            &["field `ignore` (line 1): invalid type: string \"CVE-2019-10906\", expected a sequence"],
        ),
        ("bad/token.bulwarkignore", &["line 2: unexpected `until:2025-01-01`"]),
        ("bad/date.bulwarkignore", &["line 1: `2025-13-01` is not a YYYY-MM-DD date"]),
    ];
    for (name, wants) in cases {
        let path = data(name);
        let err = if name.ends_with(".json") {
            VexDocument::load(&path).map(|_| ()).expect_err(name)
        } else {
            IgnoreFile::load(&path).map(|_| ()).expect_err(name)
        };
        let text = err.to_string();
        assert!(text.starts_with(&path.display().to_string()), "{name}: {text}");
        for want in *wants {
            assert!(text.contains(want), "{name}: {text}\n  wanted: {want}");
        }
    }
    let missing = IgnoreFile::load(Path::new("/nonexistent/.bulwarkignore")).expect_err("missing file");
    assert!(matches!(missing, PolicyError::Io { .. }), "{missing}");
}

#[test]
fn severity_lists_parse_case_insensitively() {
    let ok = [
        ("CRITICAL,HIGH", vec![Level::Critical, Level::High]),
        ("critical, high ,Medium", vec![Level::Critical, Level::High, Level::Medium]),
        ("high,HIGH", vec![Level::High]),
        ("unknown,negligible,low", vec![Level::Unknown, Level::Negligible, Level::Low]),
    ];
    for (list, want) in ok {
        assert_eq!(policy::parse_levels(list).expect(list), want, "{list}");
    }
    for bad in ["", "HIGH,", "severe", "MODERATE"] {
        let err = policy::parse_levels(bad).expect_err(bad).to_string();
        assert!(err.contains("expected one of CRITICAL, HIGH, MEDIUM, LOW, NEGLIGIBLE, UNKNOWN"), "{err}");
    }
}
