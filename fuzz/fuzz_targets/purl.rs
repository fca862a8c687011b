//! Package URLs for arbitrary names, versions and kinds: the first byte picks the kind and
//! whether an OS is known; NUL bytes separate name, version, arch, source name, OS id, OS version.

#![no_main]

use bulwark_types::{purl_for, OsRelease, Package, PackageKind, SourcePackage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let mut fields = text.split('\0');
    let mut next = || fields.next().unwrap_or_default().to_string();
    let kind = PackageKind::ALL[usize::from(selector) % PackageKind::ALL.len()];
    let mut pkg = Package::new(kind, next(), next(), "fuzz");
    let arch = next();
    pkg.arch = (!arch.is_empty()).then_some(arch);
    let source = next();
    pkg.source = (!source.is_empty()).then(|| SourcePackage { name: source, version: String::new() });
    let os = OsRelease { id: next(), version_id: next(), ..OsRelease::default() };
    let os = (selector & 0x80 != 0).then_some(&os);

    let purl = purl_for(&pkg, os);
    assert!(purl.starts_with("pkg:"), "{purl}");
    // Everything taken from the package is percent-encoded: the separators appear only where the
    // purl grammar puts them, and nothing outside printable ASCII survives.
    assert!(purl.bytes().all(|b| b.is_ascii_graphic()), "{purl:?}");
    assert!(purl.matches('@').count() <= 1, "{purl}");
    assert!(purl.matches('?').count() <= 1, "{purl}");
    assert!(!purl.contains('#'), "{purl}");
});
