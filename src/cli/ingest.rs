//! `feedmix ingest`: one pass over the due feeds.

use std::process::ExitCode;

use clap::Args;

use super::{open_store, usage, Cli, CmdResult, EXIT_FEED_FAILED};
use crate::fetch::Fetcher;
use crate::ingest::{ingest, IngestOptions};

/// Arguments of `ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Poll every enabled feed now, due or not (a server's Retry-After is still obeyed).
    #[arg(long)]
    pub all: bool,
    /// Poll only this feed (now).
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
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
        let mut store = open_store(&config.database)?;
        let options = IngestOptions {
            all: self.all,
            feed: self.feed.clone(),
        };
        let summary = ingest(&config, &mut store, &fetcher, &options).await?;
        for (name, why) in summary.failures() {
            eprintln!("feed {name} failed: {why}");
        }
        println!("{}", summary.line());
        Ok(if summary.any_failed() {
            ExitCode::from(EXIT_FEED_FAILED)
        } else {
            ExitCode::SUCCESS
        })
    }
}
