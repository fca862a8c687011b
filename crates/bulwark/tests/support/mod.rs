//! Test support: the real corpus images (laid out once per machine by ../shared/corpus/prebuilt.sh)
//! and running the real `bulwark` binary.

#![allow(dead_code)]

use std::process::{Command, Output};

#[path = "../../../bulwark-image/tests/support/mod.rs"]
pub mod image;

#[allow(unused_imports)]
pub use image::{corpus, workspace, Podman, Registry};

/// Runs `bulwark` with `args`.
pub fn bulwark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark")).args(args).output().expect("run bulwark")
}

/// Runs `bulwark` and parses its stdout as JSON, failing with stderr when it exits non-zero.
pub fn bulwark_json(args: &[&str]) -> serde_json::Value {
    let out = bulwark(args);
    assert!(out.status.success(), "bulwark {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("bulwark printed JSON")
}

/// Rows of a ground-truth TSV (header skipped).
pub fn truth_tsv(image: &str, name: &str) -> Vec<Vec<String>> {
    let path = corpus().join("truth").join(image).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

/// The ground-truth JSON of an image.
pub fn truth(image: &str) -> serde_json::Value {
    let path = corpus().join("truth").join(image).join("truth.json");
    serde_json::from_slice(&std::fs::read(&path).expect("truth.json")).expect("truth.json parses")
}
pub mod layout;

/// (purl, ecosystem, layer index) of every package of an inventory, in report order.
pub fn purls(inv: &serde_json::Value) -> Vec<(String, String, i64)> {
    inv["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["purl"].as_str().unwrap_or_default().to_string(),
                p["ecosystem"].as_str().unwrap_or_default().to_string(),
                p["layer"]["index"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}
