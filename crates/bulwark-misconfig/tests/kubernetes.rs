//! Kubernetes manifest checks: one fixture file per check (objects named `fail-*` must be reported,
//! `pass-*` must not), the corpus manifest, real-world manifests, and the loader's edge cases.

use bulwark_misconfig::kubernetes::{self, check, check_all, input_document, parse, Object};
use bulwark_types::{Framework, Misconfiguration};
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/kubernetes");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Findings of one check whose resource is `resource` itself or one of its containers.
fn hits_on<'a>(found: &'a [Misconfiguration], id: &str, resource: &str) -> Vec<&'a Misconfiguration> {
    found
        .iter()
        .filter(|m| m.check_id == id)
        .filter(|m| m.resource.as_deref().is_some_and(|r| r == resource || r.starts_with(&format!("{resource} "))))
        .collect()
}

fn annotation<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object.node.path(&["metadata", "annotations", key]).and_then(|n| n.as_str())
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let index = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in text"));
    u32::try_from(index + 1).unwrap()
}

#[test]
fn every_check_has_failing_and_passing_fixtures() {
    let ids: Vec<&str> = kubernetes::metadata().iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 41);
    for id in ids {
        let rel = format!("fixtures/{id}.yaml");
        let text = read(&rel);
        let objects = parse(&rel, &text).unwrap();
        let found = check(&rel, &text).unwrap();
        let (mut fails, mut passes) = (0, 0);
        for object in &objects {
            let resource = object.resource();
            let hits = hits_on(&found, id, &resource);
            if object.name.starts_with("fail-") {
                fails += 1;
                assert!(!hits.is_empty(), "{id}: {resource} not reported; found {found:#?}");
                if let Some(expect) = annotation(object, "bulwark.test/expect") {
                    assert!(
                        hits.iter().any(|m| m.message.contains(expect)),
                        "{id}: {resource}: no message contains {expect:?}: {hits:#?}"
                    );
                }
                if let Some(lines) = annotation(object, "bulwark.test/lines") {
                    let spans: Vec<String> = hits
                        .iter()
                        .map(|m| format!("{}-{}", m.start_line.unwrap_or(0), m.end_line.unwrap_or(0)))
                        .collect();
                    assert!(spans.iter().any(|s| s == lines), "{id}: {resource}: want lines {lines}, got {spans:?}");
                }
            } else if object.name.starts_with("pass-") {
                passes += 1;
                assert!(hits.is_empty(), "{id}: {resource} reported: {hits:#?}");
            }
        }
        assert!(fails > 0 && passes > 0, "{id}: fixture needs fail-* and pass-* objects");
        for m in found.iter().filter(|m| m.check_id == id) {
            assert!(m.start_line.is_some_and(|s| m.end_line.is_some_and(|e| s <= e)), "{id}: bad span {m:?}");
        }
    }
}

#[test]
fn hardened_workload_has_no_findings() {
    let found = check("fixtures/clean.yaml", &read("fixtures/clean.yaml")).unwrap();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn metadata_maps_every_control() {
    let all = kubernetes::metadata();
    let pss: Vec<&str> = all
        .iter()
        .flat_map(|m| m.mappings.iter())
        .filter(|(f, _)| *f == Framework::Pss)
        .map(|(_, control)| *control)
        .collect();
    let baseline = [
        "HostProcess",
        "Host Namespaces",
        "Privileged Containers",
        "Capabilities",
        "HostPath Volumes",
        "Host Ports",
        "Host Probes / Lifecycle Hooks",
        "AppArmor",
        "SELinux",
        "/proc Mount Type",
        "Seccomp",
        "Sysctls",
    ];
    let restricted = [
        "Volume Types",
        "Privilege Escalation",
        "Running as Non-root",
        "Running as Non-root user",
        "Seccomp",
        "Capabilities",
    ];
    for control in baseline {
        assert!(pss.contains(&format!("baseline: {control}").as_str()), "baseline {control}");
    }
    for control in restricted {
        assert!(pss.contains(&format!("restricted: {control}").as_str()), "restricted {control}");
    }
    for meta in &all {
        assert!(meta.id.starts_with("BW-K8S-") && !meta.title.is_empty() && !meta.remediation.is_empty());
        assert!(meta.mappings.iter().any(|(f, _)| *f == Framework::Nist800190), "{} lacks a NIST mapping", meta.id);
    }
}

#[test]
fn corpus_manifest() {
    let text = read("corpus/deployment.yaml");
    let found = check("deployment.yaml", &text).unwrap();
    let app = "Deployment/default/corpus-app container \"app\"";
    let expect: &[(&str, &str, &str)] = &[
        ("BW-K8S-002", "Deployment/default/corpus-app", "hostNetwork: true"),
        ("BW-K8S-003", app, "privileged: true"),
        ("BW-K8S-016", app, "runAsUser: 0"),
        ("BW-K8S-025", app, "runAsUser: 0"),
        ("BW-K8S-014", app, "allowPrivilegeEscalation: true"),
        ("BW-K8S-024", app, "image: app-python:latest"),
        ("BW-K8S-023", app, "image: app-python:latest"),
    ];
    for (id, resource, line) in expect {
        let hit = found.iter().find(|m| m.check_id == *id).unwrap_or_else(|| panic!("{id} missing: {found:#?}"));
        assert_eq!(hit.resource.as_deref(), Some(*resource), "{id}");
        let want = line_of(&text, line);
        assert_eq!((hit.start_line, hit.end_line), (Some(want), Some(want)), "{id}");
    }
    // No resources at all: the whole container, from `- name: app` to its last line.
    let container = (Some(line_of(&text, "- name: app")), Some(line_of(&text, "containerPort: 22")));
    for id in ["BW-K8S-019", "BW-K8S-020"] {
        let hit = found.iter().find(|m| m.check_id == id).unwrap();
        assert_eq!((hit.start_line, hit.end_line), container, "{id}");
    }
    // No readOnlyRootFilesystem: the securityContext that lacks it.
    let ro = found.iter().find(|m| m.check_id == "BW-K8S-021").unwrap();
    let sc = (Some(line_of(&text, "securityContext:")), Some(line_of(&text, "allowPrivilegeEscalation")));
    assert_eq!((ro.start_line, ro.end_line), sc);
    assert_eq!(ro.message, "container \"app\" does not set readOnlyRootFilesystem: true");
    let privileged = found.iter().find(|m| m.check_id == "BW-K8S-003").unwrap();
    assert!(privileged
        .mappings
        .iter()
        .any(|m| m.framework == Framework::Pss && m.control == "baseline: Privileged Containers"));
    assert_eq!(privileged.target, "deployment.yaml");
    // hostPort is not set (only containerPort 22): no host-port finding; nothing on volumes.
    for id in ["BW-K8S-006", "BW-K8S-005", "BW-K8S-013", "BW-K8S-001"] {
        assert!(found.iter().all(|m| m.check_id != id), "{id} should not fire");
    }
}

/// (file, findings that must be there as (check id, resource, message part, line containing), check ids that must not fire).
type Case =
    (&'static str, &'static [(&'static str, &'static str, &'static str, &'static str)], &'static [&'static str]);

const REAL_WORLD: &[Case] = &[
    (
        "guestbook-all-in-one.yaml",
        &[
            (
                "BW-K8S-019",
                "Deployment/default/redis-master container \"master\"",
                "has no cpu or memory limits",
                "resources:",
            ),
            ("BW-K8S-023", "Deployment/default/frontend container \"php-redis\"", "gb-frontend:v4", "gb-frontend:v4"),
            ("BW-K8S-015", "Deployment/default/redis-slave container \"slave\"", "runAsNonRoot", "- name: slave"),
            ("BW-K8S-027", "Namespace/default", "redis-master, Deployment/default/redis-slave", "metadata:#2"),
        ],
        &["BW-K8S-020", "BW-K8S-024", "BW-K8S-002", "BW-K8S-003", "BW-K8S-005", "BW-K8S-006"],
    ),
    (
        "website-security-context.yaml",
        &[
            (
                "BW-K8S-015",
                "Pod/default/security-context-demo container \"sec-ctx-demo\"",
                "runAsNonRoot",
                "    securityContext:",
            ),
            (
                "BW-K8S-021",
                "Pod/default/security-context-demo container \"sec-ctx-demo\"",
                "readOnlyRootFilesystem",
                "    securityContext:",
            ),
        ],
        &["BW-K8S-014", "BW-K8S-016", "BW-K8S-025", "BW-K8S-013", "BW-K8S-024"],
    ),
    (
        "website-security-context-4.yaml",
        &[
            (
                "BW-K8S-004",
                "Pod/default/security-context-demo-4 container \"sec-ctx-4\"",
                "adds capabilities NET_ADMIN, SYS_TIME",
                "add: [",
            ),
            (
                "BW-K8S-018",
                "Pod/default/security-context-demo-4 container \"sec-ctx-4\"",
                "adds capabilities NET_ADMIN, SYS_TIME",
                "add: [",
            ),
            (
                "BW-K8S-018",
                "Pod/default/security-context-demo-4 container \"sec-ctx-4\"",
                "does not drop ALL",
                "securityContext: {",
            ),
        ],
        &["BW-K8S-003", "BW-K8S-024"],
    ),
    (
        "website-seccomp-violation-pod.yaml",
        &[(
            "BW-K8S-015",
            "Pod/default/violation-pod container \"test-container\"",
            "runAsNonRoot",
            "    securityContext:",
        )],
        &["BW-K8S-010", "BW-K8S-017", "BW-K8S-014"],
    ),
    (
        "website-hello-apparmor.yaml",
        &[(
            "BW-K8S-017",
            "Pod/default/hello-apparmor-container container \"hello\"",
            "seccompProfile",
            "- name: hello",
        )],
        &["BW-K8S-007", "BW-K8S-024"],
    ),
    (
        "website-daemonset.yaml",
        &[
            (
                "BW-K8S-005",
                "DaemonSet/kube-system/fluentd-elasticsearch",
                "volume \"varlog\" mounts host path \"/var/log\"",
                "        hostPath:",
            ),
            (
                "BW-K8S-005",
                "DaemonSet/kube-system/fluentd-elasticsearch",
                "mounts host path \"/var/lib/docker/containers\"",
                "        hostPath:#2",
            ),
            (
                "BW-K8S-013",
                "DaemonSet/kube-system/fluentd-elasticsearch",
                "uses restricted volume type hostPath",
                "        hostPath:",
            ),
            (
                "BW-K8S-019",
                "DaemonSet/kube-system/fluentd-elasticsearch container \"fluentd-elasticsearch\"",
                "has no cpu limits",
                "limits:",
            ),
            (
                "BW-K8S-027",
                "Namespace/kube-system",
                "namespace \"kube-system\" runs DaemonSet",
                "namespace: kube-system",
            ),
        ],
        &["BW-K8S-020", "BW-K8S-026", "BW-K8S-024"],
    ),
    (
        "website-cronjob.yaml",
        &[
            (
                "BW-K8S-024",
                "CronJob/default/hello container \"hello\"",
                "image \"busybox\" has no tag (pulls latest)",
                "image: busybox",
            ),
            ("BW-K8S-014", "CronJob/default/hello container \"hello\"", "allowPrivilegeEscalation", "- name: hello"),
        ],
        &["BW-K8S-003"],
    ),
    (
        "msdemo-loadgenerator.yaml",
        &[
            (
                "BW-K8S-024",
                "Deployment/default/loadgenerator initContainer \"wait-frontend\"",
                "has no tag",
                "image: loadgenerator",
            ),
            (
                "BW-K8S-019",
                "Deployment/default/loadgenerator initContainer \"wait-frontend\"",
                "has no cpu or memory limits",
                "- name: wait-frontend",
            ),
            (
                "BW-K8S-020",
                "Deployment/default/loadgenerator initContainer \"wait-frontend\"",
                "has no cpu or memory requests",
                "- name: wait-frontend",
            ),
        ],
        &["BW-K8S-002", "BW-K8S-003"],
    ),
    (
        "msdemo-redis.yaml",
        &[
            (
                "BW-K8S-018",
                "Deployment/default/redis-cart container \"redis\"",
                "does not drop ALL capabilities",
                "drop:",
            ),
            (
                "BW-K8S-017",
                "Deployment/default/redis-cart container \"redis\"",
                "seccompProfile",
                "        securityContext:",
            ),
            ("BW-K8S-023", "Deployment/default/redis-cart container \"redis\"", "redis:alpine", "image: redis:alpine"),
        ],
        &[
            "BW-K8S-003",
            "BW-K8S-014",
            "BW-K8S-015",
            "BW-K8S-016",
            "BW-K8S-019",
            "BW-K8S-020",
            "BW-K8S-021",
            "BW-K8S-024",
            "BW-K8S-025",
        ],
    ),
    (
        "helm-mysql-statefulset.yaml",
        &[
            (
                "BW-K8S-019",
                "StatefulSet/default/mysql container \"mysql\"",
                "has no cpu or memory limits",
                "limits: {}",
            ),
            (
                "BW-K8S-015",
                "StatefulSet/default/mysql container \"mysql\"",
                "runAsNonRoot",
                "          securityContext:",
            ),
            ("BW-K8S-026", "StatefulSet/default/mysql", "sets no namespace", "metadata:"),
        ],
        &["BW-K8S-016", "BW-K8S-025", "BW-K8S-013", "BW-K8S-024", "BW-K8S-012"],
    ),
];

#[test]
fn real_world_manifests() {
    for (file, must, must_not) in REAL_WORLD {
        let rel = format!("real-world/{file}");
        let text = read(&rel);
        let found = check(file, &text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (id, resource, message, line) in must.iter() {
            let want = match line.split_once('#') {
                Some((needle, nth)) => {
                    let nth: usize = nth.parse().unwrap();
                    let index = text.lines().enumerate().filter(|(_, l)| l.contains(needle)).nth(nth - 1).unwrap().0;
                    u32::try_from(index + 1).unwrap()
                }
                None => line_of(&text, line),
            };
            let hit = found
                .iter()
                .find(|m| m.check_id == *id && m.resource.as_deref() == Some(resource) && m.message.contains(message));
            let hit = hit.unwrap_or_else(|| panic!("{file}: {id} {resource} {message:?} missing: {found:#?}"));
            // Helm output: lines count from the `# Source:` comment.
            let offset = u32::from(text.starts_with("# Source:"));
            assert_eq!(hit.start_line, Some(want - offset), "{file}: {id} {message}: {hit:#?}");
        }
        for id in must_not.iter() {
            let wrong: Vec<_> = found.iter().filter(|m| m.check_id == *id).collect();
            assert!(wrong.is_empty(), "{file}: {id} fired: {wrong:#?}");
        }
    }
}

#[test]
fn helm_output_names_template_files() {
    let text = read("real-world/helm-testchart-deployment.yaml");
    let found = check("rendered.yaml", &text).unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|m| m.target == "testchart/templates/deployment.yaml"), "{found:#?}");
    let image = found.iter().find(|m| m.check_id == "BW-K8S-023").unwrap();
    assert_eq!(image.start_line, Some(line_of(&text, "image: \"nginx:1.16.0\"") - 1));
    let resources = found.iter().find(|m| m.check_id == "BW-K8S-019").unwrap();
    assert_eq!(resources.message, "container \"testchart\" has no cpu or memory limits");

    let text = read("loading/helm-stream.yaml");
    let objects = parse("stream.yaml", &text).unwrap();
    let files: Vec<(&str, &str, u32)> =
        objects.iter().map(|o| (o.kind.as_str(), o.file.as_str(), o.line_offset)).collect();
    assert_eq!(
        files,
        [
            ("ServiceAccount", "shop/templates/serviceaccount.yaml", 2),
            ("Deployment", "shop/templates/deployment.yaml", 8)
        ]
    );
    let found = check("stream.yaml", &text).unwrap();
    let host = found.iter().find(|m| m.check_id == "BW-K8S-002").unwrap();
    assert_eq!(host.target, "shop/templates/deployment.yaml");
    assert_eq!(host.start_line, Some(line_of(&text, "hostNetwork: true") - 8));
}

#[test]
fn lists_cronjobs_and_every_container_list() {
    let text = read("loading/list.yaml");
    let objects = parse("list.yaml", &text).unwrap();
    let kinds: Vec<String> = objects.iter().map(|o| format!("{}/{}", o.kind, o.name)).collect();
    assert_eq!(kinds, ["CronJob/nightly", "Service/web", "PodTemplate/template", "Pod/listed"]);
    assert_eq!(objects[3].api_version, "v1");
    let found = check("list.yaml", &text).unwrap();
    let mut privileged: Vec<&str> =
        found.iter().filter(|m| m.check_id == "BW-K8S-003").filter_map(|m| m.resource.as_deref()).collect();
    privileged.sort();
    assert_eq!(
        privileged,
        [
            "CronJob/ops/nightly container \"backup\"",
            "Pod/ops/listed ephemeralContainer \"debug\"",
            "Pod/ops/listed initContainer \"init\"",
            "PodTemplate/ops/template container \"tpl\"",
        ]
    );
    let cron =
        found.iter().find(|m| m.resource.as_deref() == Some("CronJob/ops/nightly container \"backup\"")).unwrap();
    assert_eq!(cron.start_line, Some(line_of(&text, "securityContext: {privileged: true}")));
    // Ephemeral containers cannot have resources: no resource findings for them.
    assert!(found.iter().filter(|m| m.check_id == "BW-K8S-019").all(|m| !m
        .resource
        .as_deref()
        .unwrap_or_default()
        .contains("ephemeralContainer")));
}

#[test]
fn json_manifest_and_input_document() {
    let text = read("loading/pod.json");
    let objects = parse("pod.json", &text).unwrap();
    assert_eq!(objects.len(), 1);
    let as_json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(input_document(&objects[0]), as_json);
    let found = check("pod.json", &text).unwrap();
    let ids: Vec<&str> = found.iter().map(|m| m.check_id.as_str()).collect();
    for id in ["BW-K8S-002", "BW-K8S-006", "BW-K8S-016", "BW-K8S-019", "BW-K8S-020"] {
        assert!(ids.contains(&id), "{id} missing in {ids:?}");
    }
    let host_pid = found.iter().find(|m| m.check_id == "BW-K8S-002").unwrap();
    assert_eq!(host_pid.start_line, Some(line_of(&text, "hostPID")));
    let port = found.iter().find(|m| m.check_id == "BW-K8S-006").unwrap();
    assert_eq!(port.message, "container \"app\" uses hostPort 8080");
    assert_eq!(port.start_line, Some(line_of(&text, "hostPort")));
    // cpu 0.5 and memory are set: only the init container lacks limits.
    let limits: Vec<_> = found.iter().filter(|m| m.check_id == "BW-K8S-019").collect();
    assert_eq!(limits.len(), 1);
    assert_eq!(limits[0].resource.as_deref(), Some("Pod/ops/json-pod initContainer \"init\""));

    // A flow-style YAML manifest reads as the same JSON document.
    let text = read("real-world/website-security-context-4.yaml");
    let objects = parse("sc4.yaml", &text).unwrap();
    let want = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "security-context-demo-4"},
        "spec": {"containers": [{"name": "sec-ctx-4", "image": "gcr.io/google-samples/hello-app:2.0",
            "securityContext": {"capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}}}]}
    });
    assert_eq!(input_document(&objects[0]), want);
}

#[test]
fn anchors_and_merge_keys() {
    let text = read("loading/anchors.yaml");
    let found = check("anchors.yaml", &text).unwrap();
    let privileged: Vec<&str> =
        found.iter().filter(|m| m.check_id == "BW-K8S-003").filter_map(|m| m.resource.as_deref()).collect();
    assert_eq!(privileged, ["Deployment/ops/anchored container \"first\""]);
    let objects = parse("anchors.yaml", &text).unwrap();
    let second = objects[0].node.path(&["spec", "template", "spec", "containers"]).unwrap().items()[1].clone();
    assert_eq!(second.get("image").and_then(|n| n.as_str()), Some("nginx:1.25"));
    assert_eq!(second.get("name").and_then(|n| n.as_str()), Some("second"));
}

#[test]
fn alias_bomb_is_bounded() {
    let text = read("loading/billion-laughs.yaml");
    let started = Instant::now();
    let err = parse("billion-laughs.yaml", &text).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(err.file, "billion-laughs.yaml");
    assert!(err.message.contains("alias"), "{err}");
    assert!(err.line >= line_of(&text, "f: &f"), "{err}");
    let scan = check_all(&[("billion-laughs.yaml", text.as_str()), ("ok.yaml", &read("corpus/deployment.yaml"))]);
    assert_eq!(scan.errors.len(), 1);
    assert!(!scan.misconfigurations.is_empty(), "other files are still checked");
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let text = read("loading/malformed.yaml");
    let err = check("k8s/malformed.yaml", &text).unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("k8s/malformed.yaml:{}:", line_of(&text, "securityContext"))), "{shown}");
    assert!(shown.contains("invalid YAML"), "{shown}");
}

#[test]
fn non_kubernetes_documents_are_skipped() {
    let text = "name: build\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n";
    assert!(parse("ci.yaml", text).unwrap().is_empty());
    assert!(check("empty.yaml", "").unwrap().is_empty());
    assert!(check("comments.yaml", "# nothing here\n---\n").unwrap().is_empty());
}

#[test]
fn network_policy_in_another_file_covers_the_namespace() {
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: \"nginx:1.25\"}]\n";
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n";
    let alone = check_all(&[("deploy.yaml", deploy)]);
    assert_eq!(alone.misconfigurations.iter().filter(|m| m.check_id == "BW-K8S-027").count(), 1);
    let together = check_all(&[("deploy.yaml", deploy), ("netpol.yaml", policy)]);
    assert!(together.errors.is_empty());
    assert_eq!(together.misconfigurations.iter().filter(|m| m.check_id == "BW-K8S-027").count(), 0);
}
