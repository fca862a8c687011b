//! The framing around a gzip member's deflate data (RFC 1952): its header and its trailer.

use crate::gzip::read_header;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Length of the gzip member header at `file[start..end]` (see [`read_header`]); one longer than
/// 65 KiB is refused here (the streaming decoder then reports on it).
pub(super) fn header_len(file: &File, start: u64, end: u64) -> io::Result<u64> {
    let mut head = vec![0u8; usize::try_from((end - start).min(64 * 1024 + 1024)).unwrap_or(0)];
    let n = read_fully_at(file, &mut head, start)?;
    head.truncate(n);
    let len = read_header(&mut &head[..])?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends inside its header"))?;
    if len >= head.len() as u64 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends inside its header"));
    }
    Ok(len)
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
