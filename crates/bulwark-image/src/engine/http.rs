//! A minimal HTTP/1.1 client over a unix socket: one `GET` per connection (`Connection: close`),
//! bodies framed by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// Response headers larger than this are refused.
const MAX_HEAD: usize = 64 * 1024;
/// A chunk-size line (with extensions) longer than this is refused.
const MAX_CHUNK_LINE: usize = 4096;

/// A response whose body is still on the socket.
pub(crate) struct Response {
    /// Status code, e.g. 200.
    pub(crate) status: u16,
    /// The de-framed body.
    pub(crate) body: Box<dyn Read + Send>,
}

impl Response {
    /// Reads the body whole, up to `limit` bytes.
    pub(crate) fn read_small(mut self, limit: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        (&mut self.body).take(limit + 1).read_to_end(&mut out)?;
        if out.len() as u64 > limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("response larger than {limit} bytes")));
        }
        Ok(out)
    }
}

/// Sends `GET path` to the HTTP server on `socket`; every read and write waits at most `timeout`.
pub(crate) fn get(socket: &Path, path: &str, timeout: Duration) -> io::Result<Response> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bulwark/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes())?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let (status, headers) = read_head(&mut reader)?;
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let chunked = find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body: Box<dyn Read + Send> = if chunked {
        Box::new(Chunked::new(reader))
    } else if let Some(len) = find("content-length") {
        let len: u64 = len.parse().map_err(|_| invalid(format!("bad Content-Length {len:?}")))?;
        Box::new(Exact { inner: reader.take(len), remaining: len })
    } else if status == 204 || status == 304 {
        Box::new(io::empty())
    } else {
        Box::new(reader)
    };
    Ok(Response { status, body })
}

fn invalid(m: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, m)
}

/// Reads one CRLF-terminated line of at most `max` bytes, without the line ending.
fn read_line(r: &mut impl BufRead, max: usize, what: &str) -> io::Result<String> {
    let mut line = Vec::new();
    let n = r.take(max as u64 + 1).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("connection closed before the {what}")));
    }
    if line.last() != Some(&b'\n') {
        return Err(invalid(format!("{what} longer than {max} bytes or cut off")));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| invalid(format!("{what} is not UTF-8")))
}

/// Status line and headers.
fn read_head(r: &mut impl BufRead) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut budget = MAX_HEAD;
    let status_line = read_line(r, budget, "status line")?;
    budget = budget.saturating_sub(status_line.len() + 2);
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !version.starts_with("HTTP/1.") {
        return Err(invalid(format!("not an HTTP/1.x answer: {:?}", status_line.chars().take(80).collect::<String>())));
    }
    let status: u16 = code.parse().map_err(|_| invalid(format!("bad status line {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        if budget == 0 {
            return Err(invalid(format!("response headers larger than {MAX_HEAD} bytes")));
        }
        let line = read_line(r, budget, "response headers")?;
        budget = budget.saturating_sub(line.len() + 2);
        if line.is_empty() {
            return Ok((status, headers));
        }
        let (name, value) = line.split_once(':').ok_or_else(|| invalid(format!("malformed header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

/// A `Content-Length` body that must not end early.
struct Exact<R> {
    inner: io::Take<R>,
    remaining: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.remaining > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("connection closed with {} bytes of the body missing", self.remaining),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Decodes `Transfer-Encoding: chunked`.
pub(crate) struct Chunked<R> {
    inner: R,
    /// Bytes left in the current chunk.
    left: u64,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    /// Decodes the chunked body that follows the headers on `inner`.
    pub(crate) fn new(inner: R) -> Self {
        Chunked { inner, left: 0, done: false }
    }

    /// Reads `size[;ext]` and returns the size; 0 also consumes the trailer section.
    fn next_chunk(&mut self) -> io::Result<u64> {
        let line = read_line(&mut self.inner, MAX_CHUNK_LINE, "chunk size line")?;
        let hex = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(hex, 16).map_err(|_| invalid(format!("bad chunk size line {line:?}")))?;
        if size == 0 {
            // Trailers, then the empty line that ends the message.
            for _ in 0..64 {
                if read_line(&mut self.inner, MAX_CHUNK_LINE, "chunked trailer")?.is_empty() {
                    return Ok(0);
                }
            }
            return Err(invalid("more than 64 chunked trailer lines".into()));
        }
        Ok(size)
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.left = self.next_chunk()?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed inside a chunk"));
        }
        self.left -= n as u64;
        if self.left == 0 {
            let mut crlf = [0u8; 2];
            self.inner.read_exact(&mut crlf)?;
            if &crlf != b"\r\n" {
                return Err(invalid("chunk data not followed by CRLF".into()));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wire: &[u8], buf_size: usize) -> io::Result<Vec<u8>> {
        let mut r = Chunked::new(BufReader::with_capacity(3, wire));
        let mut out = Vec::new();
        let mut buf = vec![0u8; buf_size];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn chunked_decoding_table() {
        let ok: &[(&[u8], &[u8])] = &[
            (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
            (b"A;ext=1\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n", b"0123456789"),
            (b"0\r\n\r\n", b""),
        ];
        for (wire, want) in ok {
            for buf_size in [1, 2, 7, 64] {
                assert_eq!(decode(wire, buf_size).unwrap(), *want, "{:?}", String::from_utf8_lossy(wire));
            }
        }
        let bad: &[&[u8]] = &[b"5\r\nhel", b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhelloXX0\r\n\r\n", b"5\r\nhello\r\n"];
        for wire in bad {
            assert!(decode(wire, 16).is_err(), "{:?} should fail", String::from_utf8_lossy(wire));
        }
    }
}
