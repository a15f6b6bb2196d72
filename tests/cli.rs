//! The command-line contract: exit codes, config errors, empty exports.

use crate::support::{check_feed, run_feedmix, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_config_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, "[fetch]\nper_host_concurrency = 0\n").unwrap();
    let out = run_feedmix(&config, &["ingest"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fetch.per_host_concurrency"),
        "{}",
        text(&out)
    );
    assert!(
        !dir.path().join("feedmix.db").exists(),
        "a bad config must fail before any work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_feed_and_missing_config_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[feeds]]\nname = \"a\"\nurl = \"https://example.com/rss\"\n",
    )
    .unwrap();
    let out = run_feedmix(&config, &["ingest", "--feed", "nope"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no feed named `nope`"));
    let out = run_feedmix(&dir.path().join("missing.toml"), &["ingest"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run_feedmix(&config, &["export", "--format", "csv"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_database_exports_valid_empty_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, "[publish]\nbase_url = \"https://mix.example.org/\"\n[[feeds]]\nname = \"a\"\nurl = \"https://example.com/rss\"\n").unwrap();
    for (format, ext) in [("rss", "xml"), ("atom", "atom"), ("json", "json")] {
        let out_path = dir.path().join(format!("empty.{ext}"));
        let out = run_feedmix(
            &config,
            &[
                "export",
                "--format",
                format,
                "--out",
                out_path.to_str().unwrap(),
            ],
        )
        .await;
        assert!(out.status.success(), "{}", text(&out));
        check_feed(out_path.to_str().unwrap(), format).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_prints_json_with_title_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html lang=\"en\"><head><title>Port audit - Cedar News</title></head><body><nav>Home News</nav>\
         <article><h1>Port audit</h1><p>The audit of the port began on Monday, officials said, after months of delay.</p>\
         <p>Investigators will publish a first report within weeks.</p></article></body></html>",
    )
    .unwrap();
    let out = run_feedmix(
        &dir.path().join("unused.toml"),
        &[
            "extract",
            page.to_str().unwrap(),
            "--url",
            "https://cedar.example/a",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["title"].as_str().unwrap().contains("Port audit"));
    let body = json["text"].as_str().unwrap();
    assert!(
        body.contains("The audit of the port began") && body.contains("\n\nInvestigators"),
        "{body}"
    );
    assert!(!body.contains("Home News"), "{body}");
    for key in [
        "html",
        "byline",
        "published",
        "image",
        "lang",
        "canonical_url",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_ingest_exits_3_while_another_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[feeds]]\nname = \"a\"\nurl = \"https://example.com/rss\"\n",
    )
    .unwrap();
    let held = feedmix::store::IngestLock::try_acquire(&dir.path().join("feedmix.db")).unwrap();
    let out = run_feedmix(&config, &["ingest"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another feedmix ingest is running"),
        "{}",
        text(&out)
    );
    drop(held);
}
