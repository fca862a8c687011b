//! Yarn Berry's lockfile: YAML, one entry per set of descriptors, each with the
//! `resolution` it locked (`"name@npm:1.2.3"`, `"name@workspace:."`, `"name@patch:…"`).

use super::yaml::{self, kind_of};
use super::{is_skipped_protocol, split_descriptor};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// The fields of an entry that identify what was installed.
#[derive(Deserialize)]
struct Entry {
    resolution: Option<Value>,
    version: Option<Value>,
}

/// (name, version) of every reported entry, sorted by entry key; an error message names the line or entry.
pub(super) fn entries(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let doc: BTreeMap<String, Entry> = yaml::parse(data)?;
    let mut out = Vec::new();
    for (key, entry) in &doc {
        if key == "__metadata" {
            continue;
        }
        let resolution = match &entry.resolution {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(format!("entry {key:?}: resolution is {}, not a string", kind_of(other))),
            None => return Err(format!("entry {key:?} has no resolution")),
        };
        let Some((name, locator)) = split_descriptor(resolution) else {
            return Err(format!("entry {key:?}: invalid resolution {resolution:?}"));
        };
        if is_skipped_protocol(locator) {
            continue;
        }
        let version = match locator.strip_prefix("npm:") {
            // A package from a custom tarball URL: `npm:1.2.3::__archiveUrl=…`.
            Some(v) => v.split("::").next().unwrap_or(v).to_string(),
            // git, http tarballs and other fetchers: the version from the package's manifest.
            None => match &entry.version {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => return Err(format!("entry {key:?}: version is {}, not a string", kind_of(other))),
                None => return Err(format!("entry {key:?} has no version")),
            },
        };
        if version.is_empty() {
            return Err(format!("entry {key:?}: empty version in {resolution:?}"));
        }
        out.push((name.to_string(), version));
    }
    Ok(out)
}
