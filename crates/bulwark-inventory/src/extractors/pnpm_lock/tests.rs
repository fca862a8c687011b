use super::*;

/// Directory holding this extractor's fixtures.
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/pnpm_lock/testdata");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TESTDATA}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn extract_at(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    PnpmLock.extract(&FileInput { path, data })
}

/// (name, version), sorted.
fn summary(pkgs: &[Package]) -> Vec<(String, String)> {
    let mut out: Vec<_> = pkgs.iter().map(|p| (p.name.clone(), p.version.clone())).collect();
    out.sort();
    out
}

/// What pnpm 7, 8 and 9 locked for the fixture workspace (see testdata/README.md); the workspace
/// `@fixture/util` and the directory dependency `local-dir` are the project's own code.
const LOCKED: &[(&str, &str)] = &[
    ("@babel/code-frame", "7.23.5"),
    ("@babel/helper-validator-identifier", "7.29.7"),
    ("@babel/highlight", "7.25.9"),
    ("ansi-regex", "5.0.1"),
    ("ansi-styles", "3.2.1"),
    ("chalk", "2.4.2"),
    ("color-convert", "1.9.3"),
    ("color-name", "1.1.3"),
    ("debug", "2.6.9"),
    ("emoji-regex", "8.0.0"),
    ("escape-string-regexp", "1.0.5"),
    ("has-flag", "3.0.0"),
    ("is-fullwidth-code-point", "3.0.0"),
    ("is-number", "7.0.0"),
    ("js-tokens", "4.0.0"),
    ("loose-envify", "1.4.0"),
    ("ms", "2.0.0"),
    ("ms", "2.1.3"),
    ("picocolors", "1.1.1"),
    ("react", "18.2.0"),
    // Locked with a peer suffix: `_react@18.2.0` (5.4), `(react@18.2.0)` (6.0, 9.0 snapshots).
    ("react-dom", "18.2.0"),
    ("scheduler", "0.23.2"),
    ("semver", "5.7.3"),
    // Also reached through the alias `string-width-cjs`.
    ("string-width", "4.2.3"),
    ("strip-ansi", "6.0.1"),
    ("supports-color", "5.5.0"),
];

#[test]
fn lockfiles_of_pnpm_7_8_and_9_list_the_same_packages() {
    let want: Vec<_> = LOCKED.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    for file in ["v5-pnpm-lock.yaml", "v6-pnpm-lock.yaml", "v9-pnpm-lock.yaml"] {
        let pkgs = extract_at("srv/app/pnpm-lock.yaml", &read(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary(&pkgs), want, "{file}");
        assert_eq!(pkgs.len(), LOCKED.len(), "{file}: one package per name and version");
        assert!(pkgs.iter().all(|p| p.locations == vec!["/srv/app/pnpm-lock.yaml".to_string()]));
        assert!(pkgs.iter().all(|p| p.kind == PackageKind::Npm && p.found_by == "lang/pnpm-lock"));
    }
}

#[test]
fn keys_of_each_syntax() {
    type Case = (&'static str, KeySyntax, Option<(&'static str, &'static str)>);
    let cases: &[Case] = &[
        ("/ms/2.1.3", KeySyntax::Slash, Some(("ms", "2.1.3"))),
        ("/@babel/code-frame/7.23.5", KeySyntax::Slash, Some(("@babel/code-frame", "7.23.5"))),
        ("/react-dom/18.2.0_react@18.2.0", KeySyntax::Slash, Some(("react-dom", "18.2.0"))),
        ("/@x/y/1.0.0_@types+react@18.0.0", KeySyntax::Slash, Some(("@x/y", "1.0.0"))),
        ("file:local", KeySyntax::Slash, None),
        ("/@babel", KeySyntax::Slash, None),
        ("/ms/", KeySyntax::Slash, None),
        ("/react-dom@18.2.0(react@18.2.0)", KeySyntax::At, Some(("react-dom", "18.2.0"))),
        ("/@babel/code-frame@7.23.5", KeySyntax::At, Some(("@babel/code-frame", "7.23.5"))),
        ("react-dom@18.2.0(react@18.2.0)(@types/react@18.0.0)", KeySyntax::At, Some(("react-dom", "18.2.0"))),
        ("@babel/code-frame@7.23.5", KeySyntax::At, Some(("@babel/code-frame", "7.23.5"))),
        ("@babel/code-frame", KeySyntax::At, None),
        ("ms@", KeySyntax::At, None),
        ("", KeySyntax::At, None),
    ];
    for (key, syntax, want) in cases {
        assert_eq!(parse_key(key, *syntax), *want, "{key}");
    }
}

#[test]
fn lockfile_versions() {
    let v = |s: &str| serde_yaml::from_str::<Value>(s).unwrap_or(Value::Null);
    assert_eq!(key_syntax(&v("5.4")), Ok(KeySyntax::Slash));
    assert_eq!(key_syntax(&v("'5.3'")), Ok(KeySyntax::Slash));
    assert_eq!(key_syntax(&v("'6.0'")), Ok(KeySyntax::At));
    assert_eq!(key_syntax(&v("'9.0'")), Ok(KeySyntax::At));
    assert!(key_syntax(&v("'x'")).is_err());
    assert!(key_syntax(&v("[6]")).is_err());
}

#[test]
fn wants_pnpm_lock_outside_installed_packages() {
    let wants = |path: &str| PnpmLock.wants(&FileMeta { path, size: 1000, mode: 0o644 });
    assert!(wants("pnpm-lock.yaml"));
    assert!(wants("srv/app/pnpm-lock.yaml"));
    assert!(!wants("srv/app/node_modules/x/pnpm-lock.yaml"));
    assert!(!wants("srv/app/pnpm-lock.yml"));
    assert!(!wants("srv/app/pnpm-workspace.yaml"));
}

#[test]
fn lockfiles_without_packages_are_empty() {
    for data in [&b""[..], b"lockfileVersion: '9.0'\n", b"lockfileVersion: '9.0'\npackages: {}\nsnapshots:\n"] {
        let pkgs = extract_at("pnpm-lock.yaml", data).unwrap_or_else(|e| panic!("{e}"));
        assert!(pkgs.is_empty(), "{}", String::from_utf8_lossy(data));
    }
}

#[test]
fn malformed_lockfiles_are_errors_naming_the_file() {
    let real = read("v9-pnpm-lock.yaml");
    let cut = &real[..real.len() / 3];
    let deep = format!("lockfileVersion: '9.0'\npackages:\n  a@1: {{x: {}}}\n", "{a: ".repeat(100_000));
    let cases: Vec<(&[u8], &str)> = vec![
        (cut, "invalid YAML"),
        (b"\x00\x01\x02\x03", "invalid YAML"),
        (b"- a\n- b\n", "invalid YAML: invalid type: sequence"),
        (b"packages:\n  /a/1.0.0: {}\n", "no lockfileVersion"),
        (b"lockfileVersion: [5]\npackages: {}\n", "lockfileVersion is a sequence"),
        (b"lockfileVersion: 'next'\npackages: {}\n", "invalid lockfileVersion \"next\""),
        (b"lockfileVersion: '9.0'\npackages: [a@1]\n", "invalid type: sequence"),
        (b"lockfileVersion: '9.0'\npackages:\n  a@1: 'x'\n", "invalid type: string"),
        (b"lockfileVersion: '9.0'\npackages:\n  a@1:\n    version: [1]\n", "packages[\"a@1\"].version is a sequence"),
        (b"lockfileVersion: '9.0'\nsnapshots:\n  a@1:\n    name: {}\n", "snapshots[\"a@1\"].name is a mapping"),
        (b"lockfileVersion: 5.4\npackages:\n  weird-key: {}\n", "packages[\"weird-key\"]: cannot read a package name"),
        (
            b"lockfileVersion: '6.0'\npackages:\n  /nameonly: {}\n",
            "packages[\"/nameonly\"]: cannot read a package name",
        ),
        (deep.as_bytes(), "line 3: flow collections nested deeper than 64 levels"),
    ];
    for (data, want) in cases {
        let err = extract_at("app/pnpm-lock.yaml", data).err().unwrap_or_else(|| panic!("{want}: no error"));
        let msg = err.to_string();
        assert!(msg.starts_with("/app/pnpm-lock.yaml: "), "{msg}");
        assert!(msg.contains(want), "{msg} does not contain {want}");
    }
}
