//! Sorting declared licence strings into SPDX ids, SPDX expressions and free text.

use spdx::{LicenseItem, ParseMode};
use std::sync::OnceLock;

/// Licence ids the CycloneDX 1.6 schema accepts in `license.id` (the enum of its `spdx.schema.json`,
/// SPDX licence list 3.28), one per line, sorted byte-wise.
const CYCLONEDX_IDS: &str = include_str!("cyclonedx-license-ids.txt");

/// Longer strings are licence texts, not identifiers: never parsed as expressions.
const MAX_EXPRESSION_LEN: usize = 512;

/// What a declared licence string is, in SPDX terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Licence<'a> {
    /// Exactly one SPDX licence id from the licence list, e.g. `MIT`.
    Id(&'a str),
    /// A valid SPDX licence expression that is not a bare id, e.g. `MIT OR Apache-2.0`.
    /// `refs` are the `LicenseRef-…` ids it mentions (without the prefix).
    Expression { text: &'a str, refs: Vec<String> },
    /// Anything else, e.g. `BSD`, `Apache 2.0`, `BSD or Apache License, Version 2.0`.
    Other(&'a str),
}

/// How SPDX expressions are parsed: the spec's syntax, deprecated ids accepted, nothing guessed.
const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: false,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Classifies one declared licence string (already trimmed, non-empty).
pub fn classify(s: &str) -> Licence<'_> {
    if s.len() > MAX_EXPRESSION_LEN {
        return Licence::Other(s);
    }
    if spdx::license_id(s).is_some_and(|id| id.name == s) {
        return Licence::Id(s);
    }
    let Ok(expr) = spdx::Expression::parse_mode(s, MODE) else {
        return Licence::Other(s);
    };
    let mut refs = Vec::new();
    for req in expr.requirements() {
        match &req.req.license {
            LicenseItem::Spdx { .. } => {}
            // SPDX 2.3 documents can only resolve DocumentRef- through externalDocumentRefs, which we do not write.
            LicenseItem::Other(r) if r.doc_ref.is_some() => return Licence::Other(s),
            LicenseItem::Other(r) => refs.push(r.lic_ref.clone()),
        }
        // `AdditionRef-` is SPDX 3 only.
        if matches!(req.req.addition, Some(spdx::AdditionItem::Other(_))) {
            return Licence::Other(s);
        }
    }
    Licence::Expression { text: s, refs }
}

/// Whether `id` may be written as a CycloneDX 1.6 `license.id`.
pub fn is_cyclonedx_id(id: &str) -> bool {
    static IDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    IDS.get_or_init(|| CYCLONEDX_IDS.lines().collect()).binary_search(&id).is_ok()
}

/// The declared licences of a package, trimmed, empty strings dropped, duplicates removed (first kept).
pub fn declared(licenses: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for l in licenses.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_free_text() {
        let expr = |text: &'static str, refs: &[&str]| Licence::Expression {
            text,
            refs: refs.iter().map(|r| r.to_string()).collect(),
        };
        let cases = [
            ("MIT", Licence::Id("MIT")),
            ("BSD-3-Clause", Licence::Id("BSD-3-Clause")),
            ("GPL-2.0", Licence::Id("GPL-2.0")),
            ("MIT OR Apache-2.0", expr("MIT OR Apache-2.0", &[])),
            ("(MIT AND BSD-3-Clause)", expr("(MIT AND BSD-3-Clause)", &[])),
            (
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                expr("GPL-2.0-or-later WITH Classpath-exception-2.0", &[]),
            ),
            ("Apache-2.0+", expr("Apache-2.0+", &[])),
            ("LicenseRef-Proprietary", expr("LicenseRef-Proprietary", &["Proprietary"])),
            ("DocumentRef-x:LicenseRef-y", Licence::Other("DocumentRef-x:LicenseRef-y")),
            ("BSD", Licence::Other("BSD")),
            ("Apache 2.0", Licence::Other("Apache 2.0")),
            ("mit", Licence::Other("mit")),
            ("MIT/Apache-2.0", Licence::Other("MIT/Apache-2.0")),
            ("BSD or Apache License, Version 2.0", Licence::Other("BSD or Apache License, Version 2.0")),
            // A valid expression ("MIT or later") even though it is not a bare id.
            ("MIT+", expr("MIT+", &[])),
        ];
        for (input, want) in cases {
            assert_eq!(classify(input), want, "{input}");
        }
        let long = "MIT ".repeat(200);
        assert_eq!(classify(long.trim()), Licence::Other(long.trim()));
    }

    #[test]
    fn cyclonedx_ids_are_sorted_and_known() {
        let ids: Vec<&str> = CYCLONEDX_IDS.lines().collect();
        assert!(ids.len() > 700, "{}", ids.len());
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(is_cyclonedx_id("MIT") && is_cyclonedx_id("Apache-2.0") && is_cyclonedx_id("0BSD"));
        assert!(!is_cyclonedx_id("mit") && !is_cyclonedx_id("BSD") && !is_cyclonedx_id(""));
    }

    #[test]
    fn declared_trims_and_deduplicates() {
        let input = vec![" MIT ".to_string(), String::new(), "MIT".into(), "BSD".into()];
        assert_eq!(declared(&input), vec!["MIT", "BSD"]);
    }
}
