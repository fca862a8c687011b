//! pnpm lockfiles (`pnpm-lock.yaml`): lockfile versions 5.x (`/name/1.2.3_peer@1` keys),
//! 6.x (`/name@1.2.3(peer@1)`) and 9.x (`name@1.2.3` under `packages:` and, with peer
//! suffixes, under `snapshots:`). One package per name and version.

use crate::extractors::yarn_lock::yaml::{self, kind_of};
use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::{BTreeMap, HashSet};

/// Version specifiers of local code (workspaces and directories), which is not reported.
const LOCAL_PROTOCOLS: &[&str] = &["file:", "link:", "workspace:"];

/// Extractor for `pnpm-lock.yaml`.
pub struct PnpmLock;

impl Extractor for PnpmLock {
    fn name(&self) -> &'static str {
        "lang/pnpm-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        // A lockfile shipped inside an installed package describes its development, not this install.
        file.file_name() == "pnpm-lock.yaml" && !file.path.contains("node_modules/")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let err = |message: String| ExtractError::new(input, message);
        let lock: Lockfile = yaml::parse(input.data).map_err(err)?;
        let syntax = match &lock.lockfile_version {
            Some(v) => key_syntax(v).map_err(err)?,
            None if lock.packages.is_none() && lock.snapshots.is_none() => return Ok(Vec::new()),
            None => return Err(err("no lockfileVersion".into())),
        };
        let mut seen = HashSet::new();
        let mut packages = Vec::new();
        let sections = [("packages", lock.packages.as_ref()), ("snapshots", lock.snapshots.as_ref())];
        for (section, entries) in sections {
            for (key, entry) in entries.into_iter().flatten() {
                let Some((name, version)) = identify(section, key, entry, syntax).map_err(err)? else { continue };
                if seen.insert((name.clone(), version.clone())) {
                    packages.push(package_at(input, PackageKind::Npm, &name, &version, self.name()));
                }
            }
        }
        Ok(packages)
    }
}

/// The parts of a lockfile that list packages; other fields are skipped.
#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<Value>,
    packages: Option<BTreeMap<String, Option<Entry>>>,
    snapshots: Option<BTreeMap<String, Option<Entry>>>,
}

/// Fields of a `packages`/`snapshots` entry that name the package when its key does not
/// (tarballs, git); registry entries have neither.
#[derive(Deserialize)]
struct Entry {
    name: Option<Value>,
    version: Option<Value>,
}

/// How package keys are spelt in a lockfile version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeySyntax {
    /// 5.x: `/name/1.2.3`, `/@scope/name/1.2.3_peer@1.0.0`.
    Slash,
    /// 6.x: `/name@1.2.3(peer@1.0.0)`; 9.x: the same without the leading `/`.
    At,
}

/// The key syntax for a `lockfileVersion` (a number such as `5.4` or a string such as `'6.0'`).
fn key_syntax(v: &Value) -> Result<KeySyntax, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("lockfileVersion is {}, not a version", kind_of(other))),
    };
    let major: u32 = text
        .split('.')
        .next()
        .and_then(|m| m.trim().parse().ok())
        .ok_or_else(|| format!("invalid lockfileVersion {text:?}"))?;
    Ok(if major < 6 { KeySyntax::Slash } else { KeySyntax::At })
}

/// (name, version) of one entry, or `None` for local code and entries that name no version.
fn identify(
    section: &str,
    key: &str,
    entry: &Option<Entry>,
    syntax: KeySyntax,
) -> Result<Option<(String, String)>, String> {
    let field = |f: &str, v: Option<&Value>| -> Result<Option<String>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("{section}[{key:?}].{f} is {}, not a string", kind_of(other))),
        }
    };
    // Local directories (`file:local` in 5.x/6.x, `name@file:local` in 9.x) are the project's own code.
    let bare = key.strip_prefix('/').unwrap_or(key);
    if LOCAL_PROTOCOLS.iter().any(|p| bare.starts_with(p)) {
        return Ok(None);
    }
    let name_field = field("name", entry.as_ref().and_then(|e| e.name.as_ref()))?;
    let version_field = field("version", entry.as_ref().and_then(|e| e.version.as_ref()))?;
    let parsed = parse_key(key, syntax);
    let name = name_field.or_else(|| parsed.map(|(n, _)| n.to_string()));
    let Some(name) = name else {
        return Err(format!("{section}[{key:?}]: cannot read a package name from the key"));
    };
    let key_version = parsed.map(|(_, v)| v);
    if key_version.is_some_and(|v| LOCAL_PROTOCOLS.iter().any(|p| v.starts_with(p))) {
        return Ok(None);
    }
    // The `version` field wins: for tarballs and git the key holds a URL.
    let version = match (version_field, key_version) {
        (Some(v), _) => v,
        (None, Some(v)) if !v.contains([':', '/']) => v.to_string(),
        _ => return Ok(None),
    };
    Ok(Some((name, version)))
}

/// Splits a package key into name and version, without the peer-dependency suffix.
fn parse_key(key: &str, syntax: KeySyntax) -> Option<(&str, &str)> {
    let (name, version) = match syntax {
        KeySyntax::Slash => {
            let rest = key.strip_prefix('/')?;
            let cut =
                if rest.starts_with('@') { rest.match_indices('/').nth(1) } else { rest.match_indices('/').next() };
            let (at, _) = cut?;
            let (name, version) = (rest.get(..at)?, rest.get(at + 1..)?);
            (name, version.split(['_', '(']).next().unwrap_or(version))
        }
        KeySyntax::At => {
            let rest = key.strip_prefix('/').unwrap_or(key);
            let rest = rest.split('(').next().unwrap_or(rest);
            let first = rest.chars().next()?.len_utf8();
            let at = rest.get(first..)?.find('@')? + first;
            (rest.get(..at)?, rest.get(at + 1..)?)
        }
    };
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests;
