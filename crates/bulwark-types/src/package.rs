use serde::{Deserialize, Serialize};

/// The packaging system a package was installed or declared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// Debian/Ubuntu dpkg package.
    Deb,
    /// Alpine/Wolfi apk package.
    Apk,
    /// RPM package (Red Hat family, SUSE).
    Rpm,
    /// Python distribution (PyPI).
    Python,
    /// npm package.
    Npm,
    /// Rust crate (crates.io).
    Cargo,
    /// Go module.
    Go,
    /// Java archive identified by Maven coordinates (`group:artifact`).
    Maven,
    /// RubyGems gem.
    Gem,
    /// PHP Composer package (`vendor/name`).
    Composer,
    /// .NET NuGet package.
    Nuget,
}

impl PackageKind {
    /// Every kind, in display order.
    pub const ALL: [PackageKind; 11] = [
        PackageKind::Deb,
        PackageKind::Apk,
        PackageKind::Rpm,
        PackageKind::Python,
        PackageKind::Npm,
        PackageKind::Cargo,
        PackageKind::Go,
        PackageKind::Maven,
        PackageKind::Gem,
        PackageKind::Composer,
        PackageKind::Nuget,
    ];

    /// Short lower-case name used in tables and our JSON schema.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Python => "python",
            PackageKind::Npm => "npm",
            PackageKind::Cargo => "cargo",
            PackageKind::Go => "go",
            PackageKind::Maven => "maven",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::Nuget => "nuget",
        }
    }

    /// Whether packages of this kind belong to the operating system (their ecosystem depends on the distro).
    pub fn is_os(self) -> bool {
        matches!(self, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm)
    }

    /// OSV ecosystem for language packages; `None` for OS kinds (see [`crate::OsRelease::osv_ecosystem`]).
    pub fn language_ecosystem(self) -> Option<&'static str> {
        Some(match self {
            PackageKind::Python => "PyPI",
            PackageKind::Npm => "npm",
            PackageKind::Cargo => "crates.io",
            PackageKind::Go => "Go",
            PackageKind::Maven => "Maven",
            PackageKind::Gem => "RubyGems",
            PackageKind::Composer => "Packagist",
            PackageKind::Nuget => "NuGet",
            PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => return None,
        })
    }
}

impl std::fmt::Display for PackageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The source package an OS binary package was built from (advisories are per source package).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name, e.g. `glibc` for `libc6`.
    pub name: String,
    /// Source package version; often equal to the binary's version.
    pub version: String,
}

/// The image layer a package was introduced in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerRef {
    /// Position in the image, counted from 1 (bottom layer).
    pub index: usize,
    /// Digest of the layer blob as stored (compressed), e.g. `sha256:…`.
    pub digest: String,
    /// Digest of the uncompressed layer tar (the config's diff_id), when known.
    pub diff_id: Option<String>,
}

/// One piece of software found in an image or directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Packaging system.
    pub kind: PackageKind,
    /// Name as the ecosystem spells it (`@scope/name` for npm, `group:artifact` for Maven, module path for Go).
    pub name: String,
    /// Version as recorded (dpkg and rpm versions keep their epoch as `E:`).
    pub version: String,
    /// CPU architecture for OS packages (`amd64`, `x86_64`, `noarch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Source package, where the ecosystem has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Declared licences, as written by the package (SPDX expressions where the package uses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Where the package was found: absolute paths of the files that record it (status file,
    /// lockfile, METADATA, binary), the extractor's evidence first.
    #[serde(default)]
    pub locations: Vec<String>,
    /// Files the package owns, as its package database lists them (dpkg `.list`, rpm and apk databases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// OSV ecosystem name, e.g. `Debian:12`, `PyPI`; empty when unknown (an OS package without a known distro).
    #[serde(default)]
    pub ecosystem: String,
    /// Package URL per the purl spec.
    #[serde(default)]
    pub purl: String,
    /// The layer that introduced this package, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Name of the extractor that found it, e.g. `os/dpkg`.
    pub found_by: String,
}

impl Package {
    /// A package with only identity fields set; the rest are filled by the scan engine.
    pub fn new(kind: PackageKind, name: impl Into<String>, version: impl Into<String>, found_by: &str) -> Self {
        Package {
            kind,
            name: name.into(),
            version: version.into(),
            arch: None,
            source: None,
            licenses: Vec::new(),
            locations: Vec::new(),
            files: Vec::new(),
            ecosystem: String::new(),
            purl: String::new(),
            layer: None,
            found_by: found_by.to_string(),
        }
    }
}
