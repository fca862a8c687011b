//! gzip's CRC-32 of decoded output: ISA-L's folding code (VPCLMULQDQ where the CPU has it, about
//! twice zlib-rs's speed here), and zlib-rs's combination of the CRCs of adjacent runs.

extern "C" {
    /// ISA-L's reflected CRC-32 (the one gzip uses), continuing from `init` (0 to start).
    fn crc32_gzip_refl(init: u32, buf: *const u8, len: u64) -> u32;
}

/// The CRC-32 of what `crc` covered followed by `data`.
pub(super) fn update(crc: u32, data: &[u8]) -> u32 {
    // SAFETY: ISA-L reads exactly `len` bytes from `buf`, a live slice.
    unsafe { crc32_gzip_refl(crc, data.as_ptr(), data.len() as u64) }
}

/// The CRC-32 of two adjacent runs, from each run's CRC-32 and the second run's length.
pub(super) fn combine(first: u32, second: u32, second_len: u64) -> u32 {
    zlib_rs::crc32::crc32_combine(first, second, second_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_zlib_for_every_length_and_split() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in [0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1000, 4096, 65_537, 70_000] {
            let want = zlib_rs::crc32::crc32(0, &data[..len]);
            assert_eq!(update(0, &data[..len]), want, "length {len}");
            for split in [0, 1, len / 3, len / 2, len.saturating_sub(1), len] {
                let split = split.min(len);
                let chained = update(update(0, &data[..split]), &data[split..len]);
                assert_eq!(chained, want, "length {len} split at {split}");
                let combined = combine(update(0, &data[..split]), update(0, &data[split..len]), (len - split) as u64);
                assert_eq!(combined, want, "length {len} combined at {split}");
            }
        }
    }
}
