//! Unit tests that need the private secret value: every built-in rule's examples and negatives,
//! redaction, fingerprints.

use crate::{Scanner, SecretConfig};
use sha2::{Digest, Sha256};

fn scanner() -> Scanner {
    match Scanner::builtin() {
        Ok(s) => s,
        Err(e) => panic!("built-in rules: {e}"),
    }
}

#[test]
fn rule_set_is_large_and_well_formed() {
    let s = scanner();
    let rules = s.rules();
    let categories: std::collections::HashSet<&str> = rules.iter().map(|r| r.category.as_str()).collect();
    assert!(rules.len() >= 90, "{} rules", rules.len());
    assert!(categories.len() >= 80, "{} categories", categories.len());
    for r in rules {
        assert!(!r.keywords.is_empty(), "{} has no keywords", r.id);
        assert!(r.keywords.iter().all(|k| *k == k.to_lowercase()), "{}: keywords must be lower-case", r.id);
        assert!(!r.examples.is_empty() && !r.negatives.is_empty(), "{} needs examples and negatives", r.id);
        assert!(!r.title.is_empty() && !r.category.is_empty(), "{}", r.id);
    }
}

/// Every positive example is found by exactly its rule, the value is in the text and absent from
/// the redacted line; every negative is not found by its rule.
#[test]
fn every_rule_example_and_negative() {
    let s = scanner();
    let mut failures = Vec::new();
    for rule in s.rules() {
        for (n, example) in rule.examples.iter().enumerate() {
            let found = s.scan_example(example);
            let ids: Vec<&str> = found.iter().map(|m| m.rule_id.as_str()).collect();
            if ids != [rule.id.as_str()] {
                failures.push(format!("{} example {}: found {:?}", rule.id, n + 1, ids));
                continue;
            }
            let m = &found[0];
            if !example.contains(&m.secret) || m.secret.len() < 6 {
                failures.push(format!("{} example {}: odd secret span", rule.id, n + 1));
            }
            if m.redacted.contains(&m.secret) || !m.redacted.contains("****") {
                failures.push(format!("{} example {}: redaction leaks or is missing: {}", rule.id, n + 1, m.redacted));
            }
            let kept = m.redacted.split("****").next().unwrap_or_default();
            if kept.len() > example.len() {
                failures.push(format!("{} example {}: redacted line longer than input", rule.id, n + 1));
            }
        }
        for (n, negative) in rule.negatives.iter().enumerate() {
            let found = s.scan_example(negative);
            if found.iter().any(|m| m.rule_id == rule.id) {
                failures.push(format!("{} negative {}: matched", rule.id, n + 1));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fingerprint_is_sha256_prefix_over_rule_target_value() {
    let s = scanner();
    let found = s.scan_text("config.Env[1]", "DB_PASSWORD=Sup3rS3cretFAKEpassw0rd!").matches;
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(m.rule_id, "generic-password");
    let mut h = Sha256::new();
    h.update(b"generic-password\0config.Env[1]\0Sup3rS3cretFAKEpassw0rd!\0");
    let want = hex::encode(&h.finalize()[..16]);
    assert_eq!(m.fingerprint("config.Env[1]"), want);
    assert_eq!(m.to_finding("config.Env[1]", None).fingerprint, want);
    assert_ne!(m.fingerprint("config.Env[2]"), want, "target is part of the fingerprint");
    let debug = format!("{m:?}");
    assert!(!debug.contains("Sup3rS3cret"), "Debug leaks: {debug}");
}

#[test]
fn keep_prefix_is_bounded() {
    let s = scanner();
    let found = s.scan_text("t", "GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345").matches;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].redacted, "GITHUB_TOKEN=ghp_****");
    // A custom rule may not keep more than a third of the value.
    let cfg = SecretConfig::from_yaml(
        "t.yaml",
        "rules:\n  - {id: k, category: X, title: X, severity: low, keywords: [zz-], regex: '(?P<secret>zz-[a-z]{6})', keep: 50}\n",
    )
    .unwrap_or_default();
    let s = Scanner::from_config(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let found = s.scan_text("t", "v=zz-abcdef").matches;
    assert_eq!(found[0].redacted, "v=zz-****");
    assert_eq!(found[0].secret, "zz-abcdef");
}
