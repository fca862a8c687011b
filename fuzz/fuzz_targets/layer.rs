//! The layer walker on arbitrary blobs (plain tar, gzip or zstd, sniffed), with a visitor that
//! reads every file; then the merged view of that layer stacked on itself and every path resolved.

#![no_main]

use bulwark_image::{walk_layer, EntryMeta, MergedView, Visitor, WalkOptions};
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

fuzz_target!(|data: &[u8]| {
    let Ok(layer) = walk_layer(data, &Everything, WalkOptions::default(), &|_| {}) else { return };
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
