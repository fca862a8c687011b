//! A plain-text findings table: a header (target, OS, database, counts per severity, suppressed
//! count, warnings), then one Markdown-style row per finding in the report's order.
//!
//! Like the package table it never writes ANSI escapes and shows control characters escaped.

use crate::table::{clean, os_line, target_line};
use bulwark_types::{Finding, Level, ScanReport};
use comfy_table::{presets, ContentArrangement, Table};
use std::collections::BTreeMap;
use std::io::Write;

/// Longest TITLE shown, in characters; longer summaries are cut and end in `…`.
const MAX_TITLE: usize = 60;

/// Severity levels from the most to the least severe, as the header counts them.
const LEVELS: [Level; 6] = [Level::Critical, Level::High, Level::Medium, Level::Low, Level::Negligible, Level::Unknown];

/// Writes the header and the findings table (or `No vulnerabilities found.`).
pub fn render(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    let inv = &report.inventory;
    writeln!(out, "Target:     {}", target_line(inv))?;
    writeln!(out, "OS:         {}", os_line(inv))?;
    writeln!(out, "Database:   {}", database_line(report))?;
    writeln!(out, "Packages:   {}", inv.packages.len())?;
    writeln!(out, "Findings:   {}", counts_line(&report.findings))?;
    writeln!(out, "Suppressed: {}", suppressed_line(report))?;
    for w in &report.warnings {
        writeln!(out, "Warning:    {}", clean(w))?;
    }
    if report.findings.is_empty() {
        return writeln!(out, "\nNo vulnerabilities found.");
    }

    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN).force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(vec!["PACKAGE", "VULNERABILITY", "SEVERITY", "INSTALLED", "FIXED", "TYPE", "TITLE", "WHY"]);
    for f in &report.findings {
        let pkg = inv.packages.get(f.package);
        table.add_row(vec![
            pkg.map(|p| clean(&p.name)).unwrap_or_else(|| format!("package #{}", f.package)),
            clean(&f.id),
            severity_cell(f),
            pkg.map(|p| clean(&p.version)).unwrap_or_default(),
            if f.fixed.is_empty() { "—".to_string() } else { clean(&f.fixed.join(", ")) },
            pkg.map(|p| p.kind.as_str().to_string()).unwrap_or_default(),
            title(&f.summary),
            if f.risk.is_empty() { "—".to_string() } else { clean(&f.risk) },
        ]);
    }
    writeln!(out)?;
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `path (N records, newest …, updated …)`, or `none`.
fn database_line(report: &ScanReport) -> String {
    let Some(db) = &report.database else { return "none".to_string() };
    let mut facts = vec![format!("{} records", db.records)];
    if !db.newest_modified.is_empty() {
        facts.push(format!("newest {}", clean(&db.newest_modified)));
    }
    if !db.updated.is_empty() {
        facts.push(format!("updated {}", clean(&db.updated)));
    }
    format!("{} ({})", clean(&db.path), facts.join(", "))
}

/// `N (CRITICAL: a, HIGH: b, MEDIUM: c, LOW: d, NEGLIGIBLE: e, UNKNOWN: f)`.
fn counts_line(findings: &[Finding]) -> String {
    let counts: Vec<String> = LEVELS
        .iter()
        .map(|&level| format!("{level}: {}", findings.iter().filter(|f| f.severity.level == level).count()))
        .collect();
    format!("{} ({})", findings.len(), counts.join(", "))
}

/// `N`, followed by the count per suppressor (`ignore-file: 1, vex: 2`) when there are any.
fn suppressed_line(report: &ScanReport) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &report.suppressed {
        *by.entry(s.by.as_str()).or_default() += 1;
    }
    if by.is_empty() {
        return "0".to_string();
    }
    let parts: Vec<String> = by.iter().map(|(k, n)| format!("{}: {n}", clean(k))).collect();
    format!("{} ({})", report.suppressed.len(), parts.join(", "))
}

/// `HIGH (7.5)`, or the level alone when no score is known.
fn severity_cell(f: &Finding) -> String {
    match f.severity.score {
        Some(score) if score.is_finite() => format!("{} ({score:.1})", f.severity.level),
        _ => f.severity.level.to_string(),
    }
}

/// The summary's first line, cut to [`MAX_TITLE`] characters.
fn title(summary: &str) -> String {
    let line = summary.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= MAX_TITLE {
        return clean(line);
    }
    let cut: String = line.chars().take(MAX_TITLE - 1).collect();
    format!("{}…", clean(cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_short_line() {
        assert_eq!(title("Short summary"), "Short summary");
        assert_eq!(title("first line\nsecond line"), "first line");
        let long = "é".repeat(100);
        let t = title(&long);
        assert_eq!(t.chars().count(), MAX_TITLE);
        assert!(t.ends_with('…'));
        assert_eq!(title("\u{1b}[31mred"), "\\u{1b}[31mred");
    }
}
