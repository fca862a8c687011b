//! RBAC checks: Role and ClusterRole rules that grant wildcards, secret reads, code execution in pods,
//! privilege-escalation verbs, control of admission webhooks or of traffic routing; and RoleBindings or
//! ClusterRoleBindings that hand out cluster-admin or bind anonymous users.
//!
//! A rule grants an operation when its apiGroups hold the resource's group or `*`, its resources hold the
//! resource, `*/subresource` for a subresource, and its verbs hold the verb or `*` (as the API server's
//! authorizer and Checkov read them). Rules that grant every resource (`resources: ["*"]`) are reported
//! once, by the wildcard check, not again by each specific check.

use super::object::Object;
use super::yaml::Node;
use crate::check::{Check, CheckMeta, Hit};
use bulwark_types::{Framework, Level};

const RBAC_DOC: &str = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
const NSA_RBAC: (Framework, &str) = (Framework::NsaCisa, "Authentication and authorization: role-based access control");
const ADMIN: (Framework, &str) = (Framework::Nist800190, "4.3.1 Unbounded administrative access");

/// The core API group.
const CORE: &[&str] = &[""];
/// The RBAC API group.
const RBAC: &[&str] = &["rbac.authorization.k8s.io"];
/// The admission-registration API group.
const ADMISSION: &[&str] = &["admissionregistration.k8s.io"];
/// Groups that serve Ingress and NetworkPolicy (the legacy `extensions` group included).
const NETWORKING: &[&str] = &["networking.k8s.io", "extensions"];

/// Verbs that change objects.
const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// An operation a check looks for: API groups, resource, verbs.
type Operation = (&'static [&'static str], &'static str, &'static [&'static str]);

/// Reading Secrets.
pub const SECRET_READ: &[Operation] = &[(CORE, "secrets", &["get", "list", "watch"])];

/// Running code in pods: exec or attach (a WebSocket exec is authorised with `get` on many versions),
/// creating pods, or changing a running pod's image.
pub const POD_CODE: &[Operation] = &[
    (CORE, "pods/exec", &["create", "get"]),
    (CORE, "pods/attach", &["create", "get"]),
    (CORE, "pods", &["create", "update", "patch"]),
];

/// Privilege-escalation permissions named by the RBAC good-practices guide.
pub const ESCALATION: &[Operation] = &[
    (RBAC, "roles", &["bind", "escalate"]),
    (RBAC, "clusterroles", &["bind", "escalate"]),
    (CORE, "users", &["impersonate"]),
    (CORE, "groups", &["impersonate"]),
    (CORE, "serviceaccounts", &["impersonate"]),
    (&["authentication.k8s.io"], "uids", &["impersonate"]),
    (&["authentication.k8s.io"], "userextras", &["impersonate"]),
    (CORE, "serviceaccounts/token", &["create"]),
    (CORE, "nodes/proxy", &["get", "create"]),
];

/// Changing admission webhooks.
pub const WEBHOOKS: &[Operation] =
    &[(ADMISSION, "mutatingwebhookconfigurations", WRITE), (ADMISSION, "validatingwebhookconfigurations", WRITE)];

/// Changing where traffic goes or which traffic is allowed.
pub const NETWORK: &[Operation] = &[
    (CORE, "services", WRITE),
    (CORE, "endpoints", WRITE),
    (&["discovery.k8s.io"], "endpointslices", WRITE),
    (NETWORKING, "networkpolicies", WRITE),
    (NETWORKING, "ingresses", WRITE),
];

/// Subjects every request falls into without credentials: (kind, name).
const ANONYMOUS: &[(&str, &str)] = &[("User", "system:anonymous"), ("Group", "system:unauthenticated")];
/// The group of every authenticated request.
const AUTHENTICATED: &str = "system:authenticated";
/// ClusterRoles the API server itself binds to anonymous users (public version and health endpoints).
const ANONYMOUS_DEFAULT_ROLES: &[&str] = &["system:public-info-viewer"];
/// ClusterRoles the API server itself binds to every authenticated user.
const AUTHENTICATED_DEFAULT_ROLES: &[&str] = &["system:basic-user", "system:discovery", "system:public-info-viewer"];

/// Metadata of one check in this file.
const fn meta(
    id: &'static str,
    title: &'static str,
    severity: Level,
    description: &'static str,
    remediation: &'static str,
    mappings: &'static [(Framework, &'static str)],
) -> CheckMeta {
    CheckMeta { id, title, severity, description, remediation, mappings, references: &[RBAC_DOC] }
}

/// The RBAC checks over one object (each looks only at the kinds it is about).
pub const CHECKS: &[Check<Object>] = &[
    Check {
        meta: meta(
            "BW-K8S-034",
            "RBAC rule grants every verb or every resource",
            Level::High,
            "A rule with `*` in verbs or resources grants today's and all future verbs and resource types, \
             including secrets, escalate, bind and impersonate (Trivy KSV044/KSV045/KSV046, Checkov \
             CKV_K8S_49). A `*` in apiGroups alone is not reported.",
            "List the verbs and resources the subject needs; keep wildcards to cluster-admin.",
            &[NSA_RBAC, ADMIN],
        ),
        run: wildcards,
    },
    Check {
        meta: meta(
            "BW-K8S-035",
            "RBAC rule lets its subjects read Secrets",
            Level::High,
            "get, list or watch on secrets reveals every Secret in reach, service-account tokens included, which \
             usually leads to more privileged accounts (Trivy KSV041/KSV113, Checkov CKV2_K8S_5). Rules limited \
             by resourceNames pass.",
            "Grant get on the named Secrets only (resourceNames), or mount them into the pod instead of reading \
             them from the API.",
            &[NSA_RBAC, ADMIN, (Framework::Nist800190, "4.3.2 Unauthorized access")],
        ),
        run: secret_read,
    },
    Check {
        meta: meta(
            "BW-K8S-036",
            "RBAC rule lets its subjects run code in pods",
            Level::High,
            "create or get on pods/exec or pods/attach, or create, update or patch on pods, lets the subject run \
             commands in pods or start pods that mount any Secret and service account of the namespace (Trivy \
             KSV053, Checkov CKV2_K8S_2).",
            "Remove these permissions from roles bound to applications and CI; use a break-glass role for \
             debugging.",
            &[NSA_RBAC, ADMIN],
        ),
        run: pod_code,
    },
    Check {
        meta: meta(
            "BW-K8S-037",
            "RBAC rule grants a privilege-escalation permission",
            Level::High,
            "bind or escalate on roles or clusterroles, impersonate on users, groups, service accounts, uids or \
             userextras, create on serviceaccounts/token and get or create on nodes/proxy each let the subject \
             act with more privileges than the role grants (Trivy KSV043/KSV050, Checkov \
             CKV_K8S_157/CKV_K8S_158/CKV2_K8S_3).",
            "Remove the permission; grant specific roles through bindings managed by cluster administrators.",
            &[NSA_RBAC, ADMIN],
        ),
        run: escalation,
    },
    Check {
        meta: meta(
            "BW-K8S-038",
            "RBAC rule lets its subjects change admission webhooks",
            Level::High,
            "Who can create, change or delete mutating or validating webhook configurations can read or rewrite \
             every object sent to the API server, Secrets and pod specs included, or switch off the policy \
             webhooks that guard the cluster (Trivy KSV114, Checkov CKV_K8S_155).",
            "Keep write access to webhook configurations to cluster administrators and the one controller that \
             owns each webhook (resourceNames).",
            &[NSA_RBAC, ADMIN],
        ),
        run: webhooks,
    },
    Check {
        meta: meta(
            "BW-K8S-039",
            "RBAC rule lets its subjects change traffic routing or network policy",
            Level::Medium,
            "Writing services, endpoints, endpointslices or ingresses redirects traffic meant for other pods (for \
             example through a Service's externalIPs, CVE-2020-8554); writing networkpolicies removes \
             segmentation (Trivy KSV056).",
            "Grant write access to these resources only to the controllers that own them, limited by \
             resourceNames where possible.",
            &[NSA_RBAC, (Framework::Nist800190, "4.3.3 Poorly separated inter-container network traffic"), ADMIN],
        ),
        run: network,
    },
    Check {
        meta: meta(
            "BW-K8S-040",
            "Binding grants cluster-admin",
            Level::High,
            "A RoleBinding or ClusterRoleBinding to the cluster-admin ClusterRole gives its subjects full control \
             of the namespace or the whole cluster. Users and groups named system:* (the control plane's own) \
             are not reported; service accounts are.",
            "Bind a role with only the permissions the subject needs.",
            &[NSA_RBAC, ADMIN],
        ),
        run: cluster_admin,
    },
    Check {
        meta: meta(
            "BW-K8S-041",
            "Binding grants permissions to anonymous or all authenticated users",
            Level::Critical,
            "Binding a role to system:anonymous or system:unauthenticated hands its permissions to anyone who can \
             reach the API server; binding to system:authenticated hands them to every account, including every \
             service account and, on some managed clusters, any account of the cloud provider (Trivy KSV122). \
             The API server's own default bindings (system:public-info-viewer, system:discovery, \
             system:basic-user) are not reported.",
            "Bind the role to the specific users, groups or service accounts that need it.",
            &[
                (Framework::NsaCisa, "Authentication and authorization: anonymous requests"),
                (Framework::Nist800190, "4.3.2 Unauthorized access"),
            ],
        ),
        run: anonymous,
    },
];

/// One rule of a Role or ClusterRole.
struct Rule<'a> {
    /// 1-based position in `rules`.
    number: usize,
    node: &'a Node,
    groups: Vec<&'a str>,
    resources: Vec<&'a str>,
    verbs: Vec<&'a str>,
    /// True when `resourceNames` limits the rule to named objects.
    named: bool,
}

fn strings<'a>(node: &'a Node, key: &str) -> Vec<&'a str> {
    node.get(key).map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str).collect()
}

/// The rules of a Role or ClusterRole (none for other kinds).
fn rules(object: &Object) -> Vec<Rule<'_>> {
    if object.kind != "Role" && object.kind != "ClusterRole" {
        return Vec::new();
    }
    let list = object.node.get("rules").map(Node::items).unwrap_or_default();
    list.iter()
        .enumerate()
        .map(|(i, node)| Rule {
            number: i + 1,
            node,
            groups: strings(node, "apiGroups"),
            resources: strings(node, "resources"),
            verbs: strings(node, "verbs"),
            named: !strings(node, "resourceNames").is_empty(),
        })
        .collect()
}

impl Rule<'_> {
    /// True when the rule names a resource `resource` in one of `groups` (or by wildcard group), not
    /// counting `resources: ["*"]`.
    fn covers(&self, groups: &[&str], resource: &str) -> bool {
        let group = self.groups.iter().any(|g| *g == "*" || groups.contains(g));
        let sub = resource.split_once('/').map(|(_, sub)| format!("*/{sub}"));
        group && self.resources.iter().any(|r| *r == resource || sub.as_deref() == Some(*r))
    }

    /// The verbs of `wanted` the rule grants (`*` when it grants every verb).
    fn verbs_of(&self, wanted: &[&'static str]) -> Vec<&str> {
        if self.verbs.contains(&"*") {
            return vec!["*"];
        }
        self.verbs.iter().copied().filter(|v| wanted.contains(v)).collect()
    }

    /// What the rule grants of a list of operations, as `verb, verb on resource` phrases.
    fn grants(&self, operations: &[Operation]) -> Vec<String> {
        let mut out = Vec::new();
        for (groups, resource, verbs) in operations {
            if !self.covers(groups, resource) {
                continue;
            }
            let granted = self.verbs_of(verbs);
            if !granted.is_empty() {
                out.push(format!("{} on {resource}", granted.join(", ")));
            }
        }
        out
    }
}

/// A hit on one rule, spanning its lines.
fn rule_hit(object: &Object, rule: &Rule<'_>, message: String) -> Hit {
    Hit::new(message)
        .resource(format!("{} rule {}", object.resource(), rule.number))
        .lines(object.line(rule.node.start), object.line(rule.node.end))
}

/// One hit per rule that grants any of `operations`, skipping rules that grant every resource.
fn operation_hits(object: &Object, operations: &[Operation], what: &str, skip_named: bool) -> Vec<Hit> {
    let mut hits = Vec::new();
    for rule in rules(object) {
        if rule.resources.contains(&"*") || (skip_named && rule.named) {
            continue;
        }
        let granted = rule.grants(operations);
        if !granted.is_empty() {
            let message = format!("{} rule {} {what}: {}", object.kind, rule.number, granted.join("; "));
            hits.push(rule_hit(object, &rule, message));
        }
    }
    hits
}

fn wildcards(object: &Object) -> Vec<Hit> {
    let mut hits = Vec::new();
    for rule in rules(object) {
        let every_verb = rule.verbs.contains(&"*");
        let every_resource = rule.resources.contains(&"*");
        let verbs = if every_verb { "every verb".to_string() } else { rule.verbs.join(", ") };
        let resources = if every_resource { "every resource".to_string() } else { rule.resources.join(", ") };
        let groups = if rule.groups.contains(&"*") { " in every API group" } else { "" };
        if (every_verb || every_resource) && !rule.resources.is_empty() {
            let message = format!("{} rule {} grants {verbs} on {resources}{groups}", object.kind, rule.number);
            hits.push(rule_hit(object, &rule, message));
        }
    }
    hits
}

fn secret_read(object: &Object) -> Vec<Hit> {
    operation_hits(object, SECRET_READ, "can read Secrets", true)
}

fn pod_code(object: &Object) -> Vec<Hit> {
    operation_hits(object, POD_CODE, "can run code in pods", false)
}

fn escalation(object: &Object) -> Vec<Hit> {
    operation_hits(object, ESCALATION, "grants privilege escalation", false)
}

fn webhooks(object: &Object) -> Vec<Hit> {
    operation_hits(object, WEBHOOKS, "can change admission webhooks", false)
}

fn network(object: &Object) -> Vec<Hit> {
    operation_hits(object, NETWORK, "can change traffic routing or network policy", false)
}

/// The subjects of a RoleBinding or ClusterRoleBinding with the role it binds: (roleRef kind, roleRef
/// name, subjects). None for other kinds.
fn binding(object: &Object) -> Option<(&str, &str, &[Node])> {
    if object.kind != "RoleBinding" && object.kind != "ClusterRoleBinding" {
        return None;
    }
    let role = object.node.get("roleRef")?;
    let kind = role.get("kind").and_then(Node::as_str).unwrap_or_default();
    let name = role.get("name").and_then(Node::as_str).unwrap_or_default();
    Some((kind, name, object.node.get("subjects").map(Node::items).unwrap_or_default()))
}

/// A subject's kind and name.
fn subject(node: &Node) -> (&str, &str) {
    let text = |key: &str| node.get(key).and_then(Node::as_str).unwrap_or_default();
    (text("kind"), text("name"))
}

/// A hit on one subject of a binding, spanning its lines.
fn subject_hit(object: &Object, index: usize, node: &Node, message: String) -> Hit {
    Hit::new(message)
        .resource(format!("{} subject {}", object.resource(), index + 1))
        .lines(object.line(node.start), object.line(node.end))
}

/// Where a binding grants: the whole cluster or one namespace.
fn scope(object: &Object) -> String {
    if object.kind == "ClusterRoleBinding" {
        "the whole cluster".to_string()
    } else {
        format!("namespace \"{}\"", object.effective_namespace())
    }
}

fn cluster_admin(object: &Object) -> Vec<Hit> {
    let Some(("ClusterRole", "cluster-admin", subjects)) = binding(object) else { return Vec::new() };
    let mut hits = Vec::new();
    for (i, node) in subjects.iter().enumerate() {
        let (kind, name) = subject(node);
        if kind != "ServiceAccount" && name.starts_with("system:") {
            continue;
        }
        let message = format!("{} gives {kind} \"{name}\" cluster-admin over {}", object.kind, scope(object));
        hits.push(subject_hit(object, i, node, message));
    }
    hits
}

fn anonymous(object: &Object) -> Vec<Hit> {
    let Some((role_kind, role, subjects)) = binding(object) else { return Vec::new() };
    let mut hits = Vec::new();
    for (i, node) in subjects.iter().enumerate() {
        let (kind, name) = subject(node);
        let who = if ANONYMOUS.contains(&(kind, name)) && !ANONYMOUS_DEFAULT_ROLES.contains(&role) {
            "anyone who can reach the API server"
        } else if (kind, name) == ("Group", AUTHENTICATED) && !AUTHENTICATED_DEFAULT_ROLES.contains(&role) {
            "every authenticated account"
        } else {
            continue;
        };
        let message = format!(
            "{} binds {role_kind} \"{role}\" to {kind} \"{name}\": {who} gets it over {}",
            object.kind,
            scope(object)
        );
        hits.push(subject_hit(object, i, node, message));
    }
    hits
}
