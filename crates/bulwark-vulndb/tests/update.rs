//! `db update` against a real HTTP server on 127.0.0.1 serving the real OSV exports of shared/vulndata:
//! conditional requests, failures of one ecosystem, corrupt downloads, and kills at any moment.

mod support;
mod update_support;

use bulwark_vulndb::{match_packages, update, FetchStatus, Outcome, Store, UpdateOptions, UpdateReport, DB_FILE};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{package, record_ids, vulndata};
use update_support::{copy_exports, Faults, Logged, Server};

/// Every ecosystem folder of vulndata.
const ALL: &[&str] = &["AlmaLinux", "Debian", "PyPI", "Ubuntu", "crates.io", "npm"];
/// The small ones (a few dozen records): quick to import.
const SMALL: &[&str] = &["AlmaLinux", "Debian", "Ubuntu", "npm"];

fn osv() -> PathBuf {
    vulndata().join("osv")
}

/// Options for the local server: short timeouts and retry delays.
fn options(base: &str, ecosystems: Option<&[&str]>) -> UpdateOptions<'static> {
    UpdateOptions {
        base_url: base.to_string(),
        ecosystems: ecosystems.map(|e| e.iter().map(|s| s.to_string()).collect()),
        timeout: Duration::from_secs(10),
        max_retries: 2,
        retry_delay: Duration::from_millis(10),
        ..UpdateOptions::default()
    }
}

/// `expected-matches.json` entries of these ecosystems (by base): (ecosystem, name, version, ids).
fn expected(ecosystems: &[&str]) -> Vec<(String, String, String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(vulndata().join("expected-matches.json")).expect("expected-matches.json");
    let list: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut out = Vec::new();
    for e in list.as_array().expect("array") {
        let eco = e["ecosystem"].as_str().expect("ecosystem");
        if !ecosystems.contains(&eco.split(':').next().unwrap_or_default()) {
            continue;
        }
        let ids = e["ids"].as_array().expect("ids").iter().map(|i| i.as_str().expect("id").to_string()).collect();
        let field = |k: &str| e[k].as_str().expect(k).to_string();
        out.push((eco.to_string(), field("name"), field("version"), ids));
    }
    out
}

/// Asserts the database gives exactly the expected ids for every expected package of `ecosystems`.
fn assert_expected(cache: &Path, ecosystems: &[&str]) {
    let store = Store::open(cache).expect("open");
    let cases = expected(ecosystems);
    assert!(cases.len() >= ecosystems.len(), "expected-matches.json covers {ecosystems:?}");
    for (eco, name, version, ids) in cases {
        let got = record_ids(&match_packages(&store, &[package(&eco, &name, &version)]).expect("match"));
        assert_eq!(got, ids, "{eco} {name}@{version}");
    }
}

/// Ids of the records affecting one package.
fn ids(cache: &Path, eco: &str, name: &str, version: &str) -> BTreeSet<String> {
    let store = Store::open(cache).expect("open");
    record_ids(&match_packages(&store, &[package(eco, name, version)]).expect("match"))
}

fn status_of<'r>(report: &'r UpdateReport, eco: &str) -> &'r FetchStatus {
    &report.ecosystems.iter().find(|e| e.ecosystem == eco).expect(eco).status
}

fn export_requests(log: &[Logged]) -> Vec<&Logged> {
    log.iter().filter(|l| l.path.ends_with("/all.zip")).collect()
}

/// Rewrites a served `npm/all.zip` with GHSA-pxg6-pf52-xh8x (cookie) corrected upstream: newer
/// `modified`, fixed in 0.3.1 instead of 0.7.0, so cookie 0.3.1 is no longer affected.
fn change_cookie_record(zip_path: &Path) {
    let mut entries = Vec::new();
    {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(zip_path).expect("open")).expect("zip");
        for i in 0..archive.len() {
            let mut e = archive.by_index(i).expect("entry");
            let mut text = String::new();
            e.read_to_string(&mut text).expect("read");
            if e.name() == "GHSA-pxg6-pf52-xh8x.json" {
                let edited = text
                    .replace("\"modified\": \"2024-10-04T20:31:00Z\"", "\"modified\": \"2024-11-01T00:00:00Z\"")
                    .replace("\"fixed\": \"0.7.0\"", "\"fixed\": \"0.3.1\"");
                assert_ne!(edited, text, "the edit applied");
                text = edited;
            }
            entries.push((e.name().to_string(), text));
        }
    }
    let mut zip = zip::ZipWriter::new(std::fs::File::create(zip_path).expect("create"));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        zip.start_file(name, opts).expect("start");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("finish");
}

/// Files left in the download folders by an update.
fn leftovers(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(cache.join("downloads")).expect("downloads").flatten() {
        for f in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if name.ends_with(".part") || name.ends_with(".new") || name.ends_with(".tmp") {
                out.push(f.path());
            }
        }
    }
    out
}

#[test]
fn first_update_fetches_everything_and_the_second_is_all_304() {
    let server = Server::start(&osv());
    let cache = tempfile::tempdir().expect("tempdir");
    let events = std::sync::Mutex::new(Vec::new());
    let record = |e: &bulwark_vulndb::UpdateEvent| events.lock().expect("events").push(e.clone());
    let started = Instant::now();
    let opts = UpdateOptions { progress: Some(&record), ..options(&server.url(), None) };
    let report = update(cache.path(), &opts).expect("update");
    println!("first update: {:.2}s", started.elapsed().as_secs_f64());
    assert_eq!(report.outcome(), Outcome::Complete, "{report:#?}");
    // The list came from the server's ecosystems.txt.
    let names: Vec<&str> = report.ecosystems.iter().map(|e| e.ecosystem.as_str()).collect();
    assert_eq!(names, ALL);
    for eco in &report.ecosystems {
        let served = std::fs::read(osv().join(&eco.ecosystem).join("all.zip")).expect("read");
        assert_eq!(eco.status, FetchStatus::Fetched, "{}", eco.ecosystem);
        assert_eq!(eco.bytes, served.len() as u64, "{}", eco.ecosystem);
        let cached = eco.export.as_ref().expect("export");
        assert_eq!(std::fs::read(cached).expect("cached"), served, "{}: cached byte-identical", eco.ecosystem);
        let meta = std::fs::read_to_string(cached.with_file_name("all.zip.meta")).expect("meta");
        assert!(meta.contains("\"etag\": \"\\\"") && meta.contains(&eco.url), "{meta}");
    }
    let import = report.import.as_ref().expect("imported");
    assert_eq!((import.read, import.sources.len()), (3907, 6));
    assert_expected(cache.path(), ALL);
    assert!(leftovers(cache.path()).is_empty());
    let events = events.into_inner().expect("events");
    assert!(events.iter().any(|e| matches!(e, bulwark_vulndb::UpdateEvent::Progress { ecosystem, bytes: 2_665_906, total: Some(2_665_906) } if ecosystem == "PyPI")));
    let log = server.take_log();
    assert_eq!(log.first().map(|l| (l.path.as_str(), l.status)), Some(("/ecosystems.txt", 200)));
    assert!(export_requests(&log).iter().all(|l| l.status == 200 && !l.conditional));

    // Second run: every export answered 304 with no body, nothing imported, the database unchanged.
    let db_before = std::fs::read(cache.path().join(DB_FILE)).expect("db");
    let started = Instant::now();
    let report = update(cache.path(), &options(&server.url(), None)).expect("second update");
    println!("second update: {:.2}s", started.elapsed().as_secs_f64());
    assert_eq!(report.outcome(), Outcome::Complete);
    assert!(report.ecosystems.iter().all(|e| e.status == FetchStatus::NotModified && e.bytes == 0), "{report:#?}");
    assert!(report.import.is_none(), "nothing to import");
    let log = server.take_log();
    let exports = export_requests(&log);
    assert_eq!(exports.len(), 6);
    assert!(exports.iter().all(|l| l.status == 304 && l.conditional && l.body_bytes == 0), "{exports:#?}");
    assert_eq!(std::fs::read(cache.path().join(DB_FILE)).expect("db"), db_before, "database untouched");
    assert_expected(cache.path(), ALL);

    // Without an ETag in the sidecars, Last-Modified alone (If-Modified-Since) gets the 304s.
    for eco in ALL {
        let path = cache.path().join("downloads").join(eco).join("all.zip.meta");
        let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("meta")).expect("json");
        assert!(meta["last_modified"].as_str().is_some_and(|d| d.ends_with(" GMT")), "{meta}");
        meta["etag"] = serde_json::Value::Null;
        std::fs::write(&path, serde_json::to_vec(&meta).expect("json")).expect("write");
    }
    let report = update(cache.path(), &options(&server.url(), None)).expect("third update");
    assert!(report.ecosystems.iter().all(|e| e.status == FetchStatus::NotModified), "{report:#?}");
    assert!(export_requests(&server.take_log()).iter().all(|l| l.status == 304 && l.conditional));

    // A deleted database is rebuilt from the cached exports without downloading them again.
    std::fs::remove_file(cache.path().join(DB_FILE)).expect("rm db");
    let report = update(cache.path(), &options(&server.url(), None)).expect("rebuild");
    assert!(report.ecosystems.iter().all(|e| e.status == FetchStatus::NotModified));
    assert_eq!(report.import.as_ref().map(|i| i.read), Some(3907));
    assert!(export_requests(&server.take_log()).iter().all(|l| l.body_bytes == 0));
    assert_expected(cache.path(), ALL);
}

#[test]
fn a_changed_export_is_the_only_one_fetched_again() {
    let served = tempfile::tempdir().expect("tempdir");
    copy_exports(&osv(), served.path(), ALL, true);
    let server = Server::start(served.path());
    let cache = tempfile::tempdir().expect("tempdir");
    update(cache.path(), &options(&server.url(), None)).expect("first update");
    assert_eq!(ids(cache.path(), "npm", "cookie", "0.3.1"), BTreeSet::from(["GHSA-pxg6-pf52-xh8x".to_string()]));
    server.take_log();
    change_cookie_record(&served.path().join("npm/all.zip"));
    let report = update(cache.path(), &options(&server.url(), None)).expect("second update");
    assert_eq!(report.outcome(), Outcome::Complete);
    for eco in &report.ecosystems {
        let want = if eco.ecosystem == "npm" { FetchStatus::Fetched } else { FetchStatus::NotModified };
        assert_eq!(eco.status, want, "{}", eco.ecosystem);
    }
    let log = server.take_log();
    let bodies: Vec<&str> =
        export_requests(&log).iter().filter(|l| l.body_bytes > 0).map(|l| l.path.as_str()).collect();
    assert_eq!(bodies, ["/npm/all.zip"]);
    // The corrected record is in the database: cookie 0.3.1 is fixed now, 0.3.0 still affected.
    assert!(ids(cache.path(), "npm", "cookie", "0.3.1").is_empty());
    assert_eq!(ids(cache.path(), "npm", "cookie", "0.3.0"), BTreeSet::from(["GHSA-pxg6-pf52-xh8x".to_string()]));
    let without_cookie: Vec<_> = expected(ALL).into_iter().filter(|(_, n, _, _)| n != "cookie").collect();
    let store = Store::open(cache.path()).expect("open");
    for (eco, name, version, want) in without_cookie {
        let got = record_ids(&match_packages(&store, &[package(&eco, &name, &version)]).expect("match"));
        assert_eq!(got, want, "{eco} {name}@{version}");
    }
}

#[test]
fn a_404_for_one_ecosystem_fails_only_that_one_and_its_cached_export_is_kept() {
    let server = Server::start(&osv());
    let cache = tempfile::tempdir().expect("tempdir");
    server.set_faults(Faults { not_found: ["/npm/all.zip".to_string()].into(), ..Faults::default() });
    let report = update(cache.path(), &options(&server.url(), Some(SMALL))).expect("update");
    assert_eq!(report.outcome(), Outcome::Partial);
    let failed: Vec<&str> = report.failed().map(|e| e.ecosystem.as_str()).collect();
    assert_eq!(failed, ["npm"]);
    let FetchStatus::Failed(message) = status_of(&report, "npm") else { panic!("npm failed") };
    assert_eq!(message, &format!("GET {}/npm/all.zip: HTTP 404 Not Found", server.url()));
    assert!(report.warnings.iter().any(|w| w.starts_with("npm: ") && w.contains("404")), "{:?}", report.warnings);
    assert_eq!(server.take_log().iter().filter(|l| l.path == "/npm/all.zip").count(), 1, "a 404 is not retried");
    assert!(ids(cache.path(), "npm", "cookie", "0.3.1").is_empty(), "no npm data");
    assert_expected(cache.path(), &["AlmaLinux", "Debian", "Ubuntu"]);

    // With npm served again it is fetched; then, with the database gone and npm 404 once more, the
    // rebuilt database still holds npm from its previously downloaded export.
    server.set_faults(Faults::default());
    let report = update(cache.path(), &options(&server.url(), Some(SMALL))).expect("update");
    assert_eq!(report.outcome(), Outcome::Complete);
    assert_eq!(status_of(&report, "npm"), &FetchStatus::Fetched);
    std::fs::remove_file(cache.path().join(DB_FILE)).expect("rm db");
    server.set_faults(Faults { not_found: ["/npm/all.zip".to_string()].into(), ..Faults::default() });
    let report = update(cache.path(), &options(&server.url(), Some(SMALL))).expect("update");
    assert_eq!(report.outcome(), Outcome::Partial);
    let npm = report.ecosystems.iter().find(|e| e.ecosystem == "npm").expect("npm");
    assert!(npm.export.is_some(), "the previous npm export is in the database");
    assert_eq!(report.import.as_ref().map(|i| i.sources.len()), Some(4));
    assert_expected(cache.path(), SMALL);
}

#[test]
fn a_connection_cut_mid_download_names_the_url_and_keeps_the_old_data() {
    let served = tempfile::tempdir().expect("tempdir");
    copy_exports(&osv(), served.path(), &["PyPI", "npm"], true);
    let server = Server::start(served.path());
    let cache = tempfile::tempdir().expect("tempdir");
    update(cache.path(), &options(&server.url(), None)).expect("first update");
    let db_before = std::fs::read(cache.path().join(DB_FILE)).expect("db");
    let zip_before = std::fs::read(cache.path().join("downloads/npm/all.zip")).expect("zip");
    server.take_log();
    // npm changes upstream, but every transfer of it dies after 5000 bytes.
    change_cookie_record(&served.path().join("npm/all.zip"));
    server.set_faults(Faults { cut_after: [("/npm/all.zip".to_string(), 5000)].into(), ..Faults::default() });
    let report = update(cache.path(), &options(&server.url(), None)).expect("update");
    assert_eq!(report.outcome(), Outcome::Partial);
    let FetchStatus::Failed(message) = status_of(&report, "npm") else { panic!("npm failed: {report:#?}") };
    let url = format!("{}/npm/all.zip", server.url());
    assert!(message.starts_with(&format!("GET {url}: ")) && message.ends_with("(after 2 retries)"), "{message}");
    let cut: Vec<u64> = server.take_log().iter().filter(|l| l.path == "/npm/all.zip").map(|l| l.body_bytes).collect();
    assert_eq!(cut, [5000, 5000, 5000], "first try and two retries, each cut");
    assert_eq!(report.ecosystems.iter().find(|e| e.ecosystem == "npm").map(|e| e.bytes), Some(15000));
    assert_eq!(status_of(&report, "PyPI"), &FetchStatus::NotModified);
    assert!(leftovers(cache.path()).is_empty(), "the .part file was removed");
    assert_eq!(std::fs::read(cache.path().join("downloads/npm/all.zip")).expect("zip"), zip_before);
    assert_eq!(std::fs::read(cache.path().join(DB_FILE)).expect("db"), db_before, "database untouched");
    assert_eq!(ids(cache.path(), "npm", "cookie", "0.3.1"), BTreeSet::from(["GHSA-pxg6-pf52-xh8x".to_string()]));
    assert_expected(cache.path(), &["PyPI", "npm"]);

    // The server itself gone: every download fails with the URL, the database still works.
    let base = server.url();
    drop(server);
    let report = update(cache.path(), &UpdateOptions { max_retries: 0, ..options(&base, Some(&["PyPI", "npm"])) })
        .expect("update");
    assert_eq!(report.outcome(), Outcome::Failed);
    for eco in &report.ecosystems {
        let FetchStatus::Failed(m) = &eco.status else { panic!("{eco:?}") };
        assert!(m.starts_with(&format!("GET {}: ", eco.url)), "{m}");
    }
    assert_eq!(std::fs::read(cache.path().join(DB_FILE)).expect("db"), db_before);
}

#[test]
fn corrupt_downloads_fail_their_ecosystem_and_keep_the_old_data() {
    let served = tempfile::tempdir().expect("tempdir");
    copy_exports(&osv(), served.path(), SMALL, true);
    let server = Server::start(served.path());
    let cache = tempfile::tempdir().expect("tempdir");
    update(cache.path(), &options(&server.url(), None)).expect("first update");
    let db_before = std::fs::read(cache.path().join(DB_FILE)).expect("db");
    let zip_before = std::fs::read(cache.path().join("downloads/npm/all.zip")).expect("zip");
    change_cookie_record(&served.path().join("npm/all.zip"));
    let npm = || ["/npm/all.zip".to_string()].into();
    let cases: [(&str, Faults, &str, bool); 3] = [
        (
            "end of central directory garbled",
            Faults { corrupt_tail: npm(), ..Faults::default() },
            "invalid zip archive",
            false,
        ),
        (
            "MD5 mismatch",
            Faults { wrong_md5: npm(), ..Faults::default() },
            "does not match the server's x-goog-hash md5",
            false,
        ),
        // The directory is intact, so only the import notices (CRC or inflate error in the first entry).
        ("entry data flipped", Faults { corrupt_entry: npm(), ..Faults::default() }, "import failed: ", true),
    ];
    for (what, faults, want, reimported) in cases {
        server.set_faults(faults);
        let report = update(cache.path(), &options(&server.url(), None)).expect(what);
        assert_eq!(report.outcome(), Outcome::Partial, "{what}");
        let FetchStatus::Failed(message) = status_of(&report, "npm") else { panic!("{what}: {report:#?}") };
        assert!(message.contains(want), "{what}: {message}");
        assert!(report.failed().count() == 1, "{what}: only npm failed");
        assert!(leftovers(cache.path()).is_empty(), "{what}");
        assert_eq!(std::fs::read(cache.path().join("downloads/npm/all.zip")).expect("zip"), zip_before, "{what}");
        if !reimported {
            assert_eq!(std::fs::read(cache.path().join(DB_FILE)).expect("db"), db_before, "{what}");
        }
        assert_eq!(
            ids(cache.path(), "npm", "cookie", "0.3.1"),
            BTreeSet::from(["GHSA-pxg6-pf52-xh8x".to_string()]),
            "{what}: the old record is still the one matched"
        );
        assert_expected(cache.path(), SMALL);
    }
    // Served intact again, the change arrives.
    server.set_faults(Faults::default());
    let report = update(cache.path(), &options(&server.url(), None)).expect("update");
    assert_eq!(report.outcome(), Outcome::Complete);
    assert!(ids(cache.path(), "npm", "cookie", "0.3.1").is_empty());
}

#[test]
fn without_ecosystems_txt_the_built_in_list_is_used_with_encoded_names() {
    let served = tempfile::tempdir().expect("tempdir");
    copy_exports(&osv(), served.path(), SMALL, false);
    let server = Server::start(served.path());
    let cache = tempfile::tempdir().expect("tempdir");
    let report = update(cache.path(), &options(&server.url(), None)).expect("update");
    assert_eq!(report.outcome(), Outcome::Partial);
    assert!(report.warnings[0].contains("/ecosystems.txt: HTTP 404 Not Found; using the built-in list"));
    let fetched: BTreeSet<&str> =
        report.ecosystems.iter().filter(|e| e.status == FetchStatus::Fetched).map(|e| e.ecosystem.as_str()).collect();
    assert_eq!(fetched, SMALL.iter().copied().collect());
    assert_eq!(report.ecosystems.len(), bulwark_vulndb::DEFAULT_ECOSYSTEMS.len());
    let log = server.take_log();
    assert!(log.iter().any(|l| l.raw_path == "/Rocky%20Linux/all.zip" && l.path == "/Rocky Linux/all.zip"));
    assert!(log.iter().any(|l| l.raw_path == "/Photon%20OS/all.zip"));
    assert_expected(cache.path(), SMALL);
}

#[test]
fn an_export_over_the_size_limit_is_refused_before_its_body_is_read() {
    let server = Server::start(&osv());
    let cache = tempfile::tempdir().expect("tempdir");
    // Debian's export is 736 bytes, npm's 20306.
    let opts = UpdateOptions { max_download_bytes: 1000, ..options(&server.url(), Some(&["Debian", "npm"])) };
    let report = update(cache.path(), &opts).expect("update");
    assert_eq!(status_of(&report, "Debian"), &FetchStatus::Fetched);
    let FetchStatus::Failed(message) = status_of(&report, "npm") else { panic!("npm failed: {report:#?}") };
    assert!(message.ends_with("/npm/all.zip: 20306 bytes, more than the limit of 1000"), "{message}");
    let npm = report.ecosystems.iter().find(|e| e.ecosystem == "npm").expect("npm");
    assert!(npm.bytes == 0 && npm.export.is_none());
    assert_eq!(server.take_log().iter().filter(|l| l.path == "/npm/all.zip").count(), 1, "not retried");
    assert_expected(cache.path(), &["Debian"]);
}

const CHILD_ENV: &str = "BULWARK_VULNDB_TEST_CHILD_UPDATE";

/// Starts this test binary as a child that runs one update (`spec`: cache dir, base URL).
fn spawn_child(cache: &Path, base: &str) -> Child {
    Command::new(std::env::current_exe().expect("exe"))
        .args(["a_killed_update_leaves_a_usable_database", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{}\n{base}", cache.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

/// Waits until `ready` holds, then kills the child. The child must still be running then, unless
/// `may_finish` (a moment so close to the end that the child may exit before the poll sees it).
fn kill_when(child: &mut Child, what: &str, may_finish: bool, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        let exited = child.try_wait().expect("wait").is_some();
        assert!(!exited || may_finish, "{what}: child finished before it could be killed");
        assert!(Instant::now() < deadline, "{what}: never reached");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().ok();
    child.wait().expect("wait");
}

/// The database opens and answers either as before the update (no PyPI data) or as after it — never
/// anything in between.
fn assert_old_or_new(cache: &Path, what: &str) -> bool {
    assert_expected(cache, SMALL);
    let django = ids(cache, "PyPI", "Django", "2.2");
    let new = !django.is_empty();
    if new {
        assert_expected(cache, ALL);
    }
    println!("{what}: database is the {} one", if new { "new" } else { "old" });
    new
}

/// Copies a cache directory (two levels: files and the download folders).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

fn exists_in(dir: &Path, pred: impl Fn(&str, u64) -> bool) -> bool {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().any(|e| pred(&e.file_name().to_string_lossy(), e.metadata().map_or(0, |m| m.len()))))
        .unwrap_or(false)
}

/// Runs as the parent (kills children at several moments of an update) or, with `CHILD_ENV` set, as a child.
#[test]
fn a_killed_update_leaves_a_usable_database() {
    if let Some(spec) = std::env::var_os(CHILD_ENV) {
        let spec = spec.to_string_lossy().to_string();
        let (cache, base) = spec.split_once('\n').expect("spec");
        update(Path::new(cache), &options(base, None)).expect("child update");
        return;
    }
    let served = tempfile::tempdir().expect("tempdir");
    copy_exports(&osv(), served.path(), ALL, true);
    let server = Server::start(served.path());
    let work = tempfile::tempdir().expect("tempdir");
    // The previous state: a database of the small ecosystems only. Each kill starts from a copy of it.
    let baseline = work.path().join("baseline");
    update(&baseline, &options(&server.url(), Some(SMALL))).expect("previous database");
    let before = std::fs::read(baseline.join(DB_FILE)).expect("db");
    // The rename of a new database gives the path another inode.
    let inode = |dir: &Path| std::fs::metadata(dir.join(DB_FILE)).map(|m| std::os::unix::fs::MetadataExt::ino(&m)).ok();
    let slow = Some(Duration::from_millis(20));
    type Moment = (&'static str, Option<Duration>, fn(&Path) -> bool);
    let moments: [Moment; 4] = [
        // PyPI's .part file is growing (a slow server).
        ("download", slow, |c| exists_in(&c.join("downloads/PyPI"), |n, len| n == "all.zip.part" && len > 100_000)),
        // crates.io is downloaded and verified, PyPI still downloading.
        ("verified, not imported", slow, |c| exists_in(&c.join("downloads/crates.io"), |n, _| n == "all.zip.new")),
        // The import's temporary database is being written.
        ("import", None, |c| exists_in(c, |n, len| n.starts_with("vulndb.sqlite.tmp-") && len > 0)),
        // The new database has been renamed into place (promotion of the downloads may be under way).
        ("database swapped", None, |c| exists_in(c, |n, _| n == DB_FILE) && !exists_in(c, |n, _| n.contains(".tmp-"))),
    ];
    for (i, (what, throttle, ready)) in moments.into_iter().enumerate() {
        let cache = work.path().join(format!("moment-{i}"));
        copy_dir(&baseline, &cache);
        let old_inode = inode(&cache);
        server.set_faults(Faults { throttle, ..Faults::default() });
        let mut child = spawn_child(&cache, &server.url());
        if what == "database swapped" {
            // Wait for the rename that ends the import.
            kill_when(&mut child, what, true, || inode(&cache) != old_inode && ready(&cache));
        } else {
            kill_when(&mut child, what, false, || ready(&cache));
            assert_eq!(std::fs::read(cache.join(DB_FILE)).expect("db"), before, "{what}: database untouched");
        }
        let new = assert_old_or_new(&cache, &format!("killed at: {what}"));
        assert_eq!(new, what == "database swapped", "{what}");
        server.set_faults(Faults::default());
        recover(&cache, &server.url());
    }
    // And at spread-out times of an uninterrupted run, whatever the child is doing then.
    let timed = work.path().join("timed");
    copy_dir(&baseline, &timed);
    let started = Instant::now();
    let status = spawn_child(&timed, &server.url()).wait().expect("wait");
    let full = started.elapsed();
    assert!(status.success() && assert_old_or_new(&timed, "uninterrupted child"), "the child updates");
    for k in 1..3u32 {
        let cache = work.path().join(format!("timed-{k}"));
        copy_dir(&baseline, &cache);
        let mut child = spawn_child(&cache, &server.url());
        std::thread::sleep(full * k / 3);
        let finished = child.try_wait().expect("wait").is_some();
        child.kill().ok();
        child.wait().expect("wait");
        assert_old_or_new(&cache, &format!("killed at {k}/3 of {:.2}s (finished: {finished})", full.as_secs_f64()));
        recover(&cache, &server.url());
    }
}

/// The next update after a kill completes, removes the leftovers and yields the new database.
fn recover(cache: &Path, base: &str) {
    let report = update(cache, &options(base, None)).expect("recovery");
    assert_eq!(report.outcome(), Outcome::Complete, "{report:#?}");
    assert!(leftovers(cache).is_empty(), "{:?}", leftovers(cache));
    assert!(!exists_in(cache, |n, _| n.contains(".tmp-")), "no temporary database left");
    assert!(assert_old_or_new(cache, "recovered"));
}
