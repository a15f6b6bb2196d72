//! `feedmix run`: the long-running scheduler. Polls each feed when it is due, prunes daily,
//! reloads feeds.toml on SIGHUP, optionally serves the feeds, and stops cleanly on
//! SIGINT / SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use super::serve::shutdown_signal;
use super::{open_store, Cli, CmdResult};
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::ingest::{ingest, IngestOptions};
use crate::serve::{serve, AppState};
use crate::store::{IngestLock, Store};

/// Longest sleep between two looks at the schedule.
const MAX_SLEEP: Duration = Duration::from_secs(300);
/// How often old stories are pruned.
const PRUNE_EVERY: chrono::Duration = chrono::Duration::days(1);

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Also serve the combined feeds and pages on this address.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

impl RunArgs {
    /// Runs until SIGINT / SIGTERM.
    pub async fn run(&self, cli: &Cli) -> CmdResult {
        let mut config = cli.load_config()?;
        if let Some(addr) = self.listen {
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                anyhow::anyhow!("cannot listen on {addr}: {e} (pick another with --listen)")
            })?;
            eprintln!("feedmix: serving on http://{}/", listener.local_addr()?);
            let state = Arc::new(AppState::new(config.clone(), open_store(&config.database)?));
            tokio::spawn(async move {
                if let Err(e) = serve(listener, state, shutdown_signal()).await {
                    tracing::error!("server stopped: {e}");
                }
            });
        }
        let mut store = open_store(&config.database)?;
        let mut fetcher = Fetcher::new(&config.fetch)?;
        let mut last_prune: Option<DateTime<Utc>> = None;
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        let mut reload = reload_signal()?;
        loop {
            let db = config.database.clone();
            let lock = tokio::task::spawn_blocking(move || IngestLock::acquire_blocking(&db))
                .await
                .map_err(anyhow::Error::from)??;
            let options = IngestOptions::default();
            let summary = tokio::select! {
                s = ingest(&config, &mut store, &fetcher, &options) => s?,
                () = &mut shutdown => {
                    // The stopped ingest may hold written feeds in its open transaction.
                    store.commit_held()?;
                    break;
                }
            };
            drop(lock);
            crate::websub::notify_hub(&fetcher, &config, &summary).await;
            if summary
                .reports
                .iter()
                .any(|r| !matches!(r.outcome, crate::ingest::FeedOutcome::Skipped(_)))
            {
                for (name, why) in summary.failures() {
                    tracing::warn!(feed = name, "failed: {why}");
                }
                eprintln!("{}", summary.line());
            }
            if config.keep_days > 0 && last_prune.is_none_or(|t| Utc::now() - t >= PRUNE_EVERY) {
                prune(&mut store, config.keep_days)?;
                last_prune = Some(Utc::now());
            }
            let wait = time_to_next(&store, Utc::now())?;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut shutdown => break,
                _ = reload.recv() => match Config::load(&cli.config) {
                    Ok(mut fresh) => {
                        if let Some(db) = &cli.db { fresh.database = db.clone(); }
                        fetcher = Fetcher::new(&fresh.fetch)?;
                        config = fresh;
                        eprintln!("feedmix: reloaded {} ({} feeds)", cli.config.display(), config.feeds.len());
                    }
                    Err(e) => eprintln!("feedmix: reload refused, keeping the running config: {e}"),
                },
            }
        }
        eprintln!("feedmix: stopped");
        Ok(ExitCode::SUCCESS)
    }
}

fn prune(store: &mut Store, keep_days: u32) -> Result<(), super::Failure> {
    let cutoff = Utc::now() - chrono::Duration::days(i64::from(keep_days));
    let stats = store.prune(cutoff)?;
    if stats.stories > 0 {
        eprintln!(
            "feedmix: pruned {} stories ({} articles) older than {keep_days} days",
            stats.stories, stats.articles
        );
    }
    Ok(())
}

/// How long until the earliest enabled feed is due (bounded, at least a second).
fn time_to_next(store: &Store, now: DateTime<Utc>) -> Result<Duration, super::Failure> {
    let next = store
        .feeds()?
        .into_iter()
        .filter(|f| f.disabled_reason.is_none())
        .map(|f| {
            f.next_check
                .unwrap_or(now)
                .max(f.retry_after.unwrap_or(now))
        })
        .min();
    let wait = next.map_or(MAX_SLEEP, |t| (t - now).to_std().unwrap_or(Duration::ZERO));
    Ok(wait.clamp(Duration::from_secs(1), MAX_SLEEP))
}

/// A stream of SIGHUPs (never fires where there are no signals).
fn reload_signal() -> Result<ReloadSignal, super::Failure> {
    #[cfg(unix)]
    {
        let hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        Ok(ReloadSignal(hup))
    }
    #[cfg(not(unix))]
    Ok(ReloadSignal(()))
}

struct ReloadSignal(
    #[cfg(unix)] tokio::signal::unix::Signal,
    #[cfg(not(unix))] (),
);

impl ReloadSignal {
    async fn recv(&mut self) -> Option<()> {
        #[cfg(unix)]
        return self.0.recv().await;
        #[cfg(not(unix))]
        std::future::pending().await
    }
}
