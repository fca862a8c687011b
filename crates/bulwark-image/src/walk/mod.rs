//! Streams one layer (or a directory tree) once and hands wanted files to a [`Visitor`].

mod entries;
mod readers;
mod schedule;

use crate::entry::{EntryMeta, LayerEntry};
use entries::walk_tar_contents;
pub(crate) use entries::{walk_tar, Event, Flow, Folder, TarEnd};
pub(crate) use readers::Consuming;
use readers::{drain, FileRange, ProgressReader, FILE_RANGE_BUFFER};
#[cfg(test)]
pub(crate) use schedule::walk_all;
pub use schedule::walk_image;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Take};

/// Largest file the walker reads into memory for a visitor; larger wanted files are skipped with a warning.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// Smallest gzip layer (compressed) walked in parts by default: below it, splitting saves less
/// than it costs.
pub const DEFAULT_SPLIT_SIZE: u64 = 32 * 1024 * 1024;

/// Buffer between a decompressor and the tar reader: inflate works in large steps and skipped
/// entries are consumed from it in place.
const DECODED_BUFFER: usize = 256 * 1024;

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
    /// Gzip layers stored in local files at least this large (compressed) are walked in parts on
    /// several cores when cores would otherwise sit idle.
    pub split_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions { max_file_size: DEFAULT_MAX_FILE_SIZE, split_size: DEFAULT_SPLIT_SIZE }
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
    let mut buffered = BufReader::with_capacity(256 * 1024, ProgressReader { inner: blob, on_bytes });
    let head = buffered.fill_buf().map_err(|e| format!("reading layer: {e}"))?;
    let compression = sniff_compression(head);
    let result = match compression {
        Compression::None => walk_tar_contents(Consuming(&mut buffered), visitor, options),
        Compression::Gzip => {
            let dec = crate::gzip::GzipReader::new(&mut buffered);
            let mut dec = BufReader::with_capacity(DECODED_BUFFER, dec);
            let r = walk_tar_contents(Consuming(&mut dec), visitor, options);
            r.and_then(|c| drain(&mut dec, "gzip stream").map(|_| c))
        }
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(&mut buffered).map_err(|e| format!("zstd: {e}"))?;
            let mut dec = BufReader::with_capacity(DECODED_BUFFER, dec);
            let r = walk_tar_contents(Consuming(&mut dec), visitor, options);
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
    walk_tar_contents(range, visitor, options)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    /// Wants files whose name ends in `.want`; keeps their contents.
    pub(crate) struct WantSuffix;

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
}
