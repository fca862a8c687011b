//! Test support for the image checks: reads real layer tars (the corpus images' docker-archives,
//! or layers built in the test) into the files visible in the final image, and real package
//! metadata (dpkg status / apt Packages stanzas) into packages.

#![allow(dead_code)]

use bulwark_image::ImageConfig;
use bulwark_misconfig::image::{FileFact, FileKind};
use bulwark_types::{LayerRef, Package, PackageKind};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// This crate's image test data.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/image")
}

/// The corpus cache (`BULWARK_CORPUS` or `<workspace>/corpus-cache`), laid out by prebuilt.sh if missing.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("BULWARK_CORPUS").map(PathBuf::from).unwrap_or_else(|| workspace().join("corpus-cache"));
    let ready = |d: &Path| {
        ["debian-min", "app-python"].iter().all(|i| {
            d.join("archives").join(format!("{i}.tar")).is_file() && d.join("oci").join(i).join("index.json").is_file()
        })
    };
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !ready(&dir) {
        let scripts = std::env::var_os("BULWARK_CORPUS_SCRIPTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("../shared/corpus"));
        let status = Command::new("bash").arg(scripts.join("prebuilt.sh")).arg(&dir).status().expect("run prebuilt.sh");
        assert!(status.success() && ready(&dir), "prebuilt.sh {} failed", dir.display());
    }
    dir
}

/// A JSON file as a value.
fn read_json(path: &Path) -> serde_json::Value {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A blob of an OCI layout by digest.
fn blob(layout: &Path, digest: &str) -> PathBuf {
    let (alg, hex) = digest.split_once(':').expect("digest");
    layout.join("blobs").join(alg).join(hex)
}

/// A corpus image's config and layers, read from its OCI layout (index.json → manifest → config).
pub fn oci_image(image: &str) -> (ImageConfig, Vec<LayerRef>) {
    let layout = corpus().join("oci").join(image);
    let index = read_json(&layout.join("index.json"));
    let manifest_digest = index["manifests"][0]["digest"].as_str().expect("manifest digest");
    let manifest = read_json(&blob(&layout, manifest_digest));
    let config_digest = manifest["config"]["digest"].as_str().expect("config digest");
    let data = std::fs::read(blob(&layout, config_digest)).expect("config blob");
    let config = ImageConfig::from_json(&data).expect("config parses");
    let layers = manifest["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .enumerate()
        .map(|(i, l)| LayerRef {
            index: i + 1,
            digest: l["digest"].as_str().expect("layer digest").to_string(),
            diff_id: config.rootfs.diff_ids.get(i).cloned(),
        })
        .collect();
    (config, layers)
}

/// One layer as read from its tar: entries, whiteouts, opaque dirs and `etc/shadow` contents.
#[derive(Default)]
pub struct Layer {
    entries: Vec<(String, FileKind, u64, u32)>,
    whiteouts: Vec<String>,
    opaque: Vec<String>,
    shadow: Option<Vec<u8>>,
}

/// Reads one uncompressed layer tar.
pub fn read_layer(reader: impl Read) -> Layer {
    let mut layer = Layer::default();
    let mut archive = tar::Archive::new(reader);
    let mut sizes: HashMap<String, u64> = HashMap::new();
    for entry in archive.entries().expect("layer is a tar") {
        let mut entry = entry.expect("tar entry");
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = raw.trim_start_matches("./").trim_end_matches('/').to_string();
        if path.is_empty() || path == "." {
            continue;
        }
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if name == ".wh..wh..opq" {
            layer.opaque.push(dir.to_string());
            continue;
        }
        if let Some(gone) = name.strip_prefix(".wh.") {
            layer.whiteouts.push(if dir.is_empty() { gone.to_string() } else { format!("{dir}/{gone}") });
            continue;
        }
        let header = entry.header();
        let mode = header.mode().expect("mode");
        let (kind, size) = match header.entry_type() {
            tar::EntryType::Regular => (FileKind::File, entry.size()),
            tar::EntryType::Link => {
                let target = String::from_utf8_lossy(&entry.link_name_bytes().expect("link")).into_owned();
                (FileKind::File, sizes.get(target.trim_start_matches("./")).copied().unwrap_or(0))
            }
            tar::EntryType::Directory => (FileKind::Dir, 0),
            tar::EntryType::Symlink => (FileKind::Symlink, 0),
            _ => (FileKind::Other, 0),
        };
        if path == "etc/shadow" && kind == FileKind::File {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read etc/shadow");
            layer.shadow = Some(data);
        }
        sizes.insert(path.clone(), size);
        layer.entries.push((path, kind, size, mode));
    }
    layer
}

/// Removes `dir` (when `itself`) and everything below it.
fn remove_tree(map: &mut BTreeMap<String, FileFact>, dir: &str, itself: bool) {
    if itself {
        map.remove(dir);
    }
    let lo = format!("{dir}/");
    let hi = format!("{dir}0"); // '0' is the byte after '/'
    let doomed: Vec<String> = map.range(lo..hi).map(|(k, _)| k.clone()).collect();
    for k in doomed {
        map.remove(&k);
    }
}

/// The final image: visible files (bottom layer first, whiteouts applied) and `/etc/shadow`.
pub struct Merged {
    /// Visible entries.
    pub files: Vec<FileFact>,
    /// Contents of the visible `/etc/shadow`.
    pub shadow: Option<Vec<u8>>,
}

/// Stacks layers into the file system a container sees.
pub fn merge(layers: Vec<Layer>) -> Merged {
    let mut map: BTreeMap<String, FileFact> = BTreeMap::new();
    let mut shadows: HashMap<usize, Vec<u8>> = HashMap::new();
    for (i, layer) in layers.into_iter().enumerate() {
        for dir in &layer.opaque {
            remove_tree(&mut map, dir, false);
        }
        for gone in &layer.whiteouts {
            remove_tree(&mut map, gone, true);
        }
        for (path, kind, size, mode) in layer.entries {
            if kind != FileKind::Dir && map.get(&path).is_some_and(|f| f.kind == FileKind::Dir) {
                // A file or link replaces a lower directory and everything in it.
                remove_tree(&mut map, &path, false);
            }
            map.insert(path.clone(), FileFact { path, size, mode, layer: i + 1, kind });
        }
        if let Some(s) = layer.shadow {
            shadows.insert(i + 1, s);
        }
    }
    let shadow = map.get("etc/shadow").and_then(|f| shadows.remove(&f.layer));
    Merged { files: map.into_values().collect(), shadow }
}

/// A corpus image's final file system, read from its docker-archive's uncompressed layer tars in
/// the order of the config's diff_ids.
pub fn corpus_files(image: &str, config: &ImageConfig) -> Merged {
    let path = corpus().join("archives").join(format!("{image}.tar"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut by_name: HashMap<String, Layer> = HashMap::new();
    let mut outer = tar::Archive::new(std::io::BufReader::with_capacity(1 << 20, file));
    for entry in outer.entries().expect("docker-archive") {
        let entry = entry.expect("archive entry");
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if entry.header().entry_type() == tar::EntryType::Regular && name.ends_with(".tar") && !name.contains('/') {
            by_name.insert(name, read_layer(entry));
        }
    }
    let layers = config
        .rootfs
        .diff_ids
        .iter()
        .map(|d| {
            let name = format!("{}.tar", d.trim_start_matches("sha256:"));
            by_name.remove(&name).unwrap_or_else(|| panic!("{image}: no layer {name}"))
        })
        .collect();
    merge(layers)
}

/// Packages from dpkg status or apt `Packages` stanzas (`Package:`, `Version:`, `Status:` if any).
pub fn parse_stanzas(text: &str) -> Vec<Package> {
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')).map(|v| v.trim().to_string()))
        };
        let (Some(name), Some(version)) = (field("Package"), field("Version")) else { continue };
        if field("Status").is_some_and(|s| !s.ends_with("installed")) {
            continue;
        }
        out.push(Package::new(PackageKind::Deb, name, version, "os/dpkg"));
    }
    out
}

/// The dpkg packages of a corpus image, from its ground truth (`truth/<image>/dpkg.tsv`).
pub fn corpus_packages(image: &str) -> Vec<Package> {
    let path = corpus().join("truth").join(image).join("dpkg.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some(Package::new(PackageKind::Deb, cols.next()?, cols.next()?, "os/dpkg"))
        })
        .collect()
}

/// Runs a real tool and returns its stdout; panics naming the tool if it is missing or fails.
pub fn run(program: &str, args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}
