//! Helpers shared by the integration tests.
#![allow(dead_code)]

use bulwark_types::{Package, PackageKind, SourcePackage};
use bulwark_vulndb::{Finding, Store};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The real OSV records copied into this crate (see tests/data/README.md).
pub fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv")
}

/// The shared advisory collection: `BULWARK_VULNDATA`, else `shared/vulndata` beside the checkout.
pub fn vulndata() -> PathBuf {
    let dir = std::env::var_os("BULWARK_VULNDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata"));
    assert!(
        dir.join("expected-matches.json").is_file(),
        "vulndata not found at {} (set BULWARK_VULNDATA)",
        dir.display()
    );
    dir
}

/// A package as the inventory would report it for an OSV ecosystem: OS packages carry their source package.
pub fn package(ecosystem: &str, name: &str, version: &str) -> Package {
    let base = ecosystem.split(':').next().unwrap_or_default();
    let kind = match base {
        "PyPI" => PackageKind::Python,
        "npm" => PackageKind::Npm,
        "crates.io" => PackageKind::Cargo,
        "Debian" | "Ubuntu" => PackageKind::Deb,
        "AlmaLinux" => PackageKind::Rpm,
        other => panic!("no package kind for ecosystem {other}"),
    };
    let mut p = Package::new(kind, name, version, "test");
    p.ecosystem = ecosystem.to_string();
    if kind == PackageKind::Deb {
        p.source = Some(SourcePackage { name: name.to_string(), version: version.to_string() });
    }
    p
}

/// Matches one package and returns its findings.
pub fn findings(store: &Store, pkg: Package) -> Vec<Finding> {
    bulwark_vulndb::match_packages(store, &[pkg]).expect("match")
}

/// The ids of the records behind a set of findings.
pub fn record_ids(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().flat_map(|f| f.records.iter().cloned()).collect()
}
