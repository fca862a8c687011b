//! Walking one large gzip layer on several cores.
//!
//! A gzip member is one deflate stream, which a decoder runs through on one core. A large layer
//! is walked in parts instead: the first from the start, each other from a deflate block start
//! ([`block_finder`]) in the middle of what a running part has left, taken by a thread that would
//! otherwise sit idle. A later part does not know the 32 KiB of output before its start: it
//! decodes until its output no longer depends on them, then walks the tar from the first header
//! it finds. The part before it decodes on through that block start (which proves the start is
//! real) until its walk reaches an entry the later part's walk also began at; from there both
//! walks see the same entries, so it stops. A false block start, a part that cannot find its
//! footing or walks that never meet only cost time: the earlier part then goes on alone. The
//! result is what one sequential walk gives, and the member's CRC-32 and length are checked
//! across the parts.

mod block_finder;
mod crc;
mod inflater;
mod member;
mod part;
#[cfg(test)]
mod tests;

use crate::walk::{walk_layer_file, Folder, LayerContents, Visitor, WalkOptions};
use part::{PartEnd, PartResult};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Seek, Take};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A part is split only when it has at least 1/this of the split size left (4 MiB of 32): enough
/// to outweigh a new part's start and overlap, and it lets the last layers even out at the end.
const MIN_LEFT_SHARE: u64 = 8;
/// Bits a new part starts past the position its predecessor has published, at least.
const MIN_GAP: u64 = 8 << 20;
/// How far past the middle of a part's remainder the block finder looks for a block start.
const FIND_SPAN: u64 = 4 << 20;

/// A gzip layer walked in parts.
pub(crate) struct GzipLayer<T> {
    file: Arc<File>,
    /// File offset where the blob ends.
    end: u64,
    /// A part is split only when it has at least this many compressed bytes left.
    min_left: u64,
    chain: Mutex<Chain>,
    /// Signalled whenever a part publishes progress, finishes or is cancelled.
    changed: Condvar,
    results: Mutex<Vec<(usize, PartResult<T>)>>,
}

/// The parts of a layer, by id (the first part is 0).
pub(super) struct Chain {
    slots: Vec<Slot>,
    /// Every part has run and one caller has joined them (see [`GzipLayer::run_last`]).
    joined: bool,
}

/// What the parts of a layer know of each other.
struct Slot {
    /// File bit where the part's decoding starts.
    start_bit: u64,
    /// File bit its decoder has reached.
    position: u64,
    /// Offset in its output from which every byte is correct, once known.
    correct_from: Option<u64>,
    /// Keys of the entries its walk has reached (offsets in its output), increasing.
    keys: Vec<u64>,
    /// Later parts whose start it decoded through, with the offset in its output where it did.
    reached: Vec<(usize, u64)>,
    /// The part before it decoded up to its start, so its start is a real block start (the
    /// first part's always is). Only such a part gives up the parts after it.
    proven: bool,
    /// Its walk is over.
    done: bool,
    /// The part before it will not use it.
    cancelled: bool,
}

impl Chain {
    /// Adds a part starting at `start_bit`; returns its id.
    fn add(&mut self, start_bit: u64) -> usize {
        self.slots.push(Slot {
            start_bit,
            position: start_bit,
            correct_from: None,
            keys: Vec::new(),
            reached: Vec::new(),
            proven: false,
            done: false,
            cancelled: false,
        });
        self.slots.len() - 1
    }

    /// The part that follows part `id`: the nearest later start still in use.
    fn successor(&self, id: usize) -> Option<usize> {
        let start = self.slots[id].start_bit;
        (0..self.slots.len())
            .filter(|&i| self.slots[i].start_bit > start && !self.slots[i].cancelled)
            .min_by_key(|&i| self.slots[i].start_bit)
    }

    /// Marks part `id` as starting at a real block start, and so every later part it decoded
    /// through exactly.
    fn prove(&mut self, id: usize) {
        let mut todo = vec![id];
        while let Some(id) = todo.pop() {
            if !std::mem::replace(&mut self.slots[id].proven, true) {
                todo.extend(self.slots[id].reached.iter().map(|r| r.0));
            }
        }
    }

    /// Compressed bits part `id` has left before the next part's start (or the blob's end), if
    /// it may be split: running, and past its own unknown start.
    fn left(&self, id: usize, end_bit: u64) -> Option<u64> {
        let slot = &self.slots[id];
        if slot.done || slot.cancelled || slot.correct_from.is_none() {
            return None;
        }
        let limit = self.successor(id).map_or(end_bit, |s| self.slots[s].start_bit);
        Some(limit.saturating_sub(slot.position))
    }
}

impl<T> GzipLayer<T> {
    /// Prepares the gzip blob at this byte range of a file for walking in parts; gives the range
    /// back if it is not gzip, too small to be worth it, or its header is one the streaming
    /// decoder should report on.
    pub(crate) fn open(mut range: Take<File>, split_size: u64) -> io::Result<Result<GzipLayer<T>, Take<File>>> {
        let len = range.limit();
        let start = range.get_mut().stream_position()?;
        let end = start + len;
        let mut magic = [0u8; 2];
        if len < split_size || member::read_fully_at(range.get_ref(), &mut magic, start)? < 2 || magic != [0x1f, 0x8b] {
            return Ok(Err(range));
        }
        let Ok(header) = member::header_len(range.get_ref(), start, end) else { return Ok(Err(range)) };
        let first = Slot {
            start_bit: (start + header) * 8,
            position: (start + header) * 8,
            correct_from: None,
            keys: Vec::new(),
            reached: Vec::new(),
            proven: true,
            done: false,
            cancelled: false,
        };
        Ok(Ok(GzipLayer {
            file: Arc::new(range.into_inner()),
            end,
            min_left: (split_size / MIN_LEFT_SHARE).max(1),
            chain: Mutex::new(Chain { slots: vec![first], joined: false }),
            changed: Condvar::new(),
            results: Mutex::new(Vec::new()),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, Chain>) -> MutexGuard<'g, Chain> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Decodes and walks part `id` (0 is the whole layer until another part splits off).
    fn run_part<V: Visitor<Output = T>>(
        &self,
        id: usize,
        visitor: &V,
        options: WalkOptions,
        on_bytes: &(dyn Fn(u64) + Sync),
    ) {
        let result = part::run_part(self, id, visitor, options, on_bytes);
        self.results.lock().unwrap_or_else(|e| e.into_inner()).push((id, result));
    }

    /// The file the layer's blob is in.
    pub(crate) fn file(&self) -> &Arc<File> {
        &self.file
    }

    /// Runs part `id` like [`run_part`](Self::run_part); if it was the layer's last part to end,
    /// joins the parts and returns the layer's contents (to exactly one caller).
    pub(crate) fn run_last<V: Visitor<Output = T>>(
        &self,
        id: usize,
        visitor: &V,
        options: WalkOptions,
        on_bytes: &(dyn Fn(u64) + Sync),
    ) -> Option<Result<LayerContents<T>, String>>
    where
        T: Clone,
    {
        self.run_part(id, visitor, options, on_bytes);
        let mut chain = self.lock();
        // Once every part is done none can be split off any more.
        let last = chain.slots.iter().all(|s| s.done) && !chain.joined;
        chain.joined |= last;
        drop(chain);
        last.then(|| self.finish())
    }

    /// Compressed bytes left in the running part that has most left, if it is worth splitting.
    pub(crate) fn most_left(&self) -> Option<u64> {
        let chain = self.lock();
        let end_bit = self.end * 8;
        let best = (0..chain.slots.len()).filter_map(|i| chain.left(i, end_bit)).max()?;
        (best / 8 >= self.min_left).then_some(best / 8)
    }

    /// Starts a new part at a block start in the middle of what the part with most left still
    /// has to decode; returns its id, for the caller to run.
    pub(crate) fn split(&self) -> Option<usize> {
        let end_bit = self.end * 8;
        let (victim, from, limit) = {
            let chain = self.lock();
            let victim = (0..chain.slots.len()).max_by_key(|&i| chain.left(i, end_bit).unwrap_or(0))?;
            let left = chain.left(victim, end_bit)?;
            let position = chain.slots[victim].position;
            (victim, position + left / 2, position + left)
        };
        let found = block_finder::find_in_file(&self.file, from, (from + FIND_SPAN * 8).min(limit))?;
        let mut chain = self.lock();
        // The part may have moved on, finished or been split meanwhile.
        let still_left = chain.left(victim, end_bit)?;
        let position = chain.slots[victim].position;
        // A part reads ahead of its published position by up to one input step: leave room.
        if found <= position + MIN_GAP || found >= position + still_left {
            return None;
        }
        Some(chain.add(found))
    }

    /// Runs the first part and parts starting at each of these file bits (block starts or not),
    /// each on its own thread, all at once.
    fn run_from<V: Visitor<Output = T>>(&self, starts: &[u64], visitor: &V, options: WalkOptions)
    where
        T: Send,
    {
        let mut ids = vec![0];
        {
            let mut chain = self.lock();
            for &bit in starts {
                if !chain.slots.iter().any(|s| s.start_bit == bit) {
                    ids.push(chain.add(bit));
                }
            }
        }
        std::thread::scope(|scope| {
            for &id in &ids {
                scope.spawn(move || self.run_part(id, visitor, options, &|_| {}));
            }
        });
    }

    /// Joins the walks of the parts into the layer's contents; call once every part has run.
    pub(crate) fn finish(&self) -> Result<LayerContents<T>, String>
    where
        T: Clone,
    {
        self.join().map(|(contents, _)| contents)
    }

    /// [`finish`](Self::finish), also counting the parts whose walks were used.
    fn join(&self) -> Result<(LayerContents<T>, usize), String>
    where
        T: Clone,
    {
        let mut results: HashMap<usize, PartResult<T>> =
            std::mem::take(&mut *self.results.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        let (mut id, mut from_event, mut from_key) = (0, 0, 0);
        let mut folder = Folder::new();
        let (mut crc, mut len, mut tar_bytes) = (0u32, 0u64, 0u64);
        let mut used = 0;
        loop {
            used += 1;
            let mut result =
                results.remove(&id).ok_or_else(|| format!("internal: part {id} of the layer did not run"))?;
            let end = result.outcome?;
            if let Some(first) = result.folded.take() {
                folder = first;
            }
            for event in result.events.drain(from_event.min(result.events.len())..) {
                folder.apply(event);
            }
            tar_bytes += result.tar_end.saturating_sub(from_key);
            match end {
                PartEnd::Joined { succ, succ_key, crc: part_crc, len: part_len } => {
                    crc = crc::combine(crc, part_crc, part_len);
                    len += part_len;
                    let next =
                        results.get(&succ).ok_or_else(|| format!("internal: part {succ} of the layer did not run"))?;
                    from_event = next
                        .keys
                        .iter()
                        .find(|k| k.0 == succ_key)
                        .map(|k| k.1)
                        .ok_or_else(|| format!("internal: part {succ} has no entry at {succ_key}"))?;
                    from_key = succ_key;
                    id = succ;
                }
                PartEnd::Finished { crc: part_crc, len: part_len, trailer } => {
                    crc = crc::combine(crc, part_crc, part_len);
                    len += part_len;
                    if trailer.crc != crc || trailer.size != len as u32 {
                        return Err("corrupt gzip stream does not have a matching checksum".into());
                    }
                    break;
                }
            }
        }
        Ok((folder.finish(tar_bytes), used))
    }
}

/// Walks the gzip layer at this byte range of a file in parts that start at these file bits,
/// whether or not a deflate block starts there, each on its own thread: the result must be what
/// one sequential walk gives. For tests and fuzzing; a blob that is not gzip is walked whole.
#[doc(hidden)]
pub fn walk_gzip_parts<V: Visitor>(
    range: Take<File>,
    starts: &[u64],
    visitor: &V,
    options: WalkOptions,
) -> Result<LayerContents<V::Output>, String>
where
    V::Output: Send,
{
    match GzipLayer::open(range, 0).map_err(|e| format!("reading layer: {e}"))? {
        Ok(layer) => {
            layer.run_from(starts, visitor, options);
            layer.finish()
        }
        Err(range) => walk_layer_file(range, visitor, options, &|_| {}),
    }
}
