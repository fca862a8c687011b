//! RFC 3339 UTC timestamps (`2024-02-29T13:05:09Z`) from [`SystemTime`], without a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds from 1970-01-01 to 10000-01-01: later times are clamped to stay four-digit years.
const MAX_SECS: i64 = 253_402_300_799;

/// `t` as `YYYY-MM-DDTHH:MM:SSZ`, whole seconds, clamped to years 0000..=9999.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(MAX_SECS),
        // Round towards the past for pre-epoch times with a fraction.
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    };
    bulwark_types::time::format_rfc3339(secs.clamp(-62_167_219_200, MAX_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        let cases = [
            (0_u64, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_211_909, "2024-02-29T13:05:09Z"),
            (1_735_689_599, "2024-12-31T23:59:59Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
            (u64::MAX, "9999-12-31T23:59:59Z"),
        ];
        for (secs, want) in cases {
            assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(secs.min(MAX_SECS as u64 + 10))), want, "{secs}");
        }
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_millis(1_500)), "1970-01-01T00:00:01Z");
        assert_eq!(rfc3339(UNIX_EPOCH - Duration::from_millis(500)), "1969-12-31T23:59:59Z");
    }
}
