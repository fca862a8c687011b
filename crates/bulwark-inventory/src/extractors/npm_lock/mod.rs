//! npm lockfiles: `package-lock.json`, `npm-shrinkwrap.json` and the hidden
//! `node_modules/.package-lock.json`, in lockfile versions 1 (nested `dependencies`),
//! 2 and 3 (`packages` keyed by install path).

use crate::extractors::npm_installed::{kind_of, licenses, parse_object};
use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// The install directory segment that starts a package's path in a `packages` key.
const NODE_MODULES: &str = "node_modules/";

/// Extractor for npm lockfiles.
pub struct NpmLock;

impl Extractor for NpmLock {
    fn name(&self) -> &'static str {
        "lang/npm-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        match file.file_name() {
            // A lockfile shipped inside an installed package describes its development, not this install.
            "package-lock.json" | "npm-shrinkwrap.json" => !file.path.contains(NODE_MODULES),
            ".package-lock.json" => {
                file.path == "node_modules/.package-lock.json"
                    || file.path.ends_with("/node_modules/.package-lock.json")
            }
            _ => false,
        }
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let lock: Lockfile = parse_object(input)?;
        let mut out = Packages { input, found_by: self.name(), seen: HashSet::new(), list: Vec::new() };
        match (&lock.packages, &lock.dependencies) {
            (Some(packages), _) => from_packages(&mut out, packages)?,
            (None, Some(dependencies)) => from_dependencies(&mut out, dependencies)?,
            (None, None) => {}
        }
        Ok(out.list)
    }
}

/// The parts of a lockfile that list packages; other fields are skipped.
#[derive(Deserialize)]
struct Lockfile {
    /// Versions 2 and 3: install path (`node_modules/a/node_modules/b`) to entry.
    packages: Option<BTreeMap<String, Entry>>,
    /// Version 1 (and 2, for old npm): name to entry, nested.
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

/// One entry of `packages`.
#[derive(Deserialize)]
struct Entry {
    name: Option<Value>,
    version: Option<Value>,
    link: Option<Value>,
    license: Option<Value>,
    licenses: Option<Value>,
}

/// One entry of a version-1 `dependencies` tree.
#[derive(Deserialize)]
struct V1Entry {
    version: Option<Value>,
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

/// Packages found so far, one per name and version.
struct Packages<'a> {
    input: &'a FileInput<'a>,
    found_by: &'static str,
    seen: HashSet<(String, String)>,
    list: Vec<Package>,
}

impl Packages<'_> {
    fn add(&mut self, name: &str, version: &str, licenses: Vec<String>) {
        if self.seen.insert((name.to_string(), version.to_string())) {
            let mut pkg = package_at(self.input, PackageKind::Npm, name, version, self.found_by);
            pkg.licenses = licenses;
            self.list.push(pkg);
        }
    }

    fn error(&self, message: String) -> ExtractError {
        ExtractError::new(self.input, message)
    }
}

/// Versions 2 and 3: every installed path except the root, workspace sources and links.
fn from_packages(out: &mut Packages<'_>, packages: &BTreeMap<String, Entry>) -> Result<(), ExtractError> {
    for (key, entry) in packages {
        // "" is the project itself; keys without node_modules/ are workspace sources.
        let Some((_, last)) = key.rsplit_once(NODE_MODULES) else { continue };
        if entry.link.as_ref().is_some_and(|l| l != &Value::Bool(false)) {
            continue;
        }
        let field = |f: &str| format!("packages[{key:?}].{f}");
        let Some(version) = string(out, &field("version"), entry.version.as_ref())? else { continue };
        let name = string(out, &field("name"), entry.name.as_ref())?.unwrap_or(last);
        if name.is_empty() {
            return Err(out.error(format!("packages[{key:?}]: no package name in the key")));
        }
        out.add(name, version, licenses(entry.license.as_ref(), entry.licenses.as_ref()));
    }
    Ok(())
}

/// Version 1: the nested `dependencies` tree, walked without recursion.
fn from_dependencies(out: &mut Packages<'_>, root: &BTreeMap<String, V1Entry>) -> Result<(), ExtractError> {
    let mut stack = vec![root];
    while let Some(deps) = stack.pop() {
        for (key, entry) in deps {
            if let Some(nested) = &entry.dependencies {
                stack.push(nested);
            }
            let Some(version) = string(out, &format!("dependencies[{key:?}].version"), entry.version.as_ref())? else {
                continue;
            };
            // Local directories are the project's own code, not installed packages.
            if version.starts_with("file:") || version.starts_with("link:") {
                continue;
            }
            // An alias `"my-name": {"version": "npm:real@1.2.3"}` installs `real`.
            let (name, version) = match version.strip_prefix("npm:").and_then(split_name_version) {
                Some((real, v)) => (real, v),
                None => (key.as_str(), version),
            };
            out.add(name, version, Vec::new());
        }
    }
    Ok(())
}

/// Splits `name@version` (the name may be scoped: `@scope/name@version`).
pub(crate) fn split_name_version(s: &str) -> Option<(&str, &str)> {
    let first = s.chars().next()?.len_utf8();
    let at = s.get(first..)?.find('@')? + first;
    let (name, version) = (s.get(..at)?, s.get(at + 1..)?);
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

/// A field that may be absent, but must be a string when present; empty strings count as absent.
fn string<'v>(out: &Packages<'_>, field: &str, value: Option<&'v Value>) -> Result<Option<&'v str>, ExtractError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
        Some(other) => Err(out.error(format!("{field} is {}, not a string", kind_of(other)))),
    }
}

#[cfg(test)]
mod tests;
