use super::*;

const DB: &str = "lib/apk/db/installed";

fn extract(data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    Apk.extract(&FileInput { path: DB, data })
}

/// (name, version, arch, origin, licence, number of owned files) per package.
fn summary(pkgs: &[Package]) -> Vec<(&str, &str, &str, &str, &str, usize)> {
    pkgs.iter()
        .map(|p| {
            let src = p.source.as_ref().expect("apk packages have a source");
            assert_eq!(src.version, p.version);
            assert_eq!(p.locations[0], "/lib/apk/db/installed");
            let license = match p.licenses.as_slice() {
                [] => "",
                [one] => one.as_str(),
                more => panic!("more than one licence: {more:?}"),
            };
            (
                p.name.as_str(),
                p.version.as_str(),
                p.arch.as_deref().unwrap_or(""),
                src.name.as_str(),
                license,
                p.files.len(),
            )
        })
        .collect()
}

#[test]
fn trivy_alpine_database_gives_every_package() {
    let pkgs = extract(include_bytes!("testdata/trivy-apk-valid")).unwrap();
    assert_eq!(
        summary(&pkgs),
        [
            ("musl", "1.1.14-r10", "x86_64", "musl", "MIT", 2),
            ("busybox", "1.24.2-r9", "x86_64", "busybox", "GPL2", 5),
            ("alpine-baselayout", "3.0.3-r0", "x86_64", "alpine-baselayout", "GPL2", 25),
            ("alpine-keys", "1.1-r0", "x86_64", "alpine-keys", "GPL", 5),
            ("zlib", "1.2.8-r2", "x86_64", "zlib", "zlib", 2),
            ("libcrypto1.0", "1.0.2h-r1", "x86_64", "openssl", "openssl", 15),
            ("libssl1.0", "1.0.2h-r1", "x86_64", "openssl", "openssl", 2),
            ("apk-tools", "2.6.7-r0", "x86_64", "apk-tools", "GPL2", 1),
            ("scanelf", "1.1.6-r0", "x86_64", "pax-utils", "GPL2", 1),
            ("musl-utils", "1.1.14-r10", "x86_64", "musl", "MIT BSD GPL2+", 5),
            ("libc-utils", "0.7-r0", "x86_64", "libc-dev", "GPL", 0),
            ("pkgconf", "1.6.0-r0", "x86_64", "pkgconf", "ISC", 5),
            ("sqlite-libs", "3.26.0-r3", "x86_64", "sqlite", "Public-Domain", 2),
            ("test", "2.9.11_pre20061021-r2", "x86_64", "test-parent", "Public-Domain", 4),
            ("ada-libs", "2.7.4-r0", "x86_64", "ada", "( Apache-2.0 OR MIT ) AND MPL-2.0", 2),
        ]
    );
    assert!(pkgs.iter().all(|p| p.kind == PackageKind::Apk && p.found_by == "os/apk" && p.purl.is_empty()));
}

#[test]
fn owned_files_join_the_f_directory_and_r_name() {
    let pkgs = extract(include_bytes!("testdata/trivy-apk-valid")).unwrap();
    let files = |name: &str| pkgs.iter().find(|p| p.name == name).unwrap().files.to_vec();
    assert_eq!(files("musl"), ["/lib/libc.musl-x86_64.so.1", "/lib/ld-musl-x86_64.so.1"]);
    assert_eq!(
        files("busybox"),
        ["/bin/busybox", "/bin/sh", "/etc/securetty", "/etc/udhcpd.conf", "/etc/logrotate.d/acpid"]
    );
    assert_eq!(files("apk-tools"), ["/sbin/apk"]);
}

#[test]
fn other_real_databases() {
    let noarch = extract(include_bytes!("testdata/scalibr-different-arch")).unwrap();
    assert_eq!(
        summary(&noarch),
        [("alpine-baselayout-data", "3.4.3-r1", "noarch", "alpine-baselayout", "GPL-2.0-only", 15)]
    );
    assert_eq!(noarch[0].files[0..2], ["/etc/fstab", "/etc/group"]);
    // Records separated by many blank lines.
    let multiple = extract(include_bytes!("testdata/syft-multiple")).unwrap();
    assert_eq!(
        summary(&multiple),
        [
            ("libc-utils", "0.7.2-r0", "x86_64", "libc-dev", "MPL-2.0 AND MIT", 0),
            ("musl-utils", "1.1.24-r2", "x86_64", "musl", "MIT BSD GPL2+", 5),
        ]
    );
}

#[test]
fn real_corrupt_databases_are_errors_naming_the_line() {
    let cases: [(&[u8], &str); 2] = [
        (include_bytes!("testdata/trivy-apk"), "line 23: package invalidPackageWithoutAVersion has no V (version)"),
        (include_bytes!("testdata/syft-corrupt"), "line 1: expected `X:value`"),
    ];
    for (data, want) in cases {
        let err = extract(data).unwrap_err();
        assert_eq!((err.path.as_str(), err.message.as_str()), ("/lib/apk/db/installed", want));
    }
}

#[test]
fn hostile_inputs_are_errors() {
    let long_dir = format!("P:a\nV:1\nF:{}\n", "d".repeat(MAX_PATH + 1));
    let cases: [(&[u8], &str); 7] = [
        (b"\x7fELF\x02\x01\x01\0", "line 1: expected `X:value`"),
        (b"P:a\nV:1\n:novalue\n", "line 3: expected `X:value`"),
        (b"C:Q1abc=\nV:1\n", "line 1: record has no P (name)"),
        (b"P:a\nV:1\nV:2\n", "line 3: duplicate V field"),
        (b"P:a\nV:\xff\n", "line 2: value is not UTF-8"),
        (b"P:a\nV:1\nF:\xfe\n", "line 3: path is not UTF-8"),
        (long_dir.as_bytes(), "line 3: path longer than 4096 bytes"),
    ];
    for (data, want) in cases {
        let err = extract(data).unwrap_err();
        assert_eq!(err.message, want, "{:?}", String::from_utf8_lossy(data));
    }
}

#[test]
fn empty_databases_have_no_packages() {
    assert!(extract(b"").unwrap().is_empty());
    assert!(extract(b"\n\r\n\n").unwrap().is_empty());
}

#[test]
fn owned_file_paths_stay_within_the_budget() {
    // A long directory repeated for many files would otherwise grow quadratically.
    let mut data = format!("P:a\nV:1\nF:{}\n", "d".repeat(4000)).into_bytes();
    for _ in 0..20_000 {
        data.extend_from_slice(b"R:f\n");
    }
    let pkgs = extract(&data).unwrap();
    let bytes: usize = pkgs[0].files.iter().map(String::len).sum();
    assert!(bytes <= LOCATION_BUDGET, "{bytes}");
    assert_eq!(pkgs[0].files.len(), LOCATION_BUDGET / 4003);
}

#[test]
fn every_truncation_of_a_real_database_parses_or_errors_without_panicking() {
    let data = include_bytes!("testdata/trivy-apk-valid");
    for end in 0..data.len() {
        if let Ok(pkgs) = extract(&data[..end]) {
            assert!(pkgs.len() <= 15);
        }
    }
}

#[test]
fn wants_only_the_installed_database() {
    let cases = [
        (DB, true),
        ("rootfs/lib/apk/db/installed", true),
        ("lib/apk/db/installed.new", false),
        ("lib/apk/db/lock", false),
        ("mylib/apk/db/installed", false),
        ("lib/apk/db/installed/x", false),
    ];
    for (path, want) in cases {
        assert_eq!(Apk.wants(&FileMeta { path, size: 1, mode: 0o644 }), want, "{path}");
    }
}
