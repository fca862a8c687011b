//! Inputs shared by the integration tests: the corpus and its ground truth, the official schemas
//! and validators for them, and the app-python inventory built from the ground truth.
#![allow(dead_code)]

use bulwark_report::DocumentMeta;
use bulwark_types::{
    purl_for, Inventory, LayerRef, OsRelease, Package, PackageKind, ScanTarget, SourcePackage, INVENTORY_SCHEMA_VERSION,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

// ---------------------------------------------------------------------------------------------
// Inputs: the corpus, its ground truth, the schemas.

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The corpus cache (`BULWARK_CORPUS` or `<workspace>/corpus-cache`), laid out by prebuilt.sh when missing.
pub fn corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::var_os("BULWARK_CORPUS").map(PathBuf::from).unwrap_or_else(|| workspace().join("corpus-cache"));
        let ready = |d: &Path| {
            d.join("truth/app-python/truth.json").is_file()
                && d.join("truth/debian-min/dpkg.tsv").is_file()
                && d.join("oci/app-python/index.json").is_file()
        };
        if !ready(&dir) {
            let script = workspace().join("../shared/corpus/prebuilt.sh");
            let status = Command::new("bash").arg(&script).arg(&dir).status().expect("run prebuilt.sh");
            assert!(status.success() && ready(&dir), "{} {} failed", script.display(), dir.display());
        }
        dir
    })
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rows of a TSV file, header skipped.
pub fn tsv(path: &Path) -> Vec<Vec<String>> {
    read(path).lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

pub fn schema(name: &str) -> Value {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas").join(name))
}

/// Validator for `bom-1.6.schema.json`, its `$ref`s to spdx.schema.json and jsf-0.82.schema.json
/// served from the local copies (the crate is built without HTTP resolving: no network).
pub fn cyclonedx_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let registry = jsonschema::Registry::new()
            .add("http://cyclonedx.org/schema/spdx.schema.json", schema("spdx.schema.json"))
            .and_then(|r| r.add("http://cyclonedx.org/schema/jsf-0.82.schema.json", schema("jsf-0.82.schema.json")))
            .and_then(|r| r.prepare())
            .expect("registry");
        jsonschema::options()
            .with_registry(&registry)
            .should_validate_formats(true)
            .build(&schema("bom-1.6.schema.json"))
            .expect("CycloneDX schema compiles")
    })
}

pub fn spdx_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema("spdx-schema-2.3.json"))
            .expect("SPDX schema compiles")
    })
}

/// Every schema violation, as `path: message` lines.
pub fn violations(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{}: {}", e.instance_path(), e)).collect()
}

// ---------------------------------------------------------------------------------------------
// The inventory under test.

pub fn debian12() -> OsRelease {
    // As the corpus README and the image's /etc/os-release say.
    OsRelease {
        id: "debian".into(),
        version_id: "12".into(),
        pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
        codename: Some("bookworm".into()),
        point_release: None,
        source_path: "/etc/os-release".into(),
    }
}

/// Licences declared by the image's Python and npm packages (tests/testdata/licenses.tsv).
pub fn declared_licenses() -> HashMap<(String, String, String), String> {
    tsv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/licenses.tsv"))
        .into_iter()
        .map(|r| ((r[0].clone(), r[1].clone(), r[2].clone()), r.get(3).cloned().unwrap_or_default()))
        .collect()
}

pub fn pkg(
    kind: PackageKind,
    name: &str,
    version: &str,
    found_by: &str,
    location: &str,
    layer: Option<&LayerRef>,
) -> Package {
    let mut p = Package::new(kind, name, version, found_by);
    p.locations = vec![location.to_string()];
    p.layer = layer.cloned();
    p.ecosystem = kind.language_ecosystem().map(str::to_string).unwrap_or_else(|| "Debian:12".into());
    p
}

/// The app-python image as a scan of it should report it (from truth.json, dpkg.tsv and the OCI
/// layout), plus edge cases a real scan can meet.
pub fn app_python() -> Inventory {
    let c = corpus();
    let truth = read_json(&c.join("truth/app-python/truth.json"));
    let layers: Vec<LayerRef> = truth["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| LayerRef {
            index: l["index"].as_u64().expect("index") as usize,
            digest: str_of(l, "digest").to_string(),
            diff_id: l["diff_id"].as_str().map(str::to_string),
        })
        .collect();
    let layer = |i: usize| layers.iter().find(|l| l.index == i).expect("layer");
    let index = read_json(&c.join("oci/app-python/index.json"));
    let manifest_digest = str_of(&index["manifests"][0], "digest").to_string();
    let blob = |d: &str| c.join("oci/app-python/blobs/sha256").join(d.trim_start_matches("sha256:"));
    let manifest = read_json(&blob(&manifest_digest));
    let config_digest = str_of(&manifest["config"], "digest").to_string();
    let config = read_json(&blob(&config_digest));
    let os = debian12();
    let licenses = declared_licenses();

    let mut packages = Vec::new();
    let base: HashSet<String> = tsv(&c.join("truth/debian-min/dpkg.tsv")).into_iter().map(|r| r[0].clone()).collect();
    for r in tsv(&c.join("truth/app-python/dpkg.tsv")) {
        let l = if base.contains(&r[0]) { 1 } else { 2 };
        let mut p = pkg(PackageKind::Deb, &r[0], &r[1], "os/dpkg", "/var/lib/dpkg/status", Some(layer(l)));
        p.arch = Some(r[2].clone());
        p.source = Some(SourcePackage { name: r[3].clone(), version: r[4].clone() });
        packages.push(p);
    }
    let lang = [
        (PackageKind::Python, "python_packages", "python", 2),
        (PackageKind::Npm, "npm_packages_in_node_modules", "npm", 3),
    ];
    for (kind, key, tag, l) in lang {
        for e in truth[key].as_array().expect(key) {
            let (name, version) = (str_of(e, "name"), str_of(e, "version"));
            let mut p = pkg(kind, name, version, &format!("lang/{tag}"), str_of(e, "path"), Some(layer(l)));
            let lic = licenses.get(&(tag.to_string(), name.to_string(), version.to_string()));
            p.licenses = lic.filter(|l| !l.is_empty()).map(|l| vec![l.clone()]).unwrap_or_default();
            packages.push(p);
        }
    }
    for e in truth["cargo_lock_packages"]["/app/rust/Cargo.lock"].as_array().expect("cargo") {
        let (name, version) = (str_of(e, "name"), str_of(e, "version"));
        packages.push(pkg(PackageKind::Cargo, name, version, "lang/cargo", "/app/rust/Cargo.lock", Some(layer(4))));
    }
    assert_eq!(packages.len(), 118 + 18 + 53 + 8, "ground truth changed");
    packages.extend(edge_cases(layer(5)));
    for p in &mut packages {
        p.purl = purl_for(p, Some(&os));
    }
    packages.sort_by(|a, b| (a.kind, &a.name, &a.version).cmp(&(b.kind, &b.name, &b.version)));

    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        target: ScanTarget {
            reference: "oci:corpus-cache/oci/app-python:latest".into(),
            kind: "image".into(),
            manifest_digest: Some(manifest_digest),
            config_digest: Some(config_digest),
            architecture: str_of(&config, "architecture").to_string(),
            os: str_of(&config, "os").to_string(),
            layers,
        },
        os: Some(os),
        packages,
        warnings: vec!["/app/broken/package.json: expected value at line 1 column 1".into()],
    }
}

/// Package data that stresses ids and licences: scoped names, `+`/`:`/`~` in versions, free-text
/// licences, non-ASCII and control characters, purls shared by several packages.
pub fn edge_cases(l5: &LayerRef) -> Vec<Package> {
    let mut out = Vec::new();
    let mut add = |kind, name: &str, version: &str, path: &str, licenses: &[&str]| {
        let mut p = pkg(kind, name, version, "edge-case", path, Some(l5));
        p.licenses = licenses.iter().map(|s| s.to_string()).collect();
        out.push(p);
    };
    add(PackageKind::Npm, "@types/node", "20.11.30", "/app/node/node_modules/@types/node/package.json", &["MIT"]);
    add(
        PackageKind::Npm,
        "@babel/core",
        "7.24.0",
        "/app/node/node_modules/@babel/core/package.json",
        &["(MIT OR Apache-2.0)"],
    );
    // The same purl as the corpus's ms@2.0.0 at three more places; two of them share even the path.
    add(PackageKind::Npm, "ms", "2.0.0", "/app/node/node_modules/debug/node_modules/ms/package.json", &["MIT"]);
    add(PackageKind::Npm, "ms", "2.0.0", "/app/other/node_modules/ms/package.json", &["MIT"]);
    add(PackageKind::Npm, "ms", "2.0.0", "/app/other/node_modules/ms/package.json", &["MIT"]);
    add(
        PackageKind::Deb,
        "libfoo1",
        "1:2.3~rc1+dfsg-4+deb12u1",
        "/var/lib/dpkg/status",
        &["GPL-2.0-or-later WITH Classpath-exception-2.0"],
    );
    add(
        PackageKind::Go,
        "github.com/example/mod",
        "v2.0.0+incompatible",
        "/usr/local/bin/app",
        &["BSD-3-Clause", "Apache 2.0"],
    );
    add(
        PackageKind::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.14.1",
        "/app/lib/log4j-core-2.14.1.jar",
        &["Apache-2.0"],
    );
    add(
        PackageKind::Gem,
        "café",
        "1.0.0",
        "/usr/lib/ruby/gems/3.1.0/specifications/café-1.0.0.gemspec",
        &["Ruby", "Propriétaire / interne"],
    );
    add(
        PackageKind::Python,
        "naïve_Pkg.name",
        "1.0.post1+local.7",
        "/opt/venv/lib/python3.11/site-packages/naïve_Pkg.name-1.0.post1+local.7.dist-info/METADATA",
        &["LicenseRef-Proprietary", "MIT AND BSD-3-Clause", "GPLv2+"],
    );
    add(PackageKind::Cargo, "local-crate", "", "/app/rust/Cargo.lock", &[]);
    add(
        PackageKind::Npm,
        "evil\u{1b}[31mred\u{1b}[0m",
        "1.0.0",
        "/app/node/node_modules/evil\nname/package.json",
        &["MIT"],
    );
    out
}

pub fn fixed_meta() -> DocumentMeta {
    DocumentMeta {
        created: UNIX_EPOCH + Duration::from_secs(1_709_211_909),
        id: uuid::Uuid::parse_str("3f0c5b1e-8d2a-4c6b-9e71-0a5d4f2b7c19").expect("uuid"),
    }
}

/// Validator for the official SARIF 2.1.0 schema (draft-04, tests/schemas/sarif-schema-2.1.0.json).
pub fn sarif_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema("sarif-schema-2.1.0.json"))
            .expect("SARIF schema compiles")
    })
}

// ---------------------------------------------------------------------------------------------
// Real findings: the shared OSV advisories imported into a database, matched against app-python.

/// The shared advisory collection: `BULWARK_VULNDATA`, else `shared/vulndata` beside the checkout.
pub fn vulndata() -> PathBuf {
    let dir = std::env::var_os("BULWARK_VULNDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/vulndata"));
    assert!(dir.join("osv/ecosystems.txt").is_file(), "vulndata not found at {} (set BULWARK_VULNDATA)", dir.display());
    dir
}

/// A database holding every `osv/*/all.zip` of the shared advisories, imported once per test binary.
pub fn store() -> &'static (tempfile::TempDir, bulwark_vulndb::Status) {
    static DB: OnceLock<(tempfile::TempDir, bulwark_vulndb::Status)> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let osv = vulndata().join("osv");
        let mut zips: Vec<PathBuf> = std::fs::read_dir(&osv)
            .expect("osv dir")
            .map(|e| e.expect("entry").path().join("all.zip"))
            .filter(|p| p.is_file())
            .collect();
        zips.sort();
        assert!(zips.len() >= 5, "{zips:?}");
        let sources: Vec<&Path> = zips.iter().map(PathBuf::as_path).collect();
        bulwark_vulndb::import_paths(dir.path(), &sources, &bulwark_vulndb::ImportLimits::default()).expect("import");
        let status = bulwark_vulndb::Store::open(dir.path()).and_then(|s| s.status()).expect("status");
        (dir, status)
    })
}

/// The app-python inventory with its real findings, ranked by the real policy code (no filters), and
/// the last three findings moved to `suppressed`: by an ignore-file rule, by a VEX `not_affected`
/// statement and by a VEX `fixed` statement.
pub fn scan_report() -> bulwark_types::ScanReport {
    use bulwark_vulndb::policy::{self, Policy};
    let inventory = app_python();
    let (dir, status) = store();
    let db = bulwark_vulndb::Store::open(dir.path()).expect("open");
    let findings = bulwark_vulndb::match_packages(&db, &inventory.packages).expect("match");
    let applied = policy::apply(&Policy { today: "2026-11-23".into(), ..Default::default() }, &inventory, findings);
    let mut findings = applied.findings;
    let rules = [
        ("ignore-file", ".bulwarkignore.yaml", "test fixture, never deployed"),
        ("vex", "app.openvex.json", "not_affected: vulnerable_code_not_in_execute_path"),
        ("vex", "app.openvex.json", "fixed"),
    ];
    let mut suppressed = Vec::new();
    for (by, source, reason) in rules {
        let finding = findings.pop().expect("enough findings to suppress three");
        suppressed.push(bulwark_types::Suppression {
            finding,
            by: by.into(),
            source: source.into(),
            reason: reason.into(),
        });
    }
    bulwark_types::ScanReport {
        schema_version: INVENTORY_SCHEMA_VERSION,
        inventory,
        findings,
        suppressed,
        database: Some(status.database_info()),
        warnings: applied.warnings,
        ..Default::default()
    }
}
