//! Walking the layers of an image on every core: whole layers first, largest first; a thread left
//! without a layer splits a large gzip layer still being walked and takes the new part. A local
//! layer that must match its digest is hashed as it streams, or, when it is split, on a thread of
//! its own while its parts are walked.

use super::{walk_layer, walk_layer_file, LayerContents, Visitor, WalkOptions};
use crate::digest::{verify_range, Digest};
use crate::error::ImageError;
use crate::parallel_gzip::GzipLayer;
use crate::progress::Progress;
use crate::source::{ImageSource, LayerBlob};
use crate::VerifyingReader;
use std::fs::File;
use std::io::{Seek, Take};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

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
    let sizes: Vec<u64> = info.layers.iter().map(|l| l.size.unwrap_or(0)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let walked = walk_all(&sizes, &|i| source.open_layer(i), visitor, options, threads, &on_bytes)?;
    let layers = walked
        .into_iter()
        .enumerate()
        .map(|(i, walked)| {
            walked.map_err(|message| ImageError::Layer {
                image: info.reference.clone(),
                index: i + 1,
                digest: info.layers[i].digest.clone(),
                message,
            })
        })
        .collect::<Result<Vec<_>, ImageError>>()?;
    progress.finish();
    Ok(layers)
}

/// One layer's contents, or what went wrong walking it.
pub(crate) type Walked<T> = Result<LayerContents<T>, String>;

/// How one layer's walk is going.
enum Walk<T> {
    /// Not walked yet.
    Waiting,
    /// Walked whole by one thread.
    Whole(Walked<T>),
    /// Being walked in parts; joined when every thread is done.
    Parts(Arc<GzipLayer<T>>),
}

/// Walks the layers `open` gives (of these compressed sizes) on `threads` threads: whole layers,
/// largest first; then an idle thread splits the gzip layer with most left. Returns each layer's
/// contents or error message, or the first error opening a layer.
pub(crate) fn walk_all<'s, V: Visitor>(
    sizes: &[u64],
    open: &(dyn Fn(usize) -> Result<LayerBlob<'s>, ImageError> + Sync),
    visitor: &V,
    options: WalkOptions,
    threads: usize,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Walked<V::Output>>, ImageError>
where
    V::Output: Send,
{
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let queue = Mutex::new(order.into_iter());
    let walks: Mutex<Vec<Walk<V::Output>>> = Mutex::new(sizes.iter().map(|_| Walk::Waiting).collect());
    let checks: Mutex<Vec<Option<Check>>> = Mutex::new(sizes.iter().map(|_| None).collect());
    let failed: Mutex<Option<ImageError>> = Mutex::new(None);
    let set = |i: usize, walk: Walk<V::Output>| walks.lock().unwrap_or_else(|e| e.into_inner())[i] = walk;
    let run_parts = |i: usize, layer: GzipLayer<V::Output>| {
        let layer = Arc::new(layer);
        set(i, Walk::Parts(Arc::clone(&layer)));
        if let Some(walked) = layer.run_last(0, visitor, options, on_bytes) {
            set(i, Walk::Whole(walked));
        }
    };
    let walk_file = |i: usize, range: Take<File>| match GzipLayer::open(range, options.split_size) {
        Ok(Ok(layer)) => run_parts(i, layer),
        Ok(Err(range)) => set(i, Walk::Whole(walk_layer_file(range, visitor, options, on_bytes))),
        Err(e) => set(i, Walk::Whole(Err(format!("reading layer: {e}")))),
    };
    // A layer that can be split is hashed on a thread of its own while its parts are walked;
    // any other is verified while it streams, as it is read.
    let walk_verified = |i: usize, mut range: Take<File>, digest: Digest, size: Option<u64>| {
        let start = match range.get_mut().stream_position() {
            Ok(start) => start,
            Err(e) => return set(i, Walk::Whole(Err(format!("reading layer: {e}")))),
        };
        let len = range.limit();
        match GzipLayer::open(range, options.split_size) {
            Ok(Ok(layer)) => {
                let check = DigestCheck { file: Arc::clone(layer.file()), start, len, digest, size };
                checks.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(check.start());
                run_parts(i, layer);
            }
            Ok(Err(range)) => {
                set(i, Walk::Whole(walk_layer(VerifyingReader::new(range, digest, size), visitor, options, on_bytes)))
            }
            Err(e) => set(i, Walk::Whole(Err(format!("reading layer: {e}")))),
        }
    };
    let work = || loop {
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        if let Some(i) = next {
            match open(i) {
                Ok(LayerBlob::Stream(stream)) => set(i, Walk::Whole(walk_layer(stream, visitor, options, on_bytes))),
                Ok(LayerBlob::File(range)) => walk_file(i, range),
                Ok(LayerBlob::VerifiedFile(reader)) => match reader.into_unread() {
                    Ok((range, digest, size)) => walk_verified(i, range, digest, size),
                    Err(reader) => set(i, Walk::Whole(walk_layer(reader, visitor, options, on_bytes))),
                },
                Err(e) => {
                    failed.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                }
            }
            continue;
        }
        // No whole layer left: split the gzip layer with most left, if any is worth it.
        let layers: Vec<(usize, Arc<GzipLayer<V::Output>>)> = walks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .enumerate()
            .filter_map(|(i, w)| if let Walk::Parts(layer) = w { Some((i, Arc::clone(layer))) } else { None })
            .collect();
        let Some((_, i, layer)) = layers.iter().filter_map(|(i, l)| Some((l.most_left()?, i, l))).max_by_key(|x| x.0)
        else {
            break;
        };
        let Some(id) = layer.split() else { break };
        // The thread that runs a layer's last part joins the parts, while others still work.
        if let Some(walked) = layer.run_last(id, visitor, options, on_bytes) {
            set(*i, Walk::Whole(walked));
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(work);
        }
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let walks = walks.into_inner().unwrap_or_else(|e| e.into_inner());
    let checks = checks.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(walks
        .into_iter()
        .zip(checks)
        .map(|(walk, check)| {
            // A blob that is not what its digest says is an error, whatever its walk gave.
            check.map_or(Ok(()), Check::wait)?;
            match walk {
                Walk::Whole(result) => result,
                Walk::Parts(layer) => layer.finish(),
                Walk::Waiting => Err("internal: the layer was not walked".into()),
            }
        })
        .collect())
}

/// A local layer's digest check: running on its own thread, or already done.
enum Check {
    /// Hashing on a helper thread.
    Running(JoinHandle<Result<(), String>>),
    /// Done on the walking thread (no helper thread could start).
    Done(Result<(), String>),
}

impl Check {
    /// The outcome: `Err` names the digest mismatch, the size difference or the read error.
    fn wait(self) -> Result<(), String> {
        match self {
            Check::Running(thread) => thread.join().unwrap_or_else(|_| Err("the layer hashing thread panicked".into())),
            Check::Done(result) => result,
        }
    }
}

/// A digest check of a local layer's byte range, before it starts.
struct DigestCheck {
    /// The file the blob is in (reads are positional).
    file: Arc<File>,
    /// Where the blob starts in the file.
    start: u64,
    /// The blob's length.
    len: u64,
    /// The digest it must hash to.
    digest: Digest,
    /// The size its descriptor declares, if any.
    size: Option<u64>,
}

impl DigestCheck {
    /// Hashes on a helper thread, or here if none can start.
    fn start(self) -> Check {
        let check = Arc::new(self);
        let on_thread = Arc::clone(&check);
        match std::thread::Builder::new().name("layer-sha256".into()).spawn(move || on_thread.run()) {
            Ok(thread) => Check::Running(thread),
            Err(_) => Check::Done(check.run()),
        }
    }

    /// Hashes the range and compares.
    fn run(&self) -> Result<(), String> {
        verify_range(&self.file, self.start, self.len, &self.digest, self.size)
    }
}
