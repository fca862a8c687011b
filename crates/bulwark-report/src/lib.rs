//! Renderers and readers for Bulwark's documents.
//!
//! * [`render_sbom`]: a scanned [`Inventory`] as CycloneDX 1.6 JSON, SPDX 2.3 JSON, Bulwark's own
//!   inventory JSON (`docs/inventory-json.md`) or a plain-text table.
//! * [`render_report`]: a vulnerability [`ScanReport`] as a table, JSON (`docs/report-json.md`),
//!   SARIF 2.1.0 or CycloneDX 1.6 with `vulnerabilities`.
//! * [`read_sbom`]: a CycloneDX or SPDX JSON SBOM (ours, Syft's, Trivy's) back into an
//!   [`Inventory`] that can be matched again.
//!
//! Every renderer writes to a `dyn Write` and returns I/O errors only; none of
//! them panics on odd package data (control characters, non-ASCII names,
//! duplicate purls, licence strings that are not SPDX, findings pointing nowhere).

mod cyclonedx;
mod cyclonedx_vulns;
mod ids;
mod json;
mod license;
mod misconfig_table;
mod read;
mod sarif;
mod sarif_misconfig;
mod sarif_secret;
mod secret_table;
mod spdx;
mod table;
mod time;
mod vuln_table;

pub use read::{read_sbom, ReadError, ReadErrorKind, MAX_SBOM_BYTES};

use bulwark_types::{Inventory, ScanReport};
use std::io::Write;
use std::time::SystemTime;

/// Version of Bulwark written into SBOM tool metadata.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Output format of [`render_sbom`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    CycloneDx,
    /// SPDX 2.3 JSON.
    Spdx,
    /// Bulwark's own inventory JSON (the serialized [`Inventory`]).
    Json,
    /// Human-readable table, plain text without colours.
    Table,
}

impl SbomFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [SbomFormat; 4] = [SbomFormat::CycloneDx, SbomFormat::Spdx, SbomFormat::Json, SbomFormat::Table];

    /// The name used on the command line, e.g. `cyclonedx`.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "cyclonedx",
            SbomFormat::Spdx => "spdx",
            SbomFormat::Json => "json",
            SbomFormat::Table => "table",
        }
    }
}

impl std::fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a format name that [`SbomFormat`]'s or [`ReportFormat`]'s `from_str` does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat {
    /// What kind of format was asked for: `SBOM` or `report`.
    pub what: &'static str,
    /// The name as given.
    pub name: String,
    /// The names that would have been accepted.
    pub expected: Vec<&'static str>,
}

impl std::fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} format {:?} (expected one of: {})", self.what, self.name, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl std::str::FromStr for SbomFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        SbomFormat::ALL.into_iter().find(|f| f.as_str() == lower).ok_or_else(|| UnknownFormat {
            what: "SBOM",
            name: s.to_string(),
            expected: SbomFormat::ALL.iter().map(|f| f.as_str()).collect(),
        })
    }
}

/// Output format of [`render_report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// Human-readable table of findings, plain text without colours.
    Table,
    /// Bulwark's own report JSON (the serialized [`ScanReport`], `docs/report-json.md`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// CycloneDX 1.6 JSON: the SBOM plus `vulnerabilities`.
    CycloneDx,
}

impl ReportFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [ReportFormat; 4] =
        [ReportFormat::Table, ReportFormat::Json, ReportFormat::Sarif, ReportFormat::CycloneDx];

    /// The name used on the command line, e.g. `sarif`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Table => "table",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::CycloneDx => "cyclonedx",
        }
    }
}

impl std::fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        ReportFormat::ALL.into_iter().find(|f| f.as_str() == lower).ok_or_else(|| UnknownFormat {
            what: "report",
            name: s.to_string(),
            expected: ReportFormat::ALL.iter().map(|f| f.as_str()).collect(),
        })
    }
}

/// What makes one SBOM document distinct from another of the same inventory: when and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentMeta {
    /// Creation time, written as an RFC 3339 UTC timestamp (whole seconds).
    pub created: SystemTime,
    /// Unique document id: the CycloneDX `serialNumber` and the tail of the SPDX `documentNamespace`.
    pub id: uuid::Uuid,
}

impl DocumentMeta {
    /// Metadata for a document made now, with a random (version 4) UUID.
    pub fn now() -> Self {
        DocumentMeta { created: SystemTime::now(), id: uuid::Uuid::new_v4() }
    }
}

/// Writes `inv` in `format` to `out`, stamped with the current time and a fresh random UUID.
pub fn render_sbom(inv: &Inventory, format: SbomFormat, out: &mut dyn Write) -> std::io::Result<()> {
    render_sbom_with(inv, format, &DocumentMeta::now(), out)
}

/// Like [`render_sbom`], with the document's timestamp and UUID given (for reproducible output).
pub fn render_sbom_with(
    inv: &Inventory,
    format: SbomFormat,
    meta: &DocumentMeta,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        SbomFormat::CycloneDx => cyclonedx::render(inv, meta, out),
        SbomFormat::Spdx => spdx::render(inv, meta, out),
        SbomFormat::Json => json::render(inv, out),
        SbomFormat::Table => table::render(inv, out),
    }
}

/// Writes the vulnerability report `report` in `format` to `out`; findings are written in the order
/// given (most urgent first). CycloneDX is stamped with the current time and a fresh random UUID.
pub fn render_report(report: &ScanReport, format: ReportFormat, out: &mut dyn Write) -> std::io::Result<()> {
    render_report_with(report, format, &DocumentMeta::now(), out)
}

/// Like [`render_report`], with the CycloneDX document's timestamp and UUID given (for reproducible output).
pub fn render_report_with(
    report: &ScanReport,
    format: ReportFormat,
    meta: &DocumentMeta,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => vuln_table::render(report, out),
        ReportFormat::Json => json::render_report(report, out),
        ReportFormat::Sarif => sarif::render(report, out),
        ReportFormat::CycloneDx => cyclonedx_vulns::render(report, meta, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_unknown_names_are_rejected() {
        for f in SbomFormat::ALL {
            assert_eq!(f.as_str().parse::<SbomFormat>(), Ok(f));
            assert_eq!(f.to_string().to_uppercase().parse::<SbomFormat>(), Ok(f));
        }
        let err = "spdx-json".parse::<SbomFormat>().unwrap_err();
        assert_eq!(err.name, "spdx-json");
        assert_eq!(
            err.to_string(),
            "unknown SBOM format \"spdx-json\" (expected one of: cyclonedx, spdx, json, table)"
        );

        for f in ReportFormat::ALL {
            assert_eq!(f.as_str().parse::<ReportFormat>(), Ok(f));
            assert_eq!(format!(" {} ", f.to_string().to_uppercase()).parse::<ReportFormat>(), Ok(f));
        }
        let err = "spdx".parse::<ReportFormat>().unwrap_err();
        assert_eq!(err.to_string(), "unknown report format \"spdx\" (expected one of: table, json, sarif, cyclonedx)");
    }
}
