//! Kubernetes objects read from YAML or JSON manifests: multi-document streams, `List` and `*List`
//! kinds, and Helm `helm template` output (whose `# Source:` comments name each object's file).

use super::yaml::{self, Node, Value};

/// Largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 32 * 1024 * 1024;
/// Deepest nesting of `List` kinds followed.
const MAX_LIST_DEPTH: usize = 8;

/// A manifest that could not be read: the file, the line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// 1-based line of the problem (1 when the whole file is at fault).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// One Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The file findings name: the Helm template from a `# Source:` comment when present, else the scanned file.
    pub file: String,
    /// The file the object was read from.
    pub path: String,
    /// Subtracted from line numbers of the scanned file to give lines in `file` (0 unless from a Helm source).
    pub line_offset: u32,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (empty when absent).
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    /// The whole object.
    pub node: Node,
}

impl Object {
    /// `Kind/namespace/name`, with `default` for a namespaced object without a namespace; `Kind/name` for
    /// cluster-scoped kinds.
    pub fn resource(&self) -> String {
        resource_name(&self.kind, self.namespace.as_deref(), &self.name)
    }

    /// The namespace the object lands in when applied as is (`default` when unset).
    pub fn effective_namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// A line of the scanned file as a line of [`Object::file`].
    pub fn line(&self, line: u32) -> u32 {
        line.saturating_sub(self.line_offset).max(1)
    }
}

/// How findings name an object: `Kind/namespace/name` (`default` when the namespace is unset), or
/// `Kind/name` for cluster-scoped kinds.
pub fn resource_name(kind: &str, namespace: Option<&str>, name: &str) -> String {
    if CLUSTER_SCOPED.contains(&kind) {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{}/{name}", namespace.unwrap_or("default"))
    }
}

/// Kinds that have no namespace (the ones this module looks at or commonly meets).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "IngressClass",
    "RuntimeClass",
    "APIService",
];

/// Reads every Kubernetes object in a YAML or JSON manifest. Documents without `apiVersion` and `kind`
/// are skipped; `List` kinds are flattened into their items.
pub fn parse(path: &str, text: &str) -> Result<Vec<Object>, LoadError> {
    let error = |line: u32, message: String| LoadError { file: path.to_string(), line, message };
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(error(1, format!("manifest is {} bytes, more than the {MAX_MANIFEST_BYTES} accepted", text.len())));
    }
    let docs = yaml::load(text).map_err(|e| error(e.line, format!("invalid YAML: {}", e.message)))?;
    let sources = helm_sources(text);
    let mut objects = Vec::new();
    let mut previous_end = 0;
    for doc in docs {
        let root = doc.root;
        let (start, end) = (root.start, root.end);
        let source = sources.iter().rev().find(|(line, _)| *line < start && *line > previous_end);
        previous_end = end;
        let (file, offset) = match source {
            Some((line, name)) => (name.clone(), *line),
            None => (path.to_string(), 0),
        };
        collect(root, &file, path, offset, None, 0, &mut objects);
    }
    Ok(objects)
}

/// `# Source: chart/templates/x.yaml` comments: (line, path).
fn helm_sources(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let name = line.strip_prefix("# Source:")?.trim();
            let number = u32::try_from(i + 1).ok()?;
            (!name.is_empty()).then(|| (number, name.to_string()))
        })
        .collect()
}

/// Adds the object in `node` (or the items of a list) to `out`.
fn collect(
    node: Node,
    file: &str,
    path: &str,
    offset: u32,
    list_kind: Option<(&str, &str)>,
    depth: usize,
    out: &mut Vec<Object>,
) {
    if !matches!(node.value, Value::Map(_)) {
        return;
    }
    let text = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_string);
    let (api_version, kind) = match (text("apiVersion"), text("kind"), list_kind) {
        (Some(a), Some(k), _) => (a, k),
        (None, Some(k), Some((a, _))) => (a.to_string(), k),
        (a, None, Some((list_api, item_kind))) if !item_kind.is_empty() => {
            (a.unwrap_or_else(|| list_api.to_string()), item_kind.to_string())
        }
        _ => return,
    };
    if kind.ends_with("List") && depth < MAX_LIST_DEPTH {
        if let Some(Value::Seq(_)) = node.get("items").map(|n| &n.value) {
            let item_kind = kind.strip_suffix("List").unwrap_or_default().to_string();
            let Value::Map(entries) = node.value else { return };
            for entry in entries {
                if entry.key == "items" {
                    if let Value::Seq(items) = entry.value.value {
                        for item in items {
                            collect(item, file, path, offset, Some((&api_version, &item_kind)), depth + 1, out);
                        }
                    }
                }
            }
            return;
        }
    }
    let metadata = node.get("metadata");
    let meta = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Node::as_str).map(str::to_string);
    out.push(Object {
        file: file.to_string(),
        path: path.to_string(),
        line_offset: offset,
        api_version,
        kind,
        name: meta("name").or_else(|| meta("generateName")).unwrap_or_default(),
        namespace: meta("namespace").filter(|n| !n.is_empty()),
        node,
    });
}

/// The object as JSON: what OPA, conftest and Trivy give a Kubernetes policy as `input`.
pub fn input_document(object: &Object) -> serde_json::Value {
    object.node.to_json()
}
