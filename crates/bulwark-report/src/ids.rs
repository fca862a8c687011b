//! Identifiers inside SBOM documents: sanitised id strings and uniqueness.

use std::collections::HashSet;

/// Longest sanitised fragment kept in an SPDX id or `LicenseRef-`.
const MAX_IDSTRING: usize = 64;

/// `s` reduced to the SPDX idstring alphabet `[A-Za-z0-9.-]`: other characters (spaces, `/`, `@`, `+`,
/// non-ASCII) become `-`, runs of `-` collapse, at most 64 characters; `unnamed` when nothing is left.
pub fn idstring(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        if out.len() >= MAX_IDSTRING {
            break;
        }
        out.push(c);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("unnamed");
    }
    out
}

/// A set of identifiers already handed out in one document.
#[derive(Debug, Default)]
pub struct Unique {
    used: HashSet<String>,
}

impl Unique {
    /// `base` if it is still free, else `base` + `sep` + the first free number from 2; marks it used.
    pub fn claim(&mut self, base: &str, sep: &str) -> String {
        let mut candidate = base.to_string();
        let mut n: u64 = 2;
        while self.used.contains(&candidate) {
            candidate = format!("{base}{sep}{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }

    /// Whether `id` has been handed out.
    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idstring_keeps_only_the_spdx_alphabet() {
        let cases = [
            ("libc6", "libc6"),
            ("@types/node", "types-node"),
            ("org.apache:commons lang", "org.apache-commons-lang"),
            ("café-ünïcode", "caf-n-code"),
            ("///", "unnamed"),
            ("", "unnamed"),
            ("a+b:c", "a-b-c"),
        ];
        for (input, want) in cases {
            assert_eq!(idstring(input), want, "{input}");
        }
        assert_eq!(idstring(&"x".repeat(500)).len(), 64);
    }

    #[test]
    fn claim_numbers_repeats() {
        let mut u = Unique::default();
        assert_eq!(u.claim("a", "-"), "a");
        assert_eq!(u.claim("a", "-"), "a-2");
        assert_eq!(u.claim("a", "-"), "a-3");
        assert_eq!(u.claim("b", "#"), "b");
        assert!(u.contains("a-2") && !u.contains("a-4"));
    }
}
