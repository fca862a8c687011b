//! User policies in Rego (OPA-compatible), evaluated with regorus.
//!
//! [`Policies::load`] reads every `*.rego` file under a `--policy` directory (Rego v1, or v0 as Trivy's
//! and conftest's older checks are written) and every `*.json` / `*.yaml` / `*.yml` file as `data`.
//! A package that declares a `deny`, `warn` or `violation` rule (or one named `deny_…` and so on) is
//! one check; its id, title, severity and framework mappings come from an OPA `# METADATA` block
//! (Trivy's `custom:` fields) or from `__rego_metadata__` / `__rego_input__`. [`Policies::evaluate`]
//! runs the checks that select a kind of input on one input document and returns their failures as
//! [`Misconfiguration`]s built by [`check::finding`]. `docs/policies.md` is the user's guide.

pub mod files;
mod load;
pub mod meta;
pub mod results;

use crate::check::{self, CheckMeta, Hit, Target};
use bulwark_types::{ConfigKind, Level, Misconfiguration};
use load::{add_policy, discover, read_data};
use meta::PolicyMeta;
use regorus::Engine;
use serde_json::Value;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Default wall-clock limit for evaluating one rule on one input.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Interpreter steps between two clock reads of the time limit.
const CHECK_INTERVAL: NonZeroU32 = NonZeroU32::MIN.saturating_add(63);
/// Kubernetes kinds a policy selecting `rbac` (Trivy's RBAC input type) runs on.
const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Why policies could not be loaded or evaluated; every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum RegoError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file or directory breaks a limit or is not text.
    #[error("{path}: {message}")]
    Files {
        /// The file or directory.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A policy does not parse (the message has regorus' line and column).
    #[error("{path}: Rego parse error: {message}")]
    Parse {
        /// The policy file.
        path: String,
        /// regorus' message.
        message: String,
    },
    /// A data file is not a JSON/YAML object or conflicts with data already loaded.
    #[error("{path}: data file: {message}")]
    Data {
        /// The data file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A policy's metadata (`# METADATA`, `__rego_metadata__`, `__rego_input__`) is malformed.
    #[error("{path}: policy metadata: {message}")]
    Metadata {
        /// The policy file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A rule failed while being evaluated (a runtime error or the time limit).
    #[error("{path}: evaluating {rule}: {message}")]
    Eval {
        /// The policy file.
        path: String,
        /// The rule, e.g. `data.user.kubernetes.ID001.deny`.
        rule: String,
        /// regorus' message.
        message: String,
    },
}

impl RegoError {
    /// An I/O error on `path`.
    fn io(path: &Path, source: std::io::Error) -> RegoError {
        RegoError::Io { path: path.display().to_string(), source }
    }
}

/// How a rule's failures are graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `deny`, `deny_…`, `violation`, `violation_…`: the policy's severity.
    Deny,
    /// `warn`, `warn_…`: the policy's severity, at most `LOW`.
    Warn,
}

/// One rule of a check that yields failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Rule name, e.g. `deny` or `warn_latest`.
    pub name: String,
    /// How its failures are graded.
    pub kind: RuleKind,
}

/// One user check: a Rego package with at least one `deny` / `warn` / `violation` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Package name, e.g. `user.kubernetes.ID001`.
    pub package: String,
    /// The rule path prefix, e.g. `data.user.kubernetes.ID001`.
    pub query: String,
    /// The `.rego` file that declares the rules (the findings' `source`).
    pub path: String,
    /// What the policy declares about itself (id and title defaulted to the package name).
    pub meta: PolicyMeta,
    /// Kinds of input it runs on (from its selector or package name; every kind when neither says).
    pub kinds: Vec<ConfigKind>,
    /// True when it selects Kubernetes only through `rbac`: it runs on RBAC objects only.
    pub rbac_only: bool,
    /// Rules evaluated, in name order.
    pub rules: Vec<Rule>,
}

impl Policy {
    /// Whether the policy runs on this input of this kind.
    pub fn applies(&self, kind: ConfigKind, input: &Value) -> bool {
        if !self.kinds.contains(&kind) {
            return false;
        }
        if kind == ConfigKind::Kubernetes && self.rbac_only {
            let k = input.get("kind").and_then(Value::as_str).unwrap_or("");
            return RBAC_KINDS.contains(&k);
        }
        true
    }

    /// A finding for one hit of one rule.
    fn finding(&self, mut hit: Hit, rule: &Rule, input: &Value, target: &Target<'_>) -> Misconfiguration {
        let severity = match rule.kind {
            RuleKind::Warn => self.meta.severity.min(Level::Low),
            RuleKind::Deny => self.meta.severity,
        };
        if hit.resource.is_none() && target.kind == ConfigKind::Kubernetes {
            hit.resource = kubernetes_resource(input);
        }
        let shell =
            CheckMeta { id: "", title: "", severity, description: "", remediation: "", mappings: &[], references: &[] };
        let mut m = check::finding(&shell, hit, target, &self.path);
        m.check_id = self.meta.id.clone();
        m.title = self.meta.title.clone();
        m.description = self.meta.description.clone();
        m.remediation = self.meta.remediation.clone();
        m.mappings = self.meta.mappings.clone();
        m.references = self.meta.references.clone();
        m
    }
}

/// The object a Kubernetes input is: its `__defsec_metadata.resource` when the caller set one (as Trivy
/// does), else `Kind/namespace/name` (`default` when unset) as the built-in checks write it, or `Kind/name`
/// for cluster-scoped kinds.
fn kubernetes_resource(input: &Value) -> Option<String> {
    if let Some(r) = input.get("__defsec_metadata").and_then(|m| m.get("resource")).and_then(Value::as_str) {
        return Some(r.to_string());
    }
    let kind = input.get("kind")?.as_str()?;
    let meta = input.get("metadata");
    let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str).filter(|v| !v.is_empty());
    let name = field("name").or_else(|| field("generateName")).unwrap_or("");
    Some(crate::kubernetes::resource_name(kind, field("namespace"), name))
}

/// The user's checks, loaded once and evaluated on many inputs.
pub struct Policies {
    /// The checks, in package order.
    policies: Vec<Policy>,
    /// Notes for the user about what was loaded (unknown input types, framework keys, …).
    notes: Vec<String>,
    /// The loaded engine every evaluation starts from.
    prototype: Engine,
    /// Engines done with an evaluation, reused by the next one.
    pool: Mutex<Vec<Engine>>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies").field("policies", &self.policies).field("notes", &self.notes).finish()
    }
}

impl Policies {
    /// Loads every policy and data file under `dir` (or the single `.rego` file `dir`).
    pub fn load(dir: &Path) -> Result<Policies, RegoError> {
        let listed = files::list(dir)?;
        let mut engine = Engine::new();
        // As OPA: an error inside a built-in makes the expression undefined instead of failing the rule.
        engine.set_strict_builtin_errors(false);
        engine
            .add_extension(
                "result.new".to_string(),
                2,
                Box::new(|params: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
                    let json = |v: Option<&regorus::Value>| {
                        v.and_then(|v| serde_json::to_value(v).ok()).unwrap_or(Value::Null)
                    };
                    Ok(regorus::Value::from(results::result_new(&json(params.first()), &json(params.get(1)))))
                }),
            )
            .map_err(|e| RegoError::Files { path: dir.display().to_string(), message: format!("{e:#}") })?;
        let mut sources = Vec::new();
        for path in &listed.policies {
            let text = files::read(path)?;
            let label = path.display().to_string();
            add_policy(&mut engine, &label, &text)?;
            sources.push((label, text));
        }
        for path in &listed.data {
            let value = read_data(path)?;
            engine
                .add_data(regorus::Value::from(value))
                .map_err(|e| RegoError::Data { path: path.display().to_string(), message: format!("{e:#}") })?;
        }
        engine.set_input(regorus::Value::new_object());
        let mut notes = Vec::new();
        let policies = discover(&mut engine, &sources, &mut notes)?;
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: DEFAULT_TIME_LIMIT,
            check_interval: CHECK_INTERVAL,
        });
        Ok(Policies { policies, notes, prototype: engine, pool: Mutex::new(Vec::new()) })
    }

    /// The checks loaded, in package order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Notes about the loaded policies worth telling the user (never errors).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Sets the wall-clock limit for evaluating one rule on one input (default [`DEFAULT_TIME_LIMIT`]).
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.prototype.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit,
            check_interval: CHECK_INTERVAL,
        });
        if let Ok(mut pool) = self.pool.lock() {
            pool.clear();
        }
    }

    /// Runs every check that selects `kind` on one input document; `target` names the file or image.
    pub fn evaluate(
        &self,
        kind: ConfigKind,
        input: &Value,
        target: &Target<'_>,
    ) -> Result<Vec<Misconfiguration>, RegoError> {
        let applicable: Vec<&Policy> = self.policies.iter().filter(|p| p.applies(kind, input)).collect();
        if applicable.is_empty() {
            return Ok(Vec::new());
        }
        let mut engine =
            self.pool.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_else(|| self.prototype.clone());
        engine.set_input(regorus::Value::from(input.clone()));
        let mut out = Vec::new();
        for policy in applicable {
            for rule in &policy.rules {
                let path = format!("{}.{}", policy.query, rule.name);
                let value = eval(&mut engine, &path, &policy.path)?;
                let default_message = if policy.meta.title.is_empty() { &policy.meta.id } else { &policy.meta.title };
                for hit in results::hits(&value, default_message) {
                    out.push(policy.finding(hit, rule, input, target));
                }
            }
        }
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < MAX_POOLED_ENGINES {
                pool.push(engine);
            }
        }
        Ok(out)
    }

    /// Evaluates on a fresh clone of the loaded engine every time (no reuse); for measuring and tests.
    pub fn evaluate_fresh(
        &self,
        kind: ConfigKind,
        input: &Value,
        target: &Target<'_>,
    ) -> Result<Vec<Misconfiguration>, RegoError> {
        let fresh = Policies {
            policies: self.policies.clone(),
            notes: Vec::new(),
            prototype: self.prototype.clone(),
            pool: Mutex::new(Vec::new()),
        };
        fresh.evaluate(kind, input, target)
    }
}

/// Most idle engines kept for reuse.
const MAX_POOLED_ENGINES: usize = 16;

/// Evaluates one rule; its value as JSON (`null` when undefined).
fn eval(engine: &mut Engine, rule: &str, policy_path: &str) -> Result<Value, RegoError> {
    let error = |message: String| RegoError::Eval { path: policy_path.to_string(), rule: rule.to_string(), message };
    let value = engine.eval_rule(rule.to_string()).map_err(|e| error(format!("{e:#}").trim().to_string()))?;
    if value == regorus::Value::Undefined {
        return Ok(Value::Null);
    }
    serde_json::to_value(&value).map_err(|e| error(e.to_string()))
}
