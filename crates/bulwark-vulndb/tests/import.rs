//! Import robustness: sources of every shape, malformed and hostile input, and atomicity under a kill.

mod support;

use bulwark_vulndb::{import_path, import_path_with, Error, ImportLimits, Store, DB_FILE};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{package, record_ids, test_data, vulndata};

fn npm_zip() -> PathBuf {
    vulndata().join("osv/npm/all.zip")
}

fn record_count(cache: &Path) -> u64 {
    Store::open(cache).and_then(|s| s.status()).map(|s| s.records).expect("status")
}

#[test]
fn single_files_directories_and_zips_import_and_merge() {
    let cache = tempfile::tempdir().expect("tempdir");
    assert!(matches!(Store::open(cache.path()), Err(Error::NoDatabase(_))));
    let one = test_data().join("Debian/DSA-3029-1.json");
    let r = import_path(cache.path(), &one).expect("file");
    assert_eq!((r.read, r.inserted), (1, 1));
    let r = import_path(cache.path(), &npm_zip()).expect("zip");
    assert_eq!((r.read, r.inserted, r.replaced), (17, 17, 0));
    assert_eq!(record_count(cache.path()), 18, "imports add to the database");
    // The directory holds the DSA and two of the npm records again: those are replaced (same
    // `modified`), nothing is duplicated.
    let r = import_path(cache.path(), &test_data()).expect("dir");
    assert_eq!((r.read, r.inserted, r.replaced), (16, 13, 3));
    assert_eq!(record_count(cache.path()), 31);
    let store = Store::open(cache.path()).expect("open");
    assert_eq!(
        record_ids(&bulwark_vulndb::match_packages(&store, &[package("npm", "qs", "6.5.1")]).expect("match")).len(),
        1
    );
}

#[test]
fn several_sources_import_all_or_nothing() {
    let cache = tempfile::tempdir().expect("tempdir");
    let src = tempfile::tempdir().expect("tempdir");
    let bad = src.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"X-1\"}").expect("write");
    let dsa = test_data().join("Debian/DSA-3029-1.json");
    let npm = npm_zip();
    let err = bulwark_vulndb::import_paths(cache.path(), &[&npm, &bad], &ImportLimits::default()).expect_err("bad");
    assert!(err.to_string().contains("missing field `modified`"), "{err}");
    assert!(matches!(Store::open(cache.path()), Err(Error::NoDatabase(_))), "nothing from the good zip was kept");
    let r = bulwark_vulndb::import_paths(cache.path(), &[&npm, &dsa], &ImportLimits::default()).expect("good");
    assert_eq!((r.read, r.sources.len()), (18, 2));
    assert_eq!(record_count(cache.path()), 18);
}

#[test]
fn an_older_record_does_not_replace_a_newer_one() {
    let cache = tempfile::tempdir().expect("tempdir");
    let src = tempfile::tempdir().expect("tempdir");
    let real = std::fs::read_to_string(test_data().join("Debian/DSA-3029-1.json")).expect("read");
    import_path(cache.path(), &test_data().join("Debian/DSA-3029-1.json")).expect("import");
    // The same record, `modified` moved one year back and its fix changed: must be ignored.
    let older = real
        .replace("\"modified\": \"2014-09-20T08:18:07Z\"", "\"modified\": \"2013-09-20T08:18:07Z\"")
        .replace("wheezy3", "wheezy9");
    assert_ne!(older, real);
    std::fs::write(src.path().join("DSA-3029-1.json"), older).expect("write");
    let r = import_path(cache.path(), &src.path().join("DSA-3029-1.json")).expect("import older");
    assert_eq!((r.kept_newer, r.replaced), (1, 0));
    let store = Store::open(cache.path()).expect("open");
    let f =
        bulwark_vulndb::match_packages(&store, &[package("Debian:7", "nginx", "1.2.1-2.2+wheezy3")]).expect("match");
    assert!(f.is_empty(), "the newer record (fixed in wheezy3) is still the one stored");
}

#[test]
fn malformed_records_name_the_file_and_field() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    import_path(cache.path(), &npm_zip()).expect("baseline");
    let real = std::fs::read_to_string(test_data().join("PyPI/PYSEC-2021-108.json")).expect("read");
    let cases = [
        (
            "fixed-number.json",
            real.replace("\"fixed\": \"1.26.5\"", "\"fixed\": 1265"),
            "affected[0].ranges[1].events[1].fixed",
        ),
        ("bad-modified.json", real.replace("\"modified\": \"", "\"modified\": \"yesterday "), "modified"),
        ("no-id.json", real.replace("\"id\": \"PYSEC-2021-108\",", ""), "missing field `id`"),
        ("range-type.json", real.replace("\"type\": \"ECOSYSTEM\"", "\"type\": 7"), "affected[0].ranges[1].type"),
        ("truncated.json", real[..real.len() / 2].to_string(), "EOF"),
        ("not-json.json", "\u{0}\u{1}binary".to_string(), "expected value"),
    ];
    for (name, text, want) in cases {
        assert_ne!(text, real, "{name}: the edit applied");
        let path = src.path().join(name);
        std::fs::write(&path, &text).expect("write");
        let err = import_path(cache.path(), &path).expect_err(name);
        let msg = err.to_string();
        assert!(matches!(err, Error::Record { .. }), "{name}: {msg}");
        assert!(msg.contains(name) && msg.contains(want), "{name}: {msg}");
    }
    // Every failed import left the previous database as it was.
    assert_eq!(record_count(cache.path()), 17);
    let leftovers: Vec<_> = std::fs::read_dir(cache.path()).expect("ls").map(|e| e.expect("e").file_name()).collect();
    assert!(leftovers.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{leftovers:?}");
}

#[test]
fn corrupt_zips_are_clear_errors() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let real = std::fs::read(npm_zip()).expect("read");
    // Cut off the central directory.
    let truncated = src.path().join("truncated.zip");
    std::fs::write(&truncated, &real[..real.len() / 2]).expect("write");
    let err = import_path(cache.path(), &truncated).expect_err("truncated");
    assert!(matches!(err, Error::Zip { .. }) && err.to_string().contains("truncated.zip"), "{err}");
    // Flip bytes inside the first entry's compressed data: inflate or CRC check fails on that entry.
    let mut flipped = real.clone();
    let name_len = u16::from_le_bytes([real[26], real[27]]) as usize;
    let data = 30 + name_len;
    for b in &mut flipped[data + 10..data + 40] {
        *b ^= 0x5a;
    }
    let path = src.path().join("flipped.zip");
    std::fs::write(&path, &flipped).expect("write");
    let err = import_path(cache.path(), &path).expect_err("flipped");
    let first = String::from_utf8_lossy(&real[30..data]).to_string();
    assert!(matches!(err, Error::Zip { .. } | Error::Record { .. }), "{err}");
    assert!(err.to_string().contains(&format!("flipped.zip!{first}")), "{err}");
    assert!(matches!(Store::open(cache.path()), Err(Error::NoDatabase(_))), "nothing was installed");
}

#[test]
fn huge_entries_and_too_many_entries_hit_the_limits() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    // A real deflate zip whose one entry inflates to 200 MiB of spaces (a zip bomb for the default 64 MiB limit).
    let bomb = src.path().join("bomb.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).expect("create"));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("HUGE-1.json", opts).expect("start");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..200 {
            zip.write_all(&chunk).expect("write");
        }
        zip.finish().expect("finish");
    }
    assert!(std::fs::metadata(&bomb).expect("meta").len() < 1 << 20, "compresses well");
    let started = Instant::now();
    let err = import_path(cache.path(), &bomb).expect_err("bomb");
    assert!(matches!(err, Error::Limit { .. }) && err.to_string().contains("bomb.zip!HUGE-1.json"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    // The same limit applies to a plain file, and the entry-count limit to archives.
    let limits = ImportLimits { max_entry_bytes: 1000, ..ImportLimits::default() };
    let err = import_path_with(cache.path(), &test_data().join("PyPI/PYSEC-2021-108.json"), &limits).expect_err("file");
    assert!(matches!(err, Error::Limit { .. }), "{err}");
    let limits = ImportLimits { max_entries: 5, ..ImportLimits::default() };
    let err = import_path_with(cache.path(), &npm_zip(), &limits).expect_err("entries");
    assert!(matches!(err, Error::Limit { .. }) && err.to_string().contains("17 entries"), "{err}");
    let limits = ImportLimits { max_total_bytes: 10_000, ..ImportLimits::default() };
    let err = import_path_with(cache.path(), &npm_zip(), &limits).expect_err("total");
    assert!(err.to_string().contains("in total"), "{err}");
    let limits = ImportLimits { max_depth: 0, ..ImportLimits::default() };
    assert!(matches!(import_path_with(cache.path(), &test_data(), &limits), Err(Error::Limit { .. })));
}

#[test]
fn a_database_of_another_schema_version_is_refused_then_replaced() {
    let cache = tempfile::tempdir().expect("tempdir");
    import_path(cache.path(), &npm_zip()).expect("import");
    let db = cache.path().join(DB_FILE);
    rusqlite::Connection::open(&db).and_then(|c| c.pragma_update(None, "user_version", 99)).expect("bump");
    let err = Store::open(cache.path()).expect_err("schema");
    assert!(matches!(err, Error::Schema { found: 99, .. }), "{err}");
    let r = import_path(cache.path(), &test_data().join("Debian/DSA-3029-1.json")).expect("import");
    assert_eq!(r.discarded_schema, Some(99));
    assert_eq!(record_count(cache.path()), 1);
}

const CHILD_ENV: &str = "BULWARK_VULNDB_TEST_CHILD_IMPORT";

/// Runs as the parent (kills a child mid-import) or, with `CHILD_ENV` set, as that child.
#[test]
fn a_killed_import_leaves_the_previous_database_usable() {
    if let Some(spec) = std::env::var_os(CHILD_ENV) {
        let spec = PathBuf::from(spec);
        let (cache, source) = (spec.join("cache"), vulndata().join("osv"));
        import_path(&cache, &source).expect("child import");
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let cache = work.path().join("cache");
    import_path(&cache, &npm_zip()).expect("previous database");
    let before = std::fs::read(cache.join(DB_FILE)).expect("read db");
    // The child imports the whole loose vulndata tree (3907 files).
    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .args(["a_killed_import_leaves_the_previous_database_usable", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, work.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    let deadline = Instant::now() + Duration::from_secs(60);
    let tmp_exists = || {
        std::fs::read_dir(&cache)
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().contains(".tmp-")))
            .unwrap_or(false)
    };
    while !tmp_exists() {
        assert!(child.try_wait().expect("wait").is_none(), "child finished before it could be killed");
        assert!(Instant::now() < deadline, "child never started writing");
        std::thread::sleep(Duration::from_millis(2));
    }
    // Let it write records for a while (the whole import takes over 1 s in a debug build, ~0.3 s in release).
    std::thread::sleep(Duration::from_millis(100));
    assert!(child.try_wait().expect("wait").is_none(), "child finished before it could be killed");
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the child was killed mid-import, not finished");
    // The previous database is byte-identical and fully usable.
    assert_eq!(std::fs::read(cache.join(DB_FILE)).expect("read db"), before);
    assert_eq!(record_count(&cache), 17);
    let store = Store::open(&cache).expect("open");
    let f = bulwark_vulndb::match_packages(&store, &[package("npm", "cookie", "0.3.1")]).expect("match");
    assert_eq!(record_ids(&f).into_iter().collect::<Vec<_>>(), ["GHSA-pxg6-pf52-xh8x"]);
    // The next import cleans up the dead child's temporary file and succeeds.
    let r = import_path(&cache, &test_data().join("Debian/DSA-3029-1.json")).expect("next import");
    assert_eq!(r.inserted, 1);
    assert_eq!(record_count(&cache), 18);
    assert!(!tmp_exists(), "temporary file removed");
}
