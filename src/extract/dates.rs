//! Date strings as pages write them (ISO 8601 variants, RFC 2822, bare dates) to UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Parses a page's date; naive times are taken as UTC. `None` when unreadable.
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let naive = s.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(d.and_utc());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s.get(..10.min(s.len())).unwrap_or(s), f) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_page_formats_parse() {
        let cases = [
            ("2019-11-20T14:03:00Z", "2019-11-20T14:03:00+00:00"),
            ("2019-11-20T14:03:00-05:00", "2019-11-20T19:03:00+00:00"),
            ("2019-11-20T14:03:00.000+0100", "2019-11-20T13:03:00+00:00"),
            ("2019-11-20T14:03:00", "2019-11-20T14:03:00+00:00"),
            ("2019-11-20 14:03", "2019-11-20T14:03:00+00:00"),
            ("2019-11-20", "2019-11-20T00:00:00+00:00"),
            ("Wed, 20 Nov 2019 14:03:00 GMT", "2019-11-20T14:03:00+00:00"),
        ];
        for (raw, want) in cases {
            assert_eq!(
                parse_date(raw).map(|d| d.to_rfc3339()),
                Some(want.to_string()),
                "{raw}"
            );
        }
        assert_eq!(parse_date("yesterday"), None);
    }
}
