//! Streams one layer (or a directory tree) once and hands wanted files to a [`Visitor`].

use crate::entry::{normalize_entry_path, EntryKind, EntryMeta, LayerEntry};
use crate::error::ImageError;
use crate::progress::Progress;
use crate::source::ImageSource;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

/// Largest file the walker reads into memory for a visitor; larger wanted files are skipped with a warning.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// Most bytes reserved for a wanted file before its contents arrive: the tar header's size is
/// a claim, and a 512-byte header must not buy a 512 MiB allocation. Larger files grow as read.
const MAX_PREALLOC: u64 = 4 * 1024 * 1024;

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
        Compression::None => walk_tar(&mut buffered, visitor, options),
        Compression::Gzip => {
            let mut dec = flate2::bufread::MultiGzDecoder::new(&mut buffered);
            let r = walk_tar(&mut dec, visitor, options);
            r.and_then(|c| drain(&mut dec, "gzip stream").map(|_| c))
        }
        Compression::Zstd => {
            let mut dec = zstd::stream::read::Decoder::with_buffer(&mut buffered).map_err(|e| format!("zstd: {e}"))?;
            let r = walk_tar(&mut dec, visitor, options);
            r.and_then(|c| drain(&mut dec, "zstd stream").map(|_| c))
        }
    }?;
    // Read whatever follows the tar end marker so the digest check below us covers the whole blob.
    drain(&mut buffered, "layer blob")?;
    Ok(result)
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

fn walk_tar<V: Visitor>(
    reader: impl Read,
    visitor: &V,
    options: WalkOptions,
) -> Result<LayerContents<V::Output>, String> {
    let mut counted = Counting { inner: reader, count: 0 };
    let mut out = LayerContents::default();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    {
        let mut archive = tar::Archive::new(&mut counted);
        let entries = archive.entries().map_err(|e| format!("not a tar archive: {e}"))?;
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
                        let mut data = Vec::with_capacity(size.min(MAX_PREALLOC) as usize);
                        (&mut entry)
                            .take(options.max_file_size + 1)
                            .read_to_end(&mut data)
                            .map_err(|e| format!("reading {path}: {e}"))?;
                        let output = visitor.visit(&meta, &data);
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
            let blob = source.open_layer(i)?;
            walk_layer(blob, visitor, options, &on_bytes).map_err(|message| ImageError::Layer {
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
