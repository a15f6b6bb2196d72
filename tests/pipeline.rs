//! End to end: fixture outlets -> ingest -> export (RSS, Atom, JSON) -> check-feed; then
//! conditional re-polls and in-place edits.

use std::collections::HashSet;

use feedmix::dedup::canonical_url;
use feedmix::demo::{demo_config, DEMO_FEEDS};
use feedmix::parse::parse_feed;

use crate::support::{assert_intact, check_feed, count, text, World};

/// Distinct articles the fixtures hold (URL variants across outlets count once).
fn expected_articles(world: &World) -> usize {
    let mut seen = HashSet::new();
    for (_, _, path) in DEMO_FEEDS {
        let raw = world.server.file(path).expect("fixture feed exists");
        let body = String::from_utf8(raw)
            .unwrap()
            .replace("{{BASE}}", &world.server.origin());
        let base = url::Url::parse(&format!("{}/{path}", world.server.origin())).unwrap();
        for item in parse_feed(body.as_bytes(), &base).unwrap().items {
            let link = item.link.expect("fixture items have links");
            seen.insert(canonical_url(&link).unwrap());
        }
    }
    seen.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_then_export_passes_check_feed() {
    let world = World::start(axum::Router::new(), "").await;
    let out = world.feedmix(&["ingest"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 feeds ok, 0 failed"),
        "{}",
        text(&out)
    );
    let articles = count(&world.db(), "SELECT COUNT(*) FROM articles");
    assert_eq!(articles as usize, expected_articles(&world));
    assert!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM articles WHERE body_source = 'page'"
        ) > 0
    );
    for (format, ext) in [("rss", "xml"), ("atom", "atom"), ("json", "json")] {
        let path = world.dir.path().join(format!("feed.{ext}"));
        let out = world
            .feedmix(&[
                "export",
                "--format",
                format,
                "--limit",
                "0",
                "--out",
                path.to_str().unwrap(),
            ])
            .await;
        assert!(out.status.success(), "{}", text(&out));
        check_feed(path.to_str().unwrap(), format).await;
    }
    let json = world
        .feedmix(&["export", "--format", "json", "--limit", "0"])
        .await;
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = doc["items"].as_array().unwrap();
    let stories = count(&world.db(), "SELECT COUNT(*) FROM stories");
    assert_eq!(items.len() as i64, stories);
    for item in items {
        assert!(item["_feedmix"]["source"].is_string(), "{item}");
        assert!(item["_feedmix"]["related"].is_array(), "{item}");
        assert!(item["_feedmix"]["also_reported_by"].is_array(), "{item}");
        let text = item["content_text"].as_str().unwrap();
        assert!(!text.contains("<p>"), "content_text is plain text: {text}");
    }
    assert_intact(&world.db());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_ingest_is_conditional_and_fetches_no_page_again() {
    let world = World::start(axum::Router::new(), "").await;
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let pages_before = world
        .requests("/")
        .iter()
        .filter(|r| r.path.contains("/articles/"))
        .count();
    let articles_before = count(&world.db(), "SELECT COUNT(*) FROM articles");
    assert!(pages_before > 0);

    // Not due yet: nothing is fetched at all.
    let out = world.feedmix(&["ingest"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 skipped"),
        "{}",
        text(&out)
    );

    let feed_requests_before = world
        .requests("/")
        .iter()
        .filter(|r| r.path.ends_with("feed.xml"))
        .count();
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let feed_requests: Vec<_> = world
        .requests("/")
        .into_iter()
        .filter(|r| r.path.ends_with("feed.xml"))
        .skip(feed_requests_before)
        .collect();
    assert_eq!(feed_requests.len(), DEMO_FEEDS.len());
    for r in &feed_requests {
        assert!(r.if_none_match.is_some(), "{r:?} was not conditional");
        assert_eq!(r.status, 304, "{r:?}");
    }
    let pages_after = world
        .requests("/")
        .iter()
        .filter(|r| r.path.contains("/articles/"))
        .count();
    assert_eq!(
        pages_after, pages_before,
        "article pages were fetched again"
    );
    assert_eq!(
        count(&world.db(), "SELECT COUNT(*) FROM articles"),
        articles_before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_title_updates_the_existing_item() {
    let world = World::start(axum::Router::new(), "").await;
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let stories_before = count(&world.db(), "SELECT COUNT(*) FROM stories");
    let articles_before = count(&world.db(), "SELECT COUNT(*) FROM articles");

    let path = "cedarnews/feed.xml";
    let feed = String::from_utf8(world.server.file(path).unwrap()).unwrap();
    let item_start = feed.find("<item").unwrap();
    let title_start = item_start + feed[item_start..].find("<title>").unwrap() + "<title>".len();
    let title_end = title_start + feed[title_start..].find("</title>").unwrap();
    let edited = format!(
        "{}Corrected headline: port audit delayed{}",
        &feed[..title_start],
        &feed[title_end..]
    );
    world.server.set_file(path, edited);

    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 updated"),
        "{}",
        text(&out)
    );
    assert_eq!(
        count(&world.db(), "SELECT COUNT(*) FROM articles"),
        articles_before
    );
    assert_eq!(
        count(&world.db(), "SELECT COUNT(*) FROM stories"),
        stories_before
    );
    assert_eq!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM articles WHERE title = 'Corrected headline: port audit delayed'"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_offline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "demo",
            "--no-serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 feeds ok, 0 failed"),
        "{}",
        text(&out)
    );
    assert!(count(&db, "SELECT COUNT(*) FROM stories") > 10);
}

/// The fixture groups (fixtures/outlets/README.md): the wire story carried by two outlets
/// folds into one item; the three write-ups of the port audit relate to each other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_fold_and_coverage_of_one_event_relates() {
    let world = World::start(axum::Router::new(), "").await;
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let json = world
        .feedmix(&["export", "--format", "json", "--limit", "0"])
        .await;
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = doc["items"].as_array().unwrap();
    let find = |slug: &str| {
        items
            .iter()
            .find(|i| i["url"].as_str().unwrap().contains(slug))
    };

    // Feeds are polled concurrently, so either carrier may be ingested first; the first one
    // is the story and the other is listed under it.
    let carriers = [
        ("world-bank-water-loan", "cedarnews"),
        ("lebanon-world-bank-water-grid", "lorienttoday"),
    ];
    let stories: Vec<_> = carriers.iter().filter_map(|(slug, _)| find(slug)).collect();
    assert_eq!(
        stories.len(),
        1,
        "exactly one carrier of the wire story is a story"
    );
    let primary = stories[0];
    let also = primary["_feedmix"]["also_reported_by"].as_array().unwrap();
    assert_eq!(also.len(), 1, "{primary}");
    let other = carriers
        .iter()
        .find(|(slug, _)| !primary["url"].as_str().unwrap().contains(slug))
        .unwrap();
    assert_eq!(also[0]["source"], other.1);
    assert!(also[0]["url"].as_str().unwrap().contains(other.0));

    let port = [
        "beirut-port-audit",
        "court-of-audit-port-customs",
        "port-audit-explained",
    ];
    for slug in port {
        let item = find(slug).unwrap_or_else(|| panic!("{slug} missing"));
        let related: Vec<&str> = item["_feedmix"]["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].as_str().unwrap())
            .collect();
        for other in port.iter().filter(|o| **o != slug) {
            assert!(
                related.iter().any(|u| u.contains(other)),
                "{slug} should relate to {other}: {related:?}"
            );
        }
        assert!(
            item["content_html"].as_str().unwrap().contains("Related"),
            "related block missing in {slug}"
        );
    }
    // A tracking-parameter link is the same article as its canonical URL.
    assert_eq!(
        items
            .iter()
            .filter(|i| i["url"].as_str().unwrap().contains("zahle-fibre-rollout"))
            .count(),
        1
    );
}

/// Ingest admits only `2 x max_concurrency` feeds at once (to bound memory); every feed
/// beyond that must still be polled and stored in the same pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_feeds_than_in_flight_slots_are_all_ingested() {
    let mut extra = String::new();
    for (i, (_, _, path)) in DEMO_FEEDS.iter().cycle().take(6).enumerate() {
        extra.push_str(&format!(
            "[[feeds]]\nname = \"copy{i}\"\nurl = \"{{{{BASE}}}}/{path}?copy={i}\"\n\n"
        ));
    }
    let world = World::start(axum::Router::new(), "").await;
    let base = demo_config(&world.server.origin(), "http://feeds.example.org/mix/").replace(
        "per_host_concurrency = 4",
        "per_host_concurrency = 4\nmax_concurrency = 1",
    );
    world.write_config(&base, &extra);
    let out = world.feedmix(&["ingest"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("10 feeds ok, 0 failed, 0 skipped"),
        "{}",
        text(&out)
    );
    assert_eq!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM feeds WHERE last_success IS NOT NULL"
        ),
        10
    );
}

/// A feed is reported only once its writes are committed: a connection opened from the
/// progress callback already sees every article the report counts. (The writer holds its
/// transaction across feeds; reporting before the commit would announce unreadable items.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_reported_stored_is_already_visible_to_other_connections() {
    use std::sync::{Arc, Mutex};

    use feedmix::ingest::{ingest, FeedOutcome, FeedReport, IngestOptions};

    let world = World::start(axum::Router::new(), "").await;
    world.write_config(
        &demo_config(&world.server.origin(), "http://feeds.example.org/mix/"),
        "",
    );
    let config = feedmix::config::Config::load(&world.config()).unwrap();
    let mut store = feedmix::store::Store::open(&config.database).unwrap();
    let fetcher = feedmix::fetch::Fetcher::new(&config.fetch).unwrap();
    let db = config.database.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let options = IngestOptions {
        on_feed_done: Some(Arc::new(move |done: &FeedReport| {
            if let FeedOutcome::Stored { new, .. } = done.outcome {
                let visible = count(
                    &db,
                    &format!(
                        "SELECT COUNT(*) FROM articles a JOIN feeds f ON f.id = a.feed_id
                         WHERE f.name = '{}'",
                        done.name.replace('\'', "''")
                    ),
                );
                log.lock().unwrap().push((done.name.clone(), new, visible));
            }
        })),
        ..Default::default()
    };
    let summary = ingest(&config, &mut store, &fetcher, &options)
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), DEMO_FEEDS.len(), "{:?}", summary.reports);
    for (feed, new, visible) in seen.iter() {
        assert!(*new > 0, "{feed} stored nothing");
        assert_eq!(
            *visible as usize, *new,
            "{feed}: reported before its commit"
        );
    }
}
