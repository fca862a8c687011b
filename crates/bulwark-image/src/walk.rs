//! Streams one layer (or a directory tree) once and hands wanted files to a [`Visitor`].

use crate::entry::{normalize_entry_path, EntryKind, EntryMeta, LayerEntry};
use crate::error::ImageError;
use crate::progress::Progress;
use crate::source::{ImageSource, LayerBlob};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Take};

/// Largest file the walker reads into memory for a visitor; larger wanted files are skipped with a warning.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// Most bytes reserved for a wanted file before its contents arrive: the tar header's size is
/// a claim, and a 512-byte header must not buy a 512 MiB allocation. Larger files grow as read.
const MAX_PREALLOC: u64 = 4 * 1024 * 1024;

/// Buffer between a decompressor and the tar reader: inflate works in large steps and skipped
/// entries are consumed from it in place.
const DECODED_BUFFER: usize = 256 * 1024;

/// A layer walk keeps its read buffer between wanted files up to this size; a larger one (read
/// for one big file) is freed after that file.
const MAX_RETAINED: usize = 64 * 1024 * 1024;

/// Receives the files of a layer. Called from several threads at once (one per layer).
pub trait Visitor: Sync {
    /// What the visitor keeps for one file.
    type Output: Send + Clone;
    /// Whether to read this regular file; must be cheap.
    fn wants(&self, entry: &EntryMeta<'_>) -> bool;
    /// Handles one wanted file's contents.
    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output;
}

/// Everything a layer walk learned about one layer.
#[derive(Debug)]
pub struct LayerContents<T> {
    /// Every path the layer holds, with kind, size and mode (whiteout markers excluded).
    pub entries: HashMap<String, LayerEntry>,
    /// Paths a whiteout (`.wh.NAME`) deletes from lower layers.
    pub whiteouts: Vec<String>,
    /// Directories an opaque marker (`.wh..wh..opq`) empties of lower-layer content.
    pub opaque_dirs: Vec<String>,
    /// Visitor outputs for each wanted file, by path.
    pub outputs: Vec<(String, T)>,
    /// Things skipped, with the path (e.g. files over the size bound).
    pub warnings: Vec<String>,
    /// Uncompressed bytes of tar read.
    pub tar_bytes: u64,
}

impl<T> Default for LayerContents<T> {
    fn default() -> Self {
        LayerContents {
            entries: HashMap::new(),
            whiteouts: Vec::new(),
            opaque_dirs: Vec::new(),
            outputs: Vec::new(),
            warnings: Vec::new(),
            tar_bytes: 0,
        }
    }
}

/// Options for walking layers.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    /// Files larger than this are not read (bounded reads on huge or sparse files).
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions { max_file_size: DEFAULT_MAX_FILE_SIZE }
    }
}

/// Counts bytes passing through a reader.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The compression a layer blob uses, sniffed from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain tar.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard.
    Zstd,
}

/// Looks at the first bytes of a blob to tell how it is compressed.
pub fn sniff_compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Walks a layer blob (compressed or not), reading it exactly once to its end, so a
/// digest-verifying reader underneath sees every byte. Errors name the path inside the layer.
pub fn walk_layer<V: Visitor>(
    blob: impl Read,
    visitor: &V,
    options: WalkOptions,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<LayerContents<V::Output>, String> {
    let counted = Counting { inner: blob, count: 0 };
    let mut buffered = BufReader::with_capacity(256 * 1024, ProgressReader { inner: counted, on_bytes });
    let head = buffered.fill_buf().map_err(|e| format!("reading layer: {e}"))?;
    let compression = sniff_compression(head);
    let result = match compression {
        Compression::None => walk_tar(Consuming(&mut buffered), visitor, options),
        Compression::Gzip => {
            let dec = flate2::bufread::MultiGzDecoder::new(&mut buffered);
            let mut dec = BufReader::with_capacity(DECODED_BUFFER, dec);
            let r = walk_tar(Consuming(&mut dec), visitor, options);
            r.and_then(|c| drain(&mut dec, "gzip stream").map(|_| c))
        }
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(&mut buffered).map_err(|e| format!("zstd: {e}"))?;
            let mut dec = BufReader::with_capacity(DECODED_BUFFER, dec);
            let r = walk_tar(Consuming(&mut dec), visitor, options);
            r.and_then(|c| drain(&mut dec, "zstd stream").map(|_| c))
        }
    }?;
    // Read whatever follows the tar end marker so the digest check below us covers the whole blob.
    drain(&mut buffered, "layer blob")?;
    Ok(result)
}

/// Walks a layer stored as an unverified byte range of a local file. A plain tar is walked in
/// place, seeking over the entries the visitor does not want instead of reading them; a
/// compressed one is streamed like any other blob.
pub fn walk_layer_file<V: Visitor>(
    blob: Take<File>,
    visitor: &V,
    options: WalkOptions,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<LayerContents<V::Output>, String> {
    let len = blob.limit();
    let reader = BufReader::with_capacity(FILE_RANGE_BUFFER, blob.into_inner());
    let mut range = FileRange { reader, left: len, on_bytes };
    let head = range.fill_buf().map_err(|e| format!("reading layer: {e}"))?;
    if sniff_compression(head) != Compression::None {
        let FileRange { reader, left, .. } = range;
        // The buffered bytes are still in `reader`; continue the stream from them.
        return walk_layer(reader.take(left), visitor, options, on_bytes);
    }
    walk_tar(range, visitor, options)
}

/// Read buffer of a walk in place: a seek past a skipped entry drops it, so it only needs to hold
/// a run of headers and small files (a larger one would copy much more than the walk uses).
const FILE_RANGE_BUFFER: usize = 8 * 1024;

/// A byte range of a file read forwards, skipping by seeking. Reports every byte read or skipped.
struct FileRange<'a> {
    reader: BufReader<File>,
    /// Bytes of the range not yet read or skipped.
    left: u64,
    on_bytes: &'a (dyn Fn(u64) + Sync),
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
trait SkipForward: BufRead {
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
struct Consuming<R>(R);

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

fn drain(r: &mut impl Read, what: &str) -> Result<u64, String> {
    io::copy(r, &mut io::sink()).map_err(|e| format!("{what}: {e}"))
}

struct ProgressReader<'a, R> {
    inner: R,
    on_bytes: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.on_bytes)(n as u64);
        Ok(n)
    }
}

/// Reads a tar stream forwards; "seeking" forwards skips (see [`SkipForward`]), so the tar
/// reader passes over unwanted entries without copying them out. Counts every byte passed.
struct Skipper<R> {
    inner: R,
    count: u64,
}

impl<R: SkipForward> Read for Skipper<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

impl<R: SkipForward> Seek for Skipper<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let n = match to {
            SeekFrom::Current(n) if n >= 0 => n as u64,
            _ => return Err(io::Error::new(io::ErrorKind::Unsupported, "a layer stream only skips forwards")),
        };
        self.inner.skip(n)?;
        self.count += n;
        Ok(self.count)
    }
}

fn walk_tar<V: Visitor>(
    reader: impl SkipForward,
    visitor: &V,
    options: WalkOptions,
) -> Result<LayerContents<V::Output>, String> {
    let mut counted = Skipper { inner: reader, count: 0 };
    let mut out = LayerContents::default();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    // One buffer for every wanted file of the layer: fresh allocations per file cost a page fault
    // per 4 KiB (most of the walk's system time on large layers).
    let mut scratch = Vec::new();
    {
        let mut archive = tar::Archive::new(&mut counted);
        let entries = archive.entries_with_seek().map_err(|e| format!("not a tar archive: {e}"))?;
        let mut last_path = String::from("(start of layer)");
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("corrupt tar entry after {last_path:?}: {e}"))?;
            let raw = entry.path_bytes();
            let raw = String::from_utf8_lossy(&raw).into_owned();
            let path = normalize_entry_path(&raw)?;
            last_path = raw;
            let header = entry.header();
            let mode = header.mode().unwrap_or(0o644);
            let size = entry.size();
            let kind = match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => EntryKind::File,
                tar::EntryType::Directory => EntryKind::Dir,
                tar::EntryType::Symlink => {
                    let target =
                        entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                    EntryKind::Symlink(target)
                }
                tar::EntryType::Link => {
                    let target =
                        entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                    EntryKind::Hardlink(normalize_entry_path(&target).map_err(|m| format!("hard link {path:?}: {m}"))?)
                }
                tar::EntryType::XGlobalHeader
                | tar::EntryType::XHeader
                | tar::EntryType::GNULongName
                | tar::EntryType::GNULongLink => continue,
                _ => EntryKind::Other,
            };
            if path.is_empty() {
                continue;
            }
            let (dir, name) = match path.rfind('/') {
                Some(i) => (&path[..i], &path[i + 1..]),
                None => ("", path.as_str()),
            };
            if let Some(deleted) = name.strip_prefix(".wh.") {
                if deleted == ".wh..opq" {
                    out.opaque_dirs.push(dir.to_string());
                } else if !deleted.starts_with(".wh.") {
                    out.whiteouts.push(if dir.is_empty() { deleted.to_string() } else { format!("{dir}/{deleted}") });
                }
                continue;
            }
            let meta = EntryMeta { path: &path, kind: &kind, size, mode };
            match &kind {
                EntryKind::File if visitor.wants(&meta) => {
                    if size > options.max_file_size {
                        out.warnings.push(format!(
                            "{path}: {size} bytes is over the {} byte read limit; not read",
                            options.max_file_size
                        ));
                    } else {
                        let data =
                            read_entry(&mut entry, size, &mut scratch).map_err(|e| format!("reading {path}: {e}"))?;
                        let output = visitor.visit(&meta, data);
                        if scratch.len() > MAX_RETAINED {
                            scratch = Vec::new();
                        }
                        by_path.insert(path.clone(), out.outputs.len());
                        out.outputs.push((path.clone(), output));
                    }
                }
                EntryKind::Hardlink(target) if visitor.wants(&meta) => match by_path.get(target) {
                    Some(&i) => {
                        let output = out.outputs[i].1.clone();
                        by_path.insert(path.clone(), out.outputs.len());
                        out.outputs.push((path.clone(), output));
                    }
                    None => out.warnings.push(format!("{path}: hard link to {target}, which was not read; skipped")),
                },
                _ => {}
            }
            let size = if kind == EntryKind::File { size } else { 0 };
            out.entries.insert(path, LayerEntry { kind, size, mode });
        }
    }
    // Consume the tar's trailing zero blocks and padding.
    drain(&mut counted, "tar stream")?;
    out.tar_bytes = counted.count;
    Ok(out)
}

/// Reads the rest of a wanted entry (whose header claims `size` bytes, already checked against
/// the read limit) into `scratch` and returns the bytes read (fewer if the entry ends early).
/// The buffer grows only as data arrives, to at most twice what was read or [`MAX_PREALLOC`],
/// so the claim alone never buys a large allocation; bytes already in it are reused without
/// being zeroed again.
fn read_entry<'s>(entry: &mut impl Read, size: u64, scratch: &'s mut Vec<u8>) -> io::Result<&'s [u8]> {
    let want = usize::try_from(size).unwrap_or(usize::MAX);
    let mut filled = 0;
    while filled < want {
        let end = want.min((MAX_PREALLOC as usize).max(filled.saturating_mul(2)));
        if scratch.len() < end {
            scratch.resize(end, 0);
        }
        match entry.read(&mut scratch[filled..end]) {
            Ok(0) => break,
            Ok(n) => filled += n.min(end - filled),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(&scratch[..filled])
}

/// Walks every layer of an image once, in parallel, and returns each layer's contents (bottom first).
/// Errors name the image, the layer and the path inside it.
pub fn walk_image<V: Visitor>(
    source: &dyn ImageSource,
    visitor: &V,
    options: WalkOptions,
    progress: &dyn Progress,
) -> Result<Vec<LayerContents<V::Output>>, ImageError>
where
    V::Output: Send,
{
    let info = source.info();
    let total: Option<u64> = info.layers.iter().map(|l| l.size).sum();
    progress.start(total, info.layers.len());
    let on_bytes = |n: u64| progress.advance(n);
    let layers = (0..info.layers.len())
        .into_par_iter()
        .map(|i| {
            let layer = &info.layers[i];
            let walked = match source.open_layer(i)? {
                LayerBlob::File(file) => walk_layer_file(file, visitor, options, &on_bytes),
                LayerBlob::Stream(stream) => walk_layer(stream, visitor, options, &on_bytes),
            };
            walked.map_err(|message| ImageError::Layer {
                image: info.reference.clone(),
                index: i + 1,
                digest: layer.digest.clone(),
                message,
            })
        })
        .collect::<Result<Vec<_>, ImageError>>()?;
    progress.finish();
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Wants files whose name ends in `.want`; keeps their contents.
    struct WantSuffix;

    impl Visitor for WantSuffix {
        type Output = Vec<u8>;

        fn wants(&self, entry: &EntryMeta<'_>) -> bool {
            entry.path.ends_with(".want")
        }

        fn visit(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> Vec<u8> {
            data.to_vec()
        }
    }

    /// A tar (written by the `tar` crate) of skipped files of awkward sizes around wanted ones.
    fn layer_tar() -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        let mut builder = tar::Builder::new(Vec::new());
        let mut wanted = Vec::new();
        for (i, size) in [0usize, 1, 511, 512, 513, 300_000, 3 << 20, 77].into_iter().enumerate() {
            let data: Vec<u8> = (0..size).map(|j| (i * 7 + j % 253) as u8).collect();
            let (name, want) = if i % 3 == 1 { (format!("d/{i}.want"), true) } else { (format!("d/{i}.skip"), false) };
            let mut header = tar::Header::new_gnu();
            header.set_size(size as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, &name, &data[..]).unwrap();
            if want {
                wanted.push((name, data));
            }
        }
        (builder.into_inner().unwrap(), wanted)
    }

    /// `data` gzip-compressed.
    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn skipped_entries_are_passed_over_in_every_compression() {
        let (tar, wanted) = layer_tar();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 1).unwrap();
        for (form, blob) in [("tar", &tar), ("gzip", &gz), ("zstd", &zst)] {
            let seen = std::sync::atomic::AtomicU64::new(0);
            let on_bytes = |n: u64| {
                seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            };
            let got = walk_layer(&blob[..], &WantSuffix, WalkOptions::default(), &on_bytes).unwrap();
            assert_eq!(got.outputs, wanted, "{form}");
            assert_eq!(got.entries.len(), 8, "{form}");
            assert_eq!(got.tar_bytes, tar.len() as u64, "{form}: every tar byte passed");
            assert_eq!(seen.into_inner(), blob.len() as u64, "{form}: every blob byte read");
        }
    }

    /// `blob` stored in a file between other bytes, opened as the byte range a docker-archive gives.
    fn in_file(blob: &[u8]) -> (tempfile::NamedTempFile, Take<File>) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&[0xEEu8; 1000]).unwrap();
        f.write_all(blob).unwrap();
        f.write_all(&[0xEEu8; 3000]).unwrap();
        let mut file = File::open(f.path()).unwrap();
        file.seek(SeekFrom::Start(1000)).unwrap();
        (f, file.take(blob.len() as u64))
    }

    #[test]
    fn a_file_range_walk_seeks_past_skipped_entries_and_stays_inside_its_range() {
        let (tar, wanted) = layer_tar();
        let gz = gzip(&tar);
        for (form, blob) in [("tar", &tar), ("gzip", &gz)] {
            let (_keep, range) = in_file(blob);
            let seen = std::sync::atomic::AtomicU64::new(0);
            let on_bytes = |n: u64| {
                seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            };
            let got = walk_layer_file(range, &WantSuffix, WalkOptions::default(), &on_bytes).unwrap();
            assert_eq!(got.outputs, wanted, "{form}");
            assert_eq!(got.entries.len(), 8, "{form}");
            assert_eq!(got.tar_bytes, tar.len() as u64, "{form}: every tar byte passed");
            assert_eq!(seen.into_inner(), blob.len() as u64, "{form}: every byte of the range accounted for");
        }
        // Cut inside the 3 MiB skipped entry: the seek would leave the range, which is an error
        // even though the file goes on.
        let cut = &tar[..tar.len() - 2 * 1024 * 1024];
        let (_keep, range) = in_file(cut);
        let err = walk_layer_file(range, &WantSuffix, WalkOptions::default(), &|_| {}).unwrap_err();
        assert_eq!(err, "corrupt tar entry after \"d/6.skip\": unexpected EOF during skip");
    }

    #[test]
    fn a_tar_cut_inside_a_skipped_entry_is_an_error_naming_the_entry() {
        let (tar, _) = layer_tar();
        // Inside the data of the 3 MiB `d/6.skip` (the file after it is 77 bytes long).
        let cut = &tar[..tar.len() - 2 * 1024 * 1024];
        let err = walk_layer(cut, &WantSuffix, WalkOptions::default(), &|_| {}).unwrap_err();
        assert_eq!(err, "corrupt tar entry after \"d/6.skip\": unexpected EOF during skip");
    }

    #[test]
    fn read_entry_reuses_its_buffer_without_leaking_earlier_bytes() {
        let mut scratch = Vec::new();
        let big: Vec<u8> = (0..10_000_000u32).map(|i| (i % 251) as u8).collect();
        assert!(read_entry(&mut &big[..], big.len() as u64, &mut scratch).unwrap() == &big[..]);
        let len_after_big = scratch.len();
        let small = b"second file".to_vec();
        assert_eq!(read_entry(&mut &small[..], small.len() as u64, &mut scratch).unwrap(), &small[..]);
        assert_eq!(scratch.len(), len_after_big, "a smaller file reuses the buffer");
        // An entry shorter than its header claims: the bytes there are, not stale ones.
        assert_eq!(read_entry(&mut &small[..], 5_000_000, &mut scratch).unwrap(), &small[..]);
    }

    #[test]
    fn read_entry_allocation_follows_the_data_not_the_claim() {
        let mut scratch = Vec::new();
        let data = vec![1u8; 512];
        let got = read_entry(&mut &data[..], 400 * 1024 * 1024, &mut scratch).unwrap();
        assert_eq!(got.len(), 512);
        assert!(scratch.len() <= MAX_PREALLOC as usize, "{} bytes reserved for 512 read", scratch.len());
        // 9 MiB under an unbounded claim: grown in steps, never past twice the data.
        let data = vec![2u8; 9 << 20];
        let mut scratch = Vec::new();
        assert_eq!(read_entry(&mut &data[..], u64::MAX, &mut scratch).unwrap().len(), 9 << 20);
        assert!(scratch.len() <= 2 * (9 << 20), "{}", scratch.len());
    }
}
