//! The secret configuration format: custom rules, allow rules, disabled ids and the file-size bound.
//!
//! The built-in rule set (`rules.yaml`, embedded) is written in the same format; see
//! `docs/secret-config.md` for the user-facing description.

use crate::Error;
use serde::Deserialize;

/// Files larger than this are not scanned unless the configuration says otherwise (10 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// One detection rule as written in YAML.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id, e.g. `aws-access-key-id`.
    pub id: String,
    /// Provider or family, e.g. `AWS`.
    pub category: String,
    /// Human title, e.g. `AWS access key ID`.
    pub title: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// Lower-case literals; the regex runs only on data that contains at least one (none: always runs).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expression with a named group `secret` around the value.
    pub regex: String,
    /// Minimum Shannon entropy (bits per byte) of the value.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regular expression the path must match for the rule to run.
    #[serde(default)]
    pub path: Option<String>,
    /// Number of leading characters of the value that redaction may keep (a public prefix like `ghp_`).
    #[serde(default)]
    pub keep: usize,
    /// A heuristic rule: its match is dropped where a specific rule found an overlapping value.
    #[serde(default)]
    pub generic: bool,
    /// Texts the rule must find a secret in.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Near-miss texts the rule must not find anything in.
    #[serde(default)]
    pub negatives: Vec<String>,
}

/// One allow rule as written in YAML: a match is dropped when the path and/or value patterns match.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowSpec {
    /// Stable id, e.g. `env-reference`.
    pub id: String,
    /// Why the allow rule exists.
    #[serde(default)]
    pub description: String,
    /// Regular expression over the file path (or metadata target).
    #[serde(default)]
    pub path: Option<String>,
    /// Regular expression over the secret value.
    #[serde(default)]
    pub value: Option<String>,
    /// Rule ids it applies to (empty: all rules).
    #[serde(default)]
    pub rules: Vec<String>,
}

/// A secret configuration: what `--secret-config FILE` holds, and the shape of the built-in rule file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SecretConfig {
    /// Rules to add; a rule with a built-in rule's id replaces it.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Allow rules to add; an allow rule with a built-in id replaces it.
    #[serde(default)]
    pub allow_rules: Vec<AllowSpec>,
    /// Ids of rules to turn off.
    #[serde(default)]
    pub disable_rules: Vec<String>,
    /// Ids of allow rules to turn off.
    #[serde(default)]
    pub disable_allow_rules: Vec<String>,
    /// Files larger than this many bytes are skipped (default [`DEFAULT_MAX_FILE_SIZE`]).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Documented example values: reported as examples at low severity.
    #[serde(default)]
    pub example_values: Vec<String>,
    /// Where the configuration came from (file path), for error messages.
    #[serde(skip)]
    pub source: String,
}

impl SecretConfig {
    /// Reads a configuration file.
    pub fn load(path: &std::path::Path) -> Result<SecretConfig, Error> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { file: file.clone(), source })?;
        SecretConfig::from_yaml(&file, &text)
    }

    /// Parses a configuration from YAML text; `source` names it in errors.
    pub fn from_yaml(source: &str, text: &str) -> Result<SecretConfig, Error> {
        let mut config: SecretConfig = if text.trim().is_empty() {
            SecretConfig::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| Error::Yaml { file: source.to_string(), message: e.to_string() })?
        };
        config.source = source.to_string();
        Ok(config)
    }
}
