//! Go module versions, ordered like `golang.org/x/mod/semver.Compare`.
//!
//! `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`: the shorthands `v1` and `v1.2` mean
//! `v1.0.0` and `v1.2.0`; numbers have no leading zeros and any size; build metadata
//! (including `+incompatible`) is ignored; pseudo-versions such as
//! `v0.0.0-20191109021931-daa7c04131f5` are ordinary pre-releases. The leading `v`
//! may be omitted here because OSV writes Go versions without it.
//!
//! Invalid (ordered first) are strings `semver.IsValid` rejects even with a `v`
//! added. Go calls all invalid versions equal; here they order by their bytes.

use crate::cmp_digits;
use std::cmp::Ordering;

/// A parsed Go semantic version borrowing from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// Pre-release identifiers (empty for a release).
    pre: Vec<&'a str>,
}

/// Orders two Go module versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| {
        cmp_digits(x.major, y.major)
            .then_with(|| cmp_digits(x.minor, y.minor))
            .then_with(|| cmp_digits(x.patch, y.patch))
            .then_with(|| crate::semver::cmp_pre(&x.pre, &y.pre))
    })
}

/// Whether `v` (with a `v` prefix added if missing) is a valid Go semantic version.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

fn parse(v: &str) -> Option<Version<'_>> {
    if v.len() > crate::MAX_LEN {
        return None;
    }
    let s = v.strip_prefix('v').unwrap_or(v);
    let (major, rest) = int(s)?;
    if rest.is_empty() {
        return Some(Version { major, minor: "0", patch: "0", pre: Vec::new() });
    }
    let (minor, rest) = int(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        return Some(Version { major, minor, patch: "0", pre: Vec::new() });
    }
    let (patch, rest) = int(rest.strip_prefix('.')?)?;
    let (rest, build) = match rest.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (rest, None),
    };
    let ident_ok = |id: &str| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    if let Some(build) = build {
        if !build.split('.').all(ident_ok) {
            return None;
        }
    }
    let pre = match rest {
        "" => Vec::new(),
        _ => {
            let ids: Vec<&str> = rest.strip_prefix('-')?.split('.').collect();
            if !ids.iter().all(|id| crate::semver::valid_pre_identifier(id)) {
                return None;
            }
            ids
        }
    };
    Some(Version { major, minor, patch, pre })
}

/// A decimal number without leading zeros at the start of `s`, and the rest.
fn int(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && s.starts_with('0')) {
        return None;
    }
    Some(s.split_at(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn go_semver_documented_cases() {
        // golang.org/x/mod/semver docs and tests.
        let cases = [
            ("v1", "v1.0.0", Equal),
            ("v1.2", "v1.2.0", Equal),
            ("v1.2.3+incompatible", "v1.2.3", Equal),
            ("v2.0.0+incompatible", "v1.9.9", Greater),
            ("v1.2.3-pre", "v1.2.3", Less),
            ("v1.2.3-pre.1", "v1.2.3-pre.2", Less),
            ("v1.2.3-pre.10", "v1.2.3-pre.9", Greater),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0", Less),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000", Less),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", Greater),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", Less),
            ("v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre", Greater),
            ("1.2.3", "v1.2.3", Equal),
            ("v10.0.0", "v9.99.99", Greater),
            ("v1.0.0-99999999999999999999999", "v1.0.0-100000000000000000000000", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid_go_versions() {
        for bad in ["", "v", "v01.0.0", "v1.2-pre", "v1.2.3.4", "v1.2.3-", "v1.2.3-01", "v1.2.3+", "vx", "v1.2.3 "] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, "v0.0.0"), Less, "{bad:?}");
        }
        assert!(is_valid("v1.2.3-rc.1+build.5"));
    }
}
