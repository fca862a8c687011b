use super::*;

/// The (path, contents) list `detect` takes.
type Found<'a> = &'a [(&'a str, &'a [u8])];

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("testdata/", $name)).as_slice()
    };
}

fn os(id: &str, version_id: &str, pretty: &str, codename: Option<&str>, point: Option<&str>, src: &str) -> OsRelease {
    OsRelease {
        id: id.into(),
        version_id: version_id.into(),
        pretty_name: pretty.into(),
        codename: codename.map(Into::into),
        point_release: point.map(Into::into),
        source_path: src.into(),
    }
}

#[test]
fn debian_images_combine_os_release_and_debian_version() {
    let cases: [(Found<'_>, OsRelease); 4] = [
        (
            &[
                ("etc/os-release", fixture!("debian-min/os-release")),
                ("usr/lib/os-release", fixture!("debian-min/os-release")),
                ("etc/debian_version", fixture!("debian-min/debian_version")),
            ],
            os("debian", "12", "Debian GNU/Linux 12 (bookworm)", Some("bookworm"), Some("12.15"), "/etc/os-release"),
        ),
        (
            &[
                ("etc/debian_version", fixture!("debian-12-host/debian_version")),
                ("usr/lib/os-release", fixture!("debian-12-host/os-release")),
            ],
            os(
                "debian",
                "12",
                "Debian GNU/Linux 12 (bookworm)",
                Some("bookworm"),
                Some("12.11"),
                "/usr/lib/os-release",
            ),
        ),
        (
            &[("etc/os-release", fixture!("debian-min/os-release"))],
            os("debian", "12", "Debian GNU/Linux 12 (bookworm)", Some("bookworm"), None, "/etc/os-release"),
        ),
        (
            &[("etc/debian_version", fixture!("debian-min/debian_version"))],
            os(
                "debian",
                "12",
                "Debian GNU/Linux 12 (bookworm)",
                Some("bookworm"),
                Some("12.15"),
                "/etc/debian_version",
            ),
        ),
    ];
    for (found, want) in cases {
        assert_eq!(detect(found), Some(want));
    }
}

#[test]
fn os_release_files_of_other_distributions() {
    let cases: [(&[u8], OsRelease); 9] = [
        (fixture!("trivy/alpine-os-release"), os("alpine", "3.15.4", "Alpine Linux v3.15", None, None, "")),
        (
            fixture!("claircore/alpine-edge-os-release"),
            os("alpine", "3.19_alpha20230901", "Alpine Linux edge", None, None, ""),
        ),
        (fixture!("trivy/rhel-os-release"), os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)", None, None, "")),
        (
            fixture!("claircore/ubi8-os-release"),
            os("rhel", "8.0", "Red Hat Enterprise Linux 8.0 (Ootpa)", None, None, ""),
        ),
        (fixture!("trivy/rocky-os-release"), os("rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)", None, None, "")),
        (fixture!("trivy/alma-os-release"), os("almalinux", "9.4", "AlmaLinux 9.4 (Seafoam Ocelot)", None, None, "")),
        (fixture!("trivy/centos-os-release"), os("centos", "7", "CentOS Linux 7 (Core)", None, None, "")),
        (
            fixture!("claircore/ubuntu-bionic-os-release"),
            os("ubuntu", "18.04", "Ubuntu 18.04.3 LTS", Some("bionic"), None, ""),
        ),
        (b"ID=RedHat\nNAME=\"Custom\"\nVERSION=\"1 (x)\"\n", os("rhel", "", "Custom 1 (x)", None, None, "")),
    ];
    for (data, mut want) in cases {
        want.source_path = "/etc/os-release".into();
        // A Debian-looking debian_version must not leak into a non-Debian identity.
        let found: &[(&str, &[u8])] = &[("etc/os-release", data), ("etc/debian_version", b"buster/sid\n")];
        assert_eq!(detect(found), Some(want));
    }
}

#[test]
fn release_files_without_os_release() {
    let cases: [(&str, &[u8], OsRelease); 10] = [
        (
            "etc/alpine-release",
            fixture!("trivy/alpine-release"),
            os("alpine", "3.15.4", "Alpine Linux 3.15.4", None, None, ""),
        ),
        (
            "etc/redhat-release",
            fixture!("claircore/oracle-9-redhat-release"),
            os("rhel", "9.3", "Red Hat Enterprise Linux release 9.3 (Plow)", Some("Plow"), None, ""),
        ),
        (
            "etc/redhat-release",
            fixture!("claircore/atomichost-7-redhat-release"),
            os("rhel", "7.9", "Red Hat Enterprise Linux Atomic Host release 7.9", None, None, ""),
        ),
        (
            "etc/redhat-release",
            fixture!("claircore/rhel-3-redhat-release"),
            os("rhel", "3.1", "Red Hat Enterprise Linux Server release 3.1 (Taroon)", Some("Taroon"), None, ""),
        ),
        (
            "etc/redhat-release",
            fixture!("trivy/coreos-redhat-release"),
            os("rhcos", "4.16", "Red Hat Enterprise Linux CoreOS release 4.16", None, None, ""),
        ),
        (
            "etc/centos-release",
            fixture!("trivy/centos-release"),
            os("centos", "7.6.1810", "CentOS Linux release 7.6.1810 (Core)", Some("Core"), None, ""),
        ),
        (
            "etc/rocky-release",
            fixture!("trivy/rocky-release"),
            os("rocky", "8.4", "Rocky Linux release 8.4 (Green Obsidian)", Some("Green Obsidian"), None, ""),
        ),
        (
            "etc/almalinux-release",
            fixture!("trivy/almalinux-release"),
            os("almalinux", "8.4", "AlmaLinux release 8.4 (Electric Cheetah)", Some("Electric Cheetah"), None, ""),
        ),
        (
            "etc/debian_version",
            fixture!("trivy/debian_version-sid"),
            os("debian", "", "Debian GNU/Linux buster/sid", Some("buster"), None, ""),
        ),
        (
            "etc/lsb-release",
            fixture!("elementary-lsb-release"),
            os("elementary", "6", "elementary OS 6 Odin", Some("odin"), None, ""),
        ),
    ];
    for (path, data, mut want) in cases {
        want.source_path = format!("/{path}");
        assert_eq!(detect(&[(path, data)]), Some(want), "{path}");
    }
}

#[test]
fn higher_priority_files_win() {
    let rocky_with_redhat_release: &[(&str, &[u8])] = &[
        ("etc/redhat-release", fixture!("trivy/rocky-release")),
        ("etc/system-release", fixture!("trivy/rocky-release")),
        ("usr/lib/os-release", fixture!("trivy/rocky-os-release")),
    ];
    let got = detect(rocky_with_redhat_release).unwrap();
    assert_eq!(
        (got.id.as_str(), got.version_id.as_str(), got.source_path.as_str()),
        ("rocky", "9.3", "/usr/lib/os-release")
    );

    // Ubuntu without os-release: lsb-release outranks Ubuntu's `bookworm/sid` debian_version.
    let ubuntu_like: &[(&str, &[u8])] =
        &[("etc/debian_version", b"bookworm/sid\n"), ("/etc/lsb-release", fixture!("elementary-lsb-release"))];
    assert_eq!(detect(ubuntu_like).unwrap().id, "elementary");

    // etc/os-release outranks usr/lib/os-release.
    let both: &[(&str, &[u8])] = &[
        ("usr/lib/os-release", fixture!("trivy/alpine-os-release")),
        ("etc/os-release", fixture!("trivy/rhel-os-release")),
    ];
    assert_eq!(detect(both).unwrap().id, "rhel");
}

#[test]
fn unusable_files_fall_through_or_give_none() {
    let no_id: &[(&str, &[u8])] = &[
        ("etc/os-release", b"NAME=\"Mystery\"\nVERSION_ID=1\n"),
        ("etc/debian_version", fixture!("debian-min/debian_version")),
    ];
    assert_eq!(detect(no_id).unwrap().source_path, "/etc/debian_version");

    let garbage: [&[(&str, &[u8])]; 7] = [
        &[],
        &[("etc/hostname", b"corpus\n")],
        &[("etc/os-release", b"\x7fELF\x02\x01\x01\0\0\0\0")],
        &[("etc/alpine-release", b"not a version\n")],
        &[("etc/redhat-release", b"Plan 9 release 4 (Brazil)\n")],
        &[("etc/redhat-release", b"Red Hat Enterprise Linux release (none)\n")],
        &[("etc/debian_version", b"\n\n")],
    ];
    for found in garbage {
        assert_eq!(detect(found), None, "{found:?}");
    }
}

#[test]
fn huge_release_files_are_read_only_in_part() {
    let mut data = b"ID=alpine\nVERSION_ID=3.20.0\n".to_vec();
    data.resize(50 << 20, b'#');
    data.extend_from_slice(b"\nID=rhel\n");
    let got = detect(&[("etc/os-release", &data)]).unwrap();
    assert_eq!((got.id.as_str(), got.version_id.as_str()), ("alpine", "3.20.0"));
}

#[test]
fn os_files_are_recognised_with_or_without_leading_slash() {
    for path in OS_FILES {
        assert!(is_os_file(path));
        assert!(is_os_file(&format!("/{path}")));
        assert!(is_os_file(&format!("./{path}")));
    }
    for path in ["etc/os-release.d", "etc/passwd", "x/etc/os-release", "usr/lib/os-release/x", ""] {
        assert!(!is_os_file(path), "{path}");
    }
}
