//! HTTP serving of the combined feed, per-source feeds, the reading pages, OPML and
//! operations endpoints: the only user of axum besides the demo's fixture server.
//! Handlers read the store and call the pure renderers; rendered bodies are cached until
//! an ingest commits (SQLite's `data_version` changes; read at most every 10 ms).

mod cache;
mod feeds;
mod ops;
mod pages;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;

use crate::config::Config;
use crate::store::{Store, StoreError};
pub use cache::Rendered;

/// Stories on the front page.
pub const FRONT_PAGE_STORIES: usize = 50;

/// What handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The validated config.
    pub config: Config,
    /// The database; handlers hold the lock only while they query.
    pub store: Mutex<Store>,
    /// Rendered bodies by request path, with the `data_version` they were built at.
    pub cache: cache::Cache,
    /// Requests served, for /metrics.
    pub requests: AtomicU64,
    /// When the last `data_version` was read, and its value: see
    /// [`AppState::recent_version`].
    version: Mutex<Option<(std::time::Instant, i64)>>,
}

/// How long a `data_version` read stays good for answering from the cache. Reading it
/// takes the store's lock and a SQLite read lock; under load (tens of thousands of
/// conditional GETs a second) that was a sixth of the server's time. A commit is thus seen
/// by the served feeds at most this late.
const VERSION_FRESH: std::time::Duration = std::time::Duration::from_millis(10);

impl AppState {
    /// State over an open store.
    pub fn new(config: Config, store: Store) -> AppState {
        AppState {
            config,
            store: Mutex::new(store),
            cache: cache::Cache::default(),
            requests: AtomicU64::new(0),
            version: Mutex::new(None),
        }
    }

    /// The `data_version` read less than [`VERSION_FRESH`] ago, if any.
    fn recent_version(&self) -> Option<i64> {
        let read = *self.version.lock().unwrap_or_else(|e| e.into_inner());
        read.filter(|(at, _)| at.elapsed() < VERSION_FRESH)
            .map(|(_, version)| version)
    }

    /// Records a `data_version` just read.
    fn note_version(&self, version: i64) {
        *self.version.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), version));
    }

    /// Runs `f` with the store locked.
    fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&store)
    }
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/story/{id}", get(pages::story))
        .route("/feed.xml", get(feeds::combined_rss))
        .route("/feed.atom", get(feeds::combined_atom))
        .route("/feed.json", get(feeds::combined_json))
        .route("/sources/{name}/{file}", get(feeds::source))
        .route("/sources.opml", get(ops::opml))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

fn server_error(e: StoreError) -> Response {
    tracing::error!("serving failed: {e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "database error; see the server log\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_read_is_reused_only_briefly() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_toml(
            "[[feeds]]\nname = \"a\"\nurl = \"https://a.example/rss\"\n",
            std::path::Path::new("feeds.toml"),
        )
        .unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let state = AppState::new(config, store);
        assert_eq!(state.recent_version(), None, "nothing read yet");
        state.note_version(7);
        assert_eq!(state.recent_version(), Some(7));
        std::thread::sleep(VERSION_FRESH * 2);
        assert_eq!(state.recent_version(), None, "stale: read it again");
    }
}
