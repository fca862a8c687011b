//! Composer (Packagist) versions: Composer's `VersionParser::normalize`, then PHP's
//! `version_compare`, which is how Composer's `Comparator` orders versions.
//!
//! Normalisation: `v1.2` → `1.2.0.0`, `1.0.0-RC1` → `1.0.0.0-RC1`, `1.0b2` →
//! `1.0.0.0-beta2`, `1.0-p1` → `1.0.0.0-patch1`, `1.0-dev` → `1.0.0.0-dev`, date
//! versions `2023.01.15`, numeric branches `2.1.x-dev` → `2.1.9999999.9999999-dev`;
//! `+build` metadata is dropped. `version_compare` then orders
//! `dev < alpha = a < beta = b < RC = rc < (number) < pl = p` part by part.
//!
//! Invalid (ordered first) are strings `normalize` throws for, and `dev-<branch>`
//! names, which Composer never orders against numbered versions. `@stability` flags
//! are dropped; `x as y` aliases (constraint syntax) are not handled.
//! Numbers compare exactly (PHP's `strtol` saturates above 2^63 − 1).

use crate::cmp_digits;
use std::cmp::Ordering;

/// Orders two Composer versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, normalize(a), normalize(b), |x, y| version_compare(x, y))
}

/// Whether Composer can normalise `v` to an orderable (non-branch) version.
pub fn is_valid(v: &str) -> bool {
    normalize(v).is_some()
}

const STABILITIES: [&str; 9] = ["stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p"];

fn expand_stability(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        other => other.into(),
    }
}

/// Byte length of the leading ASCII digits of `s`.
fn digit_run(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// The modifier `[._-]?(?:(stability)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`: (stability, its number, dev).
fn modifier(s: &str) -> Option<(Option<&str>, &str, bool)> {
    let rest = s.strip_prefix(['.', '_', '-']).unwrap_or(s);
    let lower = rest.to_ascii_lowercase();
    let (stability, rest) = match STABILITIES.iter().find(|st| lower.starts_with(**st)) {
        Some(st) => rest.split_at(st.len()),
        None => ("", rest),
    };
    let mut end = 0;
    if !stability.is_empty() {
        loop {
            let tail = &rest[end..];
            let sep = usize::from(tail.starts_with(['.', '-']));
            let n = digit_run(&tail[sep..]);
            if n == 0 {
                break;
            }
            end += sep + n;
        }
    }
    let (number, rest) = rest.split_at(end);
    let dev = match rest.to_ascii_lowercase().as_str() {
        "" => false,
        "dev" | ".dev" | "-dev" => true,
        _ => return None,
    };
    Some(((!stability.is_empty()).then_some(stability), number, dev))
}

/// Appends the modifier the way `normalize` does; `None` when it does not match.
fn with_modifier(mut version: String, tail: &str) -> Option<String> {
    let (stability, number, dev) = modifier(tail)?;
    if let Some(st) = stability {
        if st == "stable" {
            return Some(version);
        }
        version.push('-');
        version.push_str(&expand_stability(st));
        version.push_str(number.trim_start_matches(['.', '-']));
    }
    if dev {
        version.push_str("-dev");
    }
    Some(version)
}

/// `^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?` + modifier.
fn classical(s: &str) -> Option<String> {
    let n = digit_run(s);
    if n == 0 || n > 5 {
        return None;
    }
    let mut parts = vec![&s[..n]];
    let mut rest = &s[n..];
    while parts.len() < 4 {
        let Some(after) = rest.strip_prefix('.') else { break };
        let m = digit_run(after);
        if m == 0 {
            break;
        }
        parts.push(&after[..m]);
        rest = &after[m..];
    }
    while parts.len() < 4 {
        parts.push("0");
    }
    with_modifier(parts.join("."), rest)
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier (with backtracking).
fn date_based(s: &str) -> Option<String> {
    if digit_run(s) < 4 {
        return None;
    }
    fn groups(s: &str, pos: usize, twos: usize, threes: usize) -> Option<String> {
        let b = s.as_bytes();
        let sep = usize::from(matches!(b.get(pos), Some(b'.' | b':' | b'-')));
        let start = pos + sep;
        let run = digit_run(&s[start..]);
        // Greedy: another two-digit group, then one-to-three-digit groups, then stop here.
        if threes == 0 && twos < 6 && run >= 2 {
            if let Some(v) = groups(s, start + 2, twos + 1, 0) {
                return Some(v);
            }
        }
        if twos >= 1 && threes < 2 {
            for len in (1..=run.min(3)).rev() {
                if let Some(v) = groups(s, start + len, twos, threes + 1) {
                    return Some(v);
                }
            }
        }
        if twos >= 1 {
            return with_modifier(s[..pos].replace(|c: char| !c.is_ascii_digit(), "."), &s[pos..]);
        }
        None
    }
    groups(s, 4, 0, 0)
}

/// `normalizeBranch` for `(.*?)[.-]?dev$` names: only numeric branches are orderable.
fn numeric_branch(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let stem_len = lower.strip_suffix("dev")?.len();
    let stems = [&s[..stem_len], s[..stem_len].strip_suffix(['.', '-']).unwrap_or(&s[..stem_len])];
    // The regex's lazy `(.*?)` takes the shortest stem, i.e. drops the separator when there is one.
    let stem = stems[1].trim();
    let stem = stem.strip_prefix(['v', 'V']).unwrap_or(stem);
    let mut out = Vec::new();
    for (i, part) in stem.split('.').enumerate() {
        let ok_digits = !part.is_empty() && part.bytes().all(|c| c.is_ascii_digit());
        let wildcard = matches!(part, "x" | "X" | "*");
        if i >= 4 || !(ok_digits || (i > 0 && wildcard)) {
            return None;
        }
        out.push(if wildcard { "9999999" } else { part });
    }
    while out.len() < 4 {
        out.push("9999999");
    }
    Some(format!("{}-dev", out.join(".")))
}

/// Composer's `VersionParser::normalize`, or `None` where it throws (or yields a `dev-` branch).
fn normalize(v: &str) -> Option<String> {
    if v.len() > crate::MAX_LEN {
        return None;
    }
    let s = v.trim_matches([' ', '\t', '\n', '\r', '\0', '\u{b}']);
    if s.is_empty() || s.as_bytes().get(..4).is_some_and(|head| head.eq_ignore_ascii_case(b"dev-")) {
        return None;
    }
    let s = strip_stability_flag(s);
    if matches!(s, "master" | "trunk" | "default") {
        return None;
    }
    let s = match s.split_once('+') {
        Some((head, build))
            if !head.is_empty()
                && !head.contains([',', ' ', '\t', '\n', '\r'])
                && !build.is_empty()
                && !build.contains(char::is_whitespace) =>
        {
            head
        }
        _ => s,
    };
    let body = s.strip_prefix(['v', 'V']).unwrap_or(s);
    classical(body).or_else(|| date_based(body)).or_else(|| numeric_branch(s))
}

/// Drops a trailing `@stable`, `@RC`, `@beta`, `@alpha` or `@dev` (any case).
fn strip_stability_flag(s: &str) -> &str {
    match s.rsplit_once('@') {
        Some((head, flag)) if ["stable", "rc", "beta", "alpha", "dev"].iter().any(|f| flag.eq_ignore_ascii_case(f)) => {
            head
        }
        _ => s,
    }
}

/// PHP's `php_canonicalize_version`.
fn canonicalize(v: &str) -> Vec<u8> {
    let b = v.as_bytes();
    let Some((&first, rest)) = b.split_first() else { return Vec::new() };
    let mut out = vec![first];
    let mut lp = first;
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    for &p in rest {
        let last = out.last().copied();
        if matches!(p, b'-' | b'_' | b'+') {
            if last != Some(b'.') {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p)) {
            if last != Some(b'.') {
                out.push(b'.');
            }
            out.push(p);
        } else if !p.is_ascii_alphanumeric() {
            if last != Some(b'.') {
                out.push(b'.');
            }
        } else {
            out.push(p);
        }
        lp = p;
    }
    out
}

/// PHP's `compare_special_version_forms`: prefix match against the special forms.
fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS.iter().find(|(name, _)| form.starts_with(name)).map_or(-1, |(_, order)| *order)
}

const NUMBER_FORM: &[u8] = b"#N#";

/// PHP's `version_compare` (without operator).
fn version_compare(a: &str, b: &str) -> Ordering {
    php_version_compare(a.as_bytes(), b.as_bytes())
}

fn php_version_compare(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return a.is_empty().cmp(&b.is_empty()).reverse();
    }
    let ca = if a[0] == b'#' { a.to_vec() } else { canonicalize_bytes(a) };
    let cb = if b[0] == b'#' { b.to_vec() } else { canonicalize_bytes(b) };
    // `ra`/`rb` are what C's `p1`/`p2` point at; `more_*` is C's `n1`/`n2` being non-NULL.
    let (mut ra, mut rb) = (&ca[..], &cb[..]);
    let (mut more_a, mut more_b) = (true, true);
    let mut compare = Ordering::Equal;
    while !ra.is_empty() && !rb.is_empty() && more_a && more_b {
        let (x, next_a) = split_part(ra);
        let (y, next_b) = split_part(rb);
        more_a = next_a.is_some();
        more_b = next_b.is_some();
        let (dx, dy) = (x.first().is_some_and(u8::is_ascii_digit), y.first().is_some_and(u8::is_ascii_digit));
        compare = match (dx, dy) {
            (true, true) => cmp_digits(leading_number(x), leading_number(y)),
            (false, false) => special_form(x).cmp(&special_form(y)),
            (true, false) => special_form(NUMBER_FORM).cmp(&special_form(y)),
            (false, true) => special_form(x).cmp(&special_form(NUMBER_FORM)),
        };
        if compare != Ordering::Equal {
            break;
        }
        ra = next_a.unwrap_or(x);
        rb = next_b.unwrap_or(y);
    }
    if compare != Ordering::Equal {
        compare
    } else if more_a {
        if ra.first().is_some_and(u8::is_ascii_digit) {
            Ordering::Greater
        } else {
            php_version_compare(ra, NUMBER_FORM)
        }
    } else if more_b {
        if rb.first().is_some_and(u8::is_ascii_digit) {
            Ordering::Less
        } else {
            php_version_compare(NUMBER_FORM, rb)
        }
    } else {
        Ordering::Equal
    }
}

/// The part before the first `.`, and what follows that dot (if there is one).
fn split_part(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|c| *c == b'.') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

fn canonicalize_bytes(v: &[u8]) -> Vec<u8> {
    canonicalize(&String::from_utf8_lossy(v))
}

/// The digits `strtol` would read from the start of a part.
fn leading_number(part: &[u8]) -> &str {
    let n = part.iter().take_while(|c| c.is_ascii_digit()).count();
    std::str::from_utf8(&part[..n]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn normalization_matches_composer() {
        // Cases from composer/semver's VersionParserTest::successfulNormalizedVersions.
        let cases = [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("1.0-dev", "1.0.0.0-dev"),
            ("0", "0.0.0.0"),
            ("10.4.13-beta", "10.4.13.0-beta"),
            ("10.4.13beta2", "10.4.13.0-beta2"),
            ("10.4.13beta.2", "10.4.13.0-beta2"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("1.13.11.0-beta0", "1.13.11.0-beta0"),
            ("10.4.13-b", "10.4.13.0-beta"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.0.0", "1.0.0.0"),
            ("v20100102", "20100102"),
            ("2010.01", "2010.01.0.0"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010-01-02", "2010.01.02"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("2010.1.555", "2010.1.555.0"),
            ("2010.10.200", "2010.10.200.0"),
            ("1.0.0-stable", "1.0.0.0"),
            ("1.0.0+foo@dev", "1.0.0.0"),
            ("1.0.0@beta", "1.0.0.0"),
            ("1.0.0-beta@RC", "1.0.0.0-beta"),
            ("1.0.0-alpha.3.1+foo/bar", "1.0.0.0-alpha3.1"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("2.1.x-dev", "2.1.9999999.9999999-dev"),
            ("  1.0.0", "1.0.0.0"),
            ("00.01.03.04", "00.01.03.04"),
            ("000.001.003.004", "000.001.003.004"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).as_deref(), Some(want), "{input}");
        }
        for bad in ["", "a", "1.0.0-meh", "1.0.0.0.0", "feature-foo", "dev-master", "master", "1.0 .2", "1.0.0+"] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn php_version_compare_cases() {
        // PHP manual and ext/standard/tests/versioning/version_compare.phpt.
        let cases = [
            ("1.0.0.0-dev", "1.0.0.0-alpha", Less),
            ("1.0.0.0-alpha", "1.0.0.0-beta", Less),
            ("1.0.0.0-beta", "1.0.0.0-RC1", Less),
            ("1.0.0.0-RC1", "1.0.0.0", Less),
            ("1.0.0.0", "1.0.0.0-patch1", Less),
            ("1.0.0.0-beta2", "1.0.0.0-beta10", Less),
            ("5.2", "5.2.0", Less),
            ("1.0rc1", "1.0", Less),
            ("1.0pl1", "1.0", Greater),
            ("1.0", "1.0.0", Less),
            ("1.0-dev", "1.0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(version_compare(a, b), want, "{a} vs {b}");
            assert_eq!(version_compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn composer_ordering() {
        let ascending =
            ["1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta2", "1.0.0-RC1", "1.0.0", "v1.0.0-p1", "1.0.1", "1.x-dev"];
        for w in ascending.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
        assert_eq!(compare("v2.0", "2.0.0.0"), Equal);
        assert_eq!(compare("1.0.0+build", "1.0.0"), Equal);
        assert_eq!(compare("dev-main", "0.0.1"), Less);
    }

    #[test]
    fn multibyte_text_at_the_dev_prefix_is_invalid_not_a_panic() {
        // Found by `fuzz/` (target `version`): the `dev-` check sliced 4 bytes into a
        // multi-byte character. The first pair is the fuzzer's input, as its three strings.
        let found = String::from_utf8_lossy(b"3.134\0\xff\xff\xff\n2\x0012.4+deb12u15").into_owned();
        let parts: Vec<&str> = found.split('\0').collect();
        assert_eq!(compare(parts[0], parts[1]), Greater);
        assert_eq!(compare(parts[1], parts[2]), Less);
        for v in ["abc\u{e9}", "dev\u{20ac}", "\u{fffd}\u{fffd}"] {
            assert!(!is_valid(v), "{v:?}");
            assert_eq!(compare(v, "1.0"), Less, "{v:?}");
        }
    }
}
