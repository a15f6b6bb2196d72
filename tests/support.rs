//! Shared set-up: a fixture server on loopback, a temp dir with feeds.toml, and helpers to
//! run the binary, check-feed and SQLite.

use std::path::{Path, PathBuf};
use std::process::Output;

use feedmix::demo::{demo_config, FixtureServer};

/// A test world: fixture outlets, a config and a database in a temp dir.
pub struct World {
    pub dir: tempfile::TempDir,
    pub server: FixtureServer,
}

impl World {
    /// Starts the fixture server (with `extra` routes) and writes a config for the outlets
    /// plus `extra_toml` (more `[[feeds]]`, with `{{BASE}}` replaced by the server origin).
    pub async fn start(extra: axum::Router, extra_toml: &str) -> World {
        let server = FixtureServer::start(extra)
            .await
            .expect("fixture server starts");
        let dir = tempfile::tempdir().unwrap();
        let world = World { dir, server };
        world.write_config(
            &demo_config(&world.server.origin(), "http://feeds.example.org/mix/"),
            extra_toml,
        );
        world
    }

    /// Rewrites feeds.toml as `base` + `extra` (with `{{BASE}}` substituted).
    pub fn write_config(&self, base: &str, extra: &str) {
        let mut text = base.replace(
            "per_host_delay_ms = 0",
            "per_host_delay_ms = 0\ntimeout = \"3s\"\nconnect_timeout = \"2s\"",
        );
        text.push_str(&extra.replace("{{BASE}}", &self.server.origin()));
        std::fs::write(self.config(), text).unwrap();
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("feedmix.db")
    }

    /// Runs `feedmix --config <this config> ARGS...`.
    pub async fn feedmix(&self, args: &[&str]) -> Output {
        run_feedmix(&self.config(), args).await
    }

    /// Requests the server saw for paths starting with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<feedmix::demo::RequestRecord> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }
}

/// Runs the binary with `--config config` and `args`.
pub async fn run_feedmix(config: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("feedmix runs")
}

/// stdout and stderr as text, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs ../shared/tools/check-feed on a file or URL; panics with its report on failure.
pub async fn check_feed(target: &str, format: &str) {
    let out = tokio::process::Command::new("../shared/tools/check-feed")
        .args([target, "--format", format])
        .output()
        .await
        .expect("check-feed runs (is ../shared beside the repo?)");
    assert!(
        out.status.success(),
        "check-feed {target} --format {format} failed:\n{}",
        text(&out)
    );
}

/// Opens the database read-only with rusqlite's bundled SQLite via the crate's store.
pub fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Like [`count`], for polling a database another process is creating: `None` until the
/// file exists and its tables are created (the daemon's migration may not have committed).
pub fn count_when_ready(db: &Path, sql: &str) -> Option<i64> {
    if !db.exists() {
        return None;
    }
    let conn = rusqlite::Connection::open(db).ok()?;
    conn.query_row(sql, [], |r| r.get(0)).ok()
}

/// `PRAGMA integrity_check` is "ok".
pub fn assert_intact(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
}
