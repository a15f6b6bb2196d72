//! `feedmix export`: the combined feed to stdout or a file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{open_store, usage, Cli, CmdResult};
use crate::edition::{channel, prepare_stories};
use crate::publish::write_atomically;
use crate::render::{render, Format};

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format: rss, atom or json.
    #[arg(long, default_value = "rss")]
    pub format: String,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Stories to include, newest first; 0 = all.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

impl ExportArgs {
    /// Renders and writes the feed.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        let format: Format = self.format.parse().map_err(|_| {
            usage(format!(
                "--format must be rss, atom or json, not `{}`",
                self.format
            ))
        })?;
        let config = cli.load_config()?;
        let store = open_store(&config.database)?;
        let limit = (self.limit > 0).then_some(self.limit);
        let stories = prepare_stories(&config, store.newest_stories(limit)?);
        let channel = channel(
            &config,
            &format!("feed.{}", format.extension()),
            store.last_change()?,
        );
        let body = render(format, &channel, &stories);
        match &self.out {
            Some(path) => write_atomically(path, body.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
            None => std::io::stdout().lock().write_all(body.as_bytes())?,
        }
        Ok(ExitCode::SUCCESS)
    }
}
