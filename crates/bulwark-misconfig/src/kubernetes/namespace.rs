//! The cross-object check: namespaces that run workloads but have no NetworkPolicy among the objects
//! of one scan.

use super::object::Object;
use super::workload::span_of;
use crate::check::{CheckMeta, Hit};
use bulwark_types::{Framework, Level};
use std::collections::{HashMap, HashSet};

/// Workload kinds whose pods the check counts.
const WORKLOAD_KINDS: &[&str] =
    &["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"];

/// Metadata of the check.
pub const NETWORK_POLICY: CheckMeta = CheckMeta {
    id: "BW-K8S-027",
    title: "Namespace without a NetworkPolicy",
    severity: Level::Medium,
    description: "Pods in a namespace that no NetworkPolicy selects accept traffic from every pod in the cluster \
                  and may connect anywhere.",
    remediation: "Add a NetworkPolicy to the namespace, starting with a default-deny policy \
                  (podSelector: {}, policyTypes: [Ingress, Egress]) and allowing only the flows the app needs.",
    mappings: &[
        (Framework::NsaCisa, "Network separation and hardening: network policies"),
        (Framework::Nist800190, "4.3.3 Poorly separated inter-container network traffic"),
        (Framework::Nist800190, "4.4.2 Unbounded network access from containers"),
    ],
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
};

/// One hit per namespace that has workloads but no NetworkPolicy, with the object it points at (the
/// `Namespace` object when scanned, else the namespace's first workload).
pub fn without_network_policy(objects: &[Object]) -> Vec<(&Object, Hit)> {
    let mut namespaces: Vec<(&str, Vec<&Object>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for object in objects.iter().filter(|o| WORKLOAD_KINDS.contains(&o.kind.as_str())) {
        let ns = object.effective_namespace();
        match index.get(ns).and_then(|&i| namespaces.get_mut(i)) {
            Some((_, list)) => list.push(object),
            None => {
                index.insert(ns, namespaces.len());
                namespaces.push((ns, vec![object]));
            }
        }
    }
    let policies: HashSet<&str> =
        objects.iter().filter(|o| o.kind == "NetworkPolicy").map(Object::effective_namespace).collect();
    let covered = |ns: &str| policies.contains(ns);
    // The first `Namespace` object of each name, looked up once per namespace (a scan of all objects
    // there made the check quadratic: 20 000 namespaces took seconds).
    let mut namespace_objects: HashMap<&str, &Object> = HashMap::new();
    for object in objects.iter().filter(|o| o.kind == "Namespace") {
        namespace_objects.entry(object.name.as_str()).or_insert(object);
    }
    let mut hits = Vec::new();
    for (ns, workloads) in namespaces {
        if covered(ns) {
            continue;
        }
        let Some(first) = workloads.first() else { continue };
        let names: Vec<String> = workloads.iter().take(5).map(|o| o.resource()).collect();
        let more = workloads.len().saturating_sub(names.len());
        let suffix = if more > 0 { format!(" and {more} more") } else { String::new() };
        let message = format!(
            "namespace \"{ns}\" runs {}{suffix} but no NetworkPolicy among the scanned objects selects it",
            names.join(", ")
        );
        let anchor = namespace_objects.get(ns).copied().unwrap_or(first);
        let (start, end) = match anchor.node.get("metadata") {
            Some(metadata) if anchor.kind != "Namespace" => span_of(metadata, &["namespace"])
                .or_else(|| span_of(&anchor.node, &["metadata"]))
                .unwrap_or((metadata.start, metadata.end)),
            _ => (anchor.node.start, anchor.node.end),
        };
        let hit = Hit::new(message).resource(format!("Namespace/{ns}")).lines(anchor.line(start), anchor.line(end));
        hits.push((anchor, hit));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubernetes::parse;

    /// `n` Pods, each in its own namespace, then the `n` Namespace objects.
    fn pods_then_namespaces(n: usize) -> String {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: n{i}}}\n"));
        }
        for i in 0..n {
            text.push_str(&format!("---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: n{i}}}\n"));
        }
        text
    }

    #[test]
    fn a_hit_points_at_the_first_namespace_object_of_that_name() {
        let text = pods_then_namespaces(2) + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n1}\n";
        let objects = parse("m.yaml", &text).expect("parses");
        let hits = without_network_policy(&objects);
        let anchors: Vec<(&str, &str, u32)> =
            hits.iter().map(|(o, h)| (o.kind.as_str(), o.name.as_str(), h.start_line.unwrap_or(0))).collect();
        assert_eq!(anchors, vec![("Namespace", "n0", 10), ("Namespace", "n1", 14)]);
    }

    /// Found by stress inputs next to the `kubernetes` fuzz target: each namespace without a policy
    /// looked for its `Namespace` object with a scan of every object, so the check was quadratic in the
    /// objects of one scan (a directory scan has no total size bound). Linear now.
    #[test]
    fn twenty_thousand_namespaces_are_checked_in_linear_time() {
        let objects = parse("m.yaml", &pods_then_namespaces(20_000)).expect("parses");
        let started = std::time::Instant::now();
        let hits = without_network_policy(&objects);
        let spent = started.elapsed();
        assert_eq!(hits.len(), 20_000);
        assert!(hits.iter().all(|(o, _)| o.kind == "Namespace"));
        assert!(spent < std::time::Duration::from_secs(3), "took {spent:?}");
    }
}
