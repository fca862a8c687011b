//! Guarded YAML parsing for lockfiles (Yarn Berry, pnpm).
//!
//! serde_yaml bounds recursion and alias expansion, but libyaml's scanner takes time
//! quadratic in the nesting depth of flow collections (`[[[[…`: 100 000 levels take
//! about 20 s), so [`parse`] first checks that depth in one linear pass.

use serde::de::DeserializeOwned;
use serde_yaml::Value;

/// Deepest nesting of flow collections (`[…]`, `{…}`) accepted; lockfiles use two.
const MAX_FLOW_DEPTH: usize = 64;

/// Parses a YAML document into `T` after checking its flow nesting; errors read `line N: …`.
pub(crate) fn parse<T: DeserializeOwned>(data: &[u8]) -> Result<T, String> {
    check_flow_depth(data)?;
    serde_yaml::from_slice(data).map_err(|e| error(&e))
}

/// Fails when flow collections nest deeper than [`MAX_FLOW_DEPTH`], ignoring brackets
/// inside quoted scalars and comments.
fn check_flow_depth(data: &[u8]) -> Result<(), String> {
    let mut depth = 0usize;
    let mut line = 1usize;
    // The last byte outside quotes and spaces on this line; b'\n' at a line start.
    let mut prev = b'\n';
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        i += 1;
        match b {
            b'\n' => {
                line += 1;
                prev = b'\n';
                continue;
            }
            b' ' | b'\t' | b'\r' => continue,
            b'#' if i < 2 || matches!(data.get(i - 2), Some(b' ' | b'\t' | b'\n')) => {
                // A comment runs to the end of the line.
                while data.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' if matches!(prev, b'\n' | b':' | b',' | b'[' | b'{' | b'-' | b'?') => {
                i = skip_quoted(data, i, b, &mut line);
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(format!("line {line}: flow collections nested deeper than {MAX_FLOW_DEPTH} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = b;
    }
    Ok(())
}

/// The index just after the quoted scalar whose opening `quote` ends just before `i`.
fn skip_quoted(data: &[u8], mut i: usize, quote: u8, line: &mut usize) -> usize {
    while let Some(&c) = data.get(i) {
        i += 1;
        match c {
            b'\n' => *line += 1,
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && data.get(i) == Some(&b'\'') => i += 1,
            c if c == quote => break,
            _ => {}
        }
    }
    i
}

/// A serde_yaml error as `line N: invalid YAML: what`.
pub(crate) fn error(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match e.location() {
        Some(at) => {
            let what = text.rsplit_once(" at line ").map_or(text.as_str(), |(w, _)| w);
            format!("line {}: invalid YAML: {what}", at.line())
        }
        None => format!("invalid YAML: {text}"),
    }
}

/// A short name for a YAML value's type, for error messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a sequence",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let deep = "[".repeat(200);
        for doc in [
            format!("a: '{deep}'\n"),
            format!("a: \"{deep}\"\n"),
            format!("a: 'it''s {deep}'\n"),
            format!("a: \"\\\" {deep}\"\n"),
            format!("# {deep}\na: 1\n"),
            format!("a: 1 # {deep}\n"),
            format!("a: [\"{deep}\", '{deep}']\n"),
        ] {
            assert_eq!(check_flow_depth(doc.as_bytes()), Ok(()), "{doc}");
            assert!(serde_yaml::from_str::<Value>(&doc).is_ok(), "{doc}");
        }
    }

    #[test]
    fn unquoted_brackets_count_wherever_they_are() {
        let deep = "[".repeat(65);
        for doc in [
            format!("a: {deep}\n"),
            format!("a: x'{deep}\n"),
            format!("a: x#{deep}\n"),
            format!("- {}\n", "{a: ".repeat(65)),
            format!("a: [[[\n{deep}\n"),
        ] {
            let err = check_flow_depth(doc.as_bytes()).err().unwrap_or_default();
            assert!(err.contains("flow collections nested deeper than 64 levels"), "{doc}: {err}");
        }
        assert_eq!(check_flow_depth(format!("a: {}{}\n", "[".repeat(64), "]".repeat(64)).as_bytes()), Ok(()));
    }
}
