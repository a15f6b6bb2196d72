//! Operating feedmix: editing feeds.toml from the CLI, the `run` daemon and its signals,
//! pruning, backups and machine-readable output.

use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use axum::Router;
use tokio::process::Child;

use crate::support::{assert_intact, count, count_when_ready, text, World};

/// Feeds polled successfully at least once.
const POLLED: &str = "SELECT COUNT(*) FROM feeds WHERE last_success IS NOT NULL";

/// Starts `feedmix --config <the world's config> ARGS` in the background, killed on drop.
fn start_feedmix(world: &World, args: &[&str]) -> Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .args(args)
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Reads the count `sql` every 100 ms until it is `want` (at most 20 s); returns the last.
async fn wait_for_count(db: &Path, sql: &str, want: i64) -> i64 {
    let mut last = 0;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = count_when_ready(db, sql).unwrap_or(0);
        if last == want {
            break;
        }
    }
    last
}

/// Sends `signal` ("TERM", "INT", "HUP") to the child.
fn send(child: &Child, signal: &str) {
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status()
        .unwrap()
        .success());
}

/// Sends `signal` and waits (at most 10 s) for the child to exit.
async fn stop(child: &mut Child, signal: &str) -> ExitStatus {
    send(child, signal);
    tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap_or_else(|_| panic!("feedmix did not stop on SIG{signal}"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_add_discovers_and_remove_keeps_the_file_intact() {
    let world = World::start(Router::new(), "").await;
    let page = "<html><head><title>Cedar</title>\
        <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/cedarnews/comments/feed\">\
        <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/cedarnews/feed.xml\"></head><body>Hi</body></html>";
    world.server.set_file("site/index.html", page);
    let before = std::fs::read_to_string(world.config()).unwrap();
    let with_comment = format!("# operator's note: keep this\n{before}");
    std::fs::write(world.config(), &with_comment).unwrap();

    let url = format!("{}/site/index.html", world.server.origin());
    let out = world
        .feedmix(&["feeds", "add", &url, "--name", "cedar2"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(world.config()).unwrap();
    assert!(
        after.starts_with(&with_comment),
        "existing text was rewritten:\n{after}"
    );
    assert!(
        after.contains("name = \"cedar2\"") && after.contains("/cedarnews/feed.xml\""),
        "{after}"
    );
    let check = world.feedmix(&["config", "check"]).await;
    assert!(
        check.status.success() && String::from_utf8_lossy(&check.stdout).contains("5 feeds"),
        "{}",
        text(&check)
    );

    let dup = world
        .feedmix(&["feeds", "add", &url, "--name", "cedar2"])
        .await;
    assert_eq!(dup.status.code(), Some(2), "{}", text(&dup));

    let out = world.feedmix(&["feeds", "remove", "cedar2"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(world.config()).unwrap().trim_end(),
        with_comment.trim_end()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_daemon_polls_and_stops_cleanly_on_sigterm() {
    let world = World::start(Router::new(), "").await;
    let mut child = start_feedmix(&world, &["run"]);
    let stored = wait_for_count(&world.db(), POLLED, 4).await;
    assert_eq!(stored, 4, "run did not poll every feed");
    let status = stop(&mut child, "TERM").await;
    assert!(status.success(), "{status:?}");
    // Every feed has a next check in the future, kept in the database for the next start.
    assert_eq!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM feeds WHERE next_check > unixepoch()"
        ),
        4
    );
    assert_intact(&world.db());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_reloads_feeds_toml_on_sighup_and_keeps_a_good_config_over_a_bad_one() {
    let world = World::start(Router::new(), "").await;
    let mut child = start_feedmix(&world, &["run"]);
    wait_for_count(&world.db(), POLLED, 4).await;
    let good = std::fs::read_to_string(world.config()).unwrap();

    // A broken file is refused and the daemon keeps running on the old one.
    std::fs::write(
        world.config(),
        format!("{good}\n[[feeds]]\nname = \"broken\"\n"),
    )
    .unwrap();
    send(&child, "HUP");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "run exited on a bad reload"
    );

    // A good file with one more feed: the new feed is polled without a restart.
    let first_url = good
        .lines()
        .find_map(|l| l.strip_prefix("url = "))
        .expect("a feed url")
        .trim_matches('"')
        .to_string();
    std::fs::write(
        world.config(),
        format!("{good}\n[[feeds]]\nname = \"added\"\nurl = \"{first_url}?via=reload\"\n"),
    )
    .unwrap();
    send(&child, "HUP");
    let added = wait_for_count(
        &world.db(),
        "SELECT COUNT(*) FROM feeds WHERE name = 'added' AND last_success IS NOT NULL",
        1,
    )
    .await;
    assert_eq!(added, 1, "the feed added by the reload was not polled");
    let status = stop(&mut child, "TERM").await;
    assert!(status.success(), "{status:?}");
    assert_intact(&world.db());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_backup_and_json_summary() {
    let world = World::start(Router::new(), "").await;
    let out = world.feedmix(&["ingest", "--json"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["feeds"].as_array().unwrap().len(), 4);
    assert!(summary["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "ok"));

    let listing = world.feedmix(&["feeds", "--json"]).await;
    let feeds: serde_json::Value = serde_json::from_slice(&listing.stdout).unwrap();
    assert!(
        feeds
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] == "ok" && f["items"].as_i64().unwrap() > 0),
        "{feeds}"
    );

    let backup = world.dir.path().join("backup.db");
    let out = world
        .feedmix(&["db", "backup", backup.to_str().unwrap()])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        count(&backup, "SELECT COUNT(*) FROM stories"),
        count(&world.db(), "SELECT COUNT(*) FROM stories")
    );

    // Fixture stories are dated 23-27 November 2026: a one-day window prunes (some of) them.
    let before = count(&world.db(), "SELECT COUNT(*) FROM stories");
    let out = world.feedmix(&["prune", "--keep-days", "1"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let after = count(&world.db(), "SELECT COUNT(*) FROM stories");
    assert!(after < before, "nothing pruned: {before} -> {after}");
    assert_eq!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)"
        ),
        0
    );
    let out = world.feedmix(&["db", "check"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_intact(&world.db());
}

/// `feedmix ingest` stopped by SIGINT while one feed still hangs: exit 130, and the feeds
/// already written are in the database, readable, without their articles lost or halved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_ingest_keeps_the_feeds_already_written() {
    let hang = Router::new().route(
        "/hang/feed.xml",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(120)).await;
            ""
        }),
    );
    let world = World::start(
        hang,
        "[[feeds]]\nname = \"hang\"\nurl = \"{{BASE}}/hang/feed.xml\"\n",
    )
    .await;
    // The test world's 3 s timeout would end the hanging poll before the signal.
    let config = std::fs::read_to_string(world.config()).unwrap();
    assert!(config.contains("timeout = \"3s\""));
    std::fs::write(
        world.config(),
        config.replace("timeout = \"3s\"", "timeout = \"60s\""),
    )
    .unwrap();
    let mut child = start_feedmix(&world, &["ingest"]);
    let stored = wait_for_count(&world.db(), POLLED, 4).await;
    assert_eq!(
        stored, 4,
        "the four fixture feeds were not written while one hung"
    );
    let status = stop(&mut child, "INT").await;
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_intact(&world.db());
    let db = world.db();
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM feeds WHERE name = 'hang' AND last_success IS NULL"
        ),
        1
    );
    let written = count(&db, "SELECT COUNT(*) FROM articles");
    assert!(written > 0);
    // Every written article belongs to a stored story: nothing halved.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)"
        ),
        0
    );
}
