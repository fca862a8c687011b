//! rpm's own "ndb" package database (`Packages.db`, SUSE and others).
//!
//! Layout (little-endian): a 32-byte header (`RpmP`, version 0, generation,
//! number of slot pages) sharing the first 4 KiB page with 16-byte slots
//! (`Slot`, package index, block offset, block count); blocks are 16 bytes.
//! A slot points at a blob: a 16-byte head (`BlbS`, package index, timestamp,
//! length), the header blob, zero padding, and a 12-byte tail (Adler-32 of
//! everything before it, length, `BlbE`).

use super::Blob;
use std::borrow::Cow;

/// `RpmP`, little-endian.
pub(super) const MAGIC: &[u8] = b"RpmP";
const VERSION: u32 = 0;
const HEADER_SIZE: usize = 32;
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const SLOT_MAGIC: &[u8] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8] = b"BlbE";
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Reads every package's header blob, in package-index order.
pub(super) fn blobs(data: &[u8]) -> Result<Vec<Blob<'_>>, String> {
    if data.len() < HEADER_SIZE || !data.starts_with(MAGIC) {
        return Err("ndb: not an rpm Packages.db (no RpmP magic)".to_string());
    }
    let version = le32(data, 4).unwrap_or(u32::MAX);
    if version != VERSION {
        return Err(format!("ndb: unsupported version {version}"));
    }
    let slot_pages = le32(data, 12).unwrap_or(0) as usize;
    let slots_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&end| slot_pages > 0 && end <= data.len())
        .ok_or_else(|| format!("ndb: header declares {slot_pages} slot pages but the file has {} bytes", data.len()))?;
    let first_data_block = slots_end / BLOCK_SIZE;
    let mut slots = Vec::new();
    for (n, slot) in data[HEADER_SIZE..slots_end].chunks_exact(SLOT_SIZE).enumerate() {
        let slot_no = n + HEADER_SIZE / SLOT_SIZE;
        if &slot[..4] != SLOT_MAGIC {
            return Err(format!("ndb: slot {slot_no} has a bad magic"));
        }
        let [pkg_index, block_offset, block_count] = [4, 8, 12].map(|at| le32(slot, at).unwrap_or(0));
        if block_offset == 0 {
            continue; // a free slot
        }
        if pkg_index == 0 || block_count == 0 || (block_offset as usize) < first_data_block {
            return Err(format!(
                "ndb: slot {slot_no} is corrupt (package {pkg_index}, block {block_offset}+{block_count})"
            ));
        }
        slots.push((pkg_index, block_offset as usize, block_count as usize));
    }
    // Blobs must not overlap (rpm checks the same): each byte of the file then
    // feeds at most one package, which bounds the work done on a hostile file.
    slots.sort_by_key(|&(_, offset, _)| offset);
    if let Some(w) = slots.windows(2).find(|w| w[0].1.saturating_add(w[0].2) > w[1].1) {
        return Err(format!("ndb: the blobs of packages {} and {} overlap", w[0].0, w[1].0));
    }
    let mut out = Vec::with_capacity(slots.len());
    for (pkg_index, block_offset, block_count) in slots {
        let blob = read_blob(data, pkg_index, block_offset, block_count)
            .map_err(|e| format!("ndb: package {pkg_index}: {e}"))?;
        out.push(Blob { key: i64::from(pkg_index), data: Cow::Borrowed(blob) });
    }
    out.sort_by_key(|b| b.key);
    if let Some(w) = out.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(format!("ndb: package {} has two slots", w[0].key));
    }
    Ok(out)
}

/// The header blob stored at `block_offset`, after checking its head, tail and checksum.
fn read_blob(data: &[u8], pkg_index: u32, block_offset: usize, block_count: usize) -> Result<&[u8], String> {
    let start = block_offset * BLOCK_SIZE;
    let end = block_count.checked_mul(BLOCK_SIZE).and_then(|len| start.checked_add(len));
    let area = end.and_then(|end| data.get(start..end)).ok_or("blob runs past the end of the file")?;
    if area.len() < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE || &area[..4] != BLOB_HEAD_MAGIC {
        return Err("bad blob head".to_string());
    }
    if le32(area, 4) != Some(pkg_index) {
        return Err("blob belongs to another package".to_string());
    }
    let len = le32(area, 12).unwrap_or(0) as usize;
    if (BLOB_HEAD_SIZE + BLOB_TAIL_SIZE).checked_add(len).map(|n| n.div_ceil(BLOCK_SIZE)) != Some(block_count) {
        return Err(format!("blob length {len} does not fill its {block_count} blocks"));
    }
    let tail_at = area.len() - BLOB_TAIL_SIZE;
    let tail = &area[tail_at..];
    if &tail[8..] != BLOB_TAIL_MAGIC || le32(tail, 4) != Some(len as u32) {
        return Err("bad blob tail".to_string());
    }
    if le32(tail, 0) != Some(adler32(&area[..tail_at])) {
        return Err("blob checksum mismatch".to_string());
    }
    Ok(&area[BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + len])
}

/// Adler-32 (RFC 1950), the checksum ndb stores in each blob tail.
fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest run whose sums cannot overflow a u32 before reduction.
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_rfc1950_examples() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let long = vec![0xffu8; 100_000];
        // Reference value from zlib's adler32 for 100000 bytes of 0xff.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &long {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(&long), ((b << 16) | a) as u32);
    }

    #[test]
    fn overlapping_blobs_are_an_error() {
        let mut db = include_bytes!("testdata/Packages.db").to_vec();
        assert_eq!(blobs(&db).unwrap().len(), 5);
        // Copy the first used slot into the first free one, as package 99.
        let slots = HEADER_SIZE..PAGE_SIZE;
        let used = (slots.clone()).step_by(SLOT_SIZE).find(|&at| le32(&db, at + 8) != Some(0)).unwrap();
        let free = (slots).step_by(SLOT_SIZE).find(|&at| le32(&db, at + 8) == Some(0)).unwrap();
        let slot: Vec<u8> = db[used..used + SLOT_SIZE].to_vec();
        db[free..free + SLOT_SIZE].copy_from_slice(&slot);
        db[free + 4..free + 8].copy_from_slice(&99u32.to_le_bytes());
        let err = blobs(&db).unwrap_err();
        assert!(err.contains("overlap"), "{err}");
    }

    #[test]
    fn hostile_headers_are_errors() {
        let mut page = vec![0u8; PAGE_SIZE];
        page[..4].copy_from_slice(MAGIC);
        for slot in page[HEADER_SIZE..].chunks_exact_mut(SLOT_SIZE) {
            slot[..4].copy_from_slice(SLOT_MAGIC);
        }
        page[12..16].copy_from_slice(&1u32.to_le_bytes());
        let with = |at: usize, v: u32| {
            let mut p = page.clone();
            p[at..at + 4].copy_from_slice(&v.to_le_bytes());
            p
        };
        assert_eq!(blobs(&page).unwrap().len(), 0, "one empty slot page is an empty database");
        let cases = [
            ("huge slot page count", with(12, u32::MAX)),
            ("zero slot pages", with(12, 0)),
            ("version 1", with(4, 1)),
            ("slot pointing into the slot pages", {
                let mut p = with(32 + 4, 1);
                p[40..44].copy_from_slice(&1u32.to_le_bytes());
                p[44..48].copy_from_slice(&2u32.to_le_bytes());
                p
            }),
            ("slot pointing past the end", {
                let mut p = with(32 + 4, 1);
                p[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
                p[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
                p
            }),
            ("bad slot magic", with(48, 0)),
        ];
        for (what, bytes) in cases {
            assert!(blobs(&bytes).is_err(), "{what}");
        }
    }
}
