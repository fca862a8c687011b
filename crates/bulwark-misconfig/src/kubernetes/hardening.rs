//! Further workload checks that Trivy and Checkov run and the Pod Security Standards do not: high UIDs
//! and GIDs, liveness and readiness probes, secrets in environment variables, privileged container
//! ports, and hostPath volumes that reach sensitive host paths.

use super::workload::{Container, ContainerKind, Workload};
use super::yaml::Node;
use crate::check::{Check, CheckMeta, Hit};
use bulwark_types::{Framework, Level};

const NSA_DOC: &str =
    "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF";
const RUNTIME: (Framework, &str) = (Framework::Nist800190, "4.4.3 Insecure container runtime configurations");
const NON_ROOT: (Framework, &str) = (Framework::NsaCisa, "Pod security: non-root containers");

/// Lowest UID and GID that the high-ID checks accept (as Checkov's CKV_K8S_40).
pub const HIGH_ID: i64 = 10000;

/// Ports below this one are privileged on Linux unless `net.ipv4.ip_unprivileged_port_start` is lowered.
pub const PRIVILEGED_PORTS_END: i64 = 1024;

/// The sysctl that moves the start of the unprivileged port range inside the pod's network namespace.
const UNPRIVILEGED_PORT_START: &str = "net.ipv4.ip_unprivileged_port_start";

/// How a sensitive host path is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Only the path itself (and its ancestors).
    Exact,
    /// The path and everything below it (and its ancestors).
    Tree,
}

/// Host paths a hostPath volume must not reach: (path, how it matches, what it exposes). A volume is
/// sensitive when its normalised path is one of these, lies below a `Tree` entry, or is an ancestor of
/// any entry (mounting `/var` exposes `/var/lib/kubelet`). `/var/run` is read as `/run`.
pub const SENSITIVE_HOST_PATHS: &[(&str, Reach, &str)] = &[
    ("/", Reach::Exact, "the host's root file system"),
    ("/boot", Reach::Tree, "the host's kernel and boot loader"),
    ("/dev", Reach::Tree, "the host's devices"),
    ("/etc", Reach::Tree, "the host's configuration and credentials"),
    ("/home", Reach::Tree, "users' home directories on the host"),
    ("/lib", Reach::Exact, "the host's libraries"),
    ("/proc", Reach::Tree, "the host's kernel interfaces and processes"),
    ("/root", Reach::Tree, "root's home directory on the host"),
    ("/run/containerd", Reach::Tree, "the containerd socket"),
    ("/run/crio", Reach::Tree, "the CRI-O socket"),
    ("/run/cri-dockerd.sock", Reach::Exact, "the cri-dockerd socket"),
    ("/run/docker.sock", Reach::Exact, "the Docker daemon socket"),
    ("/sys", Reach::Tree, "the host's kernel settings and devices"),
    ("/usr", Reach::Exact, "the host's programs and libraries"),
    ("/var/lib/containerd", Reach::Tree, "the container runtime's state"),
    ("/var/lib/containers", Reach::Tree, "the container runtime's state"),
    ("/var/lib/docker", Reach::Tree, "the container runtime's state (every container's files and config)"),
    ("/var/lib/etcd", Reach::Tree, "etcd's data (every Secret of the cluster)"),
    ("/var/lib/kubelet", Reach::Tree, "the kubelet's state, credentials and every pod's volumes"),
];

/// Paths below a sensitive tree that only hold public data (time-zone files).
pub const HARMLESS_HOST_PATHS: &[&str] = &["/etc/localtime", "/etc/timezone"];

/// Metadata of one check in this file.
const fn meta(
    id: &'static str,
    title: &'static str,
    severity: Level,
    description: &'static str,
    remediation: &'static str,
    mappings: &'static [(Framework, &'static str)],
    references: &'static [&'static str],
) -> CheckMeta {
    CheckMeta { id, title, severity, description, remediation, mappings, references }
}

/// The workload checks of this file.
pub const CHECKS: &[Check<Workload>] = &[
    Check {
        meta: meta(
            "BW-K8S-028",
            "Container runs with a UID below 10000",
            Level::Low,
            "A container whose effective runAsUser (its own, else the pod's) is below 10000 shares UIDs with \
             users and daemons of the node, which matters once it escapes. An unset runAsUser fails too, as in \
             Trivy (KSV020) and Checkov (CKV_K8S_40): the image's USER then applies and is usually low. Pods in \
             a user namespace (hostUsers: false) and Windows pods are exempt.",
            "Set securityContext.runAsUser to 10000 or more on the pod (or on every container).",
            &[NON_ROOT, RUNTIME],
            &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/", NSA_DOC],
        ),
        run: low_uid,
    },
    Check {
        meta: meta(
            "BW-K8S-029",
            "Container runs with a GID below 10000",
            Level::Low,
            "A container whose effective runAsGroup (its own, else the pod's) is below 10000 shares GIDs with \
             groups of the node, which matters once it escapes. An unset runAsGroup fails too, as in Trivy \
             (KSV021): the image's group then applies, usually root (0). Pods in a user namespace \
             (hostUsers: false) and Windows pods are exempt.",
            "Set securityContext.runAsGroup to 10000 or more on the pod (or on every container).",
            &[NON_ROOT, RUNTIME],
            &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/", NSA_DOC],
        ),
        run: low_gid,
    },
    Check {
        meta: meta(
            "BW-K8S-030",
            "Liveness or readiness probe missing",
            Level::Low,
            "Without a liveness probe a hung container is never restarted; without a readiness probe a Service \
             sends traffic to it before it is ready. Checked for long-running containers only (regular \
             containers and restartable init containers of workloads that are not Jobs, CronJobs or \
             run-to-completion Pods), as Checkov's CKV_K8S_8 and CKV_K8S_9.",
            "Add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec) to every long-running \
             container.",
            &[RUNTIME],
            &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
        ),
        run: probes,
    },
    Check {
        meta: meta(
            "BW-K8S-031",
            "Secret exposed as an environment variable",
            Level::Low,
            "Environment variables are inherited by every child process, shown by `kubectl describe`-style \
             tooling and crash reports, and readable in /proc/<pid>/environ; secrets mounted as files are not, \
             and are updated in place when the Secret changes (CIS Kubernetes Benchmark 5.4.1, Checkov \
             CKV_K8S_35).",
            "Mount the Secret as a volume (secret or projected) and read it from the file.",
            &[
                (Framework::NsaCisa, "Network separation and hardening: secrets"),
                (Framework::Nist800190, "4.1.4 Embedded clear text secrets"),
            ],
            &["https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod"],
        ),
        run: secret_env,
    },
    Check {
        meta: meta(
            "BW-K8S-032",
            "Container port below 1024",
            Level::Low,
            "Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE unless the runtime lowers \
             net.ipv4.ip_unprivileged_port_start, so images that listen there tend to run as root (Trivy \
             KSV117). A pod that sets that sysctl at or below the port passes.",
            "Listen on a port of 1024 or more and map the low port in the Service (port: 80, targetPort: 8080).",
            &[NON_ROOT, RUNTIME],
            &["https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service", NSA_DOC],
        ),
        run: privileged_ports,
    },
    Check {
        meta: meta(
            "BW-K8S-033",
            "hostPath volume reaches a sensitive host path",
            Level::High,
            "A hostPath volume on /, /etc, /proc, /sys, /dev, /boot, /root, /home, /lib, /usr, the kubelet, \
             etcd or container-runtime state, or a container-runtime socket hands the pod the node's \
             credentials or control of every container on it (Trivy KSV121, Checkov CKV_K8S_27). Paths are \
             normalised (`..`, `//`, /var/run = /run); ancestors of these paths count too; /etc/localtime and \
             /etc/timezone are allowed.",
            "Remove the volume; if an agent really needs host data, mount the narrowest subdirectory read-only \
             and run the agent in a dedicated, locked-down namespace.",
            &[
                (Framework::Pss, "baseline: HostPath Volumes"),
                (Framework::NsaCisa, "Pod security: host namespaces, ports and paths"),
                (Framework::Nist800190, "4.5.5 Host OS file system tampering"),
                RUNTIME,
            ],
            &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", NSA_DOC],
        ),
        run: sensitive_host_path,
    },
];

/// Which of the two ID fields a high-ID check reads.
#[derive(Clone, Copy)]
struct IdField {
    key: &'static str,
    word: &'static str,
}

fn low_uid(w: &Workload) -> Vec<Hit> {
    low_ids(w, IdField { key: "runAsUser", word: "UID" })
}

fn low_gid(w: &Workload) -> Vec<Hit> {
    low_ids(w, IdField { key: "runAsGroup", word: "GID" })
}

/// One hit per container whose effective UID or GID is unset or below [`HIGH_ID`].
fn low_ids(w: &Workload, field: IdField) -> Vec<Hit> {
    if w.windows() || w.user_namespace() {
        return Vec::new();
    }
    let path: &[&str] = &["securityContext", field.key];
    let mut hits = Vec::new();
    for c in w.containers() {
        let own = c.sc(field.key);
        let pod = w.pod_sc(field.key);
        let hit = match (own, pod) {
            (Some(node), _) => match node.as_i64() {
                Some(id) if id < HIGH_ID => w.container_hit(
                    &c,
                    format!("{} sets {}: {id}, a {} below {HIGH_ID}", c.label(), field.key, field.word),
                    path,
                ),
                _ => continue,
            },
            (None, Some(node)) => match (node.as_i64(), w.spec()) {
                (Some(id), Some(spec)) if id < HIGH_ID => w.at(
                    Some(&c),
                    format!("{} runs with the pod's {}: {id}, a {} below {HIGH_ID}", c.label(), field.key, field.word),
                    spec,
                    path,
                ),
                _ => continue,
            },
            (None, None) => {
                let at: &[&str] = if c.field(&["securityContext"]).is_some() { &["securityContext"] } else { &[] };
                w.container_hit(
                    &c,
                    format!(
                        "neither the pod nor {} sets {} (the image's {} applies)",
                        c.label(),
                        field.key,
                        field.word
                    ),
                    at,
                )
            }
        };
        hits.push(hit);
    }
    hits
}

/// Kinds the probe check skips: pods that run to completion, and bare templates whose use is unknown.
const NO_PROBE_KINDS: &[&str] = &["Job", "CronJob", "PodTemplate"];

/// True when the container runs for the pod's lifetime: a regular container, or a restartable
/// ("sidecar") init container.
fn long_running(c: &Container<'_>) -> bool {
    match c.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => c.field(&["restartPolicy"]).and_then(Node::as_str) == Some("Always"),
        ContainerKind::Ephemeral => false,
    }
}

fn probes(w: &Workload) -> Vec<Hit> {
    if NO_PROBE_KINDS.contains(&w.object.kind.as_str()) {
        return Vec::new();
    }
    let restart = w.pod(&["restartPolicy"]).and_then(Node::as_str);
    if w.object.kind == "Pod" && matches!(restart, Some("Never" | "OnFailure")) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for c in w.containers().iter().filter(|c| long_running(c)) {
        let missing: Vec<&str> =
            ["livenessProbe", "readinessProbe"].into_iter().filter(|p| c.field(&[p]).is_none()).collect();
        if !missing.is_empty() {
            hits.push(w.container_hit(c, format!("{} has no {}", c.label(), missing.join(" and no ")), &[]));
        }
    }
    hits
}

fn secret_env(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for c in w.containers() {
        for var in c.field(&["env"]).map(Node::items).unwrap_or_default() {
            let Some(reference) = var.path(&["valueFrom", "secretKeyRef"]) else { continue };
            let name = var.get("name").and_then(Node::as_str).unwrap_or_default();
            let secret = reference.get("name").and_then(Node::as_str).unwrap_or_default();
            let key = reference.get("key").and_then(Node::as_str).unwrap_or_default();
            let message =
                format!("{} reads key \"{key}\" of secret \"{secret}\" into environment variable {name}", c.label());
            hits.push(w.at(Some(&c), message, var, &[]));
        }
        for source in c.field(&["envFrom"]).map(Node::items).unwrap_or_default() {
            let Some(reference) = source.get("secretRef") else { continue };
            let secret = reference.get("name").and_then(Node::as_str).unwrap_or_default();
            let message = format!("{} loads every key of secret \"{secret}\" into its environment", c.label());
            hits.push(w.at(Some(&c), message, source, &[]));
        }
    }
    hits
}

/// The first unprivileged port the pod's sysctls set, when they set one.
fn unprivileged_port_start(w: &Workload) -> Option<i64> {
    let sysctls = w.pod(&["securityContext", "sysctls"])?;
    let entry =
        sysctls.items().iter().find(|s| s.get("name").and_then(Node::as_str) == Some(UNPRIVILEGED_PORT_START))?;
    let value = entry.get("value")?;
    value.as_i64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

fn privileged_ports(w: &Workload) -> Vec<Hit> {
    if w.windows() {
        return Vec::new();
    }
    let start = unprivileged_port_start(w).unwrap_or(PRIVILEGED_PORTS_END).min(PRIVILEGED_PORTS_END);
    let mut hits = Vec::new();
    for c in w.containers() {
        for port in c.field(&["ports"]).map(Node::items).unwrap_or_default() {
            let Some(number) = port.get("containerPort").and_then(Node::as_i64) else { continue };
            if number > 0 && number < start {
                let message = format!("{} listens on privileged port {number}", c.label());
                hits.push(w.at(Some(&c), message, port, &["containerPort"]));
            }
        }
    }
    hits
}

/// A host path with `//`, `.` and `..` resolved, no trailing slash, and `/var/run` read as `/run`.
pub fn normalise_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.len() >= 2 && parts[0] == "var" && parts[1] == "run" {
        parts.remove(0);
    }
    format!("/{}", parts.join("/"))
}

/// True when `inner` is `outer` or lies below it.
fn within(inner: &str, outer: &str) -> bool {
    outer == "/" || inner == outer || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
}

/// Why a hostPath is sensitive, e.g. `exposes the Docker daemon socket` or `contains /var/lib/kubelet
/// (the kubelet's state, …)`; None when it is not.
pub fn sensitive_host_path_reason(path: &str) -> Option<String> {
    let path = normalise_host_path(path);
    if HARMLESS_HOST_PATHS.contains(&path.as_str()) {
        return None;
    }
    let reached = SENSITIVE_HOST_PATHS.iter().find(|(sensitive, reach, _)| match reach {
        Reach::Exact => path == *sensitive,
        Reach::Tree => within(&path, sensitive),
    });
    if let Some((_, _, why)) = reached {
        return Some(format!("exposes {why}"));
    }
    SENSITIVE_HOST_PATHS
        .iter()
        .find(|(sensitive, ..)| within(sensitive, &path))
        .map(|(sensitive, _, why)| format!("contains {sensitive} ({why})"))
}

fn sensitive_host_path(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for volume in w.pod(&["volumes"]).map(Node::items).unwrap_or_default() {
        let Some(path) = volume.path(&["hostPath", "path"]).and_then(Node::as_str) else { continue };
        let Some(why) = sensitive_host_path_reason(path) else { continue };
        let name = volume.get("name").and_then(Node::as_str).unwrap_or_default();
        let message = format!("volume \"{name}\" mounts host path \"{path}\", which {why}");
        hits.push(w.at(None, message, volume, &["hostPath", "path"]));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_host_paths() {
        let cases: &[(&str, bool)] = &[
            ("/", true),
            ("/etc", true),
            ("/etc/kubernetes/pki", true),
            ("/etc/localtime", false),
            ("/etc/../etc/localtime", false),
            ("/var/run/docker.sock", true),
            ("/run/docker.sock", true),
            ("/var/run//docker.sock/", true),
            ("/var/run/crio/crio.sock", true),
            ("/run/containerd/containerd.sock", true),
            ("/var/lib/kubelet/pods", true),
            ("/var/lib", true),
            ("/var", true),
            ("/var/run", true),
            ("/var/log", false),
            ("/var/log/../lib/docker", true),
            ("/var/lib/docker/containers", true),
            ("/usr", true),
            ("/usr/share/zoneinfo", false),
            ("/lib/modules", false),
            ("/data/app", false),
            ("/proc/sys/net", true),
            ("/sys", true),
            ("/dev/kvm", true),
            ("/home/ubuntu", true),
            ("/mnt/disks/ssd0", false),
        ];
        for (path, want) in cases {
            assert_eq!(sensitive_host_path_reason(path).is_some(), *want, "{path}");
        }
    }
}
