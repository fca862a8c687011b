//! Severity of a record: a CVSS score computed from its vector (the `cvss` crate for v3.0/v3.1/v4.0,
//! [`cvss_v2`] for v2, which that crate cannot score), else the word a database wrote
//! (`database_specific.severity`, Ubuntu priorities).

use crate::model::SeverityScore;
pub use bulwark_types::{Level, Severity};

/// Scores one CVSS vector (v2, v3.0, v3.1 or v4.0); `None` when it cannot be read.
pub fn cvss_score(vector: &str) -> Option<f64> {
    let vector = vector.trim();
    if let Ok(parsed) = vector.parse::<cvss::Cvss>() {
        let score = parsed.score();
        return (0.0..=10.0).contains(&score).then_some(score);
    }
    cvss_v2(vector).map(|v| v.base)
}

/// The scores of a CVSS v2 base vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvssV2 {
    /// Base score, 0.0–10.0, rounded to one decimal.
    pub base: f64,
    /// Impact subscore, rounded to one decimal.
    pub impact: f64,
    /// Exploitability subscore, rounded to one decimal.
    pub exploitability: f64,
}

/// Base metric weights from the CVSS v2 specification (section 3.2.1), in equation order.
const V2_BASE: [(&str, &[(&str, f64)]); 6] = [
    ("AV", &[("L", 0.395), ("A", 0.646), ("N", 1.0)]),
    ("AC", &[("H", 0.35), ("M", 0.61), ("L", 0.71)]),
    ("Au", &[("M", 0.45), ("S", 0.56), ("N", 0.704)]),
    ("C", &[("N", 0.0), ("P", 0.275), ("C", 0.660)]),
    ("I", &[("N", 0.0), ("P", 0.275), ("C", 0.660)]),
    ("A", &[("N", 0.0), ("P", 0.275), ("C", 0.660)]),
];

/// Temporal and environmental metrics a v2 vector may carry after the base metrics (not part of the base score).
const V2_OTHER: [(&str, &[&str]); 8] = [
    ("E", &["U", "POC", "F", "H", "ND"]),
    ("RL", &["OF", "TF", "W", "U", "ND"]),
    ("RC", &["UC", "UR", "C", "ND"]),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    ("TD", &["N", "L", "M", "H", "ND"]),
    ("CR", &["L", "M", "H", "ND"]),
    ("IR", &["L", "M", "H", "ND"]),
    ("AR", &["L", "M", "H", "ND"]),
];

/// Scores a CVSS v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in parentheses or after `CVSS:2.0/`,
/// optionally followed by temporal/environmental metrics) with the v2 base equations; `None` when malformed.
pub fn cvss_v2(vector: &str) -> Option<CvssV2> {
    let v = vector.trim();
    let v = v.strip_prefix('(').and_then(|v| v.strip_suffix(')')).unwrap_or(v);
    let v = v.strip_prefix("CVSS:2.0/").unwrap_or(v);
    let mut weights: [Option<f64>; 6] = [None; 6];
    let mut other_seen = [false; 8];
    for part in v.split('/') {
        let (key, value) = part.split_once(':')?;
        if let Some(i) = V2_BASE.iter().position(|(k, _)| *k == key) {
            let (_, table) = V2_BASE[i];
            let w = table.iter().find(|(name, _)| *name == value)?.1;
            if weights[i].replace(w).is_some() {
                return None;
            }
        } else {
            let i = V2_OTHER.iter().position(|(k, _)| *k == key)?;
            if !V2_OTHER[i].1.contains(&value) || std::mem::replace(&mut other_seen[i], true) {
                return None;
            }
        }
    }
    let [av, ac, au, c, i, a] = weights;
    let (av, ac, au, c, i, a) = (av?, ac?, au?, c?, i?, a?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Some(CvssV2 { base: round1(base).clamp(0.0, 10.0), impact: round1(impact), exploitability: round1(exploitability) })
}

/// Rounds to one decimal, half away from zero, absorbing binary floating-point error first.
fn round1(x: f64) -> f64 {
    ((x * 10.0 * 1e6).round() / 1e6).round() / 10.0
}

/// The NVD's qualitative rating of a CVSS v2 score (v2 has no "critical": 7.0–10.0 is high).
fn level_v2(score: f64) -> Level {
    match score {
        s if s >= 7.0 => Level::High,
        s if s >= 4.0 => Level::Medium,
        s if s > 0.0 => Level::Low,
        _ => Level::Negligible,
    }
}

/// The severity of a record from its `severity[]` entries, else its database's word.
///
/// The newest CVSS version present wins (v4 over v3 over v2); within one version the highest score.
pub fn severity_of(scores: &[SeverityScore], database_word: Option<&str>) -> Severity {
    let mut best: Option<(u8, f64, &SeverityScore)> = None;
    for s in scores {
        let (version, score) = match s.kind.as_str() {
            "CVSS_V4" => (4, cvss_score(&s.score)),
            "CVSS_V3" => (3, cvss_score(&s.score)),
            "CVSS_V2" => (2, cvss_v2(&s.score).map(|v| v.base)),
            _ => continue,
        };
        let Some(score) = score else { continue };
        if best.is_none_or(|(v, sc, _)| (version, score) > (v, sc)) {
            best = Some((version, score, s));
        }
    }
    if let Some((version, score, s)) = best {
        let level = if version == 2 { level_v2(score) } else { Level::from_score(score) };
        return Severity { level, score: Some(score), vector: Some(s.score.clone()), source: s.kind.clone() };
    }
    if let Some(word) = database_word {
        let level = Level::from_word(word);
        if level != Level::Unknown {
            return Severity { level, score: None, vector: None, source: "database_specific".into() };
        }
    }
    for s in scores {
        let level = Level::from_word(&s.score);
        if level != Level::Unknown {
            return Severity { level, score: None, vector: None, source: s.kind.clone() };
        }
    }
    Severity::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, score: &str) -> SeverityScore {
        SeverityScore { kind: kind.into(), score: score.into() }
    }

    #[test]
    fn cvss_vectors_score_like_the_nvd_calculator() {
        // CVE-2023-0286 (Ubuntu record): NVD gives 7.4 HIGH.
        let s = severity_of(&[entry("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H")], None);
        assert_eq!((s.level, s.score), (Level::High, Some(7.4)));
        // v4 wins over v3 when both are present.
        let both = [
            entry("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            entry("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"),
        ];
        let s = severity_of(&both, Some("CRITICAL"));
        assert_eq!(s.source, "CVSS_V4");
        assert_eq!(s.level, Level::Medium);
    }

    #[test]
    fn words_are_the_fallback() {
        assert_eq!(severity_of(&[], Some("MODERATE")).level, Level::Medium);
        assert_eq!(severity_of(&[], Some("moderate")).level, Level::Medium);
        assert_eq!(severity_of(&[entry("Ubuntu", "negligible")], None).level, Level::Negligible);
        assert_eq!(severity_of(&[entry("CVSS_V3", "garbage")], None), Severity::default());
        // An unreadable v2 vector falls back to the word too.
        assert_eq!(severity_of(&[entry("CVSS_V2", "AV:N/AC:L")], Some("HIGH")).level, Level::High);
    }

    /// (CVE, NVD's v2 vector, NVD's base score, impact subscore, exploitability subscore), copied from the
    /// `cvssMetricV2` entries of the NVD records in fkie-cad/nvd-json-data-feeds (see tests/data/enrich/README.md).
    const NVD_V2: [(&str, &str, f64, f64, f64); 12] = [
        ("CVE-2018-18074", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, 2.9, 10.0),
        ("CVE-2019-10906", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, 2.9, 10.0),
        ("CVE-2016-5195", "AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2, 10.0, 3.9),
        ("CVE-2017-1000251", "AV:A/AC:L/Au:S/C:C/I:C/A:C", 7.7, 10.0, 5.1),
        ("CVE-2014-6271", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, 10.0, 10.0),
        ("CVE-2019-12308", "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, 2.9, 8.6),
        ("CVE-2021-33503", "AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0, 2.9, 10.0),
        ("CVE-2012-2122", "AV:N/AC:H/Au:N/C:P/I:P/A:P", 5.1, 6.4, 4.9),
        ("CVE-2020-1747", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, 10.0, 10.0),
        ("CVE-2019-14287", "AV:N/AC:L/Au:S/C:C/I:C/A:C", 9.0, 10.0, 8.0),
        ("CVE-2014-0224", "AV:N/AC:M/Au:N/C:P/I:P/A:N", 5.8, 4.9, 8.6),
        ("CVE-2019-11236", "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, 2.9, 8.6),
    ];

    #[test]
    fn cvss_v2_matches_nvd_published_scores() {
        for (cve, vector, base, impact, exploitability) in NVD_V2 {
            let got = cvss_v2(vector).unwrap_or_else(|| panic!("{cve}: {vector} unreadable"));
            assert_eq!((got.base, got.impact, got.exploitability), (base, impact, exploitability), "{cve} {vector}");
            let s = severity_of(&[entry("CVSS_V2", vector)], None);
            assert_eq!((s.score, s.source.as_str()), (Some(base), "CVSS_V2"), "{cve}");
        }
    }

    #[test]
    fn cvss_v2_levels_follow_nvd_bands_and_lose_to_v3() {
        // NVD rates CVE-2014-6271's v2 10.0 HIGH (v2 has no critical band) and CVE-2019-12308's 4.3 MEDIUM.
        assert_eq!(severity_of(&[entry("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C")], None).level, Level::High);
        assert_eq!(severity_of(&[entry("CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N")], None).level, Level::Medium);
        assert_eq!(severity_of(&[entry("CVSS_V2", "AV:L/AC:H/Au:M/C:N/I:N/A:P")], None).level, Level::Low);
        // CVE-2019-10906: v3.1 8.6 wins over v2 5.0.
        let both = [
            entry("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:N/A:N"),
            entry("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N"),
        ];
        let s = severity_of(&both, None);
        assert_eq!((s.level, s.score, s.source.as_str()), (Level::High, Some(8.6), "CVSS_V3"));
    }

    #[test]
    fn cvss_v2_vector_forms() {
        let plain = cvss_v2("AV:N/AC:L/Au:N/C:P/I:P/A:P").map(|v| v.base);
        assert_eq!(plain, Some(7.5));
        assert_eq!(cvss_v2("(AV:N/AC:L/Au:N/C:P/I:P/A:P)").map(|v| v.base), plain);
        assert_eq!(cvss_v2("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P").map(|v| v.base), plain);
        // Temporal metrics are allowed and do not change the base score.
        assert_eq!(cvss_v2("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C").map(|v| v.base), plain);
        assert_eq!(cvss_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(7.5));
        for bad in [
            "",
            "AV:N/AC:L/Au:N/C:P/I:P",
            "AV:N/AC:L/Au:N/C:P/I:P/A:X",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P/AV:L",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/E:F",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P/XX:Y",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P/",
            "av:n/ac:l/au:n/c:p/i:p/a:p",
        ] {
            assert_eq!(cvss_v2(bad), None, "{bad:?}");
        }
    }
}
