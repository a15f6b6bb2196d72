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

/// A new database in a temporary directory (kept while the directory lives), its feeds
/// those of [`config`].
fn synced_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    (dir, store)
}

/// Writes one new article for `feed_id` as a feed batch of its own, into `story` if given.
fn write_new(
    store: &mut Store,
    feed_id: i64,
    record: ArticleRecord,
    story: Option<i64>,
) -> WriteStats {
    store
        .write_feed_batch(
            feed_id,
            &[ArticleWrite::New {
                record,
                story,
                prepared: None,
            }],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap()
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
    let (_dir, mut store) = synced_store();
    let feed = store.feed("a").unwrap();
    let writes = vec![
        ArticleWrite::New {
            record: record("1", "One"),
            story: None,
            prepared: None,
        },
        ArticleWrite::New {
            record: record("2", "Two"),
            story: None,
            prepared: None,
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
    let (_dir, mut store) = synced_store();
    let feed = store.feed("a").unwrap();
    write_new(&mut store, feed.id, record("1", "One"), None);
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
    let (_dir, mut store) = synced_store();
    let (a, b) = (store.feed("a").unwrap(), store.feed("b").unwrap());
    write_new(&mut store, a.id, record("1", "Wire"), None);
    let story = store.newest_stories(None).unwrap()[0].story.id;
    let mut copy = record("9", "Wire, retitled");
    copy.url = "https://b.example/9".into();
    write_new(&mut store, b.id, copy, Some(story));
    let stories = store.newest_stories(None).unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].story.title, "Wire");
    assert_eq!(stories[0].story.also_reported_by[0].source, "b");
}

#[test]
fn failures_count_up_and_reset() {
    let (_dir, mut store) = synced_store();
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
    let (_dir, mut store) = synced_store();
    let feed = store.feed("a").unwrap();
    let mut old = record("old", "Old story about the harbour audit");
    old.published = now() - chrono::Duration::days(40);
    old.content_text =
        "The harbour audit began with inspectors and engineers reviewing contracts.".into();
    let mut fresh = record("new", "New story about the harbour audit");
    fresh.content_text = "Harbour audit inspectors and engineers published contracts today, \
        after a long review of the spending at the port."
        .into();
    let writes = vec![
        ArticleWrite::New {
            record: old,
            story: None,
            prepared: None,
        },
        ArticleWrite::New {
            record: fresh,
            story: None,
            prepared: None,
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
    // The index rows have no foreign keys (migration 7): prune deletes them itself, and only
    // the pruned story's. The surviving story keeps its postings and band keys.
    let (postings, bands): (i64, i64) = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM terms WHERE story_id = ?1),
                    (SELECT COUNT(*) FROM bands WHERE article_id IN
                        (SELECT id FROM articles WHERE story_id = ?1))",
            [left[0].story.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(postings > 0, "the surviving story lost its postings");
    assert!(bands > 0, "the surviving story lost its band keys");
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

#[test]
fn prune_closes_up_the_ranks_of_lists_that_linked_a_pruned_story() {
    let (_dir, mut store) = synced_store();
    let feed = store.feed("a").unwrap();
    let story = |identity: &str, days_old: i64| {
        let mut r = record(identity, &format!("Story {identity}"));
        r.published = now() - chrono::Duration::days(days_old);
        ArticleWrite::New {
            record: r,
            story: None,
            prepared: None,
        }
    };
    let writes = [
        story("old", 40),
        story("x", 1),
        story("q", 1),
        story("y", 1),
    ];
    let linking = crate::related::RelatedConfig::default();
    store
        .write_feed_batch(feed.id, &writes, &fetched(), &next(), &linking, now())
        .unwrap();
    let id = |identity: &str| -> i64 {
        store
            .conn
            .query_row(
                "SELECT story_id FROM articles WHERE identity = ?1",
                [identity],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (old, x, q, y) = (id("old"), id("x"), id("q"), id("y"));
    // Lists as linking would leave them: the old story ranked first in x's, last in y's.
    store
        .conn
        .execute_batch(&format!(
            "DELETE FROM related;
             INSERT INTO related (story_id, rank, other_id, score) VALUES
                 ({x}, 0, {old}, 0.9), ({x}, 1, {q}, 0.8), ({x}, 2, {y}, 0.7),
                 ({y}, 0, {q}, 0.9), ({y}, 1, {old}, 0.5);"
        ))
        .unwrap();
    store.prune(now() - chrono::Duration::days(30)).unwrap();
    let rows: Vec<(i64, i64, i64)> = store
        .conn
        .prepare("SELECT story_id, rank, other_id FROM related ORDER BY story_id, rank")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut expected = vec![(x, 0, q), (x, 1, y), (y, 0, q)];
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn backup_is_a_readable_copy() {
    let (dir, store) = synced_store();
    let copy = dir.path().join("copy.db");
    store.backup(&copy).unwrap();
    store.vacuum().unwrap();
    let restored = Store::open(&copy).unwrap();
    assert_eq!(restored.feeds().unwrap().len(), 2);
}

/// Document frequencies as `term_df` holds them.
fn df_table(store: &Store) -> std::collections::BTreeMap<i64, i64> {
    let mut stmt = store.conn.prepare("SELECT term, df FROM term_df").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap());
    rows.collect()
}

/// Document frequencies the database implies: `term_df` plus the stories not yet counted in it.
fn df_effective(store: &Store) -> std::collections::BTreeMap<i64, i64> {
    let mut out = df_table(store);
    let mut stmt = store
        .conn
        .prepare("SELECT vector FROM story_vectors WHERE counted = 0")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let blob: Vec<u8> = row.get(0).unwrap();
        for (t, _) in index::decode_vector(&blob).terms {
            *out.entry(t).or_insert(0) += 1;
        }
    }
    out.retain(|_, df| *df != 0);
    out
}

/// Document frequencies counted from scratch over the stored vectors.
fn df_recount(store: &Store) -> std::collections::BTreeMap<i64, i64> {
    let mut out = std::collections::BTreeMap::new();
    let mut stmt = store
        .conn
        .prepare("SELECT vector FROM story_vectors")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let blob: Vec<u8> = row.get(0).unwrap();
        for (t, _) in index::decode_vector(&blob).terms {
            *out.entry(t).or_insert(0) += 1;
        }
    }
    out
}

/// What this connection's related index answers for `terms` (through its df cache).
fn df_seen(store: &Store, terms: &[i64]) -> Vec<u64> {
    use crate::related::RelatedStore;
    index::SqlIndex::new(&store.conn, &store.index_cache).doc_freqs(terms)
}

fn story_write(identity: &str, title: &str, text: &str) -> ArticleWrite {
    let mut r = record(identity, title);
    r.content_text = text.into();
    ArticleWrite::New {
        record: r,
        story: None,
        prepared: None,
    }
}

/// A batch that fails after linking a new story: its second article names a story that does
/// not exist, so the whole batch rolls back.
fn rolled_back_batch(identity: &str, title: &str, text: &str) -> [ArticleWrite; 2] {
    let mut orphan = record(&format!("{identity}-orphan"), "Orphan");
    orphan.content_text = "Unrelated text".into();
    [
        story_write(identity, title, text),
        ArticleWrite::New {
            record: orphan,
            story: Some(999_999),
            prepared: None,
        },
    ]
}

#[test]
fn cached_frequencies_stay_exact_across_rollback_other_writers_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap().id;
    let linking = crate::related::RelatedConfig::default();
    let text = "Harbour inspectors audited the port contracts and found missing cranes.";
    store
        .write_feed_batch(
            feed,
            &[story_write(
                "s1",
                "Harbour audit finds missing cranes",
                text,
            )],
            &fetched(),
            &next(),
            &linking,
            now(),
        )
        .unwrap();
    assert_eq!(df_effective(&store), df_recount(&store));
    let terms: Vec<i64> = df_recount(&store).keys().copied().collect();

    // The frequencies a rolled-back batch counted must not survive in the cache.
    let failing = rolled_back_batch("s2", "Harbour audit: cranes missing", text);
    assert!(store
        .write_feed_batch(feed, &failing, &fetched(), &next(), &linking, now())
        .is_err());
    assert_eq!(df_effective(&store), df_recount(&store));
    assert_eq!(df_seen(&store, &terms), vec![1; terms.len()]);

    // Another connection adds a story with the same terms: this one must see it.
    let mut other = Store::open(&path).unwrap();
    other
        .write_feed_batch(
            feed,
            &[story_write(
                "s4",
                "Harbour audit finds missing cranes",
                "Missing cranes were found after harbour inspectors audited port contracts.",
            )],
            &fetched(),
            &next(),
            &linking,
            now(),
        )
        .unwrap();
    drop(other);
    store
        .write_feed_batch(
            feed,
            &[story_write(
                "s5",
                "Weather",
                "Rain is expected over the mountains tonight.",
            )],
            &fetched(),
            &next(),
            &linking,
            now(),
        )
        .unwrap();
    let recount = df_recount(&store);
    assert_eq!(df_effective(&store), recount);
    assert!(
        terms.iter().any(|t| recount[t] == 2),
        "the other connection's story should share terms"
    );
    let expected: Vec<u64> = terms.iter().map(|t| recount[t] as u64).collect();
    assert_eq!(df_seen(&store, &terms), expected);

    // Pruning takes every term of the removed stories back out.
    store.prune(now() + chrono::Duration::days(1)).unwrap();
    assert!(df_effective(&store).is_empty());
    assert_eq!(df_seen(&store, &terms), vec![0; terms.len()]);
}

/// A fresh database with feed "a", for the held-transaction tests.
struct Held {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
    feed: i64,
}

impl Held {
    fn new() -> Held {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path).unwrap();
        store.sync_feeds(&config().feeds).unwrap();
        let feed = store.feed("a").unwrap().id;
        Held {
            _dir: dir,
            path,
            store,
            feed,
        }
    }

    /// Holds one feed batch of `writes`.
    fn batch(&mut self, writes: &[ArticleWrite]) -> Result<Vec<WriteStats>> {
        let (poll, next) = (fetched(), next());
        let batch = FeedBatch {
            feed_id: self.feed,
            writes,
            poll: &poll,
            next: &next,
        };
        let linking = crate::related::RelatedConfig::default();
        self.store.hold_feed_batches(&[batch], &linking, now())
    }

    /// Holds a batch of one new story.
    fn story(&mut self, identity: &str, title: &str, text: &str) -> Result<Vec<WriteStats>> {
        self.batch(&[story_write(identity, title, text)])
    }

    /// Articles another connection sees in the database file.
    fn committed(&self) -> i64 {
        rusqlite::Connection::open(&self.path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))
            .unwrap()
    }
}

#[test]
fn held_batches_share_one_transaction_and_appear_together_at_commit() {
    let mut h = Held::new();
    assert!(h.store.held_for().is_none());

    let first = h.story("h1", "Port strike", "Dockers stopped work at the harbour.");
    assert_eq!(first.unwrap()[0].new, 1);
    assert!(h.store.held_for().is_some());
    // A poll recorded meanwhile joins the transaction.
    h.store
        .record_poll(h.feed, &PollResult::NotModified, &next(), now())
        .unwrap();
    h.story(
        "h2",
        "Rail strike",
        "Train drivers walked out in the capital.",
    )
    .unwrap();
    assert_eq!(
        h.committed(),
        0,
        "held writes are not visible to other connections"
    );

    h.store.commit_held().unwrap();
    assert!(h.store.held_for().is_none());
    assert_eq!(h.committed(), 2);
    h.store.commit_held().unwrap();
    assert_eq!(df_effective(&h.store), df_recount(&h.store));
}

#[test]
fn a_failing_held_batch_rolls_back_everything_held_and_the_store_goes_on() {
    let mut h = Held::new();
    let text = "Harbour inspectors audited the port contracts and found missing cranes.";
    h.story("f1", "Harbour audit", text).unwrap();
    let failing = rolled_back_batch("f2", "Harbour audit: cranes missing", text);
    assert!(h.batch(&failing).is_err());
    assert!(h.store.held_for().is_none());
    h.store.commit_held().unwrap();
    assert_eq!(h.committed(), 0, "nothing of a rolled-back hold is kept");
    // The frequencies counted by the rolled-back stories are forgotten too.
    assert!(df_recount(&h.store).is_empty());
    assert_eq!(df_effective(&h.store), df_recount(&h.store));

    h.story("f3", "Harbour audit", text).unwrap();
    h.store.commit_held().unwrap();
    assert_eq!(h.committed(), 1);
    assert_eq!(df_effective(&h.store), df_recount(&h.store));
}

#[test]
fn a_held_transaction_sqlite_ended_is_an_error_not_autocommitted_writes() {
    let mut h = Held::new();
    h.story("e1", "Port strike", "Dockers stopped work.")
        .unwrap();
    // As SQLite does on some I/O errors: the transaction ends under the store.
    h.store.conn.execute_batch("ROLLBACK").unwrap();
    let second = h.story("e2", "Rail strike", "Drivers walked out.");
    assert!(second
        .unwrap_err()
        .to_string()
        .contains("ended before its commit"));
    assert!(h.store.held_for().is_none());
    assert_eq!(h.committed(), 0, "nothing written outside a transaction");

    h.story("e3", "Bus strike", "Bus drivers joined them.")
        .unwrap();
    h.store.commit_held().unwrap();
    assert_eq!(h.committed(), 1);
    assert_eq!(df_effective(&h.store), df_recount(&h.store));
}

#[test]
fn writes_needing_a_transaction_of_their_own_commit_the_held_one_first() {
    let mut h = Held::new();
    h.story("w1", "Port strike", "Dockers stopped work.")
        .unwrap();
    h.store.sync_feeds(&config().feeds).unwrap();
    assert!(h.store.held_for().is_none());
    assert_eq!(h.committed(), 1);

    h.story("w2", "Rail strike", "Train drivers walked out.")
        .unwrap();
    // A single batch write commits what was held with it.
    h.store
        .write_feed_batch(
            h.feed,
            &[story_write("w3", "Bus strike", "Bus drivers joined them.")],
            &fetched(),
            &next(),
            &crate::related::RelatedConfig::default(),
            now(),
        )
        .unwrap();
    assert_eq!(h.committed(), 3);

    h.story("w4", "Ferry strike", "Ferries stayed in port.")
        .unwrap();
    h.store.prune(now() - chrono::Duration::days(365)).unwrap();
    assert!(h.store.held_for().is_none());
    assert_eq!(h.committed(), 4);
}

/// A database file as feedmix left it after migrations 1..=`version`, for migration tests.
fn database_at_version(path: &std::path::Path, version: usize) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .unwrap();
    for (version, sql) in &MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)",
            [version],
        )
        .unwrap();
    }
    conn
}

#[test]
fn version_6_index_rows_keep_their_owners_and_lose_their_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    {
        // A database as migrations 1-6 left it: one story with one article, its band key and
        // posting, and rows whose owners are gone (written with foreign keys off).
        let conn = database_at_version(&path, 6);
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO feeds (id, name, url, title) VALUES (1, 'a', 'http://a.test/', 'A');
             INSERT INTO stories (id, primary_id, published, updated) VALUES (7, 70, 5, 5);
             INSERT INTO articles (id, feed_id, story_id, identity, url, canonical_url, title,
                 content_html, content_text, body_source, feed_hash, published, first_seen,
                 modified)
                 VALUES (70, 1, 7, 'g', 'http://a.test/1', 'http://a.test/1', 'T', '', '',
                 'feed', 'h', 5, 5, 5);
             INSERT INTO bands (band_key, article_id) VALUES (11, 70), (12, 99);
             INSERT INTO terms (term, published, story_id, weight)
                 VALUES (21, 5, 7, 0.5), (22, 5, 8, 0.5);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        MIGRATIONS.last().unwrap().0
    );
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    let rows = |sql: &str| -> Vec<(i64, i64)> {
        let mut stmt = store.conn.prepare(sql).unwrap();
        let out = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        out
    };
    assert_eq!(
        rows("SELECT band_key, article_id FROM bands"),
        vec![(11, 70)]
    );
    assert_eq!(rows("SELECT term, story_id FROM terms"), vec![(21, 7)]);
    let indexes: i64 = store
        .conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'
             AND tbl_name IN ('terms', 'bands') AND sql IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0, "the by-owner indexes are gone");
}

#[test]
fn version_4_index_is_migrated_with_its_postings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let old_text = "Harbour inspectors audited the port contracts and found missing cranes.";
    let vector = crate::related::term_vector("Harbour audit", old_text, Some("en"));
    {
        // A database as feedmix with migrations 1-4 left it, holding one indexed story.
        let conn = database_at_version(&path, 4);
        let published = (now() - chrono::Duration::days(1)).timestamp();
        conn.execute(
            "INSERT INTO stories (id, published, updated) VALUES (7, ?1, ?1)",
            [published],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO story_vectors (story_id, source, published, vector) VALUES (7, 'b', ?1, ?2)",
            rusqlite::params![published, index::encode_vector(&vector)],
        )
        .unwrap();
        for (t, w) in &vector.terms {
            conn.execute(
                "INSERT INTO terms (term, story_id, weight) VALUES (?1, 7, ?2)",
                rusqlite::params![t, f64::from(*w)],
            )
            .unwrap();
            conn.execute("INSERT INTO term_df (term, df) VALUES (?1, 1)", [t])
                .unwrap();
        }
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        MIGRATIONS.last().unwrap().0
    );
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    let (postings, count): (i64, i64) = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM terms WHERE story_id = 7 AND published > 0),
                    (SELECT n FROM story_count)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(postings as usize, vector.terms.len());
    assert_eq!(count, 1);
    // The migrated story is found through its old postings.
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap().id;
    let linking = crate::related::RelatedConfig::new(3, 30, Some(0.0));
    store
        .write_feed_batch(
            feed,
            &[story_write(
                "n1",
                "Port audit: cranes missing",
                "Port contracts audited; inspectors found cranes missing at the harbour.",
            )],
            &fetched(),
            &next(),
            &linking,
            now(),
        )
        .unwrap();
    let linked: Vec<i64> = store
        .conn
        .prepare("SELECT other_id FROM related WHERE story_id = (SELECT MAX(id) FROM stories)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        linked,
        vec![7],
        "the new story should link the migrated one"
    );
}

#[test]
fn new_stories_are_counted_into_term_df_in_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let feed = store.feed("a").unwrap().id;
    let linking = crate::related::RelatedConfig::default();
    let uncounted = |store: &Store| -> i64 {
        store
            .conn
            .query_row(
                "SELECT COUNT(*) FROM story_vectors WHERE counted = 0",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let words = [
        "harbour", "crane", "audit", "bridge", "council", "budget", "storm", "ferry", "school",
        "hospital", "election", "court", "strike", "museum", "market", "tunnel",
    ];
    let mut written = 0;
    while uncounted(&store) > 0 || written == 0 {
        // Fifteen words in a pseudo-random order: stories that share terms but no phrasing.
        let mut x = written as u64 * 2_654_435_761 + 1;
        let text: Vec<&str> = (0..15)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                words[(x >> 60) as usize]
            })
            .collect();
        let (a, b, c) = (text[0], text[1], text[2]);
        let text = text.join(" ");
        store
            .write_feed_batch(
                feed,
                &[story_write(
                    &format!("s{written}"),
                    &format!("{a} {b} {c}"),
                    &text,
                )],
                &fetched(),
                &next(),
                &linking,
                now(),
            )
            .unwrap();
        written += 1;
        assert_eq!(
            df_effective(&store),
            df_recount(&store),
            "after {written} stories"
        );
        assert!(written <= 1_000, "uncounted stories were never flushed");
        if written == 10 {
            // A restart in between: the uncounted stories are read back, not lost.
            drop(store);
            store = Store::open(&path).unwrap();
            let terms: Vec<i64> = df_recount(&store).keys().copied().collect();
            store.index_cache.borrow_mut().sync(&store.conn).unwrap();
            let expected: Vec<u64> = terms.iter().map(|t| df_recount(&store)[t] as u64).collect();
            assert_eq!(df_seen(&store, &terms), expected);
        }
    }
    assert_eq!(df_table(&store), df_recount(&store));
}

#[test]
fn frequencies_stay_exact_when_a_new_database_knows_every_term_df_row() {
    // A new database has no `term_df` rows, so the cache knows every row this connection
    // writes and looks none up. Stories left uncounted by an earlier run are read back at the
    // restart without their terms being numbered; their flush must number them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let linking = crate::related::RelatedConfig::default();
    let write = |store: &mut Store, n: usize, words: &[String]| {
        let feed = store.feed("a").unwrap().id;
        let text = words.join(" ");
        store
            .write_feed_batch(
                feed,
                &[story_write(&format!("s{n}"), &words[..3].join(" "), &text)],
                &fetched(),
                &next(),
                &linking,
                now(),
            )
            .unwrap();
    };
    let mut store = Store::open(&path).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    // Ten stories of words no later story uses.
    for n in 0..10 {
        let words: Vec<String> = (0..12).map(|i| format!("early{}", n * 12 + i)).collect();
        write(&mut store, n, &words);
    }
    drop(store);
    let mut store = Store::open(&path).unwrap();
    let mut n = 10;
    while df_table(&store).is_empty() {
        let words: Vec<String> = (0..12).map(|i| word(n * 7 + i)).collect();
        write(&mut store, n, &words);
        n += 1;
        assert!(n < 1_000, "uncounted stories were never flushed");
    }
    let recount = df_recount(&store);
    let terms: Vec<i64> = recount.keys().copied().collect();
    let expected: Vec<u64> = recount.values().map(|df| *df as u64).collect();
    assert_eq!(df_seen(&store, &terms), expected);
    assert_eq!(df_effective(&store), recount);
}

#[test]
fn an_article_another_feed_stored_meanwhile_is_not_stored_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).unwrap();
    store.sync_feeds(&config().feeds).unwrap();
    let (a, b) = (store.feed("a").unwrap(), store.feed("b").unwrap());
    // Both feeds were planned from a reader before either batch was written.
    let reader = Store::open_reader(&path).unwrap();
    assert!(reader.known_by_canonical("a.example/1").unwrap().is_none());
    assert_eq!(
        write_new(&mut store, a.id, record("1", "Wire"), None).new,
        1
    );
    assert_eq!(
        write_new(&mut store, b.id, record("1", "Wire, via b"), None).new,
        0
    );
    let stories = store.newest_stories(None).unwrap();
    assert_eq!(stories.len(), 1);
    assert!(stories[0].story.also_reported_by.is_empty());
    // The reader sees what was committed, and cannot write.
    let known = reader.known_by_canonical("a.example/1").unwrap().unwrap();
    assert_eq!(known.feed_id, a.id);
    assert!(reader.conn.execute("DELETE FROM articles", []).is_err());
}

/// A made-up word: syllables picked by `n` (distinct for n < 4,096).
fn word(n: usize) -> String {
    const SYL: [&str; 16] = [
        "ka", "lo", "mer", "tis", "van", "dor", "pel", "su", "gri", "hon", "bex", "ru", "zal",
        "fen", "quo", "nid",
    ];
    [n % 16, n / 16 % 16, n / 256 % 16]
        .iter()
        .map(|&k| SYL[k])
        .collect()
}

/// Story `i`: headline and text drawn pseudo-randomly from the vocabulary of one of four
/// events (200 words each), so stories of an event relate and no two are near-copies.
fn event_story(i: usize) -> (String, String) {
    let event = i % 4;
    let mut state = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
        // Skewed: low ranks are frequent, as in real text.
        let rank = (r % 200) * (r / 200 % 200) / 200;
        word(event * 200 + rank as usize)
    };
    let title = (0..6).map(|_| next()).collect::<Vec<_>>().join(" ");
    let text = (0..60).map(|_| next()).collect::<Vec<_>>().join(" ");
    (title, text)
}

#[test]
fn sql_index_links_exactly_as_the_memory_index_does() {
    use crate::related::{find_related, MemoryIndex, NewDoc, RelatedStore};
    let (dir, mut store) = synced_store();
    let feeds = [
        ("a", store.feed("a").unwrap().id),
        ("b", store.feed("b").unwrap().id),
    ];
    let linking = crate::related::RelatedConfig::default();
    let mut memory = MemoryIndex::new();
    let mut stories = std::collections::BTreeSet::new();
    let mut i = 0usize;
    let mut other = Store::open(&dir.path().join("t.db")).unwrap();
    for round in 0..160 {
        // Batches of one and of three articles (one transaction each); every fifth round a
        // batch that rolls back first, so its story ids are handed out again; every seventh
        // round written by another connection, so this one must drop what it cached; and
        // over 256 stories, so frequencies are also read back from `term_df`.
        let (name, feed) = feeds[round % 2];
        let writer = if round % 7 == 6 {
            &mut other
        } else {
            &mut store
        };
        if round % 5 == 2 {
            let failing = rolled_back_batch(
                "doomed",
                "Harbour cranes audit",
                "Port cranes audit contracts.",
            );
            assert!(writer
                .write_feed_batch(feed, &failing, &fetched(), &next(), &linking, now())
                .is_err());
        }
        let mut records = Vec::new();
        for _ in 0..(1 + 2 * (round % 2)) {
            let (title, text) = event_story(i);
            let mut r = record(&format!("s{i}"), &title);
            r.content_text = text;
            r.published = now() - chrono::Duration::hours(i as i64);
            records.push(r);
            i += 1;
        }
        let writes: Vec<ArticleWrite> = records
            .iter()
            .map(|r| ArticleWrite::New {
                record: r.clone(),
                story: None,
                prepared: None,
            })
            .collect();
        writer
            .write_feed_batch(feed, &writes, &fetched(), &next(), &linking, now())
            .unwrap();
        for r in &records {
            let story: i64 = store
                .conn
                .query_row(
                    "SELECT story_id FROM articles WHERE identity = ?1",
                    [&r.identity],
                    |row| row.get(0),
                )
                .unwrap();
            if stories.insert(story) {
                let doc = NewDoc::new(
                    story,
                    name,
                    r.published.timestamp(),
                    &r.title,
                    &r.content_text,
                    r.lang.as_deref(),
                );
                let update = find_related(&memory, &doc, &linking);
                memory.insert(doc.to_stored());
                memory.apply(story, &update);
            }
        }
    }
    let mut linked = 0;
    for story in &stories {
        let stored: Vec<(i64, f32)> = store
            .conn
            .prepare("SELECT other_id, score FROM related WHERE story_id = ?1 ORDER BY rank")
            .unwrap()
            .query_map([story], |r| Ok((r.get(0)?, r.get::<_, f64>(1)? as f32)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, memory.related_of(*story), "story {story}");
        linked += usize::from(!stored.is_empty());
    }
    assert!(
        stories.len() > 256 && linked > 100,
        "{linked} of {} linked",
        stories.len()
    );
}

#[test]
fn multi_row_inserts_keep_order_and_per_row_semantics() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER NOT NULL, seq INTEGER)")
        .unwrap();
    // 64 + 64 + 32 + 4 + 1 rows: two full statements and three remainder groups. Every
    // tenth row repeats the key of the row before it, inside one statement or across two.
    let rows: Vec<(i64, i64, i64)> = (0..165)
        .map(|i| (if i % 10 == 9 { i - 1 } else { i }, 1, i + 1))
        .collect();
    // `OR IGNORE` ignores the repeated row alone; the first of two rows wins.
    insert_rows(
        &conn,
        "INSERT OR IGNORE INTO t (k, n, seq) VALUES",
        rows.clone(),
    )
    .unwrap();
    let stored: Vec<(i64, i64)> = conn
        .prepare("SELECT k, seq FROM t ORDER BY k")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let distinct: Vec<i64> = (0..165).filter(|i| i % 10 != 9).collect();
    assert_eq!(stored.iter().map(|r| r.0).collect::<Vec<_>>(), distinct);
    // Rows went in in their order: row k (not its repeat) set the sequence number k + 1.
    assert!(stored.iter().all(|&(k, seq)| seq == k + 1), "{stored:?}");
    let total: i64 = conn
        .query_row("SELECT sum(n) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 149, "each distinct key once");
    // `OR FAIL` stops at the first repeated key with a constraint error (the caller then
    // rolls its transaction back); the rows before it in that statement stay.
    let more: Vec<(i64, i64)> = (1000..1010)
        .chain([1003])
        .chain(1010..1020)
        .map(|k| (k, 2))
        .collect();
    let err = insert_rows(&conn, "INSERT OR FAIL INTO t (k, n) VALUES", more).unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ConstraintViolation)
    );
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM t WHERE n = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 10, "the ten rows before the repeat");
    // Nothing at all is a no-op.
    insert_rows(
        &conn,
        "INSERT INTO t (k, n) VALUES",
        Vec::<(i64, i64)>::new(),
    )
    .unwrap();
}

#[test]
fn one_pass_preparation_gives_the_fingerprint_and_vector_of_two() {
    // Stories of a real corpus, and texts in the other tokenizer paths: French, Arabic,
    // an unstemmed language, an undeclared one, combining marks, digits and empty bodies.
    let corpus = std::fs::read_to_string("../shared/corpus/stories/ecbplus.jsonl")
        .expect("the shared story corpus");
    // Every third story keeps the debug-build test quick; the sample still has ~330.
    let mut texts: Vec<(String, String)> = corpus
        .lines()
        .step_by(3)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (field("title"), field("text"))
        })
        .collect();
    assert!(texts.len() > 300);
    for (title, text) in [
        (
            "L'élection à Paris",
            "Les électeurs ont voté dimanche; l'Œuvre réservée aux abonnés.",
        ),
        (
            "قال الرئيس",
            "قال الرئيس إن الانتخابات ستجرى في ١٢ مايو، وأكدت الحكومة ذلك.",
        ),
        (
            "Straße",
            "Die Straße wurde gesperrt, weil Bauarbeiten 2026 beginnen.",
        ),
        (
            "Cafe\u{301}",
            "Cafe\u{301} e\u{301}le\u{300}ve \u{301}\u{301} x 7 éé",
        ),
        ("", ""),
        ("Only a title", ""),
    ] {
        texts.push((title.to_string(), text.to_string()));
    }
    for (title, text) in &texts {
        for lang in [Some("en"), Some("fr"), Some("ar"), Some("de"), None] {
            let mut r = record("x", title);
            r.content_text = text.clone();
            r.lang = lang.map(str::to_string);
            let prepared = Prepared::of(&r);
            let print = (!text.is_empty()).then(|| crate::dedup::TextPrint::of(text));
            assert_eq!(prepared.print, print, "{lang:?} {title}");
            let vector = crate::related::term_vector(title, text, lang);
            assert_eq!(prepared.vector, vector, "{lang:?} {title}");
        }
    }
}
