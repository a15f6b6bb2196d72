//! Crash safety: `feedmix ingest --all` killed with SIGKILL at random points, then one full
//! ingest: the database is intact, every source item stored exactly once, no orphans.

use std::time::{Duration, Instant};

use axum::extract::Path as UrlPath;
use axum::http::header;
use axum::routing::get;
use axum::Router;

use crate::support::{assert_intact, count, count_when_ready, text, World};

const CRASH_FEEDS: usize = 80;
const CRASH_ITEMS: usize = 10;

/// A small deterministic generator (xorshift), so every run kills at the same delays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const WORDS: &[&str] = &[
    "port", "council", "budget", "audit", "minister", "harbour", "election", "bank", "power",
    "grid", "school", "river", "bridge", "court", "tariff", "fuel", "wheat", "strike", "road",
    "clinic", "museum", "festival", "airport", "water", "union", "tax", "border", "village",
];

fn crash_text(feed: usize, item: usize) -> String {
    let mut rng = Rng(((feed * 1000 + item) as u64) * 2_654_435_761 + 1);
    (0..60)
        .map(|_| WORDS[(rng.next() % WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page's response time: 20 to 79 ms, varying by feed and item.
fn page_delay_ms(feed: usize, item: usize) -> u64 {
    20 + ((feed * 7 + item * 13) % 60) as u64
}

fn crash_routes() -> Router {
    Router::new()
        .route(
            "/crash/{feed}/feed.xml",
            get(|UrlPath(feed): UrlPath<usize>| async move {
                let mut xml = format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {feed}</title>\
                     <link>http://127.0.0.1/crash/{feed}/</link>"
                );
                for item in 0..CRASH_ITEMS {
                    xml.push_str(&format!(
                        "<item><title>Story {feed}-{item}</title><link>/crash/{feed}/{item}.html</link>\
                         <guid>crash-{feed}-{item}</guid><pubDate>Mon, 02 Nov 2026 {:02}:{:02}:00 GMT</pubDate>\
                         <description>Teaser {feed}-{item}</description></item>",
                        item % 24,
                        feed % 60
                    ));
                }
                xml.push_str("</channel></rss>");
                ([(header::CONTENT_TYPE, "application/rss+xml")], xml)
            }),
        )
        .route(
            "/crash/{feed}/{page}",
            get(|UrlPath((feed, page)): UrlPath<(usize, String)>| async move {
                let item: usize = page.trim_end_matches(".html").parse().unwrap_or(0);
                // Pages take a while, as on the internet: feeds finish at different times and
                // the writer waits between them, so a run commits many transactions and can be
                // killed between two. Served at once, a release build stored all 800 articles
                // in one transaction, and a kill either lost all of a run or came after it.
                tokio::time::sleep(Duration::from_millis(page_delay_ms(feed, item))).await;
                let body = crash_text(feed, item);
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    format!(
                        "<!DOCTYPE html><html><head><title>Story {feed}-{item}</title></head><body>\
                         <article><h1>Story {feed}-{item}</h1><p>{body}.</p><p>{body}, again.</p></article></body></html>"
                    ),
                )
            }),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_ingest_loses_and_duplicates_nothing() {
    let world = World::start(crash_routes(), "").await;
    let mut feeds = String::from(
        "[publish]\nbase_url = \"http://feeds.example.org/\"\n[fetch]\nallow_private_networks = true\n\
         per_host_delay_ms = 0\nper_host_concurrency = 8\nmax_concurrency = 8\nrespect_robots = false\n",
    );
    for f in 0..CRASH_FEEDS {
        // Half the feeds have their pages fetched, half use the feed's own content.
        feeds.push_str(&format!(
            "[[feeds]]\nname = \"c{f}\"\nurl = \"{{{{BASE}}}}/crash/{f}/feed.xml\"\nfetch_articles = {}\n",
            f % 2 == 0
        ));
    }
    world.write_config("", &feeds);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let (mut kills, mut attempts) = (0, 0);
    while kills < 24 && attempts < 80 {
        attempts += 1;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
            .arg("--config")
            .arg(world.config())
            .args(["ingest", "--all", "--wait"])
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("feedmix starts");
        // Killed at a point of the ingest, not of the clock (a release build stores all 800
        // articles in well under a second, a debug build takes many): a quarter of the runs
        // early on a short timer, the others once 1 to 10 more articles have been committed
        // than when they started, i.e. between two of their write transactions.
        let kill_early = rng.next().is_multiple_of(4);
        let early = Duration::from_millis(5 + rng.next() % 200);
        let after = 1 + (rng.next() % 10) as i64;
        let stored_before = count_when_ready(&world.db(), "SELECT COUNT(*) FROM articles");
        let spawned = Instant::now();
        let killed = loop {
            if let Ok(status) = tokio::time::timeout(Duration::from_millis(2), child.wait()).await {
                status.expect("feedmix ran");
                break false;
            }
            let due = if kill_early {
                spawned.elapsed() >= early
            } else {
                count_when_ready(&world.db(), "SELECT COUNT(*) FROM articles")
                    .is_some_and(|n| n >= stored_before.unwrap_or(0) + after)
            };
            if due {
                break true;
            }
        };
        if killed {
            child.start_kill().expect("SIGKILL");
            child.wait().await.unwrap();
            kills += 1;
        }
    }
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    eprintln!(
        "crash safety: {kills} kills in {attempts} runs survived in {:?}",
        started.elapsed()
    );
    assert!(kills >= 20, "only {kills} runs were killed mid-ingest");
    let db = world.db();
    assert_intact(&db);
    let total = (CRASH_FEEDS * CRASH_ITEMS) as i64;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM articles"), total);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT guid) FROM articles"),
        total
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM articles WHERE guid NOT LIKE 'crash-%'"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM stories s WHERE s.primary_id IS NULL \
             OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.primary_id)"
        ),
        0,
        "a story lost its primary article"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS \
             (SELECT 1 FROM stories s WHERE s.id = a.story_id)"
        ),
        0,
        "an article has no story"
    );
}
