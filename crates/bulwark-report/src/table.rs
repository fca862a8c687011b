//! A plain-text package table: a header naming target and OS, then one Markdown-style row per package,
//! sorted by name (case-insensitively), version, type, layer and path.
//!
//! Never writes ANSI escapes: no styling is applied, and control characters (and bidi overrides)
//! inside package data are shown escaped, so a hostile package name cannot drive the terminal.

use bulwark_types::{Inventory, Package};
use comfy_table::{presets, ContentArrangement, Table};
use std::io::Write;

/// Writes the header lines and the table (or `No packages found.`).
pub fn render(inv: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Target:   {}", target_line(inv))?;
    writeln!(out, "OS:       {}", os_line(inv))?;
    writeln!(out, "Packages: {}", inv.packages.len())?;
    if inv.packages.is_empty() {
        return writeln!(out, "\nNo packages found.");
    }

    let mut rows: Vec<&Package> = inv.packages.iter().collect();
    rows.sort_by_cached_key(|p| {
        let layer = p.layer.as_ref().map(|l| l.index);
        (p.name.to_lowercase(), p.name.clone(), p.version.clone(), p.kind, layer, p.locations.first().cloned())
    });
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN).force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(vec!["NAME", "VERSION", "TYPE", "ECOSYSTEM", "LAYER", "PATH"]);
    for p in rows {
        table.add_row(vec![
            clean(&p.name),
            clean(&p.version),
            p.kind.as_str().to_string(),
            clean(&p.ecosystem),
            p.layer.as_ref().map(|l| l.index.to_string()).unwrap_or_else(|| "-".to_string()),
            p.locations.first().map(|l| clean(l)).unwrap_or_default(),
        ]);
    }
    writeln!(out)?;
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `s` with control characters and bidirectional overrides written as `\u{…}` escapes.
/// The scanned reference and its manifest digest, for table headers.
pub(crate) fn target_line(inv: &Inventory) -> String {
    let mut target = clean(&inv.target.reference);
    if let Some(d) = &inv.target.manifest_digest {
        target.push_str(&format!(" ({})", clean(d)));
    }
    target
}

/// The identified OS, for table headers.
pub(crate) fn os_line(inv: &Inventory) -> String {
    match &inv.os {
        Some(os) if !os.pretty_name.is_empty() => clean(&os.pretty_name),
        Some(os) => clean(&format!("{} {}", os.id, os.version_id)),
        None => "unknown".to_string(),
    }
}

pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_escapes_control_and_bidi_characters_only() {
        assert_eq!(clean("libc6"), "libc6");
        assert_eq!(clean("café"), "café");
        assert_eq!(clean("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(clean("a\nb\tc\u{7f}\u{9b}"), "a\\u{a}b\\u{9}c\\u{7f}\\u{9b}");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
    }
}
