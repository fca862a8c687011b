//! Path globs for ignore rules: `*` (within one directory), `**` (any depth), `?` (one character).
//!
//! Leading `/` on the pattern and the path are ignored, so `app/**` and `/app/**` are the same.
//! Matching is a dynamic programme over pattern × path: linear memory, no backtracking blow-up.

/// One piece of a compiled glob.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A character that must appear as is.
    Char(char),
    /// `?`: any one character except `/`.
    One,
    /// `*`: any run of characters without `/`.
    Star,
    /// `**`: any run of characters, `/` included.
    Any,
    /// `**/`: nothing, or any run of characters that ends in `/`.
    AnyDirs,
}

/// A compiled path glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// Compiles `pattern`; an error says what is wrong with it.
    pub(crate) fn new(pattern: &str) -> Result<Glob, String> {
        let body = pattern.trim_start_matches('/');
        if body.is_empty() {
            return Err("empty path glob".to_string());
        }
        let chars: Vec<char> = body.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'*') {
                        return Err(format!("`***` in path glob `{pattern}`"));
                    }
                    if chars.get(i + 2) == Some(&'/') {
                        tokens.push(Token::AnyDirs);
                        i += 3;
                    } else {
                        tokens.push(Token::Any);
                        i += 2;
                    }
                }
                '*' => {
                    tokens.push(Token::Star);
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::One);
                    i += 1;
                }
                _ => {
                    tokens.push(Token::Char(c));
                    i += 1;
                }
            }
        }
        Ok(Glob { tokens })
    }

    /// Whether the whole of `path` matches.
    pub(crate) fn matches(&self, path: &str) -> bool {
        let text: Vec<char> = path.trim_start_matches('/').chars().collect();
        // row[j]: the tokens seen so far match text[..j].
        let mut row = vec![false; text.len() + 1];
        row[0] = true;
        for token in &self.tokens {
            let mut next = vec![false; text.len() + 1];
            match token {
                Token::Char(c) => {
                    for j in 0..text.len() {
                        next[j + 1] = row[j] && text[j] == *c;
                    }
                }
                Token::One => {
                    for j in 0..text.len() {
                        next[j + 1] = row[j] && text[j] != '/';
                    }
                }
                Token::Star => {
                    next[0] = row[0];
                    for j in 0..text.len() {
                        next[j + 1] = row[j + 1] || (next[j] && text[j] != '/');
                    }
                }
                Token::Any => {
                    next[0] = row[0];
                    for j in 0..text.len() {
                        next[j + 1] = row[j + 1] || next[j];
                    }
                }
                Token::AnyDirs => {
                    // Reachable after consuming any text that ends in '/', or nothing.
                    let mut seen = false;
                    for j in 0..=text.len() {
                        seen |= row[j];
                        next[j] = row[j] || (j > 0 && seen && text[j - 1] == '/');
                    }
                }
            }
            row = next;
            if !row.iter().any(|&b| b) {
                return false;
            }
        }
        row[text.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn globs_match_like_gitignore_paths() {
        let cases = [
            ("/app/node/**", "/app/node/node_modules/depd/package.json", true),
            ("app/node/**", "/app/node/node_modules/depd/package.json", true),
            ("/app/*/package.json", "/app/node/package.json", true),
            ("/app/*/package.json", "/app/node/node_modules/package.json", false),
            ("**/raw-body/**", "/app/node/node_modules/raw-body/node_modules/depd/package.json", true),
            ("**/raw-body/**", "/app/node/node_modules/depd/package.json", false),
            ("/app/**/depd/package.json", "/app/depd/package.json", true),
            ("/opt/venv/lib/python3.1?/**", "/opt/venv/lib/python3.11/site-packages/x", true),
            ("/opt/venv/lib/python3.1?/**", "/opt/venv/lib/python3.1/x", false),
            ("*.json", "/package.json", true),
            ("*.json", "/a/package.json", false),
            ("/exact/path", "/exact/path", true),
            ("/exact/path", "/exact/path/more", false),
        ];
        for (pattern, path, want) in cases {
            let glob = Glob::new(pattern).expect("valid glob");
            assert_eq!(glob.matches(path), want, "{pattern} vs {path}");
        }
    }

    #[test]
    fn bad_globs_are_rejected() {
        assert!(Glob::new("").is_err());
        assert!(Glob::new("/").is_err());
        assert!(Glob::new("a/***/b").is_err());
    }

    #[test]
    fn long_inputs_stay_linear() {
        let pattern = "*a".repeat(200) + "b";
        let glob = Glob::new(&pattern).expect("valid glob");
        let path = "a".repeat(4000);
        assert!(!glob.matches(&path));
    }
}
