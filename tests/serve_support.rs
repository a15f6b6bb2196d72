//! Starting `feedmix serve` for tests that talk to it over HTTP.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::World;

pub trait PipeJson {
    fn pipe_json(&self) -> serde_json::Value;
}

impl PipeJson for [u8] {
    fn pipe_json(&self) -> serde_json::Value {
        serde_json::from_slice(self)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(self)))
    }
}

/// A running `feedmix serve` and its origin.
pub struct Server {
    _child: tokio::process::Child,
    pub origin: String,
}

pub async fn start_serve(world: &World) -> Server {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let origin = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("serving on ").nth(1) {
                return rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        }
        panic!("serve exited without listening");
    })
    .await
    .expect("serve starts");
    Server {
        _child: child,
        origin,
    }
}

pub async fn ingested_world(extra_publish: &str) -> World {
    let world = World::start(axum::Router::new(), "").await;
    if !extra_publish.is_empty() {
        let config = std::fs::read_to_string(world.config())
            .unwrap()
            .replace("[publish]\n", &format!("[publish]\n{extra_publish}\n"));
        std::fs::write(world.config(), config).unwrap();
    }
    let out = world.feedmix(&["ingest"]).await;
    assert!(out.status.success(), "{}", crate::support::text(&out));
    world
}
