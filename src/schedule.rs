//! When is a feed due: a pure function of its stored state, its interval and a clock.
//!
//! The long-running scheduler (issue 5) builds on these rules; `ingest` uses them for
//! its one pass.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::FeedRow;

/// Longest backoff after repeated failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// Why a feed is not polled now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Disabled, with the reason.
    Disabled(String),
    /// The server asked us to wait (Retry-After) until then; `--all` obeys it too.
    RetryAfter(DateTime<Utc>),
    /// Failing; the next try is not before then.
    BackingOff(DateTime<Utc>),
    /// Polled recently; next due then.
    NotDue(DateTime<Utc>),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Disabled(why) => write!(f, "disabled: {why}"),
            Skip::RetryAfter(t) => write!(f, "server asked to wait until {}", t.to_rfc3339()),
            Skip::BackingOff(t) => write!(f, "backing off after failures until {}", t.to_rfc3339()),
            Skip::NotDue(t) => write!(f, "not due until {}", t.to_rfc3339()),
        }
    }
}

/// Backoff after `failures` consecutive failures: the interval doubled per failure,
/// capped at [`MAX_BACKOFF`].
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
    interval
        .saturating_mul(factor)
        .min(MAX_BACKOFF.max(interval))
}

/// Decides whether `feed` is polled at `now`. `all` polls every enabled feed except one
/// a server told to wait.
pub fn check_due(
    feed: &FeedRow,
    interval: Duration,
    now: DateTime<Utc>,
    all: bool,
) -> Result<(), Skip> {
    if let Some(why) = &feed.disabled_reason {
        return Err(Skip::Disabled(why.clone()));
    }
    if let Some(until) = feed.retry_after.filter(|t| *t > now) {
        return Err(Skip::RetryAfter(until));
    }
    if all {
        return Ok(());
    }
    let Some(last) = feed.last_polled else {
        return Ok(());
    };
    let wait = if feed.consecutive_failures > 0 {
        backoff(interval, feed.consecutive_failures)
    } else {
        interval
    };
    let next = last + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    if next <= now {
        Ok(())
    } else if feed.consecutive_failures > 0 {
        Err(Skip::BackingOff(next))
    } else {
        Err(Skip::NotDue(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Validators;

    fn row() -> FeedRow {
        FeedRow {
            id: 1,
            name: "f".into(),
            url: "https://example.com/feed".into(),
            title: "F".into(),
            validators: Validators::default(),
            last_polled: None,
            last_success: None,
            last_status: None,
            last_error: None,
            consecutive_failures: 0,
            retry_after: None,
            disabled_reason: None,
            article_count: 0,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn never_polled_is_due() {
        assert_eq!(
            check_due(
                &row(),
                Duration::from_secs(1800),
                at("2026-01-01T00:00:00Z"),
                false
            ),
            Ok(())
        );
    }

    #[test]
    fn interval_decides() {
        let mut f = row();
        f.last_polled = Some(at("2026-01-01T00:00:00Z"));
        let iv = Duration::from_secs(1800);
        assert!(matches!(
            check_due(&f, iv, at("2026-01-01T00:10:00Z"), false),
            Err(Skip::NotDue(_))
        ));
        assert_eq!(check_due(&f, iv, at("2026-01-01T00:10:00Z"), true), Ok(()));
        assert_eq!(check_due(&f, iv, at("2026-01-01T00:30:00Z"), false), Ok(()));
    }

    #[test]
    fn retry_after_beats_all() {
        let mut f = row();
        f.retry_after = Some(at("2026-01-01T01:00:00Z"));
        let r = check_due(
            &f,
            Duration::from_secs(60),
            at("2026-01-01T00:00:00Z"),
            true,
        );
        assert!(matches!(r, Err(Skip::RetryAfter(_))));
    }

    #[test]
    fn backoff_grows_and_caps() {
        let iv = Duration::from_secs(1800);
        assert_eq!(backoff(iv, 1), iv);
        assert_eq!(backoff(iv, 2), iv * 2);
        assert_eq!(backoff(iv, 3), iv * 4);
        assert_eq!(backoff(iv, 30), MAX_BACKOFF);
    }

    #[test]
    fn disabled_is_skipped() {
        let mut f = row();
        f.disabled_reason = Some("410 Gone".into());
        assert!(matches!(
            check_due(&f, Duration::from_secs(1), at("2026-01-01T00:00:00Z"), true),
            Err(Skip::Disabled(_))
        ));
    }
}
