//! rpm's legacy Berkeley DB `Packages` file: a BDB hash database whose keys are
//! 4-byte package numbers and whose values are header blobs.
//!
//! Read-only and bounded: the hash buckets are walked as Berkeley DB lays them
//! out (metadata page, bucket pages chained by `next_pgno`, overflow page
//! chains for large values), every page is fetched through one checked
//! accessor, and no page is visited twice.

use super::Blob;
use std::borrow::Cow;

/// Hash database magic, at offset 12 of the metadata page.
const HASH_MAGIC: u32 = 0x0006_1561;
/// Hash format versions rpm's own read-only reader accepts.
const HASH_VERSIONS: std::ops::RangeInclusive<u32> = 8..=10;
/// Size of the generic page header.
const PAGE_HEADER_SIZE: usize = 26;
/// Page types (byte 25 of every page).
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
/// Item types on hash pages.
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
/// Size of an H_OFFPAGE item: type, 3 unused bytes, page number, total length.
const OFFPAGE_SIZE: usize = 12;

/// Whether `data` starts with a Berkeley DB hash metadata page, in either byte order.
pub(super) fn is_bdb_hash(data: &[u8]) -> bool {
    data.get(12..16).is_some_and(|m| {
        let m = [m[0], m[1], m[2], m[3]];
        u32::from_le_bytes(m) == HASH_MAGIC || u32::from_be_bytes(m) == HASH_MAGIC
    })
}

/// A key and its value, borrowed from the file or gathered from overflow pages.
type Pair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Pages already read. Each page belongs to one bucket chain or one overflow value,
/// so reading none twice rules out loops and keeps the output within the file's size.
struct Seen(Vec<bool>);

impl Seen {
    fn visit(&mut self, n: u32) -> Result<(), String> {
        match self.0.get_mut(n as usize) {
            Some(seen) if !*seen => {
                *seen = true;
                Ok(())
            }
            _ => Err(format!("bdb: page {n} is reached twice")),
        }
    }
}

/// An opened hash database: the file and what its metadata page says.
struct Db<'a> {
    data: &'a [u8],
    big_endian: bool,
    page_size: usize,
    last_page: u32,
    max_bucket: u32,
    spares: [u32; 32],
}

/// A page's generic header fields.
struct Page<'a> {
    bytes: &'a [u8],
    next: u32,
    entries: usize,
    high_free: usize,
    kind: u8,
}

impl<'a> Db<'a> {
    fn open(data: &'a [u8]) -> Result<Self, String> {
        if !is_bdb_hash(data) {
            return Err("bdb: not a Berkeley DB hash database".to_string());
        }
        if data.len() < 512 {
            return Err(format!("bdb: file of {} bytes is shorter than the metadata page", data.len()));
        }
        let big_endian = u32::from_le_bytes([data[12], data[13], data[14], data[15]]) != HASH_MAGIC;
        let mut db = Db { data, big_endian, page_size: 0, last_page: 0, max_bucket: 0, spares: [0; 32] };
        let version = db.u32_at(data, 16)?;
        if !HASH_VERSIONS.contains(&version) {
            return Err(format!("bdb: unsupported hash version {version}"));
        }
        if data[25] != P_HASHMETA {
            return Err(format!("bdb: metadata page has type {}", data[25]));
        }
        let page_size = db.u32_at(data, 20)? as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("bdb: bad page size {page_size}"));
        }
        db.page_size = page_size;
        db.last_page = db.u32_at(data, 32)?;
        db.max_bucket = db.u32_at(data, 72)?;
        for (i, spare) in db.spares.iter_mut().enumerate() {
            // `db` is borrowed mutably here, so decode by hand with the same byte order.
            let b = data.get(96 + 4 * i..100 + 4 * i).ok_or("bdb: metadata page is truncated")?;
            let b = [b[0], b[1], b[2], b[3]];
            *spare = if big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) };
        }
        // The file holds pages 0..=last_page: this bounds every walk and allocation below.
        let pages = (u64::from(db.last_page) + 1) * page_size as u64;
        if pages > data.len() as u64 {
            return Err(format!("bdb: {pages} bytes of pages declared but the file has {} (truncated?)", data.len()));
        }
        // Every bucket needs a page of its own.
        if db.max_bucket >= db.last_page {
            return Err(format!("bdb: {} buckets but only {} pages", u64::from(db.max_bucket) + 1, db.last_page));
        }
        Ok(db)
    }

    fn u16_at(&self, b: &[u8], at: usize) -> Result<u16, String> {
        let s = b.get(at..at + 2).ok_or("bdb: read past the end of a page")?;
        let s = [s[0], s[1]];
        Ok(if self.big_endian { u16::from_be_bytes(s) } else { u16::from_le_bytes(s) })
    }

    fn u32_at(&self, b: &[u8], at: usize) -> Result<u32, String> {
        let s = b.get(at..at + 4).ok_or("bdb: read past the end of a page")?;
        let s = [s[0], s[1], s[2], s[3]];
        Ok(if self.big_endian { u32::from_be_bytes(s) } else { u32::from_le_bytes(s) })
    }

    /// Page `n`, checked to exist, to be in the file and to carry its own number.
    fn page(&self, n: u32) -> Result<Page<'a>, String> {
        if n == 0 || n > self.last_page {
            return Err(format!("bdb: reference to page {n} (last page is {})", self.last_page));
        }
        let start = n as usize * self.page_size;
        let bytes = self
            .data
            .get(start..start + self.page_size)
            .ok_or_else(|| format!("bdb: page {n} is past the end of the file (truncated?)"))?;
        if self.u32_at(bytes, 8)? != n {
            return Err(format!("bdb: page {n} does not carry its own page number"));
        }
        Ok(Page {
            bytes,
            next: self.u32_at(bytes, 16)?,
            entries: usize::from(self.u16_at(bytes, 20)?),
            high_free: usize::from(self.u16_at(bytes, 22)?),
            kind: bytes[25],
        })
    }

    /// The first page of hash bucket `bucket`.
    fn bucket_page(&self, bucket: u32) -> Result<u32, String> {
        let split_point = (u32::BITS - bucket.leading_zeros()) as usize;
        let spare = self.spares.get(split_point).ok_or("bdb: bucket out of range")?;
        bucket.checked_add(*spare).ok_or_else(|| format!("bdb: bucket {bucket} maps past page 2^32"))
    }

    /// An item on a hash page: inline bytes, or the value gathered from its overflow chain.
    fn item(&self, page: &Page<'a>, off: usize, len: usize, seen: &mut Seen) -> Result<Cow<'a, [u8]>, String> {
        let item = page.bytes.get(off..off + len).filter(|i| !i.is_empty()).ok_or("bdb: item outside its page")?;
        match item[0] {
            H_KEYDATA => Ok(Cow::Borrowed(&item[1..])),
            H_OFFPAGE if len == OFFPAGE_SIZE => {
                let first = self.u32_at(item, 4)?;
                let total = self.u32_at(item, 8)? as usize;
                self.overflow(first, total, seen).map(Cow::Owned)
            }
            t => Err(format!("bdb: unsupported hash item type {t} (of {len} bytes)")),
        }
    }

    /// Concatenates an overflow chain holding `total` bytes.
    fn overflow(&self, mut n: u32, total: usize, seen: &mut Seen) -> Result<Vec<u8>, String> {
        // A value cannot hold more bytes than the file does: this bounds the allocation.
        if total == 0 || total > self.data.len() {
            return Err(format!("bdb: overflow value of {total} bytes"));
        }
        let mut out = Vec::with_capacity(total);
        while out.len() < total {
            let page = self.page(n)?;
            seen.visit(n)?;
            let len = page.high_free;
            if page.kind != P_OVERFLOW || len == 0 || PAGE_HEADER_SIZE + len > self.page_size || len > total - out.len()
            {
                return Err(format!("bdb: overflow page {n} is corrupt"));
            }
            out.extend_from_slice(&page.bytes[PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + len]);
            n = page.next;
        }
        Ok(out)
    }

    /// Every key/value pair, bucket by bucket.
    fn pairs(&self) -> Result<Vec<Pair<'a>>, String> {
        let mut seen = Seen(vec![false; self.last_page as usize + 1]);
        let mut out = Vec::new();
        for bucket in 0..=self.max_bucket {
            let mut n = self.bucket_page(bucket)?;
            while n != 0 {
                let page = self.page(n)?;
                seen.visit(n).map_err(|e| format!("{e} (bucket {bucket})"))?;
                if page.kind != P_HASH && page.kind != P_HASH_UNSORTED {
                    return Err(format!("bdb: bucket {bucket} page {n} has type {}", page.kind));
                }
                self.page_pairs(&page, &mut out, &mut seen).map_err(|e| format!("{e} on page {n}"))?;
                n = page.next;
            }
        }
        Ok(out)
    }

    /// Appends the key/value pairs of one hash page. Items are packed from the
    /// end of the page down, so each item ends where the previous one starts.
    fn page_pairs(&self, page: &Page<'a>, out: &mut Vec<Pair<'a>>, seen: &mut Seen) -> Result<(), String> {
        let n = page.entries;
        let index_end = PAGE_HEADER_SIZE + 2 * n;
        if !n.is_multiple_of(2) || index_end > self.page_size {
            return Err(format!("bdb: {n} hash entries"));
        }
        let offsets = (0..n)
            .map(|i| self.u16_at(page.bytes, PAGE_HEADER_SIZE + 2 * i).map(usize::from))
            .collect::<Result<Vec<_>, _>>()?;
        let mut end = self.page_size;
        for pair in offsets.chunks_exact(2) {
            let (k, v) = (pair[0], pair[1]);
            if k < index_end || v < index_end || k >= end || v >= k {
                return Err("bdb: hash entries overlap".to_string());
            }
            out.push((self.item(page, k, end - k, seen)?, self.item(page, v, k - v, seen)?));
            end = v;
        }
        Ok(())
    }
}

/// Reads every package's header blob, in package-number order; record 0 (rpm's
/// next-package-number counter) is skipped.
pub(super) fn blobs(data: &[u8]) -> Result<Vec<Blob<'_>>, String> {
    let db = Db::open(data)?;
    let mut out = Vec::new();
    for (key, value) in db.pairs()? {
        let key = match <[u8; 4]>::try_from(key.as_ref()) {
            // rpm writes the package number in the host's byte order, as the database's.
            Ok(k) if db.big_endian => u32::from_be_bytes(k),
            Ok(k) => u32::from_le_bytes(k),
            Err(_) => return Err(format!("bdb: key of {} bytes, expected a 4-byte package number", key.len())),
        };
        if key != 0 {
            out.push(Blob { key: i64::from(key), data: value });
        }
    }
    out.sort_by_key(|b| b.key);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A metadata page followed by `pages` empty pages, with the given fields set.
    fn meta(page_size: u32, last_page: u32, max_bucket: u32) -> Vec<u8> {
        let mut b = vec![0u8; page_size as usize * (last_page as usize + 1)];
        b[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        b[16..20].copy_from_slice(&9u32.to_le_bytes());
        b[20..24].copy_from_slice(&page_size.to_le_bytes());
        b[25] = P_HASHMETA;
        b[32..36].copy_from_slice(&last_page.to_le_bytes());
        b[72..76].copy_from_slice(&max_bucket.to_le_bytes());
        b
    }

    #[test]
    fn two_values_sharing_an_overflow_chain_are_an_error() {
        let mut db = include_bytes!("testdata/Packages").to_vec();
        assert_eq!(blobs(&db).unwrap().len(), 5);
        // Every header in this fixture lives on overflow pages: find the H_OFFPAGE items.
        let mut offpage = Vec::new();
        for page in (512..db.len()).step_by(512) {
            if db[page + 25] == P_HASH || db[page + 25] == P_HASH_UNSORTED {
                let entries = usize::from(u16::from_le_bytes([db[page + 20], db[page + 21]]));
                for i in 0..entries {
                    let at = page + PAGE_HEADER_SIZE + 2 * i;
                    let off = page + usize::from(u16::from_le_bytes([db[at], db[at + 1]]));
                    if db[off] == H_OFFPAGE {
                        offpage.push(off);
                    }
                }
            }
        }
        assert_eq!(offpage.len(), 5, "five overflow values");
        let first: Vec<u8> = db[offpage[0] + 4..offpage[0] + 12].to_vec();
        db[offpage[1] + 4..offpage[1] + 12].copy_from_slice(&first);
        let err = blobs(&db).unwrap_err();
        assert!(err.contains("reached twice"), "{err}");
    }

    #[test]
    fn hostile_metadata_and_pages_are_errors() {
        let set = |mut b: Vec<u8>, at: usize, v: &[u8]| {
            b[at..at + v.len()].copy_from_slice(v);
            b
        };
        // Bucket 0 lives on page 1 (spares[0] = 1).
        let base = set(meta(512, 2, 0), 96, &1u32.to_le_bytes());
        let page1 = 512;
        let hash_page = |b: Vec<u8>| set(set(b, page1 + 8, &1u32.to_le_bytes()), page1 + 25, &[P_HASH]);
        let cases = [
            ("short file", base[..100].to_vec()),
            ("bad page size", set(base.clone(), 20, &1000u32.to_le_bytes())),
            ("huge page size", set(base.clone(), 20, &(1u32 << 31).to_le_bytes())),
            ("version 7", set(base.clone(), 16, &7u32.to_le_bytes())),
            ("more buckets than pages", set(base.clone(), 72, &u32::MAX.to_le_bytes())),
            ("last page past the file", set(base.clone(), 32, &1000u32.to_le_bytes())),
            ("truncated", base[..1000].to_vec()),
            ("page without its own number", base.clone()),
            ("odd entry count", set(hash_page(base.clone()), page1 + 20, &1u16.to_le_bytes())),
            ("entries beyond the page", set(hash_page(base.clone()), page1 + 20, &0xfffeu16.to_le_bytes())),
            ("bucket page loops to itself", set(hash_page(base.clone()), page1 + 16, &1u32.to_le_bytes())),
            (
                "overlapping items",
                set(set(hash_page(base.clone()), page1 + 20, &2u16.to_le_bytes()), page1 + 26, &[0, 2, 0, 2]),
            ),
        ];
        for (what, bytes) in cases {
            assert!(blobs(&bytes).is_err(), "{what}");
        }
        assert_eq!(blobs(&hash_page(base)).unwrap().len(), 0, "an empty bucket page is an empty database");
    }
}
