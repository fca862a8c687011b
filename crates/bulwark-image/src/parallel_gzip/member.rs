//! The framing around a gzip member's deflate data (RFC 1952): its header and its trailer.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Length of the gzip member header at `file[start..end]`, checked as strictly as flate2 does.
pub(super) fn header_len(file: &File, start: u64, end: u64) -> io::Result<u64> {
    let mut head = vec![0u8; usize::try_from((end - start).min(64 * 1024 + 1024)).unwrap_or(0)];
    let n = read_fully_at(file, &mut head, start)?;
    head.truncate(n);
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("invalid gzip header: {m}"));
    let short = || io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends inside its header");
    if head.len() < 10 {
        return Err(short());
    }
    if head[0] != 0x1f || head[1] != 0x8b || head[2] != 8 {
        return Err(bad("not a deflate gzip member"));
    }
    let flags = head[3];
    if flags & 0xe0 != 0 {
        return Err(bad("reserved flag bits set"));
    }
    let mut at = 10usize;
    if flags & 0x04 != 0 {
        let len = head.get(at..at + 2).ok_or_else(short)?;
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            let nul = head.get(at..).and_then(|h| h.iter().position(|&b| b == 0)).ok_or_else(short)?;
            at += nul + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    if at >= head.len() {
        return Err(short());
    }
    Ok(at as u64)
}

/// A member's trailer: the CRC-32 and the length (mod 2³²) of its uncompressed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Trailer {
    /// CRC-32 of the uncompressed data.
    pub crc: u32,
    /// Uncompressed length modulo 2³².
    pub size: u32,
}

/// Reads the 8-byte trailer at `file[at..]`, which must end by `end`.
pub(super) fn read_trailer(file: &File, at: u64, end: u64) -> io::Result<Trailer> {
    let mut trailer = [0u8; 8];
    if at + 8 > end || read_fully_at(file, &mut trailer, at)? < 8 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends inside its trailer"));
    }
    Ok(Trailer {
        crc: u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]),
        size: u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]),
    })
}

/// Reads as much of `buf` as the file holds at `offset`.
pub(super) fn read_fully_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
