use super::*;

/// Directory holding this extractor's fixtures.
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/python/testdata");

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{TESTDATA}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn extract_at(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    Python.extract(&FileInput { path, data })
}

fn wants(path: &str) -> bool {
    Python.wants(&FileMeta { path, size: 100, mode: 0o644 })
}

/// (name, version, licences) of one package.
fn summary(p: &Package) -> (String, String, Vec<String>) {
    (p.name.clone(), p.version.clone(), p.licenses.clone())
}

/// The app-python corpus image's venv (layer 2), as listed in its truth.json `python_packages`,
/// plus PyJWT which layer 6 deletes again.
const CORPUS: &[(&str, &str, &str, &[&str])] = &[
    ("Django-2.2.dist-info/METADATA", "Django", "2.2", &["BSD"]),
    ("Jinja2-2.10.dist-info/METADATA", "Jinja2", "2.10", &["BSD"]),
    ("Pillow-9.3.0.dist-info/METADATA", "Pillow", "9.3.0", &["HPND"]),
    ("PyJWT-1.5.0.dist-info/METADATA", "PyJWT", "1.5.0", &["MIT"]),
    ("PyYAML-5.3.egg-info/PKG-INFO", "PyYAML", "5.3", &["MIT"]),
    ("certifi-2026.10.18.dist-info/METADATA", "certifi", "2026.10.18", &["MPL-2.0"]),
    // PEP 639 `License-Expression` wins.
    ("cffi-2.1.1.dist-info/METADATA", "cffi", "2.1.1", &["MIT-0"]),
    ("chardet-3.0.4.dist-info/METADATA", "chardet", "3.0.4", &["LGPL"]),
    ("cryptography-3.3.2.dist-info/METADATA", "cryptography", "3.3.2", &["BSD or Apache License, Version 2.0"]),
    ("idna-2.7.dist-info/METADATA", "idna", "2.7", &["BSD-like"]),
    ("markupsafe-3.0.4.dist-info/METADATA", "MarkupSafe", "3.0.4", &["BSD-3-Clause"]),
    ("pip-23.0.1.dist-info/METADATA", "pip", "23.0.1", &["MIT"]),
    ("pycparser-3.12.dist-info/METADATA", "pycparser", "3.12", &["BSD-3-Clause"]),
    ("pytz-2026.6.dist-info/METADATA", "pytz", "2026.6", &["MIT"]),
    ("requests-2.19.1.dist-info/METADATA", "requests", "2.19.1", &["Apache 2.0"]),
    // No `License` field: the classifier.
    ("setuptools-66.1.1.dist-info/METADATA", "setuptools", "66.1.1", &["MIT License"]),
    ("six-1.17.0.dist-info/METADATA", "six", "1.17.0", &["MIT"]),
    // Metadata 2.5 with only `License-File` and a classifier.
    ("sqlparse-0.6.1.dist-info/METADATA", "sqlparse", "0.6.1", &["BSD License"]),
    ("urllib3-1.23.dist-info/METADATA", "urllib3", "1.23", &["MIT"]),
];

#[test]
fn corpus_venv_distributions_match_the_truth() {
    for (rel, name, version, licenses) in CORPUS {
        let path = format!("opt/venv/lib/python3.11/site-packages/{rel}");
        assert!(wants(&path), "{path} not wanted");
        let pkgs = extract_at(&path, &read(&format!("site-packages/{rel}"))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pkgs.len(), 1, "{rel}");
        let want = (name.to_string(), version.to_string(), licenses.iter().map(|s| s.to_string()).collect());
        assert_eq!(summary(&pkgs[0]), want, "{rel}");
        assert_eq!(pkgs[0].kind, PackageKind::Python);
        assert_eq!(pkgs[0].locations, vec![format!("/{path}")]);
        assert_eq!(pkgs[0].found_by, "lang/python");
        assert!(pkgs[0].arch.is_none() && pkgs[0].source.is_none() && pkgs[0].purl.is_empty());
    }
}

#[test]
fn every_corpus_fixture_is_in_the_table() {
    let dir = format!("{TESTDATA}/site-packages");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    found.sort();
    let mut listed: Vec<String> =
        CORPUS.iter().map(|c| c.0.split('/').next().unwrap_or_default().to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn debian_dist_packages_and_other_layouts() {
    let cases: &[(&str, &str, &str, &str, &[&str])] = &[
        // python3-rpm: a single-file egg-info, Metadata-Version 1.0.
        (
            "usr/lib/python3/dist-packages/rpm-4.18.0.egg-info",
            "dist-packages/rpm-4.18.0.egg-info",
            "rpm",
            "4.18.0",
            &["GNU General Public License v2"],
        ),
        // python3-cryptography ships an egg-info directory whose name has no version.
        (
            "usr/lib/python3/dist-packages/cryptography.egg-info/PKG-INFO",
            "dist-packages/cryptography.egg-info/PKG-INFO",
            "cryptography",
            "38.0.4",
            &["BSD-3-Clause OR Apache-2.0"],
        ),
        (
            "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
            "dist-packages/PyYAML-6.0.dist-info/METADATA",
            "PyYAML",
            "6.0",
            &["MIT"],
        ),
        // `License:` holds the whole licence text over many continuation lines (some only
        // spaces): the classifier is reported, and the fields after the text are still read.
        (
            "root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/traitlets-5.15.0.dist-info/METADATA",
            "pyenv/traitlets-5.15.0.dist-info/METADATA",
            "traitlets",
            "5.15.0",
            &["BSD License"],
        ),
    ];
    for (path, rel, name, version, licenses) in cases {
        assert!(wants(path), "{path}");
        let pkgs = extract_at(path, &read(rel)).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = pkgs.iter().map(summary).collect();
        let want = vec![(name.to_string(), version.to_string(), licenses.iter().map(|s| s.to_string()).collect())];
        assert_eq!(got, want, "{path}");
    }
}

#[test]
fn crlf_line_endings_parse_the_same() {
    let lf = read("site-packages/Django-2.2.dist-info/METADATA");
    let crlf = String::from_utf8_lossy(&lf).replace('\n', "\r\n");
    let path = "x/Django-2.2.dist-info/METADATA";
    let a: Vec<_> = extract_at(path, &lf).unwrap_or_else(|e| panic!("{e}")).iter().map(summary).collect();
    let b: Vec<_> = extract_at(path, crlf.as_bytes()).unwrap_or_else(|e| panic!("{e}")).iter().map(summary).collect();
    assert_eq!(a, b);
}

#[test]
fn the_description_body_is_not_read_as_headers() {
    // certifi's body is markdown; a `Version:` line in a body must not override the header.
    let mut data = read("site-packages/six-1.17.0.dist-info/METADATA");
    data.extend_from_slice(b"\nName: not-six\nVersion: 0\n");
    let pkgs = extract_at("six-1.17.0.dist-info/METADATA", &data).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((pkgs[0].name.as_str(), pkgs[0].version.as_str()), ("six", "1.17.0"));
}

#[test]
fn wants_only_metadata_files() {
    for path in [
        "opt/venv/lib/python3.11/site-packages/six-1.17.0.dist-info/METADATA",
        "usr/lib/python3/dist-packages/PyGObject-3.42.2.egg-info/PKG-INFO",
        "usr/lib/python3/dist-packages/rpm-4.18.0.egg-info",
        "usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/EGG-INFO/PKG-INFO",
        "src/mypkg.egg-info/PKG-INFO",
    ] {
        assert!(wants(path), "{path}");
    }
    for path in [
        "opt/venv/lib/python3.11/site-packages/six-1.17.0.dist-info/RECORD",
        "opt/venv/lib/python3.11/site-packages/six-1.17.0.dist-info/WHEEL",
        "usr/lib/python3/dist-packages/PyGObject-3.42.2.egg-info/requires.txt",
        "work/project/PKG-INFO",
        "work/project/METADATA",
        "usr/share/doc/metadata",
    ] {
        assert!(!wants(path), "{path}");
    }
}

#[test]
fn malformed_metadata_is_an_error_naming_the_file_and_line() {
    let path = "site-packages/x-1.dist-info/METADATA";
    let cases: &[(&[u8], &str)] = &[
        (b"", "no Name field"),
        (b"Metadata-Version: 2.1\nName: x\n", "no Version field"),
        (b"Metadata-Version: 2.1\nVersion: 1\n\nName: x\n", "no Name field"),
        (b"Name: x\nVersion:\n", "line 2: empty Version field"),
        (b"  leading continuation\nName: x\n", "line 1: continuation line before any field"),
        (b"Name: x\nthis line has no colon\nVersion: 1\n", "line 2: expected `Field: value`"),
        (b": no field name\n", "line 1: invalid field name"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", "line 1: expected `Field: value`"),
    ];
    for (data, want) in cases {
        let err = extract_at(path, data).err().unwrap_or_else(|| panic!("{want}: no error"));
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("/{path}: ")), "{msg}");
        assert!(msg.contains(want), "{msg} does not contain {want}");
    }
}

#[test]
fn truncated_real_metadata_never_panics() {
    let data = read("site-packages/requests-2.19.1.dist-info/METADATA");
    let version_end = 53; // end of the `Version: 2.19.1` line
    assert_eq!(&data[version_end - 16..version_end], b"Version: 2.19.1\n");
    for cut in 0..data.len().min(2000) {
        let result = extract_at("requests-2.19.1.dist-info/METADATA", &data[..cut]);
        // A cut at a line end after `Version` leaves a complete (shorter) header.
        if cut > version_end && data[cut - 1] == b'\n' {
            let pkgs = result.unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            assert_eq!((pkgs[0].name.as_str(), pkgs[0].version.as_str()), ("requests", "2.19.1"));
        }
    }
}

#[test]
fn licence_fallbacks() {
    let cases: &[(&str, &[&str])] = &[
        ("Name: a\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n", &["MIT License"]),
        ("Name: a\nVersion: 1\nLicense-Expression: MIT\nLicense: BSD\n", &["MIT"]),
        ("Name: a\nVersion: 1\nClassifier: License :: OSI Approved\n", &[]),
        (
            "Name: a\nVersion: 1\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: MIT License\n",
            &["MIT License"],
        ),
    ];
    for (text, want) in cases {
        let pkgs = extract_at("a-1.dist-info/METADATA", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pkgs[0].licenses, want.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{text}");
    }
}
