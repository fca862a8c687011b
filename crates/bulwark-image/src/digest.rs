//! Content digests (`sha256:<hex>`) and a reader that verifies one while streaming.

use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::{self, JoinHandle};

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
///
/// The first MiB is hashed on the reading thread; after that the bytes are copied into recycled
/// 1 MiB chunks that a helper thread hashes, so reading a large layer and hashing it use two
/// cores. At most four chunks exist per reader, so memory stays bounded.
pub struct VerifyingReader<R> {
    inner: R,
    hashing: Hashing,
    expected: Digest,
    expected_size: Option<u64>,
    seen: u64,
    done: bool,
}

/// Bytes hashed on the reading thread before a helper thread is started (small blobs never start one).
const INLINE_HASH_BYTES: u64 = 1024 * 1024;
/// Size of one chunk handed to the hashing thread.
const HASH_CHUNK: usize = 1024 * 1024;
/// Most chunks one reader allocates (one being filled, the rest queued or being hashed).
const HASH_BUFFERS: usize = 4;

/// Where the hashing happens.
enum Hashing {
    /// On the reading thread (small blobs, or no helper thread could be started).
    Inline { hasher: Sha256, offload: bool },
    /// On a helper thread.
    Offloaded(HashWorker),
    /// The digest has been computed (end of file reached).
    Finished,
}

/// A helper thread hashing chunks it receives, in order, and handing the emptied chunks back.
struct HashWorker {
    /// The chunk being filled by the reader.
    pending: Vec<u8>,
    /// Full chunks to hash.
    full: SyncSender<Vec<u8>>,
    /// Chunks hashed and ready for reuse.
    empty: Receiver<Vec<u8>>,
    /// Chunks allocated so far (bounded by [`HASH_BUFFERS`]).
    allocated: usize,
    /// The thread; returns the hasher state once `full` is closed.
    thread: JoinHandle<Sha256>,
}

impl HashWorker {
    /// Starts a thread that continues `hasher`; `None` if the system cannot start one.
    fn start(hasher: &Sha256) -> Option<HashWorker> {
        let (full, to_hash) = sync_channel::<Vec<u8>>(HASH_BUFFERS);
        let (give_back, empty) = sync_channel::<Vec<u8>>(HASH_BUFFERS);
        let mut state = hasher.clone();
        let thread = thread::Builder::new()
            .name("blob-sha256".into())
            .spawn(move || {
                for mut chunk in to_hash {
                    state.update(&chunk);
                    chunk.clear();
                    // The reader may be gone (dropped mid-blob); then the chunk is simply freed.
                    let _ = give_back.try_send(chunk);
                }
                state
            })
            .ok()?;
        Some(HashWorker { pending: Vec::with_capacity(HASH_CHUNK), full, empty, allocated: 1, thread })
    }

    /// Copies `data` into chunks, handing each full one to the thread.
    fn absorb(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let take = (HASH_CHUNK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == HASH_CHUNK {
                let next = self.next_chunk()?;
                let full = std::mem::replace(&mut self.pending, next);
                self.full.send(full).map_err(|_| stopped())?;
            }
        }
        Ok(())
    }

    /// A free chunk: a recycled one, a new one while under the bound, else wait for one.
    fn next_chunk(&mut self) -> io::Result<Vec<u8>> {
        if let Ok(chunk) = self.empty.try_recv() {
            return Ok(chunk);
        }
        if self.allocated < HASH_BUFFERS {
            self.allocated += 1;
            return Ok(Vec::with_capacity(HASH_CHUNK));
        }
        self.empty.recv().map_err(|_| stopped())
    }

    /// Hashes what is pending, waits for the thread and returns the digest.
    fn finish(self) -> io::Result<[u8; 32]> {
        let HashWorker { pending, full, thread, .. } = self;
        if !pending.is_empty() {
            full.send(pending).map_err(|_| stopped())?;
        }
        drop(full);
        let hasher = thread.join().map_err(|_| stopped())?;
        Ok(hasher.finalize().into())
    }
}

/// The error when the hashing thread is gone before the end of the blob (it does not panic, so
/// this is not expected).
fn stopped() -> io::Error {
    io::Error::other("the blob hashing thread stopped unexpectedly")
}

impl Hashing {
    /// Feeds bytes read so far (`seen` counts them, including `data`).
    fn absorb(&mut self, data: &[u8], seen: u64) -> io::Result<()> {
        match self {
            Hashing::Inline { hasher, offload } => {
                hasher.update(data);
                if *offload && seen >= INLINE_HASH_BYTES {
                    match HashWorker::start(hasher) {
                        Some(worker) => *self = Hashing::Offloaded(worker),
                        None => *offload = false,
                    }
                }
                Ok(())
            }
            Hashing::Offloaded(worker) => worker.absorb(data),
            Hashing::Finished => Ok(()),
        }
    }

    /// The digest of everything absorbed.
    fn finish(&mut self) -> io::Result<[u8; 32]> {
        match std::mem::replace(self, Hashing::Finished) {
            Hashing::Inline { hasher, .. } => Ok(hasher.finalize().into()),
            Hashing::Offloaded(worker) => worker.finish(),
            Hashing::Finished => Err(io::Error::other("blob digest computed twice")),
        }
    }
}

impl<R: Read> VerifyingReader<R> {
    /// Verify `inner` against `expected` (and `expected_size` when the manifest gives one).
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        VerifyingReader {
            inner,
            hashing: Hashing::Inline { hasher: Sha256::new(), offload: true },
            expected,
            expected_size,
            seen: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.seen += n as u64;
            self.hashing.absorb(&buf[..n], self.seen)?;
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
        let got = self.hashing.finish()?;
        check(&self.expected, self.expected_size, got, self.seen)
            .map_err(|message| io::Error::new(io::ErrorKind::InvalidData, message))?;
        Ok(0)
    }
}

impl<R> VerifyingReader<R> {
    /// The reader, the digest and the size it checks against, while nothing has been read: for a
    /// walker that reads a local blob in parts and checks it with [`verify_range`] instead.
    pub(crate) fn into_unread(self) -> Result<(R, Digest, Option<u64>), Box<Self>> {
        if self.seen == 0 && !self.done {
            Ok((self.inner, self.expected, self.expected_size))
        } else {
            Err(Box::new(self))
        }
    }
}

/// Checks a blob's hash and length against its descriptor's digest and size.
fn check(expected: &Digest, expected_size: Option<u64>, got: [u8; 32], seen: u64) -> Result<(), String> {
    let got = hex::encode(got);
    if got != expected.hex {
        return Err(format!("digest mismatch: expected {expected}, content hashes to sha256:{got} ({seen} bytes)"));
    }
    match expected_size {
        Some(size) if size != seen => Err(format!("blob {expected} is {seen} bytes, its descriptor declares {size}")),
        _ => Ok(()),
    }
}

/// Hashes the `len` bytes of `file` from `start` (positional reads, 1 MiB at a time) and checks them
/// as [`VerifyingReader`] would: against `expected` and, when given, `expected_size`.
pub(crate) fn verify_range(
    file: &File,
    start: u64,
    len: u64,
    expected: &Digest,
    expected_size: Option<u64>,
) -> Result<(), String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_CHUNK];
    let mut seen = 0u64;
    while seen < len {
        let want = usize::try_from(len - seen).map_or(buf.len(), |left| left.min(buf.len()));
        let n = match file.read_at(&mut buf[..want], start + seen) {
            Ok(0) => return Err(format!("blob {expected} ends after {seen} of its {len} bytes")),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading blob {expected}: {e}")),
        };
        hasher.update(&buf[..n]);
        seen += n as u64;
    }
    check(expected, expected_size, hasher.finalize().into(), seen)
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

    /// Hands out at most a varying, odd number of bytes per read, so chunk boundaries fall
    /// inside reads.
    struct Dribble<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.step = (self.step * 31 + 7) % 90_001 + 1;
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Deterministic bytes that do not repeat with any chunk-sized period.
    fn bytes(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn verify(data: &[u8], expected: &Digest, size: Option<u64>) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        VerifyingReader::new(Dribble { data, step: 1 }, expected.clone(), size)
            .read_to_end(&mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn known_answer_for_a_million_a() {
        // FIPS 180-2, appendix B.3.
        let data = vec![b'a'; 1_000_000];
        let want = Digest::parse("sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0").unwrap();
        assert_eq!(Digest::of(&data), want);
        assert_eq!(verify(&data, &want, Some(1_000_000)).unwrap().len(), 1_000_000);
        // Three copies: past the inline part, hashed on the helper thread.
        let data = data.repeat(3);
        let err = verify(&data, &want, None).unwrap_err();
        assert!(err.starts_with("digest mismatch: expected sha256:cdc76e5c"), "{err}");
        assert!(err.ends_with("(3000000 bytes)"), "{err}");
    }

    #[test]
    fn large_blobs_hashed_on_the_helper_thread_match_a_one_shot_hash() {
        // Lengths around the inline part and the chunk boundaries, up to more chunks than buffers.
        for len in [0, 1, 1 << 20, (1 << 20) + 1, (3 << 20) - 1, 9 << 20, (9 << 20) + 12345] {
            let data = bytes(len);
            let good = Digest::of(&data);
            let out = verify(&data, &good, Some(len as u64)).unwrap_or_else(|e| panic!("{len} bytes: {e}"));
            assert!(out == data, "{len} bytes: content changed on the way through");
        }
    }

    #[test]
    fn a_flipped_byte_anywhere_is_a_digest_mismatch_naming_both_digests() {
        let data = bytes((6 << 20) + 777);
        let good = Digest::of(&data);
        for at in [0, (1 << 20) - 1, 1 << 20, (4 << 20) + 3, data.len() - 1] {
            let mut bad = data.clone();
            bad[at] ^= 0x01;
            let err = verify(&bad, &good, Some(data.len() as u64)).unwrap_err();
            let want = format!(
                "digest mismatch: expected {good}, content hashes to {} ({} bytes)",
                Digest::of(&bad),
                bad.len()
            );
            assert_eq!(err, want, "flipped byte {at}");
        }
    }

    /// Only an unread reader gives its range back: once bytes went through the hasher, taking the
    /// range and checking it elsewhere could skip them.
    #[test]
    fn only_an_unread_reader_gives_back_what_it_checks() {
        let data = bytes(3000);
        let expected = Digest::of(&data);
        let (inner, digest, size) = VerifyingReader::new(&data[..], expected.clone(), Some(3000))
            .into_unread()
            .unwrap_or_else(|_| panic!("a new reader is unread"));
        assert_eq!((inner.len(), digest, size), (3000, expected.clone(), Some(3000)));
        let mut reader = VerifyingReader::new(&data[..], expected, None);
        reader.read_exact(&mut [0u8; 10]).unwrap();
        let mut reader = reader.into_unread().map(|_| ()).unwrap_err();
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest.len(), 2990);
    }

    #[test]
    fn sizes_other_than_declared_are_errors() {
        let data = bytes((5 << 20) + 5);
        let good = Digest::of(&data);
        let len = data.len() as u64;
        // Truncated blob: the prefix hashes differently, so the digest check fires first, as before.
        let cut = &data[..data.len() - 100];
        let err = verify(cut, &good, Some(len)).unwrap_err();
        assert!(err.starts_with("digest mismatch") && err.ends_with(&format!("({} bytes)", len - 100)), "{err}");
        // Right bytes, wrong declared size: the size error after the digest matched.
        let err = verify(&data, &good, Some(len + 1)).unwrap_err();
        assert_eq!(err, format!("blob {good} is {len} bytes, its descriptor declares {}", len + 1));
        // Longer than declared: fails at the read that passes the size, before the end.
        let err = verify(&data, &good, Some(2 << 20)).unwrap_err();
        assert_eq!(err, format!("blob {good} is longer than the {} bytes its descriptor declares", 2 << 20));
    }

    #[test]
    fn a_read_error_passes_through_and_dropping_mid_blob_does_not_hang() {
        struct FailAfter(usize);
        impl Read for FailAfter {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "disk went away"));
                }
                let n = buf.len().min(self.0);
                buf[..n].fill(7);
                self.0 -= n;
                Ok(n)
            }
        }
        let any = Digest::of(b"");
        let err = VerifyingReader::new(FailAfter(7 << 20), any.clone(), None).read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "disk went away");
        // Abandoned after 5 MiB (helper thread running, chunks queued): drop returns.
        let mut reader = VerifyingReader::new(FailAfter(64 << 20), any, None);
        let mut buf = vec![0u8; 256 * 1024];
        for _ in 0..20 {
            reader.read_exact(&mut buf).unwrap();
        }
        drop(reader);
    }

    #[test]
    fn digest_parse_rejects_path_tricks() {
        assert!(Digest::parse("sha256:../../etc/passwd").is_err());
        assert!(Digest::parse("md5:abcd").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "a".repeat(64))).is_ok());
    }
}
