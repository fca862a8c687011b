//! A layer's tar headers are claims: a header that promises a huge file must not make the
//! walker allocate that much before any content arrives. Found by `fuzz/` (target `layer`,
//! run with `-malloc_limit_mb=128`): a 512-byte layer made `walk_layer` reserve 400 MiB.
//!
//! This test binary counts allocations made on the test's own thread with a wrapping global
//! allocator, so tests running in parallel do not disturb the measurement.

use bulwark_image::{walk_layer, EntryMeta, Visitor, WalkOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, recording the largest single request made while a thread is measuring.
struct Measuring;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    if MEASURING.with(Cell::get) {
        LARGEST.with(|l| l.set(l.get().max(size)));
    }
}

// SAFETY: every call is forwarded unchanged to `System`; recording touches only thread-locals
// initialised without allocating.
unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Measuring = Measuring;

/// Wants every file.
struct Everything;

impl Visitor for Everything {
    type Output = usize;

    fn wants(&self, _entry: &EntryMeta<'_>) -> bool {
        true
    }

    fn visit(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> usize {
        data.len()
    }
}

/// The fuzzer's reproducer: one ustar header for `etc/big` claiming 400 MiB, and nothing else.
fn lying_header() -> Vec<u8> {
    let mut header = tar::Header::new_ustar();
    header.set_path("etc/big").expect("short path");
    header.set_size(400 * 1024 * 1024);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    header.as_bytes().to_vec()
}

#[test]
fn a_header_claiming_a_huge_file_does_not_reserve_it() {
    let layer = lying_header();
    assert_eq!(layer.len(), 512);
    LARGEST.with(|l| l.set(0));
    MEASURING.with(|m| m.set(true));
    let result = walk_layer(&layer[..], &Everything, WalkOptions::default(), &|_| {});
    MEASURING.with(|m| m.set(false));
    let largest = LARGEST.with(Cell::get);
    let err = result.expect_err("the file's contents are missing");
    assert!(err.contains("etc/big"), "error should name the file: {err}");
    assert!(largest <= 16 * 1024 * 1024, "walking a 512-byte layer allocated {largest} bytes at once");
}
