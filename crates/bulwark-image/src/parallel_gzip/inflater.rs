//! Raw deflate decoding (ISA-L's igzip, about 15 % faster here than zlib-rs) that can start at
//! any bit of a file, with a given 32 KiB window, and tells whether a block starts at a given bit.

use crate::gzip::{inflate_state, taken};
use isal_sys::igzip_lib as isal;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// Size of one read from the file.
const INPUT_STEP: u64 = 256 * 1024;

/// What one [`Inflater::step`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    /// Output space ran out, or input is still to come: call again.
    More,
    /// Everything before file bit `bit` (the `stop_at` asked for) is decoded; `block_start` says
    /// whether a block starts exactly there. Decoding goes on past it on the next call.
    Stop { bit: u64, block_start: bool },
    /// The end of the final block; the bit position right after it.
    End(u64),
}

/// A raw inflate stream over a byte range of a file.
pub(crate) struct Inflater {
    state: Box<isal::inflate_state>,
    file: Arc<File>,
    /// Absolute file offset of the next byte to read into `input`.
    next_read: u64,
    /// Absolute file offset where the blob ends.
    end: u64,
    input: Vec<u8>,
    /// The last stop asked for and answered: decoding goes on past it.
    answered: Option<u64>,
    /// Compressed bytes read from the file so far.
    pub(crate) bytes_read: u64,
}

impl Inflater {
    /// Starts decoding at absolute bit `bit` of `file` (data ends at byte `end`), with `window`
    /// as the 32 KiB of output that precede it (empty at the start of a stream).
    pub(crate) fn new(file: Arc<File>, bit: u64, end: u64, window: &[u8]) -> io::Result<Inflater> {
        let mut inflater = Inflater {
            state: inflate_state(isal::ISAL_DEFLATE),
            file,
            next_read: bit / 8,
            end,
            input: Vec::with_capacity(INPUT_STEP as usize),
            answered: None,
            bytes_read: 0,
        };
        if !window.is_empty() {
            let len = u32::try_from(window.len()).unwrap_or(u32::MAX);
            // SAFETY: ISA-L copies `len` bytes of `window` into the state and keeps no pointer.
            let ret = unsafe { isal::isal_inflate_set_dict(&mut *inflater.state, window.as_ptr().cast_mut(), len) };
            if ret != 0 {
                return Err(io::Error::other(format!("inflate rejected the window (ISA-L code {ret})")));
            }
        }
        let skip = (bit % 8) as u32;
        if skip != 0 {
            let mut byte = [0u8; 1];
            inflater.file.read_exact_at(&mut byte, inflater.next_read)?;
            inflater.next_read += 1;
            // The rest of the first byte is where decoding starts: ISA-L's bit buffer holds it.
            inflater.state.read_in = u64::from(byte[0] >> skip);
            inflater.state.read_in_length = (8 - skip) as i32;
        }
        Ok(inflater)
    }

    /// The absolute bit position of the decoder: input taken, less the bits it holds unread.
    pub(crate) fn position(&self) -> u64 {
        let state = &*self.state;
        let held = u64::try_from(state.read_in_length).unwrap_or(0) + 8 * u64::try_from(state.tmp_in_size).unwrap_or(0);
        (self.next_read - u64::from(state.avail_in)) * 8 - held
    }

    /// Decodes into the spare capacity of `out` (at most `room` bytes), stopping at the end of
    /// the stream or when the space or the input read so far runs out. With `stop_at`, it reads
    /// no input past the byte holding that bit and, once everything before it is decoded,
    /// answers whether a block starts there ([`Reached::Stop`]); each stop is answered once.
    pub(crate) fn step(&mut self, out: &mut Vec<u8>, room: usize, stop_at: Option<u64>) -> io::Result<Reached> {
        let stop = stop_at.filter(|&bit| self.answered != Some(bit));
        let limit = stop.map_or(self.end, |bit| bit.div_ceil(8).min(self.end));
        if let Some(bit) = stop {
            if self.position() > bit || self.next_read - u64::from(self.state.avail_in) > limit {
                // Already decoded past it (a stop set late): whatever is there went by unseen.
                self.answered = Some(bit);
                return Ok(Reached::Stop { bit, block_start: false });
            }
            // Take back input handed over past the limit (not consumed yet).
            let over = self.next_read.saturating_sub(limit);
            if over > 0 {
                self.state.avail_in -= over as u32;
                self.next_read = limit;
            }
        }
        if self.state.avail_in == 0 && self.next_read < limit {
            let want = INPUT_STEP.min(limit - self.next_read) as usize;
            self.input.resize(want, 0);
            let n = self.file.read_at(&mut self.input, self.next_read)?;
            self.input.truncate(n);
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the gzip blob is shorter than its manifest says",
                ));
            }
            self.next_read += n as u64;
            self.bytes_read += n as u64;
            self.state.next_in = self.input.as_mut_ptr();
            self.state.avail_in = n as u32;
        }
        out.reserve(room);
        let spare = out.spare_capacity_mut();
        let avail_out = u32::try_from(spare.len().min(room)).unwrap_or(u32::MAX);
        self.state.next_out = spare.as_mut_ptr().cast();
        self.state.avail_out = avail_out;
        // SAFETY: next_in/avail_in describe initialised bytes of `self.input` (or none);
        // next_out/avail_out describe spare capacity of `out`, which ISA-L only writes to.
        let offered = self.state.avail_in;
        let ret = unsafe { isal::isal_inflate(&mut *self.state) };
        self.state.next_out = std::ptr::null_mut();
        // After an error ISA-L's counts are not to be trusted: check before using them.
        let (_, produced) = taken(ret, offered, self.state.avail_in, avail_out, self.state.avail_out)?;
        self.state.avail_out = 0;
        // SAFETY: ISA-L initialised exactly `produced` bytes (at most `avail_out`, the spare
        // capacity offered) after the old length.
        unsafe { out.set_len(out.len() + produced) };
        if self.state.block_state == isal::isal_block_state_ISAL_BLOCK_FINISH {
            return Ok(Reached::End(self.position()));
        }
        // More can come only from more input: all that was handed over is taken and decoded.
        if produced == 0 && self.state.avail_in == 0 && self.next_read == limit {
            if let Some(bit) = stop {
                self.answered = Some(bit);
                return Ok(Reached::Stop { bit, block_start: self.between_blocks() && self.position() == bit });
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the gzip stream ends early, inside the deflate data",
            ));
        }
        Ok(Reached::More)
    }

    /// Whether the decoder sits between two blocks with all its output handed out.
    fn between_blocks(&self) -> bool {
        let state = &*self.state;
        let at_header = state.block_state == isal::isal_block_state_ISAL_BLOCK_NEW_HDR
            || state.block_state == isal::isal_block_state_ISAL_BLOCK_HDR;
        at_header
            && state.tmp_out_valid == state.tmp_out_processed
            && state.copy_overflow_length == 0
            && state.write_overflow_len == 0
    }
}
