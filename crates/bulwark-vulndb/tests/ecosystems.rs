//! Matching per ecosystem against real records copied into tests/data (see its README).

mod support;

use bulwark_types::{Package, PackageKind, SourcePackage};
use bulwark_vulndb::{import_path, Level, Reason, Store};
use support::{findings, package, record_ids, test_data};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = import_path(dir.path(), &test_data()).expect("import test data");
    assert_eq!((report.read, report.inserted, report.withdrawn), (16, 16, 2));
    let store = Store::open(dir.path()).expect("open");
    (dir, store)
}

fn ids(store: &Store, ecosystem: &str, name: &str, version: &str) -> Vec<String> {
    record_ids(&findings(store, package(ecosystem, name, version))).into_iter().collect()
}

#[test]
fn pypi_aliases_with_conflicting_ranges() {
    let (_dir, store) = store();
    // PYSEC-2021-108 affects urllib3 from 0, its alias GHSA-q2q7-5pp4-w6pg only from 1.25.4.
    let f = findings(&store, package("PyPI", "urllib3", "1.24.1"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "PYSEC-2021-108");
    assert_eq!(f[0].records, ["PYSEC-2021-108"]);
    assert_eq!(f[0].aliases, ["CVE-2021-33503", "GHSA-q2q7-5pp4-w6pg"]);
    assert_eq!(f[0].fixed, ["1.26.5"]);
    // Inside both ranges: one finding, both records, the GHSA id primary.
    let f = findings(&store, package("PyPI", "urllib3", "1.25.4"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "GHSA-q2q7-5pp4-w6pg");
    assert_eq!(f[0].records, ["GHSA-q2q7-5pp4-w6pg", "PYSEC-2021-108"]);
    assert_eq!(f[0].aliases, ["CVE-2021-33503", "PYSEC-2021-108"]);
    assert!(ids(&store, "PyPI", "urllib3", "1.26.5").is_empty());
}

#[test]
fn pypi_names_normalise_and_severity_comes_from_the_alias_with_cvss() {
    let (_dir, store) = store();
    // GHSA writes `PyYAML`, PYSEC `pyyaml`; both match either spelling and merge.
    for name in ["PyYAML", "pyyaml", "py_yaml"] {
        let f = findings(&store, package("PyPI", name, "5.3"));
        if name == "py_yaml" {
            assert!(f.is_empty(), "py_yaml is another project");
            continue;
        }
        assert_eq!(f.len(), 1, "{name}");
        assert_eq!(f[0].records, ["GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"]);
        // GHSA-8q59-q68h-6hv4: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8.
        assert_eq!((f[0].severity.level, f[0].severity.score), (Level::Critical, Some(9.8)));
        assert!(!f[0].summary.is_empty());
    }
}

#[test]
fn pypi_multi_branch_ranges_and_withdrawn() {
    let (_dir, store) = store();
    let f = findings(&store, package("PyPI", "Django", "2.2.0"));
    assert_eq!(record_ids(&f).into_iter().collect::<Vec<_>>(), ["PYSEC-2019-13"]);
    assert_eq!(f[0].fixed, ["2.2.4"]);
    assert!(f[0].evidence.iter().any(|e| matches!(&e.reason, Reason::Range { introduced, fixed: Some(fx), .. } if introduced == "2.2" && fx == "2.2.4")));
    assert!(
        f[0].evidence.iter().any(|e| e.reason == Reason::Version),
        "2.2 is in the versions list (PEP 440 equal to 2.2.0)"
    );
    assert!(ids(&store, "PyPI", "django", "2.2.4").is_empty());
    assert_eq!(ids(&store, "PyPI", "django", "1.11.22"), ["PYSEC-2019-13"]);
    // PYSEC-2021-13 (flask-caching, from 1.0.0) is withdrawn.
    assert!(ids(&store, "PyPI", "Flask-Caching", "1.10.1").is_empty());
}

#[test]
fn crates_semver_ranges() {
    let (_dir, store) = store();
    let f = findings(&store, package("crates.io", "regex", "1.5.4"));
    assert_eq!(record_ids(&f).into_iter().collect::<Vec<_>>(), ["RUSTSEC-2022-0013"]);
    assert_eq!(f[0].id, "RUSTSEC-2022-0013");
    assert_eq!(f[0].severity.level, Level::High);
    assert_eq!(f[0].fixed, ["1.5.5"]);
    assert!(ids(&store, "crates.io", "regex", "1.5.5").is_empty());
    assert_eq!(ids(&store, "crates.io", "regex", "0.1.0"), ["RUSTSEC-2022-0013"]);
    // RUSTSEC-2020-0053 (dirs, unmaintained) is withdrawn.
    assert!(ids(&store, "crates.io", "dirs", "1.0.0").is_empty());
}

#[test]
fn npm_last_affected_and_prerelease_bounds() {
    let (_dir, store) = store();
    assert_eq!(ids(&store, "npm", "lodash", "4.17.4"), ["GHSA-29mw-wpgm-hmr9"]);
    assert_eq!(ids(&store, "npm", "lodash.trim", "4.5.1"), ["GHSA-29mw-wpgm-hmr9"]);
    assert!(ids(&store, "npm", "lodash.trim", "4.5.2").is_empty());
    let f = findings(&store, package("npm", "lodash.trim", "4.5.1"));
    assert!(f[0].fixed.is_empty(), "last_affected gives no fixed version");
    assert!(matches!(&f[0].evidence[0].reason, Reason::Range { last_affected: Some(l), .. } if l == "4.5.1"));
    assert_eq!(ids(&store, "npm", "express", "4.16.0"), ["GHSA-rv95-896h-c2vc"]);
    assert_eq!(ids(&store, "npm", "express", "5.0.0-alpha.1"), ["GHSA-rv95-896h-c2vc"]);
    assert!(ids(&store, "npm", "express", "5.0.0-beta.3").is_empty());
    assert!(ids(&store, "npm", "express", "4.19.2").is_empty());
    assert!(ids(&store, "npm", "Express", "4.16.0").is_empty(), "npm names are case-sensitive");
}

#[test]
fn ubuntu_matches_source_packages_and_os_release_ecosystems() {
    let (_dir, store) = store();
    // A binary package as the dpkg extractor reports it, with the ecosystem from /etc/os-release.
    let mut libssl = Package::new(PackageKind::Deb, "libssl3", "3.0.2-0ubuntu1.7", "test");
    libssl.ecosystem = "Ubuntu:22.04".into();
    libssl.source = Some(SourcePackage { name: "openssl".into(), version: "3.0.2-0ubuntu1.7".into() });
    let f = findings(&store, libssl.clone());
    let got: Vec<_> = f.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(got, ["CVE-2023-0286", "CVE-2023-1255", "USN-5844-1"], "USN names the CVEs as upstream, not aliases");
    let usn = f.iter().find(|f| f.id == "USN-5844-1").expect("USN");
    assert!(usn.related.contains(&"UBUNTU-CVE-2023-0286".to_string()));
    assert_eq!(usn.evidence[0].name, "openssl");
    libssl.source = Some(SourcePackage { name: "openssl".into(), version: "3.0.2-0ubuntu1.8".into() });
    assert_eq!(record_ids(&findings(&store, libssl.clone())).into_iter().collect::<Vec<_>>(), ["CVE-2023-1255"]);
    libssl.ecosystem = "Ubuntu:23.04".into();
    assert!(findings(&store, libssl).is_empty());
}

#[test]
fn debian_source_package_and_release() {
    let (_dir, store) = store();
    let mut nginx = Package::new(PackageKind::Deb, "nginx-light", "1.2.1-2.2+wheezy2", "test");
    nginx.ecosystem = "Debian:7".into();
    nginx.source = Some(SourcePackage { name: "nginx".into(), version: "1.2.1-2.2+wheezy2".into() });
    let f = findings(&store, nginx.clone());
    assert_eq!((f.len(), f[0].id.as_str()), (1, "DSA-3029-1"));
    assert_eq!(f[0].aliases, ["CVE-2014-3616"]);
    assert_eq!(f[0].fixed, ["1.2.1-2.2+wheezy3"]);
    nginx.ecosystem = "Debian:12".into();
    assert!(findings(&store, nginx).is_empty(), "a Debian 7 advisory does not apply to Debian 12");
    assert!(ids(&store, "Debian:7", "nginx", "1.2.1-2.2+wheezy3").is_empty());
}

#[test]
fn almalinux_epochs_and_binary_names() {
    let (_dir, store) = store();
    let f = findings(&store, package("AlmaLinux:9", "openssl-libs", "1:3.0.1-40.el9_0"));
    assert_eq!((f.len(), f[0].id.as_str()), (1, "ALSA-2022:6224"));
    assert_eq!(f[0].fixed, ["1:3.0.1-41.el9_0"]);
    assert!(ids(&store, "AlmaLinux:9", "openssl-libs", "1:3.0.1-41.el9_0").is_empty());
    assert_eq!(ids(&store, "AlmaLinux:9", "bind-libs", "32:9.16.23-1.el9_0"), ["ALSA-2022:6763"]);
    // Without the epoch the version orders lower and is therefore affected, as rpm orders it.
    assert_eq!(ids(&store, "AlmaLinux:9", "bind-libs", "9.16.23-1.el9_0.1"), ["ALSA-2022:6763"]);
}

#[test]
fn status_and_stored_records() {
    let (dir, store) = store();
    let status = store.status().expect("status");
    assert_eq!((status.records, status.withdrawn), (16, 2));
    let pypi = status.ecosystems.iter().find(|e| e.ecosystem == "PyPI").expect("PyPI");
    assert_eq!((pypi.records, pypi.withdrawn), (6, 1));
    let crates = status.ecosystems.iter().find(|e| e.ecosystem == "crates.io").expect("crates.io");
    assert_eq!(crates.newest_modified.as_deref(), Some("2023-06-13T13:10:24Z"));
    assert!(status.last_import.is_some());
    assert_eq!(status.path, dir.path().join(bulwark_vulndb::DB_FILE));
    // The stored original parses to the same record as the file.
    let file = test_data().join("AlmaLinux/ALSA-2022:6224.json");
    let bytes = std::fs::read(&file).expect("read");
    let want = bulwark_vulndb::parse_record(&bytes, "file").expect("parse");
    assert_eq!(store.record("ALSA-2022:6224").expect("record"), Some(want));
    assert_eq!(store.record("NOPE-1").expect("record"), None);
}
