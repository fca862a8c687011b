//! Installed npm packages: the `package.json` at the top of each package directory under a
//! `node_modules/` (`node_modules/<name>/package.json`, `node_modules/@scope/<name>/package.json`),
//! at any depth of nesting and in pnpm's `.pnpm` store alike.

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;
use serde_json::Value;

/// The directory packages are installed in.
const NODE_MODULES: &str = "node_modules/";

/// Extractor for `package.json` files of installed npm packages.
pub struct NpmInstalled;

impl Extractor for NpmInstalled {
    fn name(&self) -> &'static str {
        "lang/npm"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        is_package_manifest(file.path)
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let manifest: Manifest = parse_object(input)?;
        let name = optional_string(input, "name", manifest.name.as_ref())?;
        let version = optional_string(input, "version", manifest.version.as_ref())?;
        let (Some(name), Some(version)) = (name, version) else {
            // A package.json without identity (e.g. a build-tool stub) is not a package.
            return Ok(Vec::new());
        };
        let mut pkg = package_at(input, PackageKind::Npm, name, version, self.name());
        pkg.licenses = licenses(manifest.license.as_ref(), manifest.licenses.as_ref());
        Ok(vec![pkg])
    }
}

/// The fields of `package.json` that identify a package; everything else is skipped.
#[derive(Deserialize)]
struct Manifest {
    name: Option<Value>,
    version: Option<Value>,
    license: Option<Value>,
    licenses: Option<Value>,
}

/// Whether `path` is `…node_modules/<name>/package.json` or `…node_modules/@scope/<name>/package.json`.
fn is_package_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else { return false };
    let Some((before, rest)) = dir.rsplit_once(NODE_MODULES) else { return false };
    if !before.is_empty() && !before.ends_with('/') {
        return false;
    }
    let mut parts = rest.split('/');
    let plain = |s: &str| !s.is_empty() && !s.starts_with('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, None) => plain(name) && !name.starts_with('@'),
        (Some(scope), Some(name), None) => scope.len() > 1 && scope.starts_with('@') && plain(name),
        _ => false,
    }
}

/// A field that may be absent, but must be a non-empty string when present.
fn optional_string<'a>(
    input: &FileInput<'_>,
    field: &str,
    value: Option<&'a Value>,
) -> Result<Option<&'a str>, ExtractError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(other) => Err(ExtractError::new(input, format!("`{field}` is {}, not a string", kind_of(other)))),
    }
}

/// Declared licences: `license` as a string, a legacy `{ "type": … }` object or an array of
/// either, else the legacy `licenses` array. Unusable shapes give no licence rather than an error.
pub(crate) fn licenses(license: Option<&Value>, legacy: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    for value in [license, legacy].into_iter().flatten() {
        collect_license(value, &mut out);
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// Appends the licence names in `value` (string, `{type}` object, or array of those) to `out`.
fn collect_license(value: &Value, out: &mut Vec<String>) {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(|s| s.trim().to_string()),
        _ => None,
    };
    let items: Vec<Option<String>> = match value {
        Value::Array(items) => items.iter().map(one).collect(),
        v => vec![one(v)],
    };
    for l in items.into_iter().flatten() {
        if !l.is_empty() && !out.contains(&l) {
            out.push(l);
        }
    }
}

/// A short name for a JSON value's type, for error messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a JSON document whose top level must be an object (serde would also take an array for a struct).
pub(crate) fn parse_object<T: serde::de::DeserializeOwned>(input: &FileInput<'_>) -> Result<T, ExtractError> {
    let first = input.data.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ExtractError::new(input, "line 1: the top level is not a JSON object"));
    }
    serde_json::from_slice(input.data).map_err(|e| ExtractError::new(input, json_error(&e)))
}

/// A serde_json error as `line N: what`, without serde's trailing position.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text),
        None => &text,
    };
    format!("line {}: invalid JSON: {what}", e.line())
}

#[cfg(test)]
mod tests;
