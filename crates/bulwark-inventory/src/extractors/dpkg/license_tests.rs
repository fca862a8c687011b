use super::*;

fn copyright(name: &str) -> Vec<String> {
    let path = format!("{}/src/extractors/dpkg/testdata/copyright/{name}", env!("CARGO_MANIFEST_DIR"));
    from_copyright(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

#[test]
fn machine_readable_files_give_every_license_field_mapped_to_spdx() {
    // Expected lists: `grep '^License:' FILE`, first lines in file order, duplicates, empty values
    // and `none` dropped, then each name mapped by hand with the tables above.
    let cases: [(&str, &[&str]); 7] = [
        (
            "bash",
            &[
                "GPL-3.0-or-later",
                "GPL-3+ with Bison exception", // Bison's exception has two SPDX versions: kept as written
                "GPL-2.0-or-later",
                "GFDL-1.3-no-invariants-only",
                "Latex2e",
                "BSD-4-clause-UC and MIT-like", // MIT-like is no SPDX id
                "BSD-4-Clause-UC",
                "MIT-like",
                "permissive",
            ],
        ),
        (
            "coreutils",
            &[
                "GPL-3.0-or-later",
                "GPL-3.0-or-later AND BSD-4-Clause-UC",
                "BSD-4-Clause-UC",
                "GPL-3.0-or-later AND ISC",
                "ISC",
                "FSFULLR",
                "GFDL-1.3-no-invariants-only",
            ],
        ),
        ("zlib1g", &["Zlib"]),
        ("tzdata", &["public-domain"]),
        (
            "liblzma5",
            &[
                "PD",
                "probably-PD",
                "GPL-2.0-or-later",
                "LGPL-2.1-or-later",
                "permissive-fsf",
                "Autoconf",
                "permissive-nowarranty",
                "GPL-2.0-only",
                "config-h",
                "noderivs",
                "PD-debian",
            ],
        ),
        (
            "libsystemd0",
            &[
                "LGPL-2.1-or-later",
                "CC0-1.0",
                "GPL-2.0-only WITH Linux-syscall-note",
                "MIT",
                "public-domain",
                "GPL-2.0-or-later",
            ],
        ),
        (
            "libgmp10",
            &[
                "GPL-2.0-or-later OR LGPL-3.0-or-later",
                "GPL-3.0-or-later",
                "GPL-3+ with Bison exception",
                "GPL-2.0-or-later",
                "LGPL-3.0-or-later",
            ],
        ),
    ];
    for (name, want) in cases {
        assert_eq!(copyright(name), want, "{name}");
    }
}

#[test]
fn free_text_files_give_the_common_licenses_they_refer_to() {
    // Expected: `grep -o '/usr/share/common-licenses/[A-Za-z0-9_.+-]*' FILE`, trailing dot removed,
    // first occurrences in order, mapped. `License:` lines inside free text (libgnutls30) are prose.
    let cases: [(&str, &[&str]); 5] = [
        ("base-files", &["GPL"]),
        ("libc6", &["LGPL-2.1-only", "GPL-2.0-only"]),
        ("libgnutls30", &["LGPL", "LGPL-3.0-only", "GPL", "GPL-3.0-only", "GFDL-1.3-only", "Apache-2.0"]),
        ("libtasn1-6", &["LGPL", "LGPL-2.1-only", "GPL-3.0-only", "GFDL-1.3-only"]),
        // Points at the directory only (`/usr/share/common-licenses/ .`) and names licences in prose.
        ("libcrypt1", &[]),
    ];
    for (name, want) in cases {
        assert_eq!(copyright(name), want, "{name}");
    }
}

#[test]
fn expressions_map_only_when_every_name_maps() {
    let cases = [
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPL-2", "GPL-2.0-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("LGPL-2", "LGPL-2.0-only"),
        ("AGPL-3+", "AGPL-3.0-or-later"),
        ("GFDL-1.2+", "GFDL-1.2-or-later"),
        ("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later"),
        ("Apache-2", "Apache-2.0"),
        ("BSD-3-clause", "BSD-3-Clause"),
        ("Expat", "MIT"),
        ("Artistic", "Artistic-1.0-Perl"),
        ("public-domain", "public-domain"),
        ("GPL", "GPL"),
        ("GPL-4+", "GPL-4+"),
        ("GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0-Perl"),
        ("GPL-1+ or Artistic, and Expat", "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT"),
        ("GPL-1+ or Artistic, and BSD-4-clause-POWERDOG", "GPL-1+ or Artistic, and BSD-4-clause-POWERDOG"),
        ("Expat or GPL-1+ or Artistic", "MIT OR GPL-1.0-or-later OR Artistic-1.0-Perl"),
        ("ISC and/or LGPL-2.1+", "ISC and/or LGPL-2.1+"),
        ("GPL-2 with Linux-syscall-note exception", "GPL-2.0-only WITH Linux-syscall-note"),
        ("GPL-2+ with Texinfo exception or MIT", "GPL-2.0-or-later WITH Texinfo-exception OR MIT"),
        ("GPL-3+ with Autoconf exception", "GPL-3+ with Autoconf exception"),
        ("GPL-2+ with", "GPL-2+ with"),
        ("GPL-2+ or", "GPL-2+ or"),
        (", and MIT", ", and MIT"),
        ("MIT,", "MIT,"),
        ("MIT, GPL-2", "MIT, GPL-2"),
        ("  MIT  ", "MIT"),
    ];
    for (debian, want) in cases {
        assert_eq!(expression(debian), want, "{debian}");
    }
}

#[test]
fn every_mapped_name_is_a_valid_spdx_expression() {
    let mut mapped: Vec<String> = NAMES.iter().map(|(_, id)| id.to_string()).collect();
    for (prefix, _, versions) in GNU {
        for (v, _) in *versions {
            mapped.extend(spdx_name(&format!("{prefix}-{v}")));
            mapped.extend(spdx_name(&format!("{prefix}-{v}+")));
        }
    }
    assert_eq!(mapped.len(), NAMES.len() + 2 * GNU.iter().map(|(_, _, v)| v.len()).sum::<usize>());
    for (exception, _) in EXCEPTIONS {
        mapped.push(expression(&format!("GPL-2 with {exception} exception")));
    }
    mapped.push(expression("GPL-1+ or Artistic, and Expat"));
    for id in &mapped {
        let strict = spdx::ParseMode { allow_deprecated: false, ..spdx::ParseMode::STRICT };
        assert!(spdx::Expression::parse_mode(id, strict).is_ok(), "{id} is not a current SPDX expression");
    }
}

#[test]
fn hostile_copyright_files_never_panic_and_stay_bounded() {
    assert!(from_copyright(b"").is_empty());
    assert!(from_copyright(b"\xff\xfe\x00garbage\n").is_empty());
    assert!(from_copyright(b"Format: x\nLicense: \xff\xfe\n").is_empty());
    assert_eq!(from_copyright(b"\n\n  \nformat: x\nLICENSE: mit\n"), ["MIT"]);
    assert!(from_copyright(b"Format: x\n License: MIT\n").is_empty(), "a continuation line is no field");
    let long = format!("Format: x\nLicense: {}\nLicense: MIT\n", "A".repeat(MAX_LICENSE_LEN + 1));
    assert_eq!(from_copyright(long.as_bytes()), ["MIT"]);
    assert_eq!(from_copyright(b"see /usr/share/common-licenses/"), Vec::<String>::new());
    assert_eq!(from_copyright(b"see /usr/share/common-licenses/GPL-2."), ["GPL-2.0-only"]);
    let many: String =
        std::iter::once("Format: x\n".to_string()).chain((0..1000).map(|i| format!("License: L{i}\n"))).collect();
    let found = from_copyright(many.as_bytes());
    assert_eq!(found.len(), MAX_COMPANION_LICENSES);
    assert_eq!(found[0], "L0");
    let refs = "/usr/share/common-licenses/X".repeat(100_000);
    assert_eq!(from_copyright(refs.as_bytes()).len(), 1, "X/usr/… stops at the slash each time");
}
