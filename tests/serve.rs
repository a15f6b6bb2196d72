//! `feedmix serve` over real HTTP: feeds pass check-feed by URL (newsboat reads them over
//! HTTP), repeated conditional requests get 304, the page lists the stories.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{check_feed, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_feeds_pass_check_feed_and_answer_304() {
    let world = World::start(axum::Router::new(), "").await;
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let origin = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("serving on ").nth(1) {
                return rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        }
        panic!("serve exited without listening");
    })
    .await
    .expect("serve starts");

    for (format, path) in [
        ("rss", "feed.xml"),
        ("atom", "feed.atom"),
        ("json", "feed.json"),
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
    let again = client
        .get(format!("{origin}/feed.xml"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

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
    child.kill().await.unwrap();
}
