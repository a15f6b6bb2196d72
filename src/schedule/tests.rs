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
        last_error_kind: None,
        consecutive_failures: 0,
        retry_after: None,
        disabled_reason: None,
        article_count: 0,
        next_check: None,
        ttl_minutes: None,
        fresh_secs: None,
        update_period_secs: None,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn bounds() -> ScheduleConfig {
    ScheduleConfig {
        interval: Duration::from_secs(1800),
        min_interval: Duration::from_secs(300),
        max_interval: Duration::from_secs(86_400),
        max_failures: 5,
    }
}

const MIN: u64 = 60;

#[test]
fn never_polled_is_due() {
    assert_eq!(check_due(&row(), at("2026-01-01T00:00:00Z"), false), Ok(()));
}

#[test]
fn next_check_decides_and_all_overrides() {
    let mut f = row();
    f.next_check = Some(at("2026-01-01T00:30:00Z"));
    assert!(matches!(
        check_due(&f, at("2026-01-01T00:10:00Z"), false),
        Err(Skip::NotDue(_))
    ));
    assert_eq!(check_due(&f, at("2026-01-01T00:10:00Z"), true), Ok(()));
    assert_eq!(check_due(&f, at("2026-01-01T00:30:00Z"), false), Ok(()));
    f.consecutive_failures = 2;
    assert!(matches!(
        check_due(&f, at("2026-01-01T00:10:00Z"), false),
        Err(Skip::BackingOff(_))
    ));
}

#[test]
fn retry_after_beats_all() {
    let mut f = row();
    f.retry_after = Some(at("2026-01-01T01:00:00Z"));
    assert!(matches!(
        check_due(&f, at("2026-01-01T00:00:00Z"), true),
        Err(Skip::RetryAfter(_))
    ));
    assert_eq!(check_due(&f, at("2026-01-01T01:00:01Z"), true), Ok(()));
}

#[test]
fn disabled_is_skipped() {
    let mut f = row();
    f.disabled_reason = Some("410 Gone".into());
    assert!(matches!(
        check_due(&f, at("2026-01-01T00:00:00Z"), true),
        Err(Skip::Disabled(_))
    ));
}

#[test]
fn backoff_grows_and_caps() {
    let iv = Duration::from_secs(1800);
    let cap = Duration::from_secs(86_400);
    let waits: Vec<u64> = (1..=8).map(|n| backoff(iv, n, cap).as_secs()).collect();
    assert_eq!(
        waits,
        [1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 86_400]
    );
}

#[test]
fn busy_feeds_poll_more_often_quiet_ones_at_configured_interval() {
    let iv = Duration::from_secs(30 * MIN);
    let none = Hints::default();
    // Cedar News: ~1,500 items a day -> bounded by min_interval.
    assert_eq!(
        poll_interval(iv, &bounds(), Some(1500.0), &none),
        Duration::from_secs(5 * MIN)
    );
    // 100 a day: about 43 minutes between 3 items -> configured 30 m stays.
    assert_eq!(poll_interval(iv, &bounds(), Some(100.0), &none), iv);
    // 200 a day: 21.6 minutes.
    assert_eq!(
        poll_interval(iv, &bounds(), Some(200.0), &none).as_secs(),
        1296
    );
    assert_eq!(poll_interval(iv, &bounds(), Some(2.0), &none), iv);
    assert_eq!(poll_interval(iv, &bounds(), None, &none), iv);
}

#[test]
fn hints_lengthen_within_bounds() {
    let iv = Duration::from_secs(30 * MIN);
    let ttl = Hints {
        ttl: Some(Duration::from_secs(120 * MIN)),
        ..Hints::default()
    };
    assert_eq!(
        poll_interval(iv, &bounds(), None, &ttl),
        Duration::from_secs(120 * MIN)
    );
    let huge = Hints {
        fresh_for: Some(Duration::from_secs(7 * 86_400)),
        ..Hints::default()
    };
    assert_eq!(
        poll_interval(iv, &bounds(), None, &huge),
        Duration::from_secs(86_400)
    );
    let short = Hints {
        update_period: Some(Duration::from_secs(MIN)),
        ..Hints::default()
    };
    assert_eq!(poll_interval(iv, &bounds(), None, &short), iv);
}

#[test]
fn jitter_stays_within_ten_percent_and_spreads() {
    let d = Duration::from_secs(1000);
    let values: Vec<u64> = (0..50).map(|s| jitter(d, s).as_secs()).collect();
    assert!(
        values.iter().all(|v| (900..=1100).contains(v)),
        "{values:?}"
    );
    let distinct: std::collections::HashSet<_> = values.iter().collect();
    assert!(distinct.len() > 20);
    assert_eq!(jitter(d, 7), jitter(d, 7));
}

#[test]
fn failures_back_off_honour_retry_after_and_disable() {
    let now = at("2026-01-01T00:00:00Z");
    let iv = Duration::from_secs(1800);
    let fail = |failures, status, retry_after| Outcome::Failure {
        status,
        failures,
        retry_after,
        error: "HTTP 500".into(),
    };
    let first = plan_next(iv, &fail(1, Some(500), None), &bounds(), 1, now);
    let third = plan_next(iv, &fail(3, Some(500), None), &bounds(), 1, now);
    assert!(third.at - now > (first.at - now) * 3, "{first:?} {third:?}");
    assert_eq!(first.disable, None);
    let later = at("2026-01-02T00:00:00Z");
    assert_eq!(
        plan_next(iv, &fail(1, Some(429), Some(later)), &bounds(), 1, now).at,
        later
    );
    assert!(plan_next(iv, &fail(1, Some(410), None), &bounds(), 1, now)
        .disable
        .unwrap()
        .contains("410 Gone"));
    assert!(plan_next(iv, &fail(5, None, None), &bounds(), 1, now)
        .disable
        .unwrap()
        .contains("5 failures in a row"));
    let ok = plan_next(iv, &Outcome::Success, &bounds(), 1, now);
    assert!(
        ok.at - now >= chrono::Duration::seconds(1620)
            && ok.at - now <= chrono::Duration::seconds(1980)
    );
}
