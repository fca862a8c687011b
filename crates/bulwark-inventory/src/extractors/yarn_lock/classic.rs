//! Yarn 1's own lockfile syntax: unindented headers listing descriptors
//! (`"a@^1.0.0", a@~1.2.0:`), each followed by indented fields such as `version "1.2.3"`.

use super::{is_skipped_protocol, split_descriptor};

/// One entry being read: its header line, package name (if reported) and version.
struct Block {
    line: usize,
    name: Option<String>,
    version: Option<String>,
}

/// (name, version) of every entry, in file order; an error message names the line.
pub(super) fn entries(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let text = std::str::from_utf8(data).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut out = Vec::new();
    let mut block: Option<Block> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent == 0 {
            finish(block.take(), &mut out)?;
            let Some(header) = body.strip_suffix(':') else {
                return Err(format!("line {number}: expected an entry header ending in `:`, found {:?}", clip(body)));
            };
            block = Some(Block { line: number, name: package_name(header, number)?, version: None });
            continue;
        }
        let Some(current) = block.as_mut() else {
            return Err(format!("line {number}: indented line outside an entry"));
        };
        if indent != 2 {
            continue; // `dependencies:` contents and other nested maps
        }
        let (key, value) = body.split_once([' ', ':']).unwrap_or((body, ""));
        if unquote(key) == "version" {
            if current.version.is_some() {
                return Err(format!("line {number}: second `version` in the entry of line {}", current.line));
            }
            let version = unquote(value.trim());
            if version.is_empty() {
                return Err(format!("line {number}: empty version"));
            }
            current.version = Some(version.to_string());
        }
    }
    finish(block, &mut out)?;
    Ok(out)
}

/// Adds a finished entry to `out`; every entry must have had a version.
fn finish(block: Option<Block>, out: &mut Vec<(String, String)>) -> Result<(), String> {
    let Some(block) = block else { return Ok(()) };
    let Some(version) = block.version else {
        return Err(format!("line {}: entry has no version", block.line));
    };
    if let Some(name) = block.name {
        out.push((name, version));
    }
    Ok(())
}

/// The package an entry header resolves to, from its first descriptor; `None` for local code.
/// An alias `alias@npm:real@range` installs `real`.
fn package_name(header: &str, number: usize) -> Result<Option<String>, String> {
    let first = header.split(',').next().map(|d| unquote(d.trim())).unwrap_or_default();
    let bad = || format!("line {number}: invalid descriptor {:?}", clip(first));
    let (name, range) = split_descriptor(first).ok_or_else(bad)?;
    if is_skipped_protocol(range) {
        return Ok(None);
    }
    match range.strip_prefix("npm:").and_then(split_descriptor) {
        Some((real, _)) => Ok(Some(real.to_string())),
        None => Ok(Some(name.to_string())),
    }
}

/// `s` without one pair of surrounding double quotes.
fn unquote(s: &str) -> &str {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s)
}

/// At most 60 characters of `s`, for error messages.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}
