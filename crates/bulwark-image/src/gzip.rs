//! gzip streams decoded with ISA-L's igzip: every member in turn, each checked against the CRC-32
//! and length in its trailer.

use isal_sys::igzip_lib as isal;
use std::io::{self, BufRead, Read};

/// A fresh ISA-L inflate state for data of the given wrapper (`ISAL_DEFLATE`, `ISAL_GZIP`, …).
pub(crate) fn inflate_state(wrapper: u32) -> Box<isal::inflate_state> {
    // SAFETY: inflate_state is plain integers, pointers and arrays, for which all-zero is a valid
    // value; isal_inflate_init then sets it up.
    let mut state: Box<isal::inflate_state> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: `state` is a live, writable inflate_state.
    unsafe { isal::isal_inflate_init(&mut *state) };
    state.crc_flag = wrapper;
    state
}

/// Words for an ISA-L inflate error code.
fn describe(code: i32) -> &'static str {
    match code {
        isal::ISAL_INVALID_BLOCK => "corrupt deflate stream: invalid block type or header",
        isal::ISAL_INVALID_SYMBOL => "corrupt deflate stream: invalid code or length",
        isal::ISAL_INVALID_LOOKBACK => "corrupt deflate stream: invalid distance too far back",
        isal::ISAL_INCORRECT_CHECKSUM => "corrupt gzip stream does not have a matching checksum",
        _ => "corrupt gzip stream",
    }
}

/// Input bytes consumed and output bytes written by an `isal_inflate` call that was offered
/// `offered` and `room` and left `avail_in` and `avail_out`, or the error it reported.
pub(crate) fn taken(ret: i32, offered: u32, avail_in: u32, room: u32, avail_out: u32) -> io::Result<(usize, usize)> {
    if ret < 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidData, describe(ret)));
    }
    match (offered.checked_sub(avail_in), room.checked_sub(avail_out)) {
        (Some(consumed), Some(produced)) => Ok((consumed as usize, produced as usize)),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt gzip stream")),
    }
}

/// Reads past one member's header (RFC 1952), checked as strictly as flate2 checks it; returns
/// its length, or `None` if the stream has no byte left. (ISA-L's own header reader fails on
/// name and extra fields that arrive in pieces.)
pub(crate) fn read_header(r: &mut impl BufRead) -> io::Result<Option<u64>> {
    if r.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, format!("invalid gzip header: {m}"));
    let mut len = 0u64;
    let mut take = |r: &mut dyn BufRead, buf: &mut [u8]| -> io::Result<()> {
        r.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => io::Error::new(e.kind(), "the gzip stream ends inside its header"),
            _ => e,
        })?;
        len += buf.len() as u64;
        Ok(())
    };
    let mut fixed = [0u8; 10];
    take(r, &mut fixed)?;
    if fixed[..3] != [0x1f, 0x8b, 8] {
        return Err(bad("not a deflate gzip member"));
    }
    let flags = fixed[3];
    if flags & 0xe0 != 0 {
        return Err(bad("reserved flag bits set"));
    }
    let mut byte = [0u8; 1];
    if flags & 0x04 != 0 {
        let mut xlen = [0u8; 2];
        take(r, &mut xlen)?;
        for _ in 0..u16::from_le_bytes(xlen) {
            take(r, &mut byte)?;
        }
    }
    // The file name and the comment, each up to a zero byte.
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            take(r, &mut byte)?;
            while byte[0] != 0 {
                take(r, &mut byte)?;
            }
        }
    }
    if flags & 0x02 != 0 {
        take(r, &mut [0u8; 2])?;
    }
    Ok(Some(len))
}

/// Decodes a gzip stream of one or more members read from `inner`.
pub(crate) struct GzipReader<R> {
    inner: R,
    state: Box<isal::inflate_state>,
    /// Inside a member's deflate data or trailer (its header is read).
    in_member: bool,
}

impl<R: BufRead> GzipReader<R> {
    /// A reader of the gzip stream `inner` holds.
    pub(crate) fn new(inner: R) -> Self {
        GzipReader { inner, state: inflate_state(isal::ISAL_GZIP_NO_HDR_VER), in_member: false }
    }
}

impl<R: BufRead> Read for GzipReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_member {
                if read_header(&mut self.inner)?.is_none() {
                    return Ok(0);
                }
                // SAFETY: `state` is a live inflate_state.
                unsafe { isal::isal_inflate_reset(&mut *self.state) };
                // Raw deflate; ISA-L checks the trailer's CRC-32 and length after it.
                self.state.crc_flag = isal::ISAL_GZIP_NO_HDR_VER;
                self.in_member = true;
            }
            let input = self.inner.fill_buf()?;
            let at_end = input.is_empty();
            self.state.next_in = input.as_ptr().cast_mut();
            self.state.avail_in = u32::try_from(input.len()).unwrap_or(u32::MAX);
            let offered = self.state.avail_in;
            let room = u32::try_from(out.len()).unwrap_or(u32::MAX);
            self.state.next_out = out.as_mut_ptr();
            self.state.avail_out = room;
            // SAFETY: next_in/avail_in describe bytes of `input` and next_out/avail_out bytes of
            // `out`, both live for the call; ISA-L keeps no pointer to either after it.
            let ret = unsafe { isal::isal_inflate(&mut *self.state) };
            self.state.next_in = std::ptr::null_mut();
            self.state.next_out = std::ptr::null_mut();
            // After an error ISA-L's counts are not to be trusted (it can leave `avail_in` at -1).
            let (consumed, produced) = taken(ret, offered, self.state.avail_in, room, self.state.avail_out)?;
            self.inner.consume(consumed);
            if self.state.block_state == isal::isal_block_state_ISAL_BLOCK_FINISH {
                self.in_member = false;
            }
            if produced > 0 {
                return Ok(produced);
            }
            if !self.in_member {
                continue;
            }
            if at_end {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends early"));
            }
            if consumed == 0 {
                return Err(io::Error::other("the gzip decoder made no progress"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8], level: u32) -> Vec<u8> {
        let mut gz = flate2::GzBuilder::new()
            .filename("layer.tar")
            .comment("a comment")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::new(level));
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    fn decode(blob: &[u8], read_size: usize) -> io::Result<Vec<u8>> {
        // A small input buffer makes headers, blocks and trailers straddle reads.
        let mut reader = GzipReader::new(io::BufReader::with_capacity(7, blob));
        let mut out = Vec::new();
        let mut buf = vec![0u8; read_size];
        loop {
            match reader.read(&mut buf)? {
                0 => return Ok(out),
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| if i % 7 == 0 { (i * 31 % 251) as u8 } else { b'a' + (i % 13) as u8 }).collect()
    }

    #[test]
    fn decodes_what_flate2_writes_in_one_or_several_members() {
        let (a, b) = (sample(300_000), sample(12_345));
        for level in [0, 1, 6, 9] {
            assert_eq!(decode(&gzip(&a, level), 4096).unwrap(), a, "level {level}");
            let two = [gzip(&a, level), gzip(&b, level), gzip(b"", level)].concat();
            assert_eq!(decode(&two, 1000).unwrap(), [&a[..], &b[..]].concat(), "level {level}, members");
        }
        assert_eq!(decode(&gzip(b"", 6), 10).unwrap(), b"");
    }

    #[test]
    fn damage_is_an_error_never_a_short_result() {
        let data = sample(200_000);
        let blob = gzip(&data, 6);
        for cut in [5, 20, blob.len() / 2, blob.len() - 9, blob.len() - 1] {
            let err = decode(&blob[..cut], 4096).unwrap_err();
            assert!(
                err.to_string().contains("ends early") || err.kind() == io::ErrorKind::UnexpectedEof,
                "{cut}: {err}"
            );
        }
        let mut bad_crc = blob.clone();
        let at = bad_crc.len() - 8;
        bad_crc[at] ^= 1;
        assert_eq!(decode(&bad_crc, 4096).unwrap_err().to_string(), describe(isal::ISAL_INCORRECT_CHECKSUM));
        let mut bad_len = blob.clone();
        let at = bad_len.len() - 2;
        bad_len[at] ^= 1;
        assert!(decode(&bad_len, 4096).is_err());
        let trailing = [blob.clone(), b"this is not gzip data".to_vec()].concat();
        assert_eq!(decode(&trailing, 4096).unwrap_err().to_string(), "invalid gzip header: not a deflate gzip member");
        let short = [blob.clone(), vec![0x1f, 0x8b]].concat();
        assert_eq!(decode(&short, 4096).unwrap_err().to_string(), "the gzip stream ends inside its header");
        for at in [40, blob.len() / 3, blob.len() / 2] {
            let mut corrupt = blob.clone();
            corrupt[at..at + 4].copy_from_slice(&[0xff, 0x00, 0xa5, 0x5a]);
            if let Ok(out) = decode(&corrupt, 4096) {
                assert_eq!(out, data, "byte {at}: a different result instead of an error");
            }
        }
    }

    #[test]
    fn a_bad_distance_is_an_error_not_a_panic() {
        // Found by the `layer` fuzz target: ISA-L reports a distance too far back and leaves its
        // input count at -1. Truncated deflate data after a FNAME header, then a partial header.
        let blob: &[u8] = &[
            0x1f, 0x8b, 0x08, 0x08, 0xbc, 0x91, 0x16, 0x6b, 0x02, 0x03, 0x70, 0x61, 0x78, 0x2e, 0x74, 0x61, 0x72, 0x00,
            0xec, 0x5c, 0xd9, 0x72, 0xdb, 0x38, 0xb3, 0xce, 0x35, 0x9f, 0x82, 0x95, 0x9b, 0x4c, 0xca, 0x91, 0xb8, 0x6f,
            0x3a, 0xf1, 0xd4, 0x68, 0xb3, 0x24, 0x4b, 0xd6, 0x62, 0x49, 0x5e, 0x74, 0x93, 0x02, 0x49, 0x50, 0xa2, 0xc5,
            0xcd, 0x5c, 0x24, 0x51, 0xf5, 0xd7, 0x3c, 0xcd, 0x79, 0x93, 0xf3, 0x62, 0x07, 0x00, 0xa9, 0xcd, 0x4e, 0xf2,
            0x27, 0xa9, 0xb1, 0x93, 0xd4, 0x10, 0x49, 0x24, 0x10, 0x68, 0x34, 0x1a, 0xe8, 0xee, 0x0f, 0x4d, 0x00, 0x4a,
            0x99, 0x19, 0x82, 0x4d, 0x1b, 0x02, 0x13, 0x86, 0x11, 0x53, 0x7e, 0xf3, 0x22, 0x89, 0x45, 0x49, 0x16, 0x45,
            0xf2, 0x8d, 0xd2, 0xd3, 0x6f, 0x96, 0x13, 0xf8, 0x37, 0x9c, 0x24, 0xb0, 0x92, 0xc4, 0xb1, 0xb2, 0x22, 0x1f,
            0x8b, 0x08, 0x08, 0xbc, 0x91, 0x16, 0x6b, 0x02, 0x03, 0x70, 0x61, 0xbc, 0x61, 0x39, 0x78,
        ];
        let err = decode(blob, 4096).unwrap_err();
        assert_eq!(err.to_string(), "corrupt deflate stream: invalid distance too far back");
        let mut reader = GzipReader::new(io::BufReader::new(blob));
        assert!(reader.read_to_end(&mut Vec::new()).is_err());
    }
}
