//! Renderers for a scanned [`Inventory`]: CycloneDX 1.6 JSON, SPDX 2.3 JSON,
//! Bulwark's own inventory JSON (`docs/inventory-json.md`) and a plain-text table.
//!
//! Every renderer writes to a `dyn Write` and returns I/O errors only; none of
//! them panics on odd package data (control characters, non-ASCII names,
//! duplicate purls, licence strings that are not SPDX).

mod cyclonedx;
mod ids;
mod json;
mod license;
mod spdx;
mod table;
mod time;

use bulwark_types::Inventory;
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

/// Error for a format name that [`SbomFormat::from_str`](std::str::FromStr) does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl std::fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known: Vec<&str> = SbomFormat::ALL.iter().map(|f| f.as_str()).collect();
        write!(f, "unknown SBOM format {:?} (expected one of: {})", self.0, known.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl std::str::FromStr for SbomFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        SbomFormat::ALL.into_iter().find(|f| f.as_str() == lower).ok_or_else(|| UnknownFormat(s.to_string()))
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
        assert_eq!(err, UnknownFormat("spdx-json".into()));
        assert!(err.to_string().contains("cyclonedx, spdx, json, table"), "{err}");
    }
}
