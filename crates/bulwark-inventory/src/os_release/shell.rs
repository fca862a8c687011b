//! The shell-compatible `KEY=value` assignments of os-release and lsb-release files.
//!
//! Per the os-release spec: one assignment per line; `#` starts a comment line;
//! values may be unquoted, 'single-quoted' or "double-quoted", with `\"`, `\\`,
//! `` \` `` and `\$` escapes inside double quotes and any `\x` escape outside
//! quotes. Variable expansion is not performed. Invalid lines are ignored.

use std::collections::HashMap;

/// Most assignments kept from one file.
const MAX_VARS: usize = 256;

/// Every valid assignment in `data`, a later one replacing an earlier one of the same name.
pub fn assignments(data: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(data);
    let mut vars = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else { continue };
        if !is_name(key) || (vars.len() >= MAX_VARS && !vars.contains_key(key)) {
            continue;
        }
        if let Some(value) = unquote(raw) {
            vars.insert(key.to_string(), value);
        }
    }
    vars
}

/// Whether `key` is a shell variable name.
fn is_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value of a shell word, or None when it is not a single valid word.
fn unquote(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => match chars.next()? {
                        c @ ('"' | '\\' | '$' | '`') => out.push(c),
                        c => {
                            out.push('\\');
                            out.push(c);
                        }
                    },
                    c => out.push(c),
                }
            },
            '\\' => out.push(chars.next()?),
            c if c.is_whitespace() => {
                // Only a comment may follow an unquoted space.
                let rest = chars.as_str().trim_start();
                return (rest.is_empty() || rest.starts_with('#')).then_some(out);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_shell_quoting() {
        let data = concat!(
            "# comment line\r\n",
            "PLAIN=debian\r\n",
            "DOUBLE=\"Debian GNU/Linux 12 (bookworm)\"\n",
            "SINGLE='a \"b\" $c'\n",
            "ESCAPED=\"say \\\"hi\\\" \\\\ \\$HOME \\n\"\n",
            "BARE=a\\ b\n",
            "JOINED=\"a\"'b'c\n",
            "COMMENTED=value # trailing comment\n",
            "EMPTY=\n",
            "  INDENTED=yes  \n",
            "REPEATED=1\nREPEATED=2\n",
        );
        let vars = assignments(data.as_bytes());
        let want = [
            ("PLAIN", "debian"),
            ("DOUBLE", "Debian GNU/Linux 12 (bookworm)"),
            ("SINGLE", "a \"b\" $c"),
            ("ESCAPED", "say \"hi\" \\ $HOME \\n"),
            ("BARE", "a b"),
            ("JOINED", "abc"),
            ("COMMENTED", "value"),
            ("EMPTY", ""),
            ("INDENTED", "yes"),
            ("REPEATED", "2"),
        ];
        for (key, value) in want {
            assert_eq!(vars.get(key).map(String::as_str), Some(value), "{key}");
        }
        assert_eq!(vars.len(), want.len());
    }

    #[test]
    fn invalid_lines_are_ignored() {
        let data =
            b"OPEN=\"unterminated\nSPACED=a b\n1BAD=x\nBAD-NAME=x\nno equals sign\nTRAIL=a\\\n\xff\xfe=1\nOK=1\n";
        let vars = assignments(data);
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), [("OK".to_string(), "1".to_string())]);
    }

    #[test]
    fn the_number_of_variables_is_bounded() {
        let data: String = (0..10_000).map(|i| format!("K{i}=v\n")).collect();
        assert_eq!(assignments(data.as_bytes()).len(), MAX_VARS);
    }
}
