use super::*;
use crate::extractors::npm_installed::NpmInstalled;

/// Directory holding this extractor's fixtures.
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/npm_lock/testdata");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TESTDATA}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn extract_at(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    NpmLock.extract(&FileInput { path, data })
}

fn wants(path: &str) -> bool {
    NpmLock.wants(&FileMeta { path, size: 1000, mode: 0o644 })
}

/// (name, version, licences), sorted.
fn summary(pkgs: &[Package]) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = pkgs.iter().map(|p| (p.name.clone(), p.version.clone(), p.licenses.clone())).collect();
    out.sort();
    out
}

/// What npm 11 locked for `lodash@4.17.21 @types/node@20.11.0 express@4.18.2 lodash-legacy@npm:lodash@4.17.4`
/// plus `-D semver@5.7.2` in a workspace root with one workspace `@fixture/util` (a link, not listed).
const GENERATED: &[(&str, &str, &str)] = &[
    ("@types/node", "20.11.0", "MIT"),
    ("accepts", "1.3.8", "MIT"),
    ("array-flatten", "1.1.1", "MIT"),
    ("async-function", "1.0.0", "MIT"),
    ("async-generator-function", "1.0.0", "MIT"),
    ("body-parser", "1.20.1", "MIT"),
    ("bytes", "3.1.2", "MIT"),
    ("call-bind-apply-helpers", "1.0.2", "MIT"),
    ("call-bound", "1.0.4", "MIT"),
    ("content-disposition", "0.5.4", "MIT"),
    ("content-type", "1.0.5", "MIT"),
    ("cookie", "0.5.0", "MIT"),
    ("cookie-signature", "1.0.6", "MIT"),
    ("debug", "2.6.9", "MIT"),
    ("depd", "2.0.0", "MIT"),
    ("destroy", "1.2.0", "MIT"),
    ("dunder-proto", "1.0.1", "MIT"),
    ("ee-first", "1.1.1", "MIT"),
    ("encodeurl", "1.0.4", "MIT"),
    ("es-define-property", "1.0.1", "MIT"),
    ("es-errors", "1.3.0", "MIT"),
    ("es-object-atoms", "1.1.2", "MIT"),
    ("escape-html", "1.0.3", "MIT"),
    ("etag", "1.8.1", "MIT"),
    ("express", "4.18.2", "MIT"),
    ("finalhandler", "1.2.0", "MIT"),
    ("forwarded", "0.2.0", "MIT"),
    ("fresh", "0.5.2", "MIT"),
    ("function-bind", "1.1.2", "MIT"),
    ("generator-function", "2.0.1", "MIT"),
    ("get-intrinsic", "1.3.1", "MIT"),
    ("get-proto", "1.0.1", "MIT"),
    ("gopd", "1.2.0", "MIT"),
    ("has-symbols", "1.1.0", "MIT"),
    ("hasown", "2.0.4", "MIT"),
    ("http-errors", "2.0.0", "MIT"),
    ("iconv-lite", "0.4.24", "MIT"),
    ("inherits", "2.0.4", "ISC"),
    ("ipaddr.js", "1.9.1", "MIT"),
    ("lodash", "4.17.21", "MIT"),
    ("lodash", "4.17.4", "MIT"),
    ("math-intrinsics", "1.1.0", "MIT"),
    ("media-typer", "0.3.0", "MIT"),
    ("merge-descriptors", "1.0.1", "MIT"),
    ("methods", "1.1.2", "MIT"),
    ("mime", "1.6.0", "MIT"),
    ("mime-db", "1.52.0", "MIT"),
    ("mime-types", "2.1.35", "MIT"),
    ("ms", "2.0.0", "MIT"),
    ("ms", "2.1.3", "MIT"),
    ("negotiator", "0.6.3", "MIT"),
    ("object-inspect", "1.14.0", "MIT"),
    ("on-finished", "2.4.1", "MIT"),
    ("parseurl", "1.3.3", "MIT"),
    ("path-to-regexp", "0.1.7", "MIT"),
    ("proxy-addr", "2.0.8", "MIT"),
    ("qs", "6.11.0", "BSD-3-Clause"),
    ("range-parser", "1.2.1", "MIT"),
    ("raw-body", "2.5.1", "MIT"),
    ("safe-buffer", "5.2.1", "MIT"),
    ("safer-buffer", "2.1.2", "MIT"),
    ("semver", "5.7.2", "ISC"),
    ("send", "0.18.0", "MIT"),
    ("serve-static", "1.15.0", "MIT"),
    ("setprototypeof", "1.2.0", "ISC"),
    ("side-channel", "1.1.1", "MIT"),
    ("side-channel-list", "1.0.1", "MIT"),
    ("side-channel-map", "1.0.1", "MIT"),
    ("side-channel-weakmap", "1.0.2", "MIT"),
    ("statuses", "2.0.1", "MIT"),
    ("toidentifier", "1.0.1", "MIT"),
    ("type-is", "1.6.18", "MIT"),
    ("undici-types", "5.26.5", "MIT"),
    ("unpipe", "1.0.0", "MIT"),
    ("utils-merge", "1.0.1", "MIT"),
    ("vary", "1.1.2", "MIT"),
];

#[test]
fn generated_lockfiles_of_every_version_list_the_same_packages() {
    for version in [1, 2, 3] {
        let path = "srv/app/package-lock.json";
        let pkgs = extract_at(path, &read(&format!("v{version}-package-lock.json"))).unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<_> = GENERATED
            .iter()
            .map(|(n, v, l)| {
                // Version 1 records no licences.
                let licenses = if version == 1 { vec![] } else { vec![l.to_string()] };
                (n.to_string(), v.to_string(), licenses)
            })
            .collect();
        assert_eq!(summary(&pkgs), want, "lockfile version {version}");
        assert!(pkgs.iter().all(|p| p.locations == vec!["/srv/app/package-lock.json".to_string()]));
        assert!(pkgs.iter().all(|p| p.kind == PackageKind::Npm && p.found_by == "lang/npm-lock"));
    }
}

#[test]
fn corpus_lockfile_matches_what_is_installed() {
    let pkgs =
        extract_at("app/node/package-lock.json", &read("corpus-package-lock.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pkgs.len(), 53);
    // The same image's node_modules, read by the installed-package extractor.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/npm_installed/testdata/corpus/node_modules");
    let mut installed = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = format!("app/node/node_modules/{}", path.strip_prefix(dir).unwrap_or(&path).display());
            if NpmInstalled.wants(&FileMeta { path: &rel, size: 0, mode: 0o644 }) {
                let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
                installed.extend(
                    NpmInstalled.extract(&FileInput { path: &rel, data: &data }).unwrap_or_else(|e| panic!("{e}")),
                );
            }
        }
    }
    assert_eq!(summary(&pkgs), summary(&installed));
    let express = pkgs.iter().find(|p| p.name == "express").map(|p| p.version.as_str());
    assert_eq!(express, Some("4.16.0"));
}

#[test]
fn hidden_lockfile_is_read_like_a_v3_lockfile() {
    // node_modules/.package-lock.json has the v3 `packages` shape without the root entry.
    let path = "app/node_modules/.package-lock.json";
    assert!(wants(path));
    let pkgs = extract_at(path, &read("v3-package-lock.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pkgs.len(), GENERATED.len());
}

#[test]
fn wants_lockfiles_but_not_those_inside_installed_packages() {
    for path in [
        "package-lock.json",
        "app/node/package-lock.json",
        "srv/npm-shrinkwrap.json",
        "node_modules/.package-lock.json",
        "app/node_modules/.package-lock.json",
    ] {
        assert!(wants(path), "{path}");
    }
    for path in [
        "app/node_modules/left-pad/package-lock.json",
        "app/node_modules/left-pad/npm-shrinkwrap.json",
        "app/.package-lock.json",
        "app/package.json",
        "app/package-lock.json.orig",
        "app/yarn.lock",
    ] {
        assert!(!wants(path), "{path}");
    }
}

#[test]
fn split_name_version_handles_scopes() {
    assert_eq!(split_name_version("lodash@4.17.4"), Some(("lodash", "4.17.4")));
    assert_eq!(split_name_version("@types/node@20.11.0"), Some(("@types/node", "20.11.0")));
    assert_eq!(split_name_version("@types/node"), None);
    assert_eq!(split_name_version("lodash@"), None);
    assert_eq!(split_name_version("@"), None);
    assert_eq!(split_name_version(""), None);
    assert_eq!(split_name_version("é@1"), Some(("é", "1")));
}

#[test]
fn deep_nesting_in_skipped_fields_is_walked_without_recursion() {
    // serde_json skips unknown fields iteratively: valid JSON, no stack overflow, the package is kept.
    let deep = format!(
        "{{\"packages\":{{\"node_modules/a\":{{\"version\":\"1.0.0\",\"x\":{}{}}}}}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let pkgs = extract_at("package-lock.json", deep.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&pkgs), vec![("a".to_string(), "1.0.0".to_string(), vec![])]);
}

#[test]
fn lockfiles_without_packages_are_empty() {
    for data in [&br#"{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"}}}"#[..], br#"{"lockfileVersion":1}"#]
    {
        assert_eq!(extract_at("package-lock.json", data).map(|p| p.len()).ok(), Some(0));
    }
}

#[test]
fn malformed_lockfiles_are_errors_naming_the_file() {
    let real = read("v3-package-lock.json");
    let truncated = &real[..real.len() * 2 / 3];
    let deep_v1 = format!(
        "{{\"lockfileVersion\":1,\"dependencies\":{}{{}}{}}}",
        "{\"a\":{\"version\":\"1.0.0\",\"dependencies\":".repeat(10_000),
        "}}".repeat(10_000)
    );
    let deep_license = format!(
        "{{\"packages\":{{\"node_modules/a\":{{\"version\":\"1\",\"license\":{}{}}}}}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let cases: Vec<(&[u8], &str)> = vec![
        (truncated, "invalid JSON: EOF while parsing"),
        (b"PK\x03\x04 not json", "line 1: the top level is not a JSON object"),
        (b"{\"packages\": {\"node_modules/a\": {\"version\": \"1\",,}}}", "line 1: invalid JSON"),
        (b"[]", "line 1: the top level is not a JSON object"),
        (b"  \"a string\"", "line 1: the top level is not a JSON object"),
        (br#"{"packages": []}"#, "invalid type: sequence"),
        (
            br#"{"packages": {"node_modules/a": {"version": 1}}}"#,
            "packages[\"node_modules/a\"].version is a number, not a string",
        ),
        (
            br#"{"packages": {"node_modules/a": {"version": "1.0.0", "name": {}}}}"#,
            "packages[\"node_modules/a\"].name is an object",
        ),
        (br#"{"packages": {"node_modules/": {"version": "1.0.0"}}}"#, "no package name in the key"),
        (br#"{"dependencies": {"a": {"version": true}}}"#, "dependencies[\"a\"].version is a boolean"),
        (br#"{"dependencies": {"a": "1.0.0"}}"#, "invalid type: string"),
        (deep_v1.as_bytes(), "recursion limit exceeded"),
        (deep_license.as_bytes(), "recursion limit exceeded"),
    ];
    for (data, want) in cases {
        let err = extract_at("app/package-lock.json", data).err().unwrap_or_else(|| panic!("{want}: no error"));
        let msg = err.to_string();
        assert!(msg.starts_with("/app/package-lock.json: "), "{msg}");
        assert!(msg.contains(want), "{msg} does not contain {want}");
    }
}
