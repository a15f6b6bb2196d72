//! `feedmix ingest`: one pass over the due feeds.

use std::process::ExitCode;

use clap::Args;

use std::path::Path;

use super::serve::shutdown_signal;
use super::{
    open_store, usage, Cli, CmdResult, Failure, EXIT_FEED_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED,
};
use crate::fetch::Fetcher;
use crate::ingest::{ingest, FeedOutcome, IngestOptions, IngestSummary};
use crate::store::{IngestLock, LockError};
use serde_json::json;

/// Arguments of `ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Poll every enabled feed now, due or not (a server's Retry-After is still obeyed).
    #[arg(long)]
    pub all: bool,
    /// Poll only this feed (now).
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// If another ingest holds the database, wait for it instead of exiting with code 3.
    #[arg(long)]
    pub wait: bool,
    /// Print a machine-readable JSON summary on stdout instead of the summary line.
    #[arg(long)]
    pub json: bool,
}

impl IngestArgs {
    /// Runs the pass and prints one line per failed feed and a summary.
    pub async fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        if let Some(name) = &self.feed {
            if config.feed(name).is_none() {
                let known: Vec<&str> = config.feeds.iter().map(|f| f.name.as_str()).collect();
                return Err(usage(format!(
                    "no feed named `{name}` in {} (feeds: {})",
                    cli.config.display(),
                    known.join(", ")
                )));
            }
        }
        let fetcher = Fetcher::new(&config.fetch)?;
        let _lock = self.lock(&config.database).await?;
        let mut store = open_store(&config.database)?;
        let progress = progress_bar(&config, self.feed.as_deref());
        let options = IngestOptions {
            all: self.all,
            feed: self.feed.clone(),
            on_feed_done: progress.clone().map(|bar| {
                let done: crate::ingest::OnFeedDone =
                    std::sync::Arc::new(move |r: &crate::ingest::FeedReport| {
                        bar.set_message(r.name.clone());
                        bar.inc(1);
                    });
                done
            }),
        };
        // On Ctrl-C / SIGTERM the pass is dropped between two awaits: every feed batch is
        // written by one synchronous transaction, so nothing is ever half-written.
        let summary = tokio::select! {
            summary = ingest(&config, &mut store, &fetcher, &options) => summary?,
            () = shutdown_signal() => {
                // The feeds written so far may still be held in the open transaction.
                if let Err(e) = store.commit_held() {
                    eprintln!("feedmix ingest: {e}");
                }
                eprintln!("feedmix ingest: interrupted; feeds already written are kept, the rest are polled next time");
                return Ok(ExitCode::from(EXIT_INTERRUPTED));
            }
        };
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        crate::websub::notify_hub(&fetcher, &config, &summary).await;
        for (name, why) in summary.failures() {
            eprintln!("feed {name} failed: {why}");
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(&summary_json(&summary))?);
        } else {
            println!("{}", summary.line());
        }
        Ok(if summary.any_failed() {
            ExitCode::from(EXIT_FEED_FAILED)
        } else {
            ExitCode::SUCCESS
        })
    }

    /// Takes the ingest lock: at once (exit 3 when held) or, with `--wait`, when free.
    async fn lock(&self, database: &Path) -> Result<IngestLock, Failure> {
        if !self.wait {
            return IngestLock::try_acquire(database).map_err(|e| match e {
                held @ LockError::Held { .. } => Failure {
                    code: EXIT_LOCKED,
                    error: held.into(),
                },
                other => other.into(),
            });
        }
        let db = database.to_path_buf();
        tokio::task::spawn_blocking(move || IngestLock::acquire_blocking(&db))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(Failure::from)
    }
}

/// The summary as JSON: one object per feed plus totals.
fn summary_json(summary: &IngestSummary) -> serde_json::Value {
    let feeds: Vec<serde_json::Value> = summary
        .reports
        .iter()
        .map(|r| match &r.outcome {
            FeedOutcome::Skipped(why) => {
                json!({"feed": r.name, "status": "skipped", "reason": why.to_string()})
            }
            FeedOutcome::NotModified => json!({"feed": r.name, "status": "not_modified"}),
            FeedOutcome::Failed(why) => json!({"feed": r.name, "status": "failed", "error": why}),
            FeedOutcome::Stored {
                new,
                updated,
                pages,
                pages_failed,
            } => json!({
                "feed": r.name, "status": "ok", "new": new, "updated": updated,
                "pages": pages, "pages_failed": pages_failed,
            }),
        })
        .collect();
    json!({
        "ok": !summary.any_failed(),
        "elapsed_seconds": summary.elapsed.as_secs_f64(),
        "feeds": feeds,
    })
}

/// A progress bar over the feeds, only when a person is watching stderr (never under cron).
fn progress_bar(
    config: &crate::config::Config,
    only: Option<&str>,
) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let feeds = config
        .feeds
        .iter()
        .filter(|f| only.is_none_or(|o| o == f.name))
        .count();
    let bar = indicatif::ProgressBar::new(feeds as u64);
    let style =
        indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} feeds {wide_bar} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}
