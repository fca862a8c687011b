//! Go modules recorded in Go executables' build information.
//!
//! The Go linker writes a 32-byte header starting with `\xff Go buildinf:` (in ELF, the `.go.buildinfo`
//! section; in PE and Mach-O files we find it by scanning). Since Go 1.18 the header is followed inline by two
//! varint-length-prefixed strings: the toolchain version (`go1.19.8`) and the module information, lines such as
//! `mod\t<path>\t<version>`, `dep\t<path>\t<version>\t<sum>` and `=>\t<path>\t<version>\t<sum>` (a replacement of
//! the line before). Binaries from older toolchains store pointers instead; they are reported as unsupported.
//!
//! Packages: the main module (its version is often `(devel)`, kept as written), every dependency with its
//! replacement applied, and the standard library as module `stdlib` at the toolchain version (`1.19.8`), the
//! name OSV's Go ecosystem uses for it.

mod buildinfo;

use crate::extractors::elf;
use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use buildinfo::{BuildInfo, Module};
use bulwark_types::{Package, PackageKind};

/// Extractor for Go executables.
pub struct GoBinary;

/// Magic numbers of the executable formats Go writes; other files (scripts) are skipped without a scan.
const EXECUTABLE_MAGICS: [&[u8]; 7] = [
    elf::MAGIC,
    b"MZ",               // PE (Windows)
    b"\xfe\xed\xfa\xce", // Mach-O 32-bit, big-endian
    b"\xce\xfa\xed\xfe", // Mach-O 32-bit, little-endian
    b"\xfe\xed\xfa\xcf", // Mach-O 64-bit, big-endian
    b"\xcf\xfa\xed\xfe", // Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe", // Mach-O universal (fat)
];
/// Smallest file that can hold an executable header and the 32-byte build info header.
const MIN_SIZE: u64 = 64;

impl Extractor for GoBinary {
    fn name(&self) -> &'static str {
        "binary/go"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.is_executable() && file.size >= MIN_SIZE
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        if !EXECUTABLE_MAGICS.iter().any(|m| input.data.starts_with(m)) {
            return Ok(Vec::new());
        }
        let scan = || buildinfo::scan(input.data).map_err(|e| ExtractError::new(input, e));
        let info = if elf::is_elf(input.data) {
            match elf::section(input.data, ".go.buildinfo") {
                // The section starts with the header: a bad one there is a malformed Go binary.
                Ok(Some(section)) => Some(buildinfo::parse(section).map_err(|e| ExtractError::new(input, e))?),
                // Go (1.13 and later) always writes the section: a readable table without it is no Go binary.
                Ok(None) if elf::has_section_headers(input.data) => None,
                // No section table, or one we cannot read: look for the header anywhere.
                Ok(None) | Err(_) => scan()?,
            }
        } else {
            scan()?
        };
        Ok(info.map(|info| self.packages(input, &info)).unwrap_or_default())
    }
}

impl GoBinary {
    fn packages(&self, input: &FileInput<'_>, info: &BuildInfo) -> Vec<Package> {
        let mut out: Vec<Package> = Vec::new();
        let mut push = |m: &Module| out.push(package_at(input, PackageKind::Go, &m.path, &m.version, self.name()));
        if let Some(main) = &info.main {
            push(main);
        }
        for dep in &info.deps {
            push(&dep.effective());
        }
        if let Some(version) = stdlib_version(&info.go_version) {
            out.push(package_at(input, PackageKind::Go, "stdlib", version, self.name()));
        }
        out
    }
}

/// `go1.19.8` → `1.19.8`; `go1.22.0 X:boringcrypto` → `1.22.0`; `None` for development toolchains.
fn stdlib_version(go_version: &str) -> Option<&str> {
    let first = go_version.split_whitespace().next()?;
    let version = first.strip_prefix("go")?;
    version.starts_with(|c: char| c.is_ascii_digit()).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX: &[u8] = include_bytes!("testdata/gofixture-linux-amd64");
    const WINDOWS: &[u8] = include_bytes!("testdata/gofixture-windows-amd64.exe");

    /// `go version -m` of both fixtures, with the replacements applied.
    const WANT: [(&str, &str); 4] = [
        ("example.com/bulwark/gofixture", "(devel)"),
        ("example.com/bulwark/greet", "(devel)"),
        ("github.com/pkg/errors", "v0.9.1"),
        ("stdlib", "1.19.8"),
    ];

    fn extract(path: &str, data: &[u8]) -> Result<Vec<(String, String)>, ExtractError> {
        let pkgs = GoBinary.extract(&FileInput { path, data })?;
        for p in &pkgs {
            assert_eq!(p.kind, PackageKind::Go);
            assert_eq!(p.locations, [format!("/{path}")]);
            assert_eq!(p.found_by, "binary/go");
        }
        Ok(pkgs.into_iter().map(|p| (p.name, p.version)).collect())
    }

    fn want() -> Vec<(String, String)> {
        WANT.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn real_elf_binary_from_its_go_buildinfo_section() {
        assert_eq!(extract("usr/local/bin/gofixture", LINUX).unwrap(), want());
    }

    #[test]
    fn real_pe_binary_by_scanning() {
        assert_eq!(extract("app/gofixture.exe", WINDOWS).unwrap(), want());
    }

    #[test]
    fn elf_without_section_headers_falls_back_to_scanning() {
        let mut data = LINUX.to_vec();
        data[0x28..0x30].copy_from_slice(&0u64.to_le_bytes()); // e_shoff = 0: no section table
        assert_eq!(extract("gofixture", &data).unwrap(), want());
    }

    #[test]
    fn non_go_files_give_nothing() {
        let true_elf = include_bytes!("../cargo_auditable/testdata/true-debian12");
        assert!(extract("bin/true", true_elf).unwrap().is_empty());
        let rust_elf = include_bytes!("../cargo_auditable/testdata/corpus-rustapp");
        assert!(extract("usr/local/bin/corpus-rustapp", rust_elf).unwrap().is_empty());
        assert!(extract("usr/bin/script", b"#!/bin/sh\nexec go \"$@\"\n").unwrap().is_empty());
    }

    #[test]
    fn stdlib_versions() {
        let cases = [
            ("go1.19.8", Some("1.19.8")),
            ("go1.22.0 X:boringcrypto", Some("1.22.0")),
            ("go1.21rc2", Some("1.21rc2")),
            ("devel go1.23-abcdef Tue", None),
            ("", None),
            ("go", None),
        ];
        for (input, want) in cases {
            assert_eq!(stdlib_version(input), want, "{input}");
        }
    }

    #[test]
    fn wants_executables_only() {
        let meta = |mode, size| FileMeta { path: "usr/local/bin/app", size, mode };
        assert!(GoBinary.wants(&meta(0o755, 1_000_000)));
        assert!(!GoBinary.wants(&meta(0o644, 1_000_000)));
        assert!(!GoBinary.wants(&meta(0o755, 12)));
    }

    #[test]
    fn damaged_build_info_in_the_section_is_an_error() {
        let at = 0xe0000; // readelf -S: .go.buildinfo at file offset 0xe0000
        let cases: [(usize, &[u8], &str); 3] = [
            (at + 15, &[0], "pre-1.18"),                // flags: pointer format
            (at + 32, &[0xff; 10], "varint"),           // version length: an overlong varint
            (at + 32 + 9, &[0xff, 0xff, 0x7f], "past"), // modinfo length far past the end
        ];
        for (offset, patch, want) in cases {
            let mut data = LINUX.to_vec();
            data[offset..offset + patch.len()].copy_from_slice(patch);
            let err = extract("gofixture", &data).unwrap_err();
            assert!(err.message.contains(want), "{want}: {}", err.message);
            assert_eq!(err.path, "/gofixture");
        }
    }

    #[test]
    fn truncated_binaries_never_panic() {
        for len in (0..LINUX.len()).step_by(4099).chain([0xe0000 + 20, 0xe0000 + 40, 0xe0000 + 0x100]) {
            let _ = extract("gofixture", &LINUX[..len]);
        }
        for len in (0..WINDOWS.len()).step_by(4099).chain([0xf7000 + 20, 0xf7000 + 40]) {
            let _ = extract("gofixture.exe", &WINDOWS[..len]);
        }
    }
}
