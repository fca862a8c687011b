use super::*;

/// Directory holding this extractor's fixtures.
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/npm_installed/testdata");

fn extract_at(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    NpmInstalled.extract(&FileInput { path, data })
}

fn wants(path: &str) -> bool {
    NpmInstalled.wants(&FileMeta { path, size: 1000, mode: 0o644 })
}

/// Every file under `dir`, as paths relative to `dir`, sorted.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The app-python corpus image's `/app/node/node_modules` (truth.json `npm_packages_in_node_modules`):
/// (package directory, name, version, licence).
const CORPUS: &[(&str, &str, &str, &str)] = &[
    ("node_modules/accepts", "accepts", "1.3.8", "MIT"),
    ("node_modules/array-flatten", "array-flatten", "1.1.1", "MIT"),
    ("node_modules/body-parser", "body-parser", "1.18.2", "MIT"),
    ("node_modules/bytes", "bytes", "3.0.0", "MIT"),
    ("node_modules/content-disposition", "content-disposition", "0.5.2", "MIT"),
    ("node_modules/content-type", "content-type", "1.0.5", "MIT"),
    ("node_modules/cookie-signature", "cookie-signature", "1.0.6", "MIT"),
    ("node_modules/cookie", "cookie", "0.3.1", "MIT"),
    ("node_modules/debug", "debug", "2.6.9", "MIT"),
    ("node_modules/depd", "depd", "1.1.2", "MIT"),
    ("node_modules/destroy", "destroy", "1.0.4", "MIT"),
    ("node_modules/ee-first", "ee-first", "1.1.1", "MIT"),
    ("node_modules/encodeurl", "encodeurl", "1.0.4", "MIT"),
    ("node_modules/escape-html", "escape-html", "1.0.3", "MIT"),
    ("node_modules/etag", "etag", "1.8.1", "MIT"),
    ("node_modules/express", "express", "4.16.0", "MIT"),
    ("node_modules/finalhandler", "finalhandler", "1.1.0", "MIT"),
    ("node_modules/forwarded", "forwarded", "0.2.0", "MIT"),
    ("node_modules/fresh", "fresh", "0.5.2", "MIT"),
    ("node_modules/http-errors/node_modules/statuses", "statuses", "1.5.0", "MIT"),
    ("node_modules/http-errors", "http-errors", "1.6.3", "MIT"),
    ("node_modules/iconv-lite", "iconv-lite", "0.4.19", "MIT"),
    ("node_modules/inherits", "inherits", "2.0.3", "ISC"),
    ("node_modules/ipaddr.js", "ipaddr.js", "1.9.1", "MIT"),
    ("node_modules/lodash", "lodash", "4.17.4", "MIT"),
    ("node_modules/media-typer", "media-typer", "0.3.0", "MIT"),
    ("node_modules/merge-descriptors", "merge-descriptors", "1.0.1", "MIT"),
    ("node_modules/methods", "methods", "1.1.2", "MIT"),
    ("node_modules/mime-db", "mime-db", "1.52.0", "MIT"),
    ("node_modules/mime-types", "mime-types", "2.1.35", "MIT"),
    ("node_modules/mime", "mime", "1.4.1", "MIT"),
    ("node_modules/minimist", "minimist", "0.0.8", "MIT"),
    ("node_modules/ms", "ms", "2.0.0", "MIT"),
    ("node_modules/negotiator", "negotiator", "0.6.3", "MIT"),
    ("node_modules/on-finished", "on-finished", "2.3.0", "MIT"),
    ("node_modules/parseurl", "parseurl", "1.3.3", "MIT"),
    ("node_modules/path-to-regexp", "path-to-regexp", "0.1.7", "MIT"),
    ("node_modules/proxy-addr", "proxy-addr", "2.0.8", "MIT"),
    ("node_modules/qs", "qs", "6.5.1", "BSD-3-Clause"),
    ("node_modules/range-parser", "range-parser", "1.2.1", "MIT"),
    ("node_modules/raw-body/node_modules/depd", "depd", "1.1.1", "MIT"),
    ("node_modules/raw-body/node_modules/http-errors", "http-errors", "1.6.2", "MIT"),
    ("node_modules/raw-body/node_modules/setprototypeof", "setprototypeof", "1.0.3", "ISC"),
    ("node_modules/raw-body", "raw-body", "2.3.2", "MIT"),
    ("node_modules/safe-buffer", "safe-buffer", "5.1.1", "MIT"),
    ("node_modules/send", "send", "0.16.0", "MIT"),
    ("node_modules/serve-static", "serve-static", "1.13.0", "MIT"),
    ("node_modules/setprototypeof", "setprototypeof", "1.1.0", "ISC"),
    ("node_modules/statuses", "statuses", "1.3.1", "MIT"),
    ("node_modules/type-is", "type-is", "1.6.18", "MIT"),
    ("node_modules/unpipe", "unpipe", "1.0.0", "MIT"),
    ("node_modules/utils-merge", "utils-merge", "1.0.1", "MIT"),
    ("node_modules/vary", "vary", "1.1.2", "MIT"),
];

#[test]
fn corpus_node_modules_match_the_truth() {
    let root = std::path::Path::new(TESTDATA).join("corpus");
    let mut got = Vec::new();
    for rel in files_under(&root) {
        let path = format!("app/node/{rel}");
        if !wants(&path) {
            continue;
        }
        let data = std::fs::read(root.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for p in extract_at(&path, &data).unwrap_or_else(|e| panic!("{e}")) {
            assert_eq!(p.locations, vec![format!("/{path}")]);
            assert_eq!((p.kind, p.found_by.as_str()), (PackageKind::Npm, "lang/npm"));
            got.push((p.locations[0].clone(), p.name, p.version, p.licenses));
        }
    }
    got.sort();
    let mut want: Vec<_> = CORPUS
        .iter()
        .map(|(dir, name, version, license)| {
            (format!("/app/node/{dir}/package.json"), name.to_string(), version.to_string(), vec![license.to_string()])
        })
        .collect();
    want.sort();
    assert_eq!(got.len(), 53);
    assert_eq!(got, want);
}

#[test]
fn legacy_licence_shapes_from_the_registry() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        // `licenses: [{type, url}, …]` (json-schema 0.2.3).
        ("json-schema", "json-schema", "0.2.3", &["AFLv2.1", "BSD"]),
        // `license: ["MIT", "Apache2"]` (pause-stream 0.0.11).
        ("pause-stream", "pause-stream", "0.0.11", &["MIT", "Apache2"]),
    ];
    for (dir, name, version, licenses) in cases {
        let path = format!("usr/lib/node_modules/{dir}/package.json");
        let data = std::fs::read(format!("{TESTDATA}/registry/node_modules/{dir}/package.json"))
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        let pkgs = extract_at(&path, &data).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = pkgs.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.licenses.clone())).collect();
        assert_eq!(got, vec![(*name, *version, licenses.iter().map(|s| s.to_string()).collect::<Vec<_>>())]);
    }
    let object =
        br#"{"name":"x","version":"1.0.0","license":{"type":"MIT","url":"http://opensource.org/licenses/MIT"}}"#;
    let pkgs = extract_at("node_modules/x/package.json", object).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pkgs[0].licenses, vec!["MIT".to_string()]);
}

#[test]
fn wants_only_package_roots_under_node_modules() {
    for path in [
        "app/node/node_modules/express/package.json",
        "node_modules/express/package.json",
        "app/node_modules/@types/node/package.json",
        "app/node/node_modules/raw-body/node_modules/depd/package.json",
        "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json",
        "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json",
    ] {
        assert!(wants(path), "{path}");
    }
    for path in [
        "app/node/package.json",
        "package.json",
        "app/node/node_modules/x/lib/package.json",
        "app/node/node_modules/@scope/package.json",
        "app/node/node_modules/@scope/x/dist/package.json",
        "app/node/node_modules/.package-lock.json",
        "app/node/node_modules/.bin/package.json",
        "app/node/node_modules/@/x/package.json",
        "app/my_node_modules/x/package.json",
        "app/node/node_modules/x/package.json.bak",
    ] {
        assert!(!wants(path), "{path}");
    }
}

#[test]
fn manifests_without_identity_are_skipped() {
    for data in [&br#"{"type":"module"}"#[..], br#"{"name":"x"}"#, br#"{"version":"1.0.0","name":""}"#, b"{}"] {
        let got = extract_at("node_modules/x/package.json", data).unwrap_or_else(|e| panic!("{e}"));
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(data));
    }
}

#[test]
fn malformed_manifests_are_errors_naming_the_file() {
    let real =
        std::fs::read(format!("{TESTDATA}/corpus/node_modules/express/package.json")).unwrap_or_else(|e| panic!("{e}"));
    let truncated = &real[..real.len() / 2];
    let deep =
        format!("{{\"name\":\"x\",\"version\":\"1\",\"license\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&[u8], &str)> = vec![
        (truncated, "invalid JSON: EOF while parsing"),
        (b"", "line 1: invalid JSON: EOF while parsing"),
        (b"\x00\x01garbage", "line 1: the top level is not a JSON object"),
        (b"{\x00\x01garbage", "line 1: invalid JSON"),
        (b"[\"x\", \"1.0.0\", null, null]", "line 1: the top level is not a JSON object"),
        (br#"{"name": 7, "version": "1.0.0"}"#, "`name` is a number, not a string"),
        (br#"{"name": "x", "version": ["1"]}"#, "`version` is an array, not a string"),
        (deep.as_bytes(), "recursion limit exceeded"),
    ];
    for (data, want) in cases {
        let err =
            extract_at("app/node_modules/x/package.json", data).err().unwrap_or_else(|| panic!("{want}: no error"));
        let msg = err.to_string();
        assert!(msg.starts_with("/app/node_modules/x/package.json: "), "{msg}");
        assert!(msg.contains(want), "{msg} does not contain {want}");
    }
}
