//! The report as plain text: a header (target, OS, database, counts per severity, suppressed
//! count, warnings), one Markdown-style row per vulnerability finding in the report's order, then
//! the secrets and misconfigurations sections when those scanners ran.
//!
//! A report whose `scanners` list is empty is a vulnerability-only report (as written before the
//! list existed). Sections whose scanner did not run are left out, unless they hold findings.
//! Like the package table it never writes ANSI escapes and shows control characters escaped.

use crate::table::{clean, counts_line, os_line, plain_table, target_line, write_table};
use crate::{misconfig_table, secret_table};
use bulwark_types::{Finding, Level, ScanReport};
use std::collections::BTreeMap;
use std::io::Write;

/// Longest TITLE shown, in characters; longer summaries are cut and end in `…`.
const MAX_TITLE: usize = 60;

/// Writes the header, then each section whose scanner ran.
pub fn render(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    let inv = &report.inventory;
    let vuln = ran(report, "vuln") || !report.findings.is_empty() || !report.suppressed.is_empty();
    writeln!(out, "Target:     {}", target_line(inv))?;
    if vuln || inv.os.is_some() {
        writeln!(out, "OS:         {}", os_line(inv))?;
    }
    if vuln {
        writeln!(out, "Database:   {}", database_line(report))?;
        writeln!(out, "Packages:   {}", inv.packages.len())?;
        let levels: Vec<Level> = report.findings.iter().map(|f| f.severity.level).collect();
        writeln!(out, "Findings:   {}", counts_line(&levels))?;
        writeln!(out, "Suppressed: {}", suppressed_line(report))?;
    }
    for w in &report.warnings {
        writeln!(out, "Warning:    {}", clean(w))?;
    }
    if vuln {
        vulnerabilities(report, out)?;
    }
    if ran(report, "secret") || !report.secrets.is_empty() {
        secret_table::render(&report.secrets, out)?;
        hidden(report.suppressed_secrets.len(), "secret", out)?;
    }
    if ran(report, "misconfig") || !report.misconfigurations.is_empty() {
        misconfig_table::render(&report.misconfigurations, out)?;
        hidden(report.suppressed_misconfigurations.len(), "misconfiguration", out)?;
    }
    Ok(())
}

/// One line saying how many findings an ignore file hid (nothing when none was).
fn hidden(count: usize, what: &str, out: &mut dyn Write) -> std::io::Result<()> {
    match count {
        0 => Ok(()),
        1 => writeln!(out, "1 {what} suppressed by the ignore file (listed in the JSON report)."),
        n => writeln!(out, "{n} {what}s suppressed by the ignore file (listed in the JSON report)."),
    }
}

/// Whether `scanner` ran: listed in `scanners`, or (`vuln` only) the list is empty.
fn ran(report: &ScanReport, scanner: &str) -> bool {
    if report.scanners.is_empty() {
        return scanner == "vuln";
    }
    report.scanners.iter().any(|s| s == scanner)
}

/// The findings table, or `No vulnerabilities found.`.
fn vulnerabilities(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    if report.findings.is_empty() {
        return writeln!(out, "\nNo vulnerabilities found.");
    }
    let inv = &report.inventory;
    let mut table =
        plain_table(&["PACKAGE", "VULNERABILITY", "SEVERITY", "INSTALLED", "FIXED", "TYPE", "TITLE", "WHY"]);
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
    write_table(&table, out)
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
