//! Severity of a record: a CVSS score computed from its vector (the `cvss` crate, v3.0/v3.1/v4.0),
//! else the word a database wrote (`database_specific.severity`, Ubuntu priorities).

use crate::model::SeverityScore;
pub use bulwark_types::{Level, Severity};

/// Scores one CVSS vector; `None` when the `cvss` crate cannot read it (e.g. CVSS v2).
pub fn cvss_score(vector: &str) -> Option<f64> {
    let parsed: cvss::Cvss = vector.trim().parse().ok()?;
    let score = parsed.score();
    (0.0..=10.0).contains(&score).then_some(score)
}

/// The severity of a record from its `severity[]` entries, else its database's word.
///
/// The newest CVSS version present wins (v4 over v3); within one version the highest score.
pub fn severity_of(scores: &[SeverityScore], database_word: Option<&str>) -> Severity {
    let mut best: Option<(u8, f64, &SeverityScore)> = None;
    for s in scores {
        let version = match s.kind.as_str() {
            "CVSS_V4" => 4,
            "CVSS_V3" => 3,
            "CVSS_V2" => 2,
            _ => continue,
        };
        let Some(score) = cvss_score(&s.score) else { continue };
        if best.is_none_or(|(v, sc, _)| (version, score) > (v, sc)) {
            best = Some((version, score, s));
        }
    }
    if let Some((_, score, s)) = best {
        return Severity {
            level: Level::from_score(score),
            score: Some(score),
            vector: Some(s.score.clone()),
            source: s.kind.clone(),
        };
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
        // CVSS v2 is not scored by the cvss crate: the database word is used.
        let v2 = [entry("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P")];
        assert_eq!(severity_of(&v2, Some("HIGH")).level, Level::High);
        assert_eq!(severity_of(&[entry("CVSS_V3", "garbage")], None), Severity::default());
    }
}
