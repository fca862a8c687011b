//! Secrets in a walk's files (every layer, deleted files included) and in image metadata.

use bulwark_image::{EntryKind, EntryMeta, ImageConfig, LayerContents, MergedView, Visitor};
use bulwark_secrets::{Scan, Scanner};
use bulwark_types::{LayerRef, SecretFinding};
use std::collections::HashSet;

/// Secret findings, and warnings about files where a rule stopped at its match bound.
#[derive(Debug, Default)]
pub struct Found {
    /// The findings, by target, line and layer.
    pub findings: Vec<SecretFinding>,
    /// One warning per file or text where rules matched more often than the scanner keeps.
    pub warnings: Vec<String>,
}

/// Hands every regular file within the scanner's size bound to the secret rules.
pub struct SecretVisitor<'a> {
    scanner: &'a Scanner,
}

impl<'a> SecretVisitor<'a> {
    /// A visitor running `scanner`.
    pub fn new(scanner: &'a Scanner) -> SecretVisitor<'a> {
        SecretVisitor { scanner }
    }
}

impl Visitor for SecretVisitor<'_> {
    type Output = Scan;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        matches!(entry.kind, EntryKind::File | EntryKind::Hardlink(_))
            && entry.size > 0
            && entry.size <= self.scanner.max_file_size()
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Scan {
        self.scanner.scan(&format!("/{}", entry.path), data)
    }
}

/// Findings of every layer (bottom first). A file a later layer deleted or replaced is still reported
/// (its bytes stay in the layer blob), flagged `deleted`, unless the same secret is visible at the same path.
pub fn in_layers(layers: &[LayerContents<Scan>], merged: &MergedView, refs: &[LayerRef]) -> Found {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        for (path, found) in &layer.outputs {
            if found.matches.is_empty() && found.capped.is_empty() {
                continue; // most files: nothing to report
            }
            let target = format!("/{path}");
            let visible = merged.is_visible(path, index);
            let place = match refs.get(index) {
                Some(layer) => format!("{target} (layer {})", layer.index),
                None => target.clone(),
            };
            warnings.extend(found.warning(&place));
            for m in &found.matches {
                let mut finding = m.to_finding(&target, refs.get(index).cloned());
                finding.deleted = !visible;
                out.push(finding);
            }
        }
    }
    // A replaced file that still carries the same secret is reported once, where it is visible.
    let visible: HashSet<String> = out.iter().filter(|f| !f.deleted).map(|f| f.fingerprint.clone()).collect();
    let mut seen = HashSet::new();
    out.retain(|f| {
        (!f.deleted || !visible.contains(&f.fingerprint))
            && seen.insert((f.fingerprint.clone(), f.layer.as_ref().map(|l| l.index), f.line))
    });
    out.sort_by(|a, b| {
        (&a.target, a.line, a.layer.as_ref().map(|l| l.index)).cmp(&(
            &b.target,
            b.line,
            b.layer.as_ref().map(|l| l.index),
        ))
    });
    Found { findings: out, warnings }
}

/// Findings in the image config: `Env` entries, labels, and history `created_by` lines (build arguments and `ENV`).
pub fn in_config(scanner: &Scanner, config: &ImageConfig) -> Found {
    let mut texts: Vec<(String, String)> = Vec::new();
    for (i, env) in config.config.env.iter().enumerate() {
        texts.push((format!("config.Env[{i}]"), env.clone()));
    }
    for (key, value) in &config.config.labels {
        texts.push((format!("config.Labels[{key}]"), format!("{key}={value}")));
    }
    for (i, step) in config.history.iter().enumerate() {
        if let Some(created_by) = &step.created_by {
            texts.push((format!("history[{i}].created_by"), created_by.clone()));
        }
    }
    let mut out = Found::default();
    for (target, text) in texts {
        let found = scanner.scan_text(&target, &text);
        out.warnings.extend(found.warning(&target));
        for m in found.matches {
            let mut finding = m.to_finding(&target, None);
            finding.line = None;
            out.findings.push(finding);
        }
    }
    out
}
