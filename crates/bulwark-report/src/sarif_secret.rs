//! SARIF rules and results for secrets: one rule per secret rule id (its worst severity), one
//! result per secret. A file secret is located at its path (relative URI) and line; an image
//! metadata secret (`config.Env[1]`, `history[7].created_by`) at a logical location. The message
//! carries the redacted match only; the layer, `deleted` and `example` go into properties and the
//! finding's fingerprint into `partialFingerprints`.

use crate::sarif::{relative_uri, sarif_level, security_severity, RuleSet};
use crate::secret_table::{is_metadata, notes};
use bulwark_types::SecretFinding;
use serde_json::{json, Map, Value};

/// Key of the secret fingerprint in a result's `partialFingerprints`.
pub(crate) const FINGERPRINT_KEY: &str = "bulwarkSecret/v1";

/// What every secret rule advises.
const HELP: &str = "Remove the secret from the image: rebuild without it, because deleting it in a later layer \
leaves it extractable from the layer that added it. Revoke and rotate it at the provider, then supply it at run \
time (a mounted secret, a secrets manager, or a build secret that never lands in a layer).";

/// The rules (numbered from `first_index` in the run) and results for `secrets`.
pub(crate) fn rules_and_results(secrets: &[SecretFinding], first_index: usize) -> (Vec<Value>, Vec<Value>) {
    let mut set = RuleSet::new();
    let mut results = Vec::with_capacity(secrets.len());
    for s in secrets {
        let i = set.add(&s.rule_id, s, s.severity);
        results.push(result(s, first_index + i));
    }
    let rules = set.rules.iter().map(|(s, level)| rule(s, *level)).collect();
    (rules, results)
}

/// One rule for a secret rule id, at the worst `level` among its findings.
fn rule(s: &SecretFinding, level: bulwark_types::Level) -> Value {
    let mut props = Map::new();
    if let Some(score) = security_severity(level, None) {
        props.insert("security-severity".into(), score.into());
    }
    let mut tags = vec!["secret".to_string(), "security".to_string()];
    if !s.category.is_empty() && !tags.contains(&s.category) {
        tags.push(s.category.clone());
    }
    props.insert("tags".into(), json!(tags));
    props.insert("category".into(), s.category.clone().into());
    json!({
        "id": s.rule_id,
        "name": pascal(&s.rule_id),
        "shortDescription": { "text": s.title },
        "fullDescription": {
            "text": format!(
                "{} ({}) stored in a file or in image metadata: anyone who can read the image or the tree can use it.",
                s.title, s.category
            )
        },
        "defaultConfiguration": { "level": sarif_level(level) },
        "help": { "text": HELP, "markdown": format!("**{}**\n\n{HELP}", s.title) },
        "properties": props,
    })
}

/// One result for a secret.
fn result(s: &SecretFinding, rule_index: usize) -> Value {
    let place = match s.line {
        Some(line) => format!("{}:{line}", s.target),
        None => s.target.clone(),
    };
    let mut text = format!("{} ({}) in {place}: {}", s.title, s.category, s.redacted);
    for note in notes(s) {
        text.push_str(&format!("\n{note}"));
        if let (true, Some(layer)) = (note.starts_with("deleted"), &s.layer) {
            text.push_str(&format!(" ({}), which anyone who pulls the image can extract", layer.digest));
        }
    }

    let mut location = Map::new();
    match relative_uri(&s.target).filter(|_| !is_metadata(s)) {
        Some(uri) => {
            let mut physical = Map::new();
            physical.insert("artifactLocation".into(), json!({ "uri": uri }));
            if let Some(line) = s.line.filter(|&l| l >= 1) {
                physical.insert("region".into(), json!({ "startLine": line }));
            }
            location.insert("physicalLocation".into(), Value::Object(physical));
        }
        None => {
            location.insert(
                "logicalLocations".into(),
                json!([{ "name": s.target, "fullyQualifiedName": s.target, "kind": "value" }]),
            );
        }
    }

    let mut props = Map::new();
    props.insert("category".into(), s.category.clone().into());
    props.insert("target".into(), s.target.clone().into());
    if let Some(layer) = &s.layer {
        props.insert("layerIndex".into(), layer.index.into());
        props.insert("layerDigest".into(), layer.digest.clone().into());
        if let Some(d) = &layer.diff_id {
            props.insert("layerDiffId".into(), d.clone().into());
        }
    }
    props.insert("deleted".into(), s.deleted.into());
    props.insert("example".into(), s.example.into());
    props.insert("redacted".into(), s.redacted.clone().into());

    let mut r = Map::new();
    r.insert("ruleId".into(), s.rule_id.clone().into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert("level".into(), sarif_level(s.severity).into());
    r.insert("message".into(), json!({ "text": text }));
    r.insert("locations".into(), json!([location]));
    if !s.fingerprint.is_empty() {
        r.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: s.fingerprint }));
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// An identifier from free text: each run of letters and digits capitalised and joined
/// (`aws-access-key-id` → `AwsAccessKeyId`); `Rule` when nothing is left.
pub(crate) fn pascal(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        "Rule".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case_identifiers() {
        let cases = [
            ("aws-access-key-id", "AwsAccessKeyId"),
            ("Base image pinned to \"latest\"", "BaseImagePinnedToLatest"),
            ("USER not set", "USERNotSet"),
            ("--", "Rule"),
            ("ünïcode name", "ÜnïcodeName"),
        ];
        for (text, want) in cases {
            assert_eq!(pascal(text), want, "{text}");
        }
    }
}
