//! The network and CPU halves of an ingest pass, as futures that never touch SQLite:
//! poll a feed (conditional GET + parse), then fetch and extract the pages of new items.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::Utc;
use futures_util::stream::{self, StreamExt};
use url::Url;

use super::assemble::Page;
use super::cpu::{on_cpu, Order};
use crate::config::FeedConfig;
use crate::extract::{decode_html, Extractor, SiteRules};
use crate::fetch::{FetchError, FetchOutcome, Fetcher, Validators};
use crate::model::FeedItem;
use crate::parse::parse_feed;
use crate::store::{ArticleWrite, FeedRow, PollResult};

/// Article pages fetched at once per feed (the per-host limit still applies).
const PAGES_IN_FLIGHT: usize = 8;

/// A finished stage, handed back to the task that owns the database.
pub(crate) enum Stage {
    /// The feed was polled: `Ok(None)` is a 304, `Err` a failure to record.
    Polled {
        feed: FeedConfig,
        feed_id: i64,
        result: Result<Option<Planned>, PollResult>,
    },
    /// Pages were fetched and the batch is ready to write.
    Extracted {
        feed: FeedConfig,
        feed_id: i64,
        poll: PollResult,
        writes: Vec<ArticleWrite>,
        pages: usize,
        pages_failed: usize,
        /// The batch's share of the pass's article budget, released once it is written.
        held: Option<tokio::sync::OwnedSemaphorePermit>,
    },
}

/// A parsed feed, before the database says which items are new.
pub(crate) struct Planned {
    pub poll: PollResult,
    pub fallback_url: String,
    pub items: Vec<FeedItem>,
}

/// What to write for one item.
pub(crate) enum PlannedItem {
    New(FeedItem),
    Edited {
        id: i64,
        item: FeedItem,
        keep_body: bool,
    },
}

/// The items of a feed that need writing, with the poll state to commit alongside.
pub(crate) struct Plan {
    pub poll: PollResult,
    pub fallback_url: String,
    pub items: Vec<PlannedItem>,
}

pub(crate) type StageFuture = Pin<Box<dyn Future<Output = Stage> + Send>>;

/// Runs a stage as its own task, so its network and CPU work lands on the runtime's
/// worker threads instead of the task that owns the database. A stage that panics is
/// reported as that feed's failure.
pub(crate) fn on_worker(feed: &FeedConfig, feed_id: i64, stage: StageFuture) -> StageFuture {
    let feed = feed.clone();
    let handle = tokio::spawn(stage);
    Box::pin(async move {
        match handle.await {
            Ok(stage) => stage,
            Err(e) => Stage::Polled {
                feed,
                feed_id,
                result: Err(internal_failure(&e)),
            },
        }
    })
}

/// A task that died (a panic in parsing or extraction) as the feed's failure.
pub(crate) fn internal_failure(e: &dyn std::fmt::Display) -> PollResult {
    PollResult::Failed {
        status: None,
        kind: "internal".to_string(),
        error: format!("internal error: {e}"),
        retry_after: None,
    }
}

/// Fetches and parses one feed.
pub(crate) fn poll(fetcher: Fetcher, feed: FeedConfig, row: FeedRow) -> StageFuture {
    Box::pin(async move {
        let feed_id = row.id;
        let result = poll_feed(&fetcher, &feed, &row).await;
        Stage::Polled {
            feed,
            feed_id,
            result,
        }
    })
}

async fn poll_feed(
    fetcher: &Fetcher,
    feed: &FeedConfig,
    row: &FeedRow,
) -> Result<Option<Planned>, PollResult> {
    let url = Url::parse(&row.url).unwrap_or_else(|_| feed.url.clone());
    let fetched = match fetcher.fetch(&url, &row.validators).await {
        Ok(FetchOutcome::NotModified) => return Ok(None),
        Ok(FetchOutcome::Fetched(f)) => f,
        Err(e) => return Err(failure(&e)),
    };
    let parsed = parse_feed(&fetched.body, &fetched.final_url).map_err(|e| PollResult::Failed {
        status: Some(200),
        kind: "parse".to_string(),
        error: format!("{}: {e}", fetched.final_url),
        retry_after: None,
    })?;
    Ok(Some(Planned {
        poll: PollResult::Fetched {
            validators: fetched.validators,
            ttl_minutes: parsed.ttl_minutes,
            fresh_secs: fetched.fresh_for.map(|d| d.as_secs() as i64),
            update_period_secs: parsed.update_period_secs.map(|s| s as i64),
            moved_to: fetched.moved_permanently.as_ref().map(|u| u.to_string()),
        },
        fallback_url: parsed
            .site_link
            .clone()
            .unwrap_or_else(|| fetched.final_url.to_string()),
        items: parsed.items,
    }))
}

fn failure(e: &FetchError) -> PollResult {
    let (status, retry_after) = match e {
        FetchError::Status {
            status,
            retry_after,
            ..
        } => (Some(*status), *retry_after),
        _ => (None, None),
    };
    PollResult::Failed {
        status,
        kind: e.kind().to_string(),
        error: e.to_string(),
        retry_after,
    }
}

/// Fetches and extracts the pages of new items, then assembles the batch.
pub(crate) fn fetch_pages(
    fetcher: Fetcher,
    feed: FeedConfig,
    feed_id: i64,
    plan: Plan,
) -> StageFuture {
    Box::pin(async move {
        // The feed's place in the extraction queue: ahead of every feed whose pages start
        // later, so feeds reach the writer one by one instead of all at the end.
        let order = Order::next();
        // Compiled once for all the feed's pages.
        let extractor = Arc::new(Extractor::lenient(&SiteRules {
            content: feed.extract_content.clone(),
            remove: feed.extract_remove.clone(),
        }));
        let fetch_articles = feed.fetch_articles;
        let respect_robots = feed.respect_robots;
        let name = feed.name.clone();
        let with_pages: Vec<(PlannedItem, Page)> = stream::iter(plan.items)
            .map(|planned| {
                let (fetcher, extractor, name) = (fetcher.clone(), extractor.clone(), name.clone());
                async move {
                    let link = match &planned {
                        PlannedItem::New(item) if fetch_articles => item.link.clone(),
                        _ => None,
                    };
                    let page = match link {
                        Some(link) => {
                            fetch_page(&fetcher, &link, extractor, respect_robots, order).await
                        }
                        None => Page::NotFetched,
                    };
                    if let Page::Failed(why) = &page {
                        tracing::warn!(feed = %name, "article page failed: {why}");
                    }
                    (planned, page)
                }
            })
            .buffered(PAGES_IN_FLIGHT)
            .collect()
            .await;
        let pages = with_pages
            .iter()
            .filter(|(_, p)| !matches!(p, Page::NotFetched))
            .count();
        let pages_failed = with_pages
            .iter()
            .filter(|(_, p)| matches!(p, Page::Failed(_)))
            .count();
        let fallback_url = plan.fallback_url;
        let writes = on_cpu(order, move || {
            super::build_writes(&name, with_pages, &fallback_url, Utc::now())
        })
        .await;
        let writes = match writes {
            Ok(writes) => writes,
            Err(e) => {
                return Stage::Polled {
                    feed,
                    feed_id,
                    result: Err(internal_failure(&e)),
                }
            }
        };
        Stage::Extracted {
            feed,
            feed_id,
            poll: plan.poll,
            writes,
            pages,
            pages_failed,
            held: None,
        }
    })
}

async fn fetch_page(
    fetcher: &Fetcher,
    link: &str,
    extractor: Arc<Extractor>,
    respect_robots: bool,
    order: Order,
) -> Page {
    let Ok(url) = Url::parse(link) else {
        return Page::Failed(format!("{link}: not a valid URL"));
    };
    if respect_robots {
        if let Err(why) = fetcher.robots_allow(&url).await {
            return Page::Failed(why);
        }
    }
    let fetched = match fetcher.fetch(&url, &Validators::default()).await {
        Ok(FetchOutcome::Fetched(f)) => f,
        Ok(FetchOutcome::NotModified) => return Page::Failed(format!("{link}: unexpected 304")),
        Err(e) => return Page::Failed(e.to_string()),
    };
    let is_html = fetched.content_type.as_deref().is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("html") || t.starts_with("text/plain")
    });
    if !is_html {
        return Page::Failed(format!(
            "{link}: not an HTML page ({})",
            fetched.content_type.unwrap_or_default()
        ));
    }
    let noarchive_header = fetched
        .robots_tag
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("noarchive"));
    let content_language = fetched.content_language.clone();
    let extracted = on_cpu(order, move || {
        let html = decode_html(&fetched.body, fetched.content_type.as_deref());
        extractor.extract(&html, &fetched.final_url)
    })
    .await;
    match extracted {
        Ok(article) => Page::Extracted {
            article: Box::new(article),
            noarchive_header,
            content_language,
        },
        Err(e) => Page::Failed(format!("{link}: extraction failed: {e}")),
    }
}
