//! The renderers on secrets and misconfigurations built from the real corpus `app-python` image:
//! its layer 5 (the planted secrets, `/app/Dockerfile`, `/app/k8s/deployment.yaml`) is unpacked
//! with `tar`, and each finding points at the real line that holds the planted value or the
//! offending instruction, as `bulwark image` / `bulwark config` report them. Secret values go only
//! into the fingerprint (SHA-256 by `sha256sum`); every format is checked never to show them.

mod support;

use bulwark_report::{render_report_with, ReportFormat};
use bulwark_types::{
    ConfigKind, Framework, LayerRef, Level, Mapping, Misconfiguration, ScanReport, SecretFinding,
    INVENTORY_SCHEMA_VERSION,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use support::*;

// ---------------------------------------------------------------------------------------------
// Fixture: the real layer 5 and the findings on it.

/// Layer 5 of app-python unpacked once per test binary, and its `LayerRef`.
fn layer5() -> &'static (tempfile::TempDir, LayerRef) {
    static L: OnceLock<(tempfile::TempDir, LayerRef)> = OnceLock::new();
    L.get_or_init(|| {
        let truth = read_json(&corpus().join("truth/app-python/truth.json"));
        let layer = &truth["layers"][4];
        assert_eq!(layer["index"], 5);
        let digest = str_of(layer, "digest").to_string();
        let blob = corpus().join("oci/app-python/blobs/sha256").join(digest.trim_start_matches("sha256:"));
        let dir = tempfile::tempdir().expect("temp dir");
        let status = Command::new("tar").arg("-xzf").arg(&blob).arg("-C").arg(dir.path()).status().expect("run tar");
        assert!(status.success(), "tar -xzf {}", blob.display());
        let diff_id = layer["diff_id"].as_str().map(str::to_string);
        (dir, LayerRef { index: 5, digest, diff_id })
    })
}

fn layer_file(path: &str) -> PathBuf {
    layer5().0.path().join(path.trim_start_matches('/'))
}

/// The planted values of truth.json (`DB_PASSWORD=…` reduced to the password) and the RSA key's body lines.
fn raw_values() -> Vec<String> {
    let truth = read_json(&corpus().join("truth/app-python/truth.json"));
    let mut values: Vec<String> = truth["planted_secrets"]
        .as_array()
        .expect("planted_secrets")
        .iter()
        .map(|s| str_of(s, "value"))
        .filter(|v| !v.starts_with("-----BEGIN"))
        .map(|v| v.split_once('=').map_or(v, |(_, secret)| secret).to_string())
        .collect();
    values.extend(key_body().lines().map(str::to_string));
    values.sort();
    values.dedup();
    assert!(values.len() > 10, "{values:?}");
    values
}

/// The base64 body of the planted RSA key.
fn key_body() -> String {
    let pem = read(&layer_file("/app/config/id_rsa"));
    pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("\n")
}

/// Hex of the first 16 bytes of SHA-256 over `rule \0 target \0 value`, by `sha256sum`.
fn fingerprint(rule: &str, target: &str, value: &str) -> String {
    let mut child =
        Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("run sha256sum");
    child.stdin.take().expect("stdin").write_all(format!("{rule}\0{target}\0{value}").as_bytes()).expect("write");
    let out = child.wait_with_output().expect("sha256sum output");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")[..32].to_string()
}

/// A secret found in `text` at the first line holding `value`, that line redacted.
struct Planted<'a> {
    rule_id: &'a str,
    category: &'a str,
    title: &'a str,
    severity: Level,
    example: bool,
}

fn secret_in(p: Planted<'_>, target: &str, text: &str, value: &str, layer: Option<LayerRef>) -> SecretFinding {
    let (n, line) = text.lines().enumerate().find(|(_, l)| l.contains(value)).expect("value in text");
    let has_lines = text.contains('\n');
    SecretFinding {
        rule_id: p.rule_id.into(),
        category: p.category.into(),
        title: p.title.into(),
        severity: p.severity,
        target: target.into(),
        line: has_lines.then(|| n as u32 + 1),
        layer,
        deleted: false,
        redacted: line.replace(value, &"*".repeat(value.chars().count())),
        example: p.example,
        fingerprint: fingerprint(p.rule_id, target, value),
    }
}

/// The secrets of app-python in path order, then the image metadata ones.
fn secrets() -> Vec<SecretFinding> {
    let layer = Some(layer5().1.clone());
    let at = |path: &str| read(&layer_file(path));
    let password = "Sup3rS3cretFAKEpassw0rd!";
    let generic = |severity| Planted {
        rule_id: "generic-password",
        category: "Generic",
        title: "Password assignment",
        severity,
        example: false,
    };
    let env = at("/app/config/.env");
    let mut out = vec![
        secret_in(generic(Level::High), "/app/Dockerfile", &at("/app/Dockerfile"), password, layer.clone()),
        secret_in(
            Planted {
                rule_id: "aws-access-key-id",
                category: "AWS",
                title: "AWS access key ID",
                severity: Level::Low,
                example: true,
            },
            "/app/config/.env",
            &env,
            "AKIAIOSFODNN7EXAMPLE",
            layer.clone(),
        ),
        secret_in(
            Planted {
                rule_id: "aws-secret-access-key",
                category: "AWS",
                title: "AWS secret access key",
                severity: Level::Low,
                example: true,
            },
            "/app/config/.env",
            &env,
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            layer.clone(),
        ),
        secret_in(
            Planted {
                rule_id: "github-pat",
                category: "GitHub",
                title: "GitHub personal access token",
                severity: Level::Critical,
                example: false,
            },
            "/app/config/.env",
            &env,
            "ghp_FAKEcorpusTESTtoken0123456789abcdefg",
            layer.clone(),
        ),
    ];
    // The private key: matched on its BEGIN line, fingerprinted over its body.
    let key = Planted {
        rule_id: "private-key-rsa",
        category: "Private key",
        title: "RSA private key",
        severity: Level::High,
        example: false,
    };
    let pem = at("/app/config/id_rsa");
    let mut rsa = secret_in(key, "/app/config/id_rsa", &pem, "-----BEGIN RSA PRIVATE KEY-----", layer.clone());
    rsa.redacted = "-----BEGIN RSA PRIVATE KEY-----****".into();
    rsa.fingerprint = fingerprint("private-key-rsa", "/app/config/id_rsa", &key_body());
    out.push(rsa);
    let mut gitlab = secret_in(
        Planted {
            rule_id: "gitlab-pat",
            category: "GitLab",
            title: "GitLab personal access token",
            severity: Level::Critical,
            example: false,
        },
        "/app/old-credentials.txt",
        &at("/app/old-credentials.txt"),
        "glpat-FAKEfakeFAKEfake1234",
        layer,
    );
    gitlab.deleted = true;
    out.push(gitlab);

    // Image metadata: the config's Env and the history line that set it.
    let config = image_config();
    let env1 = config["config"]["Env"][1].as_str().expect("Env[1]").to_string();
    out.push(secret_in(generic(Level::High), "config.Env[1]", &env1, password, None));
    let (i, created_by) = config["history"]
        .as_array()
        .expect("history")
        .iter()
        .enumerate()
        .find_map(|(i, h)| h["created_by"].as_str().filter(|c| c.contains(password)).map(|c| (i, c.to_string())))
        .expect("history entry with the password");
    out.push(secret_in(generic(Level::High), &format!("history[{i}].created_by"), &created_by, password, None));
    out
}

/// The real image config of app-python (via its OCI index and manifest).
fn image_config() -> Value {
    let oci = corpus().join("oci/app-python");
    let blob = |digest: &str| read_json(&oci.join("blobs/sha256").join(digest.trim_start_matches("sha256:")));
    let index = read_json(&oci.join("index.json"));
    let manifest = blob(str_of(&index["manifests"][0], "digest"));
    blob(str_of(&manifest["config"], "digest"))
}

/// Metadata of one check, as the engine's `CheckMeta` holds it.
struct Meta {
    id: &'static str,
    title: &'static str,
    severity: Level,
    remediation: &'static str,
    mappings: &'static [(Framework, &'static str)],
    references: &'static [&'static str],
}

const CHECKS: &[Meta] = &[
    Meta {
        id: "BW-DF-001",
        title: "Base image pinned to \"latest\"",
        severity: Level::Medium,
        remediation: "Pin the base image to a version tag and a digest, e.g. `FROM debian:12.8@sha256:…`.",
        mappings: &[
            (Framework::Hadolint, "DL3007"),
            (Framework::CisDocker, "4.2"),
            (Framework::Nist800190, "4.1.5 Use of untrusted images"),
        ],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3007"],
    },
    Meta {
        id: "BW-DF-002",
        title: "No USER: the container runs as root",
        severity: Level::High,
        remediation: "Add a `USER` instruction with a non-root user after installing packages.",
        mappings: &[
            (Framework::CisDocker, "4.1"),
            (Framework::Dockle, "CIS-DI-0001"),
            (Framework::Nist800190, "4.4.3 Insecure container runtime configurations"),
        ],
        references: &["https://docs.docker.com/reference/dockerfile/#user"],
    },
    Meta {
        id: "BW-DF-003",
        title: "ADD used where COPY serves",
        severity: Level::Low,
        remediation: "Use `COPY` for local files; keep `ADD` for remote URLs and archives you mean to unpack.",
        mappings: &[(Framework::CisDocker, "4.9"), (Framework::Hadolint, "DL3020")],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3020"],
    },
    Meta {
        id: "BW-DF-004",
        title: "apt-get install without --no-install-recommends",
        severity: Level::Low,
        remediation: "Add `--no-install-recommends` to `apt-get install` to keep the image small.",
        mappings: &[(Framework::Hadolint, "DL3015")],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3015"],
    },
    Meta {
        id: "BW-DF-007",
        title: "Secret in ENV",
        severity: Level::Critical,
        remediation:
            "Do not bake secrets into ENV: pass them at run time or with a build secret (`RUN --mount=type=secret`).",
        mappings: &[(Framework::CisDocker, "4.10"), (Framework::Nist800190, "4.1.4 Embedded clear text secrets")],
        references: &["https://docs.docker.com/build/building/secrets/"],
    },
    Meta {
        id: "BW-DF-008",
        title: "SSH port 22 exposed",
        severity: Level::Medium,
        remediation: "Remove `EXPOSE 22`: use `docker exec` or `kubectl exec` instead of sshd in a container.",
        mappings: &[(Framework::Hadolint, "DL3011"), (Framework::CisDocker, "4.7")],
        references: &[],
    },
    Meta {
        id: "BW-K8S-001",
        title: "Privileged container",
        severity: Level::Critical,
        remediation: "Remove `securityContext.privileged: true`; grant only the capabilities the workload needs.",
        mappings: &[
            (Framework::Pss, "baseline: Privileged Containers"),
            (Framework::NsaCisa, "Pod security: privileged containers"),
            (Framework::Nist800190, "4.4.3 Insecure container runtime configurations"),
        ],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    },
    Meta {
        id: "BW-K8S-002",
        title: "Host network namespace shared",
        severity: Level::High,
        remediation: "Remove `hostNetwork: true` from the pod spec.",
        mappings: &[
            (Framework::Pss, "baseline: Host Namespaces"),
            (Framework::NsaCisa, "Pod security: host namespaces"),
        ],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    },
    Meta {
        id: "BW-K8S-003",
        title: "Runs as root (runAsUser 0)",
        severity: Level::High,
        remediation: "Set `runAsNonRoot: true` and a non-zero `runAsUser`.",
        mappings: &[
            (Framework::Pss, "restricted: Running as Non-root user"),
            (Framework::NsaCisa, "Pod security: non-root containers"),
        ],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    },
    Meta {
        id: "BW-K8S-004",
        title: "Privilege escalation allowed",
        severity: Level::Medium,
        remediation: "Set `allowPrivilegeEscalation: false`.",
        mappings: &[(Framework::Pss, "restricted: Privilege Escalation")],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    },
    Meta {
        id: "BW-K8S-005",
        title: "No resource limits",
        severity: Level::Low,
        remediation: "Set `resources.limits.cpu` and `resources.limits.memory`.",
        mappings: &[(Framework::NsaCisa, "Pod security: resource policies")],
        references: &[],
    },
    Meta {
        id: "USER-K8S-LATEST",
        title: "Image tag \"latest\"\u{1b}[2J",
        severity: Level::Medium,
        remediation: "Pin images by digest.\nSee the team policy.",
        mappings: &[],
        references: &["docs/policies.md", "https://kubernetes.io/docs/concepts/containers/images/#image-names"],
    },
    Meta {
        id: "BW-IMG-001",
        title: "Image runs as root",
        severity: Level::High,
        remediation: "Set a non-root `User` in the image config (`USER` in the Dockerfile).",
        mappings: &[(Framework::CisDocker, "4.1"), (Framework::Dockle, "CIS-DI-0001")],
        references: &[],
    },
    Meta {
        id: "BW-IMG-005",
        title: "Private key file in the image",
        severity: Level::High,
        remediation: "Remove key files from every layer and mount them at run time.",
        mappings: &[(Framework::Dockle, "CIS-DI-0010"), (Framework::Nist800190, "4.1.4 Embedded clear text secrets")],
        references: &[],
    },
];

fn meta(id: &str) -> &'static Meta {
    CHECKS.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id}"))
}

/// 1-based number of the first line of the real file `path` (layer-relative) containing `needle`.
fn line_of(path: &str, needle: &str) -> u32 {
    let text = read(&layer_file(path));
    let i = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} in {path}"));
    i as u32 + 1
}

struct Failure<'a> {
    id: &'a str,
    message: &'a str,
    resource: Option<&'a str>,
    lines: Option<(u32, u32)>,
}

fn failure(f: Failure<'_>, kind: ConfigKind, target: &str, source: &str) -> Misconfiguration {
    let m = meta(f.id);
    Misconfiguration {
        check_id: m.id.into(),
        title: m.title.into(),
        severity: m.severity,
        description: format!("{} (checked on {}).", m.title, kind.as_str()),
        remediation: m.remediation.into(),
        message: f.message.into(),
        kind,
        target: target.into(),
        resource: f.resource.map(str::to_string),
        path: None,
        layer: None,
        start_line: f.lines.map(|l| l.0),
        end_line: f.lines.map(|l| l.1),
        mappings: m
            .mappings
            .iter()
            .map(|(framework, control)| Mapping { framework: *framework, control: control.to_string() })
            .collect(),
        references: m.references.iter().map(|r| r.to_string()).collect(),
        source: source.into(),
    }
}

/// The misconfigurations of the planted Dockerfile, manifest and image config, most severe first.
fn misconfigurations() -> Vec<Misconfiguration> {
    let df = "/app/Dockerfile";
    let k8s = "/app/k8s/deployment.yaml";
    let one = |path: &str, needle: &str| {
        let n = line_of(path, needle);
        Some((n, n))
    };
    let last_df = read(&layer_file(df)).lines().count() as u32;
    let stage = Some("stage 1 (debian:latest)");
    let dockerfile = [
        Failure {
            id: "BW-DF-001",
            message: "FROM debian:latest",
            resource: stage,
            lines: one(df, "FROM debian:latest"),
        },
        Failure {
            id: "BW-DF-002",
            message: "no USER instruction in the final stage",
            resource: stage,
            lines: Some((line_of(df, "FROM"), last_df)),
        },
        Failure {
            id: "BW-DF-003",
            message: "ADD node-app/ /app/node/",
            resource: stage,
            lines: one(df, "ADD node-app/"),
        },
        Failure {
            id: "BW-DF-003",
            message: "ADD rust-app/ /app/rust/",
            resource: stage,
            lines: one(df, "ADD rust-app/"),
        },
        Failure {
            id: "BW-DF-004",
            message: "apt-get install -y python3 python3-venv ca-certificates",
            resource: stage,
            lines: one(df, "apt-get install"),
        },
        Failure {
            id: "BW-DF-007",
            message: "ENV sets DB_PASSWORD, a name that holds a secret",
            resource: stage,
            lines: one(df, "ENV DB_PASSWORD"),
        },
        Failure { id: "BW-DF-008", message: "EXPOSE 22 | sshd | ", resource: stage, lines: one(df, "EXPOSE 22") },
    ];
    let deploy = Some("Deployment/default/corpus-app container \"app\"");
    let kube = [
        Failure {
            id: "BW-K8S-001",
            message: "container \"app\" is privileged",
            resource: deploy,
            lines: one(k8s, "privileged: true"),
        },
        Failure {
            id: "BW-K8S-002",
            message: "pod uses the host network",
            resource: Some("Deployment/default/corpus-app"),
            lines: one(k8s, "hostNetwork: true"),
        },
        Failure {
            id: "BW-K8S-003",
            message: "container \"app\" sets runAsUser: 0",
            resource: deploy,
            lines: one(k8s, "runAsUser: 0"),
        },
        Failure {
            id: "BW-K8S-004",
            message: "container \"app\" sets allowPrivilegeEscalation: true",
            resource: deploy,
            lines: one(k8s, "allowPrivilegeEscalation"),
        },
        Failure {
            id: "BW-K8S-005",
            message: "container \"app\" has no resources.limits",
            resource: deploy,
            lines: Some((line_of(k8s, "- name: app"), line_of(k8s, "containerPort: 22"))),
        },
    ];
    let image = "oci:corpus-cache/oci/app-python:latest";
    let mut out: Vec<Misconfiguration> = Vec::new();
    out.extend(dockerfile.into_iter().map(|f| failure(f, ConfigKind::Dockerfile, df, "builtin")));
    out.extend(kube.into_iter().map(|f| failure(f, ConfigKind::Kubernetes, k8s, "builtin")));
    out.push(failure(
        Failure {
            id: "USER-K8S-LATEST",
            message: "image app-python:latest\nhas no digest",
            resource: deploy,
            lines: one(k8s, "image: app-python:latest"),
        },
        ConfigKind::Kubernetes,
        k8s,
        "policies/k8s_latest.rego",
    ));
    out.push(failure(
        Failure {
            id: "BW-IMG-001",
            message: "config.User is unset (root)",
            resource: Some("config.User"),
            lines: None,
        },
        ConfigKind::Image,
        image,
        "builtin",
    ));
    let mut key = failure(
        Failure { id: "BW-IMG-005", message: "private key file /app/config/id_rsa", resource: None, lines: None },
        ConfigKind::Image,
        image,
        "builtin",
    );
    key.path = Some("/app/config/id_rsa".into());
    key.layer = Some(layer5().1.clone());
    out.push(key);
    out.sort_by_key(|m| std::cmp::Reverse(m.severity));
    out
}

/// The real vulnerability report of app-python with the secrets and misconfigurations added: `bulwark image`.
fn image_report() -> ScanReport {
    let mut report = scan_report();
    report.secrets = secrets();
    report.misconfigurations = misconfigurations();
    report.scanners = vec!["vuln".into(), "secret".into(), "misconfig".into()];
    report
}

/// What `bulwark config /app` reports: misconfigurations of files only, no vulnerability scan.
fn config_report() -> ScanReport {
    let mut report = ScanReport { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() };
    report.inventory.schema_version = INVENTORY_SCHEMA_VERSION;
    report.inventory.target.reference = "dir:/app".into();
    report.inventory.target.kind = "directory".into();
    report.misconfigurations = misconfigurations().into_iter().filter(|m| m.kind != ConfigKind::Image).collect();
    report.scanners = vec!["misconfig".into()];
    report
}

fn render(report: &ScanReport, format: ReportFormat) -> String {
    let mut out = Vec::new();
    render_report_with(report, format, &fixed_meta(), &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

fn cells(line: &str) -> Vec<String> {
    // Split on `|` not escaped as `\|`.
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().expect("cell").push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("cell").push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// The rows of the Markdown table whose header is `lines[header_start]` (header and separator skipped).
fn rows_after(lines: &[&str], header_start: usize) -> Vec<Vec<String>> {
    lines[header_start + 2..].iter().take_while(|l| l.starts_with('|')).map(|l| cells(l)).collect()
}

// ---------------------------------------------------------------------------------------------
// The fixture itself

#[test]
fn the_fixture_points_at_the_real_planted_lines() {
    let s = secrets();
    let got: Vec<(&str, Option<u32>, bool)> = s.iter().map(|s| (s.target.as_str(), s.line, s.deleted)).collect();
    assert_eq!(
        got[..6],
        [
            ("/app/Dockerfile", Some(7), false),
            ("/app/config/.env", Some(2), false),
            ("/app/config/.env", Some(3), false),
            ("/app/config/.env", Some(4), false),
            ("/app/config/id_rsa", Some(1), false),
            ("/app/old-credentials.txt", Some(2), true),
        ]
    );
    assert_eq!((s[6].target.as_str(), s[6].line), ("config.Env[1]", None));
    assert_eq!((s[7].target.as_str(), s[7].line), ("history[7].created_by", None));
    assert_eq!(s[3].redacted, format!("GITHUB_TOKEN={}", "*".repeat(40)));
    assert!(s.iter().all(|s| s.fingerprint.len() == 32 && s.fingerprint.chars().all(|c| c.is_ascii_hexdigit())));
    let m = misconfigurations();
    let privileged = m.iter().find(|m| m.check_id == "BW-K8S-001").expect("privileged");
    assert_eq!((privileged.start_line, privileged.end_line), (Some(18), Some(18)));
    let ranks: Vec<Level> = m.iter().map(|m| m.severity).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "most severe first");
}

// ---------------------------------------------------------------------------------------------
// Table

#[test]
fn image_table_keeps_the_vulnerability_section_and_adds_secrets_and_misconfigurations() {
    let report = image_report();
    let text = render(&report, ReportFormat::Table);
    assert!(!text.contains('\u{1b}'), "no ANSI escapes");

    // The vulnerability part is exactly what a vulnerability-only scan prints.
    let mut vuln_only = report.clone();
    vuln_only.secrets.clear();
    vuln_only.misconfigurations.clear();
    vuln_only.scanners = vec!["vuln".into()];
    let vuln_text = render(&vuln_only, ReportFormat::Table);
    assert!(text.starts_with(&vuln_text), "vulnerability section changed");
    let mut legacy = vuln_only.clone();
    legacy.scanners.clear();
    assert_eq!(render(&legacy, ReportFormat::Table), vuln_text, "an empty scanner list means vuln only");

    // Secrets: a count line, then one row per secret in the report's order.
    let lines: Vec<&str> = text[vuln_text.len()..].lines().collect();
    assert_eq!(lines[0], "");
    assert_eq!(lines[1], "Secrets:    8 (CRITICAL: 2, HIGH: 4, MEDIUM: 0, LOW: 2, NEGLIGIBLE: 0, UNKNOWN: 0)");
    assert_eq!(cells(lines[3]), ["SEVERITY", "SECRET", "WHERE", "LAYER", "NOTE", "MATCH"]);
    let rows = rows_after(&lines, 3);
    assert_eq!(rows.len(), report.secrets.len());
    for (row, s) in rows.iter().zip(&report.secrets) {
        assert_eq!(row[0], s.severity.as_str());
        assert_eq!(row[1], format!("{} ({})", s.title, s.rule_id));
        let place = s.line.map_or(s.target.clone(), |l| format!("{}:{l}", s.target));
        assert_eq!(row[2], place);
        if s.redacted.chars().count() <= 80 {
            assert_eq!(row[5], s.redacted);
        } else {
            // Cut around the mask, which stays in view.
            let kept = row[5].trim_start_matches('…').trim_end_matches('…');
            assert!(s.redacted.contains(kept) && kept.contains('*'), "{}", row[5]);
            assert!(row[5].chars().count() <= 80, "{}", row[5]);
        }
    }
    let row = |target: &str| rows.iter().find(|r| r[2].starts_with(target)).unwrap_or_else(|| panic!("{target}"));
    assert_eq!(row("/app/old-credentials.txt")[3..5], ["5", "deleted in a later layer — still in layer 5"]);
    assert_eq!(row("/app/config/.env:2")[3..5], ["5", "example value"]);
    assert_eq!(row("/app/config/.env:4")[3..5], ["5", "—"]);
    assert_eq!(row("config.Env[1]")[3..], ["config", "—", &format!("DB_PASSWORD={}", "*".repeat(24))]);
    assert_eq!(row("history[7].created_by")[3], "config");
    assert!(row("history[7].created_by")[5].ends_with(&format!("DB_PASSWORD={}", "*".repeat(24))));

    // Misconfigurations: a total, one group per target with its count, rows, then remediation once per check.
    let start = 3 + 2 + rows.len();
    assert_eq!(lines[start], "");
    let m = &report.misconfigurations;
    let total = |ms: &[&Misconfiguration]| {
        let c = |l: Level| ms.iter().filter(|m| m.severity == l).count();
        format!(
            "{} (CRITICAL: {}, HIGH: {}, MEDIUM: {}, LOW: {}, NEGLIGIBLE: 0, UNKNOWN: 0)",
            ms.len(),
            c(Level::Critical),
            c(Level::High),
            c(Level::Medium),
            c(Level::Low)
        )
    };
    let all: Vec<&Misconfiguration> = m.iter().collect();
    assert_eq!(lines[start + 1], format!("Misconfigurations: {}", total(&all)));
    let mut at = start + 2;
    let mut seen_targets = Vec::new();
    // Groups come in order of first appearance in the (severity-sorted) list.
    let mut order: Vec<&str> = Vec::new();
    for x in m {
        if !order.contains(&x.target.as_str()) {
            order.push(&x.target);
        }
    }
    for target in order {
        let group: Vec<&Misconfiguration> = m.iter().filter(|x| x.target == target).collect();
        assert_eq!(lines[at], "");
        let kind = group[0].kind.as_str();
        assert_eq!(lines[at + 1], format!("{target} ({kind}): {}", total(&group)));
        assert_eq!(cells(lines[at + 3]), ["SEVERITY", "CHECK", "TITLE", "MESSAGE", "RESOURCE", "LINES"]);
        let rows = rows_after(&lines, at + 3);
        assert_eq!(rows.len(), group.len(), "{target}: one line per failure");
        for (row, x) in rows.iter().zip(&group) {
            assert_eq!(row[0], x.severity.as_str());
            assert_eq!(row[1], x.check_id);
            let lines_cell = match (x.start_line, x.end_line) {
                (Some(s), Some(e)) if e > s => format!("{s}-{e}"),
                (Some(s), _) => s.to_string(),
                _ => "—".into(),
            };
            assert_eq!(row[5], lines_cell);
        }
        seen_targets.push(target);
        at += 3 + 2 + rows.len();
    }
    assert_eq!(seen_targets.len(), 3);
    assert_eq!(lines[at], "");
    assert_eq!(lines[at + 1], "Remediation:");
    let remediation = &lines[at + 2..];
    let ids: BTreeSet<&str> = m.iter().map(|x| x.check_id.as_str()).collect();
    assert_eq!(remediation.len(), ids.len(), "once per check: {remediation:?}");
    assert!(remediation.contains(
        &"  BW-DF-003: Use `COPY` for local files; keep `ADD` for remote URLs and archives you mean to unpack."
    ));
    assert!(remediation.contains(&"  USER-K8S-LATEST: Pin images by digest. See the team policy."));

    // Specific rows: the privileged container, the image file check, the hostile Rego title and the piped message.
    let all_rows: Vec<Vec<String>> = lines.iter().filter(|l| l.starts_with('|')).map(|l| cells(l)).collect();
    let by_check =
        |id: &str| all_rows.iter().find(|r| r.get(1).map(String::as_str) == Some(id)).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(
        by_check("BW-K8S-001")[2..],
        [
            "Privileged container",
            "container \"app\" is privileged",
            "Deployment/default/corpus-app container \"app\"",
            "18"
        ]
    );
    assert_eq!(by_check("BW-IMG-005")[4], "/app/config/id_rsa (layer 5)");
    assert_eq!(by_check("BW-IMG-001")[4..], ["config.User", "—"]);
    assert_eq!(
        by_check("USER-K8S-LATEST")[2..4],
        ["Image tag \"latest\"\\u{1b}[2J", "image app-python:latest has no digest"]
    );
    assert_eq!(by_check("BW-DF-008")[3], "EXPOSE 22 | sshd |");
    assert_eq!(by_check("BW-DF-002")[5], "2-10");
}

#[test]
fn config_table_has_no_vulnerability_section_and_says_when_nothing_was_found() {
    let report = config_report();
    let text = render(&report, ReportFormat::Table);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "Target:     dir:/app",
            "",
            &format!(
                "Misconfigurations: {} (CRITICAL: 2, HIGH: 3, MEDIUM: 4, LOW: 4, NEGLIGIBLE: 0, UNKNOWN: 0)",
                report.misconfigurations.len()
            )
        ]
    );
    for absent in
        ["OS:", "Database:", "Packages:", "Findings:", "Suppressed:", "vulnerabilit", "Secrets:", "No secrets"]
    {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }

    // Scanners that ran and found nothing say so in one line each; warnings still show.
    let mut empty = config_report();
    empty.misconfigurations.clear();
    empty.scanners = vec!["secret".into(), "misconfig".into()];
    empty.warnings = vec!["k8s/broken.yaml: not YAML: mapping values are not allowed here".into()];
    assert_eq!(
        render(&empty, ReportFormat::Table),
        "Target:     dir:/app\nWarning:    k8s/broken.yaml: not YAML: mapping values are not allowed here\n\n\
         No secrets found.\n\nNo misconfigurations found.\n"
    );

    // A `fs` scan of a root filesystem that knows its OS shows it, still without a database header.
    let mut fs = empty.clone();
    fs.warnings.clear();
    fs.inventory.os = scan_report().inventory.os;
    fs.scanners = vec!["secret".into()];
    assert_eq!(
        render(&fs, ReportFormat::Table),
        "Target:     dir:/app\nOS:         Debian GNU/Linux 12 (bookworm)\n\nNo secrets found.\n"
    );

    // Findings are never hidden because the scanner list forgot them.
    let mut forgot = config_report();
    forgot.scanners.clear();
    let text = render(&forgot, ReportFormat::Table);
    assert!(text.contains("No vulnerabilities found.") && text.contains("Misconfigurations: 13"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// JSON

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
fn json_round_trips_and_documents_every_secret_and_misconfiguration_field() {
    for report in [image_report(), config_report()] {
        let text = render(&report, ReportFormat::Json);
        let back: ScanReport = serde_json::from_str(&text).expect("parses as ScanReport");
        assert_eq!(back, report);
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["scanners"], serde_json::json!(report.scanners));
        let mut found = BTreeSet::new();
        keys(&v, &mut found);
        let doc = read(&workspace().join("docs/report-json.md"));
        for k in &found {
            assert!(doc.contains(&format!("`{k}`")), "docs/report-json.md does not document `{k}`");
        }
    }
    let v: Value = serde_json::from_str(&render(&image_report(), ReportFormat::Json)).expect("json");
    let gitlab =
        v["secrets"].as_array().expect("secrets").iter().find(|s| s["rule_id"] == "gitlab-pat").expect("gitlab");
    assert_eq!(gitlab["deleted"], true);
    assert_eq!(gitlab["layer"]["index"], 5);
    assert!(v["secrets"][0].get("example").is_none(), "false flags are omitted");
    let mut found = BTreeSet::new();
    keys(&v, &mut found);
    for must in [
        "secrets",
        "misconfigurations",
        "scanners",
        "deleted",
        "example",
        "fingerprint",
        "mappings",
        "framework",
        "control",
        "start_line",
        "end_line",
        "path",
        "layer",
        "diff_id",
        "references",
        "source",
        "resource",
    ] {
        assert!(found.contains(must), "fixture lacks `{must}`");
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_with_secrets_and_misconfigurations_validates_and_locates_each_finding() {
    let report = image_report();
    let doc: Value = serde_json::from_str(&render(&report, ReportFormat::Sarif)).expect("json");
    let errors = violations(sarif_validator(), &doc);
    assert!(errors.is_empty(), "{} schema violations:\n{}", errors.len(), errors.join("\n"));

    let run = &doc["runs"][0];
    assert_eq!(run["properties"]["scanners"], serde_json::json!(["vuln", "secret", "misconfig"]));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    let vulns = report.findings.len() + report.suppressed.len();
    assert_eq!(results.len(), vulns + report.secrets.len() + report.misconfigurations.len());
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], r["ruleId"], "ruleIndex points at the rule");
    }

    // Secrets: one rule per rule id, in order of first appearance after the vulnerability rules.
    let mut secret_ids: Vec<&str> = Vec::new();
    for s in &report.secrets {
        if !secret_ids.contains(&s.rule_id.as_str()) {
            secret_ids.push(&s.rule_id);
        }
    }
    let vuln_rules = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
        .map(|f| f.id.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let check_ids: BTreeSet<&str> = report.misconfigurations.iter().map(|m| m.check_id.as_str()).collect();
    assert_eq!(rules.len(), vuln_rules + secret_ids.len() + check_ids.len());
    let got: Vec<&str> = rules[vuln_rules..vuln_rules + secret_ids.len()].iter().map(|r| str_of(r, "id")).collect();
    assert_eq!(got, secret_ids);
    let generic = &rules[vuln_rules];
    assert_eq!(generic["name"], "GenericPassword");
    assert_eq!(generic["defaultConfiguration"]["level"], "error");
    assert_eq!(generic["properties"]["security-severity"], "8.0");
    let aws = rules.iter().find(|r| r["id"] == "aws-access-key-id").expect("aws rule");
    assert_eq!(
        (&aws["defaultConfiguration"]["level"], &aws["properties"]["security-severity"]),
        (&"note".into(), &"2.0".into())
    );
    assert!(aws["properties"]["tags"].as_array().expect("tags").contains(&"secret".into()));

    for (r, s) in results[vulns..].iter().zip(&report.secrets) {
        assert_eq!(r["ruleId"], s.rule_id.as_str());
        assert!(str_of(&r["message"], "text").contains(&s.redacted), "{}", r["message"]);
        assert_eq!(r["partialFingerprints"]["bulwarkSecret/v1"], s.fingerprint.as_str());
        let loc = &r["locations"][0];
        match &s.layer {
            Some(layer) => {
                assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], s.target.trim_start_matches('/'));
                assert_eq!(loc["physicalLocation"]["region"]["startLine"], s.line.expect("line"));
                assert_eq!(r["properties"]["layerDigest"], layer.digest.as_str());
                assert_eq!(r["properties"]["layerIndex"], 5);
            }
            None => {
                assert!(loc.get("physicalLocation").is_none(), "{loc}");
                assert_eq!(loc["logicalLocations"][0]["fullyQualifiedName"], s.target.as_str());
            }
        }
        assert_eq!(r["properties"]["deleted"], s.deleted);
        assert_eq!(r["properties"]["example"], s.example);
    }
    let deleted = results.iter().find(|r| r["ruleId"] == "gitlab-pat").expect("gitlab result");
    let text = str_of(&deleted["message"], "text");
    assert!(
        text.contains("deleted in a later layer — still in layer 5") && text.contains(&layer5().1.digest),
        "{text}"
    );
    assert_eq!(deleted["level"], "error");

    // Misconfigurations: rule metadata with framework tags, help = remediation, helpUri = first web reference.
    let first_check = vuln_rules + secret_ids.len();
    let check_rule = |id: &str| rules[first_check..].iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id}"));
    let tags = |id: &str| -> Vec<String> {
        check_rule(id)["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .map(|t| t.as_str().expect("tag").to_string())
            .collect()
    };
    assert_eq!(
        tags("BW-DF-002"),
        ["misconfiguration", "security", "dockerfile", "CIS-Docker-4.1", "Dockle-CIS-DI-0001", "NIST-800-190-4.4.3"]
    );
    assert_eq!(
        tags("BW-K8S-001"),
        ["misconfiguration", "security", "kubernetes", "PSS-baseline", "NSA-CISA", "NIST-800-190-4.4.3"]
    );
    assert!(tags("BW-K8S-003").contains(&"PSS-restricted".to_string()));
    assert!(tags("BW-DF-007").contains(&"NIST-800-190-4.1.4".to_string()));
    for m in &report.misconfigurations {
        let rule = check_rule(&m.check_id);
        assert_eq!(rule["shortDescription"]["text"], m.title.as_str());
        assert_eq!(rule["fullDescription"]["text"], m.description.as_str());
        assert_eq!(rule["help"]["text"], m.remediation.as_str());
        let web = m.references.iter().find(|r| r.starts_with("https://"));
        assert_eq!(rule["helpUri"].as_str(), web.map(String::as_str), "{}", m.check_id);
        let score: f64 = str_of(&rule["properties"], "security-severity").parse().expect("number");
        assert_eq!(Level::from_score(score), m.severity, "{}", m.check_id);
    }
    assert_eq!(
        check_rule("USER-K8S-LATEST")["helpUri"],
        "https://kubernetes.io/docs/concepts/containers/images/#image-names"
    );
    assert_eq!(check_rule("BW-DF-002")["name"], "NoUSERTheContainerRunsAsRoot");

    for (r, m) in results[vulns + report.secrets.len()..].iter().zip(&report.misconfigurations) {
        assert_eq!(r["ruleId"], m.check_id.as_str());
        let loc = &r["locations"][0];
        let physical = &loc["physicalLocation"];
        match (m.kind, &m.path) {
            (ConfigKind::Image, None) => {
                assert!(physical.is_null());
                assert_eq!(
                    loc["logicalLocations"].as_array().expect("logical").last().expect("image")["fullyQualifiedName"],
                    m.target.as_str()
                );
            }
            (ConfigKind::Image, Some(path)) => {
                assert_eq!(physical["artifactLocation"]["uri"], path.trim_start_matches('/'));
                assert_eq!(r["properties"]["layerDigest"], layer5().1.digest.as_str());
            }
            _ => {
                assert_eq!(physical["artifactLocation"]["uri"], m.target.trim_start_matches('/'));
                assert_eq!(physical["region"]["startLine"], m.start_line.expect("start"));
                assert_eq!(physical["region"]["endLine"], m.end_line.expect("end"));
            }
        }
        if let Some(res) = &m.resource {
            assert_eq!(loc["logicalLocations"][0]["name"], res.as_str());
        }
        assert_eq!(r["properties"]["source"], m.source.as_str());
    }
    let adds: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "BW-DF-003").collect();
    assert_eq!(adds.len(), 2);
    assert_eq!(adds[0]["ruleIndex"], adds[1]["ruleIndex"]);
    let lines: Vec<&Value> =
        adds.iter().map(|r| &r["locations"][0]["physicalLocation"]["region"]["startLine"]).collect();
    assert_eq!(lines, [&Value::from(5), &Value::from(6)]);
}

#[test]
fn sarif_schema_catches_broken_secret_and_misconfiguration_results() {
    let report = config_report();
    let doc: Value = serde_json::from_str(&render(&report, ReportFormat::Sarif)).expect("json");
    let v = sarif_validator();
    assert_eq!(violations(v, &doc), Vec::<String>::new());
    assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(12));

    let mut zero_line = doc.clone();
    zero_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!v.is_valid(&zero_line));
    let mut bad_help = doc.clone();
    bad_help["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/policies.md".into();
    assert!(!v.is_valid(&bad_help), "relative helpUri is rejected, so only web references may become one");
    let mut dup_tags = doc;
    dup_tags["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"] =
        serde_json::json!(["NSA-CISA", "NSA-CISA"]);
    assert!(!v.is_valid(&dup_tags), "tags must be unique");
}

// ---------------------------------------------------------------------------------------------
// Redaction

#[test]
fn no_format_shows_a_secret_value() {
    let values = raw_values();
    for report in [image_report(), config_report()] {
        for format in ReportFormat::ALL {
            let text = render(&report, format);
            for value in &values {
                assert!(!text.contains(value.as_str()), "{format} output shows the secret {value:?}");
            }
        }
    }
    // The check is not vacuous: a finding that carried a raw value would be caught.
    let mut leaky = image_report();
    leaky.secrets[3].redacted = "GITHUB_TOKEN=ghp_FAKEcorpusTESTtoken0123456789abcdefg".into();
    for format in [ReportFormat::Table, ReportFormat::Json, ReportFormat::Sarif] {
        assert!(render(&leaky, format).contains("ghp_FAKEcorpusTESTtoken0123456789abcdefg"), "{format}");
    }
}
