//! The registry client against Debian's real `docker-registry` holding the corpus images, and
//! against a small local HTTP server (serving the same real blobs) for what a healthy registry
//! will not do on demand: altered bytes, 500s, dropped streams, silence, bearer tokens.

mod support;

use base64::Engine as _;
use bulwark_image::registry::RegistryImage;
use bulwark_image::{Credentials, ImageSource, OciLayout, Platform, RegistryOptions, RegistryRef};
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{corpus, drain, serve_layout, HttpServer, Registry, Reply};

fn amd64() -> Platform {
    Platform::parse("linux/amd64").unwrap()
}

fn layout() -> PathBuf {
    corpus().join("oci").join("app-python")
}

fn oci_app_python() -> OciLayout {
    OciLayout::open(&layout(), Some("latest"), &amd64()).unwrap()
}

/// Plain HTTP, short timeouts, and a Docker config that does not exist (so ~/.docker is never read).
fn options(dir: &tempfile::TempDir) -> RegistryOptions {
    RegistryOptions {
        insecure: true,
        timeout: Some(Duration::from_secs(10)),
        connect_timeout: Some(Duration::from_secs(2)),
        docker_config: Some(dir.path().join("no-such-config.json")),
        ..RegistryOptions::default()
    }
}

fn open(reference: &str, options: &RegistryOptions) -> Result<RegistryImage, String> {
    let r = RegistryRef::parse(reference).map_err(|e| e.to_string())?;
    RegistryImage::open(&r, &amd64(), options).map_err(|e| e.to_string())
}

/// Index of the smallest layer (cheap to stream in every test).
fn smallest_layer(image: &dyn ImageSource) -> usize {
    let layers = &image.info().layers;
    (0..layers.len()).min_by_key(|i| layers[*i].size.unwrap_or(u64::MAX)).unwrap()
}

#[test]
fn pulls_app_python_from_a_real_registry() {
    let started = Instant::now();
    let registry = Registry::start(false);
    eprintln!("registry up in {:?}", started.elapsed());
    let tmp = tempfile::tempdir().unwrap();
    let opts = options(&tmp);
    let oci = oci_app_python();
    let want_digests: Vec<&str> = oci.info().layers.iter().map(|l| l.digest.as_str()).collect();
    let want_diff_ids: Vec<Option<&str>> = oci.info().layers.iter().map(|l| l.diff_id.as_deref()).collect();
    assert_eq!(want_digests.len(), 6);

    for (tag, layer_media) in [
        ("latest", "application/vnd.oci.image.layer.v1.tar+gzip"),
        ("v2s2", "application/vnd.docker.image.rootfs.diff.tar.gzip"),
    ] {
        let t = Instant::now();
        let image = open(&format!("{}/app-python:{tag}", registry.host), &opts).unwrap();
        eprintln!("{tag}: manifest + config in {:?}", t.elapsed());
        let info = image.info();
        assert_eq!(info.reference, format!("{}/app-python:{tag}", registry.host));
        assert_eq!(info.layers.iter().map(|l| l.digest.as_str()).collect::<Vec<_>>(), want_digests, "{tag}");
        assert_eq!(info.layers.iter().map(|l| l.diff_id.as_deref()).collect::<Vec<_>>(), want_diff_ids, "{tag}");
        assert!(info.layers.iter().all(|l| l.media_type == layer_media), "{tag}: {:?}", info.layers);
        assert_eq!(
            info.layers.iter().map(|l| l.size).collect::<Vec<_>>(),
            oci.info().layers.iter().map(|l| l.size).collect::<Vec<_>>()
        );
        assert_eq!(info.config.rootfs, oci.info().config.rootfs);
        assert_eq!(info.config.config.working_dir.as_deref(), Some("/app"));
        assert_eq!(image.resolved_digest(), info.manifest_digest.as_deref().unwrap());
        if tag == "latest" {
            // The OCI manifest is pushed as built: same manifest and config digests as the layout.
            assert_eq!(info.manifest_digest, oci.info().manifest_digest);
            assert_eq!(info.config_digest, oci.info().config_digest);
        }
        // Pinning the digest resolves to the same manifest.
        let pinned =
            open(&format!("{}/app-python@{}", registry.host, info.manifest_digest.as_deref().unwrap()), &opts).unwrap();
        assert_eq!(pinned.info().layers, info.layers);
    }

    // Stream the biggest layer (50.9 MB) fully through the verifier, and decompress a smaller
    // one to check its content against the config's diff_id.
    let image = open(&format!("{}/app-python:latest", registry.host), &opts).unwrap();
    let t = Instant::now();
    let n = drain(image.open_layer(0).unwrap()).unwrap();
    assert_eq!(Some(n), image.info().layers[0].size);
    eprintln!("layer 1: {n} bytes streamed and verified in {:?}", t.elapsed());
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(image.open_layer(2).unwrap()).read_to_end(&mut tar).unwrap();
    let diff_id = format!("sha256:{}", sha256_hex(&tar));
    assert_eq!(Some(diff_id.as_str()), want_diff_ids[2]);

    let err = open(&format!("{}/app-python:no-such-tag", registry.host), &opts).err().unwrap();
    assert!(err.contains("404") && err.contains("MANIFEST_UNKNOWN"), "{err}");
    let err = open(&format!("{}/no-such-repo:latest", registry.host), &opts).err().unwrap();
    assert!(err.contains("no-such-repo") && err.contains("404 Not Found"), "{err}");
    eprintln!("registry test done in {:?}", started.elapsed());
}

fn sha256_hex(data: &[u8]) -> String {
    bulwark_image::Digest::of(data).hex().to_string()
}

#[test]
fn htpasswd_auth_against_a_real_registry() {
    let registry = Registry::start(true);
    let tmp = tempfile::tempdir().unwrap();
    let reference = format!("{}/app-python:latest", registry.host);
    let want = oci_app_python();

    // Anonymous: the registry asks for basic auth and we have nothing to send.
    let err = open(&reference, &options(&tmp)).err().unwrap();
    assert!(err.contains(&format!("{} requires authentication", registry.host)), "{err}");

    // Right password: manifest, config and a layer (the blob request must carry credentials too).
    let right = Credentials { username: "corpus".into(), password: registry.password() };
    let opts = RegistryOptions { credentials: Some(right.clone()), ..options(&tmp) };
    let image = open(&reference, &opts).unwrap();
    assert_eq!(image.info().layers, want.info().layers);
    let i = smallest_layer(&image);
    assert_eq!(drain(image.open_layer(i).unwrap()).unwrap(), image.info().layers[i].size.unwrap());

    // Wrong password: a clear error naming the registry and where credentials come from.
    let wrong = Credentials { username: "corpus".into(), password: "not-the-password".into() };
    let err = open(&reference, &RegistryOptions { credentials: Some(wrong), ..options(&tmp) }).err().unwrap();
    assert!(
        err.contains(&format!("authentication to {} failed", registry.host))
            && err.contains("check --username/--password-stdin or ~/.docker/config.json"),
        "{err}"
    );

    // Credentials from a Docker config.json: `auth` (base64 user:pass) and username/password forms.
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("corpus:{}", right.password));
    for entry in
        [format!(r#"{{"auth":"{auth}"}}"#), format!(r#"{{"username":"corpus","password":"{}"}}"#, right.password)]
    {
        let config = tmp.path().join("config.json");
        std::fs::write(&config, format!(r#"{{"auths":{{"http://{}":{entry}}}}}"#, registry.host)).unwrap();
        let opts = RegistryOptions { docker_config: Some(config), ..options(&tmp) };
        let image = open(&reference, &opts).unwrap();
        assert_eq!(image.info().config_digest, want.info().config_digest);
    }
    // A config entry with the wrong password fails the same clear way.
    let config = tmp.path().join("config.json");
    let bad = base64::engine::general_purpose::STANDARD.encode("corpus:wrong");
    std::fs::write(&config, format!(r#"{{"auths":{{"{}":{{"auth":"{bad}"}}}}}}"#, registry.host)).unwrap();
    let err = open(&reference, &RegistryOptions { docker_config: Some(config), ..options(&tmp) }).err().unwrap();
    assert!(err.contains(&format!("authentication to {} failed", registry.host)), "{err}");
}

/// Serves the app-python layout, with `alter` applied to the reply for `path_suffix`.
fn altered_server(path_suffix: String, alter: impl Fn(&mut Vec<u8>) + Send + Sync + 'static) -> HttpServer {
    let dir = layout();
    HttpServer::start(move |req| {
        let mut reply = serve_layout(&dir, req);
        if req.path.ends_with(&path_suffix) && reply.status == 200 {
            alter(&mut reply.body);
        }
        reply
    })
}

#[test]
fn altered_bytes_are_never_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = options(&tmp);
    let oci = oci_app_python();
    let small = smallest_layer(&oci);
    let layer = oci.info().layers[small].digest.clone();

    // A layer blob with one byte flipped: the manifest and config are fine, the layer read fails.
    let server = altered_server(layer.clone(), |b| {
        let mid = b.len() / 2;
        b[mid] ^= 0x20;
    });
    let image = open(&format!("{}/app-python:latest", server.host), &opts).unwrap();
    let err = drain(image.open_layer(small).unwrap()).unwrap_err();
    assert!(err.contains("digest mismatch") && err.contains(&layer), "{err}");

    // A layer blob with bytes appended: caught by the declared size before the end.
    let server = altered_server(layer.clone(), |b| b.extend_from_slice(b"trailing"));
    let image = open(&format!("{}/app-python:latest", server.host), &opts).unwrap();
    assert!(drain(image.open_layer(small).unwrap()).is_err());

    // An altered config: open fails.
    let config = oci.info().config_digest.clone().unwrap();
    let server = altered_server(config.clone(), |b| b.insert(1, b' '));
    let err = open(&format!("{}/app-python:latest", server.host), &opts).err().unwrap();
    assert!(err.contains(&config), "{err}");

    // An altered manifest asked for by digest: open fails.
    let manifest = oci.info().manifest_digest.clone().unwrap();
    let server = altered_server(manifest.clone(), |b| b.insert(1, b' '));
    let err = open(&format!("{}/app-python@{manifest}", server.host), &opts).err().unwrap();
    assert!(err.contains("content hashes to") && err.contains("altered"), "{err}");
    // ... and by tag, where it no longer matches the Docker-Content-Digest the registry sent.
    let server = altered_server("/manifests/latest".into(), |b| b.insert(1, b' '));
    let err = open(&format!("{}/app-python:latest", server.host), &opts).err().unwrap();
    assert!(err.contains("Docker-Content-Digest"), "{err}");
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = layout();
    let failures = Arc::new(AtomicUsize::new(0));
    let f = failures.clone();
    let server = HttpServer::start(move |req| {
        if req.path.contains("/manifests/") && f.fetch_add(1, Ordering::SeqCst) < 2 {
            return Reply::new(500, "internal error");
        }
        serve_layout(&dir, req)
    });
    let t = Instant::now();
    let image = open(&format!("{}/app-python:latest", server.host), &options(&tmp)).unwrap();
    let elapsed = t.elapsed();
    assert_eq!(image.info().layers, oci_app_python().info().layers);
    let manifest_requests = server.requests().iter().filter(|r| r.contains("/manifests/")).count();
    assert_eq!(manifest_requests, 3, "{:?}", server.requests());
    // Back-off: 250 ms then 500 ms.
    assert!(elapsed >= Duration::from_millis(700), "{elapsed:?}");

    // A server that keeps failing: the error says how many attempts were made.
    let server = HttpServer::start(|_| Reply::new(503, "down"));
    let opts = RegistryOptions { max_retries: Some(2), ..options(&tmp) };
    let err = open(&format!("{}/app-python:latest", server.host), &opts).err().unwrap();
    assert!(err.contains("503") && err.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn silent_and_unreachable_registries_fail_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = RegistryOptions { timeout: Some(Duration::from_secs(1)), max_retries: Some(1), ..options(&tmp) };

    // Accepts the connection, reads the request, never answers.
    let server = HttpServer::start(|_| Reply { stall: true, ..Reply::default() });
    let t = Instant::now();
    let err = open(&format!("{}/app-python:latest", server.host), &opts).err().unwrap();
    eprintln!("silent: {err}");
    assert!(err.contains("no answer from") && err.contains(&server.host), "{err}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());

    // Nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let t = Instant::now();
    let err = open(&format!("127.0.0.1:{port}/app-python:latest"), &opts).err().unwrap();
    eprintln!("unreachable: {err}");
    assert!(err.contains("cannot reach 127.0.0.1:") && err.contains("gave up after 2 attempts"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());

    // A layer whose body stalls after the headers: the read times out instead of hanging.
    let dir = layout();
    let oci = oci_app_python();
    let i = smallest_layer(&oci);
    let blob = oci.info().layers[i].digest.clone();
    let server = HttpServer::start(move |req| {
        if req.path.ends_with(&blob) {
            return Reply { stall: true, ..Reply::default() };
        }
        serve_layout(&dir, req)
    });
    let image = open(&format!("{}/app-python:latest", server.host), &opts).unwrap();
    let t = Instant::now();
    assert!(image.open_layer(i).is_err());
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn dropped_layer_streams_resume_with_range_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = oci_app_python();
    // Layer 3 (860 kB): cut the first connection after 300 000 bytes.
    let layer = oci.info().layers[2].clone();
    for honour_range in [true, false] {
        let dir = layout();
        let digest = layer.digest.clone();
        let cuts = Arc::new(AtomicUsize::new(0));
        let c = cuts.clone();
        let server = HttpServer::start(move |req| {
            let mut req = req.clone();
            if !honour_range {
                req.headers.remove("range");
            }
            let mut reply = serve_layout(&dir, &req);
            if req.path.ends_with(&digest) && c.fetch_add(1, Ordering::SeqCst) == 0 {
                reply.cut_after = Some(300_000);
            }
            reply
        });
        let image = open(&format!("{}/app-python:latest", server.host), &options(&tmp)).unwrap();
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(image.open_layer(2).unwrap()).read_to_end(&mut tar).unwrap();
        assert_eq!(Some(format!("sha256:{}", sha256_hex(&tar))), layer.diff_id);
        let blob_requests: Vec<String> = server.requests().into_iter().filter(|r| r.contains(&layer.digest)).collect();
        assert_eq!(blob_requests.len(), 2, "{blob_requests:?}");
        assert!(blob_requests[1].ends_with("bytes=300000-"), "{blob_requests:?}");
    }

    // A stream that keeps dropping: a clear error once the retries are spent.
    let dir = layout();
    let digest = layer.digest.clone();
    let server = HttpServer::start(move |req| {
        let mut reply = serve_layout(&dir, req);
        if req.path.ends_with(&digest) {
            reply.cut_after = Some(1000.min(reply.body.len() / 2));
        }
        reply
    });
    let opts = RegistryOptions { max_retries: Some(2), ..options(&tmp) };
    let image = open(&format!("{}/app-python:latest", server.host), &opts).unwrap();
    let err = drain(image.open_layer(2).unwrap()).unwrap_err();
    eprintln!("dropping: {err}");
    assert!(err.contains("connection broke after") && err.contains("2 resumes"), "{err}");
}

#[test]
fn bearer_token_auth() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = layout();
    let server = HttpServer::start(move |req| {
        let host = req.header("host").unwrap_or("").to_string();
        if req.path.starts_with("/token?") {
            let good = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("corpus:s3cret"));
            let scope_ok =
                req.path.contains("scope=repository%3Aapp-python%3Apull") && req.path.contains("service=test-registry");
            return match req.header("authorization") {
                Some(a) if a == good && scope_ok => Reply::new(200, r#"{"token":"tok-123","expires_in":300}"#),
                _ => Reply::new(401, r#"{"details":"incorrect username or password"}"#),
            };
        }
        if req.header("authorization") != Some("Bearer tok-123") {
            let challenge = format!(
                r#"Bearer realm="http://{host}/token",service="test-registry",scope="repository:app-python:pull""#
            );
            return Reply::new(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
                .header("WWW-Authenticate", &challenge);
        }
        serve_layout(&dir, req)
    });
    let reference = format!("{}/app-python:latest", server.host);
    let creds = |p: &str| Some(Credentials { username: "corpus".into(), password: p.into() });

    let image = open(&reference, &RegistryOptions { credentials: creds("s3cret"), ..options(&tmp) }).unwrap();
    assert_eq!(image.info().layers, oci_app_python().info().layers);
    let i = smallest_layer(&image);
    drain(image.open_layer(i).unwrap()).unwrap();
    // One token fetch, reused for the config and the layer.
    assert_eq!(server.requests().iter().filter(|r| r.contains("/token?")).count(), 1, "{:?}", server.requests());

    let err = open(&reference, &RegistryOptions { credentials: creds("wrong"), ..options(&tmp) }).err().unwrap();
    assert!(err.contains(&format!("authentication to {} failed", server.host)), "{err}");
    let err = open(&reference, &options(&tmp)).err().unwrap();
    assert!(err.contains("requires authentication"), "{err}");
}

#[test]
fn index_entries_are_chosen_by_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = oci_app_python();
    let manifest = oci.info().manifest_digest.clone().unwrap();
    let manifest_size = std::fs::metadata(layout().join("blobs/sha256").join(&manifest[7..])).unwrap().len();
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":1,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest}","size":{manifest_size},"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
        "0".repeat(64)
    );
    let index_digest = bulwark_image::Digest::of(index.as_bytes()).to_string();
    // An index whose amd64 entry names a digest the served manifest does not hash to.
    let liar_entry = format!("sha256:{}", "1".repeat(64));
    let liar = index.replace(&manifest, &liar_entry);
    let real_manifest = manifest.clone();
    let dir = layout();
    let server = HttpServer::start(move |req| {
        if req.path.ends_with("/manifests/liar") {
            return Reply::new(200, liar.clone()).header("Content-Type", "application/vnd.oci.image.index.v1+json");
        }
        if req.path.ends_with(&format!("/manifests/{liar_entry}")) {
            let path = req.path.replace(&liar_entry, &real_manifest);
            return serve_layout(&dir, &support::Request { path, ..req.clone() });
        }
        if req.path.ends_with("/manifests/multi") {
            return Reply::new(200, index.clone())
                .header("Content-Type", "application/vnd.oci.image.index.v1+json")
                .header("Docker-Content-Digest", &index_digest.clone());
        }
        serve_layout(&dir, req)
    });
    let r = RegistryRef::parse(&format!("{}/app-python:multi", server.host)).unwrap();
    let image = RegistryImage::open(&r, &amd64(), &options(&tmp)).unwrap();
    assert_eq!(image.info().manifest_digest.as_deref(), Some(manifest.as_str()));
    assert_ne!(image.resolved_digest(), manifest);
    assert_eq!(image.info().layers, oci.info().layers);

    let s390x = Platform::parse("linux/s390x").unwrap();
    let err = RegistryImage::open(&r, &s390x, &options(&tmp)).err().unwrap().to_string();
    assert!(
        err.contains("no manifest for platform linux/s390x") && err.contains("linux/arm64/v8, linux/amd64"),
        "{err}"
    );

    let r = RegistryRef::parse(&format!("{}/app-python:liar", server.host)).unwrap();
    let err = RegistryImage::open(&r, &amd64(), &options(&tmp)).err().unwrap().to_string();
    assert!(err.contains("content hashes to") && err.contains(&"1".repeat(64)), "{err}");
}
