//! When to retry and how long to wait: the status codes worth another attempt,
//! `Retry-After` in its forms, and exponential backoff with full jitter.
//!
//! Pure functions, so the policy is tested without a server; the loop that applies it
//! is `http::send`.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

/// The longest exponential backoff step when the service does not say how long.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Statuses that mean "try again": timeouts, throttling and server-side failures. Any
/// other 4xx is the caller's fault and never retried.
pub fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait the service asks for: `retry-after-ms` / `x-ms-retry-after-ms`
/// (milliseconds), else `Retry-After` as delta-seconds or an HTTP-date. A date in the
/// past means "now".
pub fn retry_after(headers: &HeaderMap, now: OffsetDateTime) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        let ms = header_str(headers, name).and_then(|v| v.parse::<f64>().ok());
        if let Some(ms) = ms.filter(|ms| ms.is_finite() && *ms >= 0.0) {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }

    let value = header_str(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = parse_http_date(value)?;
    let wait = when - now;
    Some(if wait.is_positive() {
        wait.unsigned_abs()
    } else {
        Duration::ZERO
    })
}

/// Exponential backoff with full jitter: a random wait in `[0, min(cap, base * 2^n)]`
/// for the n-th retry (0-based), so many clients throttled together spread out.
pub fn backoff(base: Duration, retry: u32, cap: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(2u32.saturating_pow(retry.min(20)))
        .min(cap);
    ceiling.mul_f64(fastrand::f64())
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// IMF-fixdate, the HTTP-date form servers send today: `Sun, 06 Nov 1994 08:49:37 GMT`.
const HTTP_DATE: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(value, HTTP_DATE)
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use time::macros::datetime;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("header value"));
        }
        map
    }

    const NOW: OffsetDateTime = datetime!(2026-12-04 10:00:00 UTC);

    #[test]
    fn transient_statuses_only() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(
                is_transient_status(StatusCode::from_u16(code).expect("code")),
                "{code}"
            );
        }
        for code in [200, 400, 401, 403, 404, 409, 412, 501] {
            assert!(
                !is_transient_status(StatusCode::from_u16(code).expect("code")),
                "{code}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")]), NOW),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Fri, 04 Dec 2026 10:00:12 GMT")]),
                NOW
            ),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Fri, 04 Dec 2026 09:00:00 GMT")]),
                NOW
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), NOW), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")]), NOW), None);
        assert_eq!(retry_after(&headers(&[]), NOW), None);
    }

    #[test]
    fn milliseconds_headers_win() {
        let h = headers(&[("retry-after", "30"), ("x-ms-retry-after-ms", "250")]);
        assert_eq!(retry_after(&h, NOW), Some(Duration::from_millis(250)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        for retry in 0..40 {
            let ceiling = base
                .saturating_mul(2u32.saturating_pow(retry.min(20)))
                .min(MAX_BACKOFF);
            let wait = backoff(base, retry, MAX_BACKOFF);
            assert!(wait <= ceiling, "retry {retry}: {wait:?} > {ceiling:?}");
        }
        assert!(backoff(base, 30, MAX_BACKOFF) <= MAX_BACKOFF);
    }
}
