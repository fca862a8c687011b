//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).
//!
//! One root package for the scanned image or directory (DOCUMENT DESCRIBES it), one package for the
//! operating system (`primaryPackagePurpose: OPERATING_SYSTEM`) and one per found package, each
//! CONTAINED by the root. Declared licences that are not SPDX expressions become `LicenseRef-…`
//! ids, each declared in `hasExtractedLicensingInfos` with the original text.

use crate::ids::{idstring, Unique};
use crate::license::{self, Licence};
use crate::{time, DocumentMeta, TOOL_VERSION};
use bulwark_types::{Inventory, OsRelease, Package};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// Writes `inv` as an SPDX 2.3 JSON document.
pub fn render(inv: &Inventory, meta: &DocumentMeta, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(inv, meta))?;
    out.write_all(b"\n")
}

/// The top-level SPDX document; only the fields Bulwark fills.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<SpdxPackage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicence>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    license_list_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

impl<'a> SpdxPackage<'a> {
    /// A package with nothing concluded, nothing downloaded and no files analysed.
    fn new(spdx_id: String, name: &'a str) -> Self {
        SpdxPackage {
            spdx_id,
            name: if name.is_empty() { "unnamed" } else { name },
            version_info: None,
            primary_package_purpose: None,
            download_location: "NOASSERTION",
            files_analyzed: false,
            checksums: Vec::new(),
            license_concluded: "NOASSERTION",
            license_declared: "NOASSERTION".to_string(),
            copyright_text: "NOASSERTION",
            external_refs: Vec::new(),
            source_info: None,
            description: None,
            comment: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicence {
    license_id: String,
    extracted_text: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship { spdx_element_id: from.to_string(), relationship_type: kind, related_spdx_element: to.to_string() }
}

/// The whole document.
fn document<'a>(inv: &'a Inventory, meta: &DocumentMeta) -> Document<'a> {
    let t = &inv.target;
    let is_image = t.kind == "image";
    let root_id =
        format!("SPDXRef-DocumentRoot-{}-{}", if is_image { "Image" } else { "Directory" }, idstring(&t.reference));

    let mut refs = LicenseRefs::default();
    let mut relationships = vec![relationship("SPDXRef-DOCUMENT", "DESCRIBES", &root_id)];
    let mut packages = vec![root_package(inv, root_id.clone())];
    if let Some(os) = &inv.os {
        let id = format!("SPDXRef-OperatingSystem-{}-{}", idstring(&os.id), idstring(&os.version_id));
        relationships.push(relationship(&root_id, "CONTAINS", &id));
        packages.push(os_package(os, id));
    }
    for (n, p) in inv.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{}-{}", p.kind.as_str(), idstring(&p.name), n + 1);
        relationships.push(relationship(&root_id, "CONTAINS", &id));
        packages.push(package(p, id, &mut refs));
    }

    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: if t.reference.is_empty() { "unnamed" } else { &t.reference },
        document_namespace: format!(
            "https://spdx.org/spdxdocs/bulwark-{}-{}-{}",
            if is_image { "image" } else { "dir" },
            idstring(&t.reference),
            meta.id.hyphenated()
        ),
        creation_info: CreationInfo {
            created: time::rfc3339(meta.created),
            creators: vec![format!("Tool: bulwark-{TOOL_VERSION}")],
            license_list_version: license_list_version(),
        },
        packages,
        has_extracted_licensing_infos: refs
            .declared
            .into_iter()
            .map(|(id, text)| ExtractedLicence { license_id: id, name: text.clone(), extracted_text: text })
            .collect(),
        relationships,
    }
}

/// `MAJOR.MINOR` of the SPDX licence list the expression parser knows.
fn license_list_version() -> String {
    spdx::identifiers::VERSION.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// The scanned image or directory.
fn root_package(inv: &Inventory, id: String) -> SpdxPackage<'_> {
    let t = &inv.target;
    let mut m = SpdxPackage::new(id, &t.reference);
    m.primary_package_purpose = Some(if t.kind == "image" { "CONTAINER" } else { "OTHER" });
    if let Some(d) = &t.manifest_digest {
        m.version_info = Some(d);
        if let Some(hex) =
            d.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            m.checksums.push(Checksum { algorithm: "SHA256", checksum_value: hex.to_ascii_lowercase() });
        }
    }
    let mut facts = Vec::new();
    if let Some(d) = &t.config_digest {
        facts.push(format!("image id (config digest) {d}"));
    }
    if !t.os.is_empty() || !t.architecture.is_empty() {
        facts.push(format!("platform {}/{}", t.os, t.architecture));
    }
    facts.extend(t.layers.iter().map(|l| format!("layer {} {}", l.index, l.digest)));
    if !facts.is_empty() {
        m.comment = Some(facts.join("; "));
    }
    m
}

/// The distribution.
fn os_package(os: &OsRelease, id: String) -> SpdxPackage<'_> {
    let mut m = SpdxPackage::new(id, &os.id);
    m.primary_package_purpose = Some("OPERATING_SYSTEM");
    m.version_info = Some(os.version_id.as_str()).filter(|v| !v.is_empty());
    m.description = Some(os.pretty_name.as_str()).filter(|v| !v.is_empty());
    if !os.source_path.is_empty() {
        m.source_info = Some(format!("identified from {}", os.source_path));
    }
    m
}

/// One found package.
fn package<'a>(p: &'a Package, id: String, refs: &mut LicenseRefs) -> SpdxPackage<'a> {
    let mut m = SpdxPackage::new(id, &p.name);
    m.version_info = Some(p.version.as_str()).filter(|v| !v.is_empty());
    m.license_declared = refs.expression(&p.licenses);
    if !p.purl.is_empty() {
        m.external_refs.push(ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: &p.purl,
        });
    }
    let mut info = format!("acquired package info from {}", p.found_by);
    if let Some(loc) = p.locations.first() {
        info.push_str(&format!(": {loc}"));
    }
    if let Some(layer) = &p.layer {
        info.push_str(&format!(" (layer {} {})", layer.index, layer.digest));
    }
    m.source_info = Some(info);
    if let Some(src) = &p.source {
        m.comment = Some(format!("source package {} {}", src.name, src.version));
    }
    m
}

/// The `LicenseRef-` ids of one document and the text each stands for.
#[derive(Default)]
struct LicenseRefs {
    /// `LicenseRef-…` id → extracted text, in id order.
    declared: BTreeMap<String, String>,
    /// Free-text licence → the id made for it.
    by_text: BTreeMap<String, String>,
    ids: Unique,
}

impl LicenseRefs {
    /// The `licenseDeclared` value for a package's declared licences: their conjunction, with free text
    /// replaced by `LicenseRef-` ids; `NOASSERTION` when none were declared.
    fn expression(&mut self, licenses: &[String]) -> String {
        let entries = license::declared(licenses);
        let many = entries.len() > 1;
        let mut terms: Vec<String> = Vec::new();
        for entry in entries {
            let term = match license::classify(entry) {
                Licence::Id(id) => id.to_string(),
                Licence::Expression { text, refs } => {
                    for r in refs {
                        let id = format!("LicenseRef-{r}");
                        if !self.ids.contains(&id) {
                            self.ids.claim(&id, "-");
                            self.declared.insert(id, text.to_string());
                        }
                    }
                    if many && text.contains(' ') {
                        format!("({text})")
                    } else {
                        text.to_string()
                    }
                }
                Licence::Other(text) => self.ref_for(text),
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.is_empty() {
            "NOASSERTION".to_string()
        } else {
            terms.join(" AND ")
        }
    }

    /// The `LicenseRef-` id standing for free text `text`, made and declared on first use.
    fn ref_for(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let id = self.ids.claim(&format!("LicenseRef-{}", idstring(text)), "-");
        self.by_text.insert(text.to_string(), id.clone());
        self.declared.insert(id.clone(), text.to_string());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_declared_turns_free_text_into_declared_refs() {
        let mut refs = LicenseRefs::default();
        let mut expr = |v: &[&str]| refs.expression(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(expr(&[]), "NOASSERTION");
        assert_eq!(expr(&["MIT"]), "MIT");
        assert_eq!(expr(&["MIT OR Apache-2.0"]), "MIT OR Apache-2.0");
        assert_eq!(expr(&["MIT OR Apache-2.0", "Zlib"]), "(MIT OR Apache-2.0) AND Zlib");
        assert_eq!(expr(&["Apache 2.0"]), "LicenseRef-Apache-2.0");
        assert_eq!(expr(&["Apache 2.0", "MIT"]), "LicenseRef-Apache-2.0 AND MIT");
        // Different text, same sanitised id: numbered, not merged.
        assert_eq!(expr(&["Apache/2.0"]), "LicenseRef-Apache-2.0-2");
        assert_eq!(expr(&["LicenseRef-Proprietary"]), "LicenseRef-Proprietary");
        assert_eq!(expr(&["BSD or Apache License, Version 2.0"]), "LicenseRef-BSD-or-Apache-License-Version-2.0");
        let declared: Vec<(&str, &str)> = refs.declared.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            declared,
            vec![
                ("LicenseRef-Apache-2.0", "Apache 2.0"),
                ("LicenseRef-Apache-2.0-2", "Apache/2.0"),
                ("LicenseRef-BSD-or-Apache-License-Version-2.0", "BSD or Apache License, Version 2.0"),
                ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
            ]
        );
    }
}
