//! SPDX 2.2/2.3 JSON documents: the described package is the target, a package whose purpose is
//! `OPERATING_SYSTEM` (Trivy writes `OPERATING-SYSTEM`) the distribution, and every other package
//! with a `purl` external reference a package. Source packages come from `sourceInfo` (Trivy:
//! `built package from: glibc 2.36-9+deb12u14`) or `comment` (Bulwark: `source package glibc …`).

use super::{absolute, RawDoc, RawPackage};
use bulwark_types::{OsRelease, ScanTarget, SourcePackage};
use serde::{Deserialize, Deserializer};

/// `spdxVersion`s read.
pub const VERSIONS: [&str; 2] = ["SPDX-2.2", "SPDX-2.3"];

/// `null` or absent as the default value.
fn or_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The parts of an SPDX document that are read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(default, deserialize_with = "or_default")]
    packages: Vec<Package>,
    #[serde(default, deserialize_with = "or_default")]
    document_describes: Vec<String>,
    #[serde(default, deserialize_with = "or_default")]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID", default, deserialize_with = "or_default")]
    spdx_id: String,
    #[serde(default, deserialize_with = "or_default")]
    name: String,
    #[serde(default, deserialize_with = "or_default")]
    version_info: String,
    #[serde(default, deserialize_with = "or_default")]
    primary_package_purpose: String,
    #[serde(default, deserialize_with = "or_default")]
    external_refs: Vec<ExternalRef>,
    #[serde(default, deserialize_with = "or_default")]
    source_info: String,
    #[serde(default, deserialize_with = "or_default")]
    comment: String,
    #[serde(default, deserialize_with = "or_default")]
    description: String,
    #[serde(default, deserialize_with = "or_default")]
    license_declared: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    #[serde(default, deserialize_with = "or_default")]
    reference_type: String,
    #[serde(default, deserialize_with = "or_default")]
    reference_locator: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    #[serde(default, deserialize_with = "or_default")]
    spdx_element_id: String,
    #[serde(default, deserialize_with = "or_default")]
    relationship_type: String,
    #[serde(default, deserialize_with = "or_default")]
    related_spdx_element: String,
}

impl Package {
    fn purl(&self) -> Option<&str> {
        self.external_refs
            .iter()
            .find(|r| r.reference_type == "purl")
            .map(|r| r.reference_locator.trim())
            .filter(|p| !p.is_empty())
    }
}

/// The target, OS and packages of a parsed document.
pub fn read(doc: Document) -> RawDoc {
    let mut out = RawDoc { found_by: "sbom/spdx", ..Default::default() };
    let described: Vec<&str> = doc
        .document_describes
        .iter()
        .map(String::as_str)
        .chain(
            doc.relationships
                .iter()
                .filter(|r| r.spdx_element_id == "SPDXRef-DOCUMENT" && r.relationship_type == "DESCRIBES")
                .map(|r| r.related_spdx_element.as_str()),
        )
        .collect();
    for p in &doc.packages {
        let purpose = p.primary_package_purpose.replace('-', "_");
        if described.contains(&p.spdx_id.as_str()) && out.target.reference.is_empty() {
            out.target = ScanTarget {
                reference: p.name.clone(),
                kind: if purpose == "CONTAINER" { "image" } else { "directory" }.to_string(),
                manifest_digest: Some(p.version_info.clone()).filter(|v| v.starts_with("sha256:")),
                ..Default::default()
            };
        } else if purpose == "OPERATING_SYSTEM" {
            out.os = out.os.take().or_else(|| {
                Some(OsRelease {
                    id: p.name.clone(),
                    version_id: p.version_info.clone(),
                    pretty_name: p.description.clone(),
                    ..Default::default()
                })
            });
        } else if let Some(purl) = p.purl() {
            out.packages.push(package(p, purl));
        }
    }
    out
}

/// A package with a purl.
fn package(p: &Package, purl: &str) -> RawPackage {
    let declared = p.license_declared.trim();
    RawPackage {
        purl: purl.to_string(),
        name: p.name.clone(),
        version: p.version_info.clone(),
        source: source(p),
        licenses: if declared.is_empty() || declared == "NOASSERTION" || declared == "NONE" {
            Vec::new()
        } else {
            vec![declared.to_string()]
        },
        locations: locations(&p.source_info),
        ..Default::default()
    }
}

/// `built package from: NAME VERSION` (Trivy) or `source package NAME VERSION` (Bulwark).
fn source(p: &Package) -> Option<SourcePackage> {
    let text =
        p.source_info.strip_prefix("built package from: ").or_else(|| p.comment.strip_prefix("source package "))?;
    let mut words = text.split_whitespace();
    let name = words.next()?;
    let version = words.next().unwrap_or(&p.version_info);
    Some(SourcePackage { name: name.to_string(), version: version.to_string() })
}

/// Evidence paths in `sourceInfo`: `acquired package info from DPKG DB: /a, /b` (Syft),
/// `package found in: app/rust/Cargo.lock` (Trivy), `acquired package info from os/dpkg: /var/lib/dpkg/status (layer …)` (Bulwark).
fn locations(source_info: &str) -> Vec<String> {
    if source_info.starts_with("built package from") {
        return Vec::new();
    }
    let Some((_, list)) = source_info.split_once(": ") else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for item in list.split(", ") {
        let path = item.split(" (layer ").next().unwrap_or_default();
        if let Some(p) = absolute(path).filter(|p| !p.contains(' ')) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        if out.len() >= super::MAX_LOCATIONS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_info_yields_paths() {
        assert_eq!(
            locations("acquired package info from DPKG DB: /usr/share/doc/adduser/copyright, /var/lib/dpkg/status"),
            ["/usr/share/doc/adduser/copyright", "/var/lib/dpkg/status"]
        );
        assert_eq!(locations("package found in: app/rust/Cargo.lock"), ["/app/rust/Cargo.lock"]);
        assert_eq!(
            locations("acquired package info from os/dpkg: /var/lib/dpkg/status (layer 1 sha256:06b3)"),
            ["/var/lib/dpkg/status"]
        );
        assert!(locations("built package from: glibc 2.36-9+deb12u14").is_empty());
        assert!(locations("no colon here").is_empty());
    }
}
