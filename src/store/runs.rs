//! The `ingest_runs` table and read-only statistics for health checks and metrics.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{err, Result, Store};

/// One finished ingest pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestRun {
    /// When it finished.
    pub finished: DateTime<Utc>,
    /// How long it took, milliseconds.
    pub duration_ms: i64,
    /// Feeds fetched (200 or 304).
    pub feeds_ok: i64,
    /// Feeds that failed.
    pub feeds_failed: i64,
    /// New articles.
    pub new_articles: i64,
    /// Articles updated in place.
    pub updated: i64,
}

/// Counts for /metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Feeds by state: ok, failing, disabled, new.
    pub feeds_by_state: BTreeMap<&'static str, i64>,
    /// Failing feeds by last HTTP status (0 = no answer: network, timeout, guard).
    pub failing_by_status: BTreeMap<i64, i64>,
    /// Failing feeds by kind of their last error (timeout, status, network, parse, ...).
    pub failing_by_kind: BTreeMap<String, i64>,
    /// Stories stored.
    pub stories: i64,
    /// Articles stored.
    pub articles: i64,
}

impl Store {
    /// Records a finished pass.
    pub fn record_run(&mut self, run: &IngestRun) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO ingest_runs (finished, duration_ms, feeds_ok, feeds_failed, new_articles, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run.finished.timestamp(), run.duration_ms, run.feeds_ok, run.feeds_failed, run.new_articles, run.updated],
            )
            .map_err(|e| err(&self.path, e))?;
        Ok(())
    }

    /// The last finished pass.
    pub fn last_run(&self) -> Result<Option<IngestRun>> {
        self.conn
            .query_row(
                "SELECT finished, duration_ms, feeds_ok, feeds_failed, new_articles, updated
                 FROM ingest_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(IngestRun {
                        finished: DateTime::from_timestamp(r.get(0)?, 0).unwrap_or_default(),
                        duration_ms: r.get(1)?,
                        feeds_ok: r.get(2)?,
                        feeds_failed: r.get(3)?,
                        new_articles: r.get(4)?,
                        updated: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| err(&self.path, e))
    }

    /// Counts for monitoring.
    pub fn stats(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        (stats.stories, stats.articles) = self.counts()?;
        for feed in self.feeds()? {
            let state = if feed.disabled_reason.is_some() {
                "disabled"
            } else if feed.consecutive_failures > 0 {
                *stats
                    .failing_by_status
                    .entry(i64::from(feed.last_status.unwrap_or(0)))
                    .or_default() += 1;
                let kind = feed
                    .last_error_kind
                    .clone()
                    .unwrap_or_else(|| "unknown".into());
                *stats.failing_by_kind.entry(kind).or_default() += 1;
                "failing"
            } else if feed.last_success.is_none() {
                "new"
            } else {
                "ok"
            };
            *stats.feeds_by_state.entry(state).or_default() += 1;
        }
        Ok(stats)
    }

    /// SQLite's `data_version`: changes whenever another connection commits, so a server
    /// can tell that an ingest changed the database without reading it.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| err(&self.path, e))
    }
}
