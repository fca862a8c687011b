//! Debian/Ubuntu versions, ordered like `dpkg --compare-versions` (dpkg's `parseversion` + `verrevcmp`).
//!
//! `[epoch:]upstream[-revision]`: the epoch is a number before the first `:`, the
//! revision follows the last `-`. Upstream and revision compare by alternating
//! non-digit runs (letters before other characters, `~` before everything, even the
//! end of the string) and digit runs (numerically). A missing revision equals `0`.
//!
//! Invalid (ordered first, see the crate docs) are the strings dpkg refuses with an
//! error: empty, embedded blanks, a bad epoch, nothing after the colon, an empty
//! revision or an empty upstream version. Strings dpkg only *warns* about (upstream
//! not starting with a digit, unusual characters) are compared as dpkg compares them,
//! but [`is_valid`] reports them as invalid.

use std::cmp::Ordering;

/// A parsed dpkg version borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version<'a> {
    epoch: u32,
    upstream: &'a str,
    revision: &'a str,
    /// dpkg would print a warning (policy violation) but still compares.
    warning: bool,
}

/// Orders two dpkg versions (total; unparseable versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| {
        x.epoch
            .cmp(&y.epoch)
            .then_with(|| verrevcmp(x.upstream, y.upstream))
            .then_with(|| verrevcmp(x.revision, y.revision))
    })
}

/// Whether dpkg accepts `v` without error or warning (Debian policy syntax).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some_and(|p| !p.warning)
}

/// Whether dpkg compares `v` at all (possibly with a warning); [`is_valid`] is the strict check.
pub fn accepts(v: &str) -> bool {
    parse(v).is_some()
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn parse(s: &str) -> Option<Version<'_>> {
    if s.len() > crate::MAX_LEN || s.contains('\0') {
        return None;
    }
    let s = s.trim_start_matches([' ', '\t']);
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&c| is_blank(c)).unwrap_or(bytes.len());
    if end == 0 || bytes[end..].iter().any(|&c| !is_blank(c)) {
        return None;
    }
    let s = &s[..end];
    let (epoch, rest) = match s.split_once(':') {
        Some((e, rest)) => (parse_epoch(e)?, rest),
        None => (0, s),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((_, "")) => return None,
        Some((u, r)) => (u, r),
        None => (rest, ""),
    };
    let first = *upstream.as_bytes().first()?;
    let upstream_ok =
        first.is_ascii_digit() && upstream.bytes().all(|c| c.is_ascii_alphanumeric() || b".-+~:".contains(&c));
    let revision_ok = revision.bytes().all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c));
    Some(Version { epoch, upstream, revision, warning: !(upstream_ok && revision_ok) })
}

/// The epoch as `strtol` reads it: leading white space, optional sign, digits, must end at the colon, 0..=i32::MAX.
fn parse_epoch(e: &str) -> Option<u32> {
    let e = e.trim_start_matches(['\t', '\n', '\x0b', '\x0c', '\r', ' ']);
    let (negative, digits) = match e.as_bytes().first() {
        Some(b'+') => (false, &e[1..]),
        Some(b'-') => (true, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 10 {
        return None;
    }
    let value: u64 = if trimmed.is_empty() { 0 } else { trimmed.parse().ok()? };
    if negative && value != 0 {
        return None;
    }
    u32::try_from(value).ok().filter(|v| *v <= i32::MAX as u32)
}

/// dpkg's character weight: `~` lowest, then end/digit, then letters, then everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        // dpkg reads bytes as signed chars: bytes >= 0x80 weigh (c - 256) + 256 = c.
        Some(c) if c >= 0x80 => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp` on one upstream or revision part.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(|c| c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn documented_orderings() {
        // dpkg's man page (deb-version(7)) and its test suite (t-version.c).
        let cases = [
            ("1.0~rc1", "1.0", Less),
            ("1.0~", "1.0", Less),
            ("1.0", "1.0a", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~~a", "1.0~", Less),
            ("1.0~", "1.0~a", Less),
            ("1.0-1", "1.0", Greater),
            ("1.0", "1.0-0", Equal),
            ("1:1.0", "2.0", Greater),
            ("0:1.0", "1.0", Equal),
            ("1.0-1", "1.0-1~bpo1", Greater),
            ("1.2.3", "1.2.10", Less),
            ("1.02", "1.2", Equal),
            ("1.0+dfsg", "1.0", Greater),
            ("1.0+dfsg", "1.0.1", Less),
            ("2.30-1", "2.30-10", Less),
            ("7.6p2-4", "7.6-0", Greater),
            ("1.0.3-3", "1.0-1", Greater),
            ("1.3", "1.2.2-2", Greater),
            ("1:0.4", "10.3", Greater),
            ("1.2.2-2", "1.2.2-10", Less),
            ("1.0.a", "1.0.+", Less),
            ("1.0-1ubuntu1", "1.0-1", Greater),
            ("3.0.2-0ubuntu1.7", "3.0.2-0ubuntu1.10", Less),
            ("1.2.1-2.2+wheezy2", "1.2.1-2.2+wheezy3", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn parsing_splits_epoch_upstream_revision() {
        let v = parse("2:1.0-a-b-3").unwrap_or_else(|| panic!("parses"));
        assert_eq!((v.epoch, v.upstream, v.revision), (2, "1.0-a-b", "3"));
        let v = parse("  1.0  ").unwrap_or_else(|| panic!("parses"));
        assert_eq!((v.epoch, v.upstream, v.revision), (0, "1.0", ""));
    }

    #[test]
    fn errors_are_invalid_and_order_first() {
        for bad in ["", " ", "1.0 1", "a:1.0", ":1.0", "1:", "1.0-", "-1", "-1:1.0", "99999999999:1", "1:-1"] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(compare(bad, "0"), Less, "{bad:?}");
            assert_eq!(compare("0", bad), Greater, "{bad:?}");
        }
        assert_eq!(compare("1.0 1", "a:1"), "1.0 1".cmp("a:1"));
    }

    #[test]
    fn warnings_still_compare() {
        assert!(!is_valid("a1.0"));
        assert!(!is_valid("1.0_1"));
        assert_eq!(compare("a1.0", "b1.0"), Less);
        assert_eq!(compare("1.0_1", "1.0"), Greater);
        assert!(is_valid("+0:1.0"));
        assert!(is_valid("1:1.0-1"));
    }
}
