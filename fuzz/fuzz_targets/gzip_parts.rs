//! Walking a gzip layer in parts that start anywhere (at real block starts or at any bit) must
//! give what one sequential walk gives: the same contents, or an error for both. The blob is a
//! tar built from the input and gzipped, or the input itself (corrupt streams).

#![no_main]

use bulwark_image::{walk_gzip_parts, walk_layer, EntryMeta, Visitor, WalkOptions};
use libfuzzer_sys::fuzz_target;
use std::io::{Read, Seek, SeekFrom, Write};

/// Wants files whose name ends in `.want` and keeps their bytes.
struct WantSuffix;

impl Visitor for WantSuffix {
    type Output = Vec<u8>;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.path.ends_with(".want")
    }

    fn visit(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> Vec<u8> {
        data.to_vec()
    }
}

/// A tar whose entries are cut from `data`: sizes, names (some long), hard links and whiteouts
/// chosen by its bytes, and the bytes themselves repeated so the gzip has matches to find.
fn tar_from(data: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut rest = data;
    let mut i = 0;
    while rest.len() >= 2 {
        let (kind, size) = (rest[0], usize::from(rest[1]) * 37);
        rest = &rest[2..];
        let take = size.min(rest.len());
        let body: Vec<u8> = rest[..take].iter().cycle().take(size * usize::from(kind % 5 + 1)).copied().collect();
        rest = &rest[take..];
        let long = "deep/".repeat(usize::from(kind % 4) * 10);
        let name = match kind % 8 {
            0 | 1 | 2 => format!("d{}/{long}f{i}.want", kind % 3),
            3 => format!("d{}/.wh.f{}", kind % 3, i / 2),
            _ => format!("d{}/f{i}.dat", kind % 3),
        };
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        if kind % 16 == 15 && i > 0 {
            header.set_entry_type(tar::EntryType::Link);
            header.set_size(0);
            let _ = builder.append_link(&mut header, format!("link{i}.want"), format!("d0/f{}.want", i - 1));
        } else {
            header.set_size(body.len() as u64);
            let _ = builder.append_data(&mut header, &name, &body[..]);
        }
        i += 1;
    }
    builder.into_inner().unwrap_or_default()
}

/// `blob` in a scratch file after a 6-byte prefix, opened as a layer's byte range.
fn in_file(blob: &[u8]) -> std::io::Take<std::fs::File> {
    let path = std::env::temp_dir().join(format!("bulwark-fuzz-gzip-parts-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path).unwrap();
    f.write_all(b"prefix").unwrap();
    f.write_all(blob).unwrap();
    f.write_all(b"after the layer").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.take(blob.len() as u64)
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<4>() else { return };
    let blob = if head[0] & 1 == 0 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(u32::from(head[1] % 10)));
        gz.write_all(&tar_from(rest)).unwrap();
        gz.finish().unwrap()
    } else {
        rest.to_vec()
    };
    if blob.len() < 16 {
        return;
    }
    // Up to four starts spread over the blob, from a small generator seeded by the input.
    let mut x = u64::from(u32::from_le_bytes(*head)) | 1;
    let starts: Vec<u64> = (0..head[2] % 5)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            6 * 8 + x % (blob.len() as u64 * 8)
        })
        .collect();
    let sequential = walk_layer(&blob[..], &WantSuffix, WalkOptions::default(), &|_| {});
    let parts = walk_gzip_parts(in_file(&blob), &starts, &WantSuffix, WalkOptions::default());
    match (&sequential, &parts) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.entries, b.entries);
            assert_eq!(a.outputs, b.outputs);
            assert_eq!((&a.whiteouts, &a.opaque_dirs, &a.warnings), (&b.whiteouts, &b.opaque_dirs, &b.warnings));
            assert_eq!(a.tar_bytes, b.tar_bytes);
        }
        (Err(_), Err(_)) => {}
        _ => panic!("sequential {:?} but in parts {:?} (starts {starts:?})", sequential.as_ref().err(), parts.as_ref().err()),
    }
});
