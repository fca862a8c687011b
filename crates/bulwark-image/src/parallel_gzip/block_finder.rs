//! Finds where a deflate block with a dynamic Huffman header starts, from an arbitrary bit
//! position: the entry points for decoding one gzip stream from several places at once.
//!
//! A candidate must be a non-final block of type 2 whose header builds valid codes by zlib's own
//! rules (a complete code-length code, literal/length and distance codes neither over-subscribed
//! nor incomplete except for a single one-bit code, an end-of-block code). The finder can still
//! be fooled by data that happens to look like a header; callers accept a candidate only when the
//! decoding before it ends exactly there.

use super::member::read_fully_at;
use std::fs::File;

/// Order in which the code-length code lengths are stored (RFC 1951 §3.2.7).
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Reads deflate's LSB-first bits from a byte slice.
struct Bits<'a> {
    data: &'a [u8],
    pos: u64,
}

impl Bits<'_> {
    /// The next `n` (≤ 32) bits, least significant first; `None` past the end.
    fn take(&mut self, n: u32) -> Option<u32> {
        let mut value = 0u64;
        let mut got = 0u32;
        while got < n {
            let byte = *self.data.get(usize::try_from(self.pos / 8).ok()?)?;
            let shift = (self.pos % 8) as u32;
            let avail = (8 - shift).min(n - got);
            let bits = (u64::from(byte) >> shift) & ((1u64 << avail) - 1);
            value |= bits << got;
            got += avail;
            self.pos += u64::from(avail);
        }
        Some(value as u32)
    }
}

/// How a set of code lengths fills its prefix code.
#[derive(PartialEq)]
enum Fill {
    Complete,
    Incomplete,
    Oversubscribed,
}

/// Kraft check of `lengths` (each ≤ 15), and the largest length used.
fn fill(lengths: &[u8]) -> (Fill, u8) {
    let mut count = [0u32; 16];
    for &l in lengths {
        count[usize::from(l)] += 1;
    }
    let mut left: i64 = 1;
    let mut max = 0;
    for (len, &n) in count.iter().enumerate().skip(1) {
        left = left * 2 - i64::from(n);
        if left < 0 {
            return (Fill::Oversubscribed, max);
        }
        if n > 0 {
            max = len as u8;
        }
    }
    (if left == 0 { Fill::Complete } else { Fill::Incomplete }, max)
}

/// Whether zlib would build a decoding table from these literal/length or distance lengths.
fn usable(lengths: &[u8]) -> bool {
    match fill(lengths) {
        (Fill::Oversubscribed, _) => false,
        (Fill::Complete, _) => true,
        // zlib allows an incomplete code only when it is a single one-bit code (or empty).
        (Fill::Incomplete, max) => max <= 1,
    }
}

/// A canonical prefix code over the 19 code-length symbols, decoded bit by bit.
struct ClCode {
    /// (length, code, symbol), sorted by length then symbol.
    codes: Vec<(u8, u32, u8)>,
}

impl ClCode {
    fn new(lengths: &[u8; 19]) -> ClCode {
        let mut count = [0u32; 8];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        count[0] = 0;
        let mut next = [0u32; 8];
        let mut code = 0;
        for len in 1..8 {
            code = (code + count[len - 1]) << 1;
            next[len] = code;
        }
        let mut codes = Vec::new();
        for (sym, &l) in lengths.iter().enumerate() {
            if l > 0 {
                codes.push((l, next[usize::from(l)], sym as u8));
                next[usize::from(l)] += 1;
            }
        }
        codes.sort();
        ClCode { codes }
    }

    /// The next symbol; `None` at the end of the data.
    fn decode(&self, bits: &mut Bits<'_>) -> Option<u8> {
        let mut code = 0u32;
        let mut len = 0u8;
        for &(l, c, sym) in &self.codes {
            while len < l {
                code = (code << 1) | bits.take(1)?;
                len += 1;
            }
            if c == code {
                return Some(sym);
            }
        }
        None
    }
}

/// Whether a valid non-final dynamic-Huffman block header starts at bit `pos` of `data`.
fn is_block_start(data: &[u8], pos: u64) -> bool {
    let mut bits = Bits { data, pos };
    check_header(&mut bits).unwrap_or(false)
}

fn check_header(bits: &mut Bits<'_>) -> Option<bool> {
    // BFINAL = 0 and BTYPE = 2 (dynamic): the three bits 0b100 read LSB first.
    if bits.take(3)? != 0b100 {
        return Some(false);
    }
    let hlit = bits.take(5)? as usize + 257;
    let hdist = bits.take(5)? as usize + 1;
    let hclen = bits.take(4)? as usize + 4;
    if hlit > 286 || hdist > 30 {
        return Some(false);
    }
    let mut cl = [0u8; 19];
    for &i in &CL_ORDER[..hclen] {
        cl[i] = bits.take(3)? as u8;
    }
    if fill(&cl).0 != Fill::Complete {
        return Some(false);
    }
    let code = ClCode::new(&cl);
    let mut lengths = [0u8; 286 + 30];
    let total = hlit + hdist;
    let mut i = 0;
    while i < total {
        let sym = code.decode(bits)?;
        let (value, repeat) = match sym {
            0..=15 => (sym, 1),
            16 => {
                if i == 0 {
                    return Some(false);
                }
                (lengths[i - 1], 3 + bits.take(2)? as usize)
            }
            17 => (0, 3 + bits.take(3)? as usize),
            _ => (0, 11 + bits.take(7)? as usize),
        };
        if i + repeat > total {
            return Some(false);
        }
        lengths[i..i + repeat].fill(value);
        i += repeat;
    }
    let (lit, dist) = lengths[..total].split_at(hlit);
    Some(lit[256] != 0 && usable(lit) && usable(dist))
}

/// The 120 bits from bit `pos` on (fewer, zero-filled, near the end of `data`).
fn bits_at(data: &[u8], pos: u64) -> u128 {
    let at = (pos / 8) as usize;
    let mut bytes = [0u8; 16];
    let have = data.len().saturating_sub(at).min(16);
    bytes[..have].copy_from_slice(&data[at..at + have]);
    u128::from_le_bytes(bytes) >> (pos % 8)
}

/// A quick test every block header passes and almost no other bit position does: a non-final
/// dynamic block, sizes in range, and a complete code-length code.
fn may_start_block(bits: u128) -> bool {
    if bits & 0b111 != 0b100 || (bits >> 3) & 31 > 29 || (bits >> 8) & 31 > 29 {
        return false;
    }
    let hclen = ((bits >> 13) & 15) as usize + 4;
    let mut kraft = 0u32;
    for i in 0..hclen {
        let len = ((bits >> (17 + 3 * i)) & 7) as u32;
        if len > 0 {
            kraft += 128 >> len;
        }
    }
    kraft == 128
}

/// The first bit position in `from..until` where a block header passes [`is_block_start`].
fn find_block_start(data: &[u8], from: u64, until: u64) -> Option<u64> {
    let end = until.min(data.len() as u64 * 8);
    (from..end).find(|&pos| may_start_block(bits_at(data, pos)) && is_block_start(data, pos))
}

/// Bytes the file finder reads at a time (a block header is a few hundred bytes at most).
const SCAN_STEP: u64 = 256 * 1024;
const SCAN_OVERLAP: u64 = 1024;

/// The first block start at file bits `from..until`.
pub(super) fn find_in_file(file: &File, from: u64, until: u64) -> Option<u64> {
    let mut at = from;
    let mut data = Vec::new();
    while at < until {
        let offset = at / 8;
        data.resize((SCAN_STEP + SCAN_OVERLAP) as usize, 0);
        let n = read_fully_at(file, &mut data, offset).ok()?;
        data.truncate(n);
        let base = offset * 8;
        let stop = until.min(base + SCAN_STEP * 8);
        if let Some(found) = find_block_start(&data, at - base, stop - base) {
            return Some(base + found);
        }
        if n == 0 {
            return None;
        }
        at = stop;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Compressible but varied text, so zlib writes dynamic blocks.
    fn text(len: usize) -> Vec<u8> {
        let words = ["layer", "package", "deflate", "block", "huffman", "debian", "python", "tar", "\n"];
        let mut x: u32 = 12345;
        let mut out = Vec::new();
        while out.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            out.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
            out.extend_from_slice(format!(" {} ", x % 1000).as_bytes());
        }
        out
    }

    #[test]
    fn the_first_block_of_a_zlib_stream_is_found_at_bit_zero() {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&text(2_000_000)).unwrap();
        let raw = enc.finish().unwrap();
        assert!(is_block_start(&raw, 0));
        assert_eq!(find_block_start(&raw, 0, 64), Some(0));
        // Found from anywhere before a later block too, and never past the range.
        let later = find_block_start(&raw, 1, raw.len() as u64 * 8).unwrap();
        assert!(later > 0);
        assert_eq!(find_block_start(&raw, 1, later), None);
    }

    #[test]
    fn random_bytes_and_stored_blocks_are_not_block_starts() {
        let mut x: u64 = 7;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let hits = (0..noise.len() as u64 * 8).filter(|&p| is_block_start(&noise, p)).count();
        assert!(hits <= 2, "{hits} false block starts in 4 KiB of noise");
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::none());
        enc.write_all(&text(10_000)).unwrap();
        assert!(!is_block_start(&enc.finish().unwrap(), 0));
        assert!(!is_block_start(&[], 0));
    }
}
