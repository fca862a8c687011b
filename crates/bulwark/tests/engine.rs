//! `podman:NAME` through the CLI, against a real `podman system service`: the same packages as
//! the docker-archive the image was loaded from.

mod support;

use support::{bulwark_json, corpus, purls, Podman};

#[test]
fn a_podman_image_gives_the_same_packages_as_its_docker_archive() {
    let podman = Podman::start();
    let archive = corpus().join("archives/app-python.tar");
    podman.load(&archive);
    let host = format!("unix://{}", podman.socket().display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["sbom", "-f", "json", "podman:app-python"])
        .env("DOCKER_HOST", &host)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let from_engine: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_archive = bulwark_json(&["sbom", "-f", "json", &format!("docker-archive:{}", archive.display())]);
    assert_eq!(purls(&from_engine), purls(&from_archive));
    assert_eq!(purls(&from_engine).len(), 118 + 18 + 53 + 8);
}
