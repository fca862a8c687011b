//! Every control of the Kubernetes Pod Security Standards (baseline and restricted, as of v1.35), with
//! pod-level and container-level fields inherited exactly as the Pod Security admission controller
//! reads them. <https://kubernetes.io/docs/concepts/security/pod-security-standards/>

use super::workload::{Container, Workload};
use super::yaml::Node;
use crate::check::{Check, CheckMeta, Hit};
use bulwark_types::{Framework, Level};

const PSS_DOC: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const RUNTIME: (Framework, &str) = (Framework::Nist800190, "4.4.3 Insecure container runtime configurations");
const NETWORK: (Framework, &str) = (Framework::Nist800190, "4.4.2 Unbounded network access from containers");

/// Capabilities the baseline level lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls the baseline level allows (the "safe" set, v1.32+).
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// SELinux types the baseline level allows (besides unset or empty).
pub const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/// Volume sources the restricted level allows.
pub const RESTRICTED_VOLUMES: &[&str] =
    &["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Metadata of one check in this file.
#[allow(clippy::too_many_arguments)]
const fn meta(
    id: &'static str,
    title: &'static str,
    severity: Level,
    description: &'static str,
    remediation: &'static str,
    mappings: &'static [(Framework, &'static str)],
) -> CheckMeta {
    CheckMeta { id, title, severity, description, remediation, mappings, references: &[PSS_DOC] }
}

/// The Pod Security Standards checks, baseline first.
pub const CHECKS: &[Check<Workload>] = &[
    Check {
        meta: meta(
            "BW-K8S-001",
            "Windows HostProcess container",
            Level::High,
            "HostProcess containers have privileged access to the Windows node.",
            "Remove securityContext.windowsOptions.hostProcess or set it to false.",
            &[(Framework::Pss, "baseline: HostProcess"), RUNTIME],
        ),
        run: host_process,
    },
    Check {
        meta: meta(
            "BW-K8S-002",
            "Host namespaces shared",
            Level::High,
            "Sharing the node's network, PID or IPC namespace lets the pod see and reach host processes and traffic.",
            "Remove hostNetwork, hostPID and hostIPC or set them to false.",
            &[
                (Framework::Pss, "baseline: Host Namespaces"),
                (Framework::NsaCisa, "Pod security: host namespaces, ports and paths"),
                RUNTIME,
                NETWORK,
            ],
        ),
        run: host_namespaces,
    },
    Check {
        meta: meta(
            "BW-K8S-003",
            "Privileged container",
            Level::High,
            "A privileged container has all capabilities and device access: it is root on the node.",
            "Remove securityContext.privileged or set it to false.",
            &[
                (Framework::Pss, "baseline: Privileged Containers"),
                (Framework::NsaCisa, "Pod security: privileged containers"),
                RUNTIME,
            ],
        ),
        run: privileged,
    },
    Check {
        meta: meta(
            "BW-K8S-004",
            "Capabilities added beyond the default set",
            Level::Medium,
            "Adding capabilities beyond the container runtime's default set enables known privilege escalations.",
            "Add only capabilities from the baseline list (e.g. NET_BIND_SERVICE); drop ALL where possible.",
            &[
                (Framework::Pss, "baseline: Capabilities"),
                (Framework::NsaCisa, "Pod security: capabilities"),
                RUNTIME,
            ],
        ),
        run: baseline_capabilities,
    },
    Check {
        meta: meta(
            "BW-K8S-005",
            "hostPath volume",
            Level::High,
            "A hostPath volume exposes the node's file system to the pod.",
            "Use a persistentVolumeClaim, emptyDir, configMap or secret volume instead of hostPath.",
            &[
                (Framework::Pss, "baseline: HostPath Volumes"),
                (Framework::NsaCisa, "Pod security: host namespaces, ports and paths"),
                RUNTIME,
            ],
        ),
        run: host_path,
    },
    Check {
        meta: meta(
            "BW-K8S-006",
            "Host port",
            Level::Medium,
            "A hostPort binds the container to a port on the node, bypassing network policy and limiting scheduling.",
            "Remove hostPort; expose the container through a Service.",
            &[
                (Framework::Pss, "baseline: Host Ports"),
                (Framework::NsaCisa, "Pod security: host namespaces, ports and paths"),
                NETWORK,
            ],
        ),
        run: host_ports,
    },
    Check {
        meta: meta(
            "BW-K8S-007",
            "AppArmor profile overridden or disabled",
            Level::Medium,
            "The runtime's default AppArmor profile must not be disabled (Unconfined) or replaced by an unknown one.",
            "Use appArmorProfile.type RuntimeDefault or Localhost (annotation: runtime/default or localhost/<profile>).",
            &[
                (Framework::Pss, "baseline: AppArmor"),
                (Framework::NsaCisa, "Pod security: seccomp, AppArmor and SELinux"),
                RUNTIME,
            ],
        ),
        run: apparmor,
    },
    Check {
        meta: meta(
            "BW-K8S-008",
            "Custom SELinux options",
            Level::Medium,
            "Setting a custom SELinux type, user or role can give the container an unconfined or privileged domain.",
            "Remove seLinuxOptions.user and .role; use type container_t, container_init_t, container_kvm_t or \
             container_engine_t, or leave it unset.",
            &[
                (Framework::Pss, "baseline: SELinux"),
                (Framework::NsaCisa, "Pod security: seccomp, AppArmor and SELinux"),
                RUNTIME,
            ],
        ),
        run: selinux,
    },
    Check {
        meta: meta(
            "BW-K8S-009",
            "Unmasked /proc mount",
            Level::Medium,
            "The default /proc masks reduce the kernel attack surface; an Unmasked procMount removes them.",
            "Remove securityContext.procMount or set it to Default.",
            &[(Framework::Pss, "baseline: /proc Mount Type"), RUNTIME],
        ),
        run: proc_mount,
    },
    Check {
        meta: meta(
            "BW-K8S-010",
            "Seccomp disabled",
            Level::Medium,
            "A seccomp profile of type Unconfined lets the container make every system call.",
            "Set seccompProfile.type to RuntimeDefault or Localhost.",
            &[
                (Framework::Pss, "baseline: Seccomp"),
                (Framework::NsaCisa, "Pod security: seccomp, AppArmor and SELinux"),
                RUNTIME,
            ],
        ),
        run: baseline_seccomp,
    },
    Check {
        meta: meta(
            "BW-K8S-011",
            "Unsafe sysctl",
            Level::Medium,
            "Sysctls outside the safe, namespaced set can disable security mechanisms or affect every pod on the node.",
            "Set only safe sysctls (e.g. net.ipv4.ip_local_port_range) in securityContext.sysctls.",
            &[(Framework::Pss, "baseline: Sysctls"), RUNTIME],
        ),
        run: sysctls,
    },
    Check {
        meta: meta(
            "BW-K8S-012",
            "Probe or lifecycle hook targets another host",
            Level::Medium,
            "A host in an httpGet or tcpSocket probe or lifecycle hook makes the kubelet connect to an arbitrary \
             address from the node.",
            "Remove the host field so probes and hooks target the pod's own IP.",
            &[(Framework::Pss, "baseline: Host Probes / Lifecycle Hooks"), NETWORK],
        ),
        run: host_probes,
    },
    Check {
        meta: meta(
            "BW-K8S-013",
            "Volume type not allowed by the restricted level",
            Level::Low,
            "The restricted level allows only configMap, csi, downwardAPI, emptyDir, ephemeral, \
             persistentVolumeClaim, projected and secret volumes.",
            "Replace the volume with a PersistentVolumeClaim or one of the allowed types.",
            &[(Framework::Pss, "restricted: Volume Types"), RUNTIME],
        ),
        run: volume_types,
    },
    Check {
        meta: meta(
            "BW-K8S-014",
            "Privilege escalation allowed",
            Level::Medium,
            "Unless allowPrivilegeEscalation is false, setuid binaries and file capabilities can raise a process's \
             privileges.",
            "Set securityContext.allowPrivilegeEscalation: false in every container.",
            &[
                (Framework::Pss, "restricted: Privilege Escalation"),
                (Framework::NsaCisa, "Pod security: privilege escalation"),
                RUNTIME,
            ],
        ),
        run: privilege_escalation,
    },
    Check {
        meta: meta(
            "BW-K8S-015",
            "runAsNonRoot not required",
            Level::Medium,
            "Without runAsNonRoot: true the kubelet starts the container even when its image runs as root.",
            "Set securityContext.runAsNonRoot: true on the pod (or on every container).",
            &[
                (Framework::Pss, "restricted: Running as Non-root"),
                (Framework::NsaCisa, "Pod security: non-root containers"),
                RUNTIME,
            ],
        ),
        run: run_as_non_root,
    },
    Check {
        meta: meta(
            "BW-K8S-016",
            "runAsUser set to root",
            Level::High,
            "runAsUser: 0 runs the container's processes as root.",
            "Set runAsUser to a non-zero UID, or remove it and build the image with a non-root USER.",
            &[
                (Framework::Pss, "restricted: Running as Non-root user"),
                (Framework::NsaCisa, "Pod security: non-root containers"),
                RUNTIME,
            ],
        ),
        run: run_as_user,
    },
    Check {
        meta: meta(
            "BW-K8S-017",
            "Seccomp profile not set",
            Level::Low,
            "The restricted level requires a seccomp profile of type RuntimeDefault or Localhost on the pod or on \
             every container.",
            "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
            &[
                (Framework::Pss, "restricted: Seccomp"),
                (Framework::NsaCisa, "Pod security: seccomp, AppArmor and SELinux"),
                RUNTIME,
            ],
        ),
        run: restricted_seccomp,
    },
    Check {
        meta: meta(
            "BW-K8S-018",
            "Capabilities not dropped",
            Level::Low,
            "The restricted level requires every container to drop ALL capabilities and add back only \
             NET_BIND_SERVICE.",
            "Set securityContext.capabilities.drop: [ALL]; add only NET_BIND_SERVICE if needed.",
            &[
                (Framework::Pss, "restricted: Capabilities"),
                (Framework::NsaCisa, "Pod security: capabilities"),
                RUNTIME,
            ],
        ),
        run: restricted_capabilities,
    },
];

fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_bool) == Some(true)
}

fn strings(node: Option<&Node>) -> impl Iterator<Item = &str> {
    node.map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str)
}

fn host_process(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "windowsOptions", "hostProcess"];
    let mut hits = Vec::new();
    if is_true(w.pod(PATH)) {
        hits.push(w.hit_at("pod sets securityContext.windowsOptions.hostProcess: true", PATH));
    }
    for c in w.containers() {
        if is_true(c.field(PATH)) {
            hits.push(w.container_hit(&c, format!("{} sets windowsOptions.hostProcess: true", c.label()), PATH));
        }
    }
    hits
}

fn host_namespaces(w: &Workload) -> Vec<Hit> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|field| is_true(w.pod(&[field])))
        .map(|field| w.hit_at(format!("pod sets {field}: true"), &[field]))
        .collect()
}

fn privileged(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "privileged"];
    w.containers()
        .iter()
        .filter(|c| is_true(c.field(PATH)))
        .map(|c| w.container_hit(c, format!("{} is privileged", c.label()), PATH))
        .collect()
}

fn baseline_capabilities(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "capabilities", "add"];
    let mut hits = Vec::new();
    for c in w.containers() {
        let bad: Vec<&str> = strings(c.field(PATH)).filter(|cap| !BASELINE_CAPABILITIES.contains(cap)).collect();
        if !bad.is_empty() {
            hits.push(w.container_hit(&c, format!("{} adds capabilities {}", c.label(), bad.join(", ")), PATH));
        }
    }
    hits
}

/// The pod's volumes with their names.
fn volumes(w: &Workload) -> impl Iterator<Item = (&str, &Node)> {
    w.pod(&["volumes"])
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|v| (v.get("name").and_then(Node::as_str).unwrap_or_default(), v))
}

fn host_path(w: &Workload) -> Vec<Hit> {
    volumes(w)
        .filter(|(_, v)| v.get("hostPath").is_some())
        .map(|(name, v)| {
            let path = v.path(&["hostPath", "path"]).and_then(Node::as_str).unwrap_or_default();
            w.at(None, format!("volume \"{name}\" mounts host path \"{path}\""), v, &["hostPath"])
        })
        .collect()
}

fn host_ports(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for c in w.containers() {
        for port in c.field(&["ports"]).map(Node::items).unwrap_or_default() {
            match port.get("hostPort").and_then(Node::as_i64) {
                Some(0) | None => {}
                Some(n) => hits.push(w.at(Some(&c), format!("{} uses hostPort {n}", c.label()), port, &["hostPort"])),
            }
        }
    }
    hits
}

fn apparmor(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "appArmorProfile", "type"];
    let allowed = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut hits = Vec::new();
    if let Some(annotations) = w.pod_metadata().and_then(|m| m.get("annotations")) {
        for entry in annotations.entries() {
            let Some(container) = entry.key.strip_prefix(APPARMOR_ANNOTATION) else { continue };
            let value = entry.value.as_str().unwrap_or_default();
            if !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")) {
                let message = format!("annotation sets AppArmor profile \"{value}\" for container \"{container}\"");
                hits.push(w.at(None, message, annotations, &[&entry.key]));
            }
        }
    }
    if let Some(t) = w.pod(PATH).and_then(Node::as_str).filter(|t| !allowed(t)) {
        hits.push(w.hit_at(format!("pod sets appArmorProfile.type: {t}"), PATH));
    }
    for c in w.containers() {
        if let Some(t) = c.field(PATH).and_then(Node::as_str).filter(|t| !allowed(t)) {
            hits.push(w.container_hit(&c, format!("{} sets appArmorProfile.type: {t}", c.label()), PATH));
        }
    }
    hits
}

/// What is wrong with one `seLinuxOptions`, if anything.
fn selinux_problems(options: &Node) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(t) = options.get("type").and_then(Node::as_str) {
        if !t.is_empty() && !SELINUX_TYPES.contains(&t) {
            problems.push(format!("type \"{t}\""));
        }
    }
    for field in ["user", "role"] {
        if let Some(v) = options.get(field).and_then(Node::as_str).filter(|v| !v.is_empty()) {
            problems.push(format!("{field} \"{v}\""));
        }
    }
    problems
}

fn selinux(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "seLinuxOptions"];
    let mut hits = Vec::new();
    if let Some(options) = w.pod(PATH) {
        let problems = selinux_problems(options);
        if !problems.is_empty() {
            hits.push(w.hit_at(format!("pod sets SELinux {}", problems.join(", ")), PATH));
        }
    }
    for c in w.containers() {
        if let Some(options) = c.field(PATH) {
            let problems = selinux_problems(options);
            if !problems.is_empty() {
                hits.push(w.container_hit(&c, format!("{} sets SELinux {}", c.label(), problems.join(", ")), PATH));
            }
        }
    }
    hits
}

/// Containers whose procMount is set to something other than `Default`.
fn bad_proc_mounts(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "procMount"];
    let mut hits = Vec::new();
    for c in w.containers() {
        if let Some(v) = c.field(PATH).and_then(Node::as_str).filter(|v| *v != "Default") {
            hits.push(w.container_hit(&c, format!("{} sets procMount: {v}", c.label()), PATH));
        }
    }
    hits
}

fn proc_mount(w: &Workload) -> Vec<Hit> {
    if w.user_namespace() {
        return Vec::new();
    }
    bad_proc_mounts(w)
}

fn valid_seccomp(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn baseline_seccomp(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "seccompProfile", "type"];
    let mut hits = Vec::new();
    if let Some(t) = w.pod(PATH).and_then(Node::as_str).filter(|t| !valid_seccomp(t)) {
        hits.push(w.hit_at(format!("pod sets seccompProfile.type: {t}"), PATH));
    }
    for c in w.containers() {
        if let Some(t) = c.field(PATH).and_then(Node::as_str).filter(|t| !valid_seccomp(t)) {
            hits.push(w.container_hit(&c, format!("{} sets seccompProfile.type: {t}", c.label()), PATH));
        }
    }
    hits
}

fn sysctls(w: &Workload) -> Vec<Hit> {
    let Some(list) = w.pod(&["securityContext", "sysctls"]) else { return Vec::new() };
    list.items()
        .iter()
        .filter_map(|s| s.get("name").and_then(Node::as_str).map(|name| (name, s)))
        .filter(|(name, _)| !SAFE_SYSCTLS.contains(name))
        .map(|(name, s)| w.at(None, format!("pod sets unsafe sysctl {name}"), s, &["name"]))
        .collect()
}

fn host_probes(w: &Workload) -> Vec<Hit> {
    const HANDLERS: &[&[&str]] = &[
        &["livenessProbe"],
        &["readinessProbe"],
        &["startupProbe"],
        &["lifecycle", "postStart"],
        &["lifecycle", "preStop"],
    ];
    let mut hits = Vec::new();
    for c in w.containers() {
        for handler in HANDLERS {
            let Some(node) = c.field(handler) else { continue };
            for action in ["httpGet", "tcpSocket"] {
                if let Some(host) = node.path(&[action, "host"]).and_then(Node::as_str).filter(|h| !h.is_empty()) {
                    let message = format!("{} {}.{action} targets host \"{host}\"", c.label(), handler.join("."));
                    hits.push(w.at(Some(&c), message, node, &[action, "host"]));
                }
            }
        }
    }
    hits
}

fn volume_types(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (name, v) in volumes(w) {
        let sources: Vec<&str> = v.entries().iter().map(|e| e.key.as_str()).filter(|k| *k != "name").collect();
        // A volume without a source is defaulted to emptyDir by the API server.
        if sources.is_empty() || sources.iter().any(|s| RESTRICTED_VOLUMES.contains(s)) {
            continue;
        }
        let source = sources.first().copied().unwrap_or_default();
        hits.push(w.at(None, format!("volume \"{name}\" uses restricted volume type {source}"), v, &[source]));
    }
    hits
}

fn privilege_escalation(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "allowPrivilegeEscalation"];
    if w.windows() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for c in w.containers() {
        match c.field(PATH).and_then(Node::as_bool) {
            Some(false) => {}
            Some(true) => {
                hits.push(w.container_hit(&c, format!("{} sets allowPrivilegeEscalation: true", c.label()), PATH))
            }
            None => hits.push(w.container_hit(
                &c,
                format!("{} does not set allowPrivilegeEscalation: false", c.label()),
                &["securityContext"],
            )),
        }
    }
    hits
}

fn run_as_non_root(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "runAsNonRoot"];
    if w.user_namespace() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    let pod = w.pod(PATH).and_then(Node::as_bool);
    if pod == Some(false) {
        hits.push(w.hit_at("pod sets runAsNonRoot: false", PATH));
    }
    for c in w.containers() {
        match c.field(PATH).and_then(Node::as_bool) {
            Some(true) => {}
            Some(false) => hits.push(w.container_hit(&c, format!("{} sets runAsNonRoot: false", c.label()), PATH)),
            None if pod.is_none() => hits.push(w.container_hit(
                &c,
                format!("neither the pod nor {} sets runAsNonRoot: true", c.label()),
                &["securityContext"],
            )),
            None => {}
        }
    }
    hits
}

fn run_as_user(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "runAsUser"];
    if w.user_namespace() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    if w.pod(PATH).and_then(Node::as_i64) == Some(0) {
        hits.push(w.hit_at("pod sets runAsUser: 0", PATH));
    }
    for c in w.containers() {
        if c.field(PATH).and_then(Node::as_i64) == Some(0) {
            hits.push(w.container_hit(&c, format!("{} sets runAsUser: 0", c.label()), PATH));
        }
    }
    hits
}

fn restricted_seccomp(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "seccompProfile", "type"];
    const PROFILE: &[&str] = &["securityContext", "seccompProfile"];
    if w.windows() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    let pod = w.pod(PROFILE).map(|p| p.get("type").and_then(Node::as_str).unwrap_or_default());
    if let Some(t) = pod.filter(|t| !valid_seccomp(t)) {
        hits.push(w.hit_at(format!("pod sets seccompProfile.type: {t}"), PATH));
    }
    for c in w.containers() {
        match c.field(PROFILE).map(|p| p.get("type").and_then(Node::as_str).unwrap_or_default()) {
            Some(t) if !valid_seccomp(t) => {
                hits.push(w.container_hit(&c, format!("{} sets seccompProfile.type: {t}", c.label()), PATH))
            }
            Some(_) => {}
            None if pod.is_none() => hits.push(w.container_hit(
                &c,
                format!("neither the pod nor {} sets seccompProfile.type RuntimeDefault or Localhost", c.label()),
                &["securityContext"],
            )),
            None => {}
        }
    }
    hits
}

fn restricted_capabilities(w: &Workload) -> Vec<Hit> {
    if w.windows() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for c in w.containers() {
        hits.extend(container_capabilities(w, &c));
    }
    hits
}

fn container_capabilities(w: &Workload, c: &Container<'_>) -> Vec<Hit> {
    const DROP: &[&str] = &["securityContext", "capabilities", "drop"];
    const ADD: &[&str] = &["securityContext", "capabilities", "add"];
    let mut hits = Vec::new();
    if !strings(c.field(DROP)).any(|cap| cap == "ALL") {
        let at: &[&str] = if c.field(DROP).is_some() { DROP } else { &["securityContext"] };
        hits.push(w.container_hit(c, format!("{} does not drop ALL capabilities", c.label()), at));
    }
    let added: Vec<&str> = strings(c.field(ADD)).filter(|cap| *cap != "NET_BIND_SERVICE").collect();
    if !added.is_empty() {
        hits.push(w.container_hit(c, format!("{} adds capabilities {}", c.label(), added.join(", ")), ADD));
    }
    hits
}
