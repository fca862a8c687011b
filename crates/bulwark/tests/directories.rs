//! `bulwark fs PATH` on a source tree and `dir:PATH` on an unpacked root filesystem.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{bulwark_json, corpus, truth, truth_tsv};

fn fixture(extractor: &str, file: &str) -> std::path::PathBuf {
    support::workspace().join("crates/bulwark-inventory/src/extractors").join(extractor).join("testdata").join(file)
}

fn name_versions(inv: &Value, kind: &str) -> BTreeSet<(String, String)> {
    inv["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == kind)
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn fs_reads_the_lockfiles_of_a_source_tree() {
    let tree = tempfile::tempdir().unwrap();
    let put = |rel: &str, from: &Path| {
        let to = tree.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    };
    put("web/package-lock.json", &fixture("npm_lock", "corpus-package-lock.json"));
    put("svc/Cargo.lock", &fixture("cargo_lock", "corpus-rustapp.Cargo.lock"));
    put("README.md", &fixture("cargo_lock", "README.md"));

    let inv = bulwark_json(&["fs", "--list-packages", "--format", "json", tree.path().to_str().unwrap()]);
    assert_eq!(inv["target"]["kind"], "directory");
    let want_npm: BTreeSet<(String, String)> =
        truth_tsv("app-python", "npm.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(name_versions(&inv, "npm"), want_npm);
    let t = truth("app-python");
    let want_cargo: BTreeSet<(String, String)> = t["cargo_lock_packages"]["/app/rust/Cargo.lock"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(name_versions(&inv, "cargo"), want_cargo);
    for p in inv["packages"].as_array().unwrap() {
        assert!(p.get("layer").is_none(), "no layers in a directory: {p}");
        let loc = p["locations"][0].as_str().unwrap();
        assert!(
            loc == "/web/package-lock.json" || loc == "/svc/Cargo.lock",
            "paths are relative to the scanned root: {loc}"
        );
    }
}

#[test]
fn dir_reads_an_unpacked_root_filesystem() {
    // Unpack debian-min's single layer the way a runtime would, then scan the directory.
    let t = truth("debian-min");
    let layer = corpus().join("oci/debian-min/blobs/sha256").join(&t["layers"][0]["digest"].as_str().unwrap()[7..]);
    let root = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("tar")
        .args([
            "-xzf",
            layer.to_str().unwrap(),
            "-C",
            root.path().to_str().unwrap(),
            "--no-same-owner",
            "--exclude=./dev/*",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let inv = bulwark_json(&["sbom", "-f", "json", &format!("dir:{}", root.path().display())]);
    let want: BTreeSet<(String, String)> =
        truth_tsv("debian-min", "dpkg.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(name_versions(&inv, "deb"), want);
    // /etc/os-release is a relative symlink into /usr/lib: followed inside the scanned root.
    assert_eq!(inv["os"]["id"], "debian");
    assert_eq!(inv["os"]["version_id"], "12");
    let libc = inv["packages"].as_array().unwrap().iter().find(|p| p["name"] == "libc6").unwrap();
    assert_eq!(libc["ecosystem"], "Debian:12");
    assert_eq!(libc["source"]["name"], "glibc");
}
