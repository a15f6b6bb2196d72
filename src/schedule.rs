//! When is a feed polled: pure functions of its stored state, its hints and a clock.
//!
//! Poll intervals adapt to how busy a feed is and stretch to what the feed and its server
//! ask for; failures back off exponentially with jitter; 410 and repeated failures disable.
//! `ingest` and the `run` daemon both decide through these rules; nothing here sleeps.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::ScheduleConfig;
use crate::store::{FeedRow, NextCheck};

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

/// What the feed and its server said about how often to poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    /// `sy:updatePeriod` / `sy:updateFrequency`.
    pub update_period: Option<Duration>,
    /// Cache-Control max-age / Expires.
    pub fresh_for: Option<Duration>,
}

impl Hints {
    /// The hints stored for a feed.
    pub fn of(feed: &FeedRow) -> Hints {
        let secs = |s: Option<i64>| s.filter(|s| *s > 0).map(|s| Duration::from_secs(s as u64));
        Hints {
            ttl: feed
                .ttl_minutes
                .map(|m| Duration::from_secs(u64::from(m) * 60)),
            update_period: secs(feed.update_period_secs),
            fresh_for: secs(feed.fresh_secs),
        }
    }
}

/// New items per poll the adaptive rule aims for: a busy feed is polled about when this
/// many new items have appeared.
pub const ITEMS_PER_POLL: f64 = 3.0;

/// How long to wait between two successful polls of a feed: the configured interval,
/// shortened for a busy feed (observed `items_per_day`), lengthened to what the feed and
/// its server ask for (ttl, sy:updatePeriod, max-age), always within the bounds.
pub fn poll_interval(
    configured: Duration,
    bounds: &ScheduleConfig,
    items_per_day: Option<f64>,
    hints: &Hints,
) -> Duration {
    let mut interval = configured;
    if let Some(rate) = items_per_day.filter(|r| *r > 0.0) {
        let adaptive = Duration::from_secs_f64((86_400.0 / rate * ITEMS_PER_POLL).min(1e9));
        interval = interval.min(adaptive);
    }
    for hint in [hints.ttl, hints.update_period, hints.fresh_for]
        .into_iter()
        .flatten()
    {
        interval = interval.max(hint);
    }
    interval.clamp(
        bounds.min_interval,
        bounds.max_interval.max(bounds.min_interval),
    )
}

/// Backoff after `failures` consecutive failures: the interval doubled per failure,
/// capped at `cap` (`[schedule] max_interval`, 24 h by default).
pub fn backoff(interval: Duration, failures: u32, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
    interval.saturating_mul(factor).min(cap.max(interval))
}

/// Spreads `wait` by +-10 %, deterministically from `seed`, so feeds do not fire together.
pub fn jitter(wait: Duration, seed: u64) -> Duration {
    let mut x = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    let unit = (x >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
    wait.mul_f64(0.9 + 0.2 * unit)
}

/// How a poll ended, as far as scheduling cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200 or 304.
    Success,
    /// Failed; `failures` counts this one.
    Failure {
        /// HTTP status, if the server answered.
        status: Option<u16>,
        /// Consecutive failures including this one.
        failures: u32,
        /// The server's Retry-After.
        retry_after: Option<DateTime<Utc>>,
        /// What went wrong.
        error: String,
    },
}

/// When to poll next after `outcome`, and whether to disable the feed (410 Gone, or
/// `[schedule] max_failures` failures in a row).
pub fn plan_next(
    interval: Duration,
    outcome: &Outcome,
    bounds: &ScheduleConfig,
    seed: u64,
    now: DateTime<Utc>,
) -> NextCheck {
    let after = |d: Duration| now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    match outcome {
        Outcome::Success => NextCheck {
            at: after(jitter(interval, seed)),
            disable: None,
        },
        Outcome::Failure {
            status,
            failures,
            retry_after,
            error,
        } => {
            let wait = jitter(backoff(interval, *failures, bounds.max_interval), seed);
            let at = after(wait).max(retry_after.unwrap_or(now));
            let disable = if *status == Some(410) {
                Some("the server answered 410 Gone: the feed was removed; change its url to enable it again".to_string())
            } else if bounds.max_failures > 0 && *failures >= bounds.max_failures {
                Some(format!("{failures} failures in a row (last: {error}); change its url or fix the site, then it is retried"))
            } else {
                None
            };
            NextCheck { at, disable }
        }
    }
}

/// Decides whether `feed` is polled at `now`. `all` polls every enabled feed except one
/// a server told to wait.
pub fn check_due(feed: &FeedRow, now: DateTime<Utc>, all: bool) -> Result<(), Skip> {
    if let Some(why) = &feed.disabled_reason {
        return Err(Skip::Disabled(why.clone()));
    }
    if let Some(until) = feed.retry_after.filter(|t| *t > now) {
        return Err(Skip::RetryAfter(until));
    }
    match feed.next_check {
        _ if all => Ok(()),
        None => Ok(()),
        Some(next) if next <= now => Ok(()),
        Some(next) if feed.consecutive_failures > 0 => Err(Skip::BackingOff(next)),
        Some(next) => Err(Skip::NotDue(next)),
    }
}

#[cfg(test)]
mod tests;
