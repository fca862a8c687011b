//! RFC 3339 timestamps as OSV writes them, to microseconds since the Unix epoch.
//!
//! Real records carry 0 to 9 fractional digits, `Z` or a numeric offset, and dates as early as
//! `0001-01-01` (PYSEC-2024-55), so lexical comparison of the strings is not enough.

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM)`; `None` when it is not such a timestamp.
pub fn parse_rfc3339_micros(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 6 {
                micros = micros * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..6 {
            micros *= 10;
        }
    }
    let offset_secs = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
            let secs = (digit(h1)? * 10 + digit(h2)?) * 3600 + (digit(m1)? * 10 + digit(m2)?) * 60;
            if *sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1_000_000 + micros)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_seen_in_real_records_parse_and_order() {
        // Forms taken from vulndata records (PYSEC, GHSA, RUSTSEC, Ubuntu, AlmaLinux).
        let epoch = parse_rfc3339_micros("1970-01-01T00:00:00Z");
        assert_eq!(epoch, Some(0));
        assert_eq!(parse_rfc3339_micros("1970-01-02T00:00:01.5Z"), Some(86_401_500_000));
        assert!(parse_rfc3339_micros("0001-01-01T00:00:00Z").is_some_and(|v| v < 0));
        let whole = parse_rfc3339_micros("2024-10-10T17:22:00Z");
        let frac = parse_rfc3339_micros("2024-10-10T17:22:00.587279Z");
        assert!(frac > whole, "fraction must order after the whole second");
        assert_eq!(parse_rfc3339_micros("2024-10-10T19:22:00+02:00"), whole);
        assert_eq!(
            parse_rfc3339_micros("2023-03-13T16:35:32.123456789Z"),
            parse_rfc3339_micros("2023-03-13T16:35:32.123456Z")
        );
        for bad in [
            "",
            "2024-10-10",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-10-10T17:22:00",
            "2024-10-10T17:22:00.Z",
            "not a date at all, really",
        ] {
            assert_eq!(parse_rfc3339_micros(bad), None, "{bad}");
        }
        assert!(parse_rfc3339_micros("2024-02-29T00:00:00Z").is_some());
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn formatting_round_trips_through_parsing() {
        for secs in [0i64, 951_782_400, 1_700_000_000, 4_102_444_799, -62_135_596_800] {
            let s = format_rfc3339(secs);
            assert_eq!(parse_rfc3339_micros(&s), Some(secs * 1_000_000), "{s}");
        }
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
