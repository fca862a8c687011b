//! Rust crates recorded in binaries built with `cargo auditable`.
//!
//! `cargo auditable build` embeds the resolved dependency tree in an ELF section named `.dep-v0`: zlib-compressed
//! JSON of the form `{"packages":[{"name","version","source","kind","dependencies","root"}],"format":1}`.
//! Every package listed there is reported, the root crate and build-time (`"kind":"build"`) crates included.

use crate::extractors::elf;
use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;
use std::io::Read;

/// Extractor for Rust executables carrying a `cargo auditable` dependency list.
pub struct CargoAuditable;

/// Name of the section `cargo auditable` writes.
const SECTION: &str = ".dep-v0";
/// Largest decompressed dependency list we accept (a real one is a few KiB; this stops zlib bombs).
const MAX_JSON: u64 = 8 * 1024 * 1024;
/// Smallest file that can hold an ELF header.
const MIN_ELF: u64 = 52;

/// The decompressed `.dep-v0` document.
#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditedPackage>,
}

/// One crate in the dependency list.
#[derive(Deserialize)]
struct AuditedPackage {
    name: String,
    version: String,
}

impl Extractor for CargoAuditable {
    fn name(&self) -> &'static str {
        "binary/cargo-auditable"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.is_executable() && file.size >= MIN_ELF
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        if !elf::is_elf(input.data) {
            return Ok(Vec::new());
        }
        let compressed = match elf::section(input.data, SECTION) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(Vec::new()),
            Err(e) => return Err(ExtractError::new(input, format!("malformed ELF: {e}"))),
        };
        let json = inflate(compressed).map_err(|e| ExtractError::new(input, format!("section {SECTION}: {e}")))?;
        let info: VersionInfo = serde_json::from_slice(&json)
            .map_err(|e| ExtractError::new(input, format!("section {SECTION}: line {}: {e}", e.line())))?;
        Ok(info
            .packages
            .iter()
            .map(|p| package_at(input, PackageKind::Cargo, &p.name, &p.version, self.name()))
            .collect())
    }
}

/// Decompresses zlib data, refusing output larger than [`MAX_JSON`].
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad zlib data: {e}"))?;
    if out.len() as u64 > MAX_JSON {
        return Err(format!("decompresses to more than {MAX_JSON} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;

    const CORPUS_RUSTAPP: &[u8] = include_bytes!("testdata/corpus-rustapp");

    fn extract(data: &[u8]) -> Result<Vec<Package>, ExtractError> {
        CargoAuditable.extract(&FileInput { path: "usr/local/bin/corpus-rustapp", data })
    }

    fn names(pkgs: &[Package]) -> Vec<(&str, &str)> {
        pkgs.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect()
    }

    #[test]
    fn corpus_binary_lists_its_five_crates() {
        let pkgs = extract(CORPUS_RUSTAPP).unwrap();
        // truth.json elf_binaries_under_app_or_usr_local_bin[0].cargo_auditable_deps.
        let want = [
            ("corpus-rustapp", "0.1.0"),
            ("libc", "0.2.191"),
            ("maybe-uninit", "2.0.0"),
            ("smallvec", "0.6.13"),
            ("time", "0.1.43"),
        ];
        assert_eq!(names(&pkgs), want);
        for p in &pkgs {
            assert_eq!(p.kind, PackageKind::Cargo);
            assert_eq!(p.locations, ["/usr/local/bin/corpus-rustapp"]);
            assert_eq!(p.found_by, "binary/cargo-auditable");
        }
    }

    #[test]
    fn elf_without_dep_section_and_non_elf_files_give_nothing() {
        assert!(extract(include_bytes!("testdata/true-debian12")).unwrap().is_empty());
        assert!(extract(b"#!/bin/sh\necho hello\n").unwrap().is_empty());
        assert!(extract(b"").unwrap().is_empty());
    }

    #[test]
    fn wants_executables_only() {
        let meta = |mode, size| FileMeta { path: "usr/local/bin/x", size, mode };
        assert!(CargoAuditable.wants(&meta(0o755, 450_128)));
        assert!(CargoAuditable.wants(&meta(0o100, 4096)));
        assert!(!CargoAuditable.wants(&meta(0o644, 450_128)));
        assert!(!CargoAuditable.wants(&meta(0o755, 10)));
    }

    /// Index of the 64-bit little-endian section header whose sh_offset is `offset`, for patching.
    fn header_at(data: &[u8], offset: u64) -> usize {
        let shoff = u64::from_le_bytes(data[0x28..0x30].try_into().unwrap()) as usize;
        let shnum = u16::from_le_bytes(data[0x3c..0x3e].try_into().unwrap()) as usize;
        (0..shnum)
            .map(|i| shoff + i * 64)
            .find(|h| u64::from_le_bytes(data[h + 0x18..h + 0x20].try_into().unwrap()) == offset)
            .expect("section header")
    }

    /// The corpus binary with `.dep-v0` (at 0x53dfa, readelf -S) moved to `payload` appended at the end.
    fn with_dep_section(payload: &[u8]) -> Vec<u8> {
        let mut data = CORPUS_RUSTAPP.to_vec();
        let h = header_at(&data, 0x53dfa);
        let new_offset = data.len() as u64;
        data.extend_from_slice(payload);
        data[h + 0x18..h + 0x20].copy_from_slice(&new_offset.to_le_bytes());
        data[h + 0x20..h + 0x28].copy_from_slice(&(payload.len() as u64).to_le_bytes());
        data
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn zlib_bomb_is_refused() {
        // 12 MiB of spaces compress to about 12 KiB.
        let bomb = zlib(&vec![b' '; 12 * 1024 * 1024]);
        assert!(bomb.len() < 200_000);
        let err = extract(&with_dep_section(&bomb)).unwrap_err();
        assert!(err.message.contains("more than 8388608 bytes"), "{}", err.message);
    }

    #[test]
    fn a_rewritten_section_is_read_from_its_new_place() {
        // Proves the patching helper above really moves the section: a valid payload there is parsed.
        let json =
            br#"{"packages":[{"name":"serde","version":"1.0.0","source":"crates.io","kind":"build"}],"format":1}"#;
        let pkgs = extract(&with_dep_section(&zlib(json))).unwrap();
        assert_eq!(names(&pkgs), [("serde", "1.0.0")]);
    }

    #[test]
    fn hostile_sections_are_errors() {
        let cases: [(&[u8], &str); 4] = [
            (b"not zlib at all", "bad zlib data"),
            (&zlib(b"{\"packages\": [{\"name\": 1}]}"), "line 1"),
            (&zlib(b"\n\n{\"packages\": [ garbage"), "line 3"),
            (&zlib(b"{}"), "missing field `packages`"),
        ];
        for (payload, want) in cases {
            let err = extract(&with_dep_section(payload)).unwrap_err();
            assert!(err.message.contains(want), "{want}: {}", err.message);
            assert_eq!(err.path, "/usr/local/bin/corpus-rustapp");
        }
        // The real compressed bytes, truncated: a zlib error.
        let real = &CORPUS_RUSTAPP[0x53dfa..0x53dfa + 0xb6];
        assert!(extract(&with_dep_section(&real[..0x50])).is_err());
        // Section offset past the end of the file.
        let mut past = CORPUS_RUSTAPP.to_vec();
        let h = header_at(&past, 0x53dfa);
        past[h + 0x18..h + 0x20].copy_from_slice(&(u64::MAX - 4).to_le_bytes());
        let err = extract(&past).unwrap_err();
        assert!(err.message.starts_with("malformed ELF: section .dep-v0"), "{}", err.message);
        // Truncated ELF: errors (the section table is at the end), never a panic.
        for len in [64, 4096, 0x53dfa + 0x50, CORPUS_RUSTAPP.len() - 1] {
            assert!(extract(&CORPUS_RUSTAPP[..len]).is_err(), "{len}");
        }
    }
}
