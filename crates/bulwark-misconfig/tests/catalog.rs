//! The check catalogue: ids unique and well formed, every check documented in docs/checks.md.

use bulwark_misconfig::catalog;
use std::collections::BTreeSet;

#[test]
fn ids_are_unique_and_every_check_has_text_and_a_mapping() {
    let all = catalog::all();
    assert!(all.len() >= 60, "{} checks", all.len());
    let mut seen = BTreeSet::new();
    for (kind, meta) in &all {
        assert!(seen.insert(meta.id), "duplicate id {}", meta.id);
        let prefix = match kind {
            bulwark_types::ConfigKind::Image => "BW-IMG-",
            bulwark_types::ConfigKind::Dockerfile => "BW-DF-",
            bulwark_types::ConfigKind::Kubernetes => "BW-K8S-",
        };
        assert!(meta.id.starts_with(prefix), "{} under {kind:?}", meta.id);
        assert!(!meta.title.is_empty() && !meta.description.is_empty() && !meta.remediation.is_empty(), "{}", meta.id);
        assert!(!meta.mappings.is_empty(), "{} maps to no framework", meta.id);
    }
}

#[test]
fn docs_checks_md_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks.md");
    let want = catalog::markdown();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/checks.md is stale: run BLESS=1 cargo test -p bulwark-misconfig --test catalog");
}
