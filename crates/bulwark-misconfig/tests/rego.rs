//! User Rego policies on real inputs: the example policies (examples/policies, Trivy's own custom
//! checks among them) on Kubernetes manifests, Dockerfiles and image configs; metadata styles; rule
//! names and result shapes; malformed policies; the time limit.

use bulwark_image::ImageConfig;
use bulwark_misconfig::check::Target;
use bulwark_misconfig::rego::{Policies, RegoError};
use bulwark_misconfig::{dockerfile, image, kubernetes};
use bulwark_types::{ConfigKind, Framework, Level, Mapping, Misconfiguration};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies")
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/rego").join(name)
}

fn load(dir: &Path) -> Policies {
    Policies::load(dir).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
}

/// The Kubernetes objects of a test manifest, each as its input document.
fn manifests(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(testdata(name)).expect("read manifest");
    let objects = kubernetes::parse(name, &text).expect("parse manifest");
    objects.iter().map(kubernetes::input_document).collect()
}

fn eval(policies: &Policies, kind: ConfigKind, input: &Value, target: &str) -> Vec<Misconfiguration> {
    let t = Target { kind, name: target, layers: &[] };
    policies.evaluate(kind, input, &t).expect("evaluate")
}

/// `(check id, message)` of each finding, sorted.
fn ids_messages(found: &[Misconfiguration]) -> Vec<(String, String)> {
    let mut v: Vec<_> = found.iter().map(|m| (m.check_id.clone(), m.message.clone())).collect();
    v.sort();
    v
}

fn image_input(config_file: &str, user: Option<&str>) -> Value {
    let bytes = std::fs::read(testdata(config_file)).expect("read config");
    let mut config = ImageConfig::from_json(&bytes).expect("parse config");
    if let Some(user) = user {
        config.config.user = Some(user.to_string());
    }
    image::input_document(&image::ImageInput { config: &config, files: &[], packages: &[], shadow: None })
}

#[test]
fn examples_load_with_their_metadata_and_kinds() {
    let policies = load(&examples());
    let mut got: Vec<(String, Vec<ConfigKind>, Level)> =
        policies.policies().iter().map(|p| (p.meta.id.clone(), p.kinds.clone(), p.meta.severity)).collect();
    got.sort();
    let want = vec![
        ("BWU-DF-001".to_string(), vec![ConfigKind::Dockerfile], Level::Medium),
        ("BWU-IMG-001".to_string(), vec![ConfigKind::Image], Level::High),
        ("BWU-K8S-001".to_string(), vec![ConfigKind::Kubernetes], Level::High),
        ("BWU-K8S-002".to_string(), vec![ConfigKind::Kubernetes], Level::Low),
        ("ID001".to_string(), vec![ConfigKind::Kubernetes], Level::Low),
        ("ID002".to_string(), vec![ConfigKind::Dockerfile], Level::High),
    ];
    assert_eq!(got, want);
    assert!(policies.notes().is_empty(), "{:?}", policies.notes());
    let df = policies.policies().iter().find(|p| p.meta.id == "BWU-DF-001").expect("BWU-DF-001");
    assert_eq!(
        df.meta.mappings,
        vec![
            Mapping { framework: Framework::CisDocker, control: "4.9".into() },
            Mapping { framework: Framework::Hadolint, control: "DL3020".into() },
        ]
    );
}

#[test]
fn corpus_deployment_fails_the_kubernetes_examples() {
    let policies = load(&examples());
    let inputs = manifests("corpus-deployment.yaml");
    assert_eq!(inputs.len(), 1);
    let found = eval(&policies, ConfigKind::Kubernetes, &inputs[0], "k8s/deployment.yaml");
    assert_eq!(
        ids_messages(&found),
        vec![
            (
                "BWU-K8S-001".into(),
                r#"container "app" uses image "app-python:latest" from registry "docker.io""#.into()
            ),
            ("BWU-K8S-002".into(), r#"Deployment "corpus-app" has no "team" label"#.into()),
            ("ID001".into(), "Found deployment 'corpus-app' but deployments are not allowed".into()),
        ]
    );
    let registry = found.iter().find(|m| m.check_id == "BWU-K8S-001").expect("registry finding");
    assert_eq!(registry.severity, Level::High);
    assert_eq!(registry.kind, ConfigKind::Kubernetes);
    assert_eq!(registry.target, "k8s/deployment.yaml");
    assert_eq!(registry.resource.as_deref(), Some("Deployment/default/corpus-app"));
    assert_eq!(registry.remediation, "Pull the image through the internal mirror (mirror.example.com/…).");
    assert_eq!(registry.references, vec!["https://kubernetes.io/docs/concepts/containers/images/".to_string()]);
    assert!(registry.source.ends_with("examples/policies/kubernetes/registry.rego"), "{}", registry.source);
    assert_eq!(registry.mappings.len(), 2);
    assert_eq!(registry.mappings[0].framework, Framework::Nist800190);
}

#[test]
fn compliant_objects_pass_and_cronjob_templates_are_seen() {
    let policies = load(&examples());
    let inputs = manifests("good-manifests.yaml");
    assert_eq!(inputs.len(), 3);
    // The Deployment: labelled, from the mirror; only Trivy's "no Deployments" example fires.
    let deployment = eval(&policies, ConfigKind::Kubernetes, &inputs[0], "good-manifests.yaml");
    assert_eq!(
        ids_messages(&deployment),
        vec![("ID001".into(), "Found deployment 'web' but deployments are not allowed".into())]
    );
    assert_eq!(deployment[0].resource.as_deref(), Some("Deployment/shop/web"));
    // The CronJob: its job template's container comes from Docker Hub, its init container does not.
    let cronjob = eval(&policies, ConfigKind::Kubernetes, &inputs[1], "good-manifests.yaml");
    assert_eq!(
        ids_messages(&cronjob),
        vec![(
            "BWU-K8S-001".into(),
            r#"container "report" uses image "python:3.12-slim" from registry "docker.io""#.into()
        )]
    );
    // The Role passes every example.
    assert!(eval(&policies, ConfigKind::Kubernetes, &inputs[2], "good-manifests.yaml").is_empty());
}

#[test]
fn dockerfile_in_trivy_shape_built_by_hand() {
    let policies = load(&examples());
    let text = std::fs::read_to_string(testdata("Dockerfile.trivy-shape.json")).expect("read");
    let input: Value = serde_json::from_str(&text).expect("json");
    let found = eval(&policies, ConfigKind::Dockerfile, &input, "Dockerfile");
    assert_eq!(
        ids_messages(&found),
        vec![
            ("BWU-DF-001".into(), "ADD http://example.com/app.tar.gz /app/: use COPY instead".into()),
            ("ID002".into(), "HTTP not allowed: 'http://example.com/app.tar.gz'".into()),
        ]
    );
    let add = found.iter().find(|m| m.check_id == "BWU-DF-001").expect("ADD finding");
    assert_eq!((add.start_line, add.end_line), (Some(3), Some(3)));
    assert_eq!(add.kind, ConfigKind::Dockerfile);
    // Without the ADD, nothing fires.
    let mut clean = input.clone();
    if let Some(cmds) = clean["Stages"][0]["Commands"].as_array_mut() {
        cmds.retain(|c| c["Cmd"] != "add");
    }
    assert!(eval(&policies, ConfigKind::Dockerfile, &clean, "Dockerfile").is_empty());
}

#[test]
fn dockerfile_through_the_parser() {
    let policies = load(&examples());
    let text = std::fs::read_to_string(testdata("Dockerfile")).expect("read");
    let parsed = dockerfile::parse(&text).expect("parse Dockerfile");
    let input = dockerfile::input_document_at(&parsed, "Dockerfile");
    let found = eval(&policies, ConfigKind::Dockerfile, &input, "Dockerfile");
    assert_eq!(
        ids_messages(&found),
        vec![
            ("BWU-DF-001".into(), "ADD http://example.com/tool.sh /usr/local/bin/tool.sh: use COPY instead".into()),
            ("BWU-DF-001".into(), "ADD vendor.tar.gz /src/: use COPY instead".into()),
            ("ID002".into(), "HTTP not allowed: 'http://example.com/tool.sh'".into()),
        ]
    );
    let mut lines: Vec<_> =
        found.iter().filter(|m| m.check_id == "BWU-DF-001").map(|m| (m.start_line, m.end_line)).collect();
    lines.sort();
    assert_eq!(lines, vec![(Some(4), Some(4)), (Some(5), Some(6))]);
}

#[test]
fn image_configs_without_user_fail_and_non_root_passes() {
    let policies = load(&examples());
    for config in ["app-python-config.json", "debian-min-config.json"] {
        let found = eval(&policies, ConfigKind::Image, &image_input(config, None), config);
        assert_eq!(
            ids_messages(&found),
            vec![("BWU-IMG-001".into(), "the image config sets no USER: containers run as root".into())],
            "{config}"
        );
        assert_eq!(found[0].mappings[0], Mapping { framework: Framework::CisDocker, control: "4.1".into() });
    }
    let root = eval(&policies, ConfigKind::Image, &image_input("app-python-config.json", Some("0:0")), "img");
    assert_eq!(
        ids_messages(&root),
        vec![("BWU-IMG-001".into(), r#"the image config sets USER "0:0": containers run as root"#.into())]
    );
    assert!(eval(&policies, ConfigKind::Image, &image_input("app-python-config.json", Some("10001:10001")), "img")
        .is_empty());
}

#[test]
fn policies_only_run_on_the_kinds_they_select() {
    let policies = load(&examples());
    // A Dockerfile document never reaches Kubernetes or image policies (the team-label policy would
    // otherwise fire on it: it has no metadata.labels.team), and the reverse.
    let text = std::fs::read_to_string(testdata("Dockerfile.trivy-shape.json")).expect("read");
    let dockerfile: Value = serde_json::from_str(&text).expect("json");
    let found = eval(&policies, ConfigKind::Dockerfile, &dockerfile, "Dockerfile");
    assert!(found.iter().all(|m| m.check_id.contains("DF") || m.check_id == "ID002"), "{found:?}");
    let k8s = manifests("corpus-deployment.yaml");
    assert!(eval(&policies, ConfigKind::Image, &k8s[0], "x").iter().all(|m| m.check_id == "BWU-IMG-001"));
    assert!(eval(&policies, ConfigKind::Dockerfile, &k8s[0], "x").is_empty());
}

#[test]
fn metadata_annotation_and_rego_metadata_give_the_same_finding() {
    let input = manifests("corpus-deployment.yaml").remove(0);
    let a = eval(&load(&testdata("meta-annotation")), ConfigKind::Kubernetes, &input, "deployment.yaml");
    let b = eval(&load(&testdata("meta-rules")), ConfigKind::Kubernetes, &input, "deployment.yaml");
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1);
    let strip = |mut m: Misconfiguration| {
        assert!(m.source.ends_with("policy.rego"));
        m.source.clear();
        m
    };
    let (a, b) = (strip(a[0].clone()), strip(b[0].clone()));
    assert_eq!(a, b);
    assert_eq!(a.check_id, "SAME-001");
    assert_eq!(a.severity, Level::Critical);
    assert_eq!(a.message, r#"container "app" is privileged"#);
    assert_eq!(a.resource.as_deref(), Some("the-resource"));
    assert_eq!(a.references, vec!["https://kubernetes.io/docs/concepts/security/pod-security-standards/".to_string()]);
    let frameworks: Vec<Framework> = a.mappings.iter().map(|m| m.framework).collect();
    assert_eq!(frameworks, vec![Framework::CisDocker, Framework::Nist800190, Framework::NsaCisa, Framework::Pss]);
    assert!(a
        .mappings
        .contains(&Mapping { framework: Framework::Pss, control: "baseline: Privileged Containers".into() }));
}

#[test]
fn a_policy_whose_deny_is_empty_loads_and_finds_nothing() {
    let policies = load(&testdata("empty-deny"));
    assert_eq!(policies.policies().len(), 1);
    assert_eq!(policies.policies()[0].meta.id, "EMPTY-001");
    for input in manifests("corpus-deployment.yaml").iter().chain(&manifests("good-manifests.yaml")) {
        assert!(eval(&policies, ConfigKind::Kubernetes, input, "m.yaml").is_empty());
    }
}

#[test]
fn rule_names_result_shapes_and_warn_grading() {
    let policies = load(&testdata("rules"));
    let rules: Vec<&str> = policies.policies()[0].rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rules, vec!["deny_add", "violation", "warn_latest"]);
    let text = std::fs::read_to_string(testdata("Dockerfile.trivy-shape.json")).expect("read");
    let input: Value = serde_json::from_str(&text).expect("json");
    let found = eval(&policies, ConfigKind::Dockerfile, &input, "Dockerfile");
    let mut got: Vec<(String, Level, Option<u32>)> =
        found.iter().map(|m| (m.message.clone(), m.severity, m.start_line)).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("ADD used".into(), Level::High, Some(3)),
            ("no USER instruction".into(), Level::High, None),
            (r#"stage "python:latest" uses a latest tag"#.into(), Level::Low, None),
        ]
    );
}

#[test]
fn rbac_selector_runs_on_rbac_objects_only() {
    let policies = load(&testdata("rbac"));
    assert_eq!(policies.policies()[0].kinds, vec![ConfigKind::Kubernetes]);
    assert!(policies.policies()[0].rbac_only);
    let inputs = manifests("good-manifests.yaml");
    assert!(eval(&policies, ConfigKind::Kubernetes, &inputs[0], "m.yaml").is_empty());
    let role = eval(&policies, ConfigKind::Kubernetes, &inputs[2], "m.yaml");
    assert_eq!(
        ids_messages(&role),
        vec![("RBAC-001".into(), r#"Role "everything" allows every verb"#.into()), ("RBAC-001".into(), "seen".into())]
    );
    assert_eq!(role.iter().map(|m| m.severity).max(), Some(Level::High));
    assert_eq!(role.iter().map(|m| m.severity).min(), Some(Level::Low));
}

#[test]
fn package_name_convention_selects_the_kind() {
    let policies = load(&testdata("convention"));
    let p = &policies.policies()[0];
    assert_eq!(p.kinds, vec![ConfigKind::Dockerfile]);
    assert_eq!(p.meta.id, "user.dockerfile.convention");
    assert_eq!(p.meta.severity, Level::Unknown);
    let input = manifests("corpus-deployment.yaml").remove(0);
    assert!(eval(&policies, ConfigKind::Kubernetes, &input, "x").is_empty());
    let found = eval(&policies, ConfigKind::Dockerfile, &serde_json::json!({"Stages": []}), "Dockerfile");
    assert_eq!(ids_messages(&found), vec![("user.dockerfile.convention".into(), "any Dockerfile".into())]);
}

#[test]
fn unknown_input_types_and_frameworks_are_noted() {
    let policies = load(&testdata("unknown-selector"));
    assert_eq!(policies.policies()[0].kinds, Vec::<ConfigKind>::new());
    let notes = policies.notes().join("\n");
    assert!(notes.contains(r#"input type "cloud""#), "{notes}");
    assert!(notes.contains("never runs"), "{notes}");
    assert!(notes.contains(r#"framework key "soc2""#), "{notes}");
    let input = manifests("corpus-deployment.yaml").remove(0);
    for kind in [ConfigKind::Kubernetes, ConfigKind::Dockerfile, ConfigKind::Image] {
        assert!(eval(&policies, kind, &input, "x").is_empty());
    }
}

/// The error of loading a malformed policy directory, as text.
fn load_error(dir: &str) -> (RegoError, String) {
    match Policies::load(&testdata(dir)) {
        Ok(p) => panic!("{dir} loaded: {p:?}"),
        Err(e) => {
            let text = e.to_string();
            (e, text)
        }
    }
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let (e, text) = load_error("bad-syntax-v1");
    assert!(matches!(e, RegoError::Parse { .. }), "{e:?}");
    assert!(text.contains("bad-syntax-v1/broken.rego"), "{text}");
    assert!(text.contains("broken.rego:8:"), "line of the missing `)`: {text}");
    let (e, text) = load_error("bad-syntax-v0");
    assert!(matches!(e, RegoError::Parse { .. }), "{e:?}");
    assert!(text.contains("broken.rego:6:"), "line after the dangling `==`: {text}");
}

#[test]
fn malformed_metadata_and_data_are_errors_naming_the_file() {
    let (e, text) = load_error("bad-severity");
    assert!(matches!(e, RegoError::Metadata { .. }), "{e:?}");
    assert!(text.contains("bad-severity/policy.rego") && text.contains("EXTREME"), "{text}");
    let (e, text) = load_error("bad-metadata-yaml");
    assert!(matches!(e, RegoError::Metadata { .. }), "{e:?}");
    assert!(
        text.contains("bad-metadata-yaml/policy.rego") && text.contains("line 1") && text.contains("YAML"),
        "{text}"
    );
    let (e, text) = load_error("bad-data");
    assert!(matches!(e, RegoError::Data { .. }), "{e:?}");
    assert!(text.contains("bad-data/data.json") && text.contains("not an object"), "{text}");
    let missing = Policies::load(&testdata("no-such-dir")).expect_err("missing dir");
    assert!(matches!(missing, RegoError::Io { .. }) && missing.to_string().contains("no-such-dir"));
}

#[test]
fn evaluation_is_bounded_by_the_time_limit() {
    let mut policies = load(&testdata("slow"));
    policies.set_time_limit(Duration::from_millis(200));
    let input = manifests("corpus-deployment.yaml").remove(0);
    let t = Target { kind: ConfigKind::Kubernetes, name: "x", layers: &[] };
    let start = Instant::now();
    let err = policies.evaluate(ConfigKind::Kubernetes, &input, &t).expect_err("time limit");
    let took = start.elapsed();
    let text = err.to_string();
    assert!(matches!(err, RegoError::Eval { .. }), "{err:?}");
    assert!(text.contains("slow/policy.rego") && text.contains("data.user.kubernetes.slow.deny"), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // The engine stays usable: a later evaluation fails the same way rather than hanging or panicking.
    assert!(policies.evaluate(ConfigKind::Kubernetes, &input, &t).is_err());
}

#[test]
fn reused_and_fresh_engines_agree() {
    let policies = load(&examples());
    let mut inputs: Vec<Value> = manifests("corpus-deployment.yaml");
    inputs.extend(manifests("good-manifests.yaml"));
    let t = Target { kind: ConfigKind::Kubernetes, name: "m.yaml", layers: &[] };
    const ROUNDS: usize = 50;
    let start = Instant::now();
    let mut reused = Vec::new();
    for _ in 0..ROUNDS {
        for input in &inputs {
            reused.push(policies.evaluate(ConfigKind::Kubernetes, input, &t).expect("evaluate"));
        }
    }
    let reused_time = start.elapsed();
    let start = Instant::now();
    let mut fresh = Vec::new();
    for _ in 0..ROUNDS {
        for input in &inputs {
            fresh.push(policies.evaluate_fresh(ConfigKind::Kubernetes, input, &t).expect("evaluate"));
        }
    }
    let fresh_time = start.elapsed();
    assert_eq!(reused, fresh);
    assert_eq!(reused.iter().map(Vec::len).sum::<usize>(), ROUNDS * 5);
    let n = (ROUNDS * inputs.len()) as u32;
    println!("per input: reused engine {:?}, fresh clone {:?}", reused_time / n, fresh_time / n);
}

#[test]
fn policies_can_be_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Policies>();
    let policies = load(&examples());
    let inputs = manifests("corpus-deployment.yaml");
    let t = Target { kind: ConfigKind::Kubernetes, name: "m.yaml", layers: &[] };
    let results: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| policies.evaluate(ConfigKind::Kubernetes, &inputs[0], &t).map(|v| v.len()).unwrap_or(0))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    assert_eq!(results, vec![3, 3, 3, 3]);
}

#[test]
fn errors_inside_builtins_make_expressions_undefined_as_in_opa() {
    let policies = load(&testdata("builtin-error"));
    let input = manifests("corpus-deployment.yaml").remove(0);
    let found = eval(&policies, ConfigKind::Kubernetes, &input, "x");
    assert_eq!(ids_messages(&found), vec![("BUILTIN-001".into(), "kind is Deployment".into())]);
}

#[test]
fn data_files_are_merged_and_conflicts_name_the_file() {
    let policies = load(&testdata("data-merge"));
    let inputs = manifests("good-manifests.yaml");
    let found: Vec<_> = inputs.iter().flat_map(|i| eval(&policies, ConfigKind::Kubernetes, i, "x")).collect();
    let mut messages: Vec<_> = found.iter().map(|m| m.message.as_str()).collect();
    messages.sort();
    assert_eq!(messages, vec!["CronJob in staging is listed", "Deployment in staging is listed"]);
    let (e, text) = load_error("data-conflict");
    assert!(matches!(e, RegoError::Data { .. }), "{e:?}");
    assert!(text.contains("data-conflict/b.yaml"), "{text}");
}
