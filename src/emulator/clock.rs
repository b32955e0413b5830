//! Time as the emulator stores and shows it: milliseconds since the Unix epoch in
//! records, RFC 3339 in bodies.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 form of a millisecond timestamp, as ARM bodies carry it.
pub fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// The `M/D/YYYY h:mm:ss AM` form ARM uses in token-expiry messages.
pub fn us_date(t: OffsetDateTime) -> String {
    let (hour, meridiem) = match t.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {}",
        u8::from(t.month()),
        t.day(),
        t.year(),
        hour,
        t.minute(),
        t.second(),
        meridiem
    )
}
