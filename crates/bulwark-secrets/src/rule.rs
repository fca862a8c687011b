//! Compiled rules and allow rules.

use crate::config::{AllowSpec, RuleSpec};
use crate::Error;
use bulwark_types::Level;

/// Compiled regexes may use up to this many bytes of heap each (the private-key rules are the largest).
const REGEX_SIZE_LIMIT: usize = 32 * 1024 * 1024;

/// A detection rule, ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, e.g. `aws-access-key-id`.
    pub id: String,
    /// Provider or family, e.g. `AWS`.
    pub category: String,
    /// Human title.
    pub title: String,
    /// Severity of a real (non-example) finding.
    pub severity: Level,
    /// Lower-case keywords of the prefilter.
    pub keywords: Vec<String>,
    /// Minimum entropy of the value, if any.
    pub entropy: Option<f64>,
    /// Leading characters of the value that redaction may keep.
    pub keep: usize,
    /// Heuristic rule that yields to specific rules on overlap.
    pub generic: bool,
    /// Texts the rule must find a secret in.
    pub examples: Vec<String>,
    /// Texts the rule must not find anything in.
    pub negatives: Vec<String>,
    pub(crate) regex: regex::bytes::Regex,
    pub(crate) path: Option<regex::Regex>,
}

impl Rule {
    /// Compiles a rule; `file` names the configuration in errors.
    pub(crate) fn compile(spec: &RuleSpec, file: &str) -> Result<Rule, Error> {
        let fail = |problem: String| Error::Rule { file: file.to_string(), rule: spec.id.clone(), problem };
        if spec.id.trim().is_empty() {
            return Err(Error::Rule { file: file.to_string(), rule: "(no id)".into(), problem: "empty id".into() });
        }
        let severity = Level::from_word(&spec.severity);
        if !matches!(severity, Level::Critical | Level::High | Level::Medium | Level::Low) {
            return Err(fail(format!("unknown severity {:?} (critical, high, medium or low)", spec.severity)));
        }
        let regex = regex::bytes::RegexBuilder::new(&spec.regex)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| fail(format!("invalid regex: {e}")))?;
        if !regex.capture_names().any(|n| n == Some("secret")) {
            return Err(fail("regex has no named group `secret`".into()));
        }
        let path = match &spec.path {
            Some(p) => Some(regex::Regex::new(p).map_err(|e| fail(format!("invalid path regex: {e}")))?),
            None => None,
        };
        if spec.keywords.iter().any(|k| k.is_empty()) {
            return Err(fail("empty keyword".into()));
        }
        if let Some(e) = spec.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(fail(format!("entropy {e} outside 0–8")));
            }
        }
        Ok(Rule {
            id: spec.id.clone(),
            category: spec.category.clone(),
            title: spec.title.clone(),
            severity,
            keywords: spec.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
            entropy: spec.entropy,
            keep: spec.keep,
            generic: spec.generic,
            examples: spec.examples.clone(),
            negatives: spec.negatives.clone(),
            regex,
            path,
        })
    }

    /// Whether the rule runs on this path.
    pub(crate) fn applies_to(&self, path: &str) -> bool {
        self.path.as_ref().is_none_or(|p| p.is_match(path))
    }
}

/// An allow rule, ready to run.
#[derive(Debug, Clone)]
pub struct Allow {
    /// Stable id.
    pub id: String,
    /// Why it exists.
    pub description: String,
    /// Rule ids it applies to (empty: all).
    pub rules: Vec<String>,
    pub(crate) path: Option<regex::Regex>,
    pub(crate) value: Option<regex::Regex>,
}

impl Allow {
    /// Compiles an allow rule; `file` names the configuration in errors.
    pub(crate) fn compile(spec: &AllowSpec, file: &str) -> Result<Allow, Error> {
        let fail = |problem: String| Error::Rule { file: file.to_string(), rule: spec.id.clone(), problem };
        if spec.id.trim().is_empty() {
            return Err(Error::Rule { file: file.to_string(), rule: "(no id)".into(), problem: "empty id".into() });
        }
        let compile = |p: &Option<String>, what: &str| match p {
            Some(p) => regex::Regex::new(p).map(Some).map_err(|e| fail(format!("invalid {what} regex: {e}"))),
            None => Ok(None),
        };
        let path = compile(&spec.path, "path")?;
        let value = compile(&spec.value, "value")?;
        if path.is_none() && value.is_none() {
            return Err(fail("allow rule needs `path`, `value` or both".into()));
        }
        Ok(Allow { id: spec.id.clone(), description: spec.description.clone(), rules: spec.rules.clone(), path, value })
    }

    /// Whether the allow rule covers this rule id.
    pub(crate) fn covers(&self, rule: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| r == rule)
    }

    /// A path-only allow rule that matches `path`: skips whole files (for the rules it covers).
    pub(crate) fn allows_path(&self, path: &str) -> bool {
        self.value.is_none() && self.path.as_ref().is_some_and(|p| p.is_match(path))
    }

    /// An allow rule with a value pattern that matches this value at this path.
    pub(crate) fn allows_value(&self, path: &str, value: &str) -> bool {
        match &self.value {
            Some(v) => v.is_match(value) && self.path.as_ref().is_none_or(|p| p.is_match(path)),
            None => false,
        }
    }
}
