//! Raw deflate decoding (zlib-rs through its zlib C API) that can start at any bit of a file,
//! with a given 32 KiB window, and reports every block boundary it passes.

use libz_rs_sys as z;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// Size of one read from the file.
const INPUT_STEP: usize = 256 * 1024;

/// What one [`Inflater::step`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    /// Output space ran out, or input is still to come: call again.
    More,
    /// The end of a non-final block, at this absolute bit position of the file.
    Boundary(u64),
    /// The end of the final block; the bit position right after it.
    End(u64),
}

/// A raw inflate stream over a byte range of a file.
pub(crate) struct Inflater {
    strm: Box<z::z_stream>,
    file: Arc<File>,
    /// Absolute file offset of the next byte to read into `input`.
    next_read: u64,
    /// Absolute file offset where the blob ends.
    end: u64,
    input: Vec<u8>,
    /// Compressed bytes read from the file so far.
    pub(crate) bytes_read: u64,
}

impl Inflater {
    /// Starts decoding at absolute bit `bit` of `file` (data ends at byte `end`), with `window`
    /// as the 32 KiB of output that precede it (empty at the start of a stream).
    pub(crate) fn new(file: Arc<File>, bit: u64, end: u64, window: &[u8]) -> io::Result<Inflater> {
        let mut strm = Box::new(z::z_stream::default());
        // SAFETY: `strm` is a default-initialised stream with the allocator zlib-rs expects; the
        // version string is zlib-rs's own.
        let ret =
            unsafe { z::inflateInit2_(&mut *strm, -15, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32) };
        if ret != z::Z_OK {
            return Err(io::Error::other(format!("inflate could not start (zlib code {ret})")));
        }
        let mut inflater =
            Inflater { strm, file, next_read: bit / 8, end, input: Vec::with_capacity(INPUT_STEP), bytes_read: 0 };
        if !window.is_empty() {
            // SAFETY: `window` is a live slice of the given length for the duration of the call.
            let ret = unsafe { z::inflateSetDictionary(&mut *inflater.strm, window.as_ptr(), window.len() as u32) };
            if ret != z::Z_OK {
                return Err(io::Error::other(format!("inflate rejected the window (zlib code {ret})")));
            }
        }
        let skip = (bit % 8) as u32;
        if skip != 0 {
            let mut byte = [0u8; 1];
            inflater.file.read_exact_at(&mut byte, inflater.next_read)?;
            inflater.next_read += 1;
            // SAFETY: plain call on an initialised stream.
            let ret = unsafe { z::inflatePrime(&mut *inflater.strm, (8 - skip) as i32, i32::from(byte[0] >> skip)) };
            if ret != z::Z_OK {
                return Err(io::Error::other(format!("inflate could not take the first bits (zlib code {ret})")));
            }
        }
        Ok(inflater)
    }

    /// The absolute bit position of the decoder (input consumed minus bits held back).
    pub(crate) fn position(&self) -> u64 {
        let unread = u64::from(self.strm.avail_in);
        let held = (self.strm.data_type & 63) as u64;
        (self.next_read - unread) * 8 - held
    }

    /// Decodes into the spare capacity of `out` (at most `room` bytes), stopping at the end of
    /// the stream or when the space or the input read so far runs out; and at the next block
    /// boundary when the input read so far reaches file bit `stop_at` (which it must not pass
    /// unseen). Block boundaries are found only then: stopping at each costs a window copy.
    pub(crate) fn step(&mut self, out: &mut Vec<u8>, room: usize, stop_at: Option<u64>) -> io::Result<Reached> {
        if self.strm.avail_in == 0 {
            let want = INPUT_STEP.min(usize::try_from(self.end.saturating_sub(self.next_read)).unwrap_or(INPUT_STEP));
            self.input.resize(want, 0);
            let n = if want == 0 { 0 } else { self.file.read_at(&mut self.input, self.next_read)? };
            self.input.truncate(n);
            self.next_read += n as u64;
            self.bytes_read += n as u64;
            self.strm.next_in = self.input.as_ptr();
            self.strm.avail_in = n as u32;
        }
        out.reserve(room);
        let spare = out.spare_capacity_mut();
        let avail_out = u32::try_from(spare.len().min(room)).unwrap_or(u32::MAX);
        self.strm.next_out = spare.as_mut_ptr().cast();
        self.strm.avail_out = avail_out;
        let had_input = self.strm.avail_in;
        let flush = if stop_at.is_some_and(|bit| bit <= self.next_read * 8) { z::Z_BLOCK } else { z::Z_NO_FLUSH };
        // SAFETY: next_in/avail_in describe the initialised part of `self.input`; next_out/avail_out
        // describe spare capacity of `out`, which inflate only writes to.
        let ret = unsafe { z::inflate(&mut *self.strm, flush) };
        let produced = (avail_out - self.strm.avail_out) as usize;
        // SAFETY: inflate initialised exactly `produced` bytes after the old length.
        unsafe { out.set_len(out.len() + produced) };
        self.strm.next_out = std::ptr::null_mut();
        self.strm.avail_out = 0;
        match ret {
            z::Z_STREAM_END => Ok(Reached::End(self.position())),
            // No input left to give and nothing decoded: the blob ends inside the deflate data.
            z::Z_BUF_ERROR if had_input == 0 && produced == 0 => {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the gzip stream ends early, inside the deflate data"))
            }
            // zlib says Z_BUF_ERROR when a call neither read nor wrote a byte, which also
            // happens when an empty block is decoded from bits it already held.
            z::Z_OK | z::Z_BUF_ERROR if self.strm.data_type & 128 != 0 => Ok(Reached::Boundary(self.position())),
            z::Z_OK | z::Z_BUF_ERROR => Ok(Reached::More),
            _ => Err(io::Error::new(io::ErrorKind::InvalidData, format!("corrupt deflate stream: {}", self.message()))),
        }
    }

    /// zlib's message for the last error.
    fn message(&self) -> String {
        if self.strm.msg.is_null() {
            return "invalid data".into();
        }
        // SAFETY: zlib-rs sets `msg` to a static NUL-terminated string.
        unsafe { std::ffi::CStr::from_ptr(self.strm.msg) }.to_string_lossy().into_owned()
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: the stream was initialised by inflateInit2_ in `new`.
        unsafe { z::inflateEnd(&mut *self.strm) };
    }
}
