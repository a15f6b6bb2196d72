use chrono::{DateTime, Utc};

use super::*;
use crate::config::Config;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn config() -> Config {
    Config::from_toml(
        "[[feeds]]\nname = \"a\"\nurl = \"https://a.example/rss\"\n[[feeds]]\nname = \"b\"\nurl = \"https://b.example/rss\"\n",
        std::path::Path::new("feeds.toml"),
    )
    .unwrap()
}

fn record(identity: &str, title: &str) -> ArticleRecord {
    ArticleRecord {
        identity: identity.into(),
        guid: Some(identity.into()),
        url: format!("https://a.example/{identity}"),
        canonical_url: format!("a.example/{identity}"),
        title: title.into(),
        author: None,
        categories: vec!["News".into()],
        image: None,
        enclosures: vec![],
        lang: Some("en".into()),
        content_html: "<p>Body</p>".into(),
        content_text: "Body".into(),
        summary: Some("Body".into()),
        body_source: "page".into(),
        page_error: None,
        noarchive: false,
        feed_hash: format!("h-{title}"),
        published: now(),
    }
}

fn next() -> NextCheck {
    NextCheck {
        at: now() + chrono::Duration::minutes(30),
        disable: None,
    }
}

fn fetched() -> PollResult {
    PollResult::Fetched {
        validators: crate::fetch::Validators {
            etag: Some("\"e1\"".into()),
            last_modified: None,
        },
        ttl_minutes: None,
        fresh_secs: None,
        update_period_secs: None,
        moved_to: None,
    }
}

#[test]
fn migrations_are_recorded_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        MIGRATIONS.last().unwrap().0
    );
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

#[test]
fn batch_writes_articles_stories_and_state_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap();
    let writes = vec![
        ArticleWrite::New {
            record: record("1", "One"),
            story: None,
        },
        ArticleWrite::New {
            record: record("2", "Two"),
            story: None,
        },
    ];
    let stats = store
        .write_feed_batch(
            feed.id,
            &writes,
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap();
    assert_eq!(stats, WriteStats { new: 2, updated: 0 });
    let feed = store.feed("a").unwrap();
    assert_eq!(feed.validators.etag.as_deref(), Some("\"e1\""));
    assert_eq!(feed.article_count, 2);
    let stories = store.newest_stories(None).unwrap();
    assert_eq!(stories.len(), 2);
    assert_eq!(stories[0].story.source, "a");
    assert_eq!(stories[0].story.categories, ["News"]);
}

#[test]
fn update_keeps_story_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap();
    store
        .write_feed_batch(
            feed.id,
            &[ArticleWrite::New {
                record: record("1", "One"),
                story: None,
            }],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap();
    let known = store.known_by_identity(feed.id, "1").unwrap().unwrap();
    let before = store.newest_stories(None).unwrap()[0].story.clone();
    let later = now() + chrono::Duration::minutes(5);
    let update = ArticleWrite::Update {
        id: known.id,
        record: record("1", "One, corrected"),
        keep_body: true,
    };
    store
        .write_feed_batch(
            feed.id,
            &[update],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            later,
        )
        .unwrap();
    let after = store.newest_stories(None).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].story.id, before.id);
    assert_eq!(after[0].story.title, "One, corrected");
    assert_eq!(after[0].story.updated, later);
}

#[test]
fn copies_join_a_story_as_also_reported_by() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let (a, b) = (store.feed("a").unwrap(), store.feed("b").unwrap());
    store
        .write_feed_batch(
            a.id,
            &[ArticleWrite::New {
                record: record("1", "Wire"),
                story: None,
            }],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap();
    let story = store.newest_stories(None).unwrap()[0].story.id;
    let mut copy = record("9", "Wire, retitled");
    copy.url = "https://b.example/9".into();
    store
        .write_feed_batch(
            b.id,
            &[ArticleWrite::New {
                record: copy,
                story: Some(story),
            }],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap();
    let stories = store.newest_stories(None).unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].story.title, "Wire");
    assert_eq!(stories[0].story.also_reported_by[0].source, "b");
}

#[test]
fn failures_count_up_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let id = store.feed("a").unwrap().id;
    let fail = PollResult::Failed {
        status: Some(500),
        kind: "status".into(),
        error: "HTTP 500".into(),
        retry_after: None,
    };
    store.record_poll(id, &fail, &next(), now()).unwrap();
    store.record_poll(id, &fail, &next(), now()).unwrap();
    assert_eq!(store.feed("a").unwrap().consecutive_failures, 2);
    store
        .record_poll(id, &PollResult::NotModified, &next(), now())
        .unwrap();
    let row = store.feed("a").unwrap();
    assert_eq!(row.consecutive_failures, 0);
    assert_eq!(row.last_status, Some(304));
    assert_eq!(row.last_error, None);
}

#[test]
fn prune_removes_old_stories_and_their_index_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap();
    let mut old = record("old", "Old story about the harbour audit");
    old.published = now() - chrono::Duration::days(40);
    old.content_text =
        "The harbour audit began with inspectors and engineers reviewing contracts.".into();
    let mut fresh = record("new", "New story about the harbour audit");
    fresh.content_text = "Harbour audit inspectors and engineers published contracts today.".into();
    let writes = vec![
        ArticleWrite::New {
            record: old,
            story: None,
        },
        ArticleWrite::New {
            record: fresh,
            story: None,
        },
    ];
    let linking = crate::related::RelatedConfig::new(3, 60, Some(0.0));
    store
        .write_feed_batch(feed.id, &writes, &fetched(), &next(), &linking, now())
        .unwrap();
    let before = store.newest_stories(None).unwrap();
    assert_eq!(
        before[0].story.related.len(),
        1,
        "the two stories should relate before pruning"
    );
    let stats = store.prune(now() - chrono::Duration::days(30)).unwrap();
    assert_eq!(
        stats,
        PruneStats {
            stories: 1,
            articles: 1
        }
    );
    let left = store.newest_stories(None).unwrap();
    assert_eq!(left.len(), 1);
    assert!(
        left[0].story.related.is_empty(),
        "a link to a pruned story survived"
    );
    let orphans: i64 = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM terms WHERE story_id NOT IN (SELECT id FROM stories))
                  + (SELECT COUNT(*) FROM bands WHERE article_id NOT IN (SELECT id FROM articles))
                  + (SELECT COUNT(*) FROM related WHERE other_id NOT IN (SELECT id FROM stories))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

#[test]
fn backup_is_a_readable_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let copy = dir.path().join("copy.db");
    store.backup(&copy).unwrap();
    store.vacuum().unwrap();
    let restored = Store::open(&copy).unwrap();
    assert_eq!(restored.feeds().unwrap().len(), 2);
}
