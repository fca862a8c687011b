//! Tests against real databases written by rpm (see testdata/README.md).

use super::*;
use std::path::Path;
use std::process::Command;

/// One fixture: the same five packages in one database format.
struct Fixture {
    /// File name under testdata/.
    file: &'static str,
    /// The name rpm gives the file in its database directory.
    db_name: &'static str,
    /// Where the file sits in an image.
    path: &'static str,
    /// rpm's `_db_backend` that reads it.
    backend: &'static str,
    /// `rpm -qa` output recorded when the fixture was built.
    recorded: &'static str,
}

const FIXTURES: [Fixture; 4] = [
    Fixture {
        file: "rpmdb.sqlite",
        db_name: "rpmdb.sqlite",
        path: "usr/lib/sysimage/rpm/rpmdb.sqlite",
        backend: "sqlite",
        recorded: include_str!("testdata/rpm-qa-sqlite.txt"),
    },
    Fixture {
        file: "Packages.db",
        db_name: "Packages.db",
        path: "usr/lib/sysimage/rpm/Packages.db",
        backend: "ndb",
        recorded: include_str!("testdata/rpm-qa-ndb.txt"),
    },
    Fixture {
        file: "Packages",
        db_name: "Packages",
        path: "var/lib/rpm/Packages",
        backend: "bdb_ro",
        recorded: include_str!("testdata/rpm-qa-bdb.txt"),
    },
    Fixture {
        file: "Packages-bigendian",
        db_name: "Packages",
        path: "var/lib/rpm/Packages",
        backend: "bdb_ro",
        recorded: include_str!("testdata/rpm-qa-bdb.txt"),
    },
];

const QUERY_FORMAT: &str = "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n";

fn fixture_bytes(f: &Fixture) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/extractors/rpm/testdata").join(f.file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn extract(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    Rpm.extract(&FileInput { path, data })
}

/// What rpm itself lists for the fixture: live when this machine's rpm reads the
/// format, else the output recorded by make-fixtures.sh (live output must match it).
fn rpm_listing(f: &Fixture) -> Vec<String> {
    let recorded: Vec<String> = f.recorded.lines().map(str::to_string).collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(f.db_name), fixture_bytes(f)).unwrap();
    let run = Command::new("rpm")
        .arg("--dbpath")
        .arg(dir.path())
        .args(["--define", &format!("_db_backend {}", f.backend), "-qa", "--queryformat", QUERY_FORMAT])
        .output();
    let Ok(out) = run else {
        eprintln!("{}: rpm is not installed; using the recorded listing", f.file);
        return recorded;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    // An rpm built without the backend says so, or falls back to its empty "dummy" database.
    if !out.status.success() || stderr.contains("invalid %_db_backend") || stderr.contains("dummy database") {
        eprintln!("{}: this rpm cannot read {} databases; using the recorded listing", f.file, f.backend);
        return recorded;
    }
    let mut live: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    live.sort();
    assert_eq!(live, recorded, "{}: rpm's live listing differs from the recorded one; rerun make-fixtures.sh", f.file);
    live
}

/// A package as `rpm -qa --queryformat QUERY_FORMAT` prints it.
fn as_rpm_prints(p: &Package) -> String {
    let version = if p.version.contains(':') { p.version.clone() } else { format!("0:{}", p.version) };
    format!("{} {} {}", p.name, version, p.arch.as_deref().unwrap_or("(none)"))
}

#[test]
fn every_format_lists_exactly_what_rpm_lists() {
    for f in &FIXTURES {
        let expected: Vec<String> = rpm_listing(f).into_iter().filter(|l| !l.starts_with("gpg-pubkey ")).collect();
        assert_eq!(expected.len(), 4, "{}: the fixture holds four real packages", f.file);
        let mut got: Vec<String> = extract(f.path, &fixture_bytes(f)).unwrap().iter().map(as_rpm_prints).collect();
        got.sort();
        assert_eq!(got, expected, "{}", f.file);
        assert!(f.recorded.lines().any(|l| l.starts_with("gpg-pubkey ")), "{}: the fixture holds a gpg-pubkey", f.file);
    }
}

#[test]
fn every_format_gives_the_same_exact_packages() {
    let src = |name: &str, version: &str| Some(SourcePackage { name: name.into(), version: version.into() });
    // (name, version, arch, source, licences, files), in package-number order (install order).
    let want = [
        (
            "hello-tool",
            "2:1.4.2-3.bw",
            "x86_64",
            src("hello-tool", "2:1.4.2-3.bw"),
            vec!["MIT"],
            vec!["/etc/hello-tool/hello.conf", "/usr/bin/hello-tool", "/usr/share/doc/hello-tool/README"],
        ),
        ("meta-empty", "2024.1-0.1.rc2", "noarch", src("meta-empty", "2024.1-0.1.rc2"), vec!["Apache-2.0"], vec![]),
        ("demo-libs", "0.9-1", "noarch", src("demo", "0.9-1"), vec!["BSD-3-Clause"], vec!["/usr/lib/demo/libdemo.txt"]),
        (
            "demo",
            "0.9-1",
            "noarch",
            src("demo", "0.9-1"),
            vec!["GPL-2.0-or-later AND BSD-3-Clause"],
            vec!["/usr/share/demo/data.txt"],
        ),
    ];
    for f in &FIXTURES {
        let got = extract(f.path, &fixture_bytes(f)).unwrap();
        assert_eq!(got.len(), want.len(), "{}", f.file);
        for (p, (name, version, arch, source, licenses, files)) in got.iter().zip(&want) {
            let ctx = format!("{}: {}", f.file, p.name);
            assert_eq!(p.kind, PackageKind::Rpm, "{ctx}");
            assert_eq!(p.name, *name, "{ctx}");
            assert_eq!(p.version, *version, "{ctx}");
            assert_eq!(p.arch.as_deref(), Some(*arch), "{ctx}");
            assert_eq!(&p.source, source, "{ctx}");
            assert_eq!(p.licenses, *licenses, "{ctx}");
            assert_eq!(p.found_by, "os/rpm", "{ctx}");
            assert_eq!(p.locations, [format!("/{}", f.path)], "{ctx}");
            assert_eq!(p.files, files.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{ctx}");
            assert!(
                p.purl.is_empty() && p.ecosystem.is_empty() && p.layer.is_none(),
                "{ctx}: engine fields left unset"
            );
        }
    }
}

#[test]
fn wants_only_rpm_databases() {
    let cases = [
        ("var/lib/rpm/rpmdb.sqlite", true),
        ("usr/lib/sysimage/rpm/rpmdb.sqlite", true),
        ("var/lib/rpm/Packages", true),
        ("usr/lib/sysimage/rpm/Packages", true),
        ("var/lib/rpm/Packages.db", true),
        ("usr/lib/sysimage/rpm/Packages.db", true),
        ("srv/chroot/var/lib/rpm/Packages", true),
        ("var/lib/rpm/Name", false),
        ("var/lib/rpm/rpmdb.sqlite-shm", false),
        ("var/lib/rpm/Packages.db.bak", false),
        ("myvar/lib/rpm/Packages", false),
        ("var/lib/dpkg/status", false),
        ("Packages", false),
    ];
    for (path, want) in cases {
        assert_eq!(Rpm.wants(&FileMeta { path, size: 1, mode: 0o644 }), want, "{path}");
    }
}

#[test]
fn source_rpm_names_split_on_the_last_two_dashes() {
    let cases = [
        ("bash-5.1.8-9.el9.src.rpm", Some(("bash", "5.1.8", "9.el9"))),
        ("python-urllib3-1.26.5-5.el9.src.rpm", Some(("python-urllib3", "1.26.5", "5.el9"))),
        ("kernel-5.14.0-1.nosrc.rpm", Some(("kernel", "5.14.0", "1"))),
        ("bash-5.1.8.src.rpm", None),
        ("bash-5.1.8-9.el9.x86_64.rpm", None),
        ("-1-2.src.rpm", None),
        ("(none)", None),
    ];
    for (file, want) in cases {
        assert_eq!(source_rpm(file), want, "{file}");
    }
}

#[test]
fn truncated_files_are_errors() {
    for f in &FIXTURES {
        let data = fixture_bytes(f);
        for cut in [1, 16, 99, 511, 4096, data.len() / 2, data.len() - 512, data.len() - 1] {
            let got = extract(f.path, &data[..cut]);
            assert!(got.is_err(), "{} cut to {cut} bytes: {:?}", f.file, got.map(|p| p.len()));
        }
    }
}

#[test]
fn garbage_is_an_error_and_empty_is_empty() {
    let mut garbage = vec![0u8; 8192];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for b in &mut garbage {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    for f in &FIXTURES {
        let magic_len = match f.backend {
            "sqlite" => 16,
            "ndb" => 4,
            _ => 0,
        };
        let mut bytes = garbage.clone();
        bytes[..magic_len].copy_from_slice(&fixture_bytes(f)[..magic_len]);
        if f.backend == "bdb_ro" {
            bytes[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        }
        assert!(extract(f.path, &bytes).is_err(), "{}: garbage behind the magic", f.file);
        assert!(extract(f.path, &garbage).is_err(), "{}: garbage", f.file);
        assert!(extract(f.path, b"").unwrap().is_empty(), "{}: empty file", f.file);
    }
}

#[test]
fn corrupted_fixtures_never_panic() {
    // Overwrite bytes all over each real database; every result is fine except a panic.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for f in &FIXTURES {
        let data = fixture_bytes(f);
        let mut errors = 0;
        for _ in 0..300 {
            let mut bytes = data.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            errors += usize::from(extract(f.path, &bytes).is_err());
        }
        eprintln!("{}: {errors} of 300 corrupted copies rejected", f.file);
    }
}

/// A header value: its type, count and big-endian bytes.
type Value = (u32, u32, Vec<u8>);

/// A header blob holding the given (tag, value) entries, values laid out back to back.
fn header_blob(entries: &[(u32, Value)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (tag, (ty, count, value)) in entries {
        while ty == &4 && data.len() % 4 != 0 {
            data.push(0);
        }
        for v in [*tag, *ty, data.len() as u32, *count] {
            index.extend_from_slice(&v.to_be_bytes());
        }
        data.extend_from_slice(value);
    }
    [&(entries.len() as u32).to_be_bytes()[..], &(data.len() as u32).to_be_bytes(), &index, &data].concat()
}

#[test]
fn header_contents_are_checked() {
    let s = |v: &str| (6, 1, format!("{v}\0").into_bytes());
    let arr = |v: &[&str]| (8, v.len() as u32, v.iter().flat_map(|s| format!("{s}\0").into_bytes()).collect());
    let ints = |v: &[u32]| (4, v.len() as u32, v.iter().flat_map(|i| i.to_be_bytes()).collect());
    let with = |extra: Vec<(u32, Value)>| {
        let mut all = vec![(tag::NAME, s("bash")), (tag::VERSION, s("5.1.8")), (tag::RELEASE, s("9.el9"))];
        all.extend(extra);
        header_blob(&all)
    };
    let input = FileInput { path: "var/lib/rpm/rpmdb.sqlite", data: b"" };
    let run = |blob: Vec<u8>| package(&input, "os/rpm", &blob);

    let ok = run(with(vec![
        (tag::EPOCH, ints(&[1])),
        (tag::SOURCERPM, s("bash-5.1.8-9.el9.src.rpm")),
        (tag::DIRNAMES, arr(&["/usr/bin/", "/etc/"])),
        (tag::BASENAMES, arr(&["bash", "bashrc", "sh"])),
        (tag::DIRINDEXES, ints(&[0, 1, 0])),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(ok.version, "1:5.1.8-9.el9");
    assert_eq!(ok.source, Some(SourcePackage { name: "bash".into(), version: "1:5.1.8-9.el9".into() }));
    assert_eq!(ok.locations, ["/var/lib/rpm/rpmdb.sqlite"]);
    assert_eq!(ok.files, ["/usr/bin/bash", "/etc/bashrc", "/usr/bin/sh"]);
    assert!(ok.arch.is_none() && ok.licenses.is_empty());

    let old = run(with(vec![(tag::OLDFILENAMES, arr(&["/bin/bash"]))])).unwrap().unwrap();
    assert_eq!(old.files, ["/bin/bash"], "pre-4.x OLDFILENAMES");

    let pubkey = header_blob(&[(tag::NAME, s("gpg-pubkey")), (tag::VERSION, s("fd431d51"))]);
    assert!(run(pubkey).unwrap().is_none(), "gpg-pubkey is skipped");

    let bad = [
        (
            "dir index past DIRNAMES",
            with(vec![(tag::DIRNAMES, arr(&["/a/"])), (tag::BASENAMES, arr(&["x"])), (tag::DIRINDEXES, ints(&[7]))]),
        ),
        (
            "fewer DIRINDEXES than BASENAMES",
            with(vec![
                (tag::DIRNAMES, arr(&["/a/"])),
                (tag::BASENAMES, arr(&["x", "y"])),
                (tag::DIRINDEXES, ints(&[0])),
            ]),
        ),
        ("BASENAMES alone", with(vec![(tag::BASENAMES, arr(&["x"]))])),
        ("epoch as a string", with(vec![(tag::EPOCH, s("1"))])),
        ("no VERSION", header_blob(&[(tag::NAME, s("bash")), (tag::RELEASE, s("1"))])),
        ("no NAME", header_blob(&[(tag::VERSION, s("1"))])),
    ];
    for (what, blob) in bad {
        let got = run(blob);
        assert!(got.is_err(), "{what}: {got:?}");
    }
}
