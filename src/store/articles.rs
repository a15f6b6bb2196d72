//! The `articles` table: one row per source item, written per feed in one transaction.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::feeds::{record_poll_on, NextCheck, PollResult};
use super::index::{insert_bands, insert_story_doc, SqlIndex};
use super::{err, exec, Result, Store};
use crate::dedup::{find_copy_of, TextPrint};
use crate::model::Enclosure;
use crate::related::{find_related, term_vector_and_words, NewDoc, RelatedConfig, TermVector};

/// An article ready to be stored (body already extracted and sanitized).
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRecord {
    /// Stable identity within the feed: the guid, else derived from link or title + date.
    pub identity: String,
    /// The feed's guid, if it gave one.
    pub guid: Option<String>,
    /// The article link as the feed gave it (absolute).
    pub url: String,
    /// Canonical form of the URL, for recognising variants.
    pub canonical_url: String,
    /// Headline, plain text.
    pub title: String,
    /// Author / byline.
    pub author: Option<String>,
    /// Category labels.
    pub categories: Vec<String>,
    /// Lead image URL.
    pub image: Option<String>,
    /// Media files.
    pub enclosures: Vec<Enclosure>,
    /// Language tag.
    pub lang: Option<String>,
    /// Sanitized body HTML.
    pub content_html: String,
    /// Body as plain text.
    pub content_text: String,
    /// Short plain-text summary.
    pub summary: Option<String>,
    /// Where the body came from: "page" or "feed".
    pub body_source: String,
    /// Why the page was not used, when it was not.
    pub page_error: Option<String>,
    /// The page asked not to be archived.
    pub noarchive: bool,
    /// Hash of the feed entry (title + content), to notice edits.
    pub feed_hash: String,
    /// Publication time (already clamped).
    pub published: DateTime<Utc>,
}

/// What the store already knows of an item, to decide between skip, update and insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownArticle {
    /// Article id.
    pub id: i64,
    /// Its feed.
    pub feed_id: i64,
    /// Hash of the feed entry when last stored.
    pub feed_hash: String,
    /// Where its body came from ("page" or "feed").
    pub body_source: String,
    /// Its identity within its feed.
    pub identity: String,
    /// Its canonical URL.
    pub canonical_url: String,
    /// Its headline.
    pub title: String,
    /// Its publication time.
    pub published: DateTime<Utc>,
}

const KNOWN_COLUMNS: &str =
    "id, feed_id, feed_hash, body_source, identity, canonical_url, title, published";

/// The database-free work on a new article (shingles, fingerprint, term vector), done
/// where the article was extracted so the store's single writer only runs SQL. Pure.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The body's fingerprint, when it has a body.
    pub print: Option<TextPrint>,
    /// Term vector of title and body, for related-story linking.
    pub vector: TermVector,
}

impl Prepared {
    /// Prepares `record`.
    pub fn of(record: &ArticleRecord) -> Prepared {
        // One pass over the body gives its vector's terms and its fingerprint's words.
        let mut words = Vec::new();
        let vector = term_vector_and_words(
            &record.title,
            &record.content_text,
            record.lang.as_deref(),
            |w| words.push(w),
        );
        Prepared {
            print: (!record.content_text.is_empty()).then(|| TextPrint::of_words(&words)),
            vector,
        }
    }
}

/// One write of a feed batch.
#[derive(Debug, Clone, PartialEq)]
pub enum ArticleWrite {
    /// A new article, starting a new story or joining `story` (a folded copy).
    New {
        /// The article.
        record: ArticleRecord,
        /// The existing story it joins, if dedup found one.
        story: Option<i64>,
        /// [`Prepared::of`] the record, if already computed (else the writer computes it).
        prepared: Option<Box<Prepared>>,
    },
    /// An edited item: same identity, new title or text. Its story never changes.
    Update {
        /// The stored article.
        id: i64,
        /// New values.
        record: ArticleRecord,
        /// Keep the stored body (it came from the article page, which is not refetched).
        keep_body: bool,
    },
}

/// Counts from one batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Articles inserted.
    pub new: usize,
    /// Articles updated in place.
    pub updated: usize,
}

impl Store {
    /// Looks up an item by its identity within a feed.
    pub fn known_by_identity(&self, feed_id: i64, identity: &str) -> Result<Option<KnownArticle>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {KNOWN_COLUMNS} FROM articles WHERE feed_id = ?1 AND identity = ?2"
            ))
            .and_then(|mut s| s.query_row(params![feed_id, identity], known).optional())
            .map_err(|e| err(&self.path, e))
    }

    /// Looks up an article by canonical URL, in any feed.
    pub fn known_by_canonical(&self, canonical_url: &str) -> Result<Option<KnownArticle>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {KNOWN_COLUMNS} FROM articles WHERE canonical_url = ?1 ORDER BY id LIMIT 1"
            ))
            .and_then(|mut s| s.query_row([canonical_url], known).optional())
            .map_err(|e| err(&self.path, e))
    }

    /// Writes a feed's new and edited articles and its poll state in one transaction:
    /// either all of it lands or none of it does. Each new article is checked for being a
    /// copy of a stored one (then it joins that story); a new story is linked to related
    /// stories per `related`.
    pub fn write_feed_batch(
        &mut self,
        feed_id: i64,
        writes: &[ArticleWrite],
        poll: &PollResult,
        next: &NextCheck,
        related: &RelatedConfig,
        now: DateTime<Utc>,
    ) -> Result<WriteStats> {
        let batch = FeedBatch {
            feed_id,
            writes,
            poll,
            next,
        };
        let stats = self.write_feed_batches(&[batch], related, now)?;
        Ok(stats[0])
    }

    /// [`Store::write_feed_batch`] for several feeds in one transaction (one commit, so
    /// pages that every batch touches are written once): all of them land, in order, or
    /// none does. Returns the counts of each batch. Batches held before (see
    /// [`Store::hold_feed_batches`]) commit, or roll back, with them.
    pub fn write_feed_batches(
        &mut self,
        batches: &[FeedBatch<'_>],
        related: &RelatedConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<WriteStats>> {
        let stats = self.hold_feed_batches(batches, related, now)?;
        self.commit_held()?;
        Ok(stats)
    }

    /// Writes like [`Store::write_feed_batches`] but leaves the transaction open: the
    /// batches of later calls join it, until [`Store::commit_held`] commits them all at once.
    /// A bulk ingest writes most index pages (postings, bands) many times over in a few
    /// seconds, and each commit writes every page it dirtied to the WAL again; holding the
    /// transaction across feeds lets one page write carry many feeds' rows.
    ///
    /// Until the commit, nothing held is visible to other connections or durable. Each feed
    /// stays all-or-nothing: a batch that fails rolls back everything held (those feeds are
    /// polled again on the next run, as after a crash), never part of a feed. Other writes of
    /// this store made meanwhile (e.g. [`Store::record_poll`]) join the transaction; methods
    /// that need one of their own commit the held one first.
    pub fn hold_feed_batches(
        &mut self,
        batches: &[FeedBatch<'_>],
        related: &RelatedConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<WriteStats>> {
        let path = self.path.clone();
        if self.held.is_some() && self.conn.is_autocommit() {
            // SQLite ended the transaction itself (it does on some I/O errors): what was held
            // is gone, and writing on would commit statement by statement.
            self.rollback_held();
            let ended = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT);
            let why =
                "the held write transaction ended before its commit; its feeds are polled again";
            return Err(err(
                &path,
                rusqlite::Error::SqliteFailure(ended, Some(why.into())),
            ));
        }
        if self.held.is_none() {
            // IMMEDIATE: the write lock is taken (or waited for) now, not on the first write
            // after the reads, where another writer's commit could only end in an error.
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| err(&path, e))?;
            self.held = Some(Instant::now());
        }
        let written = (|| {
            self.index_cache.borrow_mut().sync(&self.conn)?;
            let index = SqlIndex::new(&self.conn, &self.index_cache);
            let mut all = Vec::with_capacity(batches.len());
            for batch in batches {
                all.push(write_batch(&index, batch, related, now)?);
                self.index_cache.borrow_mut().flush(&self.conn)?;
            }
            Ok(all)
        })();
        written.map_err(|e| {
            self.rollback_held();
            err(&path, e)
        })
    }

    /// Commits the transaction [`Store::hold_feed_batches`] keeps open, if any. If the
    /// commit fails, everything held is rolled back.
    pub fn commit_held(&mut self) -> Result<()> {
        if self.held.is_none() {
            return Ok(());
        }
        let written = self.index_cache.borrow_mut().write_unwritten(&self.conn);
        match written.and_then(|()| self.conn.execute_batch("COMMIT")) {
            Ok(()) => {
                self.held = None;
                self.after_commit();
                Ok(())
            }
            Err(e) => {
                self.rollback_held();
                Err(err(&self.path, e))
            }
        }
    }

    /// Rolls back the held transaction, if any (the ingest does so when it stops on an
    /// error): the feeds in it are polled again on the next run.
    pub fn rollback_held(&mut self) {
        if self.held.take().is_none() {
            return;
        }
        // Some errors (a full disk, I/O) end the transaction in SQLite already.
        if !self.conn.is_autocommit() {
            if let Err(e) = self.conn.execute_batch("ROLLBACK") {
                tracing::error!(db = %self.path, "rollback failed: {e}");
            }
        }
        // Whatever did not commit is rolled back; the cached frequencies may count it.
        self.index_cache.borrow_mut().roll_back();
    }

    /// How long the held transaction has been open (`None` when none is).
    pub fn held_for(&self) -> Option<Duration> {
        self.held.map(|began| began.elapsed())
    }
}

/// One feed's share of [`Store::write_feed_batches`]: its writes and the poll state to
/// record with them.
#[derive(Debug, Clone, Copy)]
pub struct FeedBatch<'a> {
    /// The feed.
    pub feed_id: i64,
    /// Its new and edited articles, oldest first.
    pub writes: &'a [ArticleWrite],
    /// How its poll went.
    pub poll: &'a PollResult,
    /// When to poll it next.
    pub next: &'a NextCheck,
}

/// Writes one feed's batch inside the open transaction.
fn write_batch(
    index: &SqlIndex<'_>,
    batch: &FeedBatch<'_>,
    related: &RelatedConfig,
    now: DateTime<Utc>,
) -> rusqlite::Result<WriteStats> {
    let tx = index.conn();
    let feed_id = batch.feed_id;
    let source: String = tx
        .prepare_cached("SELECT name FROM feeds WHERE id = ?1")?
        .query_row([feed_id], |r| r.get(0))?;
    let mut stats = WriteStats::default();
    for write in batch.writes {
        match write {
            ArticleWrite::New {
                record,
                story,
                prepared,
            } => {
                // Feeds are planned concurrently from committed data: another feed's batch
                // may have stored this very article (same canonical URL) since. It is theirs;
                // a URL variant is never an "also reported by" entry.
                if stored_by_other_feed(tx, feed_id, &record.canonical_url)? {
                    continue;
                }
                let computed;
                let prepared = match prepared {
                    Some(p) => p,
                    None => {
                        computed = Prepared::of(record);
                        &computed
                    }
                };
                insert_new(
                    index, feed_id, &source, record, prepared, *story, related, now,
                )?;
                stats.new += 1;
            }
            ArticleWrite::Update {
                id,
                record,
                keep_body,
            } => {
                update_article(tx, *id, record, *keep_body, now)?;
                stats.updated += 1;
            }
        }
    }
    record_poll_on(tx, feed_id, batch.poll, batch.next, now)?;
    Ok(stats)
}

/// Whether another feed already stored an article at `canonical_url`.
fn stored_by_other_feed(
    tx: &Connection,
    feed_id: i64,
    canonical_url: &str,
) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM articles WHERE canonical_url = ?1 AND feed_id != ?2)",
    )?
    .query_row(params![canonical_url, feed_id], |r| r.get(0))
}

fn known(r: &rusqlite::Row<'_>) -> rusqlite::Result<KnownArticle> {
    Ok(KnownArticle {
        id: r.get(0)?,
        feed_id: r.get(1)?,
        feed_hash: r.get(2)?,
        body_source: r.get(3)?,
        identity: r.get(4)?,
        canonical_url: r.get(5)?,
        title: r.get(6)?,
        published: DateTime::from_timestamp(r.get(7)?, 0).unwrap_or_default(),
    })
}

/// Inserts a new article: folds it into the story of a stored copy (unless `story` is
/// already decided), records its band keys, and links a new story to related ones.
#[allow(clippy::too_many_arguments)]
fn insert_new(
    index: &SqlIndex<'_>,
    feed_id: i64,
    source: &str,
    record: &ArticleRecord,
    prepared: &Prepared,
    story: Option<i64>,
    related: &RelatedConfig,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let tx = index.conn();
    let check = prepared
        .print
        .as_ref()
        .filter(|_| story.is_none())
        .map(|print| find_copy_of(index, print));
    let story = story.or_else(|| check.as_ref().and_then(|c| c.copy_of).map(|c| c.story_id));
    let (article_id, story_id) = insert_article(tx, feed_id, record, story, now)?;
    if let Some(check) = &check {
        insert_bands(index, article_id, &check.band_keys)?;
    }
    if story.is_none() {
        let doc = NewDoc::with_vector(
            story_id,
            source,
            record.published.timestamp(),
            prepared.vector.clone(),
        );
        let update = find_related(index, &doc, related);
        insert_story_doc(index, &doc, &update, now.timestamp())?;
    }
    Ok(())
}

/// Inserts the article row (and its story when it starts one); returns (article, story).
fn insert_article(
    tx: &Connection,
    feed_id: i64,
    a: &ArticleRecord,
    story: Option<i64>,
    now: DateTime<Utc>,
) -> rusqlite::Result<(i64, i64)> {
    let published = a.published.timestamp();
    let story_id = match story {
        Some(id) => {
            exec(
                tx,
                "UPDATE stories SET updated = MAX(updated, ?2) WHERE id = ?1",
                params![id, now.timestamp()],
            )?;
            id
        }
        None => {
            exec(
                tx,
                "INSERT INTO stories (published, updated) VALUES (?1, ?1)",
                [published],
            )?;
            tx.last_insert_rowid()
        }
    };
    exec(
        tx,
        "INSERT INTO articles (feed_id, story_id, identity, guid, url, canonical_url, title,
             author, categories, image, enclosures, lang, content_html, content_text, summary,
             body_source, page_error, noarchive, feed_hash, published, first_seen, modified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?21)",
        params![
            feed_id,
            story_id,
            a.identity,
            a.guid,
            a.url,
            a.canonical_url,
            a.title,
            a.author,
            json(&a.categories),
            a.image,
            json(&a.enclosures),
            a.lang,
            a.content_html,
            a.content_text,
            a.summary,
            a.body_source,
            a.page_error,
            a.noarchive,
            a.feed_hash,
            published,
            now.timestamp(),
        ],
    )?;
    let article_id = tx.last_insert_rowid();
    if story.is_none() {
        exec(
            tx,
            "UPDATE stories SET primary_id = ?2 WHERE id = ?1",
            params![story_id, article_id],
        )?;
    }
    Ok((article_id, story_id))
}

fn update_article(
    tx: &Connection,
    id: i64,
    a: &ArticleRecord,
    keep_body: bool,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE articles SET title = ?2, author = COALESCE(?3, author), categories = ?4,
             image = COALESCE(?5, image), enclosures = ?6, feed_hash = ?7, modified = ?8,
             summary = COALESCE(?9, summary)
         WHERE id = ?1",
        params![
            id,
            a.title,
            a.author,
            json(&a.categories),
            a.image,
            json(&a.enclosures),
            a.feed_hash,
            now.timestamp(),
            a.summary,
        ],
    )?;
    if !keep_body {
        exec(
            tx,
            "UPDATE articles SET content_html = ?2, content_text = ?3, body_source = ?4,
                 page_error = ?5, lang = COALESCE(?6, lang)
             WHERE id = ?1",
            params![
                id,
                a.content_html,
                a.content_text,
                a.body_source,
                a.page_error,
                a.lang
            ],
        )?;
    }
    exec(
        tx,
        "UPDATE stories SET updated = MAX(updated, ?2)
         WHERE id = (SELECT story_id FROM articles WHERE id = ?1)",
        params![id, now.timestamp()],
    )?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serializes")
}
