//! Test support: the real corpus images (laid out by ../shared/corpus/prebuilt.sh), Debian's real
//! `docker-registry` started by ../shared/corpus/registry.sh, and a small HTTP/1.1 server on
//! 127.0.0.1 for the failure cases a real registry will not produce on demand.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The corpus scripts (`BULWARK_CORPUS_SCRIPTS` or `<workspace>/../shared/corpus`).
pub fn scripts() -> PathBuf {
    std::env::var_os("BULWARK_CORPUS_SCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/corpus"))
}

/// The corpus cache (`BULWARK_CORPUS` or `<workspace>/corpus-cache`), laid out with prebuilt.sh if missing.
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
        let script = scripts().join("prebuilt.sh");
        let status = Command::new("bash").arg(&script).arg(&dir).status().expect("run prebuilt.sh");
        assert!(status.success() && ready(&dir), "{} {} failed", script.display(), dir.display());
    }
    dir
}

/// A running `docker-registry` holding the corpus images (`<image>:latest` OCI, `<image>:v2s2`
/// Docker schema 2); stopped (and its storage deleted) on drop, also when a test fails.
pub struct Registry {
    /// `127.0.0.1:PORT`.
    pub host: String,
    state: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry; `auth` enables htpasswd basic auth (user `corpus`).
    pub fn start(auth: bool) -> Registry {
        let cache = corpus();
        let state = tempfile::Builder::new().prefix("bulwark-registry-test-").tempdir().expect("state dir");
        let mut cmd = Command::new("bash");
        cmd.arg(scripts().join("registry.sh")).arg("start").arg(&cache).env("CORPUS_REGISTRY_STATE", state.path());
        if auth {
            cmd.arg("--auth");
        }
        let out = cmd.output().expect("run registry.sh");
        // From here on Drop stops whatever was started, even if the start itself failed half-way.
        let mut registry = Registry { host: String::new(), state };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "registry.sh start failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let port: u16 = stdout.lines().last().unwrap_or("").trim().parse().expect("registry.sh printed the port");
        registry.host = format!("127.0.0.1:{port}");
        registry
    }

    /// The htpasswd password of user `corpus` (registries started with `auth`).
    pub fn password(&self) -> String {
        std::fs::read_to_string(self.state.path().join("password")).expect("password file").trim().to_string()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(scripts().join("registry.sh"))
            .arg("stop")
            .env("CORPUS_REGISTRY_STATE", self.state.path())
            .status();
    }
}

/// One HTTP request as the test server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// e.g. `GET`.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
}

impl Request {
    /// Header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// What the test server answers.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body (Content-Length is always the full length).
    pub body: Vec<u8>,
    /// Close the connection after this many body bytes (a dropped stream).
    pub cut_after: Option<usize>,
    /// Never answer; hold the connection open until the server stops.
    pub stall: bool,
}

impl Reply {
    /// A reply with `status` and `body`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status, body: body.into(), ..Reply::default() }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A threaded HTTP/1.1 server on 127.0.0.1 (one request per connection); stops on drop.
pub struct HttpServer {
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// Every request seen, in order, as `METHOD PATH [range]`.
    pub log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Starts serving `handler`.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = listener.local_addr().expect("addr").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (stop2, log2) = (stop.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (handler, stop, log) = (handler.clone(), stop2.clone(), log2.clone());
                std::thread::spawn(move || serve(conn, &*handler, &stop, &log));
            }
        });
        HttpServer { host, log, stop, thread: Some(thread) }
    }

    /// The requests seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.host);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, handler: &Handler, stop: &AtomicBool, log: &Mutex<Vec<String>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = Request { method, path, headers };
    log.lock().unwrap().push(match req.header("range") {
        Some(r) => format!("{} {} {r}", req.method, req.path),
        None => format!("{} {}", req.method, req.path),
    });
    let reply = handler(&req);
    if reply.stall {
        let start = Instant::now();
        while !stop.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
        }
        return;
    }
    let mut conn = conn;
    let mut head =
        format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let body = match reply.cut_after {
        Some(n) => &reply.body[..n.min(reply.body.len())],
        None => &reply.body[..],
    };
    let _ = conn.write_all(head.as_bytes()).and_then(|_| conn.write_all(body)).and_then(|_| conn.flush());
    let _ = conn.shutdown(std::net::Shutdown::Both);
}

/// Serves the OCI layout at `dir` the way a registry would, for any repository name: tags from
/// `index.json`'s `org.opencontainers.image.ref.name`, blobs by digest, `Range: bytes=N-` honoured.
pub fn serve_layout(dir: &Path, req: &Request) -> Reply {
    let Some(rest) = req.path.strip_prefix("/v2/") else { return Reply::new(404, "") };
    if rest.is_empty() {
        return Reply::new(200, "{}");
    }
    let read_blob = |digest: &str| std::fs::read(dir.join("blobs/sha256").join(digest.trim_start_matches("sha256:")));
    if let Some((_, reference)) = rest.split_once("/manifests/") {
        let index: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        let entries = index["manifests"].as_array().cloned().unwrap_or_default();
        let desc = entries
            .iter()
            .find(|d| d["digest"] == reference || d["annotations"]["org.opencontainers.image.ref.name"] == reference);
        let (digest, media_type) = match desc {
            Some(d) => (d["digest"].as_str().unwrap().to_string(), d["mediaType"].as_str().unwrap().to_string()),
            None if reference.starts_with("sha256:") => {
                (reference.to_string(), "application/vnd.oci.image.manifest.v1+json".to_string())
            }
            None => return Reply::new(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#),
        };
        return match read_blob(&digest) {
            Ok(body) => {
                Reply::new(200, body).header("Content-Type", &media_type).header("Docker-Content-Digest", &digest)
            }
            Err(_) => Reply::new(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#),
        };
    }
    if let Some((_, digest)) = rest.split_once("/blobs/") {
        let Ok(body) = read_blob(digest) else {
            return Reply::new(404, r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#);
        };
        if let Some(from) = req.header("range").and_then(|r| r.strip_prefix("bytes=")).and_then(|r| r.strip_suffix('-'))
        {
            let from: usize = from.parse().unwrap();
            let total = body.len();
            return Reply::new(206, body[from.min(total)..].to_vec())
                .header("Content-Range", &format!("bytes {from}-{}/{total}", total.saturating_sub(1)));
        }
        return Reply::new(200, body).header("Docker-Content-Digest", digest);
    }
    Reply::new(404, "")
}

/// Reads `r` to the end, returning the byte count or the error text.
pub fn drain(mut r: impl Read) -> Result<u64, String> {
    std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| e.to_string())
}

/// `podman system service` with its own storage (vfs) in a temp dir; killed on drop.
pub struct Podman {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Podman {
    /// Global flags pointing podman at this instance's storage.
    pub fn args(&self) -> Vec<String> {
        let d = self.dir.path();
        ["--root", &d.join("root").to_string_lossy(), "--runroot", &d.join("run").to_string_lossy()]
            .iter()
            .map(|s| s.to_string())
            .chain(["--storage-driver".to_string(), "vfs".to_string()])
            .collect()
    }

    /// The service's socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("podman.sock")
    }

    /// Starts the service and waits for its socket.
    pub fn start() -> Podman {
        let dir = tempfile::Builder::new().prefix("bulwark-podman-test-").tempdir().unwrap();
        let mut p = Podman { dir, child: None };
        let child = Command::new("podman")
            .args(p.args())
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", p.socket().display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(p.dir.path().join("service.log")).unwrap())
            .spawn()
            .expect("podman is installed (apt-get install podman)");
        p.child = Some(child);
        let start = Instant::now();
        while std::os::unix::net::UnixStream::connect(p.socket()).is_err() {
            let log = std::fs::read_to_string(p.dir.path().join("service.log")).unwrap_or_default();
            assert!(start.elapsed() < Duration::from_secs(20), "podman service did not open its socket: {log}");
            std::thread::sleep(Duration::from_millis(100));
        }
        p
    }

    /// `podman load -i tar` into this service's storage.
    pub fn load(&self, tar: &Path) {
        let out = Command::new("podman").args(self.args()).arg("load").arg("-i").arg(tar).output().unwrap();
        assert!(out.status.success(), "podman load failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
