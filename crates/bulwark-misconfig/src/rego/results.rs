//! What `deny` / `warn` / `violation` rules return, read into [`Hit`]s, and Trivy's `result.new` builtin.

use crate::check::Hit;
use serde_json::{json, Map, Value};

/// Most results read from one rule on one input; the rest are summarised in one extra hit.
pub const MAX_RESULTS_PER_RULE: usize = 1000;

/// Reads a rule's value: a set or array of strings or of objects with `msg` and optional `startline`,
/// `endline` and `resource` (what `result.new` returns); `true` (a boolean rule) is one failure with
/// `default_message`; `false`, `null` and empty collections are none.
pub fn hits(value: &Value, default_message: &str) -> Vec<Hit> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Bool(true) => return vec![Hit::new(default_message)],
        Value::Bool(false) | Value::Null => return Vec::new(),
        other => vec![other],
    };
    let mut out: Vec<Hit> = items.iter().take(MAX_RESULTS_PER_RULE).map(|v| hit(v, default_message)).collect();
    if items.len() > MAX_RESULTS_PER_RULE {
        out.push(Hit::new(format!("{} more results not shown", items.len() - MAX_RESULTS_PER_RULE)));
    }
    out
}

/// One result.
fn hit(value: &Value, default_message: &str) -> Hit {
    let Value::Object(o) = value else {
        return Hit::new(text(value));
    };
    let message = match o.get("msg") {
        Some(m) => text(m),
        None if o.is_empty() => default_message.to_string(),
        None => value.to_string(),
    };
    let mut hit = Hit::new(message);
    let start = line(o, &["startline", "StartLine"]);
    let end = line(o, &["endline", "EndLine"]);
    if let Some(start) = start {
        hit = hit.lines(start, end.filter(|e| *e >= start).unwrap_or(start));
    }
    if let Some(resource) = o.get("resource").and_then(Value::as_str).filter(|r| !r.is_empty()) {
        hit = hit.resource(resource);
    }
    hit
}

/// A string as is; anything else as JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first of `keys` that holds a positive integer that fits a line number.
fn line(o: &Map<String, Value>, keys: &[&str]) -> Option<u32> {
    keys.iter().find_map(|k| o.get(*k)?.as_u64()).filter(|n| *n > 0).and_then(|n| u32::try_from(n).ok())
}

/// Trivy's `result.new(msg, cause)`: `{"msg": msg}` plus `startline`, `endline`, `resource` and `filepath`
/// taken from the cause's `__defsec_metadata` object, or from the cause itself (`startline`/`StartLine`,
/// `endline`/`EndLine` — the line fields of Trivy's Dockerfile commands).
pub fn result_new(msg: &Value, cause: &Value) -> Value {
    let mut out = Map::new();
    out.insert("msg".into(), Value::String(text(msg)));
    let meta = cause.get("__defsec_metadata").filter(|m| m.is_object()).unwrap_or(cause);
    if let Value::Object(m) = meta {
        if let Some(start) = line(m, &["startline", "StartLine"]) {
            out.insert("startline".into(), json!(start));
        }
        if let Some(end) = line(m, &["endline", "EndLine"]) {
            out.insert("endline".into(), json!(end));
        }
        for key in ["resource", "filepath"] {
            if let Some(v) = m.get(key).and_then(Value::as_str) {
                out.insert(key.into(), Value::String(v.to_string()));
            }
        }
    }
    Value::Object(out)
}
