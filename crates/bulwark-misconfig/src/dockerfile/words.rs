//! Word-level helpers for Dockerfile arguments: quote-aware splitting, unquoting, exec-form JSON and flags.

/// One `--name=value` flag of an instruction (`--from=build`, `--mount=type=cache,target=/root/.cache`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The flag as written, e.g. `--from=build`.
    pub raw: String,
    /// Its name without dashes, lower-case, e.g. `from`.
    pub name: String,
    /// Its value with quotes removed, when it has one.
    pub value: Option<String>,
}

/// Splits `text` on unquoted whitespace, keeping quotes and escapes in the words (as BuildKit's parser does).
pub fn split_keep_quotes(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                word.push(c);
                if c == escape && q == '"' {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                }
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Removes quotes and escape characters from one word (`"a b"` → `a b`, `a\ b` → `a b`).
pub fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') if c == '\'' => quote = None,
            Some('"') if c == '"' => quote = None,
            Some('"') if c == escape => {
                if let Some(next) = chars.next() {
                    if !matches!(next, '"' | '$') && next != escape {
                        out.push(c);
                    }
                    out.push(next);
                }
            }
            Some(_) => out.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Parses exec form: a JSON array of strings. `None` when `text` is not one.
pub fn parse_json_array(text: &str) -> Option<Vec<String>> {
    let trimmed = text.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(trimmed).ok()
}

/// Takes leading `--flag[=value]` words off `text`; returns the flags and the rest.
pub fn take_flags(text: &str, escape: char) -> (Vec<Flag>, &str) {
    let mut flags = Vec::new();
    let mut rest = text.trim_start();
    while rest.starts_with("--") {
        let end = word_end(rest, escape);
        let raw = &rest[..end];
        let body = unquote(raw.trim_start_matches('-'), escape);
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(v.to_string())),
            None => (body.to_ascii_lowercase(), None),
        };
        flags.push(Flag { raw: raw.to_string(), name, value });
        rest = rest[end..].trim_start();
    }
    (flags, rest)
}

/// Byte offset where the first word of `text` ends (unquoted whitespace or end).
fn word_end(text: &str, escape: char) -> usize {
    let mut quote: Option<char> = None;
    let mut skip = false;
    for (i, c) in text.char_indices() {
        if skip {
            skip = false;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => skip = true,
            Some(_) => {}
            None if c.is_whitespace() => return i,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == escape => skip = true,
            None => {}
        }
    }
    text.len()
}

/// Splits `KEY=value` pairs (BuildKit's name-value form, quotes kept in values). Returns the words without `=`.
pub fn name_value_pairs(text: &str, escape: char) -> (Vec<(String, String)>, Vec<String>) {
    let mut pairs = Vec::new();
    let mut bad = Vec::new();
    for word in split_keep_quotes(text, escape) {
        match word.split_once('=') {
            Some((k, v)) if !k.is_empty() => pairs.push((k.to_string(), v.to_string())),
            _ => bad.push(word),
        }
    }
    (pairs, bad)
}

/// Whether a value is only a variable reference (`$X`, `${X}`, `${X:-default}`), not a literal.
pub fn is_variable_reference(value: &str) -> bool {
    value.trim().starts_with('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_unquotes() {
        let words = split_keep_quotes(r#"A="a b" B=c\ d  'e f'"#, '\\');
        assert_eq!(words, vec![r#"A="a b""#, r"B=c\ d", "'e f'"]);
        assert_eq!(unquote(&words[0], '\\'), "A=a b");
        assert_eq!(unquote(&words[1], '\\'), "B=c d");
        assert_eq!(unquote(r#""x\"y""#, '\\'), "x\"y");
        assert_eq!(unquote("\"unterminated", '\\'), "unterminated");
    }

    #[test]
    fn flags_are_taken_in_order() {
        let (flags, rest) = take_flags("--from=build --chown=1:1 --link src/ /dst", '\\');
        assert_eq!(flags.len(), 3);
        assert_eq!(flags[0].name, "from");
        assert_eq!(flags[0].value.as_deref(), Some("build"));
        assert_eq!(flags[2].value, None);
        assert_eq!(rest, "src/ /dst");
    }

    #[test]
    fn json_arrays() {
        assert_eq!(parse_json_array(r#"["a", "b"]"#), Some(vec!["a".into(), "b".into()]));
        assert_eq!(parse_json_array(r#"["a", "b""#), None);
        assert_eq!(parse_json_array("echo [x]"), None);
    }
}
