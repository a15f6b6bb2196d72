//! `feedmix feeds`: every feed with its state (table or JSON); `feeds add URL` discovers a
//! page's feed and appends it to feeds.toml; `feeds remove NAME` takes one out.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{open_store, usage, Cli, CmdResult, Failure};
use crate::config::edit::{add_feed, remove_feed, suggest_name, NewFeed};
use crate::config::Config;
use crate::discover::discover_feeds;
use crate::extract::decode_html;
use crate::fetch::{FetchOutcome, Fetcher, Validators};
use crate::parse::parse_feed;
use crate::publish::write_atomically;

fn read_config(cli: &Cli) -> Result<String, Failure> {
    std::fs::read_to_string(&cli.config)
        .map_err(|e| usage(format!("cannot read {}: {e}", cli.config.display())))
}

/// Writes the edited config after checking that it still validates.
fn save_config(cli: &Cli, text: &str) -> Result<(), Failure> {
    Config::from_toml(text, &cli.config)?;
    write_atomically(&cli.config, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", cli.config.display()))?;
    Ok(())
}

async fn fetch_body(fetcher: &Fetcher, url: &url::Url) -> Result<crate::fetch::Fetched, Failure> {
    match fetcher.fetch(url, &Validators::default()).await? {
        FetchOutcome::Fetched(f) => Ok(*f),
        FetchOutcome::NotModified => Err(anyhow::anyhow!("{url}: unexpected 304").into()),
    }
}

/// Resolves `url` to a feed (itself, or the best one its page advertises) and adds it.
async fn add(cli: &Cli, url: &url::Url, name: Option<&str>, title: Option<&str>) -> CmdResult {
    let config = cli.load_config()?;
    let fetcher = Fetcher::new(&config.fetch)?;
    let first = fetch_body(&fetcher, url).await?;
    let (feed_url, parsed) = match parse_feed(&first.body, &first.final_url) {
        Ok(parsed) => (first.final_url.clone(), parsed),
        Err(_) => {
            let html = decode_html(&first.body, first.content_type.as_deref());
            let Some(candidate) = discover_feeds(&html, &first.final_url).into_iter().next() else {
                return Err(usage(format!("{url} is neither a feed nor a page that links to one (no <link rel=\"alternate\">)")));
            };
            let fetched = fetch_body(&fetcher, &candidate).await?;
            let parsed = parse_feed(&fetched.body, &fetched.final_url).map_err(|e| {
                usage(format!(
                    "{candidate}, advertised by {url}, is not a feed: {e}"
                ))
            })?;
            (fetched.final_url, parsed)
        }
    };
    let taken: Vec<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
    let name = name.map_or_else(|| suggest_name(&feed_url, &taken), str::to_string);
    let title = title
        .map(str::to_string)
        .or(parsed.title)
        .unwrap_or_else(|| name.clone());
    let text = read_config(cli)?;
    let feed = NewFeed {
        name: name.clone(),
        title,
        url: feed_url.to_string(),
        category: None,
    };
    let edited = add_feed(&text, &feed).map_err(|e| usage(e.to_string()))?;
    save_config(cli, &edited)?;
    println!(
        "feedmix feeds: added {name} ({feed_url}, {} items now) to {}",
        parsed.items.len(),
        cli.config.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `feeds`.
#[derive(Debug, Args)]
pub struct FeedsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Add or remove a feed instead of listing.
    #[command(subcommand)]
    pub command: Option<FeedsCommand>,
}

/// `feeds` subcommands.
#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Find the feed of URL (a feed, or a page advertising one) and add it to feeds.toml.
    Add {
        /// A feed URL or a web page that links to its feed.
        url: url::Url,
        /// The feed's short name (default: from the host name).
        #[arg(long)]
        name: Option<String>,
        /// The outlet's title (default: the feed's own title).
        #[arg(long)]
        title: Option<String>,
    },
    /// Remove the feed NAME from feeds.toml (its stored stories stay until pruned).
    Remove {
        /// The feed's name.
        name: String,
    },
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

impl FeedsArgs {
    /// Lists, adds or removes feeds.
    pub async fn run(&self, cli: &Cli) -> CmdResult {
        match &self.command {
            None => self.list(cli),
            Some(FeedsCommand::Add { url, name, title }) => {
                add(cli, url, name.as_deref(), title.as_deref()).await
            }
            Some(FeedsCommand::Remove { name }) => {
                let text = read_config(cli)?;
                let edited = remove_feed(&text, name).map_err(|e| usage(e.to_string()))?;
                save_config(cli, &edited)?;
                println!(
                    "feedmix feeds: removed {name} from {}",
                    cli.config.display()
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    }

    fn list(&self, cli: &Cli) -> CmdResult {
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
