//! Ground truth on the real corpus images: what `bulwark sbom --format json` reports must equal
//! what the images hold, from every source form.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::{bulwark_json, corpus, purls, truth, truth_tsv};

fn packages(inv: &Value, kind: &str) -> Vec<Value> {
    inv["packages"].as_array().expect("packages").iter().filter(|p| p["kind"] == kind).cloned().collect()
}

fn name_versions(inv: &Value, kind: &str) -> BTreeSet<(String, String)> {
    packages(inv, kind)
        .iter()
        .map(|p| {
            (p["name"].as_str().unwrap_or_default().to_string(), p["version"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn scan(reference: &str) -> Value {
    bulwark_json(&["sbom", "--format", "json", reference])
}

fn archive(image: &str) -> String {
    format!("docker-archive:{}", corpus().join("archives").join(format!("{image}.tar")).display())
}

fn oci(image: &str) -> String {
    format!("oci:{}:latest", corpus().join("oci").join(image).display())
}

#[test]
fn debian_min_dpkg_packages_equal_the_status_file() {
    let inv = scan(&oci("debian-min"));
    let want: BTreeSet<(String, String, String)> =
        truth_tsv("debian-min", "dpkg.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone())).collect();
    let got: BTreeSet<(String, String, String)> = packages(&inv, "deb")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["version"].as_str().unwrap().into(),
                p["arch"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 88);
    assert_eq!(inv["os"]["id"], "debian");
    assert_eq!(inv["os"]["version_id"], "12");
    for p in packages(&inv, "deb") {
        assert_eq!(p["ecosystem"], "Debian:12", "{p}");
        assert!(p["purl"].as_str().unwrap().starts_with("pkg:deb/debian/"), "{p}");
        assert!(p["purl"].as_str().unwrap().contains("distro=debian-12"), "{p}");
    }
    assert!(
        inv["packages"].as_array().unwrap().iter().all(|p| p["kind"] == "deb"),
        "debian-min has only dpkg packages"
    );
}

#[test]
fn app_python_packages_equal_the_ground_truth_from_every_source() {
    let t = truth("app-python");
    let from_archive = scan(&archive("app-python"));
    let from_oci = scan(&oci("app-python"));

    for inv in [&from_archive, &from_oci] {
        // dpkg: name, version, arch and source package as in the image's own status file.
        let want: BTreeSet<Vec<String>> = truth_tsv("app-python", "dpkg.tsv").into_iter().collect();
        let got: BTreeSet<Vec<String>> = packages(inv, "deb")
            .iter()
            .map(|p| {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
                vec![
                    s(&p["name"]),
                    s(&p["version"]),
                    s(&p["arch"]),
                    s(&p["source"]["name"]),
                    s(&p["source"]["version"]),
                ]
            })
            .collect();
        assert_eq!(got, want, "dpkg packages");
        assert_eq!(got.len(), 118);

        // Python: the 18 distributions of /opt/venv, PyJWT (deleted in layer 6) absent.
        let want: BTreeSet<(String, String)> = t["python_packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(want.len(), 18);
        assert_eq!(name_versions(inv, "python"), want, "python packages");
        assert!(!name_versions(inv, "python").iter().any(|(n, _)| n == "PyJWT"), "PyJWT was deleted in layer 6");

        // npm: 53 name@version pairs, each once although three files list it.
        let want: BTreeSet<(String, String)> =
            truth_tsv("app-python", "npm.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        assert_eq!(want.len(), 53);
        assert_eq!(name_versions(inv, "npm"), want, "npm packages");
        assert_eq!(packages(inv, "npm").len(), 53, "no npm package counted twice");

        // cargo: Cargo.lock's 8 packages; the binary's 5 are the same packages, not new ones.
        let want: BTreeSet<(String, String)> = t["cargo_lock_packages"]["/app/rust/Cargo.lock"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(name_versions(inv, "cargo"), want, "cargo packages");
        let smallvec = packages(inv, "cargo").into_iter().find(|p| p["name"] == "smallvec").unwrap();
        let locations: Vec<&str> =
            smallvec["locations"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        assert!(
            locations.contains(&"/app/rust/Cargo.lock") && locations.contains(&"/usr/local/bin/corpus-rustapp"),
            "{locations:?}"
        );
    }

    // Identical package sets (with purls and layers) whatever the source form.
    assert_eq!(purls(&from_archive), purls(&from_oci));

    // Reading every byte to check digests (--verify-layers) finds exactly what the default walk,
    // which seeks past unwanted entries of plain layer tars, finds.
    for (reference, unverified) in [(archive("app-python"), &from_archive), (oci("app-python"), &from_oci)] {
        let verified = bulwark_json(&["sbom", "--format", "json", "--verify-layers", &reference]);
        assert_eq!(verified["packages"], unverified["packages"], "{reference}");
        assert_eq!(verified["warnings"], unverified["warnings"], "{reference}");
    }
}

#[test]
fn app_python_packages_are_credited_to_the_layer_that_installed_them() {
    let inv = scan(&oci("app-python"));
    let t = truth("app-python");
    let layer_of = |kind: &str, name: &str| -> i64 {
        packages(&inv, kind).iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{kind} {name} missing"))
            ["layer"]["index"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(layer_of("deb", "bash"), 1, "bash comes with debootstrap");
    assert_eq!(layer_of("deb", "python3.11"), 2, "python3.11 was installed by layer 2's RUN");
    assert_eq!(layer_of("python", "Django"), 2);
    assert_eq!(layer_of("npm", "express"), 3);
    assert_eq!(layer_of("cargo", "smallvec"), 4);
    let digest_of = |i: usize| t["layers"][i - 1]["digest"].as_str().unwrap().to_string();
    let django = packages(&inv, "python").into_iter().find(|p| p["name"] == "Django").unwrap();
    assert_eq!(django["layer"]["digest"].as_str().unwrap(), digest_of(2));
    assert_eq!(django["purl"], "pkg:pypi/django@2.2");
    assert_eq!(django["ecosystem"], "PyPI");
}

#[test]
fn dpkg_packages_carry_their_licences_and_owned_files() {
    let strs = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str()).map(str::to_string).collect()).unwrap_or_default()
    };
    // Packages without a licence, checked by hand in the image: libgcc-s1, libstdc++6, libncursesw6,
    // libpython3.11-stdlib, python3-venv and python3.11-venv have /usr/share/doc/<pkg> as a symlink to
    // another package's directory; libcrypt1 and the python3 family have free-text copyright files
    // that name no /usr/share/common-licenses file.
    let cases: [(&str, usize, &[&str]); 2] = [
        ("debian-min", 88, &["libcrypt1", "libgcc-s1", "libstdc++6"]),
        (
            "app-python",
            118,
            &[
                "libcrypt1",
                "libgcc-s1",
                "libncursesw6",
                "libpython3-stdlib",
                "libpython3.11-stdlib",
                "libstdc++6",
                "python3",
                "python3-distutils",
                "python3-lib2to3",
                "python3-minimal",
                "python3-venv",
                "python3.11-venv",
            ],
        ),
    ];
    for (image, count, unlicensed) in cases {
        let inv = scan(&oci(image));
        let debs = packages(&inv, "deb");
        assert_eq!(debs.len(), count, "{image}");
        let without: Vec<&str> =
            debs.iter().filter(|p| strs(&p["licenses"]).is_empty()).filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(without, unlicensed, "{image}: packages without licences");
        for p in &debs {
            // Found in the status file; every package has a .list in this image: at least one owned file.
            assert_eq!(strs(&p["locations"]), ["/var/lib/dpkg/status"], "{p}");
            assert!(!strs(&p["files"]).is_empty(), "{image}: {} lists no owned files", p["name"]);
        }
        let bash = debs.iter().find(|p| p["name"] == "bash").expect("bash");
        let locations = strs(&bash["files"]);
        // dpkg lists /bin/bash; /bin is a symlink to usr/bin in these merged-/usr images.
        for path in ["/usr/bin/bash", "/usr/bin/rbash", "/usr/bin/bashbug", "/etc/bash.bashrc"] {
            assert!(locations.iter().any(|l| l == path), "{image}: {path} not in {locations:?}");
        }
        assert!(
            !locations.iter().any(|l| l == "/bin/bash" || l == "/usr/bin" || l == "/usr/share/info"),
            "{locations:?}"
        );
        assert!(strs(&bash["licenses"]).iter().any(|l| l == "GPL-3.0-or-later"), "{bash}");
    }
}
