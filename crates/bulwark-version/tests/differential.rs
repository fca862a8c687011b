//! Differential tests: our orderings against the real reference implementations, on real
//! version strings (fixtures in tests/data, see its README). Each test runs its reference
//! as one batched process, prints how many pairs it compared and fails listing the first
//! disagreements. Requirements are listed in tests/support/mod.rs.

mod support;

use bulwark_version::{dpkg, golang, maven, pep440, rpm, semver};
use std::cmp::Ordering;
use support::{check, read_lines, sample_pairs};

#[test]
fn dpkg_matches_dpkg_compare_versions() {
    let rows = read_lines("dpkg-versions.tsv");
    let entries: Vec<(String, String)> =
        rows.iter().filter_map(|r| r.split_once('\t').map(|(p, v)| (p.to_string(), v.to_string()))).collect();
    // Every pair of versions of the same package, then random pairs across packages.
    let mut pairs: Vec<(String, String)> =
        entries.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| (w[0].1.clone(), w[1].1.clone())).collect();
    let same_package = pairs.len();
    let versions: Vec<String> = entries.into_iter().map(|(_, v)| v).collect();
    let mut rng = support::Rng(0xdeb);
    while pairs.len() < 3000 {
        let a = versions[rng.below(versions.len())].clone();
        let b = versions[rng.below(versions.len())].clone();
        pairs.push((a, b));
    }
    println!("dpkg: {same_package} same-package pairs");
    let hints: Vec<Ordering> = pairs.iter().map(|(a, b)| dpkg::compare(a, b)).collect();
    let answers = support::dpkg(&pairs, &hints);
    // dpkg compares versions it only warns about, so validity here is "dpkg accepts it".
    check("dpkg", &pairs, &answers, dpkg::compare, dpkg::accepts, 2500);
}

#[test]
fn rpm_matches_rpm_label_compare() {
    let versions = read_lines("rpm-versions.txt");
    let pairs = sample_pairs(&versions, 4000, 0x79a);
    let answers = support::rpm(&pairs);
    // rpm accepts every string; so do we (below the length bound).
    check("rpm", &pairs, &answers, rpm::compare, |v| v.len() <= bulwark_version::MAX_LEN, 4000);
}

#[test]
fn pep440_matches_python_packaging() {
    let versions = read_lines("pypi-versions.txt");
    let pairs = sample_pairs(&versions, 6000, 0x440);
    let answers = support::pep440(&pairs);
    check("pep440", &pairs, &answers, pep440::compare, pep440::is_valid, 15000);
}

#[test]
fn semver_matches_npm_semver() {
    // Real npm/crates.io versions, plus every 10th real PyPI version (many are not SemVer).
    let mut versions = read_lines("semver-versions.txt");
    versions.extend(read_lines("pypi-versions.txt").into_iter().step_by(10));
    versions.sort();
    versions.dedup();
    let pairs = sample_pairs(&versions, 9000, 0x5e3);
    let answers = support::npm_semver(&pairs);
    check("semver", &pairs, &answers, semver::compare, semver::is_valid, 4000);
}

#[test]
fn go_matches_x_mod_semver() {
    // Real Go module versions, plus `v` + every 10th real PyPI version (shorthands like
    // `v1.2`, and many strings Go rejects).
    let mut versions = read_lines("go-versions.txt");
    versions.extend(read_lines("pypi-versions.txt").into_iter().step_by(10).map(|v| format!("v{v}")));
    versions.sort();
    versions.dedup();
    let pairs = sample_pairs(&versions, 9000, 0x90);
    let answers = support::go_semver(&pairs);
    check("go", &pairs, &answers, golang::compare, golang::is_valid, 4000);
}

#[test]
fn maven_matches_comparable_version() {
    // Debian's Maven repository versions, plus real PyPI and npm/crates.io version strings:
    // Maven orders any string, and those exercise qualifiers, separators and digit runs.
    let mut versions = read_lines("maven-versions.txt");
    let pypi = read_lines("pypi-versions.txt");
    versions.extend(pypi.iter().step_by(7).cloned());
    versions.extend(read_lines("semver-versions.txt"));
    versions.sort();
    versions.dedup();
    let pairs = sample_pairs(&versions, 4000, 0x3a7);
    let answers = support::maven(&pairs);
    check("maven", &pairs, &answers, maven::compare, maven::is_valid, 5000);
}
