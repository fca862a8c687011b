//! The local vulnerability database: OSV records imported into a SQLite file, and a matcher that
//! turns an inventory's packages into findings.
//!
//! ```no_run
//! # fn main() -> bulwark_vulndb::Result<()> {
//! let dir = bulwark_vulndb::cache_dir(None)?;
//! bulwark_vulndb::import_path(&dir, std::path::Path::new("osv/PyPI/all.zip"))?;
//! let store = bulwark_vulndb::Store::open(&dir)?;
//! let packages = vec![bulwark_types::Package::new(bulwark_types::PackageKind::Python, "Jinja2", "2.10", "doc")];
//! for f in bulwark_vulndb::match_packages(&store, &packages)? {
//!     println!("{} {} {} fixed in {:?}", packages[f.package].name, f.id, f.severity.level, f.fixed);
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod enrich;
mod error;
mod import;
mod matcher;
pub mod model;
pub mod normalize;
pub mod policy;
pub mod severity;
mod store;
mod update;

pub use bulwark_types::{Evidence, Finding, Reason};
pub use enrich::{is_cve_id, EpssSummary, KevSummary};
pub use error::{Error, Result};
pub use import::{import_path, import_path_with, import_paths, ImportLimits, ImportReport};
pub use matcher::match_packages;
pub use model::{parse_record, Vulnerability};
pub use severity::{Level, Severity};
pub use store::{cache_dir, EcosystemStatus, Status, Store, DB_FILE, SCHEMA_VERSION};
pub use update::{
    update, EcosystemUpdate, FetchStatus, Outcome, UpdateEvent, UpdateOptions, UpdateReport, DEFAULT_BASE_URL,
    DEFAULT_ECOSYSTEMS,
};
