//! The secrets section of the report table: a count per severity, then one row per secret in the
//! report's order with its severity, rule, place (`target:line`), layer (or `config` for image
//! metadata), notes (deleted in a later layer, documented example value) and the redacted match.
//!
//! Only the redacted text is ever shown; the finding holds no raw value to leak.

use crate::table::{cell, counts_line, plain_table, write_table};
use bulwark_types::{Level, SecretFinding};
use std::io::Write;

/// Longest SECRET cell, in characters.
const MAX_RULE: usize = 60;
/// Longest WHERE cell, in characters.
const MAX_WHERE: usize = 80;
/// Longest MATCH cell, in characters (redacted lines of minified files can be long).
const MAX_MATCH: usize = 80;

/// Writes the section: a blank line, the count line and the table, or `No secrets found.`.
pub fn render(secrets: &[SecretFinding], out: &mut dyn Write) -> std::io::Result<()> {
    if secrets.is_empty() {
        return writeln!(out, "\nNo secrets found.");
    }
    let levels: Vec<Level> = secrets.iter().map(|s| s.severity).collect();
    writeln!(out, "\nSecrets:    {}", counts_line(&levels))?;
    let mut table = plain_table(&["SEVERITY", "SECRET", "WHERE", "LAYER", "NOTE", "MATCH"]);
    for s in secrets {
        table.add_row(vec![
            s.severity.to_string(),
            cell(&format!("{} ({})", s.title, s.rule_id), MAX_RULE),
            cell(&place(s), MAX_WHERE),
            layer_cell(s),
            note(s),
            match_cell(&s.redacted),
        ]);
    }
    writeln!(out)?;
    write_table(&table, out)
}

/// The redacted match on one line; a long one is cut around its first masked character, so the
/// mask stays visible (`…DB_PASSWORD=****`).
fn match_cell(redacted: &str) -> String {
    let line = redacted.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = line.chars().collect();
    let mask = chars.iter().position(|&c| c == '*').unwrap_or(0);
    if chars.len() <= MAX_MATCH || mask < MAX_MATCH / 2 {
        return cell(&line, MAX_MATCH);
    }
    // Keep a third of the width as context before the mask; `…` marks each cut end.
    let start = (mask - MAX_MATCH / 3).min(chars.len().saturating_sub(MAX_MATCH - 1));
    let window: String = chars.iter().skip(start).collect();
    cell(&format!("…{window}"), MAX_MATCH)
}

/// Whether a secret target names image metadata (`config.Env[1]`, `history[7].created_by`) rather than a file.
pub(crate) fn is_metadata(s: &SecretFinding) -> bool {
    s.layer.is_none()
        && (s.target.starts_with("history[")
            || s.target.strip_prefix("config.").is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase())))
}

/// `target:line`, or the target alone when it has no line.
fn place(s: &SecretFinding) -> String {
    match s.line {
        Some(line) => format!("{}:{line}", s.target),
        None => s.target.clone(),
    }
}

/// The layer index, `config` for image metadata, `-` otherwise (directories).
fn layer_cell(s: &SecretFinding) -> String {
    match &s.layer {
        Some(layer) => layer.index.to_string(),
        None if is_metadata(s) => "config".to_string(),
        None => "-".to_string(),
    }
}

/// What the user must know beyond the match: the file is gone from the final image but still in
/// its layer, or the value is a documented example.
pub(crate) fn notes(s: &SecretFinding) -> Vec<String> {
    let mut notes = Vec::new();
    if s.deleted {
        notes.push(match &s.layer {
            Some(layer) => format!("deleted in a later layer — still in layer {}", layer.index),
            None => "deleted in a later layer".to_string(),
        });
    }
    if s.example {
        notes.push("example value".to_string());
    }
    notes
}

/// The NOTE cell: the notes joined by `; `, or `—`.
fn note(s: &SecretFinding) -> String {
    let notes = notes(s);
    if notes.is_empty() {
        "—".to_string()
    } else {
        notes.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_types::LayerRef;

    fn secret(target: &str, layer: Option<usize>) -> SecretFinding {
        SecretFinding {
            rule_id: "r".into(),
            category: "c".into(),
            title: "t".into(),
            severity: Level::High,
            target: target.into(),
            line: None,
            layer: layer.map(|index| LayerRef { index, digest: "sha256:ab".into(), diff_id: None }),
            deleted: false,
            redacted: "x=***".into(),
            example: false,
            fingerprint: "00".into(),
        }
    }

    #[test]
    fn long_matches_keep_the_mask_in_view() {
        assert_eq!(match_cell("TOKEN=****"), "TOKEN=****");
        let path = "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        let long = format!("ENV PATH={path} DB_PASSWORD={}", "*".repeat(24));
        let got = match_cell(&long);
        assert!(got.starts_with('…') && got.ends_with(&"*".repeat(24)), "{got}");
        assert_eq!(got.chars().count(), MAX_MATCH);
        let tail = format!("{} x", "*".repeat(200));
        let got = match_cell(&format!("{}{tail}", "a".repeat(100)));
        assert!(got.starts_with('…') && got.ends_with('…') && got.contains("a***"), "{got}");
        assert_eq!(got.chars().count(), MAX_MATCH);
        let early = format!("KEY={}", "*".repeat(200));
        assert!(match_cell(&early).starts_with("KEY=***") && match_cell(&early).ends_with('…'));
    }

    #[test]
    fn metadata_targets_are_told_from_files() {
        let cases = [
            ("config.Env[1]", None, true, "config"),
            ("config.Labels[\"token\"]", None, true, "config"),
            ("history[7].created_by", None, true, "config"),
            ("config.env", None, false, "-"),
            ("config.Env[1]", Some(3), false, "3"),
            ("/app/config/.env", Some(5), false, "5"),
            ("src/settings.py", None, false, "-"),
        ];
        for (target, layer, meta, cell) in cases {
            let s = secret(target, layer);
            assert_eq!(is_metadata(&s), meta, "{target}");
            assert_eq!(layer_cell(&s), cell, "{target}");
        }
    }

    #[test]
    fn notes_name_the_layer_that_still_holds_a_deleted_file() {
        let mut s = secret("/app/old-credentials.txt", Some(5));
        assert_eq!(note(&s), "—");
        s.deleted = true;
        assert_eq!(note(&s), "deleted in a later layer — still in layer 5");
        s.example = true;
        assert_eq!(note(&s), "deleted in a later layer — still in layer 5; example value");
        s.layer = None;
        s.example = false;
        assert_eq!(note(&s), "deleted in a later layer");
    }
}
