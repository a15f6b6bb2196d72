use std::path::Path;
use std::time::Duration;

use super::*;

fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new("/etc/feedmix/feeds.toml"))
}

const MINIMAL: &str = "[[feeds]]\nname = \"a\"\nurl = \"https://example.com/rss\"\n";

#[test]
fn shipped_feeds_toml_is_valid() {
    let text = include_str!("../../feeds.toml");
    let config = load(text).expect("the shipped feeds.toml validates");
    let names: Vec<&str> = config.feeds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["almanar", "cedarnews", "lorientlejour", "lorienttoday"]
    );
    assert_eq!(
        config.feed("cedarnews").unwrap().interval,
        Duration::from_secs(900)
    );
}

#[test]
fn defaults_apply() {
    let c = load(MINIMAL).unwrap();
    assert_eq!(c.database, Path::new("/etc/feedmix/feedmix.db"));
    assert!(!c.fetch.allow_private_networks);
    assert!(c.fetch.respect_robots);
    assert_eq!(c.fetch.per_host_concurrency, 2);
    assert_eq!(c.fetch.per_host_delay, Duration::from_millis(250));
    assert_eq!(c.schedule.interval, Duration::from_secs(1800));
    assert_eq!(c.related.count, 3);
    assert_eq!(c.related.window_days, 30);
    assert_eq!(c.keep_days, 0);
    let feed = &c.feeds[0];
    assert!(feed.fetch_articles);
    assert_eq!(feed.republish, Republish::Full);
    assert_eq!(feed.title, "a");
    assert!(c.publish.base_url.as_str().ends_with('/'));
}

#[test]
fn bad_values_name_the_key() {
    let cases = [
        ("[fetch]\nper_host_concurrency = 0\n", "fetch.per_host_concurrency"),
        ("[schedule]\ninterval = \"often\"\n", "schedule.interval"),
        ("[[feeds]]\nname = \"A B\"\nurl = \"https://e.com/\"\n", "feeds[0].name"),
        ("[[feeds]]\nname = \"a\"\nurl = \"ftp://e.com/\"\n", "feeds[0].url"),
        ("[[feeds]]\nname = \"a\"\nurl = \"https://e.com/\"\nrepublish = \"all\"\n", "feeds[0].republish"),
        ("[[feeds]]\nname = \"a\"\nurl = \"https://e.com/\"\n[feeds.extract]\ncontent = [\"div[\"]\n", "feeds[0].extract.content"),
        ("[related]\nmin_score = 3.0\n", "related.min_score"),
        ("[publish]\nbase_url = \"not a url\"\n", "publish.base_url"),
        ("[schedule]\nmin_interval = \"2h\"\nmax_interval = \"1h\"\n", "schedule.min_interval"),
        (&format!("{MINIMAL}{MINIMAL}"), "feeds[1].name"),
    ];
    for (text, key) in cases {
        let err = load(text).expect_err(text).to_string();
        assert!(err.contains(key), "{text:?}: {err}");
    }
}

#[test]
fn unknown_keys_are_rejected() {
    let err = load("[fetch]\nuser_agnet = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("user_agnet"), "{err}");
}

#[test]
fn all_reserved_keys_are_accepted() {
    let text = r#"
[storage]
database = "x.db"
[publish]
base_url = "https://news.example.org/mix"
title = "Mix"
websub_hub = "https://hub.example.org/"
[fetch]
user_agent = "ua"
proxy = "http://proxy:3128"
respect_robots = false
allow_private_networks = true
per_host_concurrency = 3
per_host_delay_ms = 100
[schedule]
interval = "10m"
min_interval = "1m"
max_interval = "12h"
max_failures = 5
[related]
count = 5
window_days = 7
min_score = 0.3
[retention]
keep_days = 90
[[feeds]]
name = "a"
url = "https://e.com/rss"
fetch_articles = false
interval = "1h"
republish = "excerpt"
[feeds.extract]
content = ["article .body"]
remove = [".ad"]
"#;
    let c = load(text).unwrap();
    assert_eq!(c.publish.base_url.as_str(), "https://news.example.org/mix/");
    assert_eq!(c.related.min_score, Some(0.3));
    assert_eq!(c.keep_days, 90);
    assert_eq!(c.feeds[0].republish, Republish::Excerpt);
    assert!(!c.feeds[0].respect_robots);
}
