//! Workloads: objects that hold a pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob, PodTemplate), their pod spec and containers, and helpers that
//! turn a place in them into a [`Hit`] with a resource name and a line span.

use super::object::Object;
use super::yaml::Node;
use crate::check::Hit;

/// Where each workload kind keeps its pod template: (kind, path to the pod's `metadata` parent).
const TEMPLATES: &[(&str, &[&str])] = &[
    ("Pod", &[]),
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("ReplicationController", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    ("PodTemplate", &["template"]),
];

/// The three lists of containers in a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `spec.containers`.
    Regular,
    /// `spec.initContainers`.
    Init,
    /// `spec.ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// Every kind with its field name and the word used in resource names.
    pub const ALL: [(ContainerKind, &'static str, &'static str); 3] = [
        (ContainerKind::Regular, "containers", "container"),
        (ContainerKind::Init, "initContainers", "initContainer"),
        (ContainerKind::Ephemeral, "ephemeralContainers", "ephemeralContainer"),
    ];
}

/// A Kubernetes object that runs pods.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The object.
    pub object: Object,
    /// Path from the object to the pod template (empty for a Pod).
    template: &'static [&'static str],
}

/// One container of a workload.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    /// Which list it is in.
    pub kind: ContainerKind,
    /// Its `name` (empty when absent).
    pub name: &'a str,
    /// The container object.
    pub node: &'a Node,
    /// `Deployment/ns/name container "app"`.
    word: &'static str,
}

impl Workload {
    /// The workload view of an object, when its kind runs pods and it has a pod spec.
    pub fn from_object(object: Object) -> Option<Workload> {
        let (_, template) = TEMPLATES.iter().find(|(kind, _)| *kind == object.kind)?;
        let workload = Workload { object, template };
        workload.spec().is_some().then_some(workload)
    }

    /// The pod template (the object itself for a Pod).
    fn template(&self) -> Option<&Node> {
        self.object.node.path(self.template)
    }

    /// The pod spec.
    pub fn spec(&self) -> Option<&Node> {
        self.template()?.get("spec")
    }

    /// The pod's `metadata` (the template's for controllers).
    pub fn pod_metadata(&self) -> Option<&Node> {
        self.template()?.get("metadata")
    }

    /// A field of the pod spec, by path.
    pub fn pod(&self, path: &[&str]) -> Option<&Node> {
        self.spec()?.path(path)
    }

    /// A field of the pod-level `securityContext`.
    pub fn pod_sc(&self, key: &str) -> Option<&Node> {
        self.pod(&["securityContext", key])
    }

    /// True when `spec.hostUsers` is `false` (the pod runs in a user namespace).
    pub fn user_namespace(&self) -> bool {
        self.pod(&["hostUsers"]).and_then(Node::as_bool) == Some(false)
    }

    /// True when `spec.os.name` is `windows` (exempt from Linux-only restricted controls).
    pub fn windows(&self) -> bool {
        self.pod(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// Every container: regular, init and ephemeral, in that order.
    pub fn containers(&self) -> Vec<Container<'_>> {
        let mut out = Vec::new();
        for (kind, field, word) in ContainerKind::ALL {
            for node in self.pod(&[field]).map(Node::items).unwrap_or_default() {
                let name = node.get("name").and_then(Node::as_str).unwrap_or_default();
                out.push(Container { kind, name, node, word });
            }
        }
        out
    }

    /// A hit on the pod or object as a whole, spanning `node`'s lines.
    pub fn hit(&self, message: impl Into<String>, node: &Node) -> Hit {
        self.at(None, message, node, &[])
    }

    /// A hit on a pod-spec field: spans the key and value when present, else the pod spec.
    pub fn hit_at(&self, message: impl Into<String>, path: &[&str]) -> Hit {
        self.at(None, message, self.spec().unwrap_or(&self.object.node), path)
    }

    /// A hit on a container field: spans the key and value when present, else the container.
    pub fn container_hit(&self, container: &Container<'_>, message: impl Into<String>, path: &[&str]) -> Hit {
        self.at(Some(container), message, container.node, path)
    }

    /// A hit on the field at `path` under `node` (or on `node` when the field is absent), naming the
    /// container when one is given.
    pub fn at(&self, container: Option<&Container<'_>>, message: impl Into<String>, node: &Node, path: &[&str]) -> Hit {
        let (start, end) = span_of(node, path).unwrap_or((node.start, node.end));
        let resource = match container {
            Some(c) => format!("{} {}", self.object.resource(), c.label()),
            None => self.object.resource(),
        };
        Hit::new(message).resource(resource).lines(self.object.line(start), self.object.line(end))
    }
}

impl<'a> Container<'a> {
    /// A field of the container, by path.
    pub fn field(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.path(path)
    }

    /// A field of the container's `securityContext`.
    pub fn sc(&self, key: &str) -> Option<&'a Node> {
        self.node.path(&["securityContext", key])
    }

    /// `container "app"`, `initContainer "init"`.
    pub fn label(&self) -> String {
        format!("{} \"{}\"", self.word, self.name)
    }
}

/// Lines from the key of the last path element through the end of its value.
pub fn span_of(node: &Node, path: &[&str]) -> Option<(u32, u32)> {
    let (last, parents) = path.split_last()?;
    let entry = node.path(parents)?.entry(last)?;
    Some((entry.line, entry.value.end.max(entry.line)))
}
