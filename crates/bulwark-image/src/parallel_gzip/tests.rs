//! Walking a gzip layer in parts must give exactly what one sequential walk gives, wherever the
//! parts start: at real block starts, at bits that only look like one, or anywhere at all.

use super::*;
use crate::walk::tests::WantSuffix;
use crate::walk::walk_all;
use crate::walk::walk_layer;
use crate::{Digest, LayerBlob, VerifyingReader};
use std::io::{Read, Seek, SeekFrom, Write};

/// A xorshift generator: the same "random" layer on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Text that compresses like source code or package metadata.
fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: [&str; 12] =
        ["package", "version", "depends", "license", "python", "layer", "\n", "usr/lib", "=", "1.2.3", "{", "}"];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
        if rng.below(4) == 0 {
            out.extend_from_slice(format!(" {} ", rng.below(100_000)).as_bytes());
        } else {
            out.push(b' ');
        }
    }
    out.truncate(len);
    out
}

/// Bytes that do not compress (like stripped binaries or images).
fn noise(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next() as u8).collect()
}

/// A tar with what makes joining walks hard: files of every size, text and noise, long names
/// (extension headers), hard links to earlier files, whiteouts, and tar archives stored as files
/// (whose headers look like the layer's own).
fn layer_tar(seed: u64, files: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut builder = tar::Builder::new(Vec::new());
    let mut wanted: Vec<String> = Vec::new();
    let append = |builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, data).unwrap();
    };
    for i in 0..files {
        let dir = format!("usr/lib/pkg{}", i / 50);
        let size = match rng.below(10) {
            0 => rng.below(400_000) as usize,
            1..=3 => rng.below(20_000) as usize,
            _ => rng.below(3_000) as usize,
        };
        let data = if rng.below(3) == 0 { noise(&mut rng, size) } else { text(&mut rng, size) };
        let name = match rng.below(12) {
            0 => format!("{dir}/{}/file{i}.want", "long-directory-name".repeat(8)),
            1..=4 => format!("{dir}/file{i}.want"),
            _ => format!("{dir}/file{i}.dat"),
        };
        append(&mut builder, &name, &data);
        if name.ends_with(".want") {
            wanted.push(name);
        }
        match rng.below(40) {
            0 if !wanted.is_empty() => {
                let target = &wanted[rng.below(wanted.len() as u64) as usize];
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Link);
                header.set_size(0);
                builder.append_link(&mut header, format!("{dir}/link{i}.want"), target).unwrap();
            }
            1 => append(&mut builder, &format!("{dir}/.wh.gone{i}"), b""),
            2 => append(&mut builder, &format!("{dir}/sub{i}/.wh..wh..opq"), b""),
            3 => {
                let inner = layer_tar(rng.next(), 20);
                append(&mut builder, &format!("{dir}/nested{i}.tar"), &inner);
            }
            _ => {}
        }
    }
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// `blob` stored in a file between other bytes, opened as a layer's byte range.
fn in_file(blob: &[u8]) -> (tempfile::NamedTempFile, Take<File>) {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(&[0x1f; 777]).unwrap();
    f.write_all(blob).unwrap();
    f.write_all(&[0x8b; 333]).unwrap();
    let mut file = File::open(f.path()).unwrap();
    file.seek(SeekFrom::Start(777)).unwrap();
    (f, file.take(blob.len() as u64))
}

fn assert_same(parts: &LayerContents<Vec<u8>>, whole: &LayerContents<Vec<u8>>, what: &str) {
    assert_eq!(parts.entries.len(), whole.entries.len(), "{what}: entry count");
    assert!(parts.entries == whole.entries, "{what}: entries differ");
    assert!(parts.outputs == whole.outputs, "{what}: outputs differ");
    assert_eq!(parts.whiteouts, whole.whiteouts, "{what}");
    assert_eq!(parts.opaque_dirs, whole.opaque_dirs, "{what}");
    assert_eq!(parts.warnings, whole.warnings, "{what}");
    assert_eq!(parts.tar_bytes, whole.tar_bytes, "{what}: tar bytes");
}

/// Walks `blob` in parts that start at these file bits (relative to the blob), all at once.
fn walk_from(blob: &[u8], starts: &[u64]) -> Result<LayerContents<Vec<u8>>, String> {
    walk_counting(blob, starts).map(|(contents, _)| contents)
}

/// [`walk_from`], also giving the number of parts whose walks were used.
fn walk_counting(blob: &[u8], starts: &[u64]) -> Result<(LayerContents<Vec<u8>>, usize), String> {
    let (_keep, range) = in_file(blob);
    let Ok(layer) = GzipLayer::<Vec<u8>>::open(range, 0).unwrap() else { panic!("not taken as gzip") };
    let starts: Vec<u64> = starts.iter().map(|bit| 777 * 8 + bit).collect();
    layer.run_from(&starts, &WantSuffix, WalkOptions::default());
    layer.join()
}

fn sequential(blob: &[u8]) -> Result<LayerContents<Vec<u8>>, String> {
    walk_layer(blob, &WantSuffix, WalkOptions::default(), &|_| {})
}

/// Bit positions of real block starts in the deflate data of `blob`.
fn block_starts(blob: &[u8], how_many: usize) -> Vec<u64> {
    let (_keep, range) = in_file(blob);
    let file = range.into_inner();
    let end = (777 + blob.len() as u64) * 8;
    let mut found = Vec::new();
    let mut at = 777 * 8 + 80;
    for i in 1..=how_many {
        let from = (777 * 8 + blob.len() as u64 * 8 * i as u64 / (how_many as u64 + 1)).max(at);
        if let Some(bit) = block_finder::find_in_file(&file, from, end) {
            found.push(bit - 777 * 8);
            at = bit + 1;
        }
    }
    found
}

#[test]
fn parts_from_real_block_starts_give_the_sequential_walk() {
    let blob = gzip(&layer_tar(1, 600));
    let whole = sequential(&blob).unwrap();
    assert!(whole.outputs.len() > 150 && !whole.whiteouts.is_empty() && !whole.opaque_dirs.is_empty());
    let starts = block_starts(&blob, 7);
    assert!(starts.len() >= 5, "only {} block starts found", starts.len());
    for n in [1, 2, starts.len()] {
        let (parts, used) = walk_counting(&blob, &starts[..n]).unwrap();
        assert_same(&parts, &whole, &format!("{n} extra parts"));
        // Parts at real block starts meet (a part can only be skipped if the next one starts
        // before its own first tar header).
        assert!(used >= n.min(3), "{used} of {} parts used", n + 1);
    }
}

#[test]
fn parts_from_any_bit_give_the_sequential_walk() {
    let blob = gzip(&layer_tar(2, 400));
    let whole = sequential(&blob).unwrap();
    let mut rng = Rng(99);
    for round in 0..12 {
        let mut starts: Vec<u64> = (0..1 + round % 4).map(|_| 100 + rng.below(blob.len() as u64 * 8 - 100)).collect();
        starts.sort_unstable();
        starts.dedup();
        let parts = walk_from(&blob, &starts).unwrap();
        assert_same(&parts, &whole, &format!("starts {starts:?}"));
    }
}

#[test]
fn members_after_the_first_are_walked_and_parts_inside_them_are_given_up() {
    let tar = layer_tar(3, 400);
    let cut = tar.len() / 2 / 512 * 512;
    let mut blob = gzip(&tar[..cut]);
    let first = blob.len() as u64;
    blob.extend(gzip(&tar[cut..]));
    let whole = sequential(&blob).unwrap();
    let mut starts = block_starts(&blob, 5);
    starts.retain(|&b| b / 8 > first + 20);
    assert!(!starts.is_empty());
    let parts = walk_from(&blob, &starts).unwrap();
    assert_same(&parts, &whole, "two members");
}

#[test]
fn a_wrong_checksum_or_corrupt_data_is_an_error_in_parts_too() {
    let blob = gzip(&layer_tar(4, 400));
    let starts = block_starts(&blob, 3);
    let mut bad_crc = blob.clone();
    let at = bad_crc.len() - 8;
    bad_crc[at] ^= 1;
    assert!(sequential(&bad_crc).is_err());
    assert_eq!(walk_from(&bad_crc, &starts).unwrap_err(), "corrupt gzip stream does not have a matching checksum");
    let mut rng = Rng(5);
    for _ in 0..6 {
        let mut corrupt = blob.clone();
        let at = 20 + rng.below(blob.len() as u64 - 40) as usize;
        corrupt[at..at + 4].copy_from_slice(&[0xff, 0x00, 0xa5, 0x5a]);
        let whole = sequential(&corrupt);
        match (&whole, walk_from(&corrupt, &starts)) {
            (Ok(whole), Ok(parts)) => assert_same(&parts, whole, "corrupt yet decodable"),
            (Err(_), Err(_)) => {}
            (whole, parts) => panic!("byte {at}: sequential {:?}, parts {:?}", whole.is_ok(), parts.is_ok()),
        }
    }
    let cut = &blob[..blob.len() * 2 / 3];
    assert!(walk_from(cut, &block_starts(cut, 2)).is_err());
}

#[test]
fn idle_threads_split_large_layers_and_the_result_is_the_same() {
    let blobs: Vec<Vec<u8>> = (10..13).map(|seed| gzip(&layer_tar(seed, 200 + seed as usize * 20))).collect();
    let files: Vec<_> = blobs.iter().map(|b| in_file(b)).collect();
    let sizes: Vec<u64> = blobs.iter().map(|b| b.len() as u64).collect();
    let open = |i: usize| -> Result<LayerBlob<'static>, crate::ImageError> {
        let mut file = File::open(files[i].0.path()).unwrap();
        file.seek(SeekFrom::Start(777)).unwrap();
        Ok(LayerBlob::File(file.take(sizes[i])))
    };
    let options = WalkOptions { split_size: 64 * 1024, ..WalkOptions::default() };
    for threads in [2, 5] {
        let walked = walk_all(&sizes, &open, &WantSuffix, options, threads, &|_| {}).unwrap();
        for (i, walked) in walked.into_iter().enumerate() {
            assert_same(&walked.unwrap(), &sequential(&blobs[i]).unwrap(), &format!("{threads} threads, layer {i}"));
        }
    }
}

/// Local layers that must match their digests are split like the others; the digest covers exactly
/// the blob's range, and a wrong digest or size is that layer's error however its walk went.
#[test]
fn verified_layers_are_split_too_and_a_wrong_digest_is_still_an_error() {
    let blobs: Vec<Vec<u8>> = (20..22).map(|seed| gzip(&layer_tar(seed, 300))).collect();
    let files: Vec<_> = blobs.iter().map(|b| in_file(b)).collect();
    let sizes: Vec<u64> = blobs.iter().map(|b| b.len() as u64).collect();
    let right: Vec<Digest> = blobs.iter().map(|b| Digest::of(b)).collect();
    let options = WalkOptions { split_size: 64 * 1024, ..WalkOptions::default() };
    let walk = |digests: &[Digest], declared: &[u64]| {
        let open = |i: usize| -> Result<LayerBlob<'static>, crate::ImageError> {
            let mut file = File::open(files[i].0.path()).unwrap();
            file.seek(SeekFrom::Start(777)).unwrap();
            let reader = VerifyingReader::new(file.take(sizes[i]), digests[i].clone(), Some(declared[i]));
            Ok(LayerBlob::VerifiedFile(reader))
        };
        // Three threads for two layers: the idle one splits a layer.
        walk_all(&sizes, &open, &WantSuffix, options, 3, &|_| {}).unwrap()
    };
    for (i, walked) in walk(&right, &sizes).into_iter().enumerate() {
        assert_same(&walked.unwrap(), &sequential(&blobs[i]).unwrap(), &format!("layer {i}"));
    }

    let mut wrong = right.clone();
    wrong[1] = Digest::of(b"another blob");
    let walked = walk(&wrong, &sizes);
    assert!(walked[0].is_ok());
    let message = walked[1].as_ref().err().cloned().unwrap_or_default();
    assert!(
        message.starts_with(&format!("digest mismatch: expected {}, content hashes to {}", wrong[1], right[1])),
        "{message}"
    );

    let mut declared = sizes.clone();
    declared[0] += 1;
    let message = walk(&right, &declared)[0].as_ref().err().cloned().unwrap_or_default();
    assert_eq!(message, format!("blob {} is {} bytes, its descriptor declares {}", right[0], sizes[0], sizes[0] + 1));
}

/// Decodes with `inflater` until it answers the stop at `bit`; returns whether a block starts there.
fn decode_to_stop(inflater: &mut inflater::Inflater, out: &mut Vec<u8>, bit: u64) -> bool {
    loop {
        match inflater.step(out, 64 * 1024, Some(bit)).unwrap() {
            inflater::Reached::More => {}
            inflater::Reached::Stop { bit: at, block_start } => {
                assert_eq!(at, bit);
                return block_start;
            }
            inflater::Reached::End(at) => panic!("stream ended at bit {at} before the stop at {bit}"),
        }
    }
}

#[test]
fn the_decoder_tells_block_starts_from_the_bits_around_them() {
    let blob = gzip(&layer_tar(3, 300));
    let mut whole = Vec::new();
    flate2::read::GzDecoder::new(&blob[..]).read_to_end(&mut whole).unwrap();
    let (_keep, range) = in_file(&blob);
    let file = Arc::new(range.into_inner());
    let end = 777 + blob.len() as u64;
    let first = (777 + member::header_len(&file, 777, end).unwrap()) * 8;
    let starts = block_starts(&blob, 6);
    let mut confirmed = 0;
    for start in starts.iter().map(|s| 777 * 8 + s) {
        // One bit either side lies inside the end code of the block before or the new header.
        for near in [start - 1, start + 1] {
            let mut inflater = inflater::Inflater::new(Arc::clone(&file), first, end, &[]).unwrap();
            assert!(!decode_to_stop(&mut inflater, &mut Vec::new(), near), "bit {near} next to a block start");
        }
        let mut inflater = inflater::Inflater::new(Arc::clone(&file), first, end, &[]).unwrap();
        let mut out = Vec::new();
        if !decode_to_stop(&mut inflater, &mut out, start) {
            continue; // the finder was fooled by data that looks like a header
        }
        confirmed += 1;
        // A block start it confirms is one: decoding from there with the output before it as
        // the window gives the rest of the stream, and so does going on past the stop.
        let window = &out[out.len().saturating_sub(32 * 1024)..];
        let mut resumed = inflater::Inflater::new(Arc::clone(&file), start, end, window).unwrap();
        let mut rest = Vec::new();
        while !matches!(resumed.step(&mut rest, 64 * 1024, None).unwrap(), inflater::Reached::End(_)) {}
        assert!([&out[..], &rest[..]].concat() == whole, "resumed at bit {start}");
        while !matches!(inflater.step(&mut out, 64 * 1024, Some(start)).unwrap(), inflater::Reached::End(_)) {}
        assert!(out == whole, "went on past bit {start}");
    }
    assert!(confirmed >= 4, "{confirmed} of {} block starts confirmed", starts.len());
}
