//! Command-line interface: argument structs and one file per subcommand. The binary's
//! `main` only parses, builds the runtime and maps results to exit codes.

mod demo;
mod export;
mod extract;
mod feeds;
mod ingest;
mod maintenance;
mod opml;
mod prune;
mod run;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

/// Exit code: every polled feed fetched and parsed.
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one feed failed (the others are stored).
pub const EXIT_FEED_FAILED: u8 = 1;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: another ingest holds the database lock.
pub const EXIT_LOCKED: u8 = 3;
/// Exit code: stopped by SIGINT / SIGTERM (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// feedmix: ingest news feeds, fold duplicates, publish one combined feed.
#[derive(Debug, Parser)]
#[command(name = "feedmix", version, about, long_about = None)]
pub struct Cli {
    /// The config file.
    #[arg(
        long,
        global = true,
        default_value = "feeds.toml",
        env = "FEEDMIX_CONFIG"
    )]
    pub config: PathBuf,
    /// The SQLite database (overrides `[storage] database`).
    #[arg(long, global = true, env = "FEEDMIX_DB")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll due feeds once, fetch and extract new articles, store them.
    Ingest(ingest::IngestArgs),
    /// Write the combined feed (RSS, Atom or JSON Feed).
    Export(export::ExportArgs),
    /// Serve the combined feeds and the reading page over HTTP.
    Serve(serve::ServeArgs),
    /// Extract the article from a saved HTML page and print it as JSON.
    Extract(extract::ExtractArgs),
    /// Run the whole pipeline offline against bundled fixture outlets, then serve it.
    Demo(demo::DemoArgs),
    /// Run as a daemon: poll each feed when due, prune daily, optionally serve.
    Run(run::RunArgs),
    /// List the feeds with their state; add or remove feeds in feeds.toml.
    Feeds(feeds::FeedsArgs),
    /// Remove stories older than `[retention] keep_days`.
    Prune(prune::PruneArgs),
    /// Check the configuration.
    Config(maintenance::ConfigArgs),
    /// Database maintenance: backup, vacuum, integrity check.
    Db(maintenance::DbArgs),
    /// Export the sources as OPML, or import feeds from an OPML file.
    Opml(opml::OpmlArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What to tell the user.
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        let error = e.into();
        let code = if error.downcast_ref::<crate::config::ConfigError>().is_some() {
            EXIT_USAGE
        } else {
            EXIT_FEED_FAILED
        };
        Failure { code, error }
    }
}

/// Result of a subcommand.
pub type CmdResult = Result<ExitCode, Failure>;

/// A usage error (exit 2) with a message.
pub fn usage(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: EXIT_USAGE,
        error: anyhow::anyhow!("{message}"),
    }
}

impl Cli {
    /// Loads and validates the config, applying `--db`.
    pub fn load_config(&self) -> Result<Config, Failure> {
        let mut config = Config::load(&self.config)?;
        if let Some(db) = &self.db {
            config.database = db.clone();
        }
        Ok(config)
    }

    /// Threads for the async runtime; `None` for tokio's default, one per core.
    ///
    /// An ingest's async work is fetching and parsing feeds: its pages are extracted on a
    /// pool of its own (one thread per core) and stored on the main thread, so half the
    /// cores suffice. On 2 cores, one runtime thread instead of two cut a 1,000-article
    /// pass's voluntary context switches by ~40 %; the pass ran 1.03x faster on 4 % less
    /// CPU (10,000 articles: 1.03x, 3 % less CPU; BENCHMARKS.md, session 16). Serving
    /// keeps one thread per core.
    pub fn runtime_threads(&self) -> Option<usize> {
        match self.command {
            Command::Ingest(_) => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                Some((cores / 2).max(1))
            }
            _ => None,
        }
    }

    /// Runs the chosen subcommand.
    pub async fn run(self) -> CmdResult {
        match &self.command {
            Command::Ingest(args) => args.run(&self).await,
            Command::Export(args) => args.run(&self),
            Command::Serve(args) => args.run(&self).await,
            Command::Extract(args) => args.run(),
            Command::Demo(args) => args.run(&self).await,
            Command::Run(args) => args.run(&self).await,
            Command::Feeds(args) => args.run(&self).await,
            Command::Prune(args) => args.run(&self),
            Command::Config(args) => args.run(&self),
            Command::Db(args) => args.run(&self),
            Command::Opml(args) => args.run(&self),
        }
    }
}

/// Opens the store, naming the file in the error.
pub fn open_store(path: &Path) -> Result<crate::store::Store, Failure> {
    Ok(crate::store::Store::open(path)?)
}
