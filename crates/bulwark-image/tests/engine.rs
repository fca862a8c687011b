//! Engine sources (`podman:NAME` / `docker:NAME`): against a real `podman system service` (its
//! Docker-compatible API on a unix socket, storage in a private temp dir), and against a small
//! HTTP-over-unix-socket server that streams the corpus docker-archive in odd-sized chunks.
//!
//! The tests take a lock because they set `DOCKER_HOST` (process-wide).

mod support;

use bulwark_image::engine::EngineImage;
use bulwark_image::{DockerArchive, EngineKind, ImageSource, Platform};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use std::sync::Mutex;
use std::time::Instant;
use support::{corpus, drain, Podman};

static ENV_LOCK: Mutex<()> = Mutex::new(());

fn amd64() -> Platform {
    Platform::parse("linux/amd64").unwrap()
}

fn archive(image: &str) -> PathBuf {
    corpus().join("archives").join(format!("{image}.tar"))
}

/// Layers, diff_ids and config of an engine image equal the docker-archive's; one layer streams and verifies.
fn assert_same_image(engine: &EngineImage, want: &DockerArchive) {
    let (got, want_info) = (engine.info(), want.info());
    assert_eq!(got.layers, want_info.layers);
    assert_eq!(
        got.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
        want_info.config.rootfs.diff_ids.iter().cloned().map(Some).collect::<Vec<_>>()
    );
    assert_eq!(got.config, want_info.config);
    let last = got.layers.len() - 1;
    assert_eq!(Some(drain(engine.open_layer(last).unwrap()).unwrap()), got.layers[last].size);
}

#[test]
fn podman_image_matches_its_docker_archive() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let t = Instant::now();
    let podman = Podman::start();
    podman.load(&archive("debian-min"));
    eprintln!("podman service up and debian-min loaded in {:?}", t.elapsed());
    std::env::set_var("DOCKER_HOST", format!("unix://{}", podman.socket().display()));

    let t = Instant::now();
    let image = EngineImage::open(EngineKind::Podman, "debian-min", &amd64()).unwrap();
    eprintln!("podman:debian-min exported and indexed in {:?}", t.elapsed());
    assert_eq!(image.info().reference, "podman:debian-min");
    let want = DockerArchive::open(&archive("debian-min"), &amd64()).unwrap();
    assert_same_image(&image, &want);
    // The fully qualified name works too.
    let image = EngineImage::open(EngineKind::Podman, "docker.io/library/debian-min:latest", &amd64()).unwrap();
    assert_same_image(&image, &want);

    let err = EngineImage::open(EngineKind::Podman, "no-such-image", &amd64()).err().unwrap().to_string();
    assert!(err.contains("image no-such-image not found in podman; pull it first"), "{err}");
    std::env::remove_var("DOCKER_HOST");
}

#[test]
fn engine_errors_are_clear() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("DOCKER_HOST", format!("unix://{}", dir.path().join("absent.sock").display()));
    let err = EngineImage::open(EngineKind::Docker, "debian", &amd64()).err().unwrap().to_string();
    assert!(err.contains("cannot talk to docker at") && err.contains("absent.sock"), "{err}");
    std::env::set_var("DOCKER_HOST", "tcp://127.0.0.1:2375");
    let err = EngineImage::open(EngineKind::Docker, "debian", &amd64()).err().unwrap().to_string();
    assert!(err.contains("unix socket only"), "{err}");
    std::env::remove_var("DOCKER_HOST");
}

/// What the unix-socket server answers for the export.
#[derive(Clone, Copy)]
enum Export {
    /// The archive, chunked in odd sizes.
    Chunked,
    /// The archive with Content-Length, cut off half-way.
    Truncated,
}

/// Serves `GET /images/<name>/json` and `/get` for `name` from the docker-archive `tar`, on a unix socket.
fn serve_archive(socket: PathBuf, name: &'static str, tar: PathBuf, mode: Export) -> std::thread::JoinHandle<()> {
    let listener = UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(2) {
            let conn = conn.unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut out = std::io::BufWriter::new(conn);
            if path == format!("/images/{name}/json") {
                let body = r#"{"Id":"sha256:x","Os":"linux","Architecture":"amd64"}"#;
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            } else if path == format!("/images/{name}/get") {
                let data = std::fs::read(&tar).unwrap();
                match mode {
                    Export::Chunked => {
                        write!(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
                        )
                        .unwrap();
                        let sizes = [1usize, 7, 4096, 65_537, 1_000_003];
                        let (mut pos, mut k) = (0, 0);
                        while pos < data.len() {
                            let n = sizes[k % sizes.len()].min(data.len() - pos);
                            write!(out, "{n:x}\r\n").unwrap();
                            out.write_all(&data[pos..pos + n]).unwrap();
                            out.write_all(b"\r\n").unwrap();
                            pos += n;
                            k += 1;
                        }
                        out.write_all(b"0\r\n\r\n").unwrap();
                    }
                    Export::Truncated => {
                        write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", data.len()).unwrap();
                        out.write_all(&data[..data.len() / 2]).unwrap();
                    }
                }
            } else {
                let body = r#"{"message":"no such image"}"#;
                write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
            }
            out.flush().unwrap();
        }
    })
}

#[test]
fn chunked_export_over_a_unix_socket() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("engine.sock");
    let tar = archive("app-python");
    let server = serve_archive(socket.clone(), "app-python", tar.clone(), Export::Chunked);
    let t = Instant::now();
    let image = EngineImage::open_at(EngineKind::Docker, &socket, "app-python", &amd64()).unwrap();
    eprintln!("app-python (6 layers) exported over the socket in {:?}", t.elapsed());
    server.join().unwrap();
    assert_eq!(image.info().reference, "docker:app-python");
    assert_same_image(&image, &DockerArchive::open(&tar, &amd64()).unwrap());

    // A stream that ends before its Content-Length: an error, not a half image.
    let socket = dir.path().join("engine2.sock");
    let server = serve_archive(socket.clone(), "app-python", tar, Export::Truncated);
    let err = EngineImage::open_at(EngineKind::Docker, &socket, "app-python", &amd64()).err().unwrap().to_string();
    server.join().unwrap();
    assert!(err.contains("streaming the export from docker failed") && err.contains("missing"), "{err}");
}

#[test]
fn missing_image_on_a_unix_socket_engine() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("engine.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && !line.ends_with("\r\n\r\n") {}
        let body = r#"{"message":"No such image: debian:13"}"#;
        let mut conn = conn;
        write!(conn, "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    });
    let err = EngineImage::open_at(EngineKind::Docker, &socket, "debian:13", &amd64()).err().unwrap().to_string();
    server.join().unwrap();
    assert!(err.contains("image debian:13 not found in docker; pull it first"), "{err}");
}
