//! A small, bounds-checked ELF reader shared by the binary extractors: it finds one section's bytes by name.
//!
//! Only what the extractors need: the file header, the section header table and the section-name string table,
//! for 32- and 64-bit files of either byte order. Every offset and size read from the file is checked against
//! the file's length, so a truncated or hostile file yields an error, never a panic.

/// The four bytes every ELF file starts with.
pub(crate) const MAGIC: &[u8; 4] = b"\x7fELF";

/// Section type of a section that occupies no bytes in the file (`.bss`).
const SHT_NOBITS: u32 = 8;

/// Whether `data` starts with the ELF magic.
pub(crate) fn is_elf(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

/// Whether `data` is an ELF file whose header points at a section header table (`e_shoff` is not zero).
pub(crate) fn has_section_headers(data: &[u8]) -> bool {
    let field = match data.get(4) {
        Some(1) => data.get(0x20..0x24),
        Some(2) => data.get(0x28..0x30),
        _ => None,
    };
    is_elf(data) && field.is_some_and(|bytes| bytes.iter().any(|b| *b != 0))
}

/// Reads integers of the file's width and byte order at checked offsets.
struct Reader<'a> {
    data: &'a [u8],
    is_64: bool,
    little: bool,
}

impl<'a> Reader<'a> {
    fn bytes<const N: usize>(&self, at: u64) -> Result<[u8; N], String> {
        let start = usize::try_from(at).map_err(|_| format!("offset {at} out of range"))?;
        let end = start.checked_add(N).ok_or_else(|| format!("offset {at} out of range"))?;
        let slice = self.data.get(start..end).ok_or_else(|| format!("offset {at} is past the end of the file"))?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u16(&self, at: u64) -> Result<u16, String> {
        let b = self.bytes::<2>(at)?;
        Ok(if self.little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
    }

    fn u32(&self, at: u64) -> Result<u32, String> {
        let b = self.bytes::<4>(at)?;
        Ok(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn u64(&self, at: u64) -> Result<u64, String> {
        let b = self.bytes::<8>(at)?;
        Ok(if self.little { u64::from_le_bytes(b) } else { u64::from_be_bytes(b) })
    }

    /// An address or offset field: 4 bytes in ELF32, 8 in ELF64.
    fn word(&self, at: u64) -> Result<u64, String> {
        if self.is_64 {
            self.u64(at)
        } else {
            self.u32(at).map(u64::from)
        }
    }

    /// `len` bytes at `offset`, checked against the file's length.
    fn range(&self, offset: u64, len: u64) -> Result<&'a [u8], String> {
        let end = offset.checked_add(len).ok_or("section range overflows")?;
        let (start, end) = match (usize::try_from(offset), usize::try_from(end)) {
            (Ok(s), Ok(e)) => (s, e),
            _ => return Err(format!("section at {offset}+{len} out of range")),
        };
        self.data.get(start..end).ok_or_else(|| {
            format!(
                "section at offset {offset} with size {len} runs past the end of the file ({} bytes)",
                self.data.len()
            )
        })
    }
}

/// One entry of the section header table, the fields we use.
struct SectionHeader {
    name: u32,
    kind: u32,
    offset: u64,
    size: u64,
}

/// The bytes of the section called `name`; `Ok(None)` when the file has no such section (or it has no file bytes).
///
/// Errors name what is malformed: a bad header, a table or section past the end of the file.
pub(crate) fn section<'a>(data: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, String> {
    if !is_elf(data) {
        return Err("not an ELF file".to_string());
    }
    let is_64 = match data.get(4) {
        Some(1) => false,
        Some(2) => true,
        other => return Err(format!("bad ELF class {other:?}")),
    };
    let little = match data.get(5) {
        Some(1) => true,
        Some(2) => false,
        other => return Err(format!("bad ELF data encoding {other:?}")),
    };
    let r = Reader { data, is_64, little };
    // Field offsets of e_shoff, e_shentsize, e_shnum, e_shstrndx in the file header.
    let (shoff_at, shentsize_at) = if is_64 { (0x28, 0x3a) } else { (0x20, 0x2e) };
    let shoff = r.word(shoff_at)?;
    let shentsize = u64::from(r.u16(shentsize_at)?);
    let mut shnum = u64::from(r.u16(shentsize_at + 2)?);
    let mut shstrndx = u64::from(r.u16(shentsize_at + 4)?);
    if shoff == 0 {
        return Ok(None); // no section header table (e.g. stripped with sstrip)
    }
    let min_entsize = if is_64 { 64 } else { 40 };
    if shentsize < min_entsize {
        return Err(format!("section header entry size {shentsize} is too small"));
    }
    let header = |index: u64| -> Result<SectionHeader, String> {
        let at = index
            .checked_mul(shentsize)
            .and_then(|o| o.checked_add(shoff))
            .ok_or_else(|| format!("section header {index} offset overflows"))?;
        let (offset_at, size_at) = if is_64 { (at + 0x18, at + 0x20) } else { (at + 0x10, at + 0x14) };
        Ok(SectionHeader { name: r.u32(at)?, kind: r.u32(at + 4)?, offset: r.word(offset_at)?, size: r.word(size_at)? })
    };
    // Extended numbering: with many sections the real count and string-table index live in section 0.
    if shnum == 0 || shstrndx == 0xffff {
        let zero = header(0)?;
        if shnum == 0 {
            shnum = zero.size;
        }
        if shstrndx == 0xffff {
            // sh_link of section 0, at +0x28 (64-bit) or +0x18 (32-bit).
            shstrndx = u64::from(r.u32(shoff + if is_64 { 0x28 } else { 0x18 })?);
        }
    }
    // Every header must lie inside the file: this bounds the loop below by the file's size.
    let table_len = shnum.checked_mul(shentsize).ok_or("section header table size overflows")?;
    r.range(shoff, table_len)
        .map_err(|_| format!("section header table ({shnum} entries) runs past the end of the file"))?;
    if shstrndx >= shnum {
        return Err(format!("section name table index {shstrndx} is not below the section count {shnum}"));
    }
    let strtab = header(shstrndx)?;
    let names = r.range(strtab.offset, strtab.size)?;
    for index in 0..shnum {
        let sh = header(index)?;
        let start = usize::try_from(sh.name).map_err(|_| "section name offset out of range".to_string())?;
        let Some(rest) = names.get(start..) else { continue };
        let end = memchr::memchr(0, rest).unwrap_or(rest.len());
        if &rest[..end] != name.as_bytes() {
            continue;
        }
        if sh.kind == SHT_NOBITS {
            return Ok(None);
        }
        return r.range(sh.offset, sh.size).map(Some).map_err(|e| format!("section {name}: {e}"));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_binary() -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/extractors/cargo_auditable/testdata/corpus-rustapp");
        std::fs::read(path).expect("fixture")
    }

    #[test]
    fn finds_a_section_in_a_real_binary() {
        let data = corpus_binary();
        let dep = section(&data, ".dep-v0").expect("parses").expect("has .dep-v0");
        // readelf -S: [32] .dep-v0 PROGBITS offset 0x53dfa size 0xb6; zlib data starts with 0x78.
        assert_eq!(dep.len(), 0xb6);
        assert_eq!(dep[0], 0x78);
        assert_eq!(section(&data, ".no-such-section"), Ok(None));
        // .bss occupies no file bytes.
        assert_eq!(section(&data, ".bss"), Ok(None));
        assert!(has_section_headers(&data));
        let mut no_table = data.clone();
        no_table[0x28..0x30].fill(0);
        assert!(!has_section_headers(&no_table));
        assert_eq!(section(&no_table, ".dep-v0"), Ok(None));
        assert!(!has_section_headers(&data[..0x28]));
    }

    #[test]
    fn every_truncation_errors_or_finds_nothing_without_panicking() {
        let data = corpus_binary();
        for len in (0..data.len()).step_by(997).chain([0, 1, 4, 5, 6, 63, 64]) {
            if let Ok(Some(bytes)) = section(&data[..len], ".dep-v0") {
                assert_eq!(bytes.len(), 0xb6);
            }
        }
        // Cut just inside the section header table (at the end of the file): must be an error.
        assert!(section(&data[..data.len() - 10], ".dep-v0").is_err());
    }

    #[test]
    fn hostile_headers_are_errors() {
        let data = corpus_binary();
        let cases: [(usize, &[u8]); 4] = [
            (0x28, &u64::MAX.to_le_bytes()),  // e_shoff far past the end
            (0x3a, &8u16.to_le_bytes()),      // e_shentsize too small
            (0x3c, &0xfff0u16.to_le_bytes()), // e_shnum larger than the file can hold
            (0x3e, &0xfffeu16.to_le_bytes()), // e_shstrndx past the table
        ];
        for (at, bytes) in cases {
            let mut bad = data.clone();
            bad[at..at + bytes.len()].copy_from_slice(bytes);
            assert!(section(&bad, ".dep-v0").is_err(), "patch at {at:#x} should be an error");
        }
        assert!(section(b"\x7fELF\x03\x01", ".x").is_err());
        assert!(section(b"MZ\x90\x00", ".x").is_err());
    }
}
