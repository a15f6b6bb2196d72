//! `feedmix opml export` and `feedmix opml import FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{usage, Cli, CmdResult};
use crate::config::edit::{add_feed, suggest_name, NewFeed};
use crate::config::Config;
use crate::opml::{parse_opml, render_opml};
use crate::publish::write_atomically;

/// `opml` subcommands.
#[derive(Debug, Subcommand)]
pub enum OpmlCommand {
    /// Print the configured sources as OPML 2.0 (categories become folders).
    Export,
    /// Add every feed of an OPML file to feeds.toml (folders become categories); feeds
    /// whose URL is configured already are skipped.
    Import {
        /// The OPML file.
        file: PathBuf,
    },
}

/// Arguments of `opml`.
#[derive(Debug, Args)]
pub struct OpmlArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: OpmlCommand,
}

impl OpmlArgs {
    /// Runs the opml subcommand.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        match &self.command {
            OpmlCommand::Export => {
                print!("{}", render_opml(&config.publish.title, &config.feeds));
                Ok(ExitCode::SUCCESS)
            }
            OpmlCommand::Import { file } => {
                let bytes = std::fs::read(file)
                    .map_err(|e| usage(format!("cannot read {}: {e}", file.display())))?;
                let subs =
                    parse_opml(&bytes).map_err(|e| usage(format!("{}: {e}", file.display())))?;
                let mut text = std::fs::read_to_string(&cli.config)?;
                let mut taken: Vec<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
                let mut known: Vec<String> =
                    config.feeds.iter().map(|f| f.url.to_string()).collect();
                let mut added = 0;
                for sub in subs {
                    let Ok(url) = url::Url::parse(&sub.url) else {
                        eprintln!("feedmix opml: skipped {:?}: not a URL", sub.url);
                        continue;
                    };
                    if known.contains(&url.to_string()) || !matches!(url.scheme(), "http" | "https")
                    {
                        continue;
                    }
                    let name = suggest_name(&url, &taken);
                    text = add_feed(
                        &text,
                        &NewFeed {
                            name: name.clone(),
                            title: sub.title,
                            url: url.to_string(),
                            category: sub.category,
                        },
                    )
                    .map_err(|e| usage(e.to_string()))?;
                    taken.push(name);
                    known.push(url.to_string());
                    added += 1;
                }
                Config::from_toml(&text, &cli.config)?;
                write_atomically(&cli.config, text.as_bytes())?;
                println!(
                    "feedmix opml: added {added} feeds to {}",
                    cli.config.display()
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}
