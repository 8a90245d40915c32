//! Times as the export formats write them. The store keeps Unix
//! milliseconds; W3C and front matter want RFC 3339, Readwise a plain UTC
//! date and time.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// RFC 3339 in UTC with milliseconds (`2026-11-30T09:15:00.250Z`), so
/// that reading it back gives the same millisecond.
pub fn rfc3339(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Reads an RFC 3339 time (any offset) as Unix milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.trim().parse::<Timestamp>().ok().map(|t| t.as_millisecond())
}

/// A UTC date (`2026-11-30`), for people.
pub fn date(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%d").to_string()
}

/// The `Date` column Readwise's CSV import takes: `2026-11-30 09:15:00`, UTC.
pub fn readwise(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// Reads a Readwise `Date`: RFC 3339, a date and time (taken as UTC), or
/// a date alone (midnight UTC).
pub fn parse_readwise(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(ms) = parse_rfc3339(text) {
        return Some(ms);
    }
    let civil = text
        .parse::<DateTime>()
        .ok()
        .or_else(|| text.parse::<jiff::civil::Date>().ok().map(|d| d.to_datetime(jiff::civil::Time::midnight())))?;
    TimeZone::UTC.to_timestamp(civil).ok().map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_millisecond() {
        let ms = 1_796_030_100_250;
        assert_eq!(rfc3339(ms), "2026-11-30T09:15:00.250Z");
        assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        assert_eq!(parse_rfc3339("2026-11-30T10:15:00.250+01:00"), Some(ms));
        assert_eq!(readwise(ms), "2026-11-30 09:15:00");
        assert_eq!(parse_readwise("2026-11-30 09:15:00"), Some(ms - 250));
        assert_eq!(parse_readwise("2026-11-30"), Some(ms - 250 - (9 * 60 + 15) * 60_000));
        assert_eq!(parse_readwise("last week"), None);
    }
}
