//! Builds small OCI image layouts with hand-made (and deliberately broken) layers.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// One tar entry to write; names are written raw into the header, so hostile names survive.
pub enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    /// A GNU sparse file with this apparent size and a tiny stored part.
    Sparse(&'a str, u64),
    /// A hard link to an earlier entry of the same layer.
    Hardlink(&'a str, &'a str),
}

fn header_with_raw_name(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        let bytes = name.as_bytes();
        old.name[..bytes.len()].copy_from_slice(bytes);
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(if kind == tar::EntryType::Directory { 0o755 } else { 0o644 });
    h.set_mtime(0);
    h.set_cksum();
    h
}

/// An uncompressed layer tar with `entries`.
pub fn tar_of(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            Entry::File(name, data) => {
                let h = header_with_raw_name(name, tar::EntryType::Regular, data.len() as u64);
                b.append(&h, *data).unwrap();
            }
            Entry::Dir(name) => {
                let h = header_with_raw_name(name, tar::EntryType::Directory, 0);
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Symlink(name, target) => {
                let mut h = header_with_raw_name(name, tar::EntryType::Symlink, 0);
                h.set_link_name(target).unwrap();
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Hardlink(name, target) => {
                let mut h = header_with_raw_name(name, tar::EntryType::Link, 0);
                h.set_link_name(target).unwrap();
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Sparse(name, apparent) => {
                // GNU sparse header: one 512-byte data chunk at offset 0, real size `apparent`.
                let mut h = tar::Header::new_gnu();
                {
                    let old = h.as_old_mut();
                    old.name[..name.len()].copy_from_slice(name.as_bytes());
                }
                h.set_entry_type(tar::EntryType::GNUSparse);
                h.set_mode(0o644);
                h.set_mtime(0);
                h.set_size(512);
                {
                    let gnu = h.as_gnu_mut().unwrap();
                    let octal = |v: u64, field: &mut [u8]| {
                        let s = format!("{:0width$o}", v, width = field.len() - 1);
                        field[..s.len()].copy_from_slice(s.as_bytes());
                    };
                    octal(0, &mut gnu.sparse[0].offset);
                    octal(512, &mut gnu.sparse[0].numbytes);
                    // GNU tar ends the map with an empty chunk at the apparent end.
                    octal(*apparent, &mut gnu.sparse[1].offset);
                    octal(0, &mut gnu.sparse[1].numbytes);
                    octal(*apparent, &mut gnu.realsize);
                }
                h.set_cksum();
                b.append(&h, &[b'x'; 512][..]).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// gzip-compresses `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `sha256:<hex>` of `data`.
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn put_blob(dir: &Path, data: &[u8]) -> String {
    let d = digest(data);
    std::fs::write(dir.join("blobs/sha256").join(&d[7..]), data).unwrap();
    d
}

/// Writes an OCI layout at `dir` whose layers are the given blobs (as stored) with the given
/// diff_ids, tagged `latest`. Returns the layer digests.
pub fn write_layout(dir: &Path, layers: &[(Vec<u8>, String)]) -> Vec<String> {
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let diff_ids: Vec<&String> = layers.iter().map(|(_, d)| d).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": layers.iter().map(|_| serde_json::json!({"created_by": "test"})).collect::<Vec<_>>(),
    });
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = put_blob(dir, &config);
    let mut digests = Vec::new();
    let descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|(blob, _)| {
            let d = put_blob(dir, blob);
            digests.push(d.clone());
            serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": blob.len()})
        })
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": descs,
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let manifest_digest = put_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest.len(),
                        "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    digests
}

/// A layout with one gzip layer holding `entries`.
pub fn layout_with(dir: &Path, entries: &[Entry<'_>]) -> Vec<String> {
    let tar = tar_of(entries);
    let diff_id = digest(&tar);
    write_layout(dir, &[(gzip(&tar), diff_id)])
}
