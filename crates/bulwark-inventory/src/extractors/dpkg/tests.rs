use super::*;
use std::collections::BTreeSet;
use std::process::Command;

/// One package as (name, version, arch, source name, source version).
type Row = (String, String, String, String, String);
/// A status.d file: its path, contents and the (name, source, source version) it must give.
type StatusDCase = (&'static str, &'static [u8], &'static [(&'static str, &'static str, &'static str)]);

fn extract(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    Dpkg.extract(&FileInput { path, data })
}

fn rows(packages: &[Package]) -> BTreeSet<Row> {
    packages
        .iter()
        .map(|p| {
            let src = p.source.clone().expect("every dpkg package has a source");
            (p.name.clone(), p.version.clone(), p.arch.clone().unwrap_or_default(), src.name, src.version)
        })
        .collect()
}

/// Rows of a ground-truth TSV written by the corpus' truth.py (header line first).
fn truth_rows(tsv: &str) -> BTreeSet<Row> {
    tsv.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "bad truth line {line:?}");
            (cols[0].into(), cols[1].into(), cols[2].into(), cols[3].into(), cols[4].into())
        })
        .collect()
}

/// What `dpkg-query` itself reports for a status file, limited to the states we report.
fn dpkg_query(status: &[u8]) -> BTreeSet<Row> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("status"), status).unwrap();
    let format = "${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n";
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", dir.path().display()))
        .args(["-W", "-f", format])
        .output()
        .expect("dpkg-query (Debian's dpkg package) must be installed for this test");
    assert!(out.status.success(), "dpkg-query failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            PRESENT_STATES.contains(&c[5]).then(|| (c[0].into(), c[1].into(), c[2].into(), c[3].into(), c[4].into()))
        })
        .collect()
}

fn find<'a>(packages: &'a [Package], name: &str) -> &'a Package {
    packages.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} not found"))
}

#[test]
fn debian_min_status_matches_ground_truth() {
    let pkgs = extract("var/lib/dpkg/status", include_bytes!("testdata/status-debian-min")).unwrap();
    assert_eq!(pkgs.len(), 88);
    assert_eq!(rows(&pkgs), truth_rows(include_str!("testdata/truth-debian-min.tsv")));
    let sources: BTreeSet<_> = pkgs.iter().filter_map(|p| p.source.as_ref().map(|s| &s.name)).collect();
    assert_eq!(sources.len(), 63);
    for p in &pkgs {
        assert_eq!(p.locations, ["/var/lib/dpkg/status"]);
        assert_eq!((p.kind, p.found_by.as_str()), (PackageKind::Deb, "os/dpkg"));
        assert!(p.licenses.is_empty() && p.purl.is_empty() && p.ecosystem.is_empty() && p.layer.is_none());
    }
}

#[test]
fn source_mappings_keep_their_own_versions_and_epochs() {
    let pkgs = extract("var/lib/dpkg/status", include_bytes!("testdata/status-debian-min")).unwrap();
    let src = |name: &str| {
        let s = find(&pkgs, name).source.clone().unwrap();
        (s.name, s.version)
    };
    assert_eq!(src("libc6"), ("glibc".into(), "2.36-9+deb12u14".into()));
    assert_eq!(find(&pkgs, "bash").version, "5.2.15-2+b13");
    assert_eq!(src("bash"), ("bash".into(), "5.2.15-2".into()));
    assert_eq!(find(&pkgs, "libcap2").version, "1:2.66-4+deb12u3+b1");
    assert_eq!(src("libcap2"), ("libcap2".into(), "1:2.66-4+deb12u3".into()));
    assert_eq!(src("bsdutils"), ("util-linux".into(), "2.38.1-5+deb12u3".into()));
    assert_eq!(src("base-files"), ("base-files".into(), "12.4+deb12u15".into()));
    assert_eq!(find(&pkgs, "adduser").arch.as_deref(), Some("all"));
}

#[test]
fn app_python_status_matches_ground_truth() {
    let pkgs = extract("var/lib/dpkg/status", include_bytes!("testdata/status-app-python")).unwrap();
    assert_eq!(pkgs.len(), 118);
    assert_eq!(rows(&pkgs), truth_rows(include_str!("testdata/truth-app-python.tsv")));
    let sources: BTreeSet<_> = pkgs.iter().filter_map(|p| p.source.as_ref().map(|s| &s.name)).collect();
    assert_eq!(sources.len(), 78);
}

#[test]
fn agrees_with_dpkg_query_on_fixtures() {
    let fixtures: [&[u8]; 3] = [
        include_bytes!("testdata/status-debian-min"),
        include_bytes!("testdata/status-app-python"),
        include_bytes!("testdata/status-states"),
    ];
    for status in fixtures {
        let ours = rows(&extract("var/lib/dpkg/status", status).unwrap());
        assert!(!ours.is_empty());
        assert_eq!(ours, dpkg_query(status));
    }
}

#[test]
fn agrees_with_dpkg_query_on_this_hosts_database() {
    let status = std::fs::read("/var/lib/dpkg/status").expect("a Debian host with /var/lib/dpkg/status");
    let ours = rows(&extract("var/lib/dpkg/status", &status).unwrap());
    assert!(ours.len() > 50, "only {} packages on the host", ours.len());
    assert_eq!(ours, dpkg_query(&status));
}

#[test]
fn package_states_decide_what_is_reported() {
    // Built with real dpkg by testdata/make-states.sh.
    let pkgs = extract("var/lib/dpkg/status", include_bytes!("testdata/status-states")).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> =
        pkgs.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("fixture-deselected", "1:4.2~rc1-1", Some("amd64")), // deinstall ok installed: still on disk
            ("fixture-halfconf", "0.9", Some("amd64")),           // postinst failed
            ("fixture-installed", "1.0-1", Some("all")),
            ("fixture-unpacked", "3.0", Some("amd64")),
        ]
    );
    let src = |name: &str| find(&pkgs, name).source.clone().unwrap();
    assert_eq!(src("fixture-installed"), SourcePackage { name: "fixture-src".into(), version: "2:1.0-0.1".into() });
    assert_eq!(src("fixture-unpacked"), SourcePackage { name: "fixture-src".into(), version: "3.0".into() });
}

#[test]
fn distroless_status_d_files_hold_installed_paragraphs() {
    let cases: [StatusDCase; 3] = [
        (
            "var/lib/dpkg/status.d/libc6",
            include_bytes!("testdata/status.d/libc6"),
            &[("libc6", "glibc", "2.36-9+deb12u14")],
        ),
        (
            "var/lib/dpkg/status.d/gcc-12",
            include_bytes!("testdata/status.d/gcc-12"),
            &[("gcc-12-base", "gcc-12", "12.2.0-14+deb12u1"), ("libgcc-s1", "gcc-12", "12.2.0-14+deb12u1")],
        ),
        (
            "var/lib/dpkg/status.d/tzdata",
            include_bytes!("testdata/status.d/tzdata"),
            &[("tzdata", "tzdata", "2026f-0+deb12u1")],
        ),
    ];
    for (path, data, want) in cases {
        let pkgs = extract(path, data).unwrap();
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| {
                let s = p.source.as_ref().unwrap();
                (p.name.as_str(), s.name.as_str(), s.version.as_str())
            })
            .collect();
        assert_eq!(got, want, "{path}");
        assert!(pkgs.iter().all(|p| p.locations == [format!("/{path}")]));
    }
}

#[test]
fn wants_only_dpkg_databases() {
    let cases = [
        ("var/lib/dpkg/status", true),
        ("rootfs/var/lib/dpkg/status", true),
        ("var/lib/dpkg/status.d/libc6", true),
        ("x/var/lib/dpkg/status.d/base-files", true),
        ("var/lib/dpkg/status.d/libc6.md5sums", false),
        ("var/lib/dpkg/status.d/", false),
        ("var/lib/dpkg/status.d/sub/libc6", false),
        ("var/lib/dpkg/status-old", false),
        ("var/lib/dpkg/available", false),
        ("myvar/lib/dpkg/status", false),
        ("other/var/lib/dpkg/status.d", false),
        ("usr/share/doc/var/lib/dpkg/statusx", false),
    ];
    for (path, want) in cases {
        assert_eq!(Dpkg.wants(&FileMeta { path, size: 10, mode: 0o644 }), want, "{path}");
    }
}

#[test]
fn malformed_status_files_are_errors_naming_the_line() {
    let cases: [(&[u8], &str); 10] = [
        (b"\x7fELF\x02\x01\x01\0\0\0", "line 1: expected `Field: value`"),
        (b"Package: a\nVersion: 1\n", "line 1: package a has no Status field"),
        (b"Version: 1\nStatus: install ok installed\n", "line 1: paragraph has no Package field"),
        (b"Package: a\nStatus: install ok\nVersion: 1\n", "line 2: Status must be `want flag state`"),
        (b"Package: a\nStatus: install ok gone\nVersion: 1\n", "line 2: unknown package state \"gone\""),
        (b"Package: a\nStatus: install ok installed\n", "line 1: package a has no Version field"),
        (b"Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (2\n", "line 4: Source must be"),
        (b"Package: a\nStatus: install ok installed\nVersion: 1\nSource: b c\n", "line 4: Source must be"),
        (b"Package: a\nStatus: install ok installed\nVersion: \xff\n", "line 3: value is not UTF-8"),
        (
            b"\n\nPackage: a\n version continued\nStatus: install ok installed\nVersion: 1\nVersion: 2\n",
            "line 7: duplicate",
        ),
    ];
    for (data, want) in cases {
        let err = extract("var/lib/dpkg/status", data).expect_err(&String::from_utf8_lossy(data));
        assert_eq!(err.path, "/var/lib/dpkg/status");
        assert!(err.message.starts_with(want), "{:?}: got {:?}", String::from_utf8_lossy(data), err.message);
    }
}

#[test]
fn empty_and_not_installed_only_files_have_no_packages() {
    assert!(extract("var/lib/dpkg/status", b"").unwrap().is_empty());
    assert!(extract("var/lib/dpkg/status", b"\n\r\n \n").unwrap().is_empty());
    let removed = b"Package: gone\nStatus: purge ok not-installed\n\nPackage: conf\nStatus: deinstall ok config-files\nVersion: 1\n";
    assert!(extract("var/lib/dpkg/status", removed).unwrap().is_empty());
}

#[test]
fn every_truncation_of_a_real_file_parses_or_errors_without_panicking() {
    let data = &include_bytes!("testdata/status-debian-min")[..6000];
    for end in 0..data.len() {
        if let Ok(pkgs) = extract("var/lib/dpkg/status", &data[..end]) {
            assert!(pkgs.len() <= 6);
        }
    }
}

#[test]
fn huge_package_counts_are_handled() {
    let one = b"Package: p\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n";
    let data: Vec<u8> = one.iter().copied().cycle().take(one.len() * 200_000).collect();
    let pkgs = extract("var/lib/dpkg/status", &data).unwrap();
    assert_eq!(pkgs.len(), 200_000);
}

#[test]
fn companion_files_name_their_package_and_carry_its_files_or_licences() {
    let list = include_bytes!("testdata/info/libc6_amd64.list");
    let path = "var/lib/dpkg/info/libc6:amd64.list";
    assert!(Dpkg.wants_companion(&FileMeta { path, size: list.len() as u64, mode: 0o644 }));
    assert!(!Dpkg.wants(&FileMeta { path, size: list.len() as u64, mode: 0o644 }));
    let c = Dpkg.companion(&FileInput { path, data: list }).expect("a companion");
    assert_eq!((c.kind, c.package.as_str(), c.files.len()), (PackageKind::Deb, "libc6", 286));
    assert_eq!(c.files[0], "/etc/ld.so.conf.d/x86_64-linux-gnu.conf");
    assert!(c.licenses.is_empty());

    let path = "usr/share/doc/zlib1g/copyright";
    let c =
        Dpkg.companion(&FileInput { path, data: include_bytes!("testdata/copyright/zlib1g") }).expect("a companion");
    assert_eq!((c.package.as_str(), c.files.len(), c.licenses.as_slice()), ("zlib1g", 0, &["Zlib".to_string()][..]));

    // Nothing usable: no companion. Not a companion path: no companion either.
    let libcrypt = include_bytes!("testdata/copyright/libcrypt1");
    assert!(Dpkg.companion(&FileInput { path: "usr/share/doc/libcrypt1/copyright", data: libcrypt }).is_none());
    assert!(Dpkg.companion(&FileInput { path: "var/lib/dpkg/info/bash.list", data: b"/.\n" }).is_none());
    assert!(Dpkg.companion(&FileInput { path: "var/lib/dpkg/status", data: list }).is_none());
}
