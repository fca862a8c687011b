//! Loading: parsing policies in either Rego dialect, reading data files, and finding the checks among
//! the loaded packages with their metadata and the kinds they select.

use super::meta::{self, is_enforced_rule, rule_name, PolicyMeta};
use super::{eval, files, Policy, RegoError, Rule, RuleKind};
use bulwark_types::ConfigKind;
use regorus::Engine;
use serde_json::Value;
use std::path::Path;

/// Parses one policy as Rego v1, falling back to v0; on failure reports the error of the dialect the file
/// appears to be written in.
pub(super) fn add_policy(engine: &mut Engine, label: &str, text: &str) -> Result<(), RegoError> {
    engine.set_rego_v0(false);
    let v1 = match engine.add_policy(label.to_string(), text.to_string()) {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(label.to_string(), text.to_string());
    engine.set_rego_v0(false);
    match v0 {
        Ok(_) => Ok(()),
        Err(v0) => {
            let message = if looks_v1(text) { format!("{v1:#}") } else { format!("{v0:#}") }.trim().to_string();
            Err(RegoError::Parse { path: label.to_string(), message })
        }
    }
}

/// Whether a policy looks written for Rego v1: `import rego.v1`, or `if` / `contains` used without
/// `import future.keywords`.
fn looks_v1(text: &str) -> bool {
    if text.contains("import rego.v1") {
        return true;
    }
    if text.contains("future.keywords") {
        return false;
    }
    text.lines().map(|l| l.split('#').next().unwrap_or("")).any(|code| {
        code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|w| w == "if" || w == "contains")
    })
}

/// Reads a JSON or YAML data file; it must hold an object.
pub(super) fn read_data(path: &Path) -> Result<Value, RegoError> {
    let text = files::read(path)?;
    let error = |message: String| RegoError::Data { path: path.display().to_string(), message };
    let value: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| error(e.to_string()))?
    } else {
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| error(e.to_string()))?;
        serde_json::to_value(yaml).map_err(|e| error(e.to_string()))?
    };
    if !value.is_object() {
        return Err(error("the top level is not an object (data is merged into `data` by key)".into()));
    }
    Ok(value)
}

/// A package's rule path: `data` then each component, dotted when it is an identifier, else bracketed.
fn query_path(components: &[String]) -> String {
    let mut out = String::from("data");
    for c in components {
        let ident = c.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if ident {
            out.push('.');
            out.push_str(c);
        } else {
            out.push('[');
            out.push_str(&serde_json::Value::String(c.clone()).to_string());
            out.push(']');
        }
    }
    out
}

/// Finds the checks among the loaded modules: packages with enforced rules, with their metadata.
pub(super) fn discover(
    engine: &mut Engine,
    sources: &[(String, String)],
    notes: &mut Vec<String>,
) -> Result<Vec<Policy>, RegoError> {
    let packages = engine
        .get_policy_package_components()
        .map_err(|e| RegoError::Files { path: "policies".into(), message: format!("{e:#}") })?;
    // Package → (components, files of the package in load order).
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for package in &packages {
        let Some(index) = sources.iter().position(|(label, _)| *label == package.source_file) else { continue };
        match groups.iter_mut().find(|(c, _)| *c == package.components) {
            Some((_, files)) => files.push(index),
            None => groups.push((package.components.clone(), vec![index])),
        }
    }
    let mut out = Vec::new();
    for (components, file_indexes) in groups {
        let group: Vec<&(String, String)> = file_indexes.iter().filter_map(|i| sources.get(*i)).collect();
        let mut rules: Vec<Rule> = Vec::new();
        let mut rule_file = None;
        for (label, text) in &group {
            for name in candidate_rules(text) {
                if rules.iter().any(|r| r.name == name) {
                    continue;
                }
                if engine.has_declared_rule_rooted_at(label, &name).unwrap_or(false) {
                    let kind = if name.starts_with("warn") { RuleKind::Warn } else { RuleKind::Deny };
                    rules.push(Rule { name, kind });
                    rule_file.get_or_insert(label.clone());
                }
            }
        }
        let Some(rule_file) = rule_file else { continue };
        rules.sort_by(|a, b| a.name.cmp(&b.name));
        let query = query_path(&components);
        let package = components.join(".");
        let mut meta = read_meta(engine, &group, &rule_file, &query)?;
        if meta.id.is_empty() {
            meta.id = package.clone();
        }
        if meta.title.is_empty() {
            meta.title = meta.id.clone();
        }
        for key in &meta.unknown_frameworks {
            notes.push(format!("{rule_file}: framework key {key:?} is not known; its controls are not mapped"));
        }
        let (kinds, rbac_only) = select_kinds(&meta, &components, &rule_file, notes);
        out.push(Policy { package, query, path: rule_file, meta, kinds, rbac_only, rules });
    }
    out.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(out)
}

/// Names of rules in a policy's text that may be enforced rules (confirmed against the parsed module).
fn candidate_rules(text: &str) -> Vec<String> {
    let mut names: Vec<String> =
        text.lines().map(|l| rule_name(l.trim_start())).filter(|n| is_enforced_rule(n)).map(str::to_string).collect();
    names.sort();
    names.dedup();
    names
}

/// The metadata of a package: its `# METADATA` block (the rule file's first), else `__rego_metadata__`
/// and `__rego_input__`, else nothing.
fn read_meta(
    engine: &mut Engine,
    group: &[&(String, String)],
    rule_file: &str,
    query: &str,
) -> Result<PolicyMeta, RegoError> {
    let ordered = group.iter().filter(|(l, _)| l == rule_file).chain(group.iter().filter(|(l, _)| l != rule_file));
    for (label, text) in ordered.clone() {
        let error = |message: String| RegoError::Metadata { path: label.clone(), message };
        if let Some(annotation) = meta::find_annotation(text).map_err(error)? {
            return PolicyMeta::from_annotation(&annotation.value)
                .map_err(|m| error(format!("METADATA block at line {}: {m}", annotation.line)));
        }
    }
    let mut values = [Value::Null, Value::Null];
    let mut declared_in = rule_file.to_string();
    for (slot, name) in values.iter_mut().zip(["__rego_metadata__", "__rego_input__"]) {
        let Some((label, _)) =
            ordered.clone().find(|(l, _)| engine.has_declared_rule_rooted_at(l, name).unwrap_or(false))
        else {
            continue;
        };
        declared_in = label.clone();
        *slot = eval(engine, &format!("{query}.{name}"), label)?;
    }
    PolicyMeta::from_rego_rules(&values[0], &values[1])
        .map_err(|message| RegoError::Metadata { path: declared_in, message })
}

/// The kinds a policy runs on: its selector's types, else the package's second component
/// (`user.kubernetes.…`), else every kind. Selector types Bulwark does not scan are noted.
fn select_kinds(
    meta: &PolicyMeta,
    components: &[String],
    path: &str,
    notes: &mut Vec<String>,
) -> (Vec<ConfigKind>, bool) {
    if meta.selectors.is_empty() {
        return match components.get(1).and_then(|c| kind_of(c)) {
            Some(kind) => (vec![kind], false),
            None => (vec![ConfigKind::Image, ConfigKind::Dockerfile, ConfigKind::Kubernetes], false),
        };
    }
    let mut kinds = Vec::new();
    let mut kubernetes_all = false;
    let mut rbac = false;
    for selector in &meta.selectors {
        match selector.as_str() {
            "rbac" => rbac = true,
            "kubernetes" => kubernetes_all = true,
            other => match kind_of(other) {
                Some(kind) => kinds.push(kind),
                None => notes.push(format!(
                    "{path}: input type {other:?} is not one Bulwark scans (kubernetes, rbac, dockerfile, image); ignored"
                )),
            },
        }
    }
    if kubernetes_all || rbac {
        kinds.push(ConfigKind::Kubernetes);
    }
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        notes.push(format!("{path}: selects no input type Bulwark scans; the policy never runs"));
    }
    (kinds, rbac && !kubernetes_all)
}

/// The kind an input type or package component names.
fn kind_of(word: &str) -> Option<ConfigKind> {
    match word.to_ascii_lowercase().as_str() {
        "kubernetes" => Some(ConfigKind::Kubernetes),
        "dockerfile" => Some(ConfigKind::Dockerfile),
        "image" => Some(ConfigKind::Image),
        _ => None,
    }
}
