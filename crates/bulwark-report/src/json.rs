//! Bulwark's own inventory JSON: the [`Inventory`] serialized as is (schema in `docs/inventory-json.md`).

use bulwark_types::Inventory;
use std::io::Write;

/// Writes `inv` as pretty-printed JSON followed by a newline.
pub fn render(inv: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, inv)?;
    out.write_all(b"\n")
}
