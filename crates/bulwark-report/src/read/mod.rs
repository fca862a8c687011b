//! Reading SBOMs back into an [`Inventory`]: CycloneDX JSON (1.2–1.7) and SPDX JSON (2.2, 2.3), as
//! written by Bulwark, Syft or Trivy, so `bulwark sbom-scan` can match them without the image.
//!
//! Every package with a purl of a type Bulwark knows becomes a [`Package`]: kind, name (npm scope,
//! Maven group, Go module path rejoined), version (a dpkg/rpm `epoch` qualifier folded back into
//! `E:`), arch, source package (the tools' own properties, or the purl `upstream` qualifier), and
//! the distribution (the document's operating-system component, else the purl `distro`
//! qualifier). Ecosystem and purl are then recomputed exactly as a scan computes them.

mod cyclonedx;
mod purl;
mod spdx;

use bulwark_types::{
    purl_for, Inventory, LayerRef, OsRelease, Package, PackageKind, ScanTarget, SourcePackage, INVENTORY_SCHEMA_VERSION,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Largest SBOM [`read_sbom`] accepts, in bytes.
pub const MAX_SBOM_BYTES: usize = 512 << 20;

/// Most evidence paths kept per package.
const MAX_LOCATIONS: usize = 64;

/// What kind of problem a [`ReadError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// Larger than [`MAX_SBOM_BYTES`].
    TooLarge,
    /// Not well-formed JSON (or not a JSON object).
    NotJson,
    /// JSON, but neither CycloneDX nor SPDX (or an SBOM encoding other than JSON).
    UnknownFormat,
    /// CycloneDX or SPDX of a version this build does not read.
    UnsupportedVersion,
    /// The document's structure does not match its format (a field of the wrong type).
    Invalid,
}

/// Why an SBOM could not be read: the file, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The file (or `-`) as the caller named it.
    pub origin: String,
    /// What kind of problem it is.
    pub kind: ReadErrorKind,
    /// What is wrong, e.g. `not JSON: expected value at line 1 column 1`.
    pub message: String,
}

impl ReadError {
    fn new(origin: &str, kind: ReadErrorKind, message: impl Into<String>) -> Self {
        ReadError { origin: origin.to_string(), kind, message: message.into() }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for ReadError {}

/// The fields that tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde_json::Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<serde_json::Value>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde_json::Value>,
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
}

/// Reads a CycloneDX JSON (1.2–1.7) or SPDX JSON (2.2, 2.3) SBOM; `origin` names it in errors and
/// becomes the target reference when the document does not name what it describes.
pub fn read_sbom(bytes: &[u8], origin: &str) -> Result<Inventory, ReadError> {
    use ReadErrorKind::*;
    if bytes.len() > MAX_SBOM_BYTES {
        return Err(ReadError::new(
            origin,
            TooLarge,
            format!("{} bytes is more than the {MAX_SBOM_BYTES} accepted", bytes.len()),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).and_then(|i| bytes.get(i..)).unwrap_or_default();
    if start.starts_with(b"<") {
        return Err(ReadError::new(
            origin,
            UnknownFormat,
            "an XML document: only JSON SBOMs (CycloneDX, SPDX) are read",
        ));
    }
    if start.starts_with(b"SPDXVersion:") {
        return Err(ReadError::new(origin, UnknownFormat, "an SPDX tag-value document: only SPDX JSON is read"));
    }
    if !start.starts_with(b"{") {
        let why = match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Err(e) => format!("not JSON: {e}"),
            Ok(_) => "not a JSON object".to_string(),
        };
        return Err(ReadError::new(origin, NotJson, why));
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| ReadError::new(origin, NotJson, format!("not JSON: {e}")))?;
    let doc = match (&probe.bom_format, &probe.spdx_version) {
        (Some(f), _) if f == "CycloneDX" => {
            let version = probe.spec_version.as_ref().and_then(|v| v.as_str()).unwrap_or_default();
            if !cyclonedx::VERSIONS.contains(&version) {
                let msg = format!(
                    "CycloneDX specVersion {:?} is not supported (expected one of {})",
                    version,
                    cyclonedx::VERSIONS.join(", ")
                );
                return Err(ReadError::new(origin, UnsupportedVersion, msg));
            }
            cyclonedx::read(parse(bytes, origin)?)
        }
        (_, Some(v)) => {
            let version = v.as_str().unwrap_or_default();
            if !spdx::VERSIONS.contains(&version) {
                let msg = format!("{version:?} is not supported (expected one of {})", spdx::VERSIONS.join(", "));
                return Err(ReadError::new(origin, UnsupportedVersion, msg));
            }
            spdx::read(parse(bytes, origin)?)
        }
        (Some(f), None) => {
            return Err(ReadError::new(
                origin,
                UnknownFormat,
                format!("unknown bomFormat {f} (expected \"CycloneDX\")"),
            ))
        }
        (None, None) if probe.context.as_ref().is_some_and(|c| c.to_string().contains("spdx")) => {
            return Err(ReadError::new(
                origin,
                UnsupportedVersion,
                "an SPDX 3 JSON-LD document: only SPDX 2.2 and 2.3 are read",
            ))
        }
        (None, None) => {
            return Err(ReadError::new(
                origin,
                UnknownFormat,
                "neither CycloneDX (no \"bomFormat\") nor SPDX (no \"spdxVersion\")",
            ))
        }
    };
    Ok(build(doc, origin))
}

/// Deserializes the whole document, naming the JSON path of a field of the wrong type.
fn parse<T: DeserializeOwned>(bytes: &[u8], origin: &str) -> Result<T, ReadError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ReadError::new(origin, ReadErrorKind::Invalid, format!("at {path}: {}", e.into_inner()))
    })
}

/// What a format reader found, before the shared rules turn it into an inventory.
#[derive(Debug, Default)]
struct RawDoc {
    /// The described image or directory, with `reference` empty when the document names none.
    target: ScanTarget,
    /// The distribution the document names (an operating-system component or package).
    os: Option<OsRelease>,
    packages: Vec<RawPackage>,
    /// `sbom/cyclonedx` or `sbom/spdx`, for packages whose document does not say which extractor found them.
    found_by: &'static str,
}

/// One package entry of the document.
#[derive(Debug, Default)]
struct RawPackage {
    purl: String,
    /// The name as the document writes it (may differ from the purl's normalised name).
    name: String,
    /// The version as the document writes it (used when the purl has none).
    version: String,
    source: Option<SourcePackage>,
    licenses: Vec<String>,
    locations: Vec<String>,
    layer: Option<LayerRef>,
    found_by: Option<String>,
}

/// Applies the shared rules to every package and assembles the inventory.
fn build(doc: RawDoc, origin: &str) -> Inventory {
    let doc_os = doc.os.map(normalize_os);
    let mut packages = Vec::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut os_seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for raw in doc.packages {
        let parsed = match purl::parse(&raw.purl) {
            Ok(p) => p,
            Err(e) => {
                *skipped.entry(format!("unreadable purl ({e})")).or_default() += 1;
                continue;
            }
        };
        let Some(kind) = kind_of(&parsed.ty) else {
            *skipped.entry(format!("purl type {:?}", parsed.ty)).or_default() += 1;
            continue;
        };
        let os =
            if kind.is_os() { parsed.qualifier("distro").map(parse_distro).or_else(|| doc_os.clone()) } else { None };
        if let Some(os) = &os {
            *os_seen.entry((os.id.clone(), os.version_id.clone())).or_default() += 1;
        }
        let mut pkg = package(kind, &parsed, raw, doc.found_by);
        pkg.ecosystem = match (kind.language_ecosystem(), &os) {
            (Some(eco), _) => eco.to_string(),
            (None, Some(os)) => os.osv_ecosystem().unwrap_or_default(),
            (None, None) => String::new(),
        };
        pkg.purl = purl_for(&pkg, os.as_ref());
        packages.push(pkg);
    }
    packages.sort_by(|a, b| (a.kind, &a.name, &a.version).cmp(&(b.kind, &b.name, &b.version)));

    // The document's OS, else the distribution most OS packages name.
    let os = doc_os.or_else(|| {
        let ((id, version_id), _) = os_seen.into_iter().max_by_key(|(_, n)| *n)?;
        Some(OsRelease { id, version_id, ..Default::default() })
    });
    let mut target = doc.target;
    if target.reference.is_empty() {
        target.reference = origin.to_string();
    }
    let warnings = skipped.into_iter().map(|(why, n)| format!("{origin}: skipped {n} package(s) with {why}")).collect();
    Inventory { schema_version: INVENTORY_SCHEMA_VERSION, target, os, packages, warnings }
}

/// The package kind of a purl type; `None` for types Bulwark does not match.
fn kind_of(ty: &str) -> Option<PackageKind> {
    Some(match ty {
        "deb" => PackageKind::Deb,
        "apk" => PackageKind::Apk,
        "rpm" => PackageKind::Rpm,
        "pypi" => PackageKind::Python,
        "npm" => PackageKind::Npm,
        "cargo" => PackageKind::Cargo,
        "golang" => PackageKind::Go,
        "maven" => PackageKind::Maven,
        "gem" => PackageKind::Gem,
        "composer" => PackageKind::Composer,
        "nuget" => PackageKind::Nuget,
        _ => return None,
    })
}

/// The package of one entry, before its ecosystem and purl are set.
fn package(kind: PackageKind, p: &purl::Purl, raw: RawPackage, default_found_by: &str) -> Package {
    let ns = p.namespace.as_str();
    let name = match kind {
        PackageKind::Npm | PackageKind::Go | PackageKind::Composer if !ns.is_empty() => format!("{ns}/{}", p.name),
        PackageKind::Maven if !ns.is_empty() => format!("{ns}:{}", p.name),
        // PyPI purls carry the normalised name; keep the document's spelling when it is the same project.
        PackageKind::Python if pep503(&raw.name) == pep503(&p.name) => raw.name.clone(),
        _ => p.name.clone(),
    };
    let mut version = if p.version.is_empty() { raw.version.clone() } else { p.version.clone() };
    if matches!(kind, PackageKind::Deb | PackageKind::Rpm) && !version.contains(':') {
        if let Some(epoch) = p.qualifier("epoch").filter(|e| *e != "0") {
            version = format!("{epoch}:{version}");
        }
    }
    let mut pkg = Package::new(kind, name, version, raw.found_by.as_deref().unwrap_or(default_found_by));
    if kind.is_os() {
        pkg.arch = p.qualifier("arch").map(str::to_string);
        pkg.source = raw.source.or_else(|| p.qualifier("upstream").and_then(|u| upstream(kind, u, &pkg.version)));
        if pkg.source.is_none() && kind != PackageKind::Rpm {
            // dpkg and apk: no recorded source means the source package has the binary's name and version.
            pkg.source = Some(SourcePackage { name: pkg.name.clone(), version: pkg.version.clone() });
        }
    }
    pkg.licenses = raw.licenses;
    pkg.locations = raw.locations;
    pkg.locations.truncate(MAX_LOCATIONS);
    pkg.layer = raw.layer;
    pkg
}

/// The source package an `upstream` qualifier names: `name` or `name@version` (Syft, dpkg and apk),
/// or a source RPM file name `name-version-release.src.rpm`.
fn upstream(kind: PackageKind, value: &str, binary_version: &str) -> Option<SourcePackage> {
    let value = value.trim();
    if kind == PackageKind::Rpm {
        let stem = value.strip_suffix(".src.rpm").unwrap_or(value);
        let (rest, release) = stem.rsplit_once('-')?;
        let (name, version) = rest.rsplit_once('-')?;
        return Some(SourcePackage { name: name.to_string(), version: format!("{version}-{release}") });
    }
    let (name, version) = value.split_once('@').unwrap_or((value, binary_version));
    let version = if version.is_empty() { binary_version } else { version };
    (!name.is_empty()).then(|| SourcePackage { name: name.to_string(), version: version.to_string() })
}

/// A purl `distro` qualifier (`debian-12`, `opensuse-leap-15.5`) as an OS release.
fn parse_distro(q: &str) -> OsRelease {
    let split = q
        .char_indices()
        .filter(|(_, c)| *c == '-')
        .map(|(i, _)| i)
        .rev()
        .find(|&i| q.get(i + 1..).and_then(|rest| rest.chars().next()).is_some_and(|c| c.is_ascii_digit()));
    let (id, version) = match split {
        Some(i) => (q.get(..i).unwrap_or_default(), q.get(i + 1..).unwrap_or_default()),
        None => (q, ""),
    };
    normalize_os(OsRelease { id: id.to_ascii_lowercase(), version_id: version.to_string(), ..Default::default() })
}

/// Debian's `VERSION_ID` is the major release; tools that read `/etc/debian_version` (Trivy) write
/// the point release (`12.15`): keep the major as the version and the rest as the point release.
fn normalize_os(mut os: OsRelease) -> OsRelease {
    os.id = os.id.trim().to_ascii_lowercase();
    if os.id == "debian" {
        if let Some((major, _)) = os.version_id.split_once('.') {
            if os.point_release.is_none() {
                os.point_release = Some(os.version_id.clone());
            }
            os.version_id = major.to_string();
        }
    }
    os
}

/// PEP 503 normalised project name.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if matches!(c, '_' | '.' | '-') { '-' } else { c.to_ascii_lowercase() };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

/// Absolute path of a location a tool wrote relative to the image root (Trivy), `None` for non-paths.
fn absolute(path: &str) -> Option<String> {
    let path = path.trim();
    if path.is_empty() || path.contains("://") {
        return None;
    }
    Some(if path.starts_with('/') { path.to_string() } else { format!("/{path}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distros_split_on_the_last_hyphen_before_a_version() {
        let cases = [
            ("debian-12", "debian", "12", None),
            ("debian-12.15", "debian", "12", Some("12.15")),
            ("opensuse-leap-15.5", "opensuse-leap", "15.5", None),
            ("alpine-3.19.1", "alpine", "3.19.1", None),
            ("wolfi", "wolfi", "", None),
        ];
        for (q, id, version, point) in cases {
            let os = parse_distro(q);
            assert_eq!(
                (os.id.as_str(), os.version_id.as_str(), os.point_release.as_deref()),
                (id, version, point),
                "{q}"
            );
        }
    }

    #[test]
    fn upstream_qualifiers_name_the_source_package() {
        let src = |kind, v: &str| upstream(kind, v, "2.36-9+deb12u14").map(|s| (s.name, s.version));
        assert_eq!(src(PackageKind::Deb, "glibc"), Some(("glibc".into(), "2.36-9+deb12u14".into())));
        assert_eq!(src(PackageKind::Deb, "bash@5.2.15-2"), Some(("bash".into(), "5.2.15-2".into())));
        assert_eq!(src(PackageKind::Rpm, "bash-5.1.8-6.el9_1.src.rpm"), Some(("bash".into(), "5.1.8-6.el9_1".into())));
        assert_eq!(src(PackageKind::Rpm, "nodash"), None);
        assert_eq!(src(PackageKind::Deb, ""), None);
    }

    #[test]
    fn pep503_normalises_runs_of_separators() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("A__b-.C"), "a-b-c");
    }
}
