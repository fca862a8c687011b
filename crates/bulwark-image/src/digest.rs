//! Content digests (`sha256:<hex>`) and a reader that verifies one while streaming.

use sha2::{Digest as _, Sha256};
use std::io::{self, Read};

/// A parsed `algorithm:hex` digest; only sha256 is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    hex: String,
}

impl Digest {
    /// Parses `sha256:<64 lower-case hex>`; anything else is an error message.
    pub fn parse(s: &str) -> Result<Digest, String> {
        let hex =
            s.strip_prefix("sha256:").ok_or_else(|| format!("unsupported digest {s:?} (only sha256 is supported)"))?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(format!("malformed digest {s:?}: want sha256 followed by 64 lower-case hex digits"));
        }
        Ok(Digest { hex: hex.to_string() })
    }

    /// The hex part, safe to use as a file name (validated by [`Digest::parse`]).
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The sha256 digest of `data`.
    pub fn of(data: &[u8]) -> Digest {
        Digest { hex: hex::encode(Sha256::digest(data)) }
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

/// Wraps a blob stream and fails the read that reaches end-of-file if the bytes do not hash
/// to the expected digest (or the length differs from the expected size).
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    expected: Digest,
    expected_size: Option<u64>,
    seen: u64,
    done: bool,
}

impl<R: Read> VerifyingReader<R> {
    /// Verify `inner` against `expected` (and `expected_size` when the manifest gives one).
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        VerifyingReader { inner, hasher: Sha256::new(), expected, expected_size, seen: 0, done: false }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.hasher.update(&buf[..n]);
            self.seen += n as u64;
            if let Some(size) = self.expected_size {
                if self.seen > size {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("blob {} is longer than the {size} bytes its descriptor declares", self.expected),
                    ));
                }
            }
            return Ok(n);
        }
        self.done = true;
        let got = hex::encode(self.hasher.clone().finalize());
        if got != self.expected.hex {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "digest mismatch: expected {}, content hashes to sha256:{got} ({} bytes)",
                    self.expected, self.seen
                ),
            ));
        }
        if let Some(size) = self.expected_size {
            if size != self.seen {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("blob {} is {} bytes, its descriptor declares {size}", self.expected, self.seen),
                ));
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_reader_accepts_matching_and_rejects_tampered_content() {
        let data = b"hello layer".to_vec();
        let good = Digest::of(&data);
        let mut out = Vec::new();
        VerifyingReader::new(&data[..], good.clone(), Some(data.len() as u64)).read_to_end(&mut out).unwrap();
        assert_eq!(out, data);

        let tampered = b"hello layeR".to_vec();
        let err = VerifyingReader::new(&tampered[..], good.clone(), None).read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("digest mismatch"), "{err}");

        let err = VerifyingReader::new(&data[..], good, Some(3)).read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("longer than"), "{err}");
    }

    #[test]
    fn digest_parse_rejects_path_tricks() {
        assert!(Digest::parse("sha256:../../etc/passwd").is_err());
        assert!(Digest::parse("md5:abcd").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "a".repeat(64))).is_ok());
    }
}
