//! A layer blob streamed from a registry, resumed with a `Range` request when the connection
//! drops mid-way.
//!
//! Resuming is safe because the caller wraps this stream in a [`crate::VerifyingReader`]: the
//! digest covers every byte handed out, whichever connection delivered it. A server that ignores
//! `Range` (answers 200 with the whole blob) is handled by skipping the bytes already handed out.

use super::client::{backoff, describe, Client};
use reqwest::blocking::Response;
use reqwest::StatusCode;
use std::io::{self, Read};

/// The bytes of one blob, across as many connections as it takes (at most `max_retries` resumes).
pub(crate) struct BlobStream<'a> {
    client: &'a Client,
    url: String,
    what: String,
    current: Option<Response>,
    /// Bytes handed to the caller so far.
    offset: u64,
    expected_size: Option<u64>,
    resumes_left: u32,
    resumes: u32,
}

impl<'a> BlobStream<'a> {
    /// Starts streaming `url` with the already-opened first response.
    pub(crate) fn new(client: &'a Client, url: String, what: String, first: Response, size: Option<u64>) -> Self {
        let resumes_left = client.max_retries;
        BlobStream { client, url, what, current: Some(first), offset: 0, expected_size: size, resumes_left, resumes: 0 }
    }

    /// Re-requests the blob from `self.offset` on.
    fn reopen(&mut self) -> Result<Response, String> {
        let resp = self.client.get(&self.url, None, Some(self.offset), &self.what)?;
        match resp.status() {
            StatusCode::PARTIAL_CONTENT => {
                let start = resp
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("bytes "))
                    .and_then(|v| v.split('-').next())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if start != Some(self.offset) {
                    return Err(format!(
                        "{}: asked to resume at byte {}, the registry answered Content-Range {start:?}",
                        self.what, self.offset
                    ));
                }
                Ok(resp)
            }
            _ => {
                // The whole blob again: skip what the caller already has.
                let mut resp = resp;
                let skipped = io::copy(&mut (&mut resp).take(self.offset), &mut io::sink())
                    .map_err(|e| format!("{}: skipping to byte {} failed: {e}", self.what, self.offset))?;
                if skipped != self.offset {
                    return Err(format!("{}: the blob is shorter ({skipped} bytes) on a second request", self.what));
                }
                Ok(resp)
            }
        }
    }

    fn broken(&self, why: &str) -> io::Error {
        io::Error::other(format!(
            "{}: the connection broke after {} bytes ({why}) and {} resumes did not finish it",
            self.what, self.offset, self.resumes
        ))
    }
}

impl Read for BlobStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let resp = match self.current.as_mut() {
                Some(r) => r,
                None => {
                    let r = self.reopen().map_err(|m| self.broken(&m))?;
                    self.current.insert(r)
                }
            };
            let why = match resp.read(buf) {
                Ok(0) if self.expected_size.is_some_and(|s| self.offset < s) => {
                    "end of stream before the declared size".to_string()
                }
                Ok(n) => {
                    self.offset += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => describe(&e),
            };
            self.current = None;
            if self.resumes_left == 0 {
                return Err(self.broken(&why));
            }
            let delay = backoff(self.resumes);
            tracing::warn!(
                "{}: connection broke after {} bytes ({why}); resuming in {delay:?}",
                self.what,
                self.offset
            );
            std::thread::sleep(delay);
            self.resumes_left -= 1;
            self.resumes += 1;
        }
    }
}
