//! `feedmix serve`: the combined feeds and the reading page over HTTP.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::{open_store, Cli, CmdResult};
use crate::serve::{serve, AppState};

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

impl ServeArgs {
    /// Serves until Ctrl-C / SIGTERM.
    pub async fn run(&self, cli: &Cli) -> CmdResult {
        let config = cli.load_config()?;
        let store = open_store(&config.database)?;
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot listen on {}: {e} (pick another with --listen)",
                    self.listen
                )
            })?;
        eprintln!(
            "feedmix: serving on http://{}/ (feeds: /feed.xml /feed.atom /feed.json)",
            listener.local_addr()?
        );
        let state = Arc::new(AppState::new(config, store));
        serve(listener, state, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
