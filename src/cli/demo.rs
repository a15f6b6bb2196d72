//! `feedmix demo`: the whole pipeline offline against the bundled fixture outlets.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::serve::shutdown_signal;
use super::{open_store, Cli, CmdResult};
use crate::config::Config;
use crate::demo::{demo_config, FixtureServer};
use crate::fetch::Fetcher;
use crate::ingest::{ingest, IngestOptions};
use crate::serve::{serve, AppState};

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to serve the result.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Ingest, print the summary and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

impl DemoArgs {
    /// Serves the fixtures, ingests them into a fresh database, then serves the result.
    pub async fn run(&self, cli: &Cli) -> CmdResult {
        let outlets = FixtureServer::start(axum::Router::new()).await?;
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot listen on {}: {e} (pick another with --listen)",
                    self.listen
                )
            })?;
        let base_url = format!("http://{}/", listener.local_addr()?);
        let workdir = tempfile::tempdir()?;
        let config_path = workdir.path().join("feeds.toml");
        let text = demo_config(&outlets.origin(), &base_url);
        std::fs::write(&config_path, &text)?;
        let mut config = Config::from_toml(&text, &config_path)?;
        if let Some(db) = &cli.db {
            config.database = db.clone();
        }
        eprintln!(
            "feedmix demo: fixture outlets on {}; database {}",
            outlets.origin(),
            config.database.display()
        );
        let mut store = open_store(&config.database)?;
        let fetcher = Fetcher::new(&config.fetch)?;
        let summary = ingest(
            &config,
            &mut store,
            &fetcher,
            &IngestOptions {
                all: true,
                ..IngestOptions::default()
            },
        )
        .await?;
        println!("{}", summary.line());
        let (stories, articles) = store.counts()?;
        println!("{stories} stories from {articles} articles");
        if self.no_serve {
            return Ok(ExitCode::SUCCESS);
        }
        println!("Open {base_url} in a browser; subscribe to {base_url}feed.xml, {base_url}feed.atom or {base_url}feed.json. Ctrl-C stops.");
        let state = Arc::new(AppState::new(config, store));
        serve(listener, state, shutdown_signal()).await?;
        drop(outlets);
        Ok(ExitCode::SUCCESS)
    }
}
