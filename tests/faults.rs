//! A fault-injecting server on loopback: throttling, errors, resets, redirects, oversized
//! and compressed bodies, robots.txt, and overlapping ingests. Each failure is named, the
//! schedule reacts as the server asked, and the database stays intact.

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use chrono::Utc;

use crate::support::{assert_intact, count, text, World};

const HEADER: &str = "[publish]\nbase_url = \"http://feeds.example.org/\"\n[fetch]\nallow_private_networks = true\nper_host_delay_ms = 0\nmax_body_bytes = 65536\n[schedule]\nmax_failures = 3\n";

fn feed_body(origin: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>{origin}/</link>\
         <item><title>One</title><link>{origin}/cedarnews/articles/beirut-port-audit.html</link><guid>one</guid>\
         <description>Teaser</description></item></channel></rss>"
    )
}

/// A world whose only feed is `path` on the fault server.
async fn single_feed(routes: Router, path: &str) -> World {
    let world = World::start(routes, "").await;
    let feeds = format!("[[feeds]]\nname = \"flaky\"\nurl = \"{{{{BASE}}}}{path}\"\n");
    world.write_config(HEADER, &feeds);
    world
}

fn feed_row(world: &World) -> (i64, Option<i64>, Option<i64>, Option<String>, String) {
    let conn = rusqlite::Connection::open(world.db()).unwrap();
    conn.query_row(
        "SELECT consecutive_failures, next_check, retry_after, disabled_reason, url FROM feeds WHERE name = 'flaky'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_even_by_ingest_all() {
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let routes = Router::new().route(
        "/throttled",
        get(move || {
            h.fetch_add(1, Ordering::SeqCst);
            async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "7200")],
                    "slow down",
                )
            }
        }),
    );
    let world = single_feed(routes, "/throttled").await;
    let out = world.feedmix(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HTTP 429"),
        "{}",
        text(&out)
    );
    let (_, next, retry_after, _, _) = feed_row(&world);
    let now = Utc::now().timestamp();
    assert!(retry_after.unwrap() >= now + 7000, "Retry-After not stored");
    assert!(
        next.unwrap() >= now + 7000,
        "next check earlier than Retry-After"
    );
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 skipped"),
        "{}",
        text(&out)
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1, "--all overrode Retry-After");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_back_off_then_reset_and_repeated_failures_disable() {
    let failing = Arc::new(AtomicU32::new(2));
    let f = failing.clone();
    let routes = Router::new().route(
        "/sometimes",
        get(move || {
            let f = f.clone();
            async move {
                if f.load(Ordering::SeqCst) > 0 {
                    f.fetch_sub(1, Ordering::SeqCst);
                    (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response()
                } else {
                    (
                        [(header::CONTENT_TYPE, "application/rss+xml")],
                        feed_body("http://127.0.0.1:9"),
                    )
                        .into_response()
                }
            }
        }),
    );
    let world = single_feed(routes, "/sometimes").await;
    let mut waits = Vec::new();
    for _ in 0..2 {
        let before = Utc::now().timestamp();
        let out = world.feedmix(&["ingest", "--all"]).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let (fails, next, ..) = feed_row(&world);
        waits.push((fails, next.unwrap() - before));
    }
    assert_eq!(waits[0].0, 1);
    assert_eq!(waits[1].0, 2);
    assert!(
        waits[1].1 > waits[0].1 * 3 / 2,
        "backoff did not grow: {waits:?}"
    );
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        feed_row(&world).0,
        0,
        "success did not reset the failure count"
    );

    // Three failures in a row (max_failures = 3) disable the feed with a visible reason.
    failing.store(3, Ordering::SeqCst);
    for _ in 0..3 {
        world.feedmix(&["ingest", "--all"]).await;
    }
    let (_, _, _, disabled, _) = feed_row(&world);
    assert!(
        disabled
            .as_deref()
            .unwrap_or("")
            .contains("3 failures in a row"),
        "{disabled:?}"
    );
    let listing = world.feedmix(&["feeds"]).await;
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("disabled"),
        "{}",
        text(&listing)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_disables_the_feed() {
    let routes = Router::new().route("/gone", get(|| async { (StatusCode::GONE, "gone") }));
    let world = single_feed(routes, "/gone").await;
    world.feedmix(&["ingest"]).await;
    let (_, _, _, disabled, _) = feed_row(&world);
    assert!(disabled.unwrap().contains("410 Gone"));
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 skipped"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_redirects_move_the_feed_temporary_ones_do_not() {
    let routes = Router::new()
        .route("/old", get(|| async { Redirect::permanent("/older") }))
        .route(
            "/older",
            get(|| async { Redirect::permanent("/cedarnews/feed.xml") }),
        )
        .route(
            "/temp",
            get(|| async { Redirect::temporary("/cedarnews/feed.xml") }),
        );
    let world = single_feed(routes.clone(), "/old").await;
    let out = world.feedmix(&["ingest"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        feed_row(&world).4.ends_with("/cedarnews/feed.xml"),
        "301 chain not remembered"
    );
    assert!(count(&world.db(), "SELECT COUNT(*) FROM articles") > 0);

    let world = single_feed(routes, "/temp").await;
    assert!(world.feedmix(&["ingest"]).await.status.success());
    assert!(
        feed_row(&world).4.ends_with("/temp"),
        "307 must not move the feed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loops_and_long_chains_fail_cleanly() {
    let routes = Router::new()
        .route("/loop-a", get(|| async { Redirect::temporary("/loop-b") }))
        .route("/loop-b", get(|| async { Redirect::temporary("/loop-a") }))
        .route(
            "/hop/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    Redirect::temporary(&format!("/hop/{}", n + 1))
                },
            ),
        );
    for path in ["/loop-a", "/hop/0"] {
        let world = single_feed(routes.clone(), path).await;
        let out = world.feedmix(&["ingest"]).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("too many redirects"),
            "{}",
            text(&out)
        );
        assert_intact(&world.db());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_gzip_bomb_bodies_are_capped() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 50 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let routes = Router::new()
        .route(
            "/huge",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/rss+xml")],
                    "x".repeat(1 << 20),
                )
            }),
        )
        .route(
            "/bomb",
            get(move || {
                let bomb = bomb.clone();
                async move {
                    let headers = [
                        (header::CONTENT_TYPE, "application/rss+xml"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ];
                    (headers, bomb).into_response()
                }
            }),
        );
    for path in ["/huge", "/bomb"] {
        let world = single_feed(routes.clone(), path).await;
        let out = world.feedmix(&["ingest"]).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("body larger than 65536 bytes"),
            "{path}: {}",
            text(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset_is_a_named_failure() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            // A zero linger makes the close send RST: exactly the fault under test.
            #[allow(deprecated)]
            let _ = socket.set_linger(Some(std::time::Duration::ZERO));
            drop(socket); // RST
        }
    });
    let world = World::start(Router::new(), "").await;
    world.write_config(
        HEADER,
        &format!("[[feeds]]\nname = \"flaky\"\nurl = \"http://{addr}/feed\"\n"),
    );
    let out = world.feedmix(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("feed flaky failed"),
        "{}",
        text(&out)
    );
    assert_intact(&world.db());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_disallowing_articles_is_obeyed() {
    let world = World::start(Router::new(), "").await;
    world.server.set_file(
        "robots.txt",
        "User-agent: *\nDisallow: /cedarnews/articles/\n",
    );
    let out = world.feedmix(&["ingest", "--feed", "cedarnews"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        world.requests("/cedarnews/articles/").is_empty(),
        "a disallowed page was fetched"
    );
    assert!(
        count(&world.db(), "SELECT COUNT(*) FROM articles") > 0,
        "items are kept with the feed's content"
    );
    assert_eq!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM articles WHERE page_error LIKE '%robots.txt%'"
        ),
        count(&world.db(), "SELECT COUNT(*) FROM articles")
    );
    // The same feed with respect_robots = false fetches them.
    let world = World::start(Router::new(), "").await;
    world.server.set_file(
        "robots.txt",
        "User-agent: *\nDisallow: /cedarnews/articles/\n",
    );
    let config = std::fs::read_to_string(world.config()).unwrap().replace(
        "name = \"cedarnews\"",
        "name = \"cedarnews\"\nrespect_robots = false",
    );
    std::fs::write(world.config(), config).unwrap();
    assert!(world
        .feedmix(&["ingest", "--feed", "cedarnews"])
        .await
        .status
        .success());
    assert!(!world.requests("/cedarnews/articles/").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_ingests_never_collide() {
    let world = World::start(Router::new(), "").await;
    let (a, b) = tokio::join!(
        world.feedmix(&["ingest", "--wait"]),
        world.feedmix(&["ingest", "--wait"])
    );
    assert!(
        a.status.success() && b.status.success(),
        "{}\n{}",
        text(&a),
        text(&b)
    );
    let (c, d) = tokio::join!(
        world.feedmix(&["ingest", "--all"]),
        world.feedmix(&["ingest", "--all"])
    );
    for out in [&c, &d] {
        assert!(matches!(out.status.code(), Some(0 | 3)), "{}", text(out));
    }
    let dupes = count(&world.db(), "SELECT COUNT(*) FROM (SELECT canonical_url FROM articles GROUP BY canonical_url HAVING COUNT(*) > 1)");
    assert_eq!(dupes, 0);
    assert_intact(&world.db());
}

/// A keep-alive server on loopback that reports each connection it accepts ("open") and each
/// one the client closes ("closed"), and a fetcher with the default pool settings.
async fn keep_alive_server() -> (
    feedmix::fetch::Fetcher,
    url::Url,
    tokio::sync::mpsc::UnboundedReceiver<&'static str>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (events, seen) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let events = events.clone();
            let _ = events.send("open");
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                loop {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                    if request.windows(4).any(|w| w == b"\r\n\r\n") {
                        request.clear();
                        let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
                        if socket.write_all(reply.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                }
                let _ = events.send("closed");
            });
        }
    });
    let toml = "[fetch]\nallow_private_networks = true\nper_host_delay_ms = 0\n\
                [[feeds]]\nname = \"a\"\nurl = \"http://a.example/\"\n";
    let config = feedmix::config::Config::from_toml(toml, std::path::Path::new("x.toml")).unwrap();
    let fetcher = feedmix::fetch::Fetcher::new(&config.fetch).unwrap();
    let url = url::Url::parse(&format!("http://{addr}/page")).unwrap();
    (fetcher, url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_soon_after_their_last_request() {
    let (fetcher, url, mut seen) = keep_alive_server().await;
    let none = feedmix::fetch::Validators::default();
    for _ in 0..2 {
        fetcher.fetch(&url, &none).await.unwrap();
    }
    // Both requests went over one connection, which the client then closes by itself
    // (reqwest's default kept it for 90 s).
    assert_eq!(seen.recv().await, Some("open"));
    let wait = feedmix::fetch::POOL_IDLE + std::time::Duration::from_secs(10);
    let next = tokio::time::timeout(wait, seen.recv()).await;
    assert_eq!(next, Ok(Some("closed")), "the idle connection stayed open");
    fetcher.fetch(&url, &none).await.unwrap();
    assert_eq!(seen.recv().await, Some("open"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_idle_connections_closes_them_at_once_and_later_requests_still_work() {
    let (fetcher, url, mut seen) = keep_alive_server().await;
    let none = feedmix::fetch::Validators::default();
    fetcher.fetch(&url, &none).await.unwrap();
    assert_eq!(seen.recv().await, Some("open"));
    fetcher.close_idle_connections();
    // Well before the pool's own idle timeout would close it.
    let wait = feedmix::fetch::POOL_IDLE / 2;
    let next = tokio::time::timeout(wait, seen.recv()).await;
    assert_eq!(
        next,
        Ok(Some("closed")),
        "the pooled connection stayed open"
    );
    fetcher.fetch(&url, &none).await.unwrap();
    assert_eq!(seen.recv().await, Some("open"));
}
