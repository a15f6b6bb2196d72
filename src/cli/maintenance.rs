//! `feedmix config check` and `feedmix db backup|vacuum`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{open_store, Cli, CmdResult};

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate feeds.toml and print a summary (exit 2 when invalid).
    Check,
}

/// Arguments of `config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ConfigCommand,
}

impl ConfigArgs {
    /// Runs the config subcommand.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        match self.command {
            ConfigCommand::Check => {
                let config = cli.load_config()?;
                println!(
                    "{}: ok, {} feeds ({}); database {}; published at {}",
                    cli.config.display(),
                    config.feeds.len(),
                    config
                        .feeds
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    config.database.display(),
                    config.publish.base_url
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy the database to FILE with SQLite's online backup (safe while feedmix runs).
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },
    /// Rebuild the database file to reclaim space.
    Vacuum,
    /// Run SQLite's integrity check (exit 1 when it finds a problem).
    Check,
}

/// Arguments of `db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DbCommand,
}

impl DbArgs {
    /// Runs the db subcommand.
    pub fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        let store = open_store(&config.database)?;
        match &self.command {
            DbCommand::Backup { file } => {
                store.backup(file)?;
                println!(
                    "feedmix db: backed up {} to {}",
                    config.database.display(),
                    file.display()
                );
            }
            DbCommand::Vacuum => {
                store.vacuum()?;
                println!("feedmix db: vacuumed {}", config.database.display());
            }
            DbCommand::Check => match store.integrity_check()? {
                Ok(()) => println!("feedmix db: {} ok", config.database.display()),
                Err(problem) => {
                    eprintln!(
                        "feedmix db: {} is damaged: {problem}",
                        config.database.display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
            },
        }
        Ok(ExitCode::SUCCESS)
    }
}
