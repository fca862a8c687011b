//! CycloneDX JSON documents: `metadata.component` is the target, `operating-system` components the
//! distribution, and every other component with a purl (nested ones too) a package. Source packages,
//! evidence paths and layers come from Bulwark's (`bulwark:`), Syft's (`syft:`) and Trivy's
//! (`aquasecurity:trivy:`) properties.

use super::{absolute, RawDoc, RawPackage};
use bulwark_types::{LayerRef, OsRelease, ScanTarget, SourcePackage};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `specVersion`s read.
pub const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// `null` or absent as the default value.
fn or_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The parts of a BOM that are read.
#[derive(Deserialize)]
pub struct Bom {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "or_default")]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    kind: String,
    #[serde(default, deserialize_with = "or_default")]
    name: String,
    #[serde(default, deserialize_with = "or_default")]
    version: String,
    #[serde(default, deserialize_with = "or_default")]
    description: String,
    #[serde(default, deserialize_with = "or_default")]
    purl: String,
    #[serde(default, deserialize_with = "or_default")]
    licenses: Vec<Value>,
    #[serde(default, deserialize_with = "or_default")]
    properties: Vec<Property>,
    #[serde(default)]
    evidence: Option<Value>,
    #[serde(default, deserialize_with = "or_default")]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Property {
    #[serde(default, deserialize_with = "or_default")]
    name: String,
    #[serde(default, deserialize_with = "or_default")]
    value: String,
}

impl Component {
    /// The value of the first property called `name`, if non-empty.
    fn prop(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.name == name).map(|p| p.value.as_str()).filter(|v| !v.is_empty())
    }
}

/// The target, OS and packages of a parsed BOM.
pub fn read(bom: Bom) -> RawDoc {
    let mut doc = RawDoc { found_by: "sbom/cyclonedx", ..Default::default() };
    if let Some(root) = bom.metadata.and_then(|m| m.component) {
        doc.target = target(&root);
    }
    let mut stack: Vec<&Component> = bom.components.iter().rev().collect();
    while let Some(c) = stack.pop() {
        stack.extend(c.components.iter().rev());
        if c.kind == "operating-system" {
            doc.os = doc.os.or_else(|| Some(os(c)));
        } else if !c.purl.trim().is_empty() {
            doc.packages.push(package(c));
        }
    }
    doc
}

/// `metadata.component`: the image (type `container`) or directory.
fn target(c: &Component) -> ScanTarget {
    let mut t = ScanTarget {
        reference: c.name.clone(),
        kind: if c.kind == "container" { "image" } else { "directory" }.to_string(),
        ..Default::default()
    };
    if c.version.starts_with("sha256:") {
        t.manifest_digest = Some(c.version.clone());
    }
    t.config_digest = c.prop("bulwark:image:configDigest").map(str::to_string);
    t.architecture = c.prop("bulwark:image:architecture").unwrap_or_default().to_string();
    t.os = c.prop("bulwark:image:os").unwrap_or_default().to_string();
    // `bulwark:image:layer:N:digest` / `…:diffID`, collected in one pass.
    let mut layers: std::collections::BTreeMap<usize, (Option<&str>, Option<&str>)> = Default::default();
    for p in &c.properties {
        let Some((n, field)) = p.name.strip_prefix("bulwark:image:layer:").and_then(|r| r.split_once(':')) else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let entry = layers.entry(n).or_default();
        match field {
            "digest" => entry.0 = Some(&p.value),
            "diffID" => entry.1 = Some(&p.value),
            _ => {}
        }
    }
    t.layers = layers
        .into_iter()
        .filter_map(|(index, (digest, diff_id))| {
            Some(LayerRef { index, digest: digest?.to_string(), diff_id: diff_id.map(str::to_string) })
        })
        .collect();
    t
}

/// An `operating-system` component.
fn os(c: &Component) -> OsRelease {
    OsRelease {
        id: c.name.clone(),
        version_id: c.version.clone(),
        pretty_name: c.description.clone(),
        codename: c.prop("bulwark:os:codename").or_else(|| c.prop("syft:distro:versionCodename")).map(str::to_string),
        point_release: c.prop("bulwark:os:pointRelease").map(str::to_string),
        source_path: c.prop("bulwark:os:sourcePath").unwrap_or_default().to_string(),
    }
}

/// A package component.
fn package(c: &Component) -> RawPackage {
    RawPackage {
        purl: c.purl.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        source: source(c),
        licenses: c.licenses.iter().filter_map(license).collect(),
        locations: locations(c),
        layer: layer(c),
        found_by: c.prop("bulwark:foundBy").map(str::to_string),
    }
}

/// The source package from Bulwark's, Trivy's or Syft's properties.
fn source(c: &Component) -> Option<SourcePackage> {
    let make = |name: &str, version: &str| {
        let version = if version.is_empty() { c.version.as_str() } else { version };
        Some(SourcePackage { name: name.to_string(), version: version.to_string() })
    };
    if let Some(name) = c.prop("bulwark:source:name") {
        return make(name, c.prop("bulwark:source:version").unwrap_or_default());
    }
    if let Some(name) = c.prop("aquasecurity:trivy:SrcName") {
        let mut version = c.prop("aquasecurity:trivy:SrcVersion").unwrap_or_default().to_string();
        if let Some(release) = c.prop("aquasecurity:trivy:SrcRelease") {
            version = format!("{version}-{release}");
        }
        if let Some(epoch) = c.prop("aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
            version = format!("{epoch}:{version}");
        }
        return make(name, &version);
    }
    let name = c.prop("syft:metadata:source")?;
    make(name, c.prop("syft:metadata:sourceVersion").unwrap_or_default())
}

/// A `licenses[]` entry: the SPDX id, the name, or the expression.
fn license(v: &Value) -> Option<String> {
    let text = v
        .get("expression")
        .or_else(|| v.get("license").and_then(|l| l.get("id").or_else(|| l.get("name"))))
        .and_then(Value::as_str)?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// Evidence paths: Bulwark's `bulwark:location:N`, Syft's `syft:location:N:path`, Trivy's
/// `aquasecurity:trivy:FilePath`, then CycloneDX `evidence.occurrences`; duplicates dropped.
fn locations(c: &Component) -> Vec<String> {
    let mut numbered: Vec<(u64, &str)> = c
        .properties
        .iter()
        .filter_map(|p| {
            let n = p
                .name
                .strip_prefix("bulwark:location:")
                .or_else(|| p.name.strip_prefix("syft:location:").and_then(|r| r.strip_suffix(":path")))?;
            Some((n.parse().ok()?, p.value.as_str()))
        })
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    let mut paths: Vec<&str> = numbered.into_iter().map(|(_, v)| v).collect();
    paths.extend(c.properties.iter().filter(|p| p.name == "aquasecurity:trivy:FilePath").map(|p| p.value.as_str()));
    let occurrences = c.evidence.as_ref().and_then(|e| e.get("occurrences")).and_then(Value::as_array);
    paths.extend(occurrences.into_iter().flatten().filter_map(|o| o.get("location").and_then(Value::as_str)));
    let mut out: Vec<String> = Vec::new();
    for p in paths.into_iter().filter_map(absolute) {
        if !out.contains(&p) {
            out.push(p);
        }
        if out.len() >= super::MAX_LOCATIONS {
            break;
        }
    }
    out
}

/// The layer Bulwark recorded for the package.
fn layer(c: &Component) -> Option<LayerRef> {
    Some(LayerRef {
        index: c.prop("bulwark:layer:index")?.parse().ok()?,
        digest: c.prop("bulwark:layer:digest")?.to_string(),
        diff_id: c.prop("bulwark:layer:diffID").map(str::to_string),
    })
}
