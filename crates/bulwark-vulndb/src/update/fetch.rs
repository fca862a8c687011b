//! HTTP: the ecosystem list, and conditional, verified, retried downloads of the exports.

use super::cache::{self, Meta};
use super::{FetchStatus, UpdateEvent, UpdateOptions, DEFAULT_ECOSYSTEMS};
use base64::Engine as _;
use md5::{Digest, Md5};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::blocking::{Client, Response};
use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Characters kept as they are in a path segment: RFC 3986's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Largest `ecosystems.txt` read.
const MAX_LIST_BYTES: u64 = 1 << 20;

/// Most ecosystems taken from `ecosystems.txt`.
const MAX_LIST_ENTRIES: usize = 4096;

/// Bytes between two progress events.
const PROGRESS_STEP: u64 = 1 << 20;

/// The HTTP client for one update.
pub(super) fn client(options: &UpdateOptions<'_>) -> reqwest::Result<Client> {
    Client::builder()
        .connect_timeout(options.timeout)
        // In the blocking client this bounds the wait for the response head and for each body read.
        .timeout(options.timeout)
        .user_agent(concat!("bulwark/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// `<base>/<ecosystem, percent-encoded>/all.zip`.
pub(super) fn export_url(base: &str, ecosystem: &str) -> String {
    format!("{base}/{}/all.zip", utf8_percent_encode(ecosystem, SEGMENT))
}

/// The ecosystems to fetch and where the list came from: the options, else `<base>/ecosystems.txt`,
/// else [`DEFAULT_ECOSYSTEMS`] (with a warning).
pub(super) fn list_ecosystems(
    client: &Client,
    base: &str,
    options: &UpdateOptions<'_>,
    warnings: &mut Vec<String>,
) -> (Vec<String>, String) {
    if let Some(list) = &options.ecosystems {
        return (dedup(list.iter().map(|s| s.trim().to_string())), "options".to_string());
    }
    let url = format!("{base}/ecosystems.txt");
    let text = with_retries(options, &mut 0, |bytes| {
        let resp = send(client, &url, None)?;
        if resp.status() != StatusCode::OK {
            return Err(status_failure(&url, resp.status()));
        }
        let mut body = Vec::new();
        let read = resp.take(MAX_LIST_BYTES + 1).read_to_end(&mut body);
        *bytes += body.len() as u64;
        read.map_err(|e| Failure::retry(format!("GET {url}: {}", chain(&e))))?;
        if body.len() as u64 > MAX_LIST_BYTES {
            return Err(Failure::fatal(format!("GET {url}: larger than {MAX_LIST_BYTES} bytes")));
        }
        String::from_utf8(body).map_err(|_| Failure::fatal(format!("GET {url}: not UTF-8 text")))
    });
    let fallback = || DEFAULT_ECOSYSTEMS.iter().map(|s| s.to_string()).collect();
    match text.map(|t| parse_list(&t)) {
        Ok(list) if !list.is_empty() => (list, url),
        Ok(_) => {
            warnings.push(format!("{url} lists no ecosystem; using the built-in list"));
            (fallback(), "built-in".to_string())
        }
        Err(f) => {
            warnings.push(format!("{}; using the built-in list", f.message));
            (fallback(), "built-in".to_string())
        }
    }
}

/// The names of an `ecosystems.txt`: one per line; `Base:release` entries are dropped when `Base`
/// is listed too (its export already holds every release).
fn parse_list(text: &str) -> Vec<String> {
    let names = dedup(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .take(MAX_LIST_ENTRIES)
            .map(String::from),
    );
    let bases: BTreeSet<&str> = names.iter().filter(|n| !n.contains(':')).map(String::as_str).collect();
    names.iter().filter(|n| n.split_once(':').is_none_or(|(base, _)| !bases.contains(base))).cloned().collect()
}

/// Keeps the first occurrence of each non-empty name.
fn dedup(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names.filter(|n| !n.is_empty() && seen.insert(n.clone())).collect()
}

/// One export to download into `dir`.
pub(super) struct Job {
    /// Ecosystem name.
    pub ecosystem: String,
    /// Its export's URL.
    pub url: String,
    /// `<cache>/downloads/<ecosystem>`.
    pub dir: PathBuf,
}

/// The result of one [`Job`].
pub(super) struct Done {
    /// Fetched, not modified, or failed with a message naming the URL.
    pub status: FetchStatus,
    /// Body bytes received over all attempts.
    pub bytes: u64,
    /// The verified download (`all.zip.new`) and its sidecar, when one was fetched.
    pub new: Option<(PathBuf, Meta)>,
}

/// Runs the jobs on `options.concurrency` threads; results in job order.
pub(super) fn fetch_all(
    client: &Client,
    jobs: &[Job],
    options: &UpdateOptions<'_>,
    emit: &(dyn Fn(UpdateEvent) + Sync),
) -> Vec<Done> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Done>>> = Mutex::new(jobs.iter().map(|_| None).collect());
    let workers = options.concurrency.clamp(1, 64).min(jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                emit(UpdateEvent::Started { ecosystem: job.ecosystem.clone(), url: job.url.clone() });
                let done = fetch_one(client, job, options, emit);
                emit(UpdateEvent::Finished { ecosystem: job.ecosystem.clone(), status: done.status.clone() });
                let mut results = results.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(done);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results
        .into_iter()
        .zip(jobs)
        .map(|(done, job)| {
            done.unwrap_or_else(|| Done {
                status: FetchStatus::Failed(format!("GET {}: download thread stopped", job.url)),
                bytes: 0,
                new: None,
            })
        })
        .collect()
}

/// Downloads one export with retries; never leaves an `all.zip.part` behind.
fn fetch_one(client: &Client, job: &Job, options: &UpdateOptions<'_>, emit: &dyn Fn(UpdateEvent)) -> Done {
    let mut bytes = 0;
    let cached = cache::conditional_meta(&job.dir, &job.url);
    let result =
        fs::create_dir_all(&job.dir).map_err(|e| Failure::fatal(format!("{}: {e}", job.dir.display()))).and_then(
            |()| with_retries(options, &mut bytes, |bytes| attempt(client, job, cached.as_ref(), options, bytes, emit)),
        );
    match result {
        Ok(new) => {
            let status = if new.is_some() { FetchStatus::Fetched } else { FetchStatus::NotModified };
            Done { status, bytes, new }
        }
        Err(f) => {
            let _ = fs::remove_file(job.dir.join(cache::PART));
            Done { status: FetchStatus::Failed(f.message), bytes, new: None }
        }
    }
}

/// Why an attempt failed, and whether trying again may help.
struct Failure {
    message: String,
    retry: bool,
}

impl Failure {
    fn retry(message: String) -> Failure {
        Failure { message, retry: true }
    }

    fn fatal(message: String) -> Failure {
        Failure { message, retry: false }
    }
}

/// Runs `op` until it succeeds, fails for good, or `options.max_retries` retries are spent.
/// `op` adds the body bytes it received to its argument.
fn with_retries<T>(
    options: &UpdateOptions<'_>,
    bytes: &mut u64,
    mut op: impl FnMut(&mut u64) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut retries = 0;
    loop {
        match op(bytes) {
            Ok(v) => return Ok(v),
            Err(f) if f.retry && retries < options.max_retries => {
                let factor = 1u32 << retries.min(16);
                std::thread::sleep(options.retry_delay.saturating_mul(factor).min(Duration::from_secs(30)));
                retries += 1;
            }
            Err(mut f) => {
                if retries > 0 {
                    f.message.push_str(&format!(" (after {retries} retries)"));
                }
                return Err(f);
            }
        }
    }
}

/// Sends a GET, with the conditional headers of `cached`.
fn send(client: &Client, url: &str, cached: Option<&Meta>) -> Result<Response, Failure> {
    let mut req = client.get(url);
    if let Some(meta) = cached {
        if let Some(etag) = &meta.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &meta.last_modified {
            req = req.header(IF_MODIFIED_SINCE, date);
        }
    }
    req.send().map_err(|e| Failure::retry(format!("GET {url}: {}", chain(&e.without_url()))))
}

/// A failure for an unexpected HTTP status; 408, 429 and 5xx may be retried.
fn status_failure(url: &str, status: StatusCode) -> Failure {
    let retry = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    Failure { message: format!("GET {url}: HTTP {status}"), retry }
}

/// One request: `Ok(None)` for a 304, `Ok(Some(..))` for a verified `all.zip.new`.
fn attempt(
    client: &Client,
    job: &Job,
    cached: Option<&Meta>,
    options: &UpdateOptions<'_>,
    bytes: &mut u64,
    emit: &dyn Fn(UpdateEvent),
) -> Result<Option<(PathBuf, Meta)>, Failure> {
    let url = &job.url;
    let resp = send(client, url, cached)?;
    let status = resp.status();
    if status == StatusCode::NOT_MODIFIED {
        return match cached {
            Some(_) => Ok(None),
            None => Err(Failure::fatal(format!("GET {url}: 304 Not Modified to an unconditional request"))),
        };
    }
    if status != StatusCode::OK {
        return Err(status_failure(url, status));
    }
    let header = |name| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
    let etag = header(ETAG);
    let last_modified = header(LAST_MODIFIED);
    let expected_md5 = goog_md5(resp.headers().get_all("x-goog-hash").iter().filter_map(|v| v.to_str().ok()));
    let length = resp.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(len) = length.filter(|&l| l > options.max_download_bytes) {
        return Err(Failure::fatal(format!(
            "GET {url}: {len} bytes, more than the limit of {}",
            options.max_download_bytes
        )));
    }
    let part = job.dir.join(cache::PART);
    let saved = save(resp, &part, job, length, options, bytes, emit);
    let (size, md5) = match saved {
        Ok(v) => v,
        Err(f) => {
            let _ = fs::remove_file(&part);
            return Err(f);
        }
    };
    let checked = check(&part, url, size, length, &md5, expected_md5.as_ref(), options);
    if let Err(f) = checked {
        let _ = fs::remove_file(&part);
        return Err(f);
    }
    let new = job.dir.join(cache::NEW);
    fs::rename(&part, &new).map_err(|e| Failure::fatal(format!("{}: {e}", new.display())))?;
    cache::sync_dir(&job.dir);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let meta = Meta {
        url: url.clone(),
        etag,
        last_modified,
        fetched_at: bulwark_types::time::format_rfc3339(now),
        size,
        md5: hex(&md5),
    };
    Ok(Some((new, meta)))
}

/// Streams the body into `part` (synced); returns its size and MD5.
fn save(
    mut resp: Response,
    part: &Path,
    job: &Job,
    total: Option<u64>,
    options: &UpdateOptions<'_>,
    bytes: &mut u64,
    emit: &dyn Fn(UpdateEvent),
) -> Result<(u64, [u8; 16]), Failure> {
    let url = &job.url;
    let local = |e: std::io::Error| Failure::fatal(format!("{}: {e}", part.display()));
    let mut file = File::create(part).map_err(local)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 64 << 10];
    let (mut received, mut reported) = (0u64, 0u64);
    loop {
        let n = match resp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Failure::retry(format!(
                    "GET {url}: connection failed after {received} bytes: {}",
                    chain(&e)
                )))
            }
        };
        let chunk = buf.get(..n).unwrap_or_default();
        received += n as u64;
        *bytes += n as u64;
        if received > options.max_download_bytes {
            return Err(Failure::fatal(format!(
                "GET {url}: more than the limit of {} bytes",
                options.max_download_bytes
            )));
        }
        hasher.update(chunk);
        file.write_all(chunk).map_err(local)?;
        if received - reported >= PROGRESS_STEP {
            reported = received;
            emit(UpdateEvent::Progress { ecosystem: job.ecosystem.clone(), bytes: received, total });
        }
    }
    file.sync_all().map_err(local)?;
    emit(UpdateEvent::Progress { ecosystem: job.ecosystem.clone(), bytes: received, total });
    Ok((received, hasher.finalize().into()))
}

/// The checks a downloaded export must pass before it may replace the cached one.
fn check(
    part: &Path,
    url: &str,
    size: u64,
    length: Option<u64>,
    md5: &[u8; 16],
    expected_md5: Option<&[u8; 16]>,
    options: &UpdateOptions<'_>,
) -> Result<(), Failure> {
    if let Some(len) = length.filter(|&l| l != size) {
        return Err(Failure::retry(format!("GET {url}: body ended after {size} of {len} bytes")));
    }
    if let Some(want) = expected_md5.filter(|w| *w != md5) {
        return Err(Failure::retry(format!(
            "GET {url}: MD5 {} does not match the server's x-goog-hash md5 {}",
            hex(md5),
            hex(want)
        )));
    }
    cache::verify_zip(part, &options.limits).map_err(|e| Failure::fatal(format!("GET {url}: {e}")))?;
    Ok(())
}

/// The MD5 of Google Cloud Storage's `x-goog-hash` headers (`crc32c=…, md5=<base64>`, possibly
/// split over several headers).
fn goog_md5<'h>(values: impl Iterator<Item = &'h str>) -> Option<[u8; 16]> {
    values.flat_map(|v| v.split(',')).find_map(|item| {
        let b64 = item.trim().strip_prefix("md5=")?;
        base64::engine::general_purpose::STANDARD.decode(b64).ok()?.try_into().ok()
    })
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An error and its sources, joined by `: `.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_names_are_percent_encoded_in_the_path() {
        let base = "https://osv-vulnerabilities.storage.googleapis.com";
        assert_eq!(export_url(base, "Rocky Linux"), format!("{base}/Rocky%20Linux/all.zip"));
        assert_eq!(export_url(base, "Ubuntu:22.04:LTS"), format!("{base}/Ubuntu%3A22.04%3ALTS/all.zip"));
        assert_eq!(export_url(base, "crates.io"), format!("{base}/crates.io/all.zip"));
        assert_eq!(export_url(base, "a/b?c#d"), format!("{base}/a%2Fb%3Fc%23d/all.zip"));
    }

    #[test]
    fn x_goog_hash_yields_the_md5_in_either_header_layout() {
        // The value Cloud Storage sends for an object whose MD5 is 0123…cdef.
        let md5 = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let b64 = base64::engine::general_purpose::STANDARD.encode(md5);
        let joined = format!("crc32c=n03x6A==,md5={b64}");
        assert_eq!(goog_md5([joined.as_str()].into_iter()), Some(md5));
        let split = format!("md5={b64}");
        assert_eq!(goog_md5(["crc32c=n03x6A==", split.as_str()].into_iter()), Some(md5));
        assert_eq!(goog_md5(["crc32c=n03x6A=="].into_iter()), None);
        assert_eq!(goog_md5(["md5=short"].into_iter()), None);
    }

    #[test]
    fn the_list_drops_releases_whose_base_is_listed() {
        let text = "PyPI\nDebian\nDebian:12\n\nAlpine:v3.19\nPyPI\n# comment\n Rocky Linux \n";
        assert_eq!(parse_list(text), ["PyPI", "Debian", "Alpine:v3.19", "Rocky Linux"]);
    }
}
