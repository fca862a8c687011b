//! The order of findings by risk, and the sentence that explains each finding's place.
//!
//! Order: severity level (worst first), then CVSS score, then listed in CISA KEV before not listed,
//! then EPSS score (highest first), then id, then package index (so the order is total).

use bulwark_types::Finding;
use std::cmp::Ordering;

/// Orders two findings most urgent first (use with `sort_by`).
pub fn compare(a: &Finding, b: &Finding) -> Ordering {
    let score = |f: &Finding| f.severity.score.unwrap_or(f64::NEG_INFINITY);
    let epss = |f: &Finding| f.epss.as_ref().map_or(f64::NEG_INFINITY, |e| e.score);
    b.severity
        .level
        .cmp(&a.severity.level)
        .then_with(|| score(b).total_cmp(&score(a)))
        .then_with(|| b.kev.is_some().cmp(&a.kev.is_some()))
        .then_with(|| epss(b).total_cmp(&epss(a)))
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.package.cmp(&b.package))
}

/// Why `finding` ranks where it does, e.g.
/// `CRITICAL (CVSS 9.8); in CISA KEV since 2023-03-30; EPSS 0.94 (99th percentile)`.
pub fn risk_text(finding: &Finding) -> String {
    let severity = &finding.severity;
    let mut out = match severity.score {
        Some(score) => format!("{} (CVSS {score:.1})", severity.level),
        None if severity.level == bulwark_types::Level::Unknown => "UNKNOWN (no severity in the database)".to_string(),
        None => format!("{} (database severity)", severity.level),
    };
    if let Some(kev) = &finding.kev {
        out.push_str("; in CISA KEV since ");
        out.push_str(if kev.date_added.is_empty() { "an unknown date" } else { &kev.date_added });
        if kev.ransomware {
            out.push_str(", used in ransomware campaigns");
        }
    }
    if let Some(epss) = &finding.epss {
        out.push_str(&format!("; EPSS {} ({} percentile)", probability(epss.score), ordinal(epss.percentile)));
    }
    if finding.kev.is_none() && finding.epss.is_none() {
        out.push_str("; no exploitation data");
    }
    out
}

/// A probability with two decimals, or enough digits to not print zero for a tiny one.
fn probability(p: f64) -> String {
    if !p.is_finite() {
        return "unknown".to_string();
    }
    if p >= 0.01 || p <= 0.0 {
        return format!("{p:.2}");
    }
    if p < 0.000_01 {
        return "<0.00001".to_string();
    }
    format!("{p:.5}").trim_end_matches('0').to_string()
}

/// `0.993` → `99th`, `0.42` → `42nd`, `0.111` → `11th`.
fn ordinal(percentile: f64) -> String {
    let n = if percentile.is_finite() { (percentile * 100.0 + 1e-9).floor().clamp(0.0, 100.0) as u32 } else { 0 };
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::{ordinal, probability};

    #[test]
    fn numbers_read_naturally() {
        let ordinals = [
            (0.993, "99th"),
            (0.42, "42nd"),
            (0.111, "11th"),
            (0.01, "1st"),
            (0.23, "23rd"),
            (0.29, "29th"),
            (1.0, "100th"),
        ];
        for (p, want) in ordinals {
            assert_eq!(ordinal(p), want);
        }
        assert_eq!(ordinal(f64::NAN), "0th");
        assert_eq!(probability(0.94345), "0.94");
        assert_eq!(probability(0.00043), "0.00043");
        assert_eq!(probability(0.0), "0.00");
        assert_eq!(probability(0.000_000_1), "<0.00001");
    }
}
