//! Property tests: every scheme's `compare` is a total order (reflexive, antisymmetric,
//! transitive, consistent with sorting) and never panics, on random triples drawn from the
//! real version lists in tests/data plus hostile strings.

mod support;

use bulwark_version::Scheme;
use std::cmp::Ordering;
use support::{read_lines, Rng};

const SCHEMES: [Scheme; 10] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Composer,
];

/// Real versions from every fixture, plus strings chosen to stress parsers.
fn corpus() -> Vec<String> {
    let mut v: Vec<String> = read_lines("dpkg-versions.tsv")
        .into_iter()
        .filter_map(|r| r.split_once('\t').map(|(_, v)| v.to_string()))
        .collect();
    for name in
        ["rpm-versions.txt", "pypi-versions.txt", "semver-versions.txt", "maven-versions.txt", "go-versions.txt"]
    {
        v.extend(read_lines(name));
    }
    let hostile = [
        "",
        " ",
        "\t",
        "-",
        ".",
        "..",
        "~",
        "^",
        "_",
        "+",
        ":",
        "!",
        "@",
        "#",
        "v",
        "V",
        "0",
        "00",
        "-0",
        "1:",
        ":1",
        "1.0-",
        "1.0+",
        "1.0_",
        "1.0~",
        "1.0^",
        "1!",
        "1!2",
        "999999999999999999999999999999",
        "1.0-r",
        "-r1",
        "dev-master",
        "1.x-dev",
        "\u{0}",
        "1\u{0}2",
        "é",
        "1.é",
        "１.２",
        "1..2",
        "1--2",
        "1__2",
        "1.0.0-",
        "v1.2-pre",
        "1.0a.b.c.d.e.f",
        "2023.01.15",
        "1.0@dev",
        "1.0 as 2.0",
        "_alpha",
        "1.0_p",
        "1.0-rc.01",
    ];
    v.extend(hostile.iter().map(|s| s.to_string()));
    v.push("1.".repeat(700));
    v.push("a-".repeat(512));
    v.push("9".repeat(1024));
    v.sort();
    v.dedup();
    v
}

#[test]
fn compare_is_a_total_order_on_real_versions() {
    let versions = corpus();
    let mut rng = Rng(0x7074);
    for scheme in SCHEMES {
        for _ in 0..8_000 {
            let a = &versions[rng.below(versions.len())];
            let b = &versions[rng.below(versions.len())];
            let c = &versions[rng.below(versions.len())];
            assert_eq!(scheme.compare(a, a), Ordering::Equal, "{scheme:?}: {a:?} not equal to itself");
            let ab = scheme.compare(a, b);
            assert_eq!(scheme.compare(b, a), ab.reverse(), "{scheme:?}: {a:?} vs {b:?} not antisymmetric");
            let bc = scheme.compare(b, c);
            let ac = scheme.compare(a, c);
            if ab != Ordering::Greater && bc != Ordering::Greater {
                assert_ne!(ac, Ordering::Greater, "{scheme:?}: {a:?} <= {b:?} <= {c:?} but {a:?} > {c:?}");
            }
            if ab == Ordering::Equal && bc == Ordering::Equal {
                assert_eq!(ac, Ordering::Equal, "{scheme:?}: equality not transitive on {a:?} {b:?} {c:?}");
            }
        }
    }
}

#[test]
fn sorting_is_consistent_and_invalid_versions_come_first() {
    let versions = corpus();
    for scheme in SCHEMES {
        let mut sorted = versions.clone();
        sorted.sort_by(|a, b| scheme.compare(a, b));
        for w in sorted.windows(2) {
            assert_ne!(
                scheme.compare(&w[0], &w[1]),
                Ordering::Greater,
                "{scheme:?}: sort left {:?} > {:?}",
                w[0],
                w[1]
            );
        }
        let first_valid = sorted.iter().position(|v| scheme.is_valid(v)).unwrap_or(sorted.len());
        let valid_count = sorted.iter().filter(|v| scheme.is_valid(v)).count();
        assert!(valid_count > 0, "{scheme:?}: no valid versions in the corpus");
        // dpkg and rpm compare some strings their `is_valid` calls non-conforming, so only
        // the schemes whose validity is the comparison rule must put invalid versions first.
        if !matches!(scheme, Scheme::Dpkg | Scheme::Rpm) {
            assert!(sorted[first_valid..].iter().all(|v| scheme.is_valid(v)), "{scheme:?}: invalid after valid");
        }
        println!("{scheme:?}: {} versions, {valid_count} valid", sorted.len());
    }
}
