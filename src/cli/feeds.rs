//! `feedmix feeds`: every feed with its state, as a table or JSON.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

use super::{open_store, Cli, CmdResult};

/// Arguments of `feeds`.
#[derive(Debug, Args)]
pub struct FeedsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

impl FeedsArgs {
    /// Lists the feeds.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        let mut store = open_store(&config.database)?;
        store.sync_feeds(&config.feeds)?;
        let rows: Vec<_> = store
            .feeds()?
            .into_iter()
            .filter(|r| config.feed(&r.name).is_some())
            .collect();
        if self.json {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({
                        "name": r.name, "title": r.title, "url": r.url,
                        "state": state(r), "disabled_reason": r.disabled_reason,
                        "last_success": r.last_success.map(|t| t.to_rfc3339()),
                        "last_status": r.last_status, "last_error": r.last_error,
                        "consecutive_failures": r.consecutive_failures,
                        "next_check": r.next_check.map(|t| t.to_rfc3339()),
                        "retry_after": r.retry_after.map(|t| t.to_rfc3339()),
                        "items": r.article_count,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{:<16} {:<9} {:<16} {:>6} {:>5} {:<16} {:>6}  last error",
            "name", "state", "last success", "status", "fails", "next check", "items"
        );
        for r in &rows {
            println!(
                "{:<16} {:<9} {:<16} {:>6} {:>5} {:<16} {:>6}  {}",
                r.name,
                state(r),
                when(r.last_success),
                r.last_status.map_or("-".into(), |s| s.to_string()),
                r.consecutive_failures,
                when(r.next_check),
                r.article_count,
                r.disabled_reason
                    .as_deref()
                    .or(r.last_error.as_deref())
                    .unwrap_or("")
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn state(r: &crate::store::FeedRow) -> &'static str {
    if r.disabled_reason.is_some() {
        "disabled"
    } else if r.consecutive_failures > 0 {
        "failing"
    } else if r.last_success.is_none() {
        "new"
    } else {
        "ok"
    }
}
