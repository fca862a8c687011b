//! RubyGems versions, ordered like `Gem::Version#<=>`.
//!
//! A version is digits followed by `.`-separated alphanumeric parts and an optional
//! `-` suffix (which RubyGems rewrites to `.pre.`). It splits into runs of digits
//! (numbers) and letters (strings); trailing zero numbers are dropped from the
//! numeric head and from the rest separately, so `1.0 == 1`. Missing parts count as
//! `0`; a string part sorts before any number (so `1.0.a < 1.0`); strings compare
//! bytewise. A blank string is version `0`, as in RubyGems.
//!
//! Invalid (ordered first) are the strings `Gem::Version.correct?` rejects.

use crate::cmp_digits;
use std::cmp::Ordering;

/// One segment: a run of digits or of letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Num(&'a str),
    Str(&'a str),
}

/// Orders two RubyGems versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| cmp_segments(x, y))
}

/// Whether `Gem::Version.correct?(v)` holds.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// `ANCHORED_VERSION_PATTERN`, then the canonical segments.
fn parse(v: &str) -> Option<Vec<Segment<'_>>> {
    if v.len() > crate::MAX_LEN {
        return None;
    }
    let s = v.trim_matches(is_ruby_space);
    if s.is_empty() {
        return Some(Vec::new());
    }
    let (main, pre) = match s.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric())) {
        return None;
    }
    if let Some(pre) = pre {
        if !pre.split('.').all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')) {
            return None;
        }
    }
    // `-` becomes `.pre.`: a "pre" string segment between main and suffix.
    let mut segments = runs(main);
    if let Some(pre) = pre {
        for piece in pre.split('-') {
            segments.push(Segment::Str("pre"));
            segments.extend(runs(piece));
        }
    }
    Some(canonical(segments))
}

/// Splits into maximal runs of ASCII digits or ASCII letters (`scan(/[0-9]+|[a-z]+/i)`).
fn runs(s: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let digit = bytes[i].is_ascii_digit();
        let alpha = bytes[i].is_ascii_alphabetic();
        if !digit && !alpha {
            i += 1;
            continue;
        }
        let len =
            bytes[i..].iter().take_while(|c| if digit { c.is_ascii_digit() } else { c.is_ascii_alphabetic() }).count();
        let run = &s[i..i + len];
        out.push(if digit { Segment::Num(run) } else { Segment::Str(run) });
        i += len;
    }
    out
}

fn is_zero(s: &Segment<'_>) -> bool {
    matches!(s, Segment::Num(d) if d.bytes().all(|c| c == b'0'))
}

/// `canonical_segments`: drop trailing zeros from the numeric head and from the rest.
fn canonical(segments: Vec<Segment<'_>>) -> Vec<Segment<'_>> {
    let split = segments.iter().position(|s| matches!(s, Segment::Str(_))).unwrap_or(segments.len());
    let (head, tail) = segments.split_at(split);
    let trim = |part: &[Segment<'_>]| part.len() - part.iter().rev().take_while(|s| is_zero(s)).count();
    let mut out = head[..trim(head)].to_vec();
    out.extend_from_slice(&tail[..trim(tail)]);
    out
}

fn cmp_segments(a: &[Segment<'_>], b: &[Segment<'_>]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let l = a.get(k).copied().unwrap_or(Segment::Num("0"));
        let r = b.get(k).copied().unwrap_or(Segment::Num("0"));
        let o = match (l, r) {
            (Segment::Num(x), Segment::Num(y)) => cmp_digits(x, y),
            (Segment::Str(x), Segment::Str(y)) => x.cmp(y),
            (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
            (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn gem_version_documented_cases() {
        // From Gem::Version's documentation and rubygems' test_gem_version.rb.
        let cases = [
            ("1.0", "1", Equal),
            ("1.0.0", "1", Equal),
            ("1.0.a", "1.0", Less),
            ("1.0.a", "1.0.b", Less),
            ("1.0.a10", "1.0.a9", Greater),
            ("1.0.b1", "1.0.a.2", Greater),
            ("0.9", "1.0.a", Less),
            ("1.0-1", "1.0", Less),
            ("1.0-1", "1.0.pre.1", Equal),
            ("1.8.2", "0.0.0", Greater),
            ("1.8.2.a", "1.8.2", Less),
            ("1.8.2.b", "1.8.2.a", Greater),
            ("1.8.2.a10", "1.8.2.a9", Greater),
            ("5.a", "5.0.0.rc2", Less),
            ("5.x", "5.0.0.rc2", Greater),
            ("1.9.3", "1.9.3.0", Equal),
            ("1.0.0.a.1.0", "1.0.0.a.1", Equal),
            ("", "0", Equal),
            ("  1.0  ", "1.0", Equal),
            ("1.2.b", "1.2.B", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid_gem_versions() {
        for bad in ["junk", "1.0\n2.0", "1..2", "1.2 3.4", "a.1", "1.0-", "1.0-a..b", "-1"] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, ""), Less, "{bad:?}");
        }
    }
}
