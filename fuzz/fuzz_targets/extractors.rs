//! Every extractor on arbitrary file contents: the first byte picks a path from [`PATHS`],
//! the rest is the file; each extractor that wants that path parses it. It may fail, never panic.

#![no_main]

use bulwark_inventory::{extractors, FileInput, FileMeta};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

/// A typical path (and mode) for each extractor; rpm gets one per database format. The row
/// index is the input's first byte (mod the length): `seed.sh` relies on this order.
const PATHS: &[(&str, u32)] = &[
    ("var/lib/dpkg/status", 0o644),
    ("var/lib/dpkg/status.d/base", 0o644),
    ("lib/apk/db/installed", 0o644),
    ("var/lib/rpm/rpmdb.sqlite", 0o644),
    ("var/lib/rpm/Packages", 0o644),
    ("var/lib/rpm/Packages.db", 0o644),
    ("x/site-packages/a-1.dist-info/METADATA", 0o644),
    ("x/site-packages/a-1.egg-info/PKG-INFO", 0o644),
    ("node_modules/a/package.json", 0o644),
    ("package-lock.json", 0o644),
    ("yarn.lock", 0o644),
    ("pnpm-lock.yaml", 0o644),
    ("Cargo.lock", 0o644),
    ("usr/bin/app", 0o755),
    ("app.jar", 0o644),
    ("specifications/a.gemspec", 0o644),
    ("composer.lock", 0o644),
    ("a.deps.json", 0o644),
    ("vendor/composer/installed.json", 0o644),
];

/// Fails loudly once if an extractor was added to `all()` without a row in [`PATHS`].
fn check_every_extractor_is_reached() {
    static CHECK: Once = Once::new();
    CHECK.call_once(|| {
        for e in extractors::all() {
            let reached = PATHS.iter().any(|&(path, mode)| e.wants(&FileMeta { path, size: 1 << 20, mode }));
            assert!(reached, "extractor {} wants none of the fuzz paths: add a row to PATHS", e.name());
        }
    });
}

fuzz_target!(|data: &[u8]| {
    check_every_extractor_is_reached();
    let Some((&selector, file)) = data.split_first() else { return };
    let (path, mode) = PATHS[usize::from(selector) % PATHS.len()];
    let meta = FileMeta { path, size: file.len() as u64, mode };
    let input = FileInput { path, data: file };
    for e in extractors::all() {
        if e.wants(&meta) {
            if let Ok(packages) = e.extract(&input) {
                for p in &packages {
                    assert_eq!(p.found_by, e.name(), "{path}: package found by another name");
                }
            }
        }
    }
});
