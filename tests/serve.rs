//! `feedmix serve` over real HTTP: feeds pass check-feed by URL (newsboat reads them over
//! HTTP), conditional requests get 304, paging reaches every story once, per-source feeds,
//! compression, cache invalidation after an ingest, health, metrics and OPML.

use crate::support::{check_feed, count, World};
use std::collections::HashSet;

use crate::serve_support::{ingested_world, start_serve, PipeJson};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_feeds_pass_check_feed_and_answer_304() {
    let world = ingested_world("").await;
    let server = start_serve(&world).await;
    let origin = &server.origin;
    for (format, path) in [
        ("rss", "feed.xml"),
        ("atom", "feed.atom"),
        ("json", "feed.json"),
        ("rss", "sources/almanar/feed.xml"),
    ] {
        check_feed(&format!("{origin}/{path}"), format).await;
    }
    let client = reqwest::Client::new();
    let first = client
        .get(format!("{origin}/feed.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert!(first.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("rss"));
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    let again = client
        .get(format!("{origin}/feed.xml"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let since = client
        .get(format!("{origin}/feed.xml"))
        .header("If-Modified-Since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(since.status(), 304);
    let head = client
        .head(format!("{origin}/feed.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);

    let page = client
        .get(format!("{origin}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<article") && page.contains("/story/"),
        "{page}"
    );
    let story_link = page
        .split("href=\"/story/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let story = client
        .get(format!("{origin}/story/{story_link}"))
        .send()
        .await
        .unwrap();
    assert_eq!(story.status(), 200);
    assert_eq!(
        client
            .get(format!("{origin}/story/999999"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .get(format!("{origin}/sources/nope/feed.xml"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_links_reach_every_story_exactly_once() {
    let world = ingested_world("page_size = 7").await;
    let server = start_serve(&world).await;
    let client = reqwest::Client::new();
    let mut seen = Vec::new();
    let mut next = Some(format!("{}/feed.json", server.origin));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let url = url.replace("http://feeds.example.org/mix", &server.origin);
        let doc: serde_json::Value = client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref()
            .pipe_json();
        for item in doc["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        next = doc["next_url"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 20, "paging does not end");
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a story appeared twice");
    assert_eq!(
        seen.len() as i64,
        count(&world.db(), "SELECT COUNT(*) FROM stories")
    );
    assert!(pages >= 4);
    // The XML formats carry the same RFC 5005 links.
    let atom = client
        .get(format!("{}/feed.atom", server.origin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        atom.contains("rel=\"next\"") && atom.contains("rel=\"prev-archive\""),
        "{atom}"
    );
    let rss = client
        .get(format!("{}/feed.xml", server.origin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(rss.contains("rel=\"next\""), "{rss}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_feeds_compression_and_cache_invalidation() {
    let world = ingested_world("").await;
    let server = start_serve(&world).await;
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let doc: serde_json::Value =
        reqwest::get(format!("{}/sources/cedarnews/feed.json", server.origin))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref()
            .pipe_json();
    let items = doc["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["_feedmix"]["source"] == "cedarnews"));

    for encoding in ["gzip", "br"] {
        let r = client
            .get(format!("{}/feed.xml", server.origin))
            .header("Accept-Encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some(encoding)
        );
    }

    let before = client
        .get(format!("{}/feed.xml", server.origin))
        .send()
        .await
        .unwrap();
    let etag = before.headers()["etag"].to_str().unwrap().to_string();
    let feed = String::from_utf8(world.server.file("almanar/feed.xml").unwrap()).unwrap();
    let start = feed.find("<item>").unwrap() + "<item>".len();
    let edited = format!(
        "{}<title>Breaking: a brand new headline</title>{}",
        &feed[..start],
        &feed[start..]
            .replacen("<title>", "<ignored>", 1)
            .replacen("</title>", "</ignored>", 1)
    );
    world.server.set_file("almanar/feed.xml", edited);
    assert!(world.feedmix(&["ingest", "--all"]).await.status.success());
    let after = client
        .get(format!("{}/feed.xml", server.origin))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        200,
        "the cached feed was served after an ingest changed it"
    );
    assert!(after
        .text()
        .await
        .unwrap()
        .contains("Breaking: a brand new headline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_opml() {
    let world = ingested_world("").await;
    let server = start_serve(&world).await;
    let health: serde_json::Value = reqwest::get(format!("{}/healthz", server.origin))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .as_ref()
        .pipe_json();
    assert_eq!(health["status"], "ok");
    assert!(health["last_ingest_age_seconds"].as_i64().unwrap() < 600);
    let metrics = reqwest::get(format!("{}/metrics", server.origin))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "feedmix_feeds{state=\"ok\"} 4",
        "feedmix_articles 26",
        "# TYPE feedmix_stories gauge",
        "feedmix_last_ingest_timestamp_seconds",
    ] {
        assert!(metrics.contains(line), "{line} missing:\n{metrics}");
    }
    let opml = reqwest::get(format!("{}/sources.opml", server.origin))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let subs = feedmix::opml::parse_opml(&opml).unwrap();
    assert_eq!(subs.len(), 4);

    // CLI round trip: export, then import into an empty config keeps every feed.
    let out = world.feedmix(&["opml", "export"]).await;
    let file = world.dir.path().join("subs.opml");
    std::fs::write(&file, &out.stdout).unwrap();
    let empty = world.dir.path().join("empty.toml");
    std::fs::write(&empty, "# fresh\n").unwrap();
    let out =
        crate::support::run_feedmix(&empty, &["opml", "import", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", crate::support::text(&out));
    let text = std::fs::read_to_string(&empty).unwrap();
    assert_eq!(text.matches("[[feeds]]").count(), 4, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websub_hub_is_notified_only_when_feeds_change() {
    use std::sync::{Arc, Mutex};
    let pings: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = pings.clone();
    let hub = axum::Router::new().route(
        "/hub",
        axum::routing::post(move |body: String| {
            seen.lock().unwrap().push(body);
            async { axum::http::StatusCode::NO_CONTENT }
        }),
    );
    let world = World::start(hub, "").await;
    let config = std::fs::read_to_string(world.config()).unwrap().replace(
        "[publish]\n",
        &format!(
            "[publish]\nwebsub_hub = \"{}/hub\"\n",
            world.server.origin()
        ),
    );
    std::fs::write(world.config(), config).unwrap();
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let first: Vec<String> = pings.lock().unwrap().clone();
    assert!(
        first.iter().any(
            |b| b == "hub.mode=publish&hub.url=http%3A%2F%2Ffeeds.example.org%2Fmix%2Ffeed.xml"
        ),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|b| b.contains("sources%2Fcedarnews%2Ffeed.atom")),
        "{first:?}"
    );

    assert!(world.feedmix(&["ingest", "--all"]).await.status.success());
    assert_eq!(
        pings.lock().unwrap().len(),
        first.len(),
        "a pass that changed nothing notified the hub"
    );

    // The served feeds advertise the hub.
    let server = start_serve(&world).await;
    let rss = reqwest::get(format!("{}/feed.xml", server.origin))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        rss.contains("rel=\"hub\"") && rss.contains("rel=\"self\""),
        "{rss}"
    );
}
