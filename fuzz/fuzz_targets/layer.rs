//! The layer walker on arbitrary blobs (plain tar, gzip or zstd, sniffed), with a visitor that
//! reads every file; the same blob walked in place from a file (seeking past entries) must give
//! the same result; then the merged view of that layer stacked on itself and every path resolved.

#![no_main]

use bulwark_image::{walk_layer, walk_layer_file, EntryMeta, MergedView, Visitor, WalkOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use libfuzzer_sys::fuzz_target;

/// Wants every regular file and keeps its length.
struct Everything;

impl Visitor for Everything {
    type Output = usize;

    fn wants(&self, _entry: &EntryMeta<'_>) -> bool {
        true
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> usize {
        assert!(data.len() as u64 <= entry.size, "{}: read more than the header's size", entry.path);
        data.len()
    }
}

/// A path as the merged view hands it out: relative and inside the root.
fn assert_inside_root(path: &str) {
    assert!(!path.starts_with('/'), "absolute path {path:?}");
    assert!(!path.split('/').any(|s| s == ".."), "path {path:?} climbs out of the root");
}

/// `data` stored in a scratch file after a few other bytes, opened as the byte range of a layer.
fn in_file(data: &[u8]) -> std::io::Take<std::fs::File> {
    let path = std::env::temp_dir().join(format!("bulwark-fuzz-layer-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path).unwrap();
    f.write_all(b"prefix").unwrap();
    f.write_all(data).unwrap();
    f.write_all(b"suffix bytes after the layer").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.take(data.len() as u64)
}

fuzz_target!(|data: &[u8]| {
    let streamed = walk_layer(data, &Everything, WalkOptions::default(), &|_| {});
    let in_place = walk_layer_file(in_file(data), &Everything, WalkOptions::default(), &|_| {});
    match (&streamed, &in_place) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.entries, b.entries);
            assert_eq!(a.outputs, b.outputs);
            assert_eq!((&a.whiteouts, &a.opaque_dirs, &a.warnings), (&b.whiteouts, &b.opaque_dirs, &b.warnings));
        }
        (Err(_), Err(_)) => {}
        _ => panic!("streamed {:?} but in place {:?}", streamed.as_ref().err(), in_place.as_ref().err()),
    }
    let Ok(layer) = streamed else { return };
    for path in layer.entries.keys() {
        assert_inside_root(path);
    }
    let view = MergedView::build(&[&layer, &layer]);
    for (path, _, _) in view.paths() {
        if let Ok(resolved) = view.resolve(path) {
            assert_inside_root(&resolved);
        }
    }
});
