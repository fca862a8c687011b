//! Every built-in Dockerfile check against its fixtures in `testdata/dockerfile/checks/`:
//! `<ID>.pass.Dockerfile` must give no hit for that check; every other `<ID>.*.Dockerfile` declares the
//! line spans it must give in a `# expect: 3 5-7` comment, and gives exactly those.

use bulwark_misconfig::dockerfile::{check, parse, CHECKS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixture directory.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/dockerfile/checks")
}

/// The spans a fixture declares: `# expect: 3 5-7` → {(3,3), (5,7)}.
fn expected(text: &str, name: &str) -> BTreeSet<(u32, u32)> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# expect:"))
        .unwrap_or_else(|| panic!("{name}: no `# expect:` line"));
    line.split_whitespace()
        .map(|span| match span.split_once('-') {
            Some((a, b)) => (a.parse().expect("start"), b.parse().expect("end")),
            None => {
                let n = span.parse().expect("line");
                (n, n)
            }
        })
        .collect()
}

/// The spans one check gives on a fixture.
fn spans(id: &str, text: &str, name: &str) -> BTreeSet<(u32, u32)> {
    let dockerfile = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let check = CHECKS.iter().find(|c| c.meta.id == id).unwrap_or_else(|| panic!("{name}: no check {id}"));
    (check.run)(&dockerfile)
        .into_iter()
        .map(|hit| (hit.start_line.expect("start line"), hit.end_line.expect("end line")))
        .collect()
}

#[test]
fn every_check_has_a_pass_and_a_fail_fixture() {
    for check in CHECKS {
        for kind in ["pass", "fail"] {
            let path = fixtures().join(format!("{}.{kind}.Dockerfile", check.meta.id));
            assert!(path.is_file(), "missing fixture {}", path.display());
        }
    }
}

#[test]
fn fixtures_give_exactly_the_declared_hits() {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(fixtures()).expect("fixture dir").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let mut checked = 0;
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let Some((id, rest)) = name.split_once('.') else { continue };
        let text = std::fs::read_to_string(&path).expect("read fixture");
        let got = spans(id, &text, &name);
        if rest == "pass.Dockerfile" {
            assert!(got.is_empty(), "{name}: {id} should not fire, fired at {got:?}");
        } else {
            let want = expected(&text, &name);
            assert!(!want.is_empty(), "{name}: a failing fixture must expect hits");
            assert_eq!(got, want, "{name}: {id} hit spans");
        }
        checked += 1;
    }
    assert!(checked >= 2 * CHECKS.len(), "only {checked} fixtures");
}

#[test]
fn ids_are_unique_and_metadata_complete() {
    let mut ids = BTreeSet::new();
    for check in CHECKS {
        assert!(ids.insert(check.meta.id), "duplicate id {}", check.meta.id);
        assert!(check.meta.id.starts_with("BW-DF-"), "{}", check.meta.id);
        assert!(
            !check.meta.title.is_empty() && !check.meta.description.is_empty() && !check.meta.remediation.is_empty()
        );
    }
}

#[test]
fn check_names_file_stage_and_lines() {
    let text = std::fs::read_to_string(fixtures().join("BW-DF-006.fail.Dockerfile")).expect("read");
    let findings = check("app/Dockerfile", &text).expect("parses");
    let latest: Vec<_> = findings.iter().filter(|f| f.check_id == "BW-DF-006").collect();
    assert_eq!(latest.len(), 2);
    assert_eq!(latest[1].target, "app/Dockerfile");
    assert_eq!(latest[1].resource.as_deref(), Some("tools (docker.io/library/alpine:latest)"));
    assert_eq!((latest[1].start_line, latest[1].end_line), (Some(2), Some(2)));
    assert!(latest[1].mappings.iter().any(|m| m.control == "DL3007"));
    assert_eq!(latest[1].source, "builtin");
}

#[test]
fn check_errors_name_the_file() {
    let err =
        check("svc/Dockerfile", "FROM debian:12\nRUN <<EOF\necho never closed\n").expect_err("unterminated heredoc");
    let text = err.to_string();
    assert!(text.starts_with("svc/Dockerfile:2:"), "{text}");
    assert!(text.contains("EOF"), "{text}");
}

#[test]
fn ignore_pragmas_suppress_by_hadolint_code_or_check_id() {
    let text = "# hadolint global ignore=DL3057\nFROM debian:latest\n# hadolint ignore=DL3008,DL3015\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n# bulwark ignore=BW-DF-032\n\nENV DB_PASSWORD=not-real\n# BULWARK ignore=bw-df-007\nRUN apt-get install -y git\n";
    let found: BTreeSet<(String, u32)> = check("Dockerfile", text)
        .expect("parses")
        .into_iter()
        .map(|f| (f.check_id, f.start_line.expect("line")))
        .collect();
    let has = |id: &str, line: u32| found.contains(&(id.to_string(), line));
    assert!(!has("BW-DF-029", 2), "global DL3057 ignore");
    assert!(!has("BW-DF-007", 4) && !has("BW-DF-011", 4), "DL3008/DL3015 ignored on line 4");
    assert!(has("BW-DF-006", 2) && has("BW-DF-028", 2), "other checks still run");
    assert!(has("BW-DF-032", 7), "a blank line ends the pragma's reach");
    assert!(!has("BW-DF-007", 9) && has("BW-DF-011", 9), "bulwark ignore by check id, case-insensitive");
}
