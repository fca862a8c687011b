//! SARIF rules and results for misconfigurations: one rule per check id (title, description,
//! remediation as help, first web reference as `helpUri`, framework mappings as tags such as
//! `CIS-Docker-4.1`, `PSS-restricted`, `NSA-CISA`, `NIST-800-190-4.1.4`, and GitHub's
//! `security-severity`), one result per failure located at its file and lines, or logically at
//! its Kubernetes object or image.

use crate::sarif::{is_web_uri, relative_uri, sarif_level, security_severity, RuleSet};
use crate::sarif_secret::pascal;
use bulwark_types::{ConfigKind, Framework, Level, Mapping, Misconfiguration};
use serde_json::{json, Map, Value};

/// The rules (numbered from `first_index` in the run) and results for `found`.
pub(crate) fn rules_and_results(found: &[Misconfiguration], first_index: usize) -> (Vec<Value>, Vec<Value>) {
    let mut set = RuleSet::new();
    let mut results = Vec::with_capacity(found.len());
    for m in found {
        let i = set.add(&m.check_id, m, m.severity);
        results.push(result(m, first_index + i));
    }
    let rules = set.rules.iter().map(|(m, level)| rule(m, *level)).collect();
    (rules, results)
}

/// One rule for a check, at the worst `level` among its failures.
fn rule(m: &Misconfiguration, level: Level) -> Value {
    let mut tags = vec!["misconfiguration".to_string(), "security".to_string(), m.kind.as_str().to_string()];
    for mapping in &m.mappings {
        let tag = framework_tag(mapping);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let mut props = Map::new();
    if let Some(score) = security_severity(level, None) {
        props.insert("security-severity".into(), score.into());
    }
    props.insert("tags".into(), json!(tags));
    props.insert("precision".into(), "very-high".into());
    props.insert("kind".into(), m.kind.as_str().into());
    props.insert("source".into(), m.source.clone().into());
    if !m.mappings.is_empty() {
        props.insert("mappings".into(), json!(m.mappings.iter().map(mapping_text).collect::<Vec<_>>()));
    }

    let mut markdown = format!("**{}**\n\n{}", m.title, m.remediation);
    if !m.mappings.is_empty() {
        markdown.push_str("\n\nMaps to:");
        for mapping in &m.mappings {
            markdown.push_str(&format!("\n- {}", mapping_text(mapping)));
        }
    }
    if !m.references.is_empty() {
        markdown.push_str("\n\nReferences:");
        for r in &m.references {
            markdown.push_str(&format!("\n- {r}"));
        }
    }

    let mut r = Map::new();
    r.insert("id".into(), m.check_id.clone().into());
    r.insert("name".into(), pascal(&m.title).into());
    r.insert("shortDescription".into(), json!({ "text": m.title }));
    let full = if m.description.trim().is_empty() { &m.title } else { &m.description };
    r.insert("fullDescription".into(), json!({ "text": full }));
    r.insert("defaultConfiguration".into(), json!({ "level": sarif_level(level) }));
    if let Some(uri) = m.references.iter().find(|u| is_web_uri(u)) {
        r.insert("helpUri".into(), uri.clone().into());
    }
    let help = if m.remediation.trim().is_empty() { &m.title } else { &m.remediation };
    r.insert("help".into(), json!({ "text": help, "markdown": markdown }));
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// One result for a failure.
fn result(m: &Misconfiguration, rule_index: usize) -> Value {
    let mut text = m.message.clone();
    if text.trim().is_empty() {
        text = m.title.clone();
    }
    if let Some(res) = &m.resource {
        text.push_str(&format!(" ({res})"));
    }

    // Files are located at the target; image checks at the file inside the image, if any.
    let file = match m.kind {
        ConfigKind::Image => m.path.as_deref(),
        ConfigKind::Dockerfile | ConfigKind::Kubernetes => Some(m.target.as_str()),
    };
    let mut location = Map::new();
    if let Some(uri) = file.and_then(relative_uri) {
        let mut physical = Map::new();
        physical.insert("artifactLocation".into(), json!({ "uri": uri }));
        if let Some(start) = m.start_line.filter(|&l| l >= 1) {
            let mut region = Map::new();
            region.insert("startLine".into(), start.into());
            if let Some(end) = m.end_line.filter(|&e| e >= start) {
                region.insert("endLine".into(), end.into());
            }
            physical.insert("region".into(), Value::Object(region));
        }
        location.insert("physicalLocation".into(), Value::Object(physical));
    }
    let mut logical = Vec::new();
    if let Some(res) = &m.resource {
        logical.push(json!({ "name": res, "kind": "object" }));
    }
    if m.kind == ConfigKind::Image {
        logical.push(json!({ "name": m.target, "fullyQualifiedName": m.target, "kind": "module" }));
    }
    if !logical.is_empty() {
        location.insert("logicalLocations".into(), json!(logical));
    }

    let mut props = Map::new();
    props.insert("kind".into(), m.kind.as_str().into());
    props.insert("target".into(), m.target.clone().into());
    if let Some(res) = &m.resource {
        props.insert("resource".into(), res.clone().into());
    }
    if let Some(p) = &m.path {
        props.insert("path".into(), p.clone().into());
    }
    if let Some(layer) = &m.layer {
        props.insert("layerIndex".into(), layer.index.into());
        props.insert("layerDigest".into(), layer.digest.clone().into());
    }
    props.insert("source".into(), m.source.clone().into());

    let mut r = Map::new();
    r.insert("ruleId".into(), m.check_id.clone().into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert("level".into(), sarif_level(m.severity).into());
    r.insert("message".into(), json!({ "text": text }));
    if !location.is_empty() {
        r.insert("locations".into(), json!([location]));
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// A mapping as one tag: `CIS-Docker-4.1`, `PSS-restricted`, `NSA-CISA`, `NIST-800-190-4.1.4`,
/// `Hadolint-DL3006`, `Dockle-CIS-DI-0001`.
fn framework_tag(m: &Mapping) -> String {
    let first = m.control.split_whitespace().next().unwrap_or_default();
    let code: String = first.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')).collect();
    let code = code.trim_matches(|c| c == '.' || c == '-');
    let with = |prefix: &str| if code.is_empty() { prefix.to_string() } else { format!("{prefix}-{code}") };
    match m.framework {
        Framework::CisDocker => with("CIS-Docker"),
        Framework::Pss => {
            let level = m.control.split(':').next().unwrap_or_default().trim().to_ascii_lowercase();
            match level.as_str() {
                "baseline" | "restricted" => format!("PSS-{level}"),
                _ => "PSS".to_string(),
            }
        }
        Framework::NsaCisa => "NSA-CISA".to_string(),
        Framework::Nist800190 if code.starts_with(|c: char| c.is_ascii_digit()) => with("NIST-800-190"),
        Framework::Nist800190 => "NIST-800-190".to_string(),
        Framework::Hadolint => with("Hadolint"),
        Framework::Dockle => with("Dockle"),
    }
}

/// A mapping as text: `CIS Docker Benchmark 4.1`.
fn mapping_text(m: &Mapping) -> String {
    format!("{} {}", m.framework.as_str(), m.control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_become_framework_tags() {
        let cases = [
            (Framework::CisDocker, "4.1", "CIS-Docker-4.1"),
            (Framework::CisDocker, "4.6 Add HEALTHCHECK", "CIS-Docker-4.6"),
            (Framework::Pss, "restricted: Running as Non-root", "PSS-restricted"),
            (Framework::Pss, "Baseline: Privileged Containers", "PSS-baseline"),
            (Framework::Pss, "Privileged Containers", "PSS"),
            (Framework::NsaCisa, "Pod security: non-root containers", "NSA-CISA"),
            (Framework::Nist800190, "4.1.4 Embedded clear text secrets", "NIST-800-190-4.1.4"),
            (Framework::Nist800190, "image vulnerabilities", "NIST-800-190"),
            (Framework::Hadolint, "DL3006", "Hadolint-DL3006"),
            (Framework::Dockle, "CIS-DI-0001", "Dockle-CIS-DI-0001"),
            (Framework::CisDocker, "", "CIS-Docker"),
            (Framework::CisDocker, "§4.1;", "CIS-Docker-4.1"),
        ];
        for (framework, control, want) in cases {
            let m = Mapping { framework, control: control.into() };
            assert_eq!(framework_tag(&m), want, "{framework:?} {control}");
        }
    }
}
