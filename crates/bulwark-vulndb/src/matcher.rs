//! Matching packages against the store, per the OSV schema's evaluation rules.
//!
//! For each package: look up `affected` rows by (ecosystem base, normalised name), keep rows whose
//! ecosystem applies ([`crate::normalize::ecosystem_matches`]), and call a record a match when the
//! version is in its `versions` list or one of its ECOSYSTEM/SEMVER ranges leaves it affected:
//! events sorted by version (`"0"` lowest), `introduced <= v` → affected, `fixed <= v` → not,
//! `last_affected < v` → not, and, when `limit` events exist, `v` below one of them. GIT ranges are
//! not evaluated; withdrawn records never match. Matched records that name each other in `aliases`
//! (directly or through a shared alias) become one [`Finding`], which then gets the EPSS score and KEV entry
//! of its CVE ids (see `enrich.rs`).

use crate::error::Result;
use crate::model::Event;
use crate::normalize::{ecosystem_base, ecosystem_matches, normalize_name};
use crate::store::{AdvisoryRow, Store, StoredAffected, StoredRange};
use bulwark_types::{Evidence, Finding, Package, PackageKind, RangeKind, Reason, Severity};
use bulwark_version::Scheme;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// A (name, version) to look up for a package, in an ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    ecosystem: String,
    name: String,
    version: String,
}

/// What to look up for a package: OS advisories are per source package (dpkg, apk); RPM
/// distributions publish binary package names, so RPMs are looked up by both.
fn queries(pkg: &Package) -> Vec<Query> {
    let ecosystem = if !pkg.ecosystem.is_empty() {
        pkg.ecosystem.clone()
    } else if let Some(eco) = pkg.kind.language_ecosystem() {
        eco.to_string()
    } else {
        return Vec::new();
    };
    let q =
        |name: &str, version: &str| Query { ecosystem: ecosystem.clone(), name: name.into(), version: version.into() };
    let own = q(&pkg.name, &pkg.version);
    let source = pkg.source.as_ref().filter(|s| !s.name.is_empty()).map(|s| {
        let version = if s.version.is_empty() { &pkg.version } else { &s.version };
        q(&s.name, version)
    });
    match (pkg.kind, source) {
        (PackageKind::Deb | PackageKind::Apk, Some(src)) => vec![src],
        (PackageKind::Rpm, Some(src)) if src.name != pkg.name => vec![own, src],
        _ => vec![own],
    }
}

/// Compares versions with OSV's `"0"` (before everything) on top of the scheme.
fn cmp_event(scheme: Scheme, a: &str, b: &str) -> Ordering {
    match (a == "0", b == "0") {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => scheme.compare(a, b),
    }
}

/// The ordering for a range: the ecosystem's for ECOSYSTEM; SemVer for SEMVER (Go's, which allows the `v`, in Go).
fn range_scheme(kind: RangeKind, ecosystem: &str) -> Option<Scheme> {
    let eco = Scheme::for_ecosystem(ecosystem);
    match kind {
        RangeKind::Ecosystem => eco,
        RangeKind::Semver if eco == Some(Scheme::Go) => eco,
        RangeKind::Semver => Some(Scheme::Semver),
        RangeKind::Git | RangeKind::Other => None,
    }
}

/// A range that leaves a version affected.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RangeHit {
    reason: Reason,
    /// `fixed` events of the range above the version.
    fixed: Vec<String>,
}

/// Sorts with a comparator that need not be a total order — Maven's `ComparableVersion` is not
/// transitive (`1.0.0-alpha < 1.0 < 1.x.0-a1 < 1.0.0-alpha`), and `slice::sort_by` may panic on
/// such a comparator. An insertion sort never does; event and fix lists are short.
fn insertion_sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Evaluates one range for `version` under OSV's rules; `None` when not affected.
fn evaluate_range(range: &StoredRange, ecosystem: &str, version: &str) -> Option<RangeHit> {
    let scheme = range_scheme(range.kind, ecosystem)?;
    let cmp = |a: &str, b: &str| cmp_event(scheme, a, b);
    let mut events: Vec<&Event> = range.events.iter().filter(|e| !matches!(e, Event::Limit(_))).collect();
    insertion_sort_by(&mut events, |a, b| cmp(a.version(), b.version()));
    let mut affected = false;
    let mut introduced = "";
    for e in &events {
        match e {
            Event::Introduced(x) if cmp(x, version).is_le() => {
                affected = true;
                introduced = x;
            }
            Event::Fixed(x) if cmp(x, version).is_le() => affected = false,
            Event::LastAffected(x) if cmp(x, version).is_lt() => affected = false,
            _ => {}
        }
    }
    let limits: Vec<&str> =
        range.events.iter().filter_map(|e| if let Event::Limit(l) = e { Some(l.as_str()) } else { None }).collect();
    if !limits.is_empty() && !limits.iter().any(|l| *l == "*" || cmp(version, l).is_lt()) {
        affected = false;
    }
    if !affected {
        return None;
    }
    let upper = events.iter().find(|e| match e {
        Event::Fixed(x) => cmp(x, version).is_gt(),
        Event::LastAffected(x) => cmp(x, version).is_ge(),
        _ => false,
    });
    let fixed = events
        .iter()
        .filter_map(|e| match e {
            Event::Fixed(x) if cmp(x, version).is_gt() => Some(x.clone()),
            _ => None,
        })
        .collect();
    Some(RangeHit {
        reason: Reason::Range {
            kind: range.kind,
            introduced: introduced.to_string(),
            fixed: upper.and_then(|e| if let Event::Fixed(x) = e { Some(x.clone()) } else { None }),
            last_affected: upper.and_then(|e| if let Event::LastAffected(x) = e { Some(x.clone()) } else { None }),
        },
        fixed,
    })
}

/// Whether `version` is listed: exact string, or equal under PEP 440 for PyPI (`2.2` = `2.2.0`).
fn listed(versions: &[String], ecosystem: &str, version: &str) -> bool {
    let pep440 = Scheme::for_ecosystem(ecosystem) == Some(Scheme::Pep440);
    versions
        .iter()
        .any(|v| v == version || (pep440 && same_major(v, version) && Scheme::Pep440.compare(v, version).is_eq()))
}

/// Cheap pre-check for PEP 440 equality: equal versions have the same epoch and first release number.
fn same_major(a: &str, b: &str) -> bool {
    fn lead(s: &str) -> &str {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s[..end].trim_start_matches('0')
    }
    a.contains('!') || b.contains('!') || lead(a) == lead(b)
}

/// Every way one stored `affected` entry makes `version` affected.
fn evaluate_affected(data: &StoredAffected, ecosystem: &str, version: &str) -> Vec<RangeHit> {
    let mut hits: Vec<RangeHit> = data.ranges.iter().filter_map(|r| evaluate_range(r, ecosystem, version)).collect();
    if listed(&data.versions, ecosystem, version) {
        hits.push(RangeHit { reason: Reason::Version, fixed: Vec::new() });
    }
    hits
}

/// What one matched record contributes to a package's findings.
struct RecordMatch {
    advisory: Rc<AdvisoryRow>,
    severity: Severity,
    fixed: Vec<String>,
    evidence: Vec<Evidence>,
}

/// Matches every package against the store; findings are ordered by package index, then id.
pub fn match_packages(store: &Store, packages: &[Package]) -> Result<Vec<Finding>> {
    let mut advisories: HashMap<i64, Rc<AdvisoryRow>> = HashMap::new();
    let mut findings = Vec::new();
    for (index, pkg) in packages.iter().enumerate() {
        let mut matched: BTreeMap<i64, RecordMatch> = BTreeMap::new();
        for q in queries(pkg) {
            let rows = store.lookup(ecosystem_base(&q.ecosystem), &normalize_name(&q.ecosystem, &q.name))?;
            for row in rows {
                if !ecosystem_matches(&q.ecosystem, &row.ecosystem) {
                    continue;
                }
                let hits = evaluate_affected(&row.data, &row.ecosystem, &q.version);
                if hits.is_empty() {
                    continue;
                }
                let advisory = match advisories.get(&row.advisory) {
                    Some(a) => Rc::clone(a),
                    None => {
                        let a = Rc::new(store.advisory(row.advisory)?);
                        advisories.insert(row.advisory, Rc::clone(&a));
                        a
                    }
                };
                let entry = matched.entry(row.advisory).or_insert_with(|| RecordMatch {
                    severity: advisory.severity.clone(),
                    advisory: Rc::clone(&advisory),
                    fixed: Vec::new(),
                    evidence: Vec::new(),
                });
                if let Some(sev) = &row.data.severity {
                    if sev.rank() > entry.severity.rank() {
                        entry.severity = sev.clone();
                    }
                }
                for hit in hits {
                    entry.fixed.extend(hit.fixed);
                    let ev = Evidence {
                        record: advisory.id.clone(),
                        ecosystem: row.ecosystem.clone(),
                        name: q.name.clone(),
                        version: q.version.clone(),
                        reason: hit.reason,
                    };
                    if !entry.evidence.contains(&ev) {
                        entry.evidence.push(ev);
                    }
                }
            }
        }
        let scheme = queries(pkg).first().and_then(|q| Scheme::for_ecosystem(&q.ecosystem));
        for mut finding in merge(index, matched.into_values().collect(), scheme) {
            crate::enrich::enrich_finding(store, &mut finding)?;
            findings.push(finding);
        }
    }
    Ok(findings)
}

/// Groups a package's matched records by shared ids (record ids and aliases) into findings.
fn merge(package: usize, records: Vec<RecordMatch>, scheme: Option<Scheme>) -> Vec<Finding> {
    let mut parent: Vec<usize> = (0..records.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for key in std::iter::once(&r.advisory.id).chain(&r.advisory.aliases) {
            match owner.get(key.as_str()) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&RecordMatch>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let g = root(&mut parent, i);
        groups.entry(g).or_default().push(r);
    }
    let mut out: Vec<Finding> = groups.into_values().map(|g| finding(package, &g, scheme)).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Rank of an id prefix for choosing the primary id.
fn id_rank(id: &str) -> u8 {
    if id.starts_with("CVE-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else {
        2
    }
}

/// One finding from a group of aliasing records.
fn finding(package: usize, group: &[&RecordMatch], scheme: Option<Scheme>) -> Finding {
    let mut records: Vec<String> = group.iter().map(|r| r.advisory.id.clone()).collect();
    records.sort();
    let id =
        records.iter().min_by(|a, b| id_rank(a).cmp(&id_rank(b)).then_with(|| a.cmp(b))).cloned().unwrap_or_default();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut related: BTreeSet<String> = BTreeSet::new();
    for r in group {
        ids.insert(r.advisory.id.clone());
        ids.extend(r.advisory.aliases.iter().cloned());
        related.extend(r.advisory.related.iter().cloned());
    }
    ids.remove(&id);
    related.retain(|x| *x != id && !ids.contains(x));
    let mut ordered: Vec<&&RecordMatch> = group.iter().collect();
    ordered.sort_by_key(|r| (r.advisory.id != id, r.advisory.id.clone()));
    let summary = ordered.iter().map(|r| r.advisory.summary.as_str()).find(|s| !s.is_empty()).unwrap_or_default();
    let severity = group.iter().map(|r| &r.severity).max_by_key(|s| s.rank()).cloned().unwrap_or_default();
    let mut fixed: Vec<String> = group.iter().flat_map(|r| r.fixed.iter().cloned()).collect();
    match scheme {
        Some(s) => insertion_sort_by(&mut fixed, |a, b| s.compare(a, b).then_with(|| a.cmp(b))),
        None => fixed.sort(),
    }
    fixed.dedup();
    let evidence = ordered.iter().flat_map(|r| r.evidence.iter().cloned()).collect();
    Finding {
        package,
        id,
        aliases: ids.into_iter().collect(),
        related: related.into_iter().collect(),
        records,
        summary: summary.to_string(),
        severity,
        fixed,
        evidence,
        epss: None,
        kev: None,
        risk: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_non_transitive_maven_versions_never_panics() {
        // The fuzzer's cycle: 1.0.0-alpha < 1.0 < 1.x.0-a1 < 1.0.0-alpha under Maven's own rules.
        let base = ["1.0.0-alpha", "1.0", "1.x.0-a1", "2", "1.0-sp", "1.x", "0.9"];
        for rotation in 0..base.len() {
            let mut v: Vec<&str> = base.iter().cycle().skip(rotation).take(base.len() * 40).copied().collect();
            insertion_sort_by(&mut v, |a, b| Scheme::Maven.compare(a, b));
            assert_eq!(v.len(), base.len() * 40);
        }
    }

    fn range(kind: RangeKind, events: &[(&str, &str)]) -> StoredRange {
        let events = events
            .iter()
            .map(|(k, v)| match *k {
                "introduced" => Event::Introduced(v.to_string()),
                "fixed" => Event::Fixed(v.to_string()),
                "last_affected" => Event::LastAffected(v.to_string()),
                _ => Event::Limit(v.to_string()),
            })
            .collect();
        StoredRange { kind, events }
    }

    #[test]
    fn unsorted_multi_branch_ranges_are_sorted_first() {
        // PYSEC-2019-13 (Django), events in the record's order.
        let r = range(
            RangeKind::Ecosystem,
            &[
                ("introduced", "2.1"),
                ("fixed", "2.1.11"),
                ("introduced", "1.11"),
                ("fixed", "1.11.23"),
                ("introduced", "2.2"),
                ("fixed", "2.2.4"),
            ],
        );
        let cases = [
            ("2.2", true),
            ("2.2.3", true),
            ("2.2.4", false),
            ("2.1.10", true),
            ("2.1.11", false),
            ("1.11.22", true),
            ("1.10", false),
            ("3.0", false),
        ];
        for (v, want) in cases {
            assert_eq!(evaluate_range(&r, "PyPI", v).is_some(), want, "{v}");
        }
        let hit = evaluate_range(&r, "PyPI", "2.2").map(|h| (h.reason, h.fixed));
        let reason = Reason::Range {
            kind: RangeKind::Ecosystem,
            introduced: "2.2".into(),
            fixed: Some("2.2.4".into()),
            last_affected: None,
        };
        assert_eq!(hit, Some((reason, vec!["2.2.4".to_string()])));
    }

    #[test]
    fn last_affected_limit_and_zero() {
        let r = range(RangeKind::Semver, &[("introduced", "0"), ("last_affected", "4.17.20")]);
        assert!(evaluate_range(&r, "npm", "4.17.20").is_some());
        assert!(evaluate_range(&r, "npm", "4.17.21").is_none());
        assert!(evaluate_range(&r, "npm", "0.0.1").is_some());
        let limited = range(RangeKind::Ecosystem, &[("introduced", "1.0.0"), ("limit", "2.0.0")]);
        assert!(evaluate_range(&limited, "npm", "1.5.0").is_some());
        assert!(evaluate_range(&limited, "npm", "2.0.0").is_none());
        let star = range(RangeKind::Ecosystem, &[("introduced", "1.0.0"), ("limit", "*")]);
        assert!(evaluate_range(&star, "npm", "9.0.0").is_some());
        // RustSec's `0.0.0-0` lower bound admits every release.
        let rs = range(RangeKind::Semver, &[("introduced", "0.0.0-0"), ("fixed", "1.5.5")]);
        assert!(evaluate_range(&rs, "crates.io", "1.5.4").is_some());
        // A GIT range never evaluates against package versions.
        assert!(evaluate_range(&range(RangeKind::Git, &[("introduced", "0")]), "PyPI", "1.0").is_none());
        // An ecosystem without a version scheme cannot evaluate ECOSYSTEM ranges.
        assert!(evaluate_range(&range(RangeKind::Ecosystem, &[("introduced", "0")]), "Hackage", "1.0").is_none());
    }

    #[test]
    fn version_lists_use_pep440_equality_only_for_pypi() {
        let list = vec!["2.2".to_string(), "1!3.0".to_string()];
        assert!(listed(&list, "PyPI", "2.2.0"));
        assert!(listed(&list, "PyPI", "1!3.0.0"));
        assert!(!listed(&list, "PyPI", "2.2.1"));
        assert!(!listed(&list, "npm", "2.2.0"));
        assert!(listed(&list, "npm", "2.2"));
    }

    #[test]
    fn os_packages_query_their_source_package() {
        let mut deb = Package::new(PackageKind::Deb, "libssl3", "3.0.2-0ubuntu1.7+b1", "test");
        deb.ecosystem = "Ubuntu:22.04".into();
        deb.source = Some(bulwark_types::SourcePackage { name: "openssl".into(), version: "3.0.2-0ubuntu1.7".into() });
        let q = queries(&deb);
        assert_eq!(
            q,
            vec![Query {
                ecosystem: "Ubuntu:22.04".into(),
                name: "openssl".into(),
                version: "3.0.2-0ubuntu1.7".into()
            }]
        );
        let mut rpm = Package::new(PackageKind::Rpm, "openssl-libs", "1:3.0.1-40.el9_0", "test");
        rpm.ecosystem = "AlmaLinux:9".into();
        rpm.source = Some(bulwark_types::SourcePackage { name: "openssl".into(), version: "1:3.0.1-40.el9_0".into() });
        assert_eq!(queries(&rpm).iter().map(|q| q.name.as_str()).collect::<Vec<_>>(), ["openssl-libs", "openssl"]);
        let unknown_distro = Package::new(PackageKind::Deb, "bash", "5.2", "test");
        assert!(queries(&unknown_distro).is_empty());
        let py = Package::new(PackageKind::Python, "Jinja2", "2.10", "test");
        assert_eq!(queries(&py)[0].ecosystem, "PyPI");
    }
}
