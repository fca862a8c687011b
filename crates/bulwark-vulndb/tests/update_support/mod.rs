//! A small HTTP/1.1 file server on 127.0.0.1 for the `db update` tests (std only, plus the MD5 and
//! base64 crates for the `x-goog-hash` header). It serves a directory the way Cloud Storage serves the
//! OSV bucket: `ETag`, `Last-Modified`, `x-goog-hash: md5=…`, 304 for `If-None-Match` /
//! `If-Modified-Since`; logs every request; and can be told to misbehave for chosen paths.
#![allow(dead_code)]

use base64::Engine as _;
use md5::{Digest, Md5};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, UNIX_EPOCH};

/// Misbehaviour, per decoded request path (e.g. `/npm/all.zip`).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answered 404 although the file exists.
    pub not_found: BTreeSet<String>,
    /// Headers announce the full length, then the connection is closed after this many body bytes.
    pub cut_after: BTreeMap<String, usize>,
    /// Served with the last 64 bytes (the zip's end-of-central-directory record) overwritten.
    pub corrupt_tail: BTreeSet<String>,
    /// Served with bytes flipped inside the first entry's compressed data (the directory stays valid).
    pub corrupt_entry: BTreeSet<String>,
    /// Served intact, but `x-goog-hash` carries the MD5 of other bytes.
    pub wrong_md5: BTreeSet<String>,
    /// Pause after every 16 KiB of any body: a slow server.
    pub throttle: Option<Duration>,
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The request target as sent (still percent-encoded).
    pub raw_path: String,
    /// Decoded path.
    pub path: String,
    /// Status sent.
    pub status: u16,
    /// Body bytes sent (or about to be sent when the entry was logged).
    pub body_bytes: u64,
    /// Whether the request carried `If-None-Match` or `If-Modified-Since`.
    pub conditional: bool,
}

struct Shared {
    root: PathBuf,
    stop: AtomicBool,
    faults: Mutex<Faults>,
    log: Mutex<Vec<Logged>>,
}

/// The running server; stops on drop.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `root` on a free port of 127.0.0.1.
    pub fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared {
            root: root.to_path_buf(),
            stop: AtomicBool::new(false),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &s);
                });
            }
        });
        Server { addr, shared, accept: Some(accept) }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().expect("faults") = faults;
    }

    /// Takes the request log, leaving it empty.
    pub fn take_log(&self) -> Vec<Logged> {
        std::mem::take(&mut *self.shared.log.lock().expect("log"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Answers one request on `stream`, then closes it.
fn handle(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, raw_path) = (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or("/").to_string());
    let mut headers = BTreeMap::new();
    for _ in 0..100 {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let path = percent_decode(raw_path.split('?').next().unwrap_or_default());
    let faults = shared.faults.lock().expect("faults").clone();
    let file = shared.root.join(path.trim_start_matches('/'));
    let log = |status: u16, body_bytes: usize| {
        let conditional = headers.contains_key("if-none-match") || headers.contains_key("if-modified-since");
        let entry = Logged {
            raw_path: raw_path.clone(),
            path: path.clone(),
            status,
            body_bytes: body_bytes as u64,
            conditional,
        };
        shared.log.lock().expect("log").push(entry);
    };
    let mut out = stream;
    if method != "GET" || path.split('/').any(|s| s == "..") || faults.not_found.contains(&path) || !file.is_file() {
        log(404, 10);
        return write_response(&mut out, "404 Not Found", &[], b"not found\n", None, None);
    }
    let meta = std::fs::metadata(&file)?;
    let mtime = meta.modified()?.duration_since(UNIX_EPOCH).unwrap_or_default();
    let etag = format!("\"{:x}-{:x}\"", meta.len(), mtime.as_nanos());
    let last_modified = http_date(mtime.as_secs() as i64);
    let not_modified = match headers.get("if-none-match") {
        Some(tags) => tags.split(',').any(|t| t.trim() == etag),
        None => headers.get("if-modified-since") == Some(&last_modified),
    };
    let validators = [("ETag", etag.clone()), ("Last-Modified", last_modified)];
    if not_modified {
        log(304, 0);
        return write_response(&mut out, "304 Not Modified", &validators, b"", None, None);
    }
    let mut body = std::fs::read(&file)?;
    if faults.corrupt_tail.contains(&path) {
        let n = body.len();
        for b in body.iter_mut().skip(n.saturating_sub(64)) {
            *b = b'#';
        }
    }
    if faults.corrupt_entry.contains(&path) && body.len() > 200 {
        let name_len = u16::from_le_bytes([body[26], body[27]]) as usize;
        let data = 30 + name_len;
        for b in &mut body[data + 10..data + 40] {
            *b ^= 0x5a;
        }
    }
    let md5_of = if faults.wrong_md5.contains(&path) { b"something else".to_vec() } else { body.clone() };
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&md5_of));
    let mut head = validators.to_vec();
    head.push(("x-goog-hash", format!("crc32c=AAAAAA==,md5={md5}")));
    let cut = faults.cut_after.get(&path).copied();
    log(200, cut.unwrap_or(body.len()).min(body.len()));
    write_response(&mut out, "200 OK", &head, &body, cut, faults.throttle)
}

/// Writes a response with `Content-Length` = `body.len()`; sends only `cut` body bytes if set.
fn write_response(
    out: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
    cut: Option<usize>,
    throttle: Option<Duration>,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    if !status.starts_with("304") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    let send = &body[..cut.unwrap_or(body.len()).min(body.len())];
    for chunk in send.chunks(16 << 10) {
        out.write_all(chunk)?;
        if let Some(pause) = throttle {
            out.flush()?;
            std::thread::sleep(pause);
        }
    }
    out.flush()?;
    out.shutdown(Shutdown::Both)
}

/// Decodes `%XX` escapes.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%').then(|| s.get(i + 1..i + 3)).flatten();
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let (y, m, d) = bulwark_types::time::civil_from_days(days);
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][(m - 1) as usize];
    format!("{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Copies `ecosystems.txt` (if `with_list`) and the `all.zip` of each of `ecosystems` from `osv` into `dst`.
pub fn copy_exports(osv: &Path, dst: &Path, ecosystems: &[&str], with_list: bool) {
    if with_list {
        std::fs::write(dst.join("ecosystems.txt"), ecosystems.join("\n") + "\n").expect("write list");
    }
    for eco in ecosystems {
        std::fs::create_dir_all(dst.join(eco)).expect("mkdir");
        std::fs::copy(osv.join(eco).join("all.zip"), dst.join(eco).join("all.zip")).expect("copy zip");
    }
}

#[test]
fn http_dates_are_imf_fixdate() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(percent_decode("/Rocky%20Linux/all.zip"), "/Rocky Linux/all.zip");
}
