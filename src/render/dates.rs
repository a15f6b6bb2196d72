//! Date formats the feed formats demand: RFC 822 (RSS) and RFC 3339 (Atom, JSON Feed).

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 822 / RFC 2822 date as RSS wants it, e.g. `Sat, 28 Nov 2026 03:30:12 +0000`.
pub(crate) fn rfc822(date: &DateTime<Utc>) -> String {
    date.to_rfc2822()
}

/// RFC 3339 date in UTC with whole seconds, e.g. `2026-11-28T03:30:12Z`.
pub(crate) fn rfc3339(date: &DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_both_styles() {
        let date = Utc.with_ymd_and_hms(2026, 3, 5, 7, 8, 9).unwrap();
        assert_eq!(rfc822(&date), "Thu, 5 Mar 2026 07:08:09 +0000");
        assert_eq!(rfc3339(&date), "2026-03-05T07:08:09Z");
    }
}
