//! SemVer 2.0.0 precedence, with the syntax npm's `semver` package accepts (strict mode).
//!
//! `[v]MAJOR.MINOR.PATCH[-pre.release][+build]` after trimming white space; numbers
//! without leading zeros and at most 2^53 − 1; pre-release identifiers are numeric
//! (no leading zeros) or alphanumeric with `-`. Order: major, minor, patch, then a
//! pre-release sorts before the release; pre-release identifiers compare pairwise
//! (numeric < alphanumeric, numbers numerically, text by ASCII), a shorter list first.
//! Build metadata is ignored, as in `semver.compare`. Used for npm and crates.io.
//!
//! Invalid (ordered first) are the strings `new SemVer(v)` throws for, including
//! strings longer than 256 UTF-16 units. Numeric pre-release identifiers compare
//! exactly at any size (npm compares those above 2^53 − 1 as floating point).

use crate::cmp_digits;
use std::cmp::Ordering;

/// npm semver's `MAX_LENGTH`.
const MAX_LENGTH: usize = 256;
/// npm semver's `MAX_SAFE_INTEGER` (2^53 − 1).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// A parsed version; `pre` is empty for a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version<'a> {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    pub(crate) pre: Vec<&'a str>,
}

/// Orders two SemVer versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), cmp_versions)
}

/// Whether npm's `semver` accepts `v` (strict mode).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// JavaScript's `String.prototype.trim` white space.
fn is_js_space(c: char) -> bool {
    matches!(c, '\u{9}'..='\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
}

fn parse(v: &str) -> Option<Version<'_>> {
    if v.len() > crate::MAX_LEN || v.encode_utf16().count() > MAX_LENGTH {
        return None;
    }
    let s = v.trim_matches(is_js_space);
    let s = s.strip_prefix('v').unwrap_or(s);
    let (s, build) = match s.split_once('+') {
        Some((s, build)) => (s, Some(build)),
        None => (s, None),
    };
    if let Some(build) = build {
        if !build.split('.').all(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')) {
            return None;
        }
    }
    let (core, pre) = match s.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (s, None),
    };
    let mut nums = core.split('.');
    let major = number(nums.next()?)?;
    let minor = number(nums.next()?)?;
    let patch = number(nums.next()?)?;
    if nums.next().is_some() {
        return None;
    }
    let pre = match pre {
        None => Vec::new(),
        Some(pre) => {
            let ids: Vec<&str> = pre.split('.').collect();
            if !ids.iter().all(|id| valid_pre_identifier(id)) {
                return None;
            }
            ids
        }
    };
    Some(Version { major, minor, patch, pre })
}

/// `0|[1-9]\d*`, at most 2^53 − 1.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse::<u64>().ok().filter(|n| *n <= MAX_SAFE_INTEGER)
}

/// Numeric without leading zeros, or any `[0-9A-Za-z-]+` with a non-digit.
pub(crate) fn valid_pre_identifier(id: &str) -> bool {
    if id.is_empty() || !id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return false;
    }
    let numeric = id.bytes().all(|c| c.is_ascii_digit());
    !numeric || id == "0" || !id.starts_with('0')
}

pub(crate) fn cmp_versions(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch)).then_with(|| cmp_pre(&a.pre, &b.pre))
}

/// SemVer 2 pre-release precedence; an empty list is a release (highest).
pub(crate) fn cmp_pre(a: &[&str], b: &[&str]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b) {
        let o = cmp_identifier(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_identifier(x: &str, y: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(x), numeric(y)) {
        (true, true) => cmp_digits(x, y),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.cmp(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn semver_spec_precedence() {
        // semver.org, item 11.
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in ascending.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn npm_specifics() {
        assert_eq!(compare("v1.2.3", "1.2.3"), Equal);
        assert_eq!(compare(" 1.2.3 ", "1.2.3"), Equal);
        assert_eq!(compare("1.2.3+build.1", "1.2.3+other"), Equal);
        assert_eq!(compare("1.2.3-a-b", "1.2.3-a"), Greater);
        assert_eq!(compare("1.0.0-0", "1.0.0-alpha"), Less);
        assert_eq!(compare("0.0.0-0", "0.0.0"), Less);
        assert_eq!(compare("5.0.0-alpha.1", "5.0.0-beta.3"), Less);
        assert_eq!(compare("1.0.0-alpha.10", "1.0.0-alpha.9"), Greater);
        assert_eq!(compare("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"), Less);
    }

    #[test]
    fn invalid_versions() {
        for bad in ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b", "=1.2.3", "x"] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, "0.0.0"), Less, "{bad:?}");
        }
        assert!(!is_valid("9007199254740992.0.0"));
        assert!(is_valid("9007199254740991.0.0"));
        let long = format!("1.0.0-{}", "a".repeat(260));
        assert!(!is_valid(&long));
    }
}
