//! Registry pulls through the CLI, against Debian's real `docker-registry` holding the corpus:
//! the same packages as the docker-archive and OCI layout, credentials, and failures.

mod support;

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use support::{bulwark, bulwark_json, corpus, purls, Registry};

fn bulwark_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_registry_pull_gives_the_same_packages_as_the_archive_and_the_layout() {
    let registry = Registry::start(false);
    let archive = bulwark_json(&[
        "sbom",
        "-f",
        "json",
        &format!("docker-archive:{}", corpus().join("archives/app-python.tar").display()),
    ]);
    let layout =
        bulwark_json(&["sbom", "-f", "json", &format!("oci:{}:latest", corpus().join("oci/app-python").display())]);
    for tag in ["latest", "v2s2"] {
        let pulled =
            bulwark_json(&["sbom", "-f", "json", "--insecure", &format!("{}/app-python:{tag}", registry.host)]);
        assert_eq!(purls(&pulled), purls(&archive), "{tag} vs docker-archive");
        assert_eq!(purls(&pulled), purls(&layout), "{tag} vs OCI layout");
        assert_eq!(pulled["packages"].as_array().unwrap().len(), 118 + 18 + 53 + 8);
        assert!(!pulled["packages"].as_array().unwrap().iter().any(|p| p["name"] == "PyJWT"));
    }
}

#[test]
fn registry_credentials_from_stdin_and_their_failures() {
    let registry = Registry::start(true);
    let image = format!("{}/debian-min:latest", registry.host);
    let ok = bulwark_with_stdin(
        &["sbom", "-f", "json", "--insecure", "--username", "corpus", "--password-stdin", &image],
        &registry.password(),
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let inv: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(inv["packages"].as_array().unwrap().len(), 88);

    let wrong = bulwark_with_stdin(
        &["sbom", "--insecure", "--username", "corpus", "--password-stdin", &image],
        "not-the-password\n",
    );
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("authentication") && stderr.contains(&registry.host), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "the password is never echoed: {stderr}");

    let anonymous = bulwark(&["sbom", "--insecure", &image]);
    assert_eq!(anonymous.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("authentication"));
}

#[test]
fn an_unreachable_registry_fails_promptly() {
    // A port nothing listens on: connection refused, retried with back-off, then a clear error.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let out = bulwark(&["sbom", "--insecure", &format!("127.0.0.1:{port}/app-python:latest")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
}
