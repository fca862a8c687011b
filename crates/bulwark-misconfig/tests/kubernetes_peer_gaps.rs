//! The Kubernetes checks added to close the gaps the peer comparison (Trivy, Checkov) found — RBAC,
//! high UIDs and GIDs, probes, secrets in the environment, privileged ports, sensitive host paths —
//! on real-world manifests, with every expected finding and line read off the file by hand.

use bulwark_misconfig::kubernetes::{check, hardening};
use bulwark_types::Misconfiguration;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/kubernetes");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The new checks' ids.
fn new_ids() -> Vec<String> {
    (28..=41).map(|n| format!("BW-K8S-0{n}")).collect()
}

/// Findings of the new checks only.
fn new_findings(found: Vec<Misconfiguration>) -> Vec<Misconfiguration> {
    let ids = new_ids();
    found.into_iter().filter(|m| ids.contains(&m.check_id)).collect()
}

/// 1-based line of the `# Source:` comment that names `template`.
fn source_line(text: &str, template: &str) -> u32 {
    let index = text
        .lines()
        .position(|l| l == format!("# Source: {template}"))
        .unwrap_or_else(|| panic!("no # Source: {template}"));
    u32::try_from(index + 1).unwrap()
}

/// (check id, template, resource, message part, first line, last line in the rendered file).
type Expect = (&'static str, &'static str, &'static str, &'static str, u32, u32);

/// Every finding of the new checks on ingress-nginx's rendered chart; lines are those of the rendered file
/// (read off it by hand) and are reported relative to each object's `# Source:` comment.
const INGRESS_NGINX: &[Expect] = &[
    (
        "BW-K8S-035",
        "ingress-nginx/templates/clusterrole.yaml",
        "ClusterRole/ingress-nginx rule 1",
        "ClusterRole rule 1 can read Secrets: list, watch on secrets",
        53,
        63,
    ),
    (
        "BW-K8S-039",
        "ingress-nginx/templates/clusterrole.yaml",
        "ClusterRole/ingress-nginx rule 3",
        "ClusterRole rule 3 can change traffic routing or network policy: update on services",
        70,
        78,
    ),
    (
        "BW-K8S-035",
        "ingress-nginx/templates/controller-role.yaml",
        "Role/ingress-nginx/ingress-nginx rule 2",
        "get, list, watch on secrets",
        152,
        162,
    ),
    (
        "BW-K8S-039",
        "ingress-nginx/templates/controller-role.yaml",
        "Role/ingress-nginx/ingress-nginx rule 3",
        "update on services",
        163,
        171,
    ),
    (
        "BW-K8S-039",
        "ingress-nginx/templates/controller-role.yaml",
        "Role/ingress-nginx/ingress-nginx rule 9",
        "create, update on endpoints",
        211,
        218,
    ),
    (
        "BW-K8S-032",
        "ingress-nginx/templates/controller-deployment.yaml",
        "Deployment/ingress-nginx/ingress-nginx-controller container \"controller\"",
        "listens on privileged port 80",
        387,
        387,
    ),
    (
        "BW-K8S-032",
        "ingress-nginx/templates/controller-deployment.yaml",
        "Deployment/ingress-nginx/ingress-nginx-controller container \"controller\"",
        "listens on privileged port 443",
        390,
        390,
    ),
    (
        "BW-K8S-038",
        "ingress-nginx/templates/admission-webhooks/job-patch/clusterrole.yaml",
        "ClusterRole/ingress-nginx-admission rule 1",
        "can change admission webhooks: update on validatingwebhookconfigurations",
        466,
        472,
    ),
    (
        "BW-K8S-035",
        "ingress-nginx/templates/admission-webhooks/job-patch/role.yaml",
        "Role/ingress-nginx/ingress-nginx-admission rule 1",
        "Role rule 1 can read Secrets: get on secrets",
        604,
        610,
    ),
];

#[test]
fn ingress_nginx_rbac_and_ports() {
    let rel = "real-world/ingress-nginx-baremetal-deploy.yaml";
    let text = read(rel);
    let found = new_findings(check("deploy.yaml", &text).unwrap());
    let rbac: Vec<&Misconfiguration> =
        found.iter().filter(|m| m.resource.as_deref().is_some_and(|r| r.contains(" rule "))).collect();
    assert_eq!(rbac.len(), 7, "{rbac:#?}");
    for (id, template, resource, message, start, end) in INGRESS_NGINX {
        let hit = found
            .iter()
            .find(|m| m.check_id == *id && m.resource.as_deref() == Some(resource) && m.message.contains(message))
            .unwrap_or_else(|| panic!("{id} {resource} {message:?} missing: {found:#?}"));
        assert_eq!(hit.target, *template, "{id} {resource}");
        let offset = source_line(&text, template);
        assert_eq!((hit.start_line, hit.end_line), (Some(start - offset), Some(end - offset)), "{id} {resource}");
    }
    // Ports 8443 (webhook) and the high ports of the admission jobs are not privileged.
    assert_eq!(found.iter().filter(|m| m.check_id == "BW-K8S-032").count(), 2);
    // The controller has both probes; the admission jobs are Jobs: no probe findings at all.
    assert!(found.iter().all(|m| m.check_id != "BW-K8S-030"), "{found:#?}");
    // Read-only rules (ingresses, ingressclasses, nodes), events, ingresses/status and the leader-election
    // configmap are not reported; nothing grants wildcards, exec, escalation, or binds cluster-admin or
    // anonymous users.
    for id in ["BW-K8S-034", "BW-K8S-036", "BW-K8S-037", "BW-K8S-040", "BW-K8S-041"] {
        assert!(found.iter().all(|m| m.check_id != id), "{id} fired: {found:#?}");
    }
    // The admission jobs run as UID 2000 set on the pod: reported as below 10000, with the pod's line.
    let uid = found
        .iter()
        .find(|m| m.check_id == "BW-K8S-028" && m.target.ends_with("job-createSecret.yaml"))
        .unwrap_or_else(|| panic!("no BW-K8S-028 on job-createSecret.yaml: {found:#?}"));
    assert!(uid.message.contains("runs with the pod's runAsUser: 2000"), "{uid:#?}");
}

#[test]
fn node_exporter_host_paths_and_inherited_ids() {
    let text = read("real-world/kube-prometheus-node-exporter-daemonset.yaml");
    let found = new_findings(check("node-exporter.yaml", &text).unwrap());
    let resource = "DaemonSet/monitoring/node-exporter";
    let paths: Vec<(&str, Option<u32>)> =
        found.iter().filter(|m| m.check_id == "BW-K8S-033").map(|m| (m.message.as_str(), m.start_line)).collect();
    assert_eq!(
        paths,
        [
            (
                "volume \"sys\" mounts host path \"/sys\", which exposes the host's kernel settings and devices",
                Some(110)
            ),
            ("volume \"root\" mounts host path \"/\", which exposes the host's root file system", Some(113)),
        ]
    );
    assert!(found.iter().filter(|m| m.check_id == "BW-K8S-033").all(|m| m.resource.as_deref() == Some(resource)));
    // The pod sets runAsUser 65534 and kube-rbac-proxy its own 65532: no UID finding (Trivy, which reads
    // only the container's field, reports node-exporter here).
    assert!(found.iter().all(|m| m.check_id != "BW-K8S-028"), "{found:#?}");
    // runAsGroup: kube-rbac-proxy sets 65532; node-exporter has none and the pod neither.
    let gids: Vec<(&str, Option<u32>, Option<u32>)> = found
        .iter()
        .filter(|m| m.check_id == "BW-K8S-029")
        .map(|m| (m.resource.as_deref().unwrap_or_default(), m.start_line, m.end_line))
        .collect();
    assert_eq!(gids, [("DaemonSet/monitoring/node-exporter container \"node-exporter\"", Some(49), Some(56))]);
    // Neither container has a probe: the whole container is the span.
    let probes: Vec<(Option<u32>, Option<u32>, &str)> = found
        .iter()
        .filter(|m| m.check_id == "BW-K8S-030")
        .map(|m| (m.start_line, m.end_line, m.message.as_str()))
        .collect();
    assert_eq!(
        probes,
        [
            (Some(29), Some(65), "container \"node-exporter\" has no livenessProbe and no readinessProbe"),
            (Some(66), Some(96), "container \"kube-rbac-proxy\" has no livenessProbe and no readinessProbe"),
        ]
    );
    // Port 9100 is not privileged; the env var comes from a fieldRef, not a Secret.
    for id in ["BW-K8S-031", "BW-K8S-032"] {
        assert!(found.iter().all(|m| m.check_id != id), "{id} fired: {found:#?}");
    }
}

#[test]
fn istio_mysql_secret_in_env() {
    let text = read("real-world/istio-bookinfo-mysql.yaml");
    let found = new_findings(check("bookinfo-mysql.yaml", &text).unwrap());
    let env: Vec<&Misconfiguration> = found.iter().filter(|m| m.check_id == "BW-K8S-031").collect();
    assert_eq!(env.len(), 1, "{found:#?}");
    assert_eq!(
        env[0].message,
        "container \"mysqldb\" reads key \"rootpasswd\" of secret \"mysql-credentials\" into environment variable \
         MYSQL_ROOT_PASSWORD"
    );
    assert_eq!(env[0].resource.as_deref(), Some("Deployment/default/mysqldb-v1 container \"mysqldb\""));
    assert_eq!((env[0].start_line, env[0].end_line), (Some(66), Some(70)));
    // The mysql container has no probes and listens on 3306.
    assert!(found.iter().any(|m| m.check_id == "BW-K8S-030"));
    assert!(found.iter().all(|m| m.check_id != "BW-K8S-032"));
}

#[test]
fn every_new_check_is_in_the_metadata_with_a_peer_or_framework_reason() {
    let all = bulwark_misconfig::kubernetes::metadata();
    for id in new_ids() {
        let meta = all.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(!meta.references.is_empty(), "{id} has no reference");
        assert!(meta.mappings.len() >= 2 || id == "BW-K8S-030", "{id} maps to too few controls");
    }
    let ids: Vec<&str> = all.iter().map(|m| m.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "metadata is in id order");
}

#[test]
fn host_path_normalisation() {
    let cases: &[(&str, &str)] = &[
        ("/var/run/docker.sock", "/run/docker.sock"),
        ("//etc//kubernetes/", "/etc/kubernetes"),
        ("/var/log/../../etc", "/etc"),
        ("/../..", "/"),
        ("relative/dir", "/relative/dir"),
        ("/var/run", "/run"),
    ];
    for (path, want) in cases {
        assert_eq!(hardening::normalise_host_path(path), *want, "{path}");
    }
}
