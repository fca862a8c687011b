//! A plain-text package table: a header naming target and OS, then one Markdown-style row per package,
//! sorted by name (case-insensitively), version, type, layer and path.
//!
//! Never writes ANSI escapes: no styling is applied, and control characters (and bidi overrides)
//! inside package data are shown escaped, so a hostile package name cannot drive the terminal.

use bulwark_types::{Inventory, Level, Package};
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

/// Severity levels from the most to the least severe, as table headers count them.
pub(crate) const LEVELS: [Level; 6] =
    [Level::Critical, Level::High, Level::Medium, Level::Low, Level::Negligible, Level::Unknown];

/// `N (CRITICAL: a, HIGH: b, MEDIUM: c, LOW: d, NEGLIGIBLE: e, UNKNOWN: f)` for the given levels.
pub(crate) fn counts_line(levels: &[Level]) -> String {
    let counts: Vec<String> =
        LEVELS.iter().map(|&level| format!("{level}: {}", levels.iter().filter(|&&l| l == level).count())).collect();
    format!("{} ({})", levels.len(), counts.join(", "))
}

/// Free text as one table-safe line: whitespace runs (newlines too) become one space, `|` is
/// escaped as `\|`, control characters are escaped by [`clean`], and the result is cut to `max`
/// characters, ending in `…` when cut.
pub(crate) fn cell(s: &str, max: usize) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    };
    clean(&line).replace('|', "\\|")
}

/// Writes a Markdown-style table, one line per row, trailing blanks trimmed.
pub(crate) fn write_table(table: &comfy_table::Table, out: &mut dyn Write) -> std::io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// A table in the plain ASCII Markdown style every renderer uses: no colours, no wrapping.
pub(crate) fn plain_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN).force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(header.to_vec());
    table
}

/// `s` with control characters and bidirectional overrides written as `\u{…}` escapes.
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
    use super::*;

    #[test]
    fn clean_escapes_control_and_bidi_characters_only() {
        assert_eq!(clean("libc6"), "libc6");
        assert_eq!(clean("café"), "café");
        assert_eq!(clean("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(clean("a\nb\tc\u{7f}\u{9b}"), "a\\u{a}b\\u{9}c\\u{7f}\\u{9b}");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn cells_are_one_short_escaped_line() {
        assert_eq!(cell("a  b\n c\t", 10), "a b c");
        assert_eq!(cell("x | y", 10), "x \\| y");
        assert_eq!(cell("abcdefghijk", 5), "abcd…");
        assert_eq!(cell("\u{1b}[2J", 20), "\\u{1b}[2J");
        assert_eq!(cell("", 5), "");
    }

    #[test]
    fn counts_list_every_level_worst_first() {
        assert_eq!(
            counts_line(&[Level::Low, Level::High, Level::Low]),
            "3 (CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 2, NEGLIGIBLE: 0, UNKNOWN: 0)"
        );
    }
}
