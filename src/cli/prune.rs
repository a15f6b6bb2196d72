//! `feedmix prune`: remove stories older than `[retention] keep_days`.

use std::process::ExitCode;

use chrono::Utc;
use clap::Args;

use super::{open_store, Cli, CmdResult};

/// Arguments of `prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Override `[retention] keep_days` for this run (0 keeps everything).
    #[arg(long)]
    pub keep_days: Option<u32>,
}

impl PruneArgs {
    /// Prunes and prints what was removed.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        let keep = self.keep_days.unwrap_or(config.keep_days);
        if keep == 0 {
            println!("feedmix prune: keep_days is 0, everything is kept");
            return Ok(ExitCode::SUCCESS);
        }
        let mut store = open_store(&config.database)?;
        let stats = store.prune(Utc::now() - chrono::Duration::days(i64::from(keep)))?;
        println!(
            "feedmix prune: removed {} stories ({} articles) older than {keep} days",
            stats.stories, stats.articles
        );
        Ok(ExitCode::SUCCESS)
    }
}
