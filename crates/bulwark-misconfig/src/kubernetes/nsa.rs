//! NSA/CISA Kubernetes Hardening Guidance checks that the Pod Security Standards do not already cover:
//! resource requests and limits, read-only root file systems, service-account tokens, image pinning,
//! running as root, and the default namespace.

use super::workload::{Container, ContainerKind, Workload};
use super::yaml::Node;
use crate::check::{Check, CheckMeta, Hit};
use bulwark_types::{Framework, Level};

const NSA_DOC: &str =
    "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF";
const RUNTIME: (Framework, &str) = (Framework::Nist800190, "4.4.3 Insecure container runtime configurations");
const STALE: (Framework, &str) = (Framework::Nist800190, "4.2.2 Stale images in registries");

const fn meta(
    id: &'static str,
    title: &'static str,
    severity: Level,
    description: &'static str,
    remediation: &'static str,
    mappings: &'static [(Framework, &'static str)],
) -> CheckMeta {
    CheckMeta { id, title, severity, description, remediation, mappings, references: &[NSA_DOC] }
}

/// The NSA/CISA hardening checks over one workload.
pub const CHECKS: &[Check<Workload>] = &[
    Check {
        meta: meta(
            "BW-K8S-019",
            "CPU or memory limit not set",
            Level::Low,
            "Without CPU and memory limits one container can starve the node and every pod on it.",
            "Set resources.limits.cpu and resources.limits.memory on every container.",
            &[(Framework::NsaCisa, "Pod security: resource policies (limits)"), RUNTIME],
        ),
        run: limits,
    },
    Check {
        meta: meta(
            "BW-K8S-020",
            "CPU or memory request not set",
            Level::Low,
            "Without CPU and memory requests the scheduler cannot reserve capacity and the pod is evicted first.",
            "Set resources.requests.cpu and resources.requests.memory on every container.",
            &[(Framework::NsaCisa, "Pod security: resource policies (requests)"), RUNTIME],
        ),
        run: requests,
    },
    Check {
        meta: meta(
            "BW-K8S-021",
            "Root file system is writable",
            Level::Low,
            "A writable root file system lets an intruder drop tools and change binaries inside the container.",
            "Set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where the app must write.",
            &[(Framework::NsaCisa, "Pod security: immutable container file systems"), RUNTIME],
        ),
        run: read_only_root,
    },
    Check {
        meta: meta(
            "BW-K8S-022",
            "Service-account token mounted",
            Level::Medium,
            "Unless automountServiceAccountToken is false, every container gets an API token that an intruder can \
             use against the cluster.",
            "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount) when the app does \
             not call the Kubernetes API.",
            &[
                (Framework::NsaCisa, "Pod security: service account tokens"),
                (Framework::Nist800190, "4.3.2 Unauthorized access"),
            ],
        ),
        run: service_account_token,
    },
    Check {
        meta: meta(
            "BW-K8S-023",
            "Image not pinned by digest",
            Level::Low,
            "A tag can be moved to other content; only a digest names exactly the image that was scanned and approved.",
            "Reference the image as name@sha256:<digest> (a tag may stay for readers: name:tag@sha256:…).",
            &[(Framework::NsaCisa, "Building secure container images"), STALE],
        ),
        run: digest,
    },
    Check {
        meta: meta(
            "BW-K8S-024",
            "Image tag is latest or missing",
            Level::Medium,
            "An image with the latest tag or no tag changes under the workload with every push and cannot be rolled \
             back reliably.",
            "Use a specific version tag, and better a digest.",
            &[(Framework::NsaCisa, "Building secure container images"), STALE],
        ),
        run: latest,
    },
    Check {
        meta: meta(
            "BW-K8S-025",
            "Container may run as root",
            Level::Medium,
            "The container runs as UID 0, or neither runAsNonRoot: true nor a non-zero runAsUser keeps it from doing \
             so when the image's USER is root.",
            "Set runAsNonRoot: true and a non-zero runAsUser on the pod or container.",
            &[(Framework::NsaCisa, "Pod security: non-root containers"), RUNTIME],
        ),
        run: may_run_as_root,
    },
    Check {
        meta: meta(
            "BW-K8S-026",
            "Workload in the default namespace",
            Level::Low,
            "Workloads in the default namespace share it with everything else deployed without thought; namespaces \
             are the unit of RBAC, quotas and network policy.",
            "Set metadata.namespace to a namespace made for the application.",
            &[
                (Framework::NsaCisa, "Network separation and hardening: namespaces"),
                (Framework::Nist800190, "4.3.4 Mixing of workload sensitivity levels"),
            ],
        ),
        run: default_namespace,
    },
];

/// Containers that can carry resources (ephemeral containers cannot).
fn resourced(w: &Workload) -> Vec<Container<'_>> {
    w.containers().into_iter().filter(|c| c.kind != ContainerKind::Ephemeral).collect()
}

fn resource_hits(w: &Workload, section: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for c in resourced(w) {
        let missing: Vec<&str> =
            ["cpu", "memory"].into_iter().filter(|r| c.field(&["resources", section, r]).is_none()).collect();
        if missing.is_empty() {
            continue;
        }
        let at: &[&str] = match (c.field(&["resources", section]), c.field(&["resources"])) {
            (Some(_), _) => &["resources", section],
            (None, Some(_)) => &["resources"],
            (None, None) => &[],
        };
        let message = format!("{} has no {} {section}", c.label(), missing.join(" or "));
        hits.push(w.container_hit(&c, message, at));
    }
    hits
}

fn limits(w: &Workload) -> Vec<Hit> {
    resource_hits(w, "limits")
}

fn requests(w: &Workload) -> Vec<Hit> {
    resource_hits(w, "requests")
}

fn read_only_root(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["securityContext", "readOnlyRootFilesystem"];
    let mut hits = Vec::new();
    for c in w.containers() {
        if c.field(PATH).and_then(Node::as_bool) != Some(true) {
            let at: &[&str] = if c.field(PATH).is_some() { PATH } else { &["securityContext"] };
            hits.push(w.container_hit(&c, format!("{} does not set readOnlyRootFilesystem: true", c.label()), at));
        }
    }
    hits
}

fn service_account_token(w: &Workload) -> Vec<Hit> {
    const PATH: &[&str] = &["automountServiceAccountToken"];
    match w.pod(PATH).and_then(Node::as_bool) {
        Some(false) => Vec::new(),
        Some(true) => vec![w.hit_at("pod sets automountServiceAccountToken: true", PATH)],
        None => vec![w.hit_at("pod does not set automountServiceAccountToken: false", PATH)],
    }
}

/// An image reference split into name, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and repository.
    pub name: &'a str,
    /// The tag, when one is given.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:…`), when one is given.
    pub digest: Option<&'a str>,
}

/// Splits `registry:port/repo/name:tag@sha256:…`.
pub fn image_ref(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
        Some(colon) => {
            let at = last_slash + colon;
            ImageRef { name: rest.get(..at).unwrap_or(rest), tag: rest.get(at + 1..), digest }
        }
        None => ImageRef { name: rest, tag: None, digest },
    }
}

/// Containers with their image text.
fn images(w: &Workload) -> Vec<(Container<'_>, &str)> {
    w.containers().into_iter().filter_map(|c| c.field(&["image"]).and_then(Node::as_str).map(|i| (c, i))).collect()
}

fn digest(w: &Workload) -> Vec<Hit> {
    images(w)
        .into_iter()
        .filter(|(_, image)| !image_ref(image).digest.is_some_and(|d| d.contains(':')))
        .map(|(c, image)| {
            w.container_hit(&c, format!("{} image \"{image}\" is not pinned by digest", c.label()), &["image"])
        })
        .collect()
}

fn latest(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (c, image) in images(w) {
        let r = image_ref(image);
        let message = match (r.tag, r.digest) {
            (Some("latest"), _) => format!("{} image \"{image}\" uses the latest tag", c.label()),
            (None, None) => format!("{} image \"{image}\" has no tag (pulls latest)", c.label()),
            _ => continue,
        };
        hits.push(w.container_hit(&c, message, &["image"]));
    }
    hits
}

fn may_run_as_root(w: &Workload) -> Vec<Hit> {
    let mut hits = Vec::new();
    for c in w.containers() {
        let user = c.sc("runAsUser").or_else(|| w.pod_sc("runAsUser"));
        let non_root = c.sc("runAsNonRoot").or_else(|| w.pod_sc("runAsNonRoot")).and_then(Node::as_bool);
        let (message, at): (String, &[&str]) = match user.and_then(Node::as_i64) {
            Some(0) if c.sc("runAsUser").is_some() => {
                (format!("{} runs as root (runAsUser: 0)", c.label()), &["securityContext", "runAsUser"])
            }
            Some(0) => {
                hits.push(w.hit_at(
                    format!("{} runs as root (pod runAsUser: 0)", c.label()),
                    &["securityContext", "runAsUser"],
                ));
                continue;
            }
            Some(_) => continue,
            None if non_root == Some(true) => continue,
            None => (
                format!("{} sets neither runAsNonRoot: true nor a non-zero runAsUser", c.label()),
                &["securityContext"],
            ),
        };
        hits.push(w.container_hit(&c, message, at));
    }
    hits
}

fn default_namespace(w: &Workload) -> Vec<Hit> {
    let object = &w.object.node;
    match w.object.namespace.as_deref() {
        Some("default") => match object.get("metadata") {
            Some(m) => vec![w.at(None, "object is in the default namespace", m, &["namespace"])],
            None => vec![w.hit("object is in the default namespace", object)],
        },
        Some(_) => Vec::new(),
        None => {
            let message = "object sets no namespace: it lands in default unless applied with another";
            vec![w.at(None, message, object, &["metadata"])]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_image_references() {
        let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
            ("nginx", "nginx", None, None),
            ("nginx:1.25", "nginx", Some("1.25"), None),
            ("localhost:5000/app", "localhost:5000/app", None, None),
            ("localhost:5000/app:v1", "localhost:5000/app", Some("v1"), None),
            ("gcr.io/x/y@sha256:abc", "gcr.io/x/y", None, Some("sha256:abc")),
            ("gcr.io/x/y:1@sha256:abc", "gcr.io/x/y", Some("1"), Some("sha256:abc")),
        ];
        for (image, name, tag, digest) in cases {
            assert_eq!(image_ref(image), ImageRef { name, tag: *tag, digest: *digest }, "{image}");
        }
    }
}
