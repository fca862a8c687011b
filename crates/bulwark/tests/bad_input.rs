//! Hostile and broken images: a clear error naming image, layer and path, a non-zero exit, no
//! panic, no hang, nothing written outside the output path.

mod support;

use support::bulwark;
use support::layout::{digest, gzip, layout_with, tar_of, write_layout, Entry};

const OS_RELEASE: &[u8] = b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

fn scan_layout(dir: &std::path::Path) -> std::process::Output {
    bulwark(&["sbom", "--format", "json", &format!("oci:{}:latest", dir.display())])
}

fn assert_input_error(out: &std::process::Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "exit code; stderr: {stderr}");
    assert!(out.stdout.is_empty(), "no partial report on stdout");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "stderr should mention {n:?}: {stderr}");
    }
}

#[test]
fn truncated_gzip_layer_is_an_error_naming_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[Entry::File("etc/os-release", OS_RELEASE), Entry::File("big", &[7u8; 200_000])]);
    let gz = gzip(&tar);
    let truncated = gz[..gz.len() / 2].to_vec();
    let digests = write_layout(dir.path(), &[(truncated, digest(&tar))]);
    assert_input_error(&scan_layout(dir.path()), &["layer 1", &digests[0]]);
}

#[test]
fn corrupt_tar_header_is_an_error_naming_the_entry_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = tar_of(&[Entry::File("etc/os-release", OS_RELEASE), Entry::File("usr/bin/x", b"hello")]);
    // Second header starts after the first header (512) and its padded data (512).
    tar[1024 + 100] ^= 0x55;
    let digests = write_layout(dir.path(), &[(gzip(&tar), digest(&tar))]);
    assert_input_error(&scan_layout(dir.path()), &["layer 1", &digests[0], "etc/os-release"]);
}

#[test]
fn a_manifest_naming_a_missing_blob_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let digests = layout_with(dir.path(), &[Entry::File("etc/os-release", OS_RELEASE)]);
    std::fs::remove_file(dir.path().join("blobs/sha256").join(&digests[0][7..])).unwrap();
    assert_input_error(&scan_layout(dir.path()), &["layer 1", &digests[0], "missing"]);
}

#[test]
fn a_blob_whose_digest_does_not_match_is_an_error_not_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let digests = layout_with(dir.path(), &[Entry::File("etc/os-release", OS_RELEASE)]);
    let blob_path = dir.path().join("blobs/sha256").join(&digests[0][7..]);
    // Same size, still valid gzip with the same content: only the header's MTIME differs.
    let mut blob = std::fs::read(&blob_path).unwrap();
    blob[4] ^= 0x01;
    std::fs::write(&blob_path, &blob).unwrap();
    let reference = format!("oci:{}:latest", dir.path().display());
    let out = bulwark(&["sbom", "--format", "json", "--verify-layers", &reference]);
    assert_input_error(&out, &["layer 1", &digests[0], "digest mismatch"]);
}

#[test]
fn a_blob_of_another_size_than_declared_is_an_error_even_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let digests = layout_with(dir.path(), &[Entry::File("etc/os-release", OS_RELEASE)]);
    let blob_path = dir.path().join("blobs/sha256").join(&digests[0][7..]);
    let tar = tar_of(&[Entry::File("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.1\n")]);
    std::fs::write(&blob_path, gzip(&tar)).unwrap();
    assert_input_error(&scan_layout(dir.path()), &["layer 1", &digests[0], "the manifest declares"]);
}

#[test]
fn a_tampered_docker_archive_layer_is_a_digest_mismatch_when_verified() {
    // A legacy docker-archive: manifest.json + config + one plain layer tar, named by its diff_id.
    let good = tar_of(&[Entry::File("etc/os-release", OS_RELEASE)]);
    let diff_id = digest(&good);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": "config.json", "RepoTags": ["t:latest"], "Layers": ["layer/layer.tar"]}
    ]))
    .unwrap();
    let mut tampered = good.clone();
    let at = tampered.windows(6).position(|w| w == b"debian").unwrap();
    tampered[at..at + 6].copy_from_slice(b"alpine");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    let mut archive = tar::Builder::new(std::fs::File::create(&path).unwrap());
    for (name, data) in [("manifest.json", &manifest), ("config.json", &config), ("layer/layer.tar", &tampered)] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        archive.append_data(&mut header, name, &data[..]).unwrap();
    }
    archive.finish().unwrap();
    drop(archive);
    let reference = format!("docker-archive:{}", path.display());
    let out = bulwark(&["sbom", "--format", "json", "--verify-layers", &reference]);
    assert_input_error(&out, &["layer 1", &diff_id, "digest mismatch"]);
    // Without --verify-layers the archive is read as it is (as Trivy and Syft read it).
    let out = bulwark(&["sbom", "--format", "json", &reference]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inv["os"]["id"], "alpine", "{inv}");
}

#[test]
fn parent_and_absolute_paths_in_layers_are_rejected() {
    for hostile in ["../../etc/passwd", "usr/../../../etc/shadow", "/etc/passwd"] {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let out_file = out_dir.path().join("sbom.json");
        layout_with(
            dir.path(),
            &[Entry::File("etc/os-release", OS_RELEASE), Entry::File(hostile, b"root:x:0:0::/root:/bin/sh\n")],
        );
        let out = bulwark(&[
            "sbom",
            "--format",
            "json",
            "-o",
            out_file.to_str().unwrap(),
            &format!("oci:{}:latest", dir.path().display()),
        ]);
        assert_input_error(&out, &["layer 1", hostile]);
        assert!(!out_file.exists(), "no report written for a rejected image");
        let leftovers: Vec<_> = std::fs::read_dir(out_dir.path()).unwrap().collect();
        assert!(leftovers.is_empty(), "no temp files left behind: {leftovers:?}");
    }
}

#[test]
fn symlink_loops_are_reported_and_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    layout_with(
        dir.path(),
        &[
            Entry::Dir("etc"),
            Entry::Symlink("etc/os-release", "../loop/a"),
            Entry::Dir("loop"),
            Entry::Symlink("loop/a", "b"),
            Entry::Symlink("loop/b", "a"),
        ],
    );
    let started = std::time::Instant::now();
    let out = scan_layout(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed().as_secs() < 20);
    // A loop is legal file-system content: the scan completes, says where the loop is, and
    // identifies no OS from it.
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("too many levels of symbolic links") && stderr.contains("/etc/os-release"), "{stderr}");
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(inv.get("os").is_none(), "{inv}");
}

#[test]
fn a_huge_sparse_file_is_not_read_into_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 4 GiB apparent size (the largest the octal header field holds), 512 bytes stored, at a path an extractor wants.
    layout_with(
        dir.path(),
        &[Entry::File("etc/os-release", OS_RELEASE), Entry::Sparse("app/package-lock.json", 4 << 30)],
    );
    let started = std::time::Instant::now();
    let out = scan_layout(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed().as_secs() < 30, "bounded read");
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("app/package-lock.json") && stderr.contains("read limit"), "{stderr}");
}

#[test]
fn unreadable_references_fail_cleanly() {
    let out = bulwark(&["sbom", "oci:/nonexistent/layout"]);
    assert_input_error(&out, &["/nonexistent/layout"]);
    let out = bulwark(&["sbom", "docker-archive:/nonexistent.tar"]);
    assert_input_error(&out, &["/nonexistent.tar"]);
    let out = bulwark(&["sbom", "Bad Reference"]);
    assert_input_error(&out, &["Bad Reference"]);
}

#[test]
fn a_zip_bomb_inside_a_jar_is_bounded_and_named() {
    use std::io::Write;
    // inner.jar: one stored 300 MiB entry of zeros; outer.jar deflates it to a few hundred kB.
    let mut inner = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    inner.start_file("zeros.bin", stored).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..300 {
        inner.write_all(&chunk).unwrap();
    }
    let inner = inner.finish().unwrap().into_inner();
    let mut outer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    outer.start_file("BOOT-INF/lib/inner.jar", deflated).unwrap();
    outer.write_all(&inner).unwrap();
    let outer = outer.finish().unwrap().into_inner();
    assert!(outer.len() < 2 << 20, "the bomb is small: {}", outer.len());

    let dir = tempfile::tempdir().unwrap();
    layout_with(dir.path(), &[Entry::File("etc/os-release", OS_RELEASE), Entry::File("app/bomb.jar", &outer)]);
    let started = std::time::Instant::now();
    let out = scan_layout(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed().as_secs() < 30, "bounded decompression");
    // The image is fine; the one archive is refused with a warning naming layer and path.
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("layer 1") && stderr.contains("/app/bomb.jar") && stderr.contains("256 MiB"), "{stderr}");
}
