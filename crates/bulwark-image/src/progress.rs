/// Receives progress while layers stream (the CLI draws a bar on a terminal).
pub trait Progress: Sync {
    /// Reading starts: total compressed bytes when every layer's size is known, and the layer count.
    fn start(&self, total_bytes: Option<u64>, layers: usize);
    /// `bytes` more compressed bytes were read.
    fn advance(&self, bytes: u64);
    /// All layers are read.
    fn finish(&self);
}

/// Progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total_bytes: Option<u64>, _layers: usize) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}
