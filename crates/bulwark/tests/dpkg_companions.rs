//! dpkg companion files (`var/lib/dpkg/info/<pkg>.list`, `usr/share/doc/<pkg>/copyright`) count only
//! in the version the final image shows, and only for installed packages.

mod support;

use serde_json::Value;
use support::bulwark_json;
use support::layout::{digest, gzip, tar_of, write_layout, Entry};

/// Real files from the corpus image debian-min, kept as dpkg test data.
fn testdata(name: &str) -> Vec<u8> {
    let path = format!("{}/../bulwark-inventory/src/extractors/dpkg/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `bash` paragraph of debian-min's status file.
fn bash_status() -> Vec<u8> {
    let status = String::from_utf8(testdata("status-debian-min")).unwrap();
    let paragraph = status.split("\n\n").find(|p| p.starts_with("Package: bash\n")).expect("bash paragraph");
    format!("{paragraph}\n").into_bytes()
}

/// Scans an OCI layout whose layers hold `layers` (bottom first) and returns the package named `name`.
fn scan(layers: &[Vec<Entry<'_>>], name: &str) -> Option<Value> {
    let tmp = tempfile::tempdir().unwrap();
    let blobs: Vec<(Vec<u8>, String)> = layers
        .iter()
        .map(|entries| {
            let tar = tar_of(entries);
            (gzip(&tar), digest(&tar))
        })
        .collect();
    write_layout(tmp.path(), &blobs);
    let inv = bulwark_json(&["sbom", "--format", "json", &format!("oci:{}:latest", tmp.path().display())]);
    assert_eq!(inv["warnings"].as_array().map_or(0, Vec::len), 0, "{}", inv["warnings"]);
    inv["packages"].as_array().unwrap().iter().find(|p| p["name"] == name).cloned()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[test]
fn companions_apply_only_in_the_version_the_final_image_shows() {
    let status = bash_status();
    let list = testdata("info/bash.list");
    let bash_copyright = testdata("copyright/bash");
    let tzdata_copyright = testdata("copyright/tzdata");
    let zlib_copyright = testdata("copyright/zlib1g");
    let base = || {
        vec![
            Entry::Symlink("bin", "usr/bin"),
            Entry::Dir("usr/share/info"),
            Entry::File("var/lib/dpkg/status", &status),
            Entry::File("var/lib/dpkg/info/bash.list", &list),
            Entry::File("usr/share/doc/bash/copyright", &bash_copyright),
            // zlib1g is not installed here: its copyright file must not create or change anything.
            Entry::File("usr/share/doc/zlib1g/copyright", &zlib_copyright),
        ]
    };

    // One layer: the status file, then the owned files at their real paths (bin → usr/bin),
    // directories left out, licences from the DEP-5 copyright file.
    let bash = scan(&[base()], "bash").expect("bash installed");
    assert_eq!(strs(&bash["locations"]), ["/var/lib/dpkg/status"]);
    let files = strs(&bash["files"]);
    assert_eq!(&files[..2], ["/usr/bin/bash", "/etc/bash.bashrc"]);
    assert_eq!(files.len(), 70, "71 owned paths in bash.list, /usr/share/info is a directory here");
    assert!(files.contains(&"/usr/bin/rbash") && !files.contains(&"/usr/share/info"));
    assert_eq!(strs(&bash["licenses"])[..3], ["GPL-3.0-or-later", "GPL-3+ with Bison exception", "GPL-2.0-or-later"]);
    assert!(scan(&[base()], "zlib1g").is_none());

    // A later layer deletes both companions: neither is used.
    let deleted =
        vec![Entry::File("usr/share/doc/bash/.wh.copyright", b""), Entry::File("var/lib/dpkg/info/.wh.bash.list", b"")];
    let bash = scan(&[base(), deleted], "bash").expect("bash still installed");
    assert_eq!(strs(&bash["locations"]), ["/var/lib/dpkg/status"]);
    assert!(strs(&bash["files"]).is_empty(), "{bash}");
    assert!(strs(&bash["licenses"]).is_empty(), "{bash}");

    // A later layer replaces the copyright file: only the visible version counts.
    let replaced = vec![Entry::File("usr/share/doc/bash/copyright", &tzdata_copyright)];
    let bash = scan(&[base(), replaced], "bash").expect("bash");
    assert_eq!(strs(&bash["licenses"]), ["public-domain"]);
    assert_eq!(strs(&bash["files"]).len(), 70);

    // An opaque doc directory in a later layer hides the lower copyright file as well.
    let opaque = vec![Entry::Dir("usr/share/doc/bash"), Entry::File("usr/share/doc/bash/.wh..wh..opq", b"")];
    let bash = scan(&[base(), opaque], "bash").expect("bash");
    assert!(strs(&bash["licenses"]).is_empty(), "{bash}");
}

#[test]
fn owned_files_are_capped_per_package_with_a_warning() {
    let status = bash_status();
    // Two lists for bash (at the root and under another root), 15 000 distinct files each.
    let first: String = (0..15_000).map(|i| format!("/usr/lib/a/f{i}\n")).collect();
    let second: String = (0..15_000).map(|i| format!("/usr/lib/b/f{i}\n")).collect();
    let entries = vec![
        Entry::File("var/lib/dpkg/status", &status),
        Entry::File("var/lib/dpkg/info/bash.list", first.as_bytes()),
        Entry::File("chroot/var/lib/dpkg/info/bash:amd64.list", second.as_bytes()),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let tar = tar_of(&entries);
    write_layout(tmp.path(), &[(gzip(&tar), digest(&tar))]);
    let inv = bulwark_json(&["sbom", "--format", "json", &format!("oci:{}:latest", tmp.path().display())]);
    let bash = inv["packages"].as_array().unwrap().iter().find(|p| p["name"] == "bash").expect("bash");
    let files = strs(&bash["files"]);
    assert_eq!(files.len(), 20_000);
    assert_eq!((files[0], files[14_999], files[19_999]), ("/usr/lib/a/f0", "/usr/lib/a/f14999", "/usr/lib/b/f4999"));
    assert_eq!(strs(&inv["warnings"]), ["deb package bash: more than 20000 owned files listed; kept the first 20000"]);
}
