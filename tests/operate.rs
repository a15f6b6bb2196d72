//! Operating feedmix: editing feeds.toml from the CLI, the `run` daemon and its signals,
//! pruning, backups and machine-readable output.

use std::time::Duration;

use axum::Router;

use crate::support::{assert_intact, count, count_when_ready, text, World};

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
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .arg("run")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stored = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stored = count_when_ready(
            &world.db(),
            "SELECT COUNT(*) FROM feeds WHERE last_success IS NOT NULL",
        )
        .unwrap_or(0);
        if stored == 4 {
            break;
        }
    }
    assert_eq!(stored, 4, "run did not poll every feed");
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("run stops on SIGTERM")
        .unwrap();
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
    let polled = |name: &str| {
        count(
            &world.db(),
            &format!(
                "SELECT COUNT(*) FROM feeds WHERE name = '{name}' AND last_success IS NOT NULL"
            ),
        )
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .arg("run")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap().to_string();
    let hup = || {
        assert!(std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success());
    };
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if count_when_ready(
            &world.db(),
            "SELECT COUNT(*) FROM feeds WHERE last_success IS NOT NULL",
        ) == Some(4)
        {
            break;
        }
    }
    let good = std::fs::read_to_string(world.config()).unwrap();

    // A broken file is refused and the daemon keeps running on the old one.
    std::fs::write(
        world.config(),
        format!("{good}\n[[feeds]]\nname = \"broken\"\n"),
    )
    .unwrap();
    hup();
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
    hup();
    let mut added = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        added = polled("added");
        if added == 1 {
            break;
        }
    }
    assert_eq!(added, 1, "the feed added by the reload was not polled");
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("run stops on SIGTERM")
        .unwrap();
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
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedmix"))
        .arg("--config")
        .arg(world.config())
        .arg("ingest")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stored = 0;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stored = count_when_ready(
            &world.db(),
            "SELECT COUNT(*) FROM feeds WHERE last_success IS NOT NULL",
        )
        .unwrap_or(0);
        if stored == 4 {
            break;
        }
    }
    assert_eq!(
        stored, 4,
        "the four fixture feeds were not written while one hung"
    );
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("ingest stops on SIGINT")
        .unwrap();
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
            "SELECT COUNT(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id
             WHERE s.id IS NULL"
        ),
        0
    );
}
