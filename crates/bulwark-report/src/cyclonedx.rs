//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).
//!
//! Shape follows Syft and Trivy: the scanned image is `metadata.component` (`type: container`), the
//! distribution is one `operating-system` component, every package is a `library` component, and
//! `dependencies` says image → OS → OS packages and image → language packages. Bulwark-specific facts
//! are `bulwark:`-namespaced properties, as the CycloneDX property taxonomy asks.

use crate::ids::Unique;
use crate::license::{self, Licence};
use crate::{time, DocumentMeta, TOOL_VERSION};
use bulwark_types::{Inventory, OsRelease, Package, PackageKind};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;

/// Characters percent-encoded in the `file_path` qualifier of a bom-ref: all but the purl spec's unreserved set.
const QUALIFIER: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Writes `inv` as a CycloneDX 1.6 JSON document.
pub fn render(inv: &Inventory, meta: &DocumentMeta, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(inv, meta))?;
    out.write_all(b"\n")
}

/// The top-level BOM object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency>,
    /// `vulnerabilities[]`, filled by the vulnerability report only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) vulnerabilities: Vec<Value>,
    /// The bom-ref of each inventory package, by package index (not serialized).
    #[serde(skip)]
    pub(crate) package_refs: Vec<String>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools<'a>,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<Component<'a>>,
}

/// One `component`; only the fields Bulwark fills.
#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licenses: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

impl<'a> Component<'a> {
    fn new(kind: &'static str, name: &'a str) -> Self {
        Component {
            bom_ref: None,
            kind,
            group: None,
            name: non_empty(name, "unnamed"),
            version: None,
            description: None,
            hashes: Vec::new(),
            licenses: None,
            purl: None,
            evidence: None,
            properties: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct Hash<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// The whole document.
pub(crate) fn document<'a>(inv: &'a Inventory, meta: &DocumentMeta) -> Bom<'a> {
    let mut refs = Unique::default();
    let root_ref = refs.claim(&format!("target:{}", inv.target.reference), "#");
    let os_ref = inv.os.as_ref().map(|os| refs.claim(&format!("os:{}@{}", os.id, os.version_id), "#"));
    let pkg_refs = package_refs(&inv.packages, &mut refs);

    // Image → OS (when known) and every package not owned by it; OS → its packages.
    let mut root_deps: Vec<String> = os_ref.iter().cloned().collect();
    let mut os_deps = Vec::new();
    for (p, r) in inv.packages.iter().zip(&pkg_refs) {
        if os_ref.is_some() && p.kind.is_os() {
            os_deps.push(r.clone());
        } else {
            root_deps.push(r.clone());
        }
    }
    let mut dependencies = vec![Dependency { reference: root_ref.clone(), depends_on: root_deps }];
    if let Some(r) = &os_ref {
        dependencies.push(Dependency { reference: r.clone(), depends_on: os_deps });
    }

    let mut components = Vec::with_capacity(inv.packages.len() + 1);
    if let (Some(os), Some(r)) = (&inv.os, os_ref) {
        components.push(os_component(os, r));
    }
    components.extend(inv.packages.iter().zip(pkg_refs.iter().cloned()).map(|(p, r)| package_component(p, r)));

    let mut tool = Component::new("application", "bulwark");
    tool.version = Some(TOOL_VERSION);
    Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", meta.id.hyphenated()),
        version: 1,
        metadata: Metadata {
            timestamp: time::rfc3339(meta.created),
            tools: Tools { components: vec![tool] },
            component: root_component(inv, root_ref),
        },
        components,
        dependencies,
        vulnerabilities: Vec::new(),
        package_refs: pkg_refs,
    }
}

/// One unique bom-ref per package: the purl; purls shared by several packages get a `file_path`
/// qualifier (Trivy's convention) naming the package's first location, then a `#N` suffix if still equal.
fn package_refs(packages: &[Package], refs: &mut Unique) -> Vec<String> {
    let base = |p: &Package| {
        if p.purl.is_empty() {
            format!("{}:{}@{}", p.kind, p.name, p.version)
        } else {
            p.purl.clone()
        }
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in packages {
        *counts.entry(base(p)).or_default() += 1;
    }
    packages
        .iter()
        .map(|p| {
            let mut b = base(p);
            if counts.get(&b).copied().unwrap_or(0) > 1 {
                let path = p.locations.first().map(String::as_str).unwrap_or_default();
                let sep = if b.contains('?') { '&' } else { '?' };
                b = format!("{b}{sep}file_path={}", utf8_percent_encode(path, QUALIFIER));
            }
            refs.claim(&b, "#")
        })
        .collect()
}

/// `metadata.component`: the image (`container`) or directory (`file`) that was scanned.
fn root_component(inv: &Inventory, bom_ref: String) -> Component<'_> {
    let t = &inv.target;
    let mut c = Component::new(if t.kind == "image" { "container" } else { "file" }, &t.reference);
    c.bom_ref = Some(bom_ref);
    if let Some(d) = &t.manifest_digest {
        c.version = Some(d);
        if let Some(hex) = d.strip_prefix("sha256:").filter(|h| is_hex(h, 64)) {
            c.hashes.push(Hash { alg: "SHA-256", content: hex });
        }
    }
    let props = &mut c.properties;
    push(props, "bulwark:target:kind", &t.kind);
    push(props, "bulwark:image:manifestDigest", t.manifest_digest.as_deref().unwrap_or_default());
    push(props, "bulwark:image:configDigest", t.config_digest.as_deref().unwrap_or_default());
    push(props, "bulwark:image:architecture", &t.architecture);
    push(props, "bulwark:image:os", &t.os);
    for layer in &t.layers {
        push(props, &format!("bulwark:image:layer:{}:digest", layer.index), &layer.digest);
        let diff_id = layer.diff_id.as_deref().unwrap_or_default();
        push(props, &format!("bulwark:image:layer:{}:diffID", layer.index), diff_id);
    }
    c
}

/// The distribution as an `operating-system` component.
fn os_component(os: &OsRelease, bom_ref: String) -> Component<'_> {
    let mut c = Component::new("operating-system", non_empty(&os.id, "unknown"));
    c.bom_ref = Some(bom_ref);
    c.version = Some(os.version_id.as_str()).filter(|v| !v.is_empty());
    c.description = Some(os.pretty_name.as_str()).filter(|v| !v.is_empty());
    let props = &mut c.properties;
    push(props, "bulwark:ecosystem", &os.osv_ecosystem().unwrap_or_default());
    push(props, "bulwark:os:codename", os.codename.as_deref().unwrap_or_default());
    push(props, "bulwark:os:pointRelease", os.point_release.as_deref().unwrap_or_default());
    push(props, "bulwark:os:sourcePath", &os.source_path);
    c
}

/// One package as a `library` component.
fn package_component(p: &Package, bom_ref: String) -> Component<'_> {
    let (group, name) = split_group(p);
    let mut c = Component::new("library", name);
    c.bom_ref = Some(bom_ref);
    c.group = group;
    c.version = Some(p.version.as_str()).filter(|v| !v.is_empty());
    c.licenses = licenses(&p.licenses);
    c.purl = Some(p.purl.as_str()).filter(|v| !v.is_empty());
    if let Some(first) = p.locations.first().filter(|l| !l.is_empty()) {
        c.evidence = Some(json!({ "occurrences": [{ "location": first }] }));
    }
    let props = &mut c.properties;
    push(props, "bulwark:package:type", p.kind.as_str());
    push(props, "bulwark:package:arch", p.arch.as_deref().unwrap_or_default());
    push(props, "bulwark:ecosystem", &p.ecosystem);
    push(props, "bulwark:foundBy", &p.found_by);
    if let Some(src) = &p.source {
        push(props, "bulwark:source:name", &src.name);
        push(props, "bulwark:source:version", &src.version);
    }
    if let Some(layer) = &p.layer {
        push(props, "bulwark:layer:index", &layer.index.to_string());
        push(props, "bulwark:layer:digest", &layer.digest);
        push(props, "bulwark:layer:diffID", layer.diff_id.as_deref().unwrap_or_default());
    }
    for (i, loc) in p.locations.iter().enumerate() {
        push(props, &format!("bulwark:location:{i}"), loc);
    }
    c
}

/// Appends a property unless its value is empty.
fn push(props: &mut Vec<Property>, name: &str, value: &str) {
    if !value.is_empty() {
        props.push(Property { name: name.to_string(), value: value.to_string() });
    }
}

/// CycloneDX `group` and `name`: Maven `group:artifact` and npm `@scope/name` split; others whole.
fn split_group(p: &Package) -> (Option<&str>, &str) {
    let split = match p.kind {
        PackageKind::Maven => p.name.rsplit_once(':'),
        PackageKind::Npm if p.name.starts_with('@') => p.name.split_once('/'),
        _ => None,
    };
    match split {
        Some((g, n)) if !g.is_empty() && !n.is_empty() => (Some(g), n),
        _ => (None, &p.name),
    }
}

/// The `licenses` array: a single `expression` when every licence is SPDX and at least one is an
/// expression (CycloneDX allows no mixing); otherwise one `license` per entry, `id` when the
/// CycloneDX schema lists the id, else `name`. `None` when nothing was declared.
fn licenses(declared: &[String]) -> Option<Value> {
    let entries = license::declared(declared);
    if entries.is_empty() {
        return None;
    }
    let classes: Vec<Licence<'_>> = entries.iter().map(|l| license::classify(l)).collect();
    let any_other = classes.iter().any(|c| matches!(c, Licence::Other(_)));
    let needs_expression = classes.iter().any(|c| match c {
        Licence::Expression { .. } => true,
        Licence::Id(id) => !license::is_cyclonedx_id(id),
        Licence::Other(_) => false,
    });
    if needs_expression && !any_other {
        let expr = if entries.len() == 1 {
            entries.join("")
        } else {
            let wrap = |e: &&str| if e.contains(' ') { format!("({e})") } else { e.to_string() };
            entries.iter().map(wrap).collect::<Vec<_>>().join(" AND ")
        };
        return Some(json!([{ "expression": expr }]));
    }
    let items = classes
        .iter()
        .map(|c| match c {
            Licence::Id(id) if license::is_cyclonedx_id(id) => json!({ "license": { "id": id } }),
            Licence::Id(text) | Licence::Expression { text, .. } | Licence::Other(text) => {
                json!({ "license": { "name": text } })
            }
        })
        .collect();
    Some(Value::Array(items))
}

fn non_empty<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.is_empty() {
        fallback
    } else {
        s
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(v: &[&str]) -> Option<Value> {
        licenses(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn licenses_use_id_expression_or_name() {
        assert_eq!(lic(&[]), None);
        assert_eq!(lic(&[" "]), None);
        assert_eq!(lic(&["MIT"]), Some(json!([{ "license": { "id": "MIT" } }])));
        assert_eq!(
            lic(&["MIT", "BSD"]),
            Some(json!([{ "license": { "id": "MIT" } }, { "license": { "name": "BSD" } }]))
        );
        assert_eq!(lic(&["MIT OR Apache-2.0"]), Some(json!([{ "expression": "MIT OR Apache-2.0" }])));
        assert_eq!(
            lic(&["MIT OR Apache-2.0", "Zlib"]),
            Some(json!([{ "expression": "(MIT OR Apache-2.0) AND Zlib" }]))
        );
        assert_eq!(
            lic(&["MIT OR Apache-2.0", "Apache 2.0"]),
            Some(json!([{ "license": { "name": "MIT OR Apache-2.0" } }, { "license": { "name": "Apache 2.0" } }]))
        );
    }

    #[test]
    fn groups_split_for_maven_and_scoped_npm_only() {
        let cases = [
            (PackageKind::Maven, "org.apache:commons", (Some("org.apache"), "commons")),
            (PackageKind::Npm, "@types/node", (Some("@types"), "node")),
            (PackageKind::Npm, "lodash", (None, "lodash")),
            (PackageKind::Go, "github.com/a/b", (None, "github.com/a/b")),
            (PackageKind::Maven, "noseparator", (None, "noseparator")),
        ];
        for (kind, name, want) in cases {
            assert_eq!(split_group(&Package::new(kind, name, "1", "t")), want, "{name}");
        }
    }
}
