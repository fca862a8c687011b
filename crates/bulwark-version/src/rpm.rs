//! RPM versions `[epoch:]version[-release]`, ordered like rpm's `labelCompare` over
//! `rpmvercmp`.
//!
//! The string is split the way rpm's `parseEVR` splits it (epoch = leading digits
//! before a `:`, release = after the last `-`). Epochs (missing = `0`), versions and
//! releases then compare with `rpmvercmp`: runs of digits numerically, runs of letters
//! bytewise, a digit run beats a letter run, separators only split runs, `~` sorts
//! before everything (even the end), `^` after the end but before anything else.
//! A missing release sorts before any release, as in `rpm.labelCompare`.
//!
//! rpm itself rejects nothing; only strings containing NUL or longer than
//! [`crate::MAX_LEN`] are invalid here. [`is_valid`] is stricter: it also wants a
//! non-empty version and only the characters rpm allows in version tags.

use std::cmp::Ordering;

/// An EVR split into its parts; `epoch`/`release` are `None` when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Evr<'a> {
    epoch: Option<&'a str>,
    version: &'a str,
    release: Option<&'a str>,
}

/// Orders two RPM EVR strings (total; unparseable ones first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| {
        rpmvercmp(x.epoch.unwrap_or("0"), y.epoch.unwrap_or("0"))
            .then_with(|| rpmvercmp(x.version, y.version))
            .then_with(|| match (x.release, y.release) {
                (Some(r), Some(s)) => rpmvercmp(r, s),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
            })
    })
}

/// Whether `v` is a well-formed EVR: non-empty version, only `[A-Za-z0-9._+~^]` in version and release.
pub fn is_valid(v: &str) -> bool {
    let allowed = |s: &str| s.bytes().all(|c| c.is_ascii_alphanumeric() || b"._+~^".contains(&c));
    parse(v).is_some_and(|p| {
        !p.version.is_empty() && allowed(p.version) && !p.release.is_some_and(|r| r.is_empty() || !allowed(r))
    })
}

fn parse(s: &str) -> Option<Evr<'_>> {
    if s.len() > crate::MAX_LEN || s.contains('\0') {
        return None;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = match s[digits..].strip_prefix(':') {
        Some(rest) => (Some(if digits == 0 { "0" } else { &s[..digits] }), rest),
        None => (None, s),
    };
    Some(match rest.rsplit_once('-') {
        Some((version, release)) => Evr { epoch, version, release: Some(release) },
        None => Evr { epoch, version: rest, release: None },
    })
}

/// rpm's `rpmvercmp` on one epoch, version or release string.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            match (ca, cb) {
                (None, _) => return Ordering::Less,
                (_, None) => return Ordering::Greater,
                (Some(x), _) if x != b'^' => return Ordering::Greater,
                (_, Some(y)) if y != b'^' => return Ordering::Less,
                _ => {}
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let numeric = ca.is_ascii_digit();
        let class = |c: &u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let ea = i + a[i..].iter().take_while(|c| class(c)).count();
        let eb = j + b[j..].iter().take_while(|c| class(c)).count();
        if eb == j {
            // Segments of different types: the numeric one is newer.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (sa, sb) = (&a[i..ea], &b[j..eb]);
        let rc = if numeric {
            let za = sa.iter().take_while(|c| **c == b'0').count();
            let zb = sb.iter().take_while(|c| **c == b'0').count();
            let (na, nb) = (&sa[za..], &sb[zb..]);
            na.len().cmp(&nb.len()).then_with(|| na.cmp(nb))
        } else {
            sa.cmp(sb)
        };
        if rc != Ordering::Equal {
            return rc;
        }
        i = ea;
        j = eb;
    }
    // One side ran out: whichever still has characters wins.
    if i >= a.len() {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn rpmvercmp_reference_cases() {
        // From rpm's own test suite (tests/rpmvercmp.at) and the caret docs.
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0", Greater),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p2", Less),
            ("5.5p1", "5.5p10", Less),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("xyz.4", "2", Less),
            ("5.5p2", "5.6p1", Less),
            ("6.0.rc1", "6.0", Greater),
            ("10b2", "10a1", Greater),
            ("1.0a", "1.0aa", Less),
            ("10.0001", "10.1", Equal),
            ("10.0001", "10.0039", Less),
            ("4.999.9", "5.0", Less),
            ("20101121", "20101122", Less),
            ("2.0", "2_0", Equal),
            ("a+", "a_", Equal),
            ("+a", "_a", Equal),
            ("_+", "+_", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0^20160101^git1", "1.0^20160101", Greater),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn evr_parts() {
        let cases = [
            ("1:3.0.1-41.el9_0", "3.0.1-40.el9_0", Greater),
            ("1:3.0.1-40.el9_0", "1:3.0.1-41.el9_0", Less),
            ("0:1.0-1", "1.0-1", Equal),
            (":1.0-1", "1.0-1", Equal),
            ("1.0", "1.0-1", Less),
            ("32:9.16.23-1.el9_0", "32:9.16.23-1.el9_0.1", Less),
            ("7.76.1-14.el9_0.4", "7.76.1-14.el9_0.5", Less),
            ("2.2.10-12.el9_0.2", "2.2.10-12.el9_0", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
        let p = parse("a:2-3").unwrap_or_else(|| panic!("parses"));
        assert_eq!((p.epoch, p.version, p.release), (None, "a:2", Some("3")));
    }

    #[test]
    fn validity() {
        assert!(is_valid("1:3.0.1-41.el9_0"));
        assert!(is_valid("1.0^git1~rc1"));
        assert!(!is_valid(""));
        assert!(!is_valid("1.0-"));
        assert!(!is_valid("1.0 beta"));
        assert!(!is_valid("1\u{0}0"));
        assert_eq!(compare("1\u{0}0", ""), Less);
        assert_eq!(compare("1\u{0}0", "0"), Less);
    }
}
