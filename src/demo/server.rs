//! A loopback HTTP server for the bundled fixture outlets, used by `feedmix demo` and the
//! tests: serves `fixtures/outlets/{outlet}/{path}` with `{{BASE}}` replaced by its own
//! origin, honours If-None-Match / If-Modified-Since, and logs every request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use include_dir::{include_dir, Dir};
use tokio::sync::oneshot;

use crate::dedup::stable_hash;

/// The fixture outlets, embedded at build time so `feedmix demo` works anywhere.
pub static OUTLETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/outlets");

/// Last-Modified of every fixture: fixed, so validators are stable across runs.
const LAST_MODIFIED: &str = "Mon, 02 Nov 2026 08:00:00 GMT";

/// One request the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Path requested, e.g. `/cedarnews/feed.xml`.
    pub path: String,
    /// The If-None-Match header, if sent.
    pub if_none_match: Option<String>,
    /// The If-Modified-Since header, if sent.
    pub if_modified_since: Option<String>,
    /// The status answered.
    pub status: u16,
}

#[derive(Debug, Default)]
struct Shared {
    files: RwLock<HashMap<String, Vec<u8>>>,
    log: Mutex<Vec<RequestRecord>>,
    origin: String,
}

/// A running fixture server; stops when dropped or on [`FixtureServer::shutdown`].
#[derive(Debug)]
pub struct FixtureServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl FixtureServer {
    /// Binds 127.0.0.1:0 and serves the fixtures; `extra` routes (e.g. faults) take
    /// precedence over files.
    pub async fn start(extra: Router) -> std::io::Result<FixtureServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut files = HashMap::new();
        collect(&OUTLETS, &mut files);
        let shared = Arc::new(Shared {
            files: RwLock::new(files),
            log: Mutex::default(),
            origin: format!("http://{addr}"),
        });
        let files = Router::new()
            .fallback(serve_file)
            .with_state(shared.clone());
        let app = extra.fallback_service(files);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FixtureServer {
            addr,
            shared,
            stop: Some(stop),
        })
    }

    /// The origin, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces (or adds) the file served at `path` (e.g. `cedarnews/feed.xml`).
    pub fn set_file(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        let mut files = self.shared.files.write().unwrap_or_else(|e| e.into_inner());
        files.insert(path.trim_start_matches('/').to_string(), bytes.into());
    }

    /// The current content of a file, with `{{BASE}}` still in place.
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        let files = self.shared.files.read().unwrap_or_else(|e| e.into_inner());
        files.get(path.trim_start_matches('/')).cloned()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops serving.
    pub fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn collect(dir: &Dir<'static>, out: &mut HashMap<String, Vec<u8>>) {
    for file in dir.files() {
        out.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        );
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("xml" | "rss") => "application/rss+xml; charset=utf-8",
        Some("atom") => "application/atom+xml; charset=utf-8",
        Some("json") => "application/feed+json; charset=utf-8",
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

async fn serve_file(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().trim_start_matches('/').to_string();
    let headers = request.headers().clone();
    let body = {
        let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
        files.get(&path).cloned()
    };
    let response = match body {
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        Some(raw) => respond(&headers, &path, substitute(&raw, &shared.origin)),
    };
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(RequestRecord {
            path: format!("/{path}"),
            if_none_match: text(header::IF_NONE_MATCH),
            if_modified_since: text(header::IF_MODIFIED_SINCE),
            status: response.status().as_u16(),
        });
    response
}

fn substitute(raw: &[u8], origin: &str) -> Vec<u8> {
    match std::str::from_utf8(raw) {
        Ok(text) => text.replace("{{BASE}}", origin).into_bytes(),
        Err(_) => raw.to_vec(), // non-UTF-8 fixtures (charset tests) are served as they are
    }
}

fn respond(request: &HeaderMap, path: &str, body: Vec<u8>) -> Response {
    let etag = format!("\"{:016x}\"", stable_hash(&body));
    let etag_value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    let none_match = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let not_modified = match none_match {
        Some(tags) => tags.split(',').any(|t| t.trim() == etag),
        None => {
            request
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                == Some(LAST_MODIFIED)
        }
    };
    if not_modified {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(path)),
            ),
            (header::ETAG, etag_value),
            (
                header::LAST_MODIFIED,
                HeaderValue::from_static(LAST_MODIFIED),
            ),
        ],
        body,
    )
        .into_response()
}
