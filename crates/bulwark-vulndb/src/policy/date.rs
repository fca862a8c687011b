//! Calendar dates (`YYYY-MM-DD`) as ignore rules and `today` write them.

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` date; `None` for anything else.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    bulwark_types::time::parse_rfc3339_micros(&format!("{s}T00:00:00Z")).map(|micros| micros / 86_400_000_000)
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn only_real_calendar_dates_parse() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert!(parse_date("2024-02-29").is_some());
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T00:00:00Z", "", "tomorrow"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
