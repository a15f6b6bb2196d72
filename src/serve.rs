//! HTTP serving of the combined feed and the reading pages: the only user of axum besides
//! the demo's fixture server. Handlers read the store and call the pure renderers.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;

use crate::config::Config;
use crate::edition::{channel, prepare_stories};
use crate::ingest::assemble::fnv1a;
use crate::page::{index_page, story_page};
use crate::render::{render, Format};
use crate::store::{Store, StoreError};

/// Stories in a served feed document.
pub const FEED_LIMIT: usize = 50;

/// What handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The validated config.
    pub config: Config,
    /// The database; handlers hold the lock only while they query.
    pub store: Mutex<Store>,
}

/// The routes: feeds, the front page and story pages.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/feed.xml",
            get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, Format::Rss)),
        )
        .route(
            "/feed.atom",
            get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, Format::Atom)),
        )
        .route(
            "/feed.json",
            get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, Format::Json)),
        )
        .route("/story/{id}", get(story))
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

/// A 200 with a strong ETag, or a 304 when the client already has these bytes.
fn cached(request: &HeaderMap, content_type: &'static str, body: String) -> Response {
    let etag = format!("\"{:016x}\"", fnv1a(body.as_bytes()));
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag_value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, etag_value),
        ],
        body,
    )
        .into_response()
}

async fn feed(State(state): State<Arc<AppState>>, headers: HeaderMap, format: Format) -> Response {
    let rendered = {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        let stored = match store.newest_stories(Some(FEED_LIMIT)) {
            Ok(s) => s,
            Err(e) => return server_error(e),
        };
        let updated = match store.last_change() {
            Ok(u) => u,
            Err(e) => return server_error(e),
        };
        let channel = channel(
            &state.config,
            &format!("feed.{}", format.extension()),
            updated,
        );
        render(format, &channel, &prepare_stories(&state.config, stored))
    };
    cached(&headers, format.content_type(), rendered)
}

async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let stored = {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        match store.newest_stories(Some(FEED_LIMIT)) {
            Ok(s) => s,
            Err(e) => return server_error(e),
        }
    };
    let stories = prepare_stories(&state.config, stored);
    let html = index_page(&state.config.publish.title, &stories, Utc::now());
    cached(&headers, "text/html; charset=utf-8", html)
}

async fn story(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let found = {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        match store.story(id) {
            Ok(s) => s,
            Err(e) => return server_error(e),
        }
    };
    let Some(stored) = found else {
        return (StatusCode::NOT_FOUND, "no such story\n").into_response();
    };
    let story = prepare_stories(&state.config, vec![stored]).remove(0);
    let html = story_page(&state.config.publish.title, &story, Utc::now());
    cached(&headers, "text/html; charset=utf-8", html)
}
