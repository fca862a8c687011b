//! Test support: the real corpus images (laid out once per machine by ../shared/corpus/prebuilt.sh)
//! and running the real `bulwark` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The corpus cache (`BULWARK_CORPUS` or `<workspace>/corpus-cache`), created with prebuilt.sh on first use.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("BULWARK_CORPUS").map(PathBuf::from).unwrap_or_else(|| workspace().join("corpus-cache"));
    let ready = |d: &Path| {
        ["debian-min", "app-python"].iter().all(|i| {
            d.join("archives").join(format!("{i}.tar")).is_file() && d.join("oci").join(i).join("index.json").is_file()
        })
    };
    if ready(&dir) {
        return dir;
    }
    std::fs::create_dir_all(&dir).expect("create corpus dir");
    let lock = std::fs::File::create(dir.join(".lock")).expect("corpus lock file");
    lock.lock().expect("lock corpus");
    if !ready(&dir) {
        let script = workspace().join("../shared/corpus/prebuilt.sh");
        let status = Command::new("bash").arg(&script).arg(&dir).status().expect("run prebuilt.sh");
        assert!(status.success(), "{} failed", script.display());
    }
    dir
}

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
