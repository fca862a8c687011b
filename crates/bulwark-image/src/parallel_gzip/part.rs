//! One part of a gzip layer: a run of its deflate stream, decoded and walked by one thread from a
//! block start until the walk joins the next part's (or the stream ends).

use super::crc;
use super::inflater::{Inflater, Reached};
use super::member::{read_trailer, Trailer};
use super::{Chain, GzipLayer};
use crate::gzip::GzipReader;
use crate::walk::{walk_tar, Consuming, Event, Flow, Folder, TarEnd, Visitor, WalkOptions};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Take};
use std::sync::{Arc, MutexGuard};

/// Output space offered to one inflate call.
const STEP_ROOM: usize = 256 * 1024;
/// Output space per call while a part's start still depends on the window it does not know.
const RESOLVE_ROOM: usize = 32 * 1024;
/// How far back a deflate back-reference reaches.
const WINDOW: usize = 32 * 1024;
/// A part whose output still depends on the unknown window this far in gives up.
const MAX_UNRESOLVED: u64 = 8 * 1024 * 1024;

/// Why a part stopped early without an error of the data.
pub(super) const CANCELLED: &str = "part no longer needed";

/// How a part's walk ended.
#[derive(Debug)]
pub(super) enum PartEnd {
    /// Stopped before an entry that part `succ` also begins, at key `succ_key` in its coordinates.
    Joined { succ: usize, succ_key: u64, crc: u32, len: u64 },
    /// Walked to the end of the first gzip member (and any members after it).
    Finished { crc: u32, len: u64, trailer: Trailer },
}

/// What one part found.
pub(super) struct PartResult<T> {
    /// Walk events, in order (for the first part, already applied to `folded`).
    pub events: Vec<Event<T>>,
    /// The first part's walk, folded as it went: all of it is used, from its start.
    pub folded: Option<Folder<T>>,
    /// Entry keys (offsets in this part's output) with the index of the entry's first event.
    pub keys: Vec<(u64, usize)>,
    /// Where the walk ended, or the error that ended it.
    pub outcome: Result<PartEnd, String>,
    /// Offset in this part's output where its walk stopped (the end of the tar when finished).
    pub tar_end: u64,
}

impl<T> PartResult<T> {
    fn failed(message: String) -> PartResult<T> {
        PartResult { events: Vec::new(), folded: None, keys: Vec::new(), outcome: Err(message), tar_end: 0 }
    }
}

/// Decodes and walks part `id` of `layer`.
pub(super) fn run_part<V: Visitor>(
    layer: &GzipLayer<V::Output>,
    id: usize,
    visitor: &V,
    options: WalkOptions,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> PartResult<V::Output> {
    let _done = Done { layer, id };
    let failed = match start(layer, id, on_bytes) {
        Ok(Some(stream)) => return walk(layer, id, stream, visitor, options),
        Ok(None) => CANCELLED.to_string(),
        Err(e) => e.to_string(),
    };
    if id > 0 {
        // Nothing can hand over to a part that found no footing: the parts around it go on
        // without it (and the scheduler no longer counts on it).
        layer.lock().slots[id].cancelled = true;
        layer.changed.notify_all();
    }
    PartResult::failed(failed)
}

/// Marks a part done when its run ends, however it ends (a panicking visitor included), so no
/// part waits for it forever.
struct Done<'a, T> {
    layer: &'a GzipLayer<T>,
    id: usize,
}

impl<T> Drop for Done<'_, T> {
    fn drop(&mut self) {
        let mut chain = self.layer.lock();
        chain.slots[self.id].done = true;
        self.layer.changed.notify_all();
    }
}

/// Opens the part's stream: the first part from the member's first block, any other from its
/// block start once 32 KiB in a row no longer depend on the window before it (`None` when the
/// part cannot be used and the part before it will go on instead).
fn start<'a, T>(
    layer: &'a GzipLayer<T>,
    id: usize,
    on_bytes: &'a (dyn Fn(u64) + Sync),
) -> io::Result<Option<PartStream<'a, T>>> {
    let start_bit = layer.lock().slots[id].start_bit;
    if id == 0 {
        let inflater = Inflater::new(Arc::clone(&layer.file), start_bit, layer.end, &[])?;
        let stream = PartStream::new(layer, id, inflater, Vec::new(), 0, on_bytes);
        layer.lock().slots[id].correct_from = Some(0);
        return Ok(Some(stream));
    }
    let Some((inflater, output, correct_from)) = resolve(layer, id, start_bit)? else {
        return Ok(None);
    };
    let mut chain = layer.lock();
    chain.slots[id].correct_from = Some(correct_from);
    chain.slots[id].position = inflater.position();
    layer.changed.notify_all();
    drop(chain);
    Ok(Some(PartStream::new(layer, id, inflater, output, correct_from, on_bytes)))
}

/// Decodes from `start_bit` twice, with two windows that differ in every byte, until 32 KiB in a
/// row agree. A byte of deflate output is a literal or a copy of an earlier byte, so a byte that
/// agrees comes from literals alone and is correct, and after 32 KiB of such bytes nothing can
/// reach the window any more. Returns the decoder, the correct output so far and its offset.
fn resolve<T>(layer: &GzipLayer<T>, id: usize, start_bit: u64) -> io::Result<Option<(Inflater, Vec<u8>, u64)>> {
    let mut zeros = Inflater::new(Arc::clone(&layer.file), start_bit, layer.end, &[0u8; WINDOW])?;
    let mut ones = Inflater::new(Arc::clone(&layer.file), start_bit, layer.end, &[0xFFu8; WINDOW])?;
    // Both outputs from `dropped` on: bytes before the last disagreement are of no use.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut dropped = 0u64;
    loop {
        if layer.lock().slots[id].cancelled {
            return Ok(None);
        }
        let before = a.len();
        let reached = zeros.step(&mut a, RESOLVE_ROOM, None)?;
        let other = ones.step(&mut b, RESOLVE_ROOM, None)?;
        if reached != other || a.len() != b.len() {
            return Ok(None);
        }
        if let Some(i) = (before..a.len()).rev().find(|&i| a[i] != b[i]) {
            a.drain(..=i);
            b.drain(..=i);
            dropped += i as u64 + 1;
        }
        if a.len() >= WINDOW {
            return Ok(Some((zeros, a, dropped)));
        }
        // A part this close to the end, or this dependent on what came before, is not worth it.
        if matches!(reached, Reached::End(_)) || dropped > MAX_UNRESOLVED {
            return Ok(None);
        }
    }
}

/// Walks the part's stream: the first part from the start; any other from the first tar header
/// in its correct output, and on from the next header after each end-of-archive block it meets
/// (which may end a tar stored inside a file). Stops where the walk meets the next part's.
fn walk<V: Visitor>(
    layer: &GzipLayer<V::Output>,
    id: usize,
    mut stream: PartStream<'_, V::Output>,
    visitor: &V,
    options: WalkOptions,
) -> PartResult<V::Output> {
    let mut events = Vec::new();
    let mut folded = (id == 0).then(Folder::new);
    let mut keys = Vec::new();
    let mut joined = None;
    let mut origin = 0;
    let tar_end = loop {
        if id != 0 {
            match stream.find_header() {
                Ok(Some(at)) => origin = at,
                Ok(None) => break stream.position(),
                Err(e) => return PartResult { events, folded, keys, outcome: Err(e.to_string()), tar_end: 0 },
            }
        }
        let before = events.len();
        let mut hook = |key: Option<u64>, index: usize| {
            let Some(key) = key.map(|k| k + origin) else { return Flow::Go };
            keys.push((key, before + index));
            let mut chain = layer.lock();
            chain.slots[id].keys.push(key);
            layer.changed.notify_all();
            match join_at(layer, chain, id, key) {
                Some(found) => {
                    joined = Some(found);
                    Flow::Stop
                }
                None => Flow::Go,
            }
        };
        let end = if id == 0 { TarEnd::Drain } else { TarEnd::Stop };
        let mut sink = |event| match &mut folded {
            Some(folder) => folder.apply(event),
            None => events.push(event),
        };
        match walk_tar(Consuming(&mut stream), visitor, options, &mut hook, &mut sink, end) {
            Ok(bytes) => {
                if joined.is_some() || id == 0 {
                    break origin + bytes;
                }
            }
            Err(message) => return PartResult { events, folded, keys, outcome: Err(message), tar_end: 0 },
        }
    };
    let outcome = match joined {
        Some((succ, succ_key)) => match stream.cut_crc(succ) {
            Some((crc, len)) => Ok(PartEnd::Joined { succ, succ_key, crc, len }),
            None => Err(format!("internal: no checksum at the start of part {succ}")),
        },
        None => match stream.finished {
            Some((crc, len, trailer)) => Ok(PartEnd::Finished { crc, len, trailer }),
            None => Err("the gzip stream ends early, inside the deflate data".into()),
        },
    };
    PartResult { events, folded, keys, outcome, tar_end }
}

/// Whether the walk of part `id`, about to read the entry with `key`, has met the walk of the
/// part after it: that part began an entry at the same place of the stream, so from there on
/// both walks see the same entries. Waits while the next part has not got that far yet; gives up
/// on (cancels) a next part that can no longer meet it.
fn join_at<T>(layer: &GzipLayer<T>, mut chain: MutexGuard<'_, Chain>, id: usize, key: u64) -> Option<(usize, u64)> {
    loop {
        let succ = chain.successor(id)?;
        let offset = chain.slots[id].reached.iter().find(|r| r.0 == succ)?.1;
        let theirs = key.checked_sub(offset)?;
        let next = &chain.slots[succ];
        match next.keys.binary_search(&theirs) {
            Ok(_) => return Some((succ, theirs)),
            // Before the next part's first entry, or between two of its entries: go on.
            Err(i) if i < next.keys.len() => return None,
            // A part whose own start is not proven judges no other part.
            Err(_) if next.done && !chain.slots[id].proven => return None,
            Err(_) if next.done => {
                // It stopped before this point without meeting this walk: it is of no use.
                chain.slots[succ].cancelled = true;
                layer.changed.notify_all();
            }
            Err(_) => chain = layer.wait(chain),
        }
    }
}

/// A successor's start this part has decoded through.
struct Handoff {
    succ: usize,
    /// Offset in this part's output where the successor's correct output begins.
    cut: u64,
    /// CRC-32 of this part's correct output up to `cut`, once decoded that far.
    crc: Option<u32>,
}

/// The decoded bytes of one part, handed to the tar walk; keeps the part's place in the chain.
struct PartStream<'a, T> {
    layer: &'a GzipLayer<T>,
    id: usize,
    inflater: Inflater,
    buf: Vec<u8>,
    at: usize,
    /// Bytes decoded so far (the offset of the end of `buf` in this part's output).
    produced: u64,
    /// CRC-32 of the output from `crc_from` to `produced`.
    crc: u32,
    crc_from: u64,
    handoffs: Vec<Handoff>,
    /// CRC-32 and length of the correct output and the trailer, once the member has ended.
    finished: Option<(u32, u64, Trailer)>,
    /// Members after the first, decoded as a stream.
    rest: Option<Box<GzipReader<BufReader<Take<File>>>>>,
    /// Bytes read from `rest` so far.
    tail: u64,
    /// Compressed bytes already reported to `on_bytes`.
    reported: u64,
    on_bytes: &'a (dyn Fn(u64) + Sync),
}

impl<'a, T> PartStream<'a, T> {
    /// A stream over `inflater`, whose output from offset `correct_from` on is `output`.
    fn new(
        layer: &'a GzipLayer<T>,
        id: usize,
        inflater: Inflater,
        output: Vec<u8>,
        correct_from: u64,
        on_bytes: &'a (dyn Fn(u64) + Sync),
    ) -> Self {
        let crc = crc::update(0, &output);
        let produced = correct_from + output.len() as u64;
        let mut stream = PartStream {
            layer,
            id,
            inflater,
            buf: output,
            at: 0,
            produced,
            crc,
            crc_from: correct_from,
            handoffs: Vec::new(),
            finished: None,
            rest: None,
            tail: 0,
            reported: 0,
            on_bytes,
        };
        stream.report();
        stream
    }

    /// Reports newly read compressed bytes until the stream reaches a successor's start.
    fn report(&mut self) {
        if self.handoffs.is_empty() {
            (self.on_bytes)(self.inflater.bytes_read - self.reported);
            self.reported = self.inflater.bytes_read;
        }
    }

    /// CRC-32 and length of the correct output up to where successor `succ` takes over.
    fn cut_crc(&self, succ: usize) -> Option<(u32, u64)> {
        let handoff = self.handoffs.iter().find(|h| h.succ == succ)?;
        Some((handoff.crc?, handoff.cut - self.crc_from))
    }

    /// Decodes the next step into `buf` (after what is unread there). `false` at the end.
    fn decode(&mut self) -> io::Result<bool> {
        if self.finished.is_some() {
            return Ok(false);
        }
        // The decoder stops at the start of the next part, to tell whether a block starts there.
        let stop_at = {
            let chain = self.layer.lock();
            if chain.slots[self.id].cancelled {
                return Err(io::Error::other(CANCELLED));
            }
            chain
                .successor(self.id)
                .filter(|&s| !self.handoffs.iter().any(|h| h.succ == s))
                .map(|s| chain.slots[s].start_bit)
        };
        let before = self.buf.len();
        let reached = self.inflater.step(&mut self.buf, STEP_ROOM, stop_at)?;
        self.report();
        self.hash_from(before);
        match reached {
            Reached::More => self.layer.lock().slots[self.id].position = self.inflater.position(),
            Reached::Stop { bit, block_start } => self.at_stop(bit, block_start)?,
            Reached::End(bit) => self.at_end(bit)?,
        }
        Ok(true)
    }

    /// Adds `buf[from..]` (new output) to the CRC, taking the CRC at every handoff cut passed.
    fn hash_from(&mut self, from: usize) {
        let new = (self.buf.len() - from) as u64;
        let start = self.produced;
        self.produced += new;
        let mut done = from;
        loop {
            let next_cut =
                self.handoffs.iter_mut().filter(|h| h.crc.is_none() && h.cut <= self.produced).min_by_key(|h| h.cut);
            let Some(handoff) = next_cut else { break };
            let upto = from + (handoff.cut.max(start) - start) as usize;
            self.crc = crc::update(self.crc, &self.buf[done..upto]);
            done = upto;
            handoff.crc = Some(self.crc);
        }
        self.crc = crc::update(self.crc, &self.buf[done..]);
    }

    /// At the start of the next part, with everything before it decoded: hands over to it when
    /// a block starts there, or else gives it up (it was no block start). A part whose own start
    /// is not proven may be decoding noise: it gives up no other part.
    fn at_stop(&mut self, bit: u64, block_start: bool) -> io::Result<()> {
        let mut chain = self.layer.lock();
        chain.slots[self.id].position = self.inflater.position();
        let Some(succ) = chain.successor(self.id).filter(|&s| chain.slots[s].start_bit == bit) else { return Ok(()) };
        if block_start {
            if chain.slots[self.id].proven {
                chain.prove(succ);
            }
            // Where its output becomes correct: wait for it to know.
            while chain.slots[succ].correct_from.is_none() && !chain.slots[succ].done {
                chain = self.layer.wait(chain);
            }
            if let Some(from) = chain.slots[succ].correct_from {
                chain.slots[self.id].reached.push((succ, self.produced));
                let cut = self.produced + from;
                let crc = (cut == self.produced).then_some(self.crc);
                self.handoffs.push(Handoff { succ, cut, crc });
                self.layer.changed.notify_all();
                return Ok(());
            }
        }
        // No block starts there, or the part found no footing.
        if chain.slots[self.id].proven {
            chain.slots[succ].cancelled = true;
            self.layer.changed.notify_all();
        }
        Ok(())
    }

    /// At the end of the first member: reads its trailer, gives up every successor (they started
    /// at no block of this member) and goes on with any members after it.
    fn at_end(&mut self, bit: u64) -> io::Result<()> {
        let mut chain = self.layer.lock();
        while let Some(succ) = chain.successor(self.id).filter(|_| chain.slots[self.id].proven) {
            chain.slots[succ].cancelled = true;
        }
        self.layer.changed.notify_all();
        drop(chain);
        let trailer_at = bit.div_ceil(8);
        let trailer = read_trailer(&self.layer.file, trailer_at, self.layer.end)?;
        self.finished = Some((self.crc, self.produced - self.crc_from, trailer));
        let rest = trailer_at + 8;
        if rest < self.layer.end {
            let mut file = self.layer.file.try_clone()?;
            file.seek(SeekFrom::Start(rest))?;
            let reader = BufReader::with_capacity(STEP_ROOM, file.take(self.layer.end - rest));
            self.rest = Some(Box::new(GzipReader::new(reader)));
        }
        Ok(())
    }

    /// Makes at least `n` unread bytes contiguous in `buf`; `false` if the stream ends first.
    fn ensure(&mut self, n: usize) -> io::Result<bool> {
        if self.buf.len() - self.at >= n {
            return Ok(true);
        }
        self.buf.drain(..self.at);
        self.at = 0;
        while self.buf.len() < n {
            if !self.more()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Appends more output to `buf`: decoded from the first member, then from the members after
    /// it. `false` at the end of the blob.
    fn more(&mut self) -> io::Result<bool> {
        if self.decode()? {
            return Ok(true);
        }
        let Some(rest) = &mut self.rest else { return Ok(false) };
        let start = self.buf.len();
        self.buf.resize(start + STEP_ROOM, 0);
        let n = rest.read(&mut self.buf[start..])?;
        self.buf.truncate(start + n);
        self.tail += n as u64;
        Ok(n > 0)
    }

    /// Offset in the part's output of the next unread byte.
    fn position(&self) -> u64 {
        self.produced + self.tail - (self.buf.len() - self.at) as u64
    }

    /// Moves to the first place in the unread output that holds a valid tar header; returns its
    /// offset in the part's output, or `None` if the first member ends first.
    fn find_header(&mut self) -> io::Result<Option<u64>> {
        loop {
            if !self.ensure(512)? {
                // What is left is too short for a header: pass over it to the end.
                self.at = self.buf.len();
                return Ok(None);
            }
            let unread = &self.buf[self.at..];
            // The last place a whole header fits; the magic sits 257 bytes into one.
            let last = unread.len() - 512;
            let mut from = 0;
            while let Some(i) = memchr::memmem::find(&unread[from + 257..last + 262], b"ustar").map(|i| i + from) {
                if is_tar_header(&unread[i..i + 512]) {
                    self.at += i;
                    return Ok(Some(self.position()));
                }
                from = i + 1;
                if from > last {
                    break;
                }
            }
            self.at += last + 1;
        }
    }
}

/// Whether a 512-byte block is a ustar (or GNU) tar header whose checksum the tar reader accepts.
fn is_tar_header(block: &[u8]) -> bool {
    if &block[257..262] != b"ustar" {
        return false;
    }
    let header = tar::Header::from_byte_slice(block);
    let mut summed = header.clone();
    summed.set_cksum();
    matches!((header.cksum(), summed.cksum()), (Ok(claimed), Ok(sum)) if claimed == sum)
}

impl<T> Read for PartStream<'_, T> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<T> BufRead for PartStream<'_, T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at == self.buf.len() {
            self.buf.clear();
            self.at = 0;
            if !self.more()? {
                break;
            }
        }
        Ok(&self.buf[self.at..])
    }

    fn consume(&mut self, amt: usize) {
        self.at = (self.at + amt).min(self.buf.len());
    }
}
