//! Every image source form gives the same inventory: OCI archives, the Docker ≥ 25 export shape
//! (an OCI layout plus manifest.json in one tar), zstd-compressed layers, multi-platform indexes.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::layout::{digest, gzip, tar_of, Entry};
use support::{bulwark_json, corpus, purls};

fn skopeo(args: &[&str]) {
    let out = Command::new("skopeo").args(args).output().expect("skopeo is installed (apt-get install skopeo)");
    assert!(out.status.success(), "skopeo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn reference_inventory() -> Value {
    bulwark_json(&["sbom", "-f", "json", &format!("oci:{}:latest", corpus().join("oci/app-python").display())])
}

#[test]
fn zstd_layers_and_oci_archives_give_the_same_packages() {
    let want = purls(&reference_inventory());
    let tmp = tempfile::tempdir().unwrap();
    let src = format!("oci:{}:latest", corpus().join("oci/app-python").display());
    let zstd_dir = tmp.path().join("zstd");
    skopeo(&["copy", "--quiet", "--dest-compress-format", "zstd", &src, &format!("oci:{}:latest", zstd_dir.display())]);
    let zstd = bulwark_json(&["sbom", "-f", "json", &format!("oci:{}:latest", zstd_dir.display())]);
    assert_eq!(purls(&zstd), want, "zstd layers");
    let manifest_layers = zstd["target"]["layers"].as_array().unwrap().len();
    assert_eq!(manifest_layers, 6);

    // An OCI layout inside a tar (what `skopeo copy … oci-archive:` writes): index.json, no manifest.json.
    let archive = tmp.path().join("app.oci.tar");
    skopeo(&["copy", "--quiet", &src, &format!("oci-archive:{}:latest", archive.display())]);
    let from_archive = bulwark_json(&["sbom", "-f", "json", &format!("docker-archive:{}", archive.display())]);
    assert_eq!(purls(&from_archive), want, "OCI layout in a tar");
}

#[test]
fn the_docker_25_export_shape_is_read_through_its_manifest_json() {
    // Docker ≥ 25 `docker save`: OCI blobs under blobs/sha256/, index.json, and a manifest.json
    // whose Config and Layers name those blobs (gzip layers, verified against the blob digest).
    let layout = corpus().join("oci/debian-min");
    let index: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let blob = |d: &str| layout.join("blobs/sha256").join(&d[7..]);
    let manifest: Value = serde_json::from_slice(&std::fs::read(blob(manifest_digest)).unwrap()).unwrap();
    let config = manifest["config"]["digest"].as_str().unwrap();
    let layers: Vec<String> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("blobs/sha256/{}", &l["digest"].as_str().unwrap()[7..]))
        .collect();
    let docker_manifest = serde_json::json!([{"Config": format!("blobs/sha256/{}", &config[7..]), "RepoTags": ["debian-min:latest"], "Layers": layers}]);
    let tmp = tempfile::tempdir().unwrap();
    let tar_path = tmp.path().join("docker25.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
    b.append_dir_all(".", &layout).unwrap();
    let mj = serde_json::to_vec(&docker_manifest).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(mj.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "manifest.json", &mj[..]).unwrap();
    b.finish().unwrap();
    drop(b);

    let from_tar = bulwark_json(&["sbom", "-f", "json", &format!("docker-archive:{}", tar_path.display())]);
    let from_layout = bulwark_json(&["sbom", "-f", "json", &format!("oci:{}:latest", layout.display())]);
    assert_eq!(purls(&from_tar), purls(&from_layout));
    assert_eq!(purls(&from_tar).len(), 88);
    assert_eq!(from_tar["target"]["layers"][0]["digest"], manifest["layers"][0]["digest"]);
}

fn put(dir: &Path, data: &[u8]) -> (String, usize) {
    let d = digest(data);
    std::fs::write(dir.join("blobs/sha256").join(&d[7..]), data).unwrap();
    (d, data.len())
}

/// One single-layer image in `dir`'s blob store; returns its manifest descriptor fields.
fn image(dir: &Path, arch: &str, os_release: &[u8], extra: &[Entry<'_>]) -> (String, usize) {
    let mut entries = vec![Entry::File("etc/os-release", os_release)];
    entries.extend(extra.iter().map(|e| match e {
        Entry::File(p, d) => Entry::File(p, d),
        Entry::Dir(p) => Entry::Dir(p),
        Entry::Symlink(p, t) => Entry::Symlink(p, t),
        Entry::Sparse(p, n) => Entry::Sparse(p, *n),
        Entry::Hardlink(p, t) => Entry::Hardlink(p, t),
    }));
    let tar = tar_of(&entries);
    let (layer, layer_size) = put(dir, &gzip(&tar));
    let config = serde_json::json!({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest(&tar)]}});
    let (config, config_size) = put(dir, &serde_json::to_vec(&config).unwrap());
    let manifest = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": layer_size}]});
    put(dir, &serde_json::to_vec(&manifest).unwrap())
}

#[test]
fn platform_selects_from_a_nested_multi_platform_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let amd = image(dir, "amd64", b"ID=debian\nVERSION_ID=\"12\"\n", &[]);
    let arm = image(dir, "arm64", b"ID=alpine\nVERSION_ID=3.19.1\n", &[]);
    let nested = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": amd.0, "size": amd.1, "platform": {"os": "linux", "architecture": "amd64"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": arm.0, "size": arm.1, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]});
    let nested = put(dir, &serde_json::to_vec(&nested).unwrap());
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": nested.0, "size": nested.1,
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();

    let reference = format!("oci:{}:multi", dir.display());
    let arm_inv = bulwark_json(&["sbom", "-f", "json", "--platform", "linux/arm64", &reference]);
    assert_eq!(arm_inv["os"]["id"], "alpine");
    assert_eq!(arm_inv["target"]["architecture"], "arm64");
    let arm_v8 = bulwark_json(&["sbom", "-f", "json", "--platform", "linux/arm64/v8", &reference]);
    assert_eq!(arm_v8["os"]["id"], "alpine");
    let amd_inv = bulwark_json(&["sbom", "-f", "json", "--platform", "linux/amd64", &reference]);
    assert_eq!(amd_inv["os"]["id"], "debian");

    let out = support::bulwark(&["sbom", "--platform", "linux/s390x", &reference]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr.contains("linux/amd64") && stderr.contains("linux/arm64/v8") && stderr.contains("--platform"),
        "{stderr}"
    );
    let out = support::bulwark(&["sbom", "--platform", "linux", &reference]);
    assert_eq!(out.status.code(), Some(2), "a malformed --platform is a usage error");
}

#[test]
fn hard_links_carry_their_targets_contents() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let metadata = b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n\n";
    let m = image(
        dir,
        "amd64",
        b"ID=debian\nVERSION_ID=\"12\"\n",
        &[
            Entry::File("opt/a/site-packages/six-1.17.0.dist-info/METADATA", metadata),
            Entry::Hardlink(
                "opt/b/site-packages/six-1.17.0.dist-info/METADATA",
                "opt/a/site-packages/six-1.17.0.dist-info/METADATA",
            ),
        ],
    );
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m.0, "size": m.1}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    let inv = bulwark_json(&["sbom", "-f", "json", &format!("oci:{}", dir.display())]);
    let six: Vec<&Value> = inv["packages"].as_array().unwrap().iter().filter(|p| p["name"] == "six").collect();
    assert_eq!(six.len(), 1, "one package, two locations");
    let locations: Vec<&str> = six[0]["locations"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(locations.contains(&"/opt/a/site-packages/six-1.17.0.dist-info/METADATA"), "{locations:?}");
    assert!(locations.contains(&"/opt/b/site-packages/six-1.17.0.dist-info/METADATA"), "{locations:?}");
}
