//! Alpine/Wolfi apk versions, ordered like apk-tools 2 (`apk version -t`).
//!
//! Gentoo-style: `digits{.digits}[letter]{_suffix[digits]}[-rN]`. Components compare
//! token by token: numbers numerically (a component after a `.` with leading zeros
//! sorts by how many zeros it has, before any plain number), then the letter, then
//! suffixes in the order `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git
//! < _hg < _p`, then the `-r` revision. When one version is a prefix of the other,
//! the longer is newer unless what follows is a pre-release suffix.
//!
//! Invalid (ordered first) are the strings apk's `apk_version_validate` rejects, plus
//! the empty string. Digit runs too long for an `i64` saturate (apk's C `int` would
//! overflow). One deliberate difference from the apk-tools 2 source: after a component
//! of zeros (`1.0`), a following `_suffix`, letter or `-rN` is classified like after any
//! other number, so `1.0_rc1 < 1.0` as Alpine's suffix rules say (apk-tools 2's token
//! machine inserts an empty token there and ranks `1.0_rc1` above `1.0`).

use std::cmp::Ordering;

/// apk's token kinds, in apk's numeric order (used in comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// A cursor over a version string, with the kind of the next token.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    ty: Token,
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn new(v: &'a str) -> Self {
        Cursor { ty: Token::Digit, rest: v.as_bytes() }
    }

    /// apk's `next_token`: classifies the separator at the cursor and steps over it.
    fn next_token(&mut self) {
        let prev = self.ty;
        let mut n = Token::Invalid;
        match self.rest.first().copied() {
            None => n = Token::End,
            Some(c) if matches!(prev, Token::Digit | Token::DigitOrZero) && c.is_ascii_lowercase() => n = Token::Letter,
            Some(c) if prev == Token::Letter && c.is_ascii_digit() => n = Token::Digit,
            Some(c) if prev == Token::Suffix && c.is_ascii_digit() => n = Token::SuffixNo,
            Some(c) => {
                match c {
                    b'.' => n = Token::DigitOrZero,
                    b'_' => n = Token::Suffix,
                    b'-' if self.rest.get(1) == Some(&b'r') => {
                        n = Token::RevisionNo;
                        self.rest = &self.rest[1..];
                    }
                    _ => {}
                }
                self.rest = self.rest.get(1..).unwrap_or_default();
            }
        }
        let allowed_backstep = matches!(
            (n, prev),
            (Token::DigitOrZero, Token::Digit) | (Token::Suffix, Token::SuffixNo) | (Token::Digit, Token::Letter)
        );
        if n < prev && !allowed_backstep {
            n = Token::Invalid;
        }
        self.ty = n;
    }

    /// apk's `get_token`: reads the value of the current token and advances.
    fn get_token(&mut self) -> i64 {
        if self.rest.is_empty() {
            self.ty = Token::End;
            return 0;
        }
        let mut v: i64 = 0;
        let mut i = 0usize;
        let mut next = None;
        let digits = |s: &[u8], v: &mut i64, i: &mut usize| {
            while let Some(c) = s.get(*i).filter(|c| c.is_ascii_digit()) {
                *v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                *i += 1;
            }
        };
        match self.ty {
            Token::DigitOrZero if self.rest.first() == Some(&b'0') => {
                i = self.rest.iter().take_while(|c| **c == b'0').count();
                v = -(i as i64);
                // apk-tools 2 always continues with a digit token here, so a separator after
                // a zero component (`1.0_rc1`) yields an extra empty token and `1.0_rc1` ranks
                // above `1.0`. We continue with a digit token only when a digit follows and
                // classify a separator normally, so pre-release suffixes stay before the release.
                if self.rest.get(i).is_some_and(u8::is_ascii_digit) {
                    next = Some(Token::Digit);
                } else {
                    self.ty = Token::Digit;
                }
            }
            Token::DigitOrZero | Token::Digit | Token::SuffixNo | Token::RevisionNo => {
                digits(self.rest, &mut v, &mut i)
            }
            Token::Letter => {
                v = i64::from(self.rest[0]);
                i = 1;
            }
            Token::Suffix => {
                if let Some(k) = PRE_SUFFIXES.iter().position(|s| self.rest.starts_with(s.as_bytes())) {
                    v = k as i64 - PRE_SUFFIXES.len() as i64;
                    i = PRE_SUFFIXES[k].len();
                } else if let Some(k) = POST_SUFFIXES.iter().position(|s| self.rest.starts_with(s.as_bytes())) {
                    v = k as i64;
                    i = POST_SUFFIXES[k].len();
                } else {
                    self.ty = Token::Invalid;
                    return -1;
                }
            }
            Token::Invalid | Token::End => {
                self.ty = Token::Invalid;
                return -1;
            }
        }
        self.rest = &self.rest[i..];
        if self.rest.is_empty() {
            self.ty = Token::End;
        } else if let Some(t) = next {
            self.ty = t;
        } else {
            self.next_token();
        }
        v
    }
}

/// Orders two apk versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    let pa = is_valid(a).then_some(a);
    let pb = is_valid(b).then_some(b);
    crate::order_parsed(a, b, pa, pb, |x, y| apk_compare(x, y))
}

/// Whether apk-tools accepts `v` as a version (`apk_version_validate`), and it is not empty.
pub fn is_valid(v: &str) -> bool {
    if v.is_empty() || v.len() > crate::MAX_LEN || v.contains('\0') {
        return false;
    }
    let mut c = Cursor::new(v);
    while c.ty != Token::End && c.ty != Token::Invalid {
        c.get_token();
    }
    c.ty == Token::End
}

/// apk's `apk_version_compare` (non-fuzzy) on two valid versions.
fn apk_compare(a: &str, b: &str) -> Ordering {
    let (mut ca, mut cb) = (Cursor::new(a), Cursor::new(b));
    let (mut av, mut bv) = (0i64, 0i64);
    while ca.ty == cb.ty && ca.ty != Token::End && ca.ty != Token::Invalid && av == bv {
        av = ca.get_token();
        bv = cb.get_token();
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if ca.ty == cb.ty {
        return Ordering::Equal;
    }
    // Equal so far: the longer one is newer unless it continues with a pre-release suffix.
    // apk peeks at the suffix value with a copy of the token type; the cursors stay put.
    if ca.ty == Token::Suffix && ca.clone().get_token() < 0 {
        return Ordering::Less;
    }
    if cb.ty == Token::Suffix && cb.clone().get_token() < 0 {
        return Ordering::Greater;
    }
    cb.ty.cmp(&ca.ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn suffix_order() {
        let ascending = [
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git20240101",
            "1.0_hg",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0b",
            "1.0.1",
        ];
        for w in ascending.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn apk_test_suite_cases() {
        // From apk-tools' test/version.data (plus the suffix-after-zero cases discussed above).
        let cases = [
            ("2.34", "2.34", Equal),
            ("0.1.0_alpha", "0.1.3_alpha", Less),
            ("0.1.0_alpha2", "0.1.0_alpha", Greater),
            ("1.0-r1", "1.0-r10", Less),
            ("1.0-r0", "1.0", Greater),
            ("1.2.3-r9", "1.2.3-r10", Less),
            ("2.9.7-r1", "2.9.7_p1-r0", Less),
            ("0.7_p20", "0.7_p10", Greater),
            ("1.01", "1.1", Less),
            ("1.001", "1.01", Less),
            ("1.0", "1", Greater),
            ("1.10", "1.9", Greater),
            ("1.2_rc1", "1.2", Less),
            ("1.2b", "1.2", Greater),
            ("0.9.9_git20110415", "0.9.9", Greater),
            ("3.5.0_rc1-r0", "3.5.0-r0", Less),
            ("1.0_alpha", "1.0", Less),
            ("2.0_rc1", "2.0-r1", Less),
            ("1.0.1", "1.0_p1", Greater),
            ("0.10.0-r1", "0.10.0", Greater),
            ("0.1.0_alpha_pre2", "0.1.0_alpha", Less),
            ("1.0a", "1.0", Greater),
            ("1.1", "1.1_alpha1", Greater),
            ("1.2.1", "1.2", Greater),
            ("1.3_alpha2", "1.3_alpha3", Less),
            ("0.7.0", "0.8_beta1", Less),
            ("3.10.18-r1", "2.3.0b-r1", Greater),
            ("2.3.0b-r1", "2.3.0b-r2", Less),
            ("0.12.3", "0.12", Greater),
            ("1.2.11", "1.2.12.1", Less),
            ("3.1_p16", "3.1_p17", Less),
            ("3.1_p17", "1.06-r6", Greater),
            ("1.06-r6", "006", Less),
            ("006", "1.0.0", Greater),
            ("2.59", "20050718-r1", Less),
            ("3.9.8-r5", "2.01.01_alpha10", Greater),
            ("2.01.01_alpha10", "0.94", Greater),
            ("1.0", "0.99.3.20040818", Greater),
            ("1.39", "1.00_beta2", Greater),
            ("1.00_beta2", "0.9.2", Greater),
            ("1.02", "1.03-r1", Less),
            ("4.2.52_p2-r1", "4.2.52_p4-r2", Less),
            ("20060720", "3.0.20060720", Greater),
            ("2.5.1-r8", "2.5.1a-r1", Less),
            ("3.0.0-r2", "021109-r3", Less),
            ("3.9_pre20060124", "0.01", Greater),
            ("0.01", "0.06", Less),
            ("1.1.7", "6b-r7", Less),
            ("0.10.0-r1", "0.10.0", Greater),
            ("0.10.0", "0.10.1_rc1", Less),
            ("2.0.2", "1.1a", Greater),
            ("1.0-r1", "0.15.1b", Greater),
            ("0.15.1b-r2", "0.15.1b", Greater),
            ("02.08.01b", "4.77", Less),
            ("3.81", "1.6d", Greater),
            ("1.2.07.8", "1.2.12.04", Less),
            ("1.07-r1", "1.07.5", Less),
            ("0.1_pre20060810", "0.1_pre20060817", Less),
            ("0.59s-r11", "0.65", Less),
            ("4.20", "0.20070118", Greater),
            ("0.20070118", "0.20070207_rc1", Less),
            ("0.20070207_rc1", "1.0", Less),
            ("4.5_p1-r1", "4.5_p1", Greater),
            ("0.9.8c-r1", "0.9.8d", Less),
            ("2.2.3-r2", "013", Less),
            ("013", "014-r1", Less),
            ("1.7", "1.7b", Less),
            ("1.8.5", "1.8.5_p2", Less),
            ("0.98", "1.00", Less),
            ("2.9.11_pre20051101-r3", "2.9.11_pre20051101", Greater),
            ("0.9.28.1", "087-r1", Less),
            ("087-r1", "103", Less),
            ("104-r11", "104-r9", Greater),
            ("5.52-r1", "1.2.5_rc2", Greater),
            ("20040406-r1", "2.12r-r4", Greater),
            ("2.12r-r4", "2.12r-r5", Less),
            ("7.0.17", "7.0.174", Less),
            ("1.3-r0", "1.3.1-r0", Less),
            ("1.3_pre1-r1", "1.3.2", Less),
            ("1.0_p10-r0", "1.0_p9-r0", Greater),
            ("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn validity() {
        for good in ["1", "1.0", "1.2.3a", "1.0_rc1", "1.0_p1-r3", "1.0_alpha_pre1", "2.9.7_p1-r0"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in ["", "1.0-1", "1.0_foo", "1..0-r1x", "1.0.A", "1.0 ", "1.0ab", "1.0-r1a"] {
            assert!(!is_valid(bad), "{bad}");
            assert_eq!(compare(bad, "0"), Less, "{bad}");
        }
    }
}
