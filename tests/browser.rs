//! A real browser (Debian's headless Chromium) against the served pages: the stories, the
//! related links and the story page are in the DOM, and screenshots are saved under
//! `target/screenshots/` for people to look at.

use std::path::{Path, PathBuf};

use crate::serve_support::{ingested_world, start_serve};

fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("Chromium is needed for the browser test: run scripts/setup.sh (apt-get install chromium)")
}

/// Runs headless Chromium on `url` with `mode` (`--dump-dom` or `--screenshot=FILE`).
async fn chromium_run(url: &str, mode: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1200,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(mode)
        .arg(url)
        .output()
        .await
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_page_and_story_page_in_a_browser() {
    let world = ingested_world("").await;
    let server = start_serve(&world).await;
    let dom = chromium_run(&format!("{}/", server.origin), "--dump-dom").await;
    assert!(
        dom.matches("<article class=\"story\"").count() >= 20,
        "stories missing from the DOM"
    );
    assert!(
        dom.contains("Related articles"),
        "no related block on the front page"
    );
    assert!(
        dom.contains("Also reported by"),
        "no copies line on the front page"
    );
    assert!(dom.contains("What the Court of Audit found at the Port of Beirut"));
    assert!(dom.contains("<main id=\"main\""));
    assert!(
        dom.contains("lang=\"fr\""),
        "French articles are not marked"
    );

    let story_id = dom
        .split("href=\"/story/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let story = chromium_run(&format!("{}/story/{story_id}", server.origin), "--dump-dom").await;
    assert!(
        story.contains("Read the original article on"),
        "source link missing"
    );
    assert!(story.contains("<div class=\"body\">"));
    assert!(!story.contains("<script"), "a script reached the page");

    let shots = screenshot_dir();
    for (name, path) in [
        ("front.png", "/".to_string()),
        ("story.png", format!("/story/{story_id}")),
    ] {
        let file = shots.join(name);
        chromium_run(
            &format!("{}{path}", server.origin),
            &format!("--screenshot={}", file.display()),
        )
        .await;
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 10_000,
            "{} looks empty ({size} bytes)",
            file.display()
        );
    }
}
