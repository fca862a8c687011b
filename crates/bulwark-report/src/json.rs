//! Bulwark's own JSON documents, each a type serialized as is: the [`Inventory`]
//! (`docs/inventory-json.md`) and the [`ScanReport`] with its vulnerabilities, secrets and
//! misconfigurations (`docs/report-json.md`).

use bulwark_types::{Inventory, ScanReport};
use serde::Serialize;
use std::io::Write;

/// Writes `inv` as pretty-printed JSON followed by a newline.
pub fn render(inv: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    write_pretty(inv, out)
}

/// Writes `report` as pretty-printed JSON followed by a newline.
pub fn render_report(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    write_pretty(report, out)
}

fn write_pretty<T: Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}
