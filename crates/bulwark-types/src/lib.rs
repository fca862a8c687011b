//! Domain types shared by every Bulwark crate.
//!
//! A [`Package`] is one piece of installed software found in an image or a
//! directory; [`PackageKind`] says what packaging system it came from and,
//! through a single table, how its purl and OSV ecosystem are spelt.

mod finding;
mod inventory;
mod misconfig;
mod os;
mod package;
mod purl;
mod secret;
pub mod time;

pub use finding::{
    DatabaseInfo, Epss, Evidence, Finding, Kev, Level, RangeKind, Reason, ScanReport, Severity, Suppressed, Suppression,
};
pub use inventory::{Inventory, ScanTarget, INVENTORY_SCHEMA_VERSION};
pub use misconfig::{ConfigKind, Framework, Mapping, Misconfiguration};
pub use os::OsRelease;
pub use package::{LayerRef, Package, PackageKind, SourcePackage};
pub use purl::purl_for;
pub use secret::SecretFinding;
