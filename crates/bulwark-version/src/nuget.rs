//! NuGet versions, ordered like `NuGetVersion` with `VersionComparer.Default`.
//!
//! `Major[.Minor[.Patch[.Revision]]][-label.label…][+metadata]` after trimming white
//! space: up to four numbers (each 0..=2^31 − 1, leading zeros allowed, missing ones
//! are `0`), dot-separated pre-release labels (`[0-9A-Za-z-]`, numeric labels without
//! leading zeros), build metadata ignored. A pre-release sorts before its release;
//! labels compare pairwise (labels that parse as an `Int32` numerically and before
//! the others, the others case-insensitively), fewer labels first.
//!
//! Invalid (ordered first) are strings `NuGetVersion.TryParse` rejects; the numbers
//! must be plain ASCII digits here (.NET's parser also tolerates signs and blanks).

use std::cmp::Ordering;

/// A parsed NuGet version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version<'a> {
    numbers: [u32; 4],
    labels: Vec<&'a str>,
}

/// Orders two NuGet versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| {
        x.numbers.cmp(&y.numbers).then_with(|| cmp_labels(&x.labels, &y.labels))
    })
}

/// Whether `NuGetVersion.TryParse` accepts `v`.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

fn valid_part(s: &str, allow_leading_zeros: bool) -> bool {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return false;
    }
    allow_leading_zeros || !(s.len() > 1 && s.starts_with('0') && s.bytes().all(|c| c.is_ascii_digit()))
}

fn parse(v: &str) -> Option<Version<'_>> {
    if v.len() > crate::MAX_LEN {
        return None;
    }
    let s = v.trim();
    let (s, metadata) = match s.split_once('+') {
        Some((s, m)) => (s, Some(m)),
        None => (s, None),
    };
    let (core, labels) = match s.split_once('-') {
        Some((core, labels)) => (core, Some(labels)),
        None => (s, None),
    };
    if let Some(m) = metadata {
        if !m.split('.').all(|p| valid_part(p, true)) {
            return None;
        }
    }
    let labels: Vec<&str> = match labels {
        Some(l) => l.split('.').collect(),
        None => Vec::new(),
    };
    if !labels.iter().all(|l| valid_part(l, false)) {
        return None;
    }
    let mut numbers = [0u32; 4];
    for (count, part) in core.split('.').enumerate() {
        let slot = numbers.get_mut(count)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits = part.trim_start_matches('0');
        *slot = if digits.is_empty() { 0 } else { digits.parse::<u32>().ok().filter(|n| *n <= i32::MAX as u32)? };
    }
    Some(Version { numbers, labels })
}

fn cmp_labels(a: &[&str], b: &[&str]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b) {
        let o = match (as_int32(x), as_int32(y)) {
            (Some(m), Some(n)) => m.cmp(&n),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => x.bytes().map(|c| c.to_ascii_uppercase()).cmp(y.bytes().map(|c| c.to_ascii_uppercase())),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// `Int32.TryParse` on a label (labels cannot hold blanks or `+`, but may start with `-`).
fn as_int32(s: &str) -> Option<i32> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn nuget_documented_cases() {
        // NuGet's "Package versioning" docs and NuGet.Versioning's comparer tests.
        let cases = [
            ("1.0", "1.0.0", Equal),
            ("1", "1.0.0.0", Equal),
            ("1.0.0.1", "1.0.0", Greater),
            ("1.0.01", "1.0.1", Equal),
            ("1.0.0-beta", "1.0.0-BETA", Equal),
            ("1.0.0-alpha", "1.0.0", Less),
            ("1.0.0-alpha.2", "1.0.0-alpha.10", Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
            ("1.0.0-rc.1", "1.0.0-rc.1.1", Less),
            ("1.0.0+build", "1.0.0+other", Equal),
            ("1.0.0-beta+build", "1.0.0-beta", Equal),
            ("2.0.0-2147483648", "2.0.0-2147483647", Greater),
            ("10.0.0", "9.9.9.9", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid_nuget_versions() {
        for bad in ["", "a", "1.2.3.4.5", "1.0-", "1.0+", "1.0-01", "1..0", "2147483648.0", "1.0-a b", "1.0-é"] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, "0.0"), Less, "{bad:?}");
        }
        assert!(is_valid(" 1.0.0-beta.1+sha.abc "));
    }
}
