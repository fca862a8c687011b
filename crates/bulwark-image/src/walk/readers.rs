//! Readers under a layer walk: byte ranges of files walked in place, streams that skip by
//! reading, and progress reporting.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

/// Read buffer of a walk in place: a seek past a skipped entry drops it, so it only needs to hold
/// a run of headers and small files (a larger one would copy much more than the walk uses).
pub(super) const FILE_RANGE_BUFFER: usize = 8 * 1024;

/// A byte range of a file read forwards, skipping by seeking. Reports every byte read or skipped.
pub(super) struct FileRange<'a> {
    pub reader: BufReader<File>,
    /// Bytes of the range not yet read or skipped.
    pub left: u64,
    pub on_bytes: &'a (dyn Fn(u64) + Sync),
}

impl Read for FileRange<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // BufReader reads a large request straight into `buf`, past its own buffer.
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.reader.read(&mut buf[..want])?;
        self.left -= n as u64;
        (self.on_bytes)(n as u64);
        Ok(n)
    }
}

impl BufRead for FileRange<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let left = usize::try_from(self.left).unwrap_or(usize::MAX);
        let buf = self.reader.fill_buf()?;
        Ok(&buf[..buf.len().min(left)])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(usize::try_from(self.left).unwrap_or(usize::MAX));
        self.reader.consume(amt);
        self.left -= amt as u64;
        (self.on_bytes)(amt as u64);
    }
}

/// A tar stream that can pass over bytes it does not need.
pub(crate) trait SkipForward: BufRead {
    /// Passes over `n` bytes; fails with `UnexpectedEof` if the stream ends first.
    fn skip(&mut self, n: u64) -> io::Result<()>;
}

impl SkipForward for FileRange<'_> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        if n > self.left {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected EOF during skip"));
        }
        // n ≤ left ≤ the file's length, which fits an i64.
        self.reader.seek_relative(n as i64)?;
        self.left -= n;
        (self.on_bytes)(n);
        Ok(())
    }
}

/// A stream that skips by reading and discarding (decompressed or digest-verified data).
pub(crate) struct Consuming<R>(pub R);

impl<R: BufRead> Read for Consuming<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: BufRead> BufRead for Consuming<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.0.consume(amt)
    }
}

impl<R: BufRead> SkipForward for Consuming<R> {
    fn skip(&mut self, mut left: u64) -> io::Result<()> {
        while left > 0 {
            let available = self.0.fill_buf()?;
            if available.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected EOF during skip"));
            }
            let n = available.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            self.0.consume(n);
            left -= n as u64;
        }
        Ok(())
    }
}

pub(super) fn drain(r: &mut impl Read, what: &str) -> Result<u64, String> {
    io::copy(r, &mut io::sink()).map_err(|e| format!("{what}: {e}"))
}

/// Reports every byte read to a progress callback.
pub(super) struct ProgressReader<'a, R> {
    pub inner: R,
    pub on_bytes: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.on_bytes)(n as u64);
        Ok(n)
    }
}
