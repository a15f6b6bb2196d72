//! One ingest pass: for each due feed, fetch -> parse -> fetch pages -> extract -> store.
//!
//! Feeds run concurrently. Each feed's task polls it, decides which items are new through a
//! read-only connection of its own (so planning never waits for the writer), fetches and
//! extracts the pages; every write happens on the calling task, which owns the database. Its
//! transaction stays open while batches keep coming (at most a second) and commits once it
//! has waited 20 ms for the next, or when the last waiting feed is admitted, so many feeds
//! share one commit, each feed all-or-nothing; a feed is reported once its writes are
//! committed. A failing feed is reported with its name and cause and never stops the
//! others.

pub mod assemble;
mod cpu;
mod stages;

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;

use crate::config::{Config, FeedConfig};
use crate::dedup::{self, resolve_identity, Identity, ItemKeys};
use crate::fetch::Fetcher;
use crate::model::FeedItem;
use crate::related::RelatedConfig;
use crate::schedule::{check_due, plan_next, poll_interval, Hints, Outcome, Skip};
use crate::store::KnownArticle;
use crate::store::{
    ArticleWrite, FeedBatch, IngestRun, NextCheck, PollResult, Prepared, Store, StoreError,
};
use assemble::{entry_hash, keys_of};
use stages::{Plan, Planned, Stage};

/// Called with each feed's report as soon as that feed is done (progress display).
pub type OnFeedDone = std::sync::Arc<dyn Fn(&FeedReport) + Send + Sync>;

/// What to poll.
#[derive(Clone, Default)]
pub struct IngestOptions {
    /// Poll every enabled feed, due or not (Retry-After is still obeyed).
    pub all: bool,
    /// Poll only this feed (now, as with `all`).
    pub feed: Option<String>,
    /// Progress callback, if any.
    pub on_feed_done: Option<OnFeedDone>,
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("all", &self.all)
            .field("feed", &self.feed)
            .field("on_feed_done", &self.on_feed_done.is_some())
            .finish()
    }
}

/// How one feed's poll ended.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedOutcome {
    /// Not polled.
    Skipped(Skip),
    /// 304 Not Modified.
    NotModified,
    /// Fetched and stored.
    Stored {
        /// New articles.
        new: usize,
        /// Articles updated in place.
        updated: usize,
        /// Article pages fetched.
        pages: usize,
        /// Article pages that failed (feed content used instead).
        pages_failed: usize,
    },
    /// The poll failed; the cause.
    Failed(String),
}

/// One feed's line in the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReport {
    /// The feed's `name`.
    pub name: String,
    /// What happened.
    pub outcome: FeedOutcome,
}

/// The result of a pass.
#[derive(Debug, Clone, Default)]
pub struct IngestSummary {
    /// One report per configured feed considered.
    pub reports: Vec<FeedReport>,
    /// Wall time of the pass.
    pub elapsed: Duration,
}

impl IngestSummary {
    /// Feeds that failed, with their cause.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.reports.iter().filter_map(|r| match &r.outcome {
            FeedOutcome::Failed(why) => Some((r.name.as_str(), why.as_str())),
            _ => None,
        })
    }

    /// True when any polled feed failed.
    pub fn any_failed(&self) -> bool {
        self.failures().next().is_some()
    }

    /// The pass as a row of `ingest_runs`.
    pub fn run(&self, finished: DateTime<Utc>) -> IngestRun {
        let mut run = IngestRun {
            finished,
            duration_ms: self.elapsed.as_millis() as i64,
            feeds_ok: 0,
            feeds_failed: 0,
            new_articles: 0,
            updated: 0,
        };
        for r in &self.reports {
            match &r.outcome {
                FeedOutcome::Skipped(_) => {}
                FeedOutcome::NotModified => run.feeds_ok += 1,
                FeedOutcome::Failed(_) => run.feeds_failed += 1,
                FeedOutcome::Stored { new, updated, .. } => {
                    run.feeds_ok += 1;
                    run.new_articles += *new as i64;
                    run.updated += *updated as i64;
                }
            }
        }
        run
    }

    /// The one-line summary printed at the end of ingest.
    pub fn line(&self) -> String {
        let (mut ok, mut failed, mut skipped) = (0, 0, 0);
        let (mut new, mut updated, mut pages, mut pages_failed) = (0, 0, 0, 0);
        for r in &self.reports {
            match &r.outcome {
                FeedOutcome::Skipped(_) => skipped += 1,
                FeedOutcome::NotModified => ok += 1,
                FeedOutcome::Failed(_) => failed += 1,
                FeedOutcome::Stored {
                    new: n,
                    updated: u,
                    pages: p,
                    pages_failed: pf,
                } => {
                    ok += 1;
                    new += n;
                    updated += u;
                    pages += p;
                    pages_failed += pf;
                }
            }
        }
        format!(
            "feedmix ingest: {ok} feeds ok, {failed} failed, {skipped} skipped; {new} new, \
             {updated} updated; {pages} pages fetched ({pages_failed} failed); {:.1}s",
            self.elapsed.as_secs_f64()
        )
    }
}

/// Runs one pass over the due feeds of `config`.
pub async fn ingest(
    config: &Config,
    store: &mut Store,
    fetcher: &Fetcher,
    options: &IngestOptions,
) -> Result<IngestSummary, StoreError> {
    let passed = ingest_pass(config, store, fetcher, options).await;
    if passed.is_err() {
        // Nothing half-written: the feeds still held are polled again next time.
        store.rollback_held();
    }
    passed
}

/// [`ingest`], which rolls back the writes this leaves held when it stops on an error.
async fn ingest_pass(
    config: &Config,
    store: &mut Store,
    fetcher: &Fetcher,
    options: &IngestOptions,
) -> Result<IngestSummary, StoreError> {
    let started = Instant::now();
    store.sync_feeds(&config.feeds)?;
    let now = Utc::now();
    let mut summary = IngestSummary::default();
    let readers = Arc::new(Readers::new(store.file()));
    let budget = Arc::new(tokio::sync::Semaphore::new(ARTICLES_IN_MEMORY));
    let mut running = FuturesUnordered::new();
    let mut due = VecDeque::new();
    let linking = RelatedConfig::new(
        config.related.count,
        config.related.window_days,
        config.related.min_score,
    );
    for feed in &config.feeds {
        if options
            .feed
            .as_deref()
            .is_some_and(|only| only != feed.name)
        {
            continue;
        }
        let row = store.feed(&feed.name)?;
        let force = options.all || options.feed.is_some();
        if let Err(skip) = check_due(&row, now, force) {
            tracing::debug!(feed = %feed.name, "skipped: {skip}");
            report(
                &mut summary,
                options,
                FeedReport {
                    name: feed.name.clone(),
                    outcome: FeedOutcome::Skipped(skip),
                },
            );
            continue;
        }
        let feed_id = row.id;
        due.push_back((
            feed,
            feed_id,
            feed_pass(
                fetcher.clone(),
                feed.clone(),
                row,
                readers.clone(),
                config.keep_days,
                budget.clone(),
            ),
        ));
    }
    // Feeds are admitted a few at a time: every network and CPU stage outruns the one
    // SQLite writer, so admitting all at once queues extracted batches in memory (a
    // 1,000-feed x 50-item pass peaked above 500 MB that way).
    let in_flight = feeds_in_flight(config);
    let start = |(feed, feed_id, stage)| stages::on_worker(feed, feed_id, stage);
    running.extend(due.drain(..in_flight.min(due.len())).map(start));
    // Reports of the feeds whose writes are held in the open transaction, told once it commits.
    let mut unreported = Vec::new();
    // Whether feeds are still waiting to be admitted. When the last one is, the writes held
    // so far are committed once: the checkpointer copies them while the feeds in flight
    // are extracted, and the pass's last commit, which nothing runs beside, carries only
    // those feeds (a third of a 1,000-article pass; 1.03x, BENCHMARKS.md, session 16).
    let mut admitting = !due.is_empty();
    loop {
        // Every stage that is already finished is handled now, and the batches among them
        // are written together. The transaction stays open while more keep coming (up to
        // HOLD_AT_MOST) and commits before the writer waits longer than IDLE_BEFORE_COMMIT.
        let first = match running.next().now_or_never() {
            Some(Some(stage)) => stage,
            Some(None) => break,
            None => match tokio::time::timeout(IDLE_BEFORE_COMMIT, running.next()).await {
                Ok(Some(stage)) => stage,
                Ok(None) => break,
                Err(_) => {
                    commit(store, &mut summary, options, &mut unreported)?;
                    match running.next().await {
                        Some(stage) => stage,
                        None => break,
                    }
                }
            },
        };
        let mut ready = vec![first];
        while ready.len() < MAX_STAGES_PER_WAKE {
            match running.next().now_or_never() {
                Some(Some(stage)) => ready.push(stage),
                _ => break,
            }
        }
        let mut batches = Vec::new();
        let mut budget_held = Vec::new();
        for stage in ready {
            if !matches!(
                stage,
                Stage::Polled {
                    result: Ok(Some(_)),
                    ..
                }
            ) {
                // This feed is done (304, failure, or its batch is about to be written).
                running.extend(due.pop_front().map(start));
            }
            match stage {
                Stage::Polled {
                    feed,
                    feed_id,
                    result,
                } => match result {
                    // Planned here only when the feed's task could not open a reader.
                    Ok(Some(planned)) => {
                        let plan = plan_writes(store, config.keep_days, &feed, feed_id, planned)?;
                        let pages =
                            stages::fetch_pages(fetcher.clone(), feed.clone(), feed_id, plan);
                        running.push(stages::on_worker(&feed, feed_id, pages));
                    }
                    Ok(None) => {
                        let poll = PollResult::NotModified;
                        let next = next_check(store, config, &feed, feed_id, &poll)?;
                        store.record_poll(feed_id, &poll, &next, Utc::now())?;
                        unreported.push(FeedReport {
                            name: feed.name.clone(),
                            outcome: FeedOutcome::NotModified,
                        });
                    }
                    Err(failure) => {
                        let next = next_check(store, config, &feed, feed_id, &failure)?;
                        store.record_poll(feed_id, &failure, &next, Utc::now())?;
                        let error = match failure {
                            PollResult::Failed { error, .. } => error,
                            other => format!("{other:?}"),
                        };
                        tracing::warn!(feed = %feed.name, "feed failed: {error}");
                        unreported.push(FeedReport {
                            name: feed.name.clone(),
                            outcome: FeedOutcome::Failed(error),
                        });
                    }
                },
                Stage::Extracted {
                    feed,
                    feed_id,
                    poll,
                    writes,
                    pages,
                    pages_failed,
                    held,
                } => {
                    let next = next_check(store, config, &feed, feed_id, &poll)?;
                    batches.push((feed, feed_id, poll, next, writes, pages, pages_failed));
                    // Released after this group is written (end of the iteration).
                    budget_held.push(held);
                }
            }
        }
        if batches.is_empty() {
            continue;
        }
        let group: Vec<FeedBatch<'_>> = batches
            .iter()
            .map(|(_, feed_id, poll, next, writes, _, _)| FeedBatch {
                feed_id: *feed_id,
                writes,
                poll,
                next,
            })
            .collect();
        let stats = store.hold_feed_batches(&group, &linking, Utc::now())?;
        drop(group);
        for ((feed, _, _, _, _, pages, pages_failed), stats) in batches.into_iter().zip(stats) {
            unreported.push(FeedReport {
                name: feed.name.clone(),
                outcome: FeedOutcome::Stored {
                    new: stats.new,
                    updated: stats.updated,
                    pages,
                    pages_failed,
                },
            });
        }
        let last_admitted = admitting && due.is_empty() && store.held_for().is_some();
        if last_admitted {
            admitting = false;
        }
        if last_admitted || store.held_for().is_some_and(|open| open >= HOLD_AT_MOST) {
            commit(store, &mut summary, options, &mut unreported)?;
        }
    }
    // Every page is fetched: the pooled connections close on the runtime's threads while
    // the last commit and its checkpoint run here.
    fetcher.close_idle_connections();
    commit(store, &mut summary, options, &mut unreported)?;
    summary.reports.sort_by(|a, b| a.name.cmp(&b.name));
    summary.elapsed = started.elapsed();
    store.record_run(&summary.run(Utc::now()))?;
    Ok(summary)
}

/// Commits the writes held in the open transaction, then reports the feeds they belong to.
fn commit(
    store: &mut Store,
    summary: &mut IngestSummary,
    options: &IngestOptions,
    unreported: &mut Vec<FeedReport>,
) -> Result<(), StoreError> {
    store.commit_held()?;
    for done in unreported.drain(..) {
        if let FeedOutcome::Stored { new, updated, .. } = done.outcome {
            tracing::info!(feed = %done.name, new, updated, "stored");
        }
        report(summary, options, done);
    }
    Ok(())
}

/// One feed's way from its poll to its batch, on worker threads: poll, plan with a reader,
/// fetch and extract the pages. Hands the parsed feed back to the owner of the database
/// (`Stage::Polled` with `Ok(Some(_))`) only if no reader connection could be opened.
fn feed_pass(
    fetcher: Fetcher,
    feed: FeedConfig,
    row: crate::store::FeedRow,
    readers: Arc<Readers>,
    keep_days: u32,
    budget: Arc<tokio::sync::Semaphore>,
) -> stages::StageFuture {
    Box::pin(async move {
        let polled = stages::poll(fetcher.clone(), feed, row).await;
        let Stage::Polled {
            feed,
            feed_id,
            result: Ok(Some(planned)),
        } = polled
        else {
            return polled;
        };
        let for_plan = feed.clone();
        let planned = tokio::task::spawn_blocking(move || {
            readers.plan(keep_days, &for_plan, feed_id, planned)
        })
        .await;
        match planned {
            Ok(Planning::Ready(plan)) => {
                // Wait for room before fetching pages into memory (the semaphore is never
                // closed; a feed larger than the whole budget takes all of it).
                let n = plan.items.len().clamp(1, ARTICLES_IN_MEMORY) as u32;
                let permit = budget.acquire_many_owned(n).await.ok();
                let mut stage = stages::fetch_pages(fetcher, feed, feed_id, plan).await;
                if let Stage::Extracted { held, .. } = &mut stage {
                    *held = permit;
                }
                stage
            }
            Ok(Planning::Failed(e)) => Stage::Polled {
                feed,
                feed_id,
                result: Err(PollResult::Failed {
                    status: None,
                    kind: "database".to_string(),
                    error: format!("reading the database to plan the feed: {e}"),
                    retry_after: None,
                }),
            },
            Ok(Planning::NoReader(planned)) => Stage::Polled {
                feed,
                feed_id,
                result: Ok(Some(*planned)),
            },
            Err(e) => Stage::Polled {
                feed,
                feed_id,
                result: Err(stages::internal_failure(&e)),
            },
        }
    })
}

/// Read-only connections to the database, one per feed being planned at once, kept for the
/// pass. They see what has been committed; an item another feed's pending batch also holds
/// is resolved by the identity rules when it is written, as when planning and writing
/// interleave on one connection.
struct Readers {
    path: PathBuf,
    free: Mutex<Vec<Store>>,
}

impl Readers {
    fn new(path: &std::path::Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            free: Mutex::new(Vec::new()),
        }
    }

    /// Plans the feed on a free reader (opening one if none is free).
    fn plan(&self, keep_days: u32, feed: &FeedConfig, feed_id: i64, planned: Planned) -> Planning {
        let pooled = self.free.lock().ok().and_then(|mut free| free.pop());
        let reader = match pooled {
            Some(reader) => reader,
            None => match Store::open_reader(&self.path) {
                Ok(reader) => reader,
                Err(e) => {
                    tracing::debug!(error = %e, "no reader connection; planning on the writer");
                    return Planning::NoReader(Box::new(planned));
                }
            },
        };
        let plan = plan_writes(&reader, keep_days, feed, feed_id, planned);
        if let Ok(mut free) = self.free.lock() {
            free.push(reader);
        }
        match plan {
            Ok(plan) => Planning::Ready(plan),
            Err(e) => Planning::Failed(e),
        }
    }
}

/// How planning a feed on a reader went.
enum Planning {
    /// Its new and edited items, ready to fetch.
    Ready(Plan),
    /// Reading the database failed: the feed's failure.
    Failed(StoreError),
    /// No reader could be opened: the owner of the database plans it instead.
    NoReader(Box<Planned>),
}

/// Articles of new and edited items that may be between their feed's plan and their
/// written batch at once, pages and extracted text included (tens of KB each). Feeds of
/// ten items never reach it with the feeds-in-flight bound; it binds for long feeds (a
/// 1,000-feed x 50-item pass peaked at 206 MB without it).
const ARTICLES_IN_MEMORY: usize = 1_000;

/// Most finished feed stages the writer handles (and batches it writes) per wake-up; the
/// transaction may span many wake-ups (see [`HOLD_AT_MOST`]).
const MAX_STAGES_PER_WAKE: usize = 32;

/// Longest the writer keeps its transaction open while more batches keep coming; it commits
/// sooner when none has come for [`IDLE_BEFORE_COMMIT`]. One commit per wake-up (about 65
/// articles in a bulk ingest) wrote most postings and band pages to the WAL again at every
/// commit (BENCHMARKS.md, session 10). Readers, such as the served feed, see new items at
/// most this much later.
const HOLD_AT_MOST: Duration = Duration::from_secs(1);

/// How long the writer waits for the next finished stage before it commits what it holds.
/// A bulk ingest's writer catches up with extraction now and then for a few milliseconds;
/// committing at each of those waits wrote the touched index pages to the WAL again each
/// time.
const IDLE_BEFORE_COMMIT: Duration = Duration::from_millis(20);

/// Feeds between their poll and their stored batch at once: enough to keep every fetch
/// slot busy and a batch always ready for the writer, few enough to bound memory.
fn feeds_in_flight(config: &Config) -> usize {
    (config.fetch.max_concurrency * 2).max(4)
}

/// Records a feed's report and tells the progress callback.
fn report(summary: &mut IngestSummary, options: &IngestOptions, report: FeedReport) {
    if let Some(done) = &options.on_feed_done {
        done(&report);
    }
    summary.reports.push(report);
}

/// Days of history the adaptive poll interval looks at.
const RATE_DAYS: i64 = 7;

/// When to poll `feed` next after `poll`, from its stored state and this poll's hints.
fn next_check(
    store: &Store,
    config: &Config,
    feed: &FeedConfig,
    feed_id: i64,
    poll: &PollResult,
) -> Result<NextCheck, StoreError> {
    let now = Utc::now();
    let row = store.feed(&feed.name)?;
    let mut hints = Hints::of(&row);
    if let PollResult::Fetched {
        ttl_minutes,
        fresh_secs,
        update_period_secs,
        ..
    } = poll
    {
        let secs = |s: Option<i64>| s.filter(|s| *s > 0).map(|s| Duration::from_secs(s as u64));
        hints = Hints {
            ttl: ttl_minutes.map(|m| Duration::from_secs(u64::from(m) * 60)),
            update_period: secs(*update_period_secs),
            fresh_for: secs(*fresh_secs),
        };
    }
    // Observed rate only once the feed has history: the first poll stores its whole backlog.
    let rate = match row.last_success {
        Some(first) if now - first >= chrono::Duration::hours(1) => {
            let since = now - chrono::Duration::days(RATE_DAYS);
            let span_days =
                ((now - first.max(since)).num_seconds() as f64 / 86_400.0).max(1.0 / 24.0);
            Some(store.articles_since(feed_id, since.max(first))? as f64 / span_days)
        }
        _ => None,
    };
    let interval = poll_interval(feed.interval, &config.schedule, rate, &hints);
    let outcome = match poll {
        PollResult::Failed {
            status,
            error,
            retry_after,
            ..
        } => Outcome::Failure {
            status: *status,
            failures: row.consecutive_failures + 1,
            retry_after: *retry_after,
            error: error.clone(),
        },
        _ => Outcome::Success,
    };
    let seed = (feed_id as u64).wrapping_mul(0x9e37_79b9) ^ now.timestamp() as u64;
    Ok(plan_next(interval, &outcome, &config.schedule, seed, now))
}

/// Decides, per parsed item, whether it is new, edited or already stored.
fn plan_writes(
    store: &Store,
    keep_days: u32,
    feed: &FeedConfig,
    feed_id: i64,
    planned: Planned,
) -> Result<stages::Plan, StoreError> {
    let mut plan = stages::Plan {
        poll: planned.poll,
        fallback_url: planned.fallback_url,
        items: Vec::new(),
    };
    let mut seen: HashSet<String> = HashSet::new();
    // Items older than the retention window would be pruned again at once: never store them.
    let oldest = (keep_days > 0).then(|| Utc::now() - chrono::Duration::days(i64::from(keep_days)));
    // Feeds list newest first; store oldest first so a story's first article is the oldest.
    for item in planned.items.into_iter().rev() {
        if oldest.is_some_and(|cutoff| item.published.is_some_and(|p| p < cutoff)) {
            continue;
        }
        let keys = keys_of(&feed.name, &item);
        // The same entry twice in one document (by any key) is stored once.
        let fresh = [&keys.guid, &keys.url, &keys.title]
            .into_iter()
            .flatten()
            .all(|k| !seen.contains(k));
        if !fresh {
            continue;
        }
        seen.extend(
            [&keys.guid, &keys.url, &keys.title]
                .into_iter()
                .flatten()
                .cloned(),
        );
        match identify(store, &feed.name, feed_id, &keys, &item)? {
            (Identity::New, _) => plan.items.push(stages::PlannedItem::New(item)),
            (Identity::Unchanged(_), _) => {}
            // Another outlet's article at the same URL is theirs to edit, not ours.
            (Identity::Edited(_), Some(k)) if k.feed_id != feed_id => {}
            (Identity::Edited(id), known) => {
                let keep_body = known.is_some_and(|k| k.body_source == "page");
                plan.items.push(stages::PlannedItem::Edited {
                    id,
                    item,
                    keep_body,
                });
            }
        }
    }
    Ok(plan)
}

/// Looks the item up by URL (any feed), GUID and headline key (this feed) and lets the
/// dedup rules decide whether it is new, unchanged or an edit.
fn identify(
    store: &Store,
    feed: &str,
    feed_id: i64,
    keys: &ItemKeys,
    item: &FeedItem,
) -> Result<(Identity, Option<KnownArticle>), StoreError> {
    let by_url = match keys.url.as_deref().and_then(|u| u.strip_prefix("url:")) {
        Some(canonical) => store.known_by_canonical(canonical)?,
        None => None,
    };
    let by_guid = match &keys.guid {
        Some(g) => store.known_by_identity(feed_id, g)?,
        None => None,
    };
    let by_title = match &keys.title {
        Some(t) if keys.guid.is_none() && keys.url.is_none() => {
            store.known_by_identity(feed_id, t)?
        }
        _ => None,
    };
    // The entry's hash is only compared with a stored article's: an item nothing is known
    // by (every item of a cold pass) skips it, and with it an HTML parse of its content.
    let known = by_url.is_some() || by_guid.is_some() || by_title.is_some();
    let hash = if known {
        u64::from_str_radix(&entry_hash(item), 16).unwrap_or_default()
    } else {
        0
    };
    let as_dedup = |k: &KnownArticle| dedup::KnownArticle {
        id: k.id,
        keys: ItemKeys {
            guid: k.identity.starts_with("guid:").then(|| k.identity.clone()),
            url: Some(format!("url:{}", k.canonical_url)),
            title: keys_of(
                feed,
                &FeedItem {
                    title: Some(k.title.clone()),
                    published: Some(k.published),
                    ..FeedItem::default()
                },
            )
            .title,
        },
        content_hash: u64::from_str_radix(&k.feed_hash, 16).unwrap_or_default(),
    };
    let (u, g, t) = (
        by_url.as_ref().map(as_dedup),
        by_guid.as_ref().map(as_dedup),
        by_title.as_ref().map(as_dedup),
    );
    let identity = resolve_identity(keys, hash, u.as_ref(), g.as_ref(), t.as_ref());
    let matched = [by_url, by_guid, by_title]
        .into_iter()
        .flatten()
        .find(|k| match identity {
            Identity::Edited(id) | Identity::Unchanged(id) => k.id == id,
            Identity::New => false,
        });
    Ok((identity, matched))
}

/// The writes of a feed batch, once pages are extracted, with each new article's
/// database-free work done (CPU-bound: run it off the task that owns the database).
pub(crate) fn build_writes(
    feed: &str,
    plan_items: Vec<(stages::PlannedItem, assemble::Page)>,
    fallback_url: &str,
    now: DateTime<Utc>,
) -> Vec<ArticleWrite> {
    plan_items
        .into_iter()
        .map(|(planned, page)| match planned {
            stages::PlannedItem::New(item) => {
                let record = assemble::assemble(feed, &item, &page, fallback_url, now);
                ArticleWrite::New {
                    prepared: Some(Box::new(Prepared::of(&record))),
                    record,
                    story: None,
                }
            }
            stages::PlannedItem::Edited {
                id,
                item,
                keep_body,
            } => ArticleWrite::Update {
                id,
                record: assemble::assemble(feed, &item, &page, fallback_url, now),
                keep_body,
            },
        })
        .collect()
}
