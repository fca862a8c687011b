//! The misconfigurations section of the report table: a total count per severity, then one group
//! per target (Dockerfile, manifest, image) in order of first appearance, each with its own count
//! line and one row per failure (severity, check id, title, message, resource, lines), and last
//! the remediation of every check that failed, once per check.

use crate::table::{cell, clean, counts_line, plain_table, write_table};
use bulwark_types::{ConfigKind, Level, Misconfiguration};
use std::collections::HashMap;
use std::io::Write;

/// Longest TITLE cell, in characters.
const MAX_TITLE: usize = 60;
/// Longest MESSAGE cell, in characters.
const MAX_MESSAGE: usize = 80;
/// Longest RESOURCE cell, in characters.
const MAX_RESOURCE: usize = 60;

/// Writes the section: the total, each target's group, the remediation list; or `No misconfigurations found.`.
pub fn render(found: &[Misconfiguration], out: &mut dyn Write) -> std::io::Result<()> {
    if found.is_empty() {
        return writeln!(out, "\nNo misconfigurations found.");
    }
    let levels: Vec<Level> = found.iter().map(|m| m.severity).collect();
    writeln!(out, "\nMisconfigurations: {}", counts_line(&levels))?;
    for ((target, kind), group) in groups(found) {
        let levels: Vec<Level> = group.iter().map(|m| m.severity).collect();
        writeln!(out, "\n{} ({}): {}", clean(target), kind.as_str(), counts_line(&levels))?;
        let mut table = plain_table(&["SEVERITY", "CHECK", "TITLE", "MESSAGE", "RESOURCE", "LINES"]);
        for m in group {
            table.add_row(vec![
                m.severity.to_string(),
                cell(&m.check_id, MAX_TITLE),
                cell(&m.title, MAX_TITLE),
                cell(&m.message, MAX_MESSAGE),
                cell(&resource(m), MAX_RESOURCE),
                lines(m),
            ]);
        }
        writeln!(out)?;
        write_table(&table, out)?;
    }
    writeln!(out, "\nRemediation:")?;
    let mut shown: Vec<&str> = Vec::new();
    for m in found {
        if shown.contains(&m.check_id.as_str()) {
            continue;
        }
        shown.push(&m.check_id);
        writeln!(out, "  {}: {}", one_line(&m.check_id), one_line(&m.remediation))?;
    }
    Ok(())
}

/// Findings grouped by target and kind, groups and members in the order given.
fn groups(found: &[Misconfiguration]) -> Vec<((&str, ConfigKind), Vec<&Misconfiguration>)> {
    let mut index: HashMap<(&str, ConfigKind), usize> = HashMap::new();
    let mut groups: Vec<((&str, ConfigKind), Vec<&Misconfiguration>)> = Vec::new();
    for m in found {
        let key = (m.target.as_str(), m.kind);
        match index.get(&key).and_then(|&i| groups.get_mut(i)) {
            Some((_, members)) => members.push(m),
            None => {
                index.insert(key, groups.len());
                groups.push((key, vec![m]));
            }
        }
    }
    groups
}

/// The object checked: the resource, and for image checks the file and its layer; `—` when neither.
fn resource(m: &Misconfiguration) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &m.resource {
        parts.push(r.clone());
    }
    match (&m.path, &m.layer) {
        (Some(path), Some(layer)) => parts.push(format!("{path} (layer {})", layer.index)),
        (Some(path), None) => parts.push(path.clone()),
        (None, _) => {}
    }
    if parts.is_empty() {
        "—".to_string()
    } else {
        parts.join(", ")
    }
}

/// `7`, `13-20`, or `—` when the target has no lines.
fn lines(m: &Misconfiguration) -> String {
    match (m.start_line, m.end_line) {
        (Some(start), Some(end)) if end > start => format!("{start}-{end}"),
        (Some(start), _) => start.to_string(),
        (None, _) => "—".to_string(),
    }
}

/// Free text on one line: whitespace runs become one space, control characters escaped.
fn one_line(s: &str) -> String {
    clean(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_types::LayerRef;

    fn misconfig(id: &str, target: &str, kind: ConfigKind) -> Misconfiguration {
        Misconfiguration {
            check_id: id.into(),
            title: "t".into(),
            severity: Level::High,
            description: "d".into(),
            remediation: "r".into(),
            message: "m".into(),
            kind,
            target: target.into(),
            resource: None,
            path: None,
            layer: None,
            start_line: None,
            end_line: None,
            mappings: Vec::new(),
            references: Vec::new(),
            source: "builtin".into(),
        }
    }

    #[test]
    fn groups_keep_first_appearance_order() {
        let found = [
            misconfig("A", "Dockerfile", ConfigKind::Dockerfile),
            misconfig("B", "k8s.yaml", ConfigKind::Kubernetes),
            misconfig("C", "Dockerfile", ConfigKind::Dockerfile),
        ];
        let g = groups(&found);
        let shape: Vec<(&str, Vec<&str>)> =
            g.iter().map(|((t, _), ms)| (*t, ms.iter().map(|m| m.check_id.as_str()).collect())).collect();
        assert_eq!(shape, [("Dockerfile", vec!["A", "C"]), ("k8s.yaml", vec!["B"])]);
    }

    #[test]
    fn resource_and_lines_cells() {
        let mut m = misconfig("A", "img", ConfigKind::Image);
        assert_eq!((resource(&m), lines(&m)), ("—".to_string(), "—".to_string()));
        m.path = Some("/etc/shadow".into());
        m.layer = Some(LayerRef { index: 1, digest: "sha256:00".into(), diff_id: None });
        assert_eq!(resource(&m), "/etc/shadow (layer 1)");
        m.resource = Some("Deployment/web".into());
        m.path = None;
        m.start_line = Some(13);
        m.end_line = Some(13);
        assert_eq!((resource(&m), lines(&m)), ("Deployment/web".to_string(), "13".to_string()));
        m.end_line = Some(20);
        assert_eq!(lines(&m), "13-20");
    }
}
