//! The built-in secret scanner: the first byte picks a path from `PATHS` (rules and allow rules
//! filter on paths), the rest is the file for `Scanner::scan` and, as text, an image-metadata value
//! for `Scanner::scan_text`. Matches have a value, a line inside the data, ascending lines and a
//! masked redacted line; rules at the match bound are named once and are real rule ids; on text
//! files (UTF-8, not binary) `scan` and `scan_text` agree.

#![no_main]

use bulwark_secrets::{is_binary, Scan, Scanner};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Paths the fuzzer chooses from: plain files and the ones rules or allow rules single out.
const PATHS: &[&str] = &[
    "app/.env",
    "root/.docker/config.json",
    "home/app/.ssh/id_rsa",
    "etc/app/settings.yaml",
    "app/config.py",
    "root/.npmrc",
    "root/.pypirc",
    "root/.git-credentials",
    "usr/share/doc/app/README.md",
    "app/node_modules/pkg/test/fixture.js",
    "app/.aws/credentials",
    "app/service-account.json",
];

/// The scanner, built once.
fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| match Scanner::builtin() {
        Ok(scanner) => scanner,
        Err(e) => panic!("built-in rules: {e}"),
    })
}

/// Checks what every match must satisfy in `lines` lines of data.
fn check(scan: &Scan, lines: usize) {
    let matches = &scan.matches;
    for (n, id) in scan.capped.iter().enumerate() {
        assert!(scanner().rules().iter().any(|r| &r.id == id) && !scan.capped[..n].contains(id), "{:?}", scan.capped);
    }
    let mut previous = 0;
    for m in matches {
        assert!(m.secret_len() > 0, "{m:?}");
        let line = usize::try_from(m.line).unwrap_or(usize::MAX);
        assert!(1 <= line && line <= lines, "{m:?} in {lines} lines");
        assert!(line >= previous, "matches not ordered by line: {matches:?}");
        previous = line;
        assert!(m.redacted.contains("****"), "{m:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else { return };
    let path = PATHS[usize::from(pick) % PATHS.len()];
    let lines = file.iter().filter(|&&b| b == b'\n').count() + 1;
    let scanner = scanner();
    let found = scanner.scan(path, file);
    check(&found, lines);
    let text = String::from_utf8_lossy(file);
    check(&scanner.scan_text("config.Env[0]", &text), lines);
    if std::str::from_utf8(file).is_ok() && !is_binary(file) {
        assert_eq!(scanner.scan_text(path, &text), found);
    }
});
