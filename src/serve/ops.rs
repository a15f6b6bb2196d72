//! Operations endpoints: `/healthz`, `/metrics` (Prometheus text format) and
//! `/sources.opml`.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::cache::Rendered;
use super::AppState;
use crate::opml::render_opml;

/// `/healthz`: 200 when the database answers, with the age of the last ingest.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.with_store(|s| Ok((s.integrity_quick()?, s.last_run()?))) {
        Ok((Ok(()), run)) => {
            let age = run.map(|r| (Utc::now() - r.finished).num_seconds());
            let body = json!({"status": "ok", "database": "ok", "last_ingest_age_seconds": age});
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        Ok((Err(problem), _)) => unhealthy(&problem),
        Err(e) => unhealthy(&e.to_string()),
    }
}

fn unhealthy(why: &str) -> Response {
    let body = json!({"status": "error", "database": why});
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `/metrics`: feeds by state, stories, articles, failing feeds by status, last ingest.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let read = state.with_store(|s| Ok((s.stats()?, s.last_run()?)));
    let (stats, run) = match read {
        Ok(v) => v,
        Err(e) => return unhealthy(&e.to_string()),
    };
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, samples: Vec<(String, f64)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let states = ["ok", "failing", "disabled", "new"];
    gauge(
        "feedmix_feeds",
        "Configured feeds by state.",
        states
            .iter()
            .map(|s| {
                (
                    format!("{{state=\"{s}\"}}"),
                    *stats.feeds_by_state.get(s).unwrap_or(&0) as f64,
                )
            })
            .collect(),
    );
    gauge(
        "feedmix_failing_feeds",
        "Failing feeds by last HTTP status (0: no answer).",
        stats
            .failing_by_status
            .iter()
            .map(|(k, v)| (format!("{{status=\"{k}\"}}"), *v as f64))
            .collect(),
    );
    gauge(
        "feedmix_stories",
        "Stories stored.",
        vec![(String::new(), stats.stories as f64)],
    );
    gauge(
        "feedmix_articles",
        "Articles stored.",
        vec![(String::new(), stats.articles as f64)],
    );
    if let Some(run) = run {
        gauge(
            "feedmix_last_ingest_timestamp_seconds",
            "When the last ingest finished.",
            vec![(String::new(), run.finished.timestamp() as f64)],
        );
        gauge(
            "feedmix_last_ingest_duration_seconds",
            "How long the last ingest took.",
            vec![(String::new(), run.duration_ms as f64 / 1000.0)],
        );
        gauge(
            "feedmix_last_ingest_failed_feeds",
            "Feeds that failed in the last ingest.",
            vec![(String::new(), run.feeds_failed as f64)],
        );
        gauge(
            "feedmix_last_ingest_new_articles",
            "New articles in the last ingest.",
            vec![(String::new(), run.new_articles as f64)],
        );
    }
    let _ = writeln!(out, "# HELP feedmix_feed_requests_total Feed documents served.\n# TYPE feedmix_feed_requests_total counter\nfeedmix_feed_requests_total {}", state.requests.load(Ordering::Relaxed));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// `/sources.opml`: the configured sources for a feed reader to import.
pub async fn opml(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let body = render_opml(&state.config.publish.title, &state.config.feeds);
    Rendered::new(body, "text/x-opml; charset=utf-8", None).respond(&headers)
}
