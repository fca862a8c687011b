//! Kubernetes manifests: workloads, Pod Security Standards, NSA/CISA hardening and RBAC checks.
//!
//! [`parse`] reads YAML (multi-document, anchors, `List` kinds) and JSON manifests into [`Object`]s;
//! Helm charts are scanned from their rendered output (`helm template`), and each object's `# Source:`
//! comment becomes the file its findings name, with lines counted from that comment. [`check`] runs every
//! built-in check on one file, [`check_all`] on every file of one scan at once, which the namespace check
//! ([`namespace`]) needs to see whether a NetworkPolicy covers a namespace.

pub mod hardening;
pub mod namespace;
pub mod nsa;
pub mod object;
pub mod pss;
pub mod rbac;
pub mod workload;
pub mod yaml;

pub use object::{input_document, parse, resource_name, LoadError, Object};
pub use workload::Workload;

use crate::check::{finding, run_checks, CheckMeta, Target};
use bulwark_types::{ConfigKind, Misconfiguration};

/// Every built-in Kubernetes check's metadata, in id order.
pub fn metadata() -> Vec<CheckMeta> {
    let mut all: Vec<CheckMeta> =
        pss::CHECKS.iter().chain(nsa::CHECKS).chain(hardening::CHECKS).map(|c| c.meta).collect();
    all.extend(rbac::CHECKS.iter().map(|c| c.meta));
    all.push(namespace::NETWORK_POLICY);
    all.sort_by_key(|m| m.id);
    all
}

/// What checking a set of manifests found: the findings, and the files that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    /// Findings, file by file in the order given, object by object, check by check.
    pub misconfigurations: Vec<Misconfiguration>,
    /// Files that could not be read (their objects are not checked).
    pub errors: Vec<LoadError>,
}

/// Runs every built-in check on the manifests in one file.
pub fn check(path: &str, text: &str) -> Result<Vec<Misconfiguration>, LoadError> {
    Ok(check_objects(parse(path, text)?))
}

/// Runs every built-in check on the manifests of one scan; the namespace check sees all files together.
pub fn check_all(files: &[(&str, &str)]) -> Scan {
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in files {
        match parse(path, text) {
            Ok(found) => objects.extend(found),
            Err(error) => errors.push(error),
        }
    }
    Scan { misconfigurations: check_objects(objects), errors }
}

/// Runs every built-in check on a set of objects seen as one scan.
pub fn check_objects(objects: Vec<Object>) -> Vec<Misconfiguration> {
    let mut out = Vec::new();
    for (object, hit) in namespace::without_network_policy(&objects) {
        let target = Target { kind: ConfigKind::Kubernetes, name: &object.file, layers: &[] };
        out.push(finding(&namespace::NETWORK_POLICY, hit, &target, "builtin"));
    }
    let mut per_object = Vec::new();
    for object in objects {
        let target = Target { kind: ConfigKind::Kubernetes, name: &object.file, layers: &[] };
        per_object.extend(run_checks(rbac::CHECKS, &object, &target));
        let Some(workload) = Workload::from_object(object) else { continue };
        let target = Target { kind: ConfigKind::Kubernetes, name: &workload.object.file, layers: &[] };
        per_object.extend(run_checks(pss::CHECKS, &workload, &target));
        per_object.extend(run_checks(nsa::CHECKS, &workload, &target));
        per_object.extend(run_checks(hardening::CHECKS, &workload, &target));
    }
    per_object.extend(out);
    per_object
}
