//! The `feeds` table: configured sources and their fetch state (validators, errors, waits).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{err, Result, Store, StoreError};
use crate::config::FeedConfig;
use crate::fetch::Validators;

/// A feed's stored state.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRow {
    /// Database id.
    pub id: i64,
    /// The feed's `name`.
    pub name: String,
    /// The URL polled (may differ from the config after a permanent redirect).
    pub url: String,
    /// Human title.
    pub title: String,
    /// Validators for the next conditional GET.
    pub validators: Validators,
    /// Last attempt.
    pub last_polled: Option<DateTime<Utc>>,
    /// Last good fetch.
    pub last_success: Option<DateTime<Utc>>,
    /// HTTP status of the last attempt.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The kind of the last failure (timeout, status, network, parse, ...).
    pub last_error_kind: Option<String>,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// The server asked us not to come back before this.
    pub retry_after: Option<DateTime<Utc>>,
    /// Why the feed is disabled, if it is.
    pub disabled_reason: Option<String>,
    /// Number of articles stored from this feed.
    pub article_count: i64,
    /// When the feed is next checked (`None`: now).
    pub next_check: Option<DateTime<Utc>>,
    /// RSS `<ttl>` the feed declared, minutes.
    pub ttl_minutes: Option<u32>,
    /// Freshness the server declared (Cache-Control max-age / Expires), seconds.
    pub fresh_secs: Option<i64>,
    /// `sy:updatePeriod` / `sy:updateFrequency` the feed declared, seconds.
    pub update_period_secs: Option<i64>,
}

/// When to check a feed next, and whether to stop checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextCheck {
    /// The next check.
    pub at: DateTime<Utc>,
    /// Disable the feed, with this reason (410 Gone, too many failures).
    pub disable: Option<String>,
}

/// What one poll of a feed produced, recorded with [`Store::record_poll`].
#[derive(Debug, Clone, PartialEq)]
pub enum PollResult {
    /// 200 with a parsed feed: new validators and the feed's scheduling hints.
    Fetched {
        /// Validators of the response.
        validators: Validators,
        /// RSS `<ttl>`, minutes.
        ttl_minutes: Option<u32>,
        /// Cache-Control max-age / Expires, seconds.
        fresh_secs: Option<i64>,
        /// `sy:updatePeriod` / `sy:updateFrequency`, seconds.
        update_period_secs: Option<i64>,
        /// Every redirect was permanent: poll this URL from now on.
        moved_to: Option<String>,
    },
    /// 304 Not Modified.
    NotModified,
    /// The poll failed.
    Failed {
        /// HTTP status, when the server answered.
        status: Option<u16>,
        /// A short kind for metrics: status, timeout, network, blocked, too_large, parse...
        kind: String,
        /// What went wrong.
        error: String,
        /// Retry-After the server sent.
        retry_after: Option<DateTime<Utc>>,
    },
}

fn ts(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn feed_row(r: &Row<'_>) -> rusqlite::Result<FeedRow> {
    Ok(FeedRow {
        id: r.get("id")?,
        name: r.get("name")?,
        url: r.get("url")?,
        title: r.get("title")?,
        validators: Validators {
            etag: r.get("etag")?,
            last_modified: r.get("last_modified")?,
        },
        last_polled: ts(r.get("last_polled")?),
        last_success: ts(r.get("last_success")?),
        last_status: r.get("last_status")?,
        last_error: r.get("last_error")?,
        last_error_kind: r.get("last_error_kind")?,
        consecutive_failures: r.get("consecutive_failures")?,
        retry_after: ts(r.get("retry_after")?),
        disabled_reason: r.get("disabled_reason")?,
        article_count: r.get("article_count")?,
        next_check: ts(r.get("next_check")?),
        ttl_minutes: r.get("ttl_minutes")?,
        fresh_secs: r.get("fresh_secs")?,
        update_period_secs: r.get("update_period_secs")?,
    })
}

const FEED_SELECT: &str = "SELECT f.*, (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS article_count FROM feeds f";

impl Store {
    /// Makes the `feeds` table match the config: adds new feeds, updates titles, and
    /// resets the fetch state (and re-enables) a feed whose configured URL changed. A URL
    /// learnt from a permanent redirect is kept while the configured URL stays the same.
    pub fn sync_feeds(&mut self, feeds: &[FeedConfig]) -> Result<()> {
        self.commit_held()?;
        let tx = self.conn.transaction().map_err(|e| err(&self.path, e))?;
        // Prepared once for all feeds: compiling this upsert cost more than running it.
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO feeds (name, url, config_url, title) VALUES (?1, ?2, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET
                     title = excluded.title,
                     etag = CASE WHEN config_url IS excluded.config_url THEN etag END,
                     last_modified = CASE WHEN config_url IS excluded.config_url THEN last_modified END,
                     disabled_reason = CASE WHEN config_url IS excluded.config_url THEN disabled_reason END,
                     next_check = CASE WHEN config_url IS excluded.config_url THEN next_check END,
                     consecutive_failures = CASE WHEN config_url IS excluded.config_url
                         THEN consecutive_failures ELSE 0 END,
                     url = CASE WHEN config_url IS excluded.config_url THEN url ELSE excluded.url END,
                     config_url = excluded.config_url",
            )
            .map_err(|e| err(&self.path, e))?;
        for feed in feeds {
            upsert
                .execute(params![feed.name, feed.url.as_str(), feed.title])
                .map_err(|e| err(&self.path, e))?;
        }
        drop(upsert);
        tx.commit().map_err(|e| err(&self.path, e))
    }

    /// Every feed's state, by name.
    pub fn feeds(&self) -> Result<Vec<FeedRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{FEED_SELECT} ORDER BY f.name"))
            .map_err(|e| err(&self.path, e))?;
        let rows = stmt
            .query_map([], feed_row)
            .map_err(|e| err(&self.path, e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| err(&self.path, e))
    }

    /// One feed's state.
    pub fn feed(&self, name: &str) -> Result<FeedRow> {
        // Cached: an ingest reads each feed's row twice (when it starts and when it plans the
        // next poll), and compiling the statement cost several times running it.
        self.conn
            .prepare_cached(&format!("{FEED_SELECT} WHERE f.name = ?1"))
            .and_then(|mut s| s.query_row([name], feed_row).optional())
            .map_err(|e| err(&self.path, e))?
            .ok_or_else(|| StoreError::UnknownFeed(name.to_string()))
    }

    /// Records a poll that wrote no articles (304 or a failure). A successful 200 is
    /// recorded inside [`Store::write_feed_batch`] so state and items commit together.
    pub fn record_poll(
        &mut self,
        feed_id: i64,
        result: &PollResult,
        next: &NextCheck,
        now: DateTime<Utc>,
    ) -> Result<()> {
        record_poll_on(&self.conn, feed_id, result, next, now).map_err(|e| err(&self.path, e))
    }

    /// New articles first seen from `feed_id` since `since`, for adaptive polling.
    pub fn articles_since(&self, feed_id: i64, since: DateTime<Utc>) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM articles WHERE feed_id = ?1 AND first_seen >= ?2",
                params![feed_id, since.timestamp()],
                |r| r.get(0),
            )
            .map_err(|e| err(&self.path, e))
    }
}

/// Writes a poll's outcome to the feed row, on any connection or transaction.
pub(super) fn record_poll_on(
    conn: &rusqlite::Connection,
    feed_id: i64,
    result: &PollResult,
    next: &NextCheck,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    super::exec(
        conn,
        "UPDATE feeds SET next_check = ?2, disabled_reason = COALESCE(?3, disabled_reason)
         WHERE id = ?1",
        params![feed_id, next.at.timestamp(), next.disable],
    )?;
    let now = now.timestamp();
    match result {
        PollResult::Fetched {
            validators,
            ttl_minutes,
            fresh_secs,
            update_period_secs,
            moved_to,
        } => super::exec(
            conn,
            "UPDATE feeds SET etag = ?2, last_modified = ?3, ttl_minutes = ?4, last_polled = ?5,
                 last_success = ?5, last_status = 200, last_error = NULL,
                 consecutive_failures = 0, retry_after = NULL, fresh_secs = ?6,
                 update_period_secs = ?7, url = COALESCE(?8, url)
             WHERE id = ?1",
            params![
                feed_id,
                validators.etag,
                validators.last_modified,
                ttl_minutes,
                now,
                fresh_secs,
                update_period_secs,
                moved_to
            ],
        ),
        PollResult::NotModified => super::exec(
            conn,
            "UPDATE feeds SET last_polled = ?2, last_success = ?2, last_status = 304,
                 last_error = NULL, consecutive_failures = 0, retry_after = NULL
             WHERE id = ?1",
            params![feed_id, now],
        ),
        PollResult::Failed {
            status,
            kind,
            error,
            retry_after,
        } => super::exec(
            conn,
            "UPDATE feeds SET last_polled = ?2, last_status = ?3, last_error = ?4,
                 consecutive_failures = consecutive_failures + 1, retry_after = ?5,
                 last_error_kind = ?6
             WHERE id = ?1",
            params![
                feed_id,
                now,
                status,
                error,
                retry_after.map(|t| t.timestamp()),
                kind
            ],
        ),
    }
    .map(|_| ())
}
