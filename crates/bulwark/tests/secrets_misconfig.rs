//! Secrets and misconfigurations through the CLI on the real corpus images: every secret planted in
//! `app-python` (the deleted one with its layer), the image-config problems planted there, the
//! Dockerfile and Kubernetes manifest it carries, and no false positive on `debian-min`.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{bulwark, corpus, truth};

fn archive(image: &str) -> String {
    format!("docker-archive:{}", corpus().join("archives").join(format!("{image}.tar")).display())
}

fn scan(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = bulwark(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stderr}"));
    (out.status.code(), report, stderr)
}

fn list<'a>(report: &'a Value, key: &str) -> &'a Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    report[key].as_array().unwrap_or(&EMPTY)
}

fn check_ids(report: &Value) -> BTreeSet<String> {
    list(report, "misconfigurations").iter().map(|m| m["check_id"].as_str().unwrap().to_string()).collect()
}

/// Extracts layer 5 of app-python (config/, Dockerfile, k8s/, old-credentials.txt) into a temp dir.
fn layer5() -> tempfile::TempDir {
    let oci = corpus().join("oci/app-python");
    let blob = |digest: &str| oci.join("blobs/sha256").join(digest.trim_start_matches("sha256:"));
    let index: Value = serde_json::from_slice(&std::fs::read(oci.join("index.json")).unwrap()).unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap())
            .unwrap();
    let layer = blob(manifest["layers"][4]["digest"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(layer).unwrap());
    tar::Archive::new(gz).unpack(dir.path()).unwrap();
    dir
}

#[test]
fn app_python_planted_secrets_are_all_found_and_never_printed() {
    let (code, report, stderr) = scan(&["image", &archive("app-python"), "--scanners", "secret", "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let secrets = list(&report, "secrets");
    let find = |target: &str, rule_part: &str| {
        secrets
            .iter()
            .find(|s| s["target"] == target && s["rule_id"].as_str().unwrap().contains(rule_part))
            .unwrap_or_else(|| panic!("no {rule_part} secret in {target}: {secrets:#?}"))
    };
    let planted = truth("app-python")["planted_secrets"].as_array().unwrap().clone();
    for p in &planted {
        let kind = p["kind"].as_str().unwrap();
        let path = p["path"].as_str().unwrap();
        let rule = match kind {
            k if k.starts_with("private-key") => "private-key",
            k if k.contains("password") => "password",
            k => k.trim_end_matches("-id"),
        };
        if p["layer"] == "config" {
            // config.Env + history: both places carry the password.
            let env = find("config.Env[1]", rule);
            assert!(env["layer"].is_null());
            let history = secrets.iter().find(|s| {
                s["target"].as_str().unwrap().starts_with("history[") && s["rule_id"].as_str().unwrap().contains(rule)
            });
            assert!(history.is_some(), "password in history not found");
            continue;
        }
        let found = find(path, rule);
        assert_eq!(found["layer"]["index"], p["layer"], "{kind} in {path}");
        assert_eq!(found["deleted"].as_bool().unwrap_or(false), p["deleted"].as_bool().unwrap(), "{kind} in {path}");
        assert!(found["line"].as_u64().is_some_and(|l| l >= 1));
        assert_eq!(found["fingerprint"].as_str().unwrap().len(), 32);
    }
    // AWS's documented example values are reported as examples at LOW.
    let aws = find("/app/config/.env", "aws-access-key");
    assert_eq!(aws["example"], true);
    assert_eq!(aws["severity"], "low");
    let github = find("/app/config/.env", "github");
    assert_eq!(github["line"], 4);
    assert!(github["severity"] == "critical" || github["severity"] == "high");
    // No secret value appears in any output format.
    for format in ["json", "table", "sarif"] {
        let out = bulwark(&["image", &archive("app-python"), "--scanners", "secret", "-f", format]);
        let text = String::from_utf8_lossy(&out.stdout);
        for p in &planted {
            let value = p["value"].as_str().unwrap();
            let secret = value.split_once('=').map_or(value, |(_, v)| v);
            if !secret.starts_with("-----") {
                assert!(!text.contains(secret), "{format} output leaks {secret}");
            }
        }
    }
}

#[test]
fn the_same_secrets_from_the_oci_layout_and_the_archive() {
    let oci = format!("oci:{}", corpus().join("oci/app-python").display());
    let fingerprints = |reference: &str| -> BTreeSet<(String, String)> {
        let (_, report, _) = scan(&["image", reference, "--scanners", "secret", "-f", "json"]);
        list(&report, "secrets")
            .iter()
            .map(|s| (s["fingerprint"].as_str().unwrap().into(), s["target"].as_str().unwrap().into()))
            .collect()
    };
    let a = fingerprints(&archive("app-python"));
    assert!(!a.is_empty());
    assert_eq!(a, fingerprints(&oci));
}

#[test]
fn debian_min_has_no_secrets() {
    let (code, report, stderr) = scan(&["image", &archive("debian-min"), "--scanners", "secret", "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let real: Vec<&Value> = list(&report, "secrets").iter().filter(|s| s["example"] != true).collect();
    assert!(real.is_empty(), "false positives on debian-min: {real:#?}");
}

#[test]
fn app_python_image_misconfigurations() {
    let (code, report, stderr) = scan(&["image", &archive("app-python"), "--scanners", "misconfig", "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let misconfigs = list(&report, "misconfigurations");
    let image_checks: BTreeSet<&str> =
        misconfigs.iter().filter(|m| m["kind"] == "image").map(|m| m["title"].as_str().unwrap()).collect();
    for title in ["Image runs as root", "No HEALTHCHECK", "Port 22 exposed", "Secret in ENV"] {
        assert!(image_checks.contains(title), "missing {title}: {image_checks:?}");
    }
    // The password never appears in a message.
    let text = serde_json::to_string(misconfigs).unwrap();
    assert!(!text.contains("Sup3rS3cret"));
    // The Dockerfile and the manifest inside the image are checked too, with lines.
    let in_file = |target: &str| -> Vec<&Value> { misconfigs.iter().filter(|m| m["target"] == target).collect() };
    let dockerfile = in_file("/app/Dockerfile");
    let manifest = in_file("/app/k8s/deployment.yaml");
    assert!(dockerfile.len() >= 7, "{dockerfile:#?}");
    assert!(manifest.len() >= 7, "{manifest:#?}");
    assert!(dockerfile.iter().chain(&manifest).all(|m| m["start_line"].as_u64().is_some()));
    // debian-min: root and no healthcheck, but no Dockerfile/manifest/cache findings.
    let (_, base, _) = scan(&["image", &archive("debian-min"), "--scanners", "misconfig", "-f", "json"]);
    let titles: BTreeSet<&str> =
        list(&base, "misconfigurations").iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert!(titles.contains("Image runs as root") && titles.contains("No HEALTHCHECK"), "{titles:?}");
    assert!(!titles.contains("Port 22 exposed") && !titles.contains("Secret in ENV"), "{titles:?}");
}

#[test]
fn config_verb_on_the_planted_dockerfile_and_manifest() {
    let dir = layer5();
    let app = dir.path().join("app");
    let (code, report, stderr) = scan(&["config", app.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["scanners"], serde_json::json!(["misconfig"]));
    assert!(report["findings"].as_array().is_none_or(|f| f.is_empty()));
    let by_file = |suffix: &str| -> BTreeSet<String> {
        list(&report, "misconfigurations")
            .iter()
            .filter(|m| m["target"].as_str().unwrap().ends_with(suffix))
            .map(|m| format!("{}:{}", m["title"].as_str().unwrap(), m["start_line"]))
            .collect()
    };
    let dockerfile = by_file("/Dockerfile");
    for expected in [
        "Base image pinned to \"latest\":2",
        "ADD used where COPY serves:5",
        "ADD used where COPY serves:6",
        "apt-get install without --no-install-recommends:3",
        "Port 22 exposed:8",
        "Secret in ENV or ARG:7",
    ] {
        assert!(dockerfile.contains(expected), "missing {expected}: {dockerfile:#?}");
    }
    let manifest = by_file("deployment.yaml");
    for expected in ["Privileged container:18", "runAsUser set to root:19", "Privilege escalation allowed:20"] {
        assert!(manifest.contains(expected), "missing {expected}: {manifest:#?}");
    }
    let all = check_ids(&report);
    // One file at a time gives the same findings for that file.
    let (_, single, _) = scan(&["config", app.join("Dockerfile").to_str().unwrap(), "-f", "json"]);
    assert!(check_ids(&single).is_subset(&all));
    assert!(!check_ids(&single).is_empty());
    // --fail-on gates; --severity filters.
    let (code, _, _) = scan(&["config", app.to_str().unwrap(), "-f", "json", "--fail-on", "high"]);
    assert_eq!(code, Some(1));
    let (code, critical, _) =
        scan(&["config", app.to_str().unwrap(), "-f", "json", "--fail-on", "high", "--severity", "critical"]);
    assert_eq!(code, Some(0));
    assert!(list(&critical, "misconfigurations").iter().all(|m| m["severity"] == "critical"));
}

#[test]
fn fs_verb_finds_secrets_and_config_in_a_tree() {
    let dir = layer5();
    let (code, report, stderr) =
        scan(&["fs", dir.path().to_str().unwrap(), "--scanners", "secret,misconfig", "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let targets: BTreeSet<&str> = list(&report, "secrets").iter().map(|s| s["target"].as_str().unwrap()).collect();
    for t in ["/app/config/.env", "/app/config/id_rsa", "/app/old-credentials.txt", "/app/Dockerfile"] {
        assert!(targets.contains(t), "{t}: {targets:?}");
    }
    assert!(list(&report, "secrets").iter().all(|s| s["deleted"] != true && s["layer"].is_null()));
    assert!(check_ids(&report).iter().any(|id| id.starts_with("BW-DF-")));
    assert!(check_ids(&report).iter().any(|id| id.starts_with("BW-K8S-")));
}

/// A file that floods one secret rule: the rule's first 1,000 matches, a warning naming file and
/// rule on stderr and in the report, and the other rules' secrets in the same file all the same.
#[test]
fn a_flooded_rule_is_a_warning_and_hides_no_other_secret() {
    let dir = tempfile::tempdir().unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut text: String = (0..1200)
        .map(|n| {
            format!("key {n}: AKIA{}\n", (0..16).map(|i| char::from(alphabet[(n + i * 11) % 32])).collect::<String>())
        })
        .collect();
    text.push_str("GITHUB_TOKEN=ghp_n5N5LBS9QN3JFCVJwnh8S0z054LYyVc1pFRS\n");
    std::fs::write(dir.path().join("keys.txt"), text).unwrap();
    let (code, report, stderr) = scan(&["fs", dir.path().to_str().unwrap(), "--scanners", "secret", "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let rules: Vec<&str> = list(&report, "secrets").iter().map(|s| s["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules.iter().filter(|r| **r == "aws-access-key-id").count(), 1000);
    assert_eq!(rules.iter().filter(|r| **r == "github-pat").count(), 1, "{rules:?}");
    let warning = "/keys.txt: secret rule(s) aws-access-key-id matched more than 1000 times";
    assert!(stderr.contains(&format!("warning: {warning}")), "{stderr}");
    assert!(list(&report, "warnings").iter().any(|w| w.as_str().is_some_and(|w| w.starts_with(warning))), "{report}");
}

#[test]
fn ignore_file_suppresses_secrets_and_checks_with_reasons() {
    let (_, report, _) = scan(&["image", &archive("app-python"), "--scanners", "secret,misconfig", "-f", "json"]);
    let gitlab = list(&report, "secrets").iter().find(|s| s["rule_id"] == "gitlab-pat").unwrap().clone();
    let fingerprint = gitlab["fingerprint"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        format!(
            "ignore:\n  - id: {fingerprint}\n    reason: token revoked on 2025-06-02\n  - id: BW-IMG-002\n    reason: orchestrator probes\n  - id: BW-DF-006\n    paths: [\"/app/Dockerfile\"]\n    reason: example file\n"
        ),
    )
    .unwrap();
    let (code, after, stderr) = scan(&[
        "image",
        &archive("app-python"),
        "--scanners",
        "secret,misconfig",
        "-f",
        "json",
        "--ignore-file",
        ignore.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(list(&after, "secrets").iter().all(|s| s["fingerprint"] != fingerprint));
    assert_eq!(list(&after, "secrets").len() + 1, list(&report, "secrets").len());
    let hidden = list(&after, "suppressed_secrets");
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0]["reason"], "token revoked on 2025-06-02");
    assert!(!check_ids(&after).contains("BW-IMG-002") && !check_ids(&after).contains("BW-DF-006"));
    let hidden: BTreeSet<&str> =
        list(&after, "suppressed_misconfigurations").iter().map(|s| s["item"]["check_id"].as_str().unwrap()).collect();
    assert_eq!(hidden, BTreeSet::from(["BW-IMG-002", "BW-DF-006"]));
    // The table says what was hidden.
    let table = bulwark(&[
        "image",
        &archive("app-python"),
        "--scanners",
        "secret,misconfig",
        "-f",
        "table",
        "--ignore-file",
        ignore.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("1 secret suppressed by the ignore file"), "{text}");
    assert!(text.contains("2 misconfigurations suppressed by the ignore file"), "{text}");
}

#[test]
fn rego_policies_run_with_the_builtin_checks() {
    let policies = support::workspace().join("examples/policies");
    if !Path::new(&policies).is_dir() {
        panic!("examples/policies is missing");
    }
    let dir = layer5();
    let (code, report, stderr) = scan(&[
        "config",
        dir.path().join("app").to_str().unwrap(),
        "--policy",
        policies.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let from_rego: Vec<&Value> = list(&report, "misconfigurations")
        .iter()
        .filter(|m| m["source"].as_str().unwrap().ends_with(".rego"))
        .collect();
    assert!(!from_rego.is_empty(), "no Rego finding: {stderr}");
    // A policy that does not parse is an error naming the file.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("broken.rego"), "package user.kubernetes.x\ndeny[msg {\n").unwrap();
    let out = bulwark(&["config", dir.path().to_str().unwrap(), "--policy", bad.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.rego"));
}

#[test]
fn image_scan_with_every_scanner_writes_valid_sarif() {
    let out = bulwark(&["image", &archive("app-python"), "--scanners", "secret,misconfig", "-f", "sarif"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: BTreeSet<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert!(rules.contains("github-pat") && rules.contains("BW-IMG-001"), "{rules:?}");
    assert!(results.iter().any(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some()));
}

#[test]
fn config_verb_bad_input_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("broken.yaml");
    std::fs::write(
        &yaml,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n   image: b\n",
    )
    .unwrap();
    let out = bulwark(&["config", yaml.to_str().unwrap(), "-f", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml:") && stderr.contains("invalid YAML"), "{stderr}");
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM debian:12\nRUN <<EOF\napt-get update\n").unwrap();
    let out = bulwark(&["config", dockerfile.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Dockerfile:2") || stderr.contains("Dockerfile:3"), "{stderr}");
    // In a directory, the broken files are warnings naming them and the good ones are still checked.
    std::fs::write(dir.path().join("good.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    image: b:1\n").unwrap();
    let (code, report, stderr) = scan(&["config", dir.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let warnings = report["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("broken.yaml")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("Dockerfile")), "{warnings:?}");
    assert!(!warnings.iter().any(|w| w.as_str().unwrap().contains("huge.dockerfile")), "{warnings:?}");
    assert!(list(&report, "misconfigurations")
        .iter()
        .any(|m| m["target"].as_str().unwrap().ends_with("good.yaml")
            && m["message"].as_str().unwrap().contains("hostPID")));
    // A config file over the 4 MiB bound is named in a warning, not skipped silently.
    let mut huge = b"FROM debian:12\nUSER root\n".to_vec();
    huge.resize(5 * 1024 * 1024, b'#');
    std::fs::write(dir.path().join("huge.dockerfile"), &huge).unwrap();
    let (code, report, stderr) = scan(&["config", dir.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| {
            let w = w.as_str().unwrap();
            w.contains("huge.dockerfile: 5242880 bytes") && w.contains("not checked")
        }),
        "{warnings:?}"
    );
    assert!(!list(&report, "misconfigurations").iter().any(|m| m["target"].as_str().unwrap().contains("huge")));
    // A missing path is an input error.
    let out = bulwark(&["config", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
}
