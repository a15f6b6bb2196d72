//! Broken feeds, dead sites and private addresses: the other feeds are stored, each failure
//! is named with its cause, and the database stays intact.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use feedmix::demo::{demo_config, DEMO_FEEDS};

use crate::support::{assert_intact, count, text, World};

fn faults() -> Router {
    Router::new()
        .route(
            "/faults/500",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route(
            "/faults/html",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>",
                )
            }),
        )
        .route(
            "/faults/stall",
            get(|| async {
                // Headers and the start of a feed, then the body never finishes.
                let chunks = futures_util::stream::unfold(0u32, |n| async move {
                    if n == 0 {
                        Some((
                            Ok::<_, std::io::Error>(
                                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>".to_string(),
                            ),
                            1,
                        ))
                    } else {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        None
                    }
                });
                (
                    [(header::CONTENT_TYPE, "application/rss+xml")],
                    Body::from_stream(chunks),
                )
                    .into_response()
            }),
        )
}

const BROKEN_FEEDS: &str = r#"
[[feeds]]
name = "broken500"
url = "{{BASE}}/faults/500"

[[feeds]]
name = "htmlpage"
url = "{{BASE}}/faults/html"

[[feeds]]
name = "stalled"
url = "{{BASE}}/faults/stall"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_feeds_are_named_and_others_stored() {
    let world = World::start(faults(), BROKEN_FEEDS).await;
    let out = world.feedmix(&["ingest"]).await;
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("feed broken500 failed") && stderr.contains("HTTP 500"),
        "{report}"
    );
    assert!(
        stderr.contains("feed htmlpage failed") && stderr.contains("HTML page, not a feed"),
        "{report}"
    );
    assert!(
        stderr.contains("feed stalled failed") && stderr.contains("timed out"),
        "{report}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 feeds ok, 3 failed"),
        "{report}"
    );
    for (name, _, _) in DEMO_FEEDS {
        let stored = count(&world.db(), &format!("SELECT COUNT(*) FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.name = '{name}'"));
        assert!(stored > 0, "{name} stored nothing\n{report}");
    }
    let failures = count(
        &world.db(),
        "SELECT COUNT(*) FROM feeds WHERE last_error IS NOT NULL AND consecutive_failures = 1",
    );
    assert_eq!(failures, 3);
    let kinds = count(
        &world.db(),
        "SELECT COUNT(DISTINCT last_error_kind) FROM feeds WHERE last_error_kind IN ('status', 'parse', 'timeout')",
    );
    assert_eq!(kinds, 3, "each failure is classified");
    assert_intact(&world.db());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_feed_is_refused_without_allow_private_networks() {
    let world = World::start(Router::new(), "").await;
    let config = demo_config(&world.server.origin(), "http://feeds.example.org/").replace(
        "allow_private_networks = true",
        "allow_private_networks = false",
    );
    world.write_config(&config, "");
    let out = world.feedmix(&["ingest", "--feed", "cedarnews"]).await;
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("feed cedarnews failed"), "{report}");
    assert!(
        stderr.contains("127.0.0.1") && stderr.contains("private network or loopback address"),
        "{report}"
    );
    assert_eq!(count(&world.db(), "SELECT COUNT(*) FROM articles"), 0);
    assert!(
        world.requests("/").is_empty(),
        "a request reached the server"
    );
}
