//! Python versions (PEP 440), parsed and ordered like `packaging.version.Version`.
//!
//! `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with every spelling `packaging`
//! normalises (`alpha`, `c`, `pre`, `preview`, `-1` for a post release, `rev`, `r`,
//! optional separators and numbers, a leading `v`, surrounding white space, any case).
//! Order: epoch, release (trailing zeros ignored), then `.devN` alone < pre-releases <
//! (none) ; post releases after; dev releases before their base; local versions after
//! the public version, segment by segment (numbers above strings).
//!
//! Invalid (ordered first) are the strings `Version()` raises `InvalidVersion` for.
//! Case folding and `\s` are ASCII plus Unicode white space; Python's Unicode case
//! folding of exotic letters (e.g. `ſ`) is not reproduced.

use crate::cmp_digits;
use std::cmp::Ordering;

/// A parsed PEP 440 version; number fields are ASCII digit strings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    epoch: String,
    release: Vec<String>,
    /// `(0 = a, 1 = b, 2 = rc, number)`.
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    /// Lower-cased local segments.
    local: Option<Vec<String>>,
}

/// Orders two PEP 440 versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), cmp_versions)
}

/// Whether `packaging.version.Version(v)` accepts `v`.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A byte cursor over the (trimmed, lower-cased) version.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn digits(&mut self) -> Option<&'a str> {
        let n = self.s.as_bytes()[self.pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        (n > 0).then(|| {
            let d = &self.s[self.pos..self.pos + n];
            self.pos += n;
            d
        })
    }

    fn eat(&mut self, word: &str) -> bool {
        let ok = self.s[self.pos..].starts_with(word);
        if ok {
            self.pos += word.len();
        }
        ok
    }

    fn eat_sep(&mut self) -> bool {
        let ok = matches!(self.peek(), Some(b'-' | b'_' | b'.'));
        if ok {
            self.pos += 1;
        }
        ok
    }

    /// `[-_.]?(word1|word2|…)[-_.]?(digits)?`, all or nothing; returns (index of word, number).
    fn labelled(&mut self, words: &[&str]) -> Option<(usize, &'a str)> {
        let start = self.pos;
        self.eat_sep();
        let Some(k) = words.iter().position(|w| self.eat(w)) else {
            self.pos = start;
            return None;
        };
        // A separator with no number after it stays consumed (the regex's greedy `[-_.]?`).
        self.eat_sep();
        Some((k, self.digits().unwrap_or("0")))
    }
}

const PRE_LABELS: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
const PRE_KIND: [u8; 8] = [0, 0, 1, 1, 2, 2, 2, 2];

fn parse(input: &str) -> Option<Version> {
    if input.len() > crate::MAX_LEN {
        return None;
    }
    let trimmed = input.trim_matches(is_py_space);
    if !trimmed.is_ascii() {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let mut c = Cursor { s: &lower, pos: 0 };
    if c.peek() == Some(b'v') {
        c.pos += 1;
    }
    let first = c.digits()?;
    let (epoch, release0) = if c.peek() == Some(b'!') {
        c.pos += 1;
        (first, c.digits()?)
    } else {
        ("0", first)
    };
    let mut release = vec![release0];
    while c.peek() == Some(b'.') && c.s.as_bytes().get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
        c.pos += 1;
        release.extend(c.digits());
    }
    let pre = c.labelled(&PRE_LABELS).map(|(k, n)| (PRE_KIND[k], n));
    let post = if c.peek() == Some(b'-') && c.s.as_bytes().get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
        c.pos += 1;
        c.digits()
    } else {
        c.labelled(&["post", "rev", "r"]).map(|(_, n)| n)
    };
    let dev = c.labelled(&["dev"]).map(|(_, n)| n);
    let local = if c.peek() == Some(b'+') {
        c.pos += 1;
        let rest = &c.s[c.pos..];
        let segments: Vec<&str> = rest.split(['.', '_', '-']).collect();
        if segments.iter().any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return None;
        }
        c.pos = c.s.len();
        Some(segments.into_iter().map(str::to_string).collect())
    } else {
        None
    };
    if c.pos != c.s.len() {
        return None;
    }
    let own = |d: &str| d.to_string();
    Some(Version {
        epoch: own(epoch),
        release: release.into_iter().map(own).collect(),
        pre: pre.map(|(k, n)| (k, own(n))),
        post: post.map(own),
        dev: dev.map(own),
        local,
    })
}

/// `packaging`'s `_cmpkey` comparison.
fn cmp_versions(a: &Version, b: &Version) -> Ordering {
    cmp_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)).then_with(|| cmp_pre_number(a, b)))
        .then_with(|| cmp_opt(a.post.as_deref(), b.post.as_deref(), Ordering::Less))
        .then_with(|| cmp_opt(a.dev.as_deref(), b.dev.as_deref(), Ordering::Greater))
        .then_with(|| cmp_local(a.local.as_deref(), b.local.as_deref()))
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    let strip = |r: &[String]| r.len() - r.iter().rev().take_while(|d| d.bytes().all(|c| c == b'0')).count();
    let (a, b) = (&a[..strip(a)], &b[..strip(b)]);
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Rank of the pre-release slot: 0 = dev-only (−∞), 1..=3 = a/b/rc, 4 = none (+∞).
fn pre_key(v: &Version) -> u8 {
    match v.pre {
        None if v.post.is_none() && v.dev.is_some() => 0,
        None => 4,
        Some((kind, _)) => kind + 1,
    }
}

fn cmp_pre_number(a: &Version, b: &Version) -> Ordering {
    match (&a.pre, &b.pre) {
        (Some((_, x)), Some((_, y))) => cmp_digits(x, y),
        _ => Ordering::Equal,
    }
}

/// Compares optional numbers; `none_vs_some` is how a missing number orders against a present one.
fn cmp_opt(a: Option<&str>, b: Option<&str>, none_vs_some: Ordering) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => cmp_digits(x, y),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => none_vs_some,
        (Some(_), None) => none_vs_some.reverse(),
    }
}

fn cmp_local(a: Option<&[String]>, b: Option<&[String]>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    for (x, y) in a.iter().zip(b) {
        let o = match (numeric(x), numeric(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => x.cmp(y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn pep440_spec_order() {
        // The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering").
        let ascending = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in ascending.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
        let brief = ["1.0.dev1", "1.0a1", "1.0rc1", "1.0", "1.0.post1"];
        for w in brief.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn normalised_spellings_are_equal() {
        let equal = [
            ("1.0", "1"),
            ("1.0.0", "1"),
            ("v1.0", "1.0"),
            ("  1.0\n", "1.0"),
            ("0!1.0", "1.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-a.1", "1.0a1"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0RC", "1.0rc0"),
            ("1.0-1", "1.0.post1"),
            ("1.0r1", "1.0.post1"),
            ("1.0-rev", "1.0.post0"),
            ("1.0.post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0a-", "1.0a0"),
            ("1.0+ABC.1", "1.0+abc-1"),
            ("1.01", "1.1"),
        ];
        for (a, b) in equal {
            assert_eq!(compare(a, b), Equal, "{a} == {b}");
            assert!(is_valid(a) && is_valid(b), "{a} {b}");
        }
    }

    #[test]
    fn locals_and_epochs() {
        assert_eq!(compare("1.0+1", "1.0+a"), Greater);
        assert_eq!(compare("1.0+a.1", "1.0+a"), Greater);
        assert_eq!(compare("1!0.1", "2.0"), Greater);
        assert_eq!(compare("1.0+local", "1.0.post1"), Less);
    }

    #[test]
    fn invalid_versions_order_first() {
        for bad in ["", "1.0-", "1.0+", "1.0+a..b", "1.0ab", "french toast", "1.0.dev1.post1", "1.0 1", "1!", "v"] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, "0"), Less, "{bad:?}");
        }
        assert_eq!(compare("french", "toast"), Less);
    }
}
