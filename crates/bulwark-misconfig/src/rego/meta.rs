//! What a policy says about itself: OPA `# METADATA` annotations (as Trivy documents them) or the older
//! `__rego_metadata__` / `__rego_input__` rules, read into one [`PolicyMeta`].

use bulwark_types::{Framework, Level, Mapping};
use serde_json::{Map, Value};

/// Largest `# METADATA` block read, in bytes.
const MAX_ANNOTATION_BYTES: usize = 64 * 1024;

/// A policy's id, title, severity, texts, framework mappings and the input types it selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMeta {
    /// Check id (`custom.id`, else `custom.avd_id`); empty when the policy declares none.
    pub id: String,
    /// Short title; empty when the policy declares none.
    pub title: String,
    /// Severity (`UNKNOWN` when not declared).
    pub severity: Level,
    /// What the policy looks for.
    pub description: String,
    /// How to fix a failure (`recommended_actions`, `recommended_action` or `remediation`).
    pub remediation: String,
    /// Documentation links (`related_resources`, `url`, `references`).
    pub references: Vec<String>,
    /// Framework controls (`frameworks`).
    pub mappings: Vec<Mapping>,
    /// Input types from `input.selector[].type`, lower-case, as written.
    pub selectors: Vec<String>,
    /// Framework keys that were not understood (reported as load notes).
    pub unknown_frameworks: Vec<String>,
}

/// Where a `# METADATA` block was found and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// 1-based line of the `# METADATA` comment.
    pub line: usize,
    /// The parsed YAML, as JSON.
    pub value: Value,
}

/// Finds the package-scope `# METADATA` block of a policy's text: the block right before `package`, or
/// one that says `scope: package` / `subpackages`; failing both, the block on the first `deny`/`warn`/
/// `violation` rule. `None` when the file has no usable block.
pub fn find_annotation(text: &str) -> Result<Option<Annotation>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut rule_scoped: Option<Annotation> = None;
    let mut i = 0;
    while i < lines.len() {
        if lines.get(i).map(|l| l.trim()) != Some("# METADATA") {
            i += 1;
            continue;
        }
        let start = i;
        let mut body = Vec::new();
        let mut bytes = 0usize;
        i += 1;
        while let Some(line) = lines.get(i) {
            let Some(rest) = line.trim_start().strip_prefix('#') else { break };
            bytes += rest.len() + 1;
            if bytes > MAX_ANNOTATION_BYTES {
                return Err(format!("line {}: METADATA block is larger than {MAX_ANNOTATION_BYTES} bytes", start + 1));
            }
            body.push(rest);
            i += 1;
        }
        let value =
            parse_block(&body).map_err(|e| format!("line {}: METADATA block is not valid YAML: {e}", start + 1))?;
        if !value.is_object() && !value.is_null() {
            return Err(format!("line {}: METADATA block is not a YAML mapping", start + 1));
        }
        let scope = value.get("scope").and_then(Value::as_str).unwrap_or("").to_string();
        let next = lines.get(i..).unwrap_or(&[]).iter().map(|l| l.trim()).find(|l| !l.is_empty()).unwrap_or("");
        let annotation = Annotation { line: start + 1, value };
        let before_package = next.starts_with("package ") || next == "package";
        if (before_package && scope != "rule") || scope == "package" || scope == "subpackages" {
            return Ok(Some(annotation));
        }
        if rule_scoped.is_none() && is_enforced_rule(rule_name(next)) {
            rule_scoped = Some(annotation);
        }
    }
    Ok(rule_scoped)
}

/// Parses the comment lines of a block (each without its `#`) as YAML, after removing their common indent.
fn parse_block(body: &[&str]) -> Result<Value, String> {
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let text: String = body.iter().map(|l| if l.len() >= indent { l.get(indent..).unwrap_or("") } else { "" }).fold(
        String::new(),
        |mut acc, l| {
            acc.push_str(l);
            acc.push('\n');
            acc
        },
    );
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    serde_json::to_value(yaml).map_err(|e| e.to_string())
}

/// The identifier a rule line starts with (`deny` in `deny[msg] {`, `deny contains msg if {`).
pub fn rule_name(line: &str) -> &str {
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(line.len());
    line.get(..end).unwrap_or("")
}

/// Whether a rule of this name yields failures: `deny`, `warn`, `violation`, or one of them followed by `_…`.
pub fn is_enforced_rule(name: &str) -> bool {
    ["deny", "warn", "violation"]
        .iter()
        .any(|p| name == *p || name.strip_prefix(p).is_some_and(|rest| rest.starts_with('_') && rest.len() > 1))
}

impl PolicyMeta {
    /// Reads a `# METADATA` block: `title`, `description`, `related_resources` and `custom.*`.
    pub fn from_annotation(value: &Value) -> Result<PolicyMeta, String> {
        let mut flat = Map::new();
        if let Some(custom) = value.get("custom") {
            let custom = custom.as_object().ok_or("`custom` is not a mapping")?;
            flat.extend(custom.iter().map(|(k, v)| (k.clone(), v.clone())));
            if let Some(input) = custom.get("input") {
                let selector = input.get("selector").cloned().unwrap_or(Value::Null);
                flat.insert("selector".into(), selector);
            }
        }
        for key in ["title", "description", "related_resources"] {
            if let Some(v) = value.get(key) {
                flat.insert(key.into(), v.clone());
            }
        }
        PolicyMeta::from_fields(&flat)
    }

    /// Reads `__rego_metadata__` and `__rego_input__` as evaluated (either may be `null`).
    pub fn from_rego_rules(metadata: &Value, input: &Value) -> Result<PolicyMeta, String> {
        let mut flat = match metadata {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => return Err("`__rego_metadata__` is not an object".into()),
        };
        match input {
            Value::Object(m) => {
                flat.insert("selector".into(), m.get("selector").cloned().unwrap_or(Value::Null));
            }
            Value::Null => {}
            _ => return Err("`__rego_input__` is not an object".into()),
        }
        PolicyMeta::from_fields(&flat)
    }

    /// Reads the fields both declaration styles share, from one flat object.
    fn from_fields(f: &Map<String, Value>) -> Result<PolicyMeta, String> {
        let id = match string(f, "id")? {
            s if s.is_empty() => string(f, "avd_id")?,
            s => s,
        };
        let severity = match string(f, "severity")? {
            s if s.is_empty() => Level::Unknown,
            s => match Level::from_word(&s) {
                Level::Unknown if !s.eq_ignore_ascii_case("unknown") => {
                    return Err(format!("severity {s:?} is not one of LOW, MEDIUM, HIGH, CRITICAL"))
                }
                level => level,
            },
        };
        let mut remediation = String::new();
        for key in ["recommended_actions", "recommended_action", "remediation"] {
            if remediation.is_empty() {
                remediation = string(f, key)?;
            }
        }
        let mut references = Vec::new();
        for key in ["url", "references", "related_resources"] {
            references.extend(links(f.get(key)).map_err(|e| format!("`{key}`: {e}"))?);
        }
        references.dedup();
        let mut meta = PolicyMeta {
            id,
            title: string(f, "title")?,
            severity,
            description: string(f, "description")?,
            remediation,
            references,
            ..PolicyMeta::default()
        };
        meta.selectors = selectors(f.get("selector"))?;
        if let Some(frameworks) = f.get("frameworks") {
            meta.read_frameworks(frameworks)?;
        }
        Ok(meta)
    }

    /// Reads `frameworks: {key: [control, …]}` into mappings; unknown keys are remembered.
    fn read_frameworks(&mut self, value: &Value) -> Result<(), String> {
        let map = value.as_object().ok_or("`frameworks` is not a mapping of framework to controls")?;
        for (key, controls) in map {
            let controls: Vec<String> = match controls {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string).ok_or(format!("`frameworks.{key}` holds a non-string")))
                    .collect::<Result<_, _>>()?,
                Value::Null => Vec::new(),
                _ => return Err(format!("`frameworks.{key}` is not a list of controls")),
            };
            let Some((framework, prefix)) = framework(key) else {
                if key != "default" {
                    self.unknown_frameworks.push(key.clone());
                }
                continue;
            };
            for control in controls {
                let control = match prefix {
                    Some(level) if !control.starts_with(level) => format!("{level}: {control}"),
                    _ => control,
                };
                self.mappings.push(Mapping { framework, control });
            }
        }
        Ok(())
    }
}

/// The framework a `frameworks` key names, and for Trivy's per-level PSS keys the level to prefix.
fn framework(key: &str) -> Option<(Framework, Option<&'static str>)> {
    let f = match key.to_ascii_lowercase().as_str() {
        "cis-docker" | "cis-docker-benchmark" | "docker-cis" | "cis" => (Framework::CisDocker, None),
        "pss" | "k8s-pss" => (Framework::Pss, None),
        "k8s-pss-baseline" | "pss-baseline" => (Framework::Pss, Some("baseline")),
        "k8s-pss-restricted" | "pss-restricted" => (Framework::Pss, Some("restricted")),
        "nsa-cisa" | "nsa" | "k8s-nsa" | "k8s-nsa-1.0" => (Framework::NsaCisa, None),
        "nist-800-190" | "nist-sp-800-190" | "nist" => (Framework::Nist800190, None),
        "hadolint" => (Framework::Hadolint, None),
        "dockle" => (Framework::Dockle, None),
        _ => return None,
    };
    Some(f)
}

/// A string field; empty when absent or null, an error when of another type.
fn string(f: &Map<String, Value>, key: &str) -> Result<String, String> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.trim().to_string()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(format!("`{key}` is not a string: {other}")),
    }
}

/// Links from a string, a list of strings, or OPA's `related_resources` list of `{ref: …}`.
fn links(value: Option<&Value>) -> Result<Vec<String>, String> {
    let items: Vec<&Value> = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
    };
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Object(o) => {
                o.get("ref").and_then(Value::as_str).map(str::to_string).ok_or("entry without `ref`".into())
            }
            other => Err(format!("not a link: {other}")),
        })
        .collect()
}

/// The `type` of each `selector` entry.
fn selectors(value: Option<&Value>) -> Result<Vec<String>, String> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("`input.selector` is not a list".into()),
    };
    items
        .iter()
        .map(|item| {
            item.get("type")
                .and_then(Value::as_str)
                .map(|t| t.trim().to_ascii_lowercase())
                .ok_or_else(|| format!("selector entry without a string `type`: {item}"))
        })
        .collect()
}
