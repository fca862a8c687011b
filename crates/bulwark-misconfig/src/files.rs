//! Config files in a tree or an image: which paths are Dockerfiles or Kubernetes manifests, and one
//! scan over all of them (built-in checks, then user policies).

use crate::check::Target;
use crate::rego::Policies;
use crate::{dockerfile, kubernetes};
use bulwark_image::{EntryMeta, Visitor};
use bulwark_types::{ConfigKind, Misconfiguration};
use std::sync::Arc;

/// Files inside an image that image checks read (besides config files).
pub const IMAGE_FILES: &[&str] = &["etc/shadow"];

/// Largest config file read (manifests and Dockerfiles are small; a bigger file is not one).
pub const MAX_CONFIG_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What a path would hold, judged by its name: a Dockerfile, or YAML/JSON that may be Kubernetes manifests.
pub fn kind_of(path: &str) -> Option<ConfigKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let dockerfile = lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile");
    if dockerfile {
        return Some(ConfigKind::Dockerfile);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return Some(ConfigKind::Kubernetes);
    }
    None
}

/// Whether the text of a YAML/JSON file looks like Kubernetes manifests (both `apiVersion` and `kind`),
/// so that other YAML (CI files, chart values, package metadata) is not parsed as manifests.
pub fn looks_like_kubernetes(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind")
}

/// One config file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    /// Its path as findings name it.
    pub path: String,
    /// Its kind (from [`kind_of`]).
    pub kind: ConfigKind,
    /// Its text.
    pub text: String,
}

/// What checking a set of config files found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesScan {
    /// Findings of built-in checks and user policies.
    pub misconfigurations: Vec<Misconfiguration>,
    /// Files that could not be parsed or policies that failed, each naming the file.
    pub warnings: Vec<String>,
}

/// Checks every file: Dockerfiles one by one, Kubernetes manifests as one set (so cross-object checks
/// such as "namespace without a NetworkPolicy" see them all), then `policies` on each document.
pub fn check_files(files: &[ConfigFile], policies: Option<&Policies>) -> FilesScan {
    let mut scan = FilesScan::default();
    let mut manifests: Vec<(&str, &str)> = Vec::new();
    for file in files {
        match file.kind {
            ConfigKind::Dockerfile => match dockerfile::parse(&file.text) {
                Ok(parsed) => {
                    scan.misconfigurations.extend(dockerfile::check_parsed(&file.path, &parsed));
                    if let Some(policies) = policies {
                        let input = dockerfile::input_document_at(&parsed, &file.path);
                        evaluate(policies, ConfigKind::Dockerfile, &input, &file.path, &mut scan);
                    }
                }
                Err(e) => scan.warnings.push(format!("not a valid Dockerfile: {}", e.in_file(&file.path))),
            },
            ConfigKind::Kubernetes => {
                if looks_like_kubernetes(&file.text) {
                    manifests.push((&file.path, &file.text));
                }
            }
            ConfigKind::Image => {}
        }
    }
    let mut objects = Vec::new();
    for (path, text) in &manifests {
        match kubernetes::parse(path, text) {
            Ok(found) => objects.extend(found),
            Err(e) => scan.warnings.push(e.to_string()),
        }
    }
    if let Some(policies) = policies {
        for object in &objects {
            let input = kubernetes::input_document(object);
            evaluate(policies, ConfigKind::Kubernetes, &input, &object.file, &mut scan);
        }
    }
    scan.misconfigurations.extend(kubernetes::check_objects(objects));
    scan
}

fn evaluate(policies: &Policies, kind: ConfigKind, input: &serde_json::Value, name: &str, scan: &mut FilesScan) {
    let target = Target { kind, name, layers: &[] };
    match policies.evaluate(kind, input, &target) {
        Ok(found) => scan.misconfigurations.extend(found),
        Err(e) => scan.warnings.push(format!("{name}: {e}")),
    }
}

/// Keeps, during a layer walk, the bytes of Dockerfiles, of YAML/JSON that looks like Kubernetes
/// manifests, and of [`IMAGE_FILES`].
pub struct ConfigFileVisitor;

impl Visitor for ConfigFileVisitor {
    type Output = Option<Arc<Vec<u8>>>;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.size <= MAX_CONFIG_FILE_BYTES && (IMAGE_FILES.contains(&entry.path) || kind_of(entry.path).is_some())
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output {
        let keep = match kind_of(entry.path) {
            Some(ConfigKind::Kubernetes) => std::str::from_utf8(data).is_ok_and(looks_like_kubernetes),
            _ => true,
        };
        keep.then(|| Arc::new(data.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decide_the_kind() {
        for (path, kind) in [
            ("app/Dockerfile", Some(ConfigKind::Dockerfile)),
            ("Containerfile", Some(ConfigKind::Dockerfile)),
            ("build/Dockerfile.prod", Some(ConfigKind::Dockerfile)),
            ("web.dockerfile", Some(ConfigKind::Dockerfile)),
            ("k8s/deployment.yaml", Some(ConfigKind::Kubernetes)),
            ("deploy.YML", Some(ConfigKind::Kubernetes)),
            ("list.json", Some(ConfigKind::Kubernetes)),
            ("Dockerfiles/readme.md", None),
            ("src/main.rs", None),
        ] {
            assert_eq!(kind_of(path), kind, "{path}");
        }
    }
}
