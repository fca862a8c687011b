//! Image checks on the real corpus images (`debian-min`, `app-python`): config from the OCI layout,
//! files from the docker-archive's layer tars, packages from the ground truth.

mod image_support;

use bulwark_misconfig::image::{check, input_document, ImageInput};
use bulwark_types::{Level, Misconfiguration};
use image_support::{corpus, corpus_files, corpus_packages, oci_image};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Mutex;

/// Scans a corpus image and returns its findings (each image scanned once per test run).
fn scan(image: &str) -> Vec<Misconfiguration> {
    static SCANS: Mutex<BTreeMap<String, Vec<Misconfiguration>>> = Mutex::new(BTreeMap::new());
    let mut scans = SCANS.lock().unwrap_or_else(|e| e.into_inner());
    scans.entry(image.to_string()).or_insert_with(|| scan_now(image)).clone()
}

/// Scans a corpus image.
fn scan_now(image: &str) -> Vec<Misconfiguration> {
    let (config, layers) = oci_image(image);
    let merged = corpus_files(image, &config);
    let packages = corpus_packages(image);
    let input =
        ImageInput { config: &config, files: &merged.files, packages: &packages, shadow: merged.shadow.as_deref() };
    check(&format!("oci:{image}"), &input, &layers)
}

/// The distinct check ids of a set of findings.
fn ids(findings: &[Misconfiguration]) -> BTreeSet<&str> {
    findings.iter().map(|f| f.check_id.as_str()).collect()
}

/// Regular files with the setuid or setgid bit in a docker-archive layer, as GNU `tar tv` lists them.
fn setuid_files_by_tar(image: &str, layer_tar: &str) -> BTreeSet<String> {
    let archive = corpus().join("archives").join(format!("{image}.tar"));
    let script = format!("tar -xOf '{}' '{layer_tar}' | tar -tvf -", archive.display());
    let out = Command::new("bash").args(["-c", &script]).output().expect("tar is needed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            let perms: Vec<char> = l.chars().take(10).collect();
            perms.first() == Some(&'-')
                && (matches!(perms.get(3), Some('s' | 'S')) || matches!(perms.get(6), Some('s' | 'S')))
        })
        .filter_map(|l| l.split_whitespace().last().map(|p| p.trim_start_matches("./").to_string()))
        .collect()
}

#[test]
fn debian_min_reports_root_no_healthcheck_and_the_real_setuid_files_only() {
    let findings = scan("debian-min");
    assert_eq!(ids(&findings), BTreeSet::from(["BW-IMG-001", "BW-IMG-002", "BW-IMG-005"]), "{findings:#?}");

    let (config, layers) = oci_image("debian-min");
    let layer_tar = format!("{}.tar", config.rootfs.diff_ids[0].trim_start_matches("sha256:"));
    let by_tar = setuid_files_by_tar("debian-min", &layer_tar);
    assert!(by_tar.contains("usr/bin/su") && by_tar.contains("usr/sbin/unix_chkpwd"), "{by_tar:?}");
    let setuid: Vec<&Misconfiguration> = findings.iter().filter(|f| f.check_id == "BW-IMG-005").collect();
    let reported: BTreeSet<String> = setuid.iter().filter_map(|f| f.path.clone()).collect();
    assert_eq!(reported, by_tar, "one finding per setuid/setgid file, as tar lists them");
    assert_eq!(setuid.len(), by_tar.len());
    for f in &setuid {
        let path = f.path.as_deref().unwrap_or_default();
        assert!(f.message.contains(&format!("/{path}")), "{}", f.message);
        assert_eq!(f.layer.as_ref(), Some(&layers[0]), "{path} is in layer 1");
        assert_eq!(f.severity, Level::Low);
    }
    let su = setuid.iter().find(|f| f.path.as_deref() == Some("usr/bin/su")).expect("su");
    assert!(su.message.contains("setuid") && su.message.contains("4755"), "{}", su.message);
    let chage = setuid.iter().find(|f| f.path.as_deref() == Some("usr/bin/chage")).expect("chage");
    assert!(chage.message.contains("setgid") && chage.message.contains("2755"), "{}", chage.message);

    let root = findings.iter().find(|f| f.check_id == "BW-IMG-001").expect("root finding");
    assert!(root.message.contains("no User"), "{}", root.message);
    assert!(root.mappings.iter().any(|m| m.control == "4.1"), "{:?}", root.mappings);
    assert_eq!(root.target, "oci:debian-min");
    assert_eq!(root.source, "builtin");
}

#[test]
fn debian_min_left_no_package_cache_behind() {
    // The corpus build removed apt lists and caches: the directories remain, empty (or with lock/partial).
    let (config, _) = oci_image("debian-min");
    let merged = corpus_files("debian-min", &config);
    let dirs: Vec<&str> = merged.files.iter().map(|f| f.path.as_str()).collect();
    assert!(dirs.contains(&"var/cache/apt/archives") && dirs.contains(&"var/lib/apt/lists"));
    let in_caches = merged
        .files
        .iter()
        .filter(|f| f.path.starts_with("var/cache/apt/") || f.path.starts_with("var/lib/apt/lists/"))
        .filter(|f| f.kind == bulwark_misconfig::image::FileKind::File)
        .count();
    assert_eq!(in_caches, 0, "the corpus removed apt caches");
    assert!(!ids(&scan("debian-min")).contains("BW-IMG-010"));
}

#[test]
fn app_python_reports_its_planted_config_problems() {
    let findings = scan("app-python");
    let expected = BTreeSet::from(["BW-IMG-001", "BW-IMG-002", "BW-IMG-005", "BW-IMG-008", "BW-IMG-013", "BW-IMG-014"]);
    assert_eq!(ids(&findings), expected, "{findings:#?}");
    let (_, layers) = oci_image("app-python");

    let port = findings.iter().find(|f| f.check_id == "BW-IMG-013").expect("port 22");
    assert!(port.message.contains("22/tcp"), "{}", port.message);

    let env: Vec<&Misconfiguration> = findings.iter().filter(|f| f.check_id == "BW-IMG-014").collect();
    assert_eq!(env.len(), 1, "only DB_PASSWORD, not PATH");
    assert_eq!(env[0].resource.as_deref(), Some("config.Env[1]"));
    assert!(env[0].message.contains("DB_PASSWORD") && env[0].message.contains("redacted"), "{}", env[0].message);
    assert_eq!(env[0].severity, Level::High);
    let all = serde_json::to_string(&findings).expect("json");
    assert!(!all.contains("Sup3rS3cret"), "the ENV value never appears in findings");

    let creds: Vec<&Misconfiguration> = findings.iter().filter(|f| f.check_id == "BW-IMG-008").collect();
    assert_eq!(creds.len(), 1, "{creds:#?}");
    assert_eq!(creds[0].path.as_deref(), Some("app/config/.env"));
    assert_eq!(creds[0].layer.as_ref(), Some(&layers[4]), "planted in layer 5");

    // The same setuid files as debian-min: they come from the shared base layer.
    let setuid: Vec<&Misconfiguration> = findings.iter().filter(|f| f.check_id == "BW-IMG-005").collect();
    assert!(setuid.iter().all(|f| f.layer.as_ref() == Some(&layers[0])));
    assert_eq!(setuid.len(), scan("debian-min").iter().filter(|f| f.check_id == "BW-IMG-005").count());
}

#[test]
fn app_python_input_document_has_config_history_files_and_packages() {
    let (config, _) = oci_image("app-python");
    let merged = corpus_files("app-python", &config);
    let packages = corpus_packages("app-python");
    let input =
        ImageInput { config: &config, files: &merged.files, packages: &packages, shadow: merged.shadow.as_deref() };
    let doc = input_document(&input);
    assert_eq!(doc["config"]["config"]["ExposedPorts"]["22/tcp"], serde_json::json!({}));
    assert_eq!(doc["config"]["config"]["WorkingDir"], "/app");
    assert_eq!(doc["config"]["history"].as_array().map(Vec::len), Some(11));
    assert!(doc["config"]["history"][2]["created_by"].as_str().unwrap_or("").contains("apt-get install"));
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), merged.files.len());
    assert_eq!(doc["files_truncated"], false);
    let su = files.iter().find(|f| f["path"] == "usr/bin/su").expect("su listed");
    assert_eq!(su["mode"].as_u64().map(|m| m & 0o4000), Some(0o4000));
    assert_eq!(su["kind"], "file");
    assert_eq!(su["layer"], 1);
    assert!(!files.iter().any(|f| f["path"] == "app/old-credentials.txt"), "deleted in layer 6");
    assert_eq!(doc["packages"].as_array().map(Vec::len), Some(packages.len()));
    assert!(packages.len() > 100);
    let root = doc["shadow"].as_array().and_then(|s| s.iter().find(|e| e["user"] == "root")).expect("root account");
    assert_eq!(root["password"], "none");
}
