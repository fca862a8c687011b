//! The RPM header blob as rpm stores it in its databases: a big-endian index
//! count and data length, the index entries (tag, type, offset, count), then
//! the data store. Every offset and count is checked against the blob.

use std::borrow::Cow;

/// Size of one index entry: tag, type, offset, count (4 bytes each).
const ENTRY_SIZE: usize = 16;
/// rpm refuses headers with more index entries than this (`hdrchkTags`).
const MAX_ENTRIES: usize = 0xffff;
/// rpm refuses headers with a larger data store than this (`hdrchkData`).
const MAX_DATA: usize = 256 * 1024 * 1024;

/// Header entry types this parser reads (rpm's `rpmTagType`).
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Tag numbers of the header fields the rpm extractor reads.
pub(super) mod tag {
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const LICENSE: u32 = 1014;
    pub const ARCH: u32 = 1022;
    pub const OLDFILENAMES: u32 = 1027;
    pub const SOURCERPM: u32 = 1044;
    pub const DIRINDEXES: u32 = 1116;
    pub const BASENAMES: u32 = 1117;
    pub const DIRNAMES: u32 = 1118;
}

/// One index entry: where a tag's value lives in the data store.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A parsed header: its index and a view of its data store.
#[derive(Debug)]
pub(super) struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

impl<'a> Header<'a> {
    /// Parses a header blob; fails if the index or data store does not fit in `blob`.
    pub(super) fn parse(blob: &'a [u8]) -> Result<Self, String> {
        let (il, dl) = match (be32(blob, 0), be32(blob, 4)) {
            (Some(il), Some(dl)) => (il as usize, dl as usize),
            _ => return Err(format!("header blob of {} bytes is too short", blob.len())),
        };
        if il == 0 || il > MAX_ENTRIES {
            return Err(format!("header has {il} index entries"));
        }
        if dl > MAX_DATA {
            return Err(format!("header data length {dl} is too large"));
        }
        let index_end = 8 + il * ENTRY_SIZE;
        let data_end = index_end + dl;
        if data_end > blob.len() {
            return Err(format!(
                "header declares {il} entries and {dl} data bytes but the blob has only {} bytes",
                blob.len()
            ));
        }
        let data = &blob[index_end..data_end];
        let entries = blob[8..index_end]
            .chunks_exact(ENTRY_SIZE)
            .map(|e| Entry {
                tag: u32::from_be_bytes([e[0], e[1], e[2], e[3]]),
                ty: u32::from_be_bytes([e[4], e[5], e[6], e[7]]),
                offset: u32::from_be_bytes([e[8], e[9], e[10], e[11]]) as usize,
                count: u32::from_be_bytes([e[12], e[13], e[14], e[15]]) as usize,
            })
            .collect();
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// The data store from an entry's offset on, or an error naming the tag.
    fn data_at(&self, e: &Entry) -> Result<&'a [u8], String> {
        self.data.get(e.offset..).ok_or_else(|| {
            format!("tag {} points at offset {} past the {}-byte data store", e.tag, e.offset, self.data.len())
        })
    }

    /// A single string value (STRING, or the first I18NSTRING), if the tag is present.
    pub(super) fn string(&self, tag: u32) -> Result<Option<Cow<'a, str>>, String> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        if e.ty != TYPE_STRING && e.ty != TYPE_I18NSTRING {
            return Err(format!("tag {tag} has type {}, expected a string", e.ty));
        }
        let mut strings = self.strings(e)?;
        strings.next().transpose()
    }

    /// A STRING_ARRAY value, if the tag is present.
    pub(super) fn string_array(&self, tag: u32) -> Result<Option<Vec<Cow<'a, str>>>, String> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        if e.ty != TYPE_STRING_ARRAY {
            return Err(format!("tag {tag} has type {}, expected a string array", e.ty));
        }
        self.strings(e)?.collect::<Result<Vec<_>, _>>().map(Some)
    }

    /// An INT32 array value, if the tag is present.
    pub(super) fn int32_array(&self, tag: u32) -> Result<Option<Vec<u32>>, String> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        if e.ty != TYPE_INT32 {
            return Err(format!("tag {tag} has type {}, expected int32", e.ty));
        }
        let bytes = self.data_at(e)?;
        let len = e.count.checked_mul(4).filter(|&n| n <= bytes.len()).ok_or_else(|| {
            format!("tag {tag} declares {} int32 values at offset {}, past the data store", e.count, e.offset)
        })?;
        let values = bytes[..len].chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Some(values))
    }

    /// The first value of an INT32 tag, if the tag is present.
    pub(super) fn int32(&self, tag: u32) -> Result<Option<u32>, String> {
        match self.int32_array(tag)? {
            Some(values) => values.first().copied().map(Some).ok_or_else(|| format!("tag {tag} has no values")),
            None => Ok(None),
        }
    }

    /// `count` NUL-terminated strings starting at the entry's offset, each checked lazily.
    fn strings(&self, e: &Entry) -> Result<impl Iterator<Item = Result<Cow<'a, str>, String>> + 'a, String> {
        let mut rest = self.data_at(e)?;
        // Every string takes at least its NUL byte: a larger count cannot fit.
        if e.count == 0 || e.count > rest.len() {
            return Err(format!("tag {} declares {} strings at offset {}", e.tag, e.count, e.offset));
        }
        let tag = e.tag;
        Ok((0..e.count).map(move |_| {
            let nul = memchr::memchr(0, rest).ok_or_else(|| format!("tag {tag}: string runs past the data store"))?;
            let s = String::from_utf8_lossy(&rest[..nul]);
            rest = &rest[nul + 1..];
            Ok(s)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, offset, count) entries and a data store.
    fn blob(entries: &[(u32, u32, u32, u32)], data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        b.extend_from_slice(&(data.len() as u32).to_be_bytes());
        for &(t, ty, off, count) in entries {
            for v in [t, ty, off, count] {
                b.extend_from_slice(&v.to_be_bytes());
            }
        }
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn reads_strings_arrays_and_ints() {
        // "bash", two directory names, one pad byte to align the int32 array at 20.
        let data = [&b"bash\0/usr/\0/etc/\0\0\0\0"[..], &1u32.to_be_bytes(), &5u32.to_be_bytes()].concat();
        let b = blob(
            &[
                (tag::NAME, TYPE_STRING, 0, 1),
                (tag::DIRNAMES, TYPE_STRING_ARRAY, 5, 2),
                (tag::EPOCH, TYPE_INT32, 20, 2),
            ],
            &data,
        );
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).unwrap().as_deref(), Some("bash"));
        assert_eq!(h.string_array(tag::DIRNAMES).unwrap().unwrap(), vec!["/usr/", "/etc/"]);
        assert_eq!(h.int32_array(tag::EPOCH).unwrap(), Some(vec![1, 5]));
        assert_eq!(h.string(tag::LICENSE).unwrap(), None);
    }

    /// Which accessor a hostile case exercises.
    #[derive(Debug, Clone, Copy)]
    enum Get {
        Str,
        Arr,
        Int,
    }

    #[test]
    fn hostile_headers_are_errors() {
        let truncated = {
            let mut b = blob(&[(tag::NAME, TYPE_STRING, 0, 1)], b"x\0");
            b.truncate(b.len() - 1);
            b
        };
        let cases: Vec<(&str, Vec<u8>, u32, Get)> = vec![
            ("too short", vec![0, 0, 0], tag::NAME, Get::Str),
            ("no entries", blob(&[], b""), tag::NAME, Get::Str),
            ("huge entry count", [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0].to_vec(), tag::NAME, Get::Str),
            ("huge data length", [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff].to_vec(), tag::NAME, Get::Str),
            ("data length past blob", truncated, tag::NAME, Get::Str),
            ("offset past data", blob(&[(tag::NAME, TYPE_STRING, 99, 1)], b"x\0"), tag::NAME, Get::Str),
            ("offset u32::MAX", blob(&[(tag::NAME, TYPE_STRING, u32::MAX, 1)], b"x\0"), tag::NAME, Get::Str),
            ("string without NUL", blob(&[(tag::NAME, TYPE_STRING, 0, 1)], b"bash"), tag::NAME, Get::Str),
            ("string count 0", blob(&[(tag::NAME, TYPE_STRING, 0, 0)], b"bash\0"), tag::NAME, Get::Str),
            ("int where string expected", blob(&[(tag::NAME, TYPE_INT32, 0, 1)], b"bash"), tag::NAME, Get::Str),
            ("string where int expected", blob(&[(tag::EPOCH, TYPE_STRING, 0, 1)], b"bash\0"), tag::EPOCH, Get::Int),
            (
                "array count u32::MAX",
                blob(&[(tag::BASENAMES, TYPE_STRING_ARRAY, 0, u32::MAX)], b"a\0b\0"),
                tag::BASENAMES,
                Get::Arr,
            ),
            (
                "array runs out",
                blob(&[(tag::BASENAMES, TYPE_STRING_ARRAY, 0, 3)], b"a\0b\0c"),
                tag::BASENAMES,
                Get::Arr,
            ),
            (
                "int32 count u32::MAX",
                blob(&[(tag::DIRINDEXES, TYPE_INT32, 0, u32::MAX)], b"\0\0\0\0"),
                tag::DIRINDEXES,
                Get::Int,
            ),
            ("int32 past end", blob(&[(tag::DIRINDEXES, TYPE_INT32, 2, 1)], b"\0\0\0\0"), tag::DIRINDEXES, Get::Int),
            ("empty int32", blob(&[(tag::EPOCH, TYPE_INT32, 0, 0)], b"\0\0\0\0"), tag::EPOCH, Get::Int),
        ];
        for (what, b, t, get) in cases {
            let got = Header::parse(&b).and_then(|h| match get {
                Get::Str => h.string(t).map(|_| ()),
                Get::Arr => h.string_array(t).map(|_| ()),
                Get::Int => h.int32(t).map(|_| ()),
            });
            assert!(got.is_err(), "{what}: expected an error, got {got:?}");
        }
    }
}
