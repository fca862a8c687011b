//! The tar side of a layer walk: entries in order, wanted files read and handed to the visitor.

use super::readers::{drain, SkipForward};
use super::{LayerContents, Visitor, WalkOptions};
use crate::entry::{normalize_entry_path, EntryKind, EntryMeta, LayerEntry};
use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

/// Most bytes reserved for a wanted file before its contents arrive: the tar header's size is
/// a claim, and a 512-byte header must not buy a 512 MiB allocation. Larger files grow as read.
const MAX_PREALLOC: u64 = 4 * 1024 * 1024;

/// A layer walk keeps its read buffer between wanted files up to this size; a larger one (read
/// for one big file) is freed after that file.
const MAX_RETAINED: usize = 64 * 1024 * 1024;

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

/// One thing a tar walk saw, in stream order; [`fold`] turns a run of them into [`LayerContents`].
pub(crate) enum Event<T> {
    /// A path the layer holds, and what the visitor made of it.
    Entry { path: String, entry: LayerEntry, visit: Visit<T> },
    /// A whiteout deleting this path from lower layers.
    Whiteout(String),
    /// An opaque marker emptying this directory of lower-layer content.
    Opaque(String),
    /// Something skipped, with the path.
    Warning(String),
}

/// What the visitor made of one entry.
pub(crate) enum Visit<T> {
    /// Not wanted (or not a file).
    Not,
    /// A wanted file's output.
    Output(T),
    /// A wanted hard link to this earlier path: it gets that path's output, resolved by [`fold`].
    Link(String),
}

/// Whether a walk goes on past an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Handle the entry and go on.
    Go,
    /// Stop before this entry.
    Stop,
}

/// Told of every entry before it is handled: its key (see [`walk_tar`]) and the number of events
/// so far. Returning [`Flow::Stop`] ends the walk there.
pub(crate) type Hook<'h> = &'h mut dyn FnMut(Option<u64>, usize) -> Flow;

/// Receives the walk's events, in order.
pub(crate) type Sink<'s, T> = &'s mut dyn FnMut(Event<T>);

/// What a walk does at the tar's end-of-archive block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TarEnd {
    /// Reads the stream to its end (the padding after the block).
    Drain,
    /// Stops right after the block: it may end a tar stored inside a file.
    Stop,
}

/// Walks a tar stream. Every entry has a key: the offset (from the start of the walk) where the
/// tar reader began reading the headers that make it up, extension headers included. Two walks
/// of the same bytes that give an entry the same key see the same entries from there on, which
/// is how pieces of one stream walked apart are joined. The key is `None` where it is not known
/// (after a GNU sparse file, whose extension blocks move the next header).
pub(crate) fn walk_tar<V: Visitor>(
    reader: impl SkipForward,
    visitor: &V,
    options: WalkOptions,
    hook: Hook<'_>,
    sink: Sink<'_, V::Output>,
    end: TarEnd,
) -> Result<u64, String> {
    let mut counted = Skipper { inner: reader, count: 0 };
    // Events sent to the sink so far.
    let sent = Cell::new(0);
    let mut send = |event| {
        sent.set(sent.get() + 1);
        sink(event);
    };
    // One buffer for every wanted file of the layer: fresh allocations per file cost a page fault
    // per 4 KiB (most of the walk's system time on large layers).
    let mut scratch = Vec::new();
    {
        let mut archive = tar::Archive::new(&mut counted);
        let entries = archive.entries_with_seek().map_err(|e| format!("not a tar archive: {e}"))?;
        let mut last_path = String::from("(start of layer)");
        let mut next_key = Some(0u64);
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("corrupt tar entry after {last_path:?}: {e}"))?;
            let key = next_key;
            next_key = if entry.header().entry_type().is_gnu_sparse() {
                None
            } else {
                entry.size().div_ceil(512).checked_mul(512).and_then(|s| s.checked_add(entry.raw_file_position()))
            };
            if hook(key, sent.get()) == Flow::Stop {
                return Ok(key.unwrap_or(0));
            }
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
                    send(Event::Opaque(dir.to_string()));
                } else if !deleted.starts_with(".wh.") {
                    send(Event::Whiteout(if dir.is_empty() {
                        deleted.to_string()
                    } else {
                        format!("{dir}/{deleted}")
                    }));
                }
                continue;
            }
            let meta = EntryMeta { path: &path, kind: &kind, size, mode };
            let visit = match &kind {
                EntryKind::File if visitor.wants(&meta) => {
                    if size > options.max_file_size {
                        send(Event::Warning(format!(
                            "{path}: {size} bytes is over the {} byte read limit; not read",
                            options.max_file_size
                        )));
                        Visit::Not
                    } else {
                        let data =
                            read_entry(&mut entry, size, &mut scratch).map_err(|e| format!("reading {path}: {e}"))?;
                        let output = visitor.visit(&meta, data);
                        if scratch.len() > MAX_RETAINED {
                            scratch = Vec::new();
                        }
                        Visit::Output(output)
                    }
                }
                EntryKind::Hardlink(target) if visitor.wants(&meta) => Visit::Link(target.clone()),
                _ => Visit::Not,
            };
            let size = if kind == EntryKind::File { size } else { 0 };
            send(Event::Entry { path, entry: LayerEntry { kind, size, mode }, visit });
        }
    }
    if end == TarEnd::Drain {
        // Consume the tar's trailing zero blocks and padding.
        drain(&mut counted, "tar stream")?;
    }
    Ok(counted.count)
}

/// Applies walk events, in order, to a layer's contents: later entries replace earlier ones at
/// the same path, and a wanted hard link gets the output its target had at that point.
pub(crate) struct Folder<T> {
    out: LayerContents<T>,
    by_path: HashMap<String, usize>,
}

impl<T: Clone> Folder<T> {
    /// A folder over empty contents.
    pub(crate) fn new() -> Self {
        Folder { out: LayerContents::default(), by_path: HashMap::new() }
    }

    /// Applies one event.
    pub(crate) fn apply(&mut self, event: Event<T>) {
        let out = &mut self.out;
        match event {
            Event::Entry { path, entry, visit } => {
                match visit {
                    Visit::Not => {}
                    Visit::Output(output) => {
                        self.by_path.insert(path.clone(), out.outputs.len());
                        out.outputs.push((path.clone(), output));
                    }
                    Visit::Link(target) => match self.by_path.get(&target) {
                        Some(&i) => {
                            let output = out.outputs[i].1.clone();
                            self.by_path.insert(path.clone(), out.outputs.len());
                            out.outputs.push((path.clone(), output));
                        }
                        None => {
                            out.warnings.push(format!("{path}: hard link to {target}, which was not read; skipped"))
                        }
                    },
                }
                out.entries.insert(path, entry);
            }
            Event::Whiteout(path) => out.whiteouts.push(path),
            Event::Opaque(dir) => out.opaque_dirs.push(dir),
            Event::Warning(warning) => out.warnings.push(warning),
        }
    }

    /// The contents, with `tar_bytes` passed.
    pub(crate) fn finish(self, tar_bytes: u64) -> LayerContents<T> {
        LayerContents { tar_bytes, ..self.out }
    }
}

/// Walks a whole tar stream into a layer's contents.
pub(super) fn walk_tar_contents<V: Visitor>(
    reader: impl SkipForward,
    visitor: &V,
    options: WalkOptions,
) -> Result<LayerContents<V::Output>, String> {
    let mut folder = Folder::new();
    let bytes = walk_tar(reader, visitor, options, &mut |_, _| Flow::Go, &mut |e| folder.apply(e), TarEnd::Drain)?;
    Ok(folder.finish(bytes))
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

#[cfg(test)]
mod tests {
    use super::*;

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
