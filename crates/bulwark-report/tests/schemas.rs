//! The SBOM renderers on a realistic inventory (the app-python corpus image's ground truth plus edge
//! cases), checked against the official CycloneDX 1.6 and SPDX 2.3 JSON schemas (tests/schemas/).

mod support;

use bulwark_report::{render_sbom, render_sbom_with, SbomFormat};
use bulwark_types::{Inventory, ScanTarget, INVENTORY_SCHEMA_VERSION};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use support::*;

fn render(inv: &Inventory, format: SbomFormat) -> Vec<u8> {
    let mut out = Vec::new();
    render_sbom_with(inv, format, &fixed_meta(), &mut out).expect("render");
    out
}

fn render_json(inv: &Inventory, format: SbomFormat) -> Value {
    serde_json::from_slice(&render(inv, format)).expect("renderer wrote JSON")
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

#[test]
fn cyclonedx_validates_against_the_official_1_6_schema() {
    let inv = app_python();
    let doc = render_json(&inv, SbomFormat::CycloneDx);
    let errors = violations(cyclonedx_validator(), &doc);
    assert!(errors.is_empty(), "{} schema violations:\n{}", errors.len(), errors.join("\n"));

    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["serialNumber"], "urn:uuid:3f0c5b1e-8d2a-4c6b-9e71-0a5d4f2b7c19");
    assert_eq!(doc["metadata"]["timestamp"], "2024-02-29T13:05:09Z");
    assert_eq!(doc["metadata"]["tools"]["components"][0]["name"], "bulwark");
    let root = &doc["metadata"]["component"];
    assert_eq!(root["type"], "container");
    let digest = inv.target.manifest_digest.as_deref().expect("digest");
    assert_eq!(root["version"], digest);
    assert_eq!(root["hashes"][0]["content"], digest.trim_start_matches("sha256:"));

    let components = doc["components"].as_array().expect("components");
    assert_eq!(components.len(), inv.packages.len() + 1);
    let os: Vec<&Value> = components.iter().filter(|c| c["type"] == "operating-system").collect();
    assert_eq!(os.len(), 1);
    assert_eq!((&os[0]["name"], &os[0]["version"]), (&Value::from("debian"), &Value::from("12")));

    // bom-refs are unique although three packages share a purl (two even a path).
    let mut refs: Vec<&str> = components.iter().map(|c| str_of(c, "bom-ref")).collect();
    refs.push(str_of(root, "bom-ref"));
    let unique: HashSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "duplicate bom-refs");
    let ms: Vec<&str> = components.iter().filter(|c| c["name"] == "ms").map(|c| str_of(c, "bom-ref")).collect();
    // The corpus's own ms@2.0.0 plus the three edge cases.
    assert_eq!(ms.len(), 4, "{ms:?}");
    assert!(ms.iter().all(|r| r.starts_with("pkg:npm/ms@2.0.0?file_path=%2Fapp%2F")), "{ms:?}");
    assert!(ms.contains(&"pkg:npm/ms@2.0.0?file_path=%2Fapp%2Fother%2Fnode_modules%2Fms%2Fpackage.json#2"), "{ms:?}");

    // Components follow the inventory's order and carry its purls and facts.
    for (p, c) in inv.packages.iter().zip(components.iter().filter(|c| c["type"] == "library")) {
        assert_eq!(c["purl"].as_str().unwrap_or_default(), p.purl);
        assert_eq!(c["version"].as_str().unwrap_or_default(), p.version);
        let props: HashMap<&str, &str> = c["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .map(|p| (str_of(p, "name"), str_of(p, "value")))
            .collect();
        assert_eq!(props["bulwark:package:type"], p.kind.as_str());
        assert_eq!(props["bulwark:foundBy"], p.found_by);
        assert_eq!(props["bulwark:location:0"], p.locations[0]);
        let layer = p.layer.as_ref().expect("layer");
        assert_eq!(props["bulwark:layer:digest"], layer.digest);
        assert_eq!(Some(props["bulwark:layer:diffID"]), layer.diff_id.as_deref());
    }

    // Dependencies: image → OS + language packages, OS → dpkg packages; every ref resolves.
    let deps = doc["dependencies"].as_array().expect("dependencies");
    let mut counted = 0;
    for d in deps {
        assert!(unique.contains(str_of(d, "ref")));
        for r in d["dependsOn"].as_array().expect("dependsOn") {
            assert!(unique.contains(r.as_str().expect("ref")), "dangling {r}");
            counted += 1;
        }
    }
    assert_eq!(counted, inv.packages.len() + 1);

    // Licences: SPDX id → id, expression → expression, anything else → name.
    let by_name = |name: &str| components.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(by_name("lodash")["licenses"], serde_json::json!([{ "license": { "id": "MIT" } }]));
    assert_eq!(by_name("requests")["licenses"], serde_json::json!([{ "license": { "name": "Apache 2.0" } }]));
    assert_eq!(by_name("core")["group"], "@babel");
    assert_eq!(by_name("core")["licenses"], serde_json::json!([{ "expression": "(MIT OR Apache-2.0)" }]));
    assert_eq!(by_name("log4j-core")["group"], "org.apache.logging.log4j");
    assert_eq!(
        by_name("café")["licenses"],
        serde_json::json!([{ "license": { "id": "Ruby" } }, { "license": { "name": "Propriétaire / interne" } }])
    );
}

#[test]
fn cyclonedx_schema_rejects_broken_documents() {
    let inv = app_python();
    let doc = render_json(&inv, SbomFormat::CycloneDx);
    let v = cyclonedx_validator();

    let mut no_name = doc.clone();
    no_name["components"][3].as_object_mut().expect("component").remove("name");
    let errors = violations(v, &no_name);
    assert!(errors.iter().any(|e| e.starts_with("/components/3") && e.contains("name")), "{errors:?}");

    // `license.id` must come from the SPDX list in spdx.schema.json: proves the $ref is resolved.
    let mut bad_id = doc.clone();
    let lodash = bad_id["components"]
        .as_array_mut()
        .expect("components")
        .iter_mut()
        .find(|c| c["name"] == "lodash")
        .expect("lodash");
    lodash["licenses"] = serde_json::json!([{ "license": { "id": "Apache 2.0" } }]);
    assert!(!v.is_valid(&bad_id));

    let mut bad_serial = doc.clone();
    bad_serial["serialNumber"] = "3f0c5b1e-8d2a-4c6b-9e71-0a5d4f2b7c19".into();
    assert!(!v.is_valid(&bad_serial));

    let mut bad_time = doc;
    bad_time["metadata"]["timestamp"] = "29/02/2024 13:05".into();
    assert!(!v.is_valid(&bad_time), "date-time format is checked");
}

#[test]
fn embedded_cyclonedx_license_ids_match_the_schema() {
    let embedded: Vec<&str> = include_str!("../src/cyclonedx-license-ids.txt").lines().collect();
    let mut enumerated: Vec<String> = schema("spdx.schema.json")["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .map(|v| v.as_str().expect("id").to_string())
        .collect();
    enumerated.sort();
    assert_eq!(embedded, enumerated);
}

// ---------------------------------------------------------------------------------------------
// SPDX

/// Whether `id` matches `^SPDXRef-[A-Za-z0-9.-]+$`.
fn is_spdx_ref(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

/// Whether `s` matches the SPDX 2.3 JSON schema's later `created` pattern (`YYYY-MM-DDThh:mm:ssZ`).
fn is_spdx_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() == 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'Z'
}

#[test]
fn spdx_validates_against_the_official_2_3_schema() {
    let inv = app_python();
    let doc = render_json(&inv, SbomFormat::Spdx);
    let errors = violations(spdx_validator(), &doc);
    assert!(errors.is_empty(), "{} schema violations:\n{}", errors.len(), errors.join("\n"));

    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["creationInfo"]["creators"][0], format!("Tool: bulwark-{}", bulwark_report::TOOL_VERSION));
    assert!(is_spdx_timestamp(str_of(&doc["creationInfo"], "created")));
    let ns = str_of(&doc, "documentNamespace");
    assert!(
        ns.starts_with("https://") && ns.ends_with("3f0c5b1e-8d2a-4c6b-9e71-0a5d4f2b7c19") && !ns.contains('#'),
        "{ns}"
    );

    let packages = doc["packages"].as_array().expect("packages");
    assert_eq!(packages.len(), inv.packages.len() + 2, "root + OS + one per package");
    let ids: Vec<&str> = packages.iter().map(|p| str_of(p, "SPDXID")).collect();
    assert!(ids.iter().all(|id| is_spdx_ref(id)), "{ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "duplicate SPDXIDs");
    assert!(ids.iter().any(|id| id.starts_with("SPDXRef-Package-npm-types-node-")), "{ids:?}");

    // Every licenseDeclared is a valid SPDX expression, and each LicenseRef in it is declared.
    let declared: HashMap<&str, &str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .expect("hasExtractedLicensingInfos")
        .iter()
        .map(|i| (str_of(i, "licenseId"), str_of(i, "extractedText")))
        .collect();
    for p in packages {
        let expr = str_of(p, "licenseDeclared");
        if expr == "NOASSERTION" {
            continue;
        }
        let parsed =
            spdx::Expression::parse_mode(expr, spdx::ParseMode { allow_deprecated: true, ..Default::default() })
                .unwrap_or_else(|e| panic!("{}: {expr:?} is not an SPDX expression: {e}", str_of(p, "name")));
        for req in parsed.requirements() {
            if let spdx::LicenseItem::Other(r) = &req.req.license {
                assert!(r.doc_ref.is_none(), "{expr}");
                let id = format!("LicenseRef-{}", r.lic_ref);
                assert!(declared.contains_key(id.as_str()), "{id} used by {} is not declared", str_of(p, "name"));
            }
        }
    }
    assert_eq!(declared.get("LicenseRef-Apache-2.0"), Some(&"Apache 2.0"));
    assert_eq!(declared.get("LicenseRef-BSD"), Some(&"BSD"));
    let by_name = |name: &str| packages.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(by_name("lodash")["licenseDeclared"], "MIT");
    assert_eq!(by_name("cryptography")["licenseDeclared"], "LicenseRef-BSD-or-Apache-License-Version-2.0");
    assert_eq!(by_name("libfoo1")["licenseDeclared"], "GPL-2.0-or-later WITH Classpath-exception-2.0");
    assert_eq!(
        by_name("naïve_Pkg.name")["licenseDeclared"],
        "LicenseRef-Proprietary AND (MIT AND BSD-3-Clause) AND LicenseRef-GPLv2"
    );
    assert_eq!(
        by_name("lodash")["externalRefs"],
        serde_json::json!([{
            "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/lodash@4.17.4"
        }])
    );

    // DOCUMENT DESCRIBES root; root CONTAINS the OS and every package; every id resolves.
    let rels = doc["relationships"].as_array().expect("relationships");
    assert_eq!(rels.len(), packages.len());
    assert_eq!(
        (&rels[0]["spdxElementId"], &rels[0]["relationshipType"]),
        (&"SPDXRef-DOCUMENT".into(), &"DESCRIBES".into())
    );
    let root = &rels[0]["relatedSpdxElement"];
    assert_eq!(root, &packages[0]["SPDXID"]);
    for r in &rels[1..] {
        assert_eq!((&r["spdxElementId"], &r["relationshipType"]), (root, &"CONTAINS".into()));
        assert!(ids.contains(&str_of(r, "relatedSpdxElement")));
    }
}

#[test]
fn spdx_schema_rejects_broken_documents() {
    let inv = app_python();
    let doc = render_json(&inv, SbomFormat::Spdx);
    let v = spdx_validator();

    let mut no_name = doc.clone();
    no_name["packages"][5].as_object_mut().expect("package").remove("name");
    let errors = violations(v, &no_name);
    assert!(errors.iter().any(|e| e.starts_with("/packages/5") && e.contains("name")), "{errors:?}");

    let mut bad_rel = doc.clone();
    bad_rel["relationships"][1]["relationshipType"] = "INCLUDES".into();
    assert!(!v.is_valid(&bad_rel));

    let mut bad_ref = doc;
    bad_ref["packages"][5]["externalRefs"][0]["referenceCategory"] = "PACKAGE_MANAGER_X".into();
    assert!(!v.is_valid(&bad_ref));
}

// ---------------------------------------------------------------------------------------------
// Document identity, JSON and table

#[test]
fn every_document_gets_its_own_serial_number_and_namespace() {
    let inv = app_python();
    let mut a = Vec::new();
    let mut b = Vec::new();
    render_sbom(&inv, SbomFormat::CycloneDx, &mut a).expect("render");
    render_sbom(&inv, SbomFormat::CycloneDx, &mut b).expect("render");
    let (a, b): (Value, Value) = (serde_json::from_slice(&a).expect("json"), serde_json::from_slice(&b).expect("json"));
    assert_ne!(a["serialNumber"], b["serialNumber"]);
    assert!(cyclonedx_validator().is_valid(&a));

    let mut a = Vec::new();
    let mut b = Vec::new();
    render_sbom(&inv, SbomFormat::Spdx, &mut a).expect("render");
    render_sbom(&inv, SbomFormat::Spdx, &mut b).expect("render");
    let (a, b): (Value, Value) = (serde_json::from_slice(&a).expect("json"), serde_json::from_slice(&b).expect("json"));
    assert_ne!(a["documentNamespace"], b["documentNamespace"]);
}

#[test]
fn json_is_the_inventory_and_round_trips() {
    let inv = app_python();
    let text = render(&inv, SbomFormat::Json);
    let back: Inventory = serde_json::from_slice(&text).expect("parses as Inventory");
    assert_eq!(back, inv);
    let v: Value = serde_json::from_slice(&text).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["packages"][0]["kind"], "deb");
    // The fields docs/inventory-json.md documents are the ones written.
    let doc = read(&workspace().join("docs/inventory-json.md"));
    let mut keys = Vec::new();
    for obj in [&v, &v["target"], &v["target"]["layers"][0], &v["os"], &v["packages"][0], &v["packages"][0]["source"]] {
        keys.extend(obj.as_object().expect("object").keys().cloned());
    }
    for k in keys {
        assert!(doc.contains(&format!("`{k}`")), "docs/inventory-json.md does not document `{k}`");
    }
}

#[test]
fn table_is_plain_sorted_text_with_a_header() {
    let inv = app_python();
    let text = String::from_utf8(render(&inv, SbomFormat::Table)).expect("utf-8");
    assert!(!text.contains('\u{1b}'), "no ANSI escapes");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "Target:   oci:corpus-cache/oci/app-python:latest ({})",
            inv.target.manifest_digest.as_deref().unwrap_or_default()
        )
    );
    assert_eq!(lines[1], "OS:       Debian GNU/Linux 12 (bookworm)");
    assert_eq!(lines[2], format!("Packages: {}", inv.packages.len()));
    let cells = |l: &str| l.trim_matches('|').split('|').map(str::trim).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(cells(lines[4]), ["NAME", "VERSION", "TYPE", "ECOSYSTEM", "LAYER", "PATH"]);
    let rows: Vec<Vec<String>> = lines[6..].iter().map(|l| cells(l)).collect();
    assert_eq!(rows.len(), inv.packages.len(), "one line per package, no wrapping");
    let keys: Vec<(String, String)> = rows.iter().map(|r| (r[0].to_lowercase(), r[1].clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let lodash = rows.iter().find(|r| r[0] == "lodash").expect("lodash row");
    assert_eq!(lodash[1..], ["4.17.4", "npm", "npm", "3", "/app/node/node_modules/lodash/package.json"]);
    let evil = rows.iter().find(|r| r[0].starts_with("evil")).expect("escaped row");
    assert_eq!(evil[0], "evil\\u{1b}[31mred\\u{1b}[0m");
    assert_eq!(evil[5], "/app/node/node_modules/evil\\u{a}name/package.json");
}

#[test]
fn table_of_an_empty_inventory_says_so() {
    let inv = Inventory { schema_version: INVENTORY_SCHEMA_VERSION, ..Default::default() };
    let text = String::from_utf8(render(&inv, SbomFormat::Table)).expect("utf-8");
    assert_eq!(text, "Target:   \nOS:       unknown\nPackages: 0\n\nNo packages found.\n");
    // The SBOM formats stay valid for an empty directory scan too.
    let inv = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        target: ScanTarget { reference: "dir:/empty".into(), kind: "directory".into(), ..Default::default() },
        ..Default::default()
    };
    let cdx = render_json(&inv, SbomFormat::CycloneDx);
    assert_eq!(violations(cyclonedx_validator(), &cdx), Vec::<String>::new());
    assert_eq!(cdx["metadata"]["component"]["type"], "file");
    let spdx = render_json(&inv, SbomFormat::Spdx);
    assert_eq!(violations(spdx_validator(), &spdx), Vec::<String>::new());
}
