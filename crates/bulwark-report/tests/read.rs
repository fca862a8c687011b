//! Reading SBOMs back into inventories: Syft's and Trivy's real CycloneDX and SPDX documents of the
//! app-python corpus image (tests/data/), Bulwark's own, and our renderers' output round-tripped.

mod support;

use bulwark_report::{read_sbom, render_sbom_with, ReadErrorKind, SbomFormat};
use bulwark_types::{Inventory, Package, PackageKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::*;

/// The documents in tests/data/ and the tool that wrote each.
const DOCUMENTS: [(&str, &str); 5] = [
    ("app-python.bulwark.cdx.json", "bulwark"),
    ("app-python.syft.cdx.json", "syft"),
    ("app-python.trivy.cdx.json", "trivy"),
    ("app-python.syft.spdx.json", "syft"),
    ("app-python.trivy.spdx.json", "trivy"),
];

fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_data(name: &str) -> Inventory {
    read_sbom(&data(name), name).unwrap_or_else(|e| panic!("{e}"))
}

/// The ground truth's packages of the kinds every tool reports (no edge cases).
fn truth_packages() -> Vec<Package> {
    app_python().packages.into_iter().filter(|p| p.found_by != "edge-case").collect()
}

/// Purls of the dpkg, Python and npm packages.
fn purls(packages: &[Package]) -> BTreeSet<String> {
    packages
        .iter()
        .filter(|p| matches!(p.kind, PackageKind::Deb | PackageKind::Python | PackageKind::Npm))
        .map(|p| p.purl.clone())
        .collect()
}

#[test]
fn every_tools_sbom_gives_the_packages_our_scan_finds() {
    let want = purls(&truth_packages());
    assert_eq!(want.len(), 118 + 18 + 53);
    for (name, tool) in DOCUMENTS {
        let inv = read_data(name);
        let got = purls(&inv.packages);
        let missing: Vec<&String> = want.difference(&got).collect();
        let extra: Vec<&String> = got.difference(&want).collect();
        assert!(missing.is_empty(), "{name}: missing {missing:?}");
        // Syft and Trivy also report the npm project itself (/app/node/package.json); the ground
        // truth and Bulwark list only what is installed in node_modules.
        let project = ["pkg:npm/corpus-node-app@1.0.0"];
        let want_extra: &[&str] = if tool == "bulwark" { &[] } else { &project };
        assert_eq!(extra, want_extra, "{name}");

        let os = inv.os.as_ref().unwrap_or_else(|| panic!("{name}: no OS"));
        assert_eq!((os.id.as_str(), os.version_id.as_str()), ("debian", "12"), "{name}");
        assert_eq!(inv.target.kind, "image", "{name}");
        assert!(
            inv.target.reference.ends_with("oci/app-python") || inv.target.reference.ends_with("app-python:latest")
        );
        assert!(inv.warnings.iter().all(|w| w.starts_with(name)), "{name}: {:?}", inv.warnings);
    }
}

#[test]
fn os_packages_carry_their_source_packages_and_ecosystem() {
    // Source package and version of every dpkg package, from the ground truth's dpkg.tsv.
    let truth: BTreeMap<String, (String, String)> = truth_packages()
        .into_iter()
        .filter(|p| p.kind == PackageKind::Deb)
        .filter_map(|p| Some((p.name.clone(), p.source.map(|s| (s.name, s.version))?)))
        .collect();
    assert_eq!(truth.get("libc6").map(|s| s.0.as_str()), Some("glibc"));
    for (name, _) in DOCUMENTS {
        let inv = read_data(name);
        let debs: Vec<&Package> = inv.packages.iter().filter(|p| p.kind == PackageKind::Deb).collect();
        assert_eq!(debs.len(), truth.len(), "{name}");
        for p in debs {
            let src = p.source.as_ref().map(|s| (s.name.clone(), s.version.clone()));
            assert_eq!(src.as_ref(), truth.get(&p.name), "{name}: {}", p.name);
            assert_eq!(p.ecosystem, "Debian:12", "{name}: {}", p.name);
            assert!(p.arch.as_deref().is_some_and(|a| a == "amd64" || a == "all"), "{name}: {}", p.name);
        }
        // The epoch Trivy moves into a purl qualifier is back in the version.
        let login = inv.packages.iter().find(|p| p.name == "login").expect("login");
        assert_eq!(login.version, "1:4.13+dfsg1-1+deb12u2", "{name}");
        let django =
            inv.packages.iter().find(|p| p.kind == PackageKind::Python && p.name.eq_ignore_ascii_case("django"));
        assert_eq!(django.map(|p| (p.version.as_str(), p.ecosystem.as_str())), Some(("2.2", "PyPI")), "{name}");
    }
    // Trivy writes the Debian point release; it is kept apart from the version.
    let trivy = read_data("app-python.trivy.cdx.json");
    assert_eq!(trivy.os.and_then(|os| os.point_release).as_deref(), Some("12.15"));
}

/// Findings as (purl, id) pairs.
fn matched(inv: &Inventory) -> BTreeSet<(String, String)> {
    let db = bulwark_vulndb::Store::open(store().0.path()).expect("open");
    let findings = bulwark_vulndb::match_packages(&db, &inv.packages).expect("match");
    findings.into_iter().map(|f| (inv.packages[f.package].purl.clone(), f.id)).collect()
}

#[test]
fn re_matching_an_sbom_finds_what_matching_the_scan_finds() {
    let truth = Inventory { packages: truth_packages(), ..app_python() };
    let want: BTreeSet<(String, String)> =
        matched(&truth).into_iter().filter(|(purl, _)| !purl.starts_with("pkg:cargo/")).collect();
    assert!(want.len() > 50, "{}", want.len());
    for (name, _) in DOCUMENTS {
        let got: BTreeSet<(String, String)> =
            matched(&read_data(name)).into_iter().filter(|(purl, _)| !purl.starts_with("pkg:cargo/")).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn our_own_sboms_round_trip() {
    let inv = app_python();
    let mut cdx = Vec::new();
    render_sbom_with(&inv, SbomFormat::CycloneDx, &fixed_meta(), &mut cdx).expect("render");
    let back = read_sbom(&cdx, "app.cdx.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.target, inv.target);
    assert_eq!(back.os, inv.os);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.packages.len(), inv.packages.len());
    for (b, p) in back.packages.iter().zip(&inv.packages) {
        // Licences are rewritten as CycloneDX needs them and owned files are not in the SBOM; a dpkg
        // package with no recorded source is its own source package.
        let mut comparable = Package { licenses: b.licenses.clone(), files: b.files.clone(), ..p.clone() };
        if p.kind == PackageKind::Deb && p.source.is_none() {
            comparable.source = Some(bulwark_types::SourcePackage { name: p.name.clone(), version: p.version.clone() });
        }
        assert_eq!(b, &comparable);
    }

    let mut spdx = Vec::new();
    render_sbom_with(&inv, SbomFormat::Spdx, &fixed_meta(), &mut spdx).expect("render");
    let back = read_sbom(&spdx, "app.spdx.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.target.reference, inv.target.reference);
    assert_eq!(back.target.manifest_digest, inv.target.manifest_digest);
    assert_eq!(back.os.as_ref().map(|o| (&o.id, &o.version_id)), inv.os.as_ref().map(|o| (&o.id, &o.version_id)));
    let key = |p: &Package| (p.kind, p.name.clone(), p.version.clone(), p.purl.clone(), p.ecosystem.clone());
    let got: Vec<_> = back.packages.iter().map(key).collect();
    let want: Vec<_> = inv.packages.iter().map(key).collect();
    assert_eq!(got, want);
    let sources =
        |ps: &[Package]| ps.iter().filter(|p| p.name != "libfoo1").map(|p| p.source.clone()).collect::<Vec<_>>();
    assert_eq!(sources(&back.packages), sources(&inv.packages));
    let lodash = back.packages.iter().find(|p| p.name == "lodash").expect("lodash");
    assert_eq!(lodash.locations, ["/app/node/node_modules/lodash/package.json"]);
    assert_eq!(lodash.licenses, ["MIT"]);
}

#[test]
fn what_is_not_a_readable_sbom_is_refused_with_a_reason() {
    let syft = String::from_utf8(data("app-python.syft.cdx.json")).expect("utf-8");
    let truncated = &syft[..syft.len() / 2];
    let truth = read(&corpus().join("truth/app-python/truth.json"));
    let mut wrong_type: serde_json::Value = serde_json::from_str(&syft).expect("json");
    wrong_type["components"] = "none".into();
    let wrong_type = wrong_type.to_string();
    let cases: Vec<(&str, String, ReadErrorKind, &str)> = vec![
        ("empty", String::new(), ReadErrorKind::NotJson, "not JSON: EOF while parsing"),
        ("truncated", truncated.to_string(), ReadErrorKind::NotJson, "not JSON: EOF while parsing"),
        ("array", "[1, 2]".into(), ReadErrorKind::NotJson, "not a JSON object"),
        (
            "yaml",
            "bomFormat: CycloneDX\n".into(),
            ReadErrorKind::NotJson,
            "not JSON: expected value at line 1 column 1",
        ),
        ("truth", truth, ReadErrorKind::UnknownFormat, "neither CycloneDX"),
        (
            "xml",
            "<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>".into(),
            ReadErrorKind::UnknownFormat,
            "XML",
        ),
        (
            "tag-value",
            "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n".into(),
            ReadErrorKind::UnknownFormat,
            "tag-value",
        ),
        (
            "cdx 2.0",
            syft.replacen("\"specVersion\":\"1.6\"", "\"specVersion\":\"2.0\"", 1),
            ReadErrorKind::UnsupportedVersion,
            "CycloneDX specVersion \"2.0\"",
        ),
        (
            "spdx 2.1",
            "{\"spdxVersion\": \"SPDX-2.1\", \"packages\": []}".into(),
            ReadErrorKind::UnsupportedVersion,
            "\"SPDX-2.1\" is not supported",
        ),
        (
            "spdx 3",
            "{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", \"@graph\": []}".into(),
            ReadErrorKind::UnsupportedVersion,
            "SPDX 3",
        ),
        ("other bomFormat", "{\"bomFormat\": \"SWID\"}".into(), ReadErrorKind::UnknownFormat, "unknown bomFormat"),
        (
            "components not an array",
            wrong_type,
            ReadErrorKind::Invalid,
            "at components: invalid type: string \"none\", expected a sequence",
        ),
    ];
    for (what, text, kind, message) in cases {
        let err = read_sbom(text.as_bytes(), "in.json").expect_err(what);
        assert_eq!(err.kind, kind, "{what}: {err}");
        assert!(err.to_string().starts_with("in.json: "), "{what}: {err}");
        assert!(err.message.contains(message), "{what}: {err}");
    }
}

#[test]
fn packages_without_a_known_purl_type_are_skipped_with_a_warning() {
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            { "type": "library", "name": "lodash", "version": "4.17.4", "purl": "pkg:npm/lodash@4.17.4" },
            { "type": "library", "name": "thing", "purl": "pkg:generic/thing@1" },
            { "type": "container", "name": "base", "purl": "pkg:oci/base@sha256%3Aabc" },
            { "type": "library", "name": "broken", "purl": "npm/broken@1" },
            { "type": "library", "name": "no purl" },
            { "type": "application", "name": "nested", "components": [
                { "type": "library", "name": "@types/node", "purl": "pkg:npm/%40types/node@20.11.30" },
                { "type": "library", "name": "log4j-core", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" },
                { "type": "library", "name": "bash", "purl": "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&epoch=1&distro=redhat-9.4&upstream=bash-5.1.8-9.el9.src.rpm" }
            ] }
        ]
    });
    let inv = read_sbom(doc.to_string().as_bytes(), "mixed.json").unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<(&str, &str, &str)> =
        inv.packages.iter().map(|p| (p.kind.as_str(), p.name.as_str(), p.version.as_str())).collect();
    assert_eq!(
        names,
        [
            ("rpm", "bash", "1:5.1.8-9.el9"),
            ("npm", "@types/node", "20.11.30"),
            ("npm", "lodash", "4.17.4"),
            ("maven", "org.apache.logging.log4j:log4j-core", "2.14.1")
        ]
    );
    let bash = &inv.packages[0];
    assert_eq!(bash.ecosystem, "Red Hat:enterprise_linux:9");
    assert_eq!(bash.purl, "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=redhat-9.4&epoch=1");
    assert_eq!(bash.source.as_ref().map(|s| (s.name.as_str(), s.version.as_str())), Some(("bash", "5.1.8-9.el9")));
    assert_eq!(inv.os.as_ref().map(|o| o.id.as_str()), Some("redhat"), "OS from the packages' distro");
    assert_eq!(inv.target.reference, "mixed.json");
    assert_eq!(
        inv.warnings,
        [
            "mixed.json: skipped 1 package(s) with purl type \"generic\"",
            "mixed.json: skipped 1 package(s) with purl type \"oci\"",
            "mixed.json: skipped 1 package(s) with unreadable purl (does not start with `pkg:`)",
        ]
    );
}
