//! The folding and related-stories indexes in SQLite: the [`CopyStore`] and [`RelatedStore`]
//! read traits over a connection (or the open batch transaction, so an article sees the
//! ones written before it), and the writes that keep the indexes current.

use std::cell::RefCell;

use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap as HashMap;

use crate::dedup::{CopyStore, StoredText};
use crate::related::{
    keep_best, posted_terms, NewDoc, Posting, RelatedStore, RelatedUpdate, StoredDoc, TermId,
    TermVector,
};

/// The indexes, read through one connection or transaction, with the process's cache of
/// document frequencies.
pub(super) struct SqlIndex<'c> {
    conn: &'c Connection,
    df: &'c RefCell<DfCache>,
}

impl<'c> SqlIndex<'c> {
    pub(super) fn new(conn: &'c Connection, df: &'c RefCell<DfCache>) -> Self {
        Self { conn, df }
    }

    /// The connection (the open batch transaction) the index reads and writes through.
    pub(super) fn conn(&self) -> &'c Connection {
        self.conn
    }
}

/// Document frequencies as this connection knows them. Linking one story needs the frequency
/// of every term of its candidates (thousands of rows), and counting a new story's terms
/// would rewrite hundreds of `term_df` pages per commit; so frequencies are cached, and a new
/// story's terms are counted into `term_df` in bulk, for many stories at once.
///
/// The database stays the truth: a term's frequency is its `term_df` row plus its count among
/// the vectors still marked `counted = 0` (stories not yet written into `term_df`).
/// [`DfCache::flush`] moves those into `term_df` inside a write transaction. The cache holds
/// that sum for the terms it has seen and the uncounted increments; [`DfCache::sync`] drops
/// it when another connection has committed (`PRAGMA data_version`), and the batch writer
/// calls [`DfCache::clear`] when its transaction does not commit. A crash loses nothing: the
/// uncounted stories are still marked and are counted by the next flush.
#[derive(Debug, Default)]
pub(crate) struct DfCache {
    /// Frequency by term, uncounted stories included.
    df: HashMap<TermId, i64>,
    /// Term counts of the uncounted stories.
    pending: HashMap<TermId, i64>,
    /// Number of uncounted stories.
    pending_stories: usize,
    /// `PRAGMA data_version` when the cache was last known to match the database; `None`
    /// until the uncounted stories have been read.
    version: Option<i64>,
}

impl DfCache {
    /// Most terms kept; beyond it the cache starts over (a few tens of MB at most).
    const MAX_TERMS: usize = 1 << 21;

    /// Uncounted stories that trigger a flush: bounds the work a restart redoes and spreads
    /// the `term_df` writes over many stories.
    const FLUSH_STORIES: usize = 256;

    /// Forgets everything (after a rollback, a prune, or an outside write).
    pub(super) fn clear(&mut self) {
        self.df.clear();
        self.pending.clear();
        self.pending_stories = 0;
        self.version = None;
    }

    /// At the start of a write transaction: keeps the cache only if no other connection has
    /// committed since it was filled; otherwise starts over from the uncounted stories.
    pub(super) fn sync(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if self.version == Some(version) && self.df.len() <= Self::MAX_TERMS {
            return Ok(());
        }
        self.clear();
        let (pending, stories) = uncounted_terms(conn)?;
        self.pending = pending;
        self.pending_stories = stories;
        self.version = Some(version);
        Ok(())
    }

    /// Counts a new story's terms (already read into the cache by `doc_freqs`).
    fn count(&mut self, terms: &[TermId]) {
        for t in terms {
            *self.df.entry(*t).or_default() += 1;
            *self.pending.entry(*t).or_default() += 1;
        }
        self.pending_stories += 1;
    }

    /// Inside the open write transaction: once enough stories are uncounted, writes their
    /// terms into `term_df` (in term order) and marks them counted. Reads the uncounted set
    /// from the database itself, so it is exact whoever wrote those stories.
    pub(super) fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        if self.pending_stories < Self::FLUSH_STORIES {
            return Ok(());
        }
        let (counts, _) = uncounted_terms(conn)?;
        let mut counts: Vec<(TermId, i64)> = counts.into_iter().collect();
        counts.sort_unstable();
        let mut stmt = conn.prepare_cached(
            "INSERT INTO term_df (term, df) VALUES (?1, ?2)
             ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
        )?;
        for (term, n) in counts {
            stmt.execute(params![term, n])?;
        }
        conn.execute("UPDATE story_vectors SET counted = 1 WHERE counted = 0", [])?;
        self.pending.clear();
        self.pending_stories = 0;
        Ok(())
    }
}

/// Term counts of the stories whose terms are not yet in `term_df`, and their number.
fn uncounted_terms(conn: &Connection) -> rusqlite::Result<(HashMap<TermId, i64>, usize)> {
    let mut counts: HashMap<TermId, i64> = HashMap::default();
    let mut stories = 0;
    let mut stmt = conn.prepare_cached("SELECT vector FROM story_vectors WHERE counted = 0")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        stories += 1;
        for (t, _) in decode_vector(row.get_ref(0)?.as_blob()?).terms {
            *counts.entry(t).or_default() += 1;
        }
    }
    Ok((counts, stories))
}

/// Runs a query that cannot fail on a sound database; a failure is logged and read as
/// "nothing found", which only costs a missed link, never stored data.
fn or_empty<T: Default>(what: &str, result: rusqlite::Result<T>) -> T {
    result.unwrap_or_else(|e| {
        tracing::error!("index query {what} failed: {e}");
        T::default()
    })
}

/// Terms looked up per `doc_freqs` statement (well under SQLite's parameter limit).
const DF_CHUNK: usize = 500;

/// `{head} (?,?,...)` with `n` placeholders.
fn in_list_sql(head: &str, n: usize) -> String {
    format!("{head} ({})", vec!["?"; n].join(","))
}

impl CopyStore for SqlIndex<'_> {
    fn band_matches(&self, keys: &[i64], limit: usize) -> Vec<(i64, u32)> {
        if keys.is_empty() {
            return Vec::new();
        }
        let marks = vec!["?"; keys.len()].join(",");
        let sql = format!(
            "SELECT article_id, COUNT(*) AS hits FROM bands WHERE band_key IN ({marks})
             GROUP BY article_id ORDER BY hits DESC, article_id LIMIT {limit}"
        );
        or_empty(
            "band_matches",
            (|| {
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(keys), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
                rows.collect()
            })(),
        )
    }

    fn article_texts(&self, ids: &[i64]) -> Vec<StoredText> {
        or_empty(
            "article_texts",
            (|| {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT id, story_id, content_text FROM articles WHERE id = ?1",
                )?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = stmt
                        .query_row([id], |r| {
                            Ok(StoredText {
                                article_id: r.get(0)?,
                                story_id: r.get(1)?,
                                text: r.get(2)?,
                            })
                        })
                        .optional()?;
                    out.extend(row);
                }
                Ok(out)
            })(),
        )
    }
}

impl RelatedStore for SqlIndex<'_> {
    fn doc_count(&self) -> u64 {
        or_empty(
            "doc_count",
            self.conn
                .prepare_cached("SELECT n FROM story_count WHERE id = 1")
                .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0))),
        )
        .max(0) as u64
    }

    fn doc_freqs(&self, terms: &[TermId]) -> Vec<u64> {
        let mut cache = self.df.borrow_mut();
        if cache.version.is_none() {
            // Cleared (or never filled): the uncounted stories must be known first.
            or_empty("df cache", cache.sync(self.conn));
        }
        let mut out = Vec::with_capacity(terms.len());
        let mut missing: Vec<usize> = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            match cache.df.get(t) {
                Some(df) => out.push((*df).max(0) as u64),
                None => {
                    out.push(0);
                    missing.push(i);
                }
            }
        }
        if !missing.is_empty() {
            let wanted: Vec<TermId> = missing.iter().map(|&i| terms[i]).collect();
            let read = or_empty("doc_freqs", read_doc_freqs(self.conn, &wanted));
            for i in missing {
                let df = read.get(&terms[i]).copied().unwrap_or(0)
                    + cache.pending.get(&terms[i]).copied().unwrap_or(0);
                cache.df.insert(terms[i], df);
                out[i] = df.max(0) as u64;
            }
        }
        out
    }

    fn postings(
        &self,
        terms: &[TermId],
        from: i64,
        to: i64,
        limit_per_term: usize,
    ) -> Vec<Posting> {
        or_empty(
            "postings",
            (|| {
                // One primary-key range of `terms`: the term's postings within the window
                // (published is copied in, so no other table is read). The best weights are
                // picked by `keep_best`: SQLite's ORDER BY ... LIMIT sorts through a temporary
                // b-tree, which measured slower.
                let mut stmt = self.conn.prepare_cached(
                    "SELECT story_id, weight FROM terms
                     WHERE term = ?1 AND published BETWEEN ?2 AND ?3",
                )?;
                let mut out = Vec::new();
                for (i, term) in terms.iter().enumerate() {
                    let start = out.len();
                    let mut rows = stmt.query(params![term, from, to])?;
                    while let Some(r) = rows.next()? {
                        out.push(Posting {
                            story_id: r.get(0)?,
                            term: i,
                            weight: r.get::<_, f64>(1)? as f32,
                        });
                    }
                    keep_best(&mut out, start, limit_per_term);
                }
                Ok(out)
            })(),
        )
    }

    fn doc_vectors(&self, ids: &[i64]) -> Vec<StoredDoc> {
        or_empty(
            "doc_vectors",
            (|| {
                let mut stmt =
                self.conn.prepare_cached("SELECT story_id, source, published, vector FROM story_vectors WHERE story_id = ?1")?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = stmt
                        .query_row([id], |r| {
                            Ok(StoredDoc {
                                story_id: r.get(0)?,
                                source: r.get(1)?,
                                published: r.get(2)?,
                                vector: decode_vector(r.get_ref(3)?.as_blob()?),
                            })
                        })
                        .optional()?;
                    out.extend(row);
                }
                Ok(out)
            })(),
        )
    }

    fn related_of(&self, story_id: i64) -> Vec<(i64, f32)> {
        or_empty(
            "related_of",
            (|| {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT other_id, score FROM related WHERE story_id = ?1 ORDER BY rank",
                )?;
                let rows =
                    stmt.query_map([story_id], |r| Ok((r.get(0)?, r.get::<_, f64>(1)? as f32)))?;
                rows.collect()
            })(),
        )
    }
}

/// `term_df` rows of `terms` (absent terms are missing from the map). One statement per chunk
/// of terms: SQLite sorts the IN list and walks `term_df` in key order.
fn read_doc_freqs(conn: &Connection, terms: &[TermId]) -> rusqlite::Result<HashMap<TermId, i64>> {
    let mut found: HashMap<TermId, i64> = HashMap::default();
    let mut stmt = conn.prepare_cached(&in_list_sql(
        "SELECT term, df FROM term_df WHERE term IN",
        DF_CHUNK,
    ))?;
    for chunk in terms.chunks(DF_CHUNK) {
        // Padded with a repeat of its first term, so every chunk is the one cached statement.
        let padded = chunk
            .iter()
            .chain(std::iter::repeat(&chunk[0]))
            .take(DF_CHUNK);
        let rows = stmt.query_map(rusqlite::params_from_iter(padded), |r| {
            Ok((r.get::<_, TermId>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (term, df) = row?;
            found.insert(term, df);
        }
    }
    Ok(found)
}

/// A term vector as a BLOB: 12 bytes a term (i64 id, f32 weight, little-endian).
pub(super) fn encode_vector(vector: &TermVector) -> Vec<u8> {
    let mut out = Vec::with_capacity(vector.terms.len() * 12);
    for (id, weight) in &vector.terms {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    out
}

pub(super) fn decode_vector(blob: &[u8]) -> TermVector {
    let terms = blob
        .chunks_exact(12)
        .map(|c| {
            let id = TermId::from_le_bytes(c[..8].try_into().expect("8 bytes"));
            let weight = f32::from_le_bytes(c[8..].try_into().expect("4 bytes"));
            (id, weight)
        })
        .collect();
    TermVector { terms }
}

/// Records an article's band keys.
pub(super) fn insert_bands(
    conn: &Connection,
    article_id: i64,
    keys: &[i64],
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO bands (band_key, article_id) VALUES (?1, ?2)")?;
    for key in keys {
        stmt.execute(params![key, article_id])?;
    }
    Ok(())
}

/// Adds a new story to the related index and applies the list changes linking it caused.
pub(super) fn insert_story_doc(
    index: &SqlIndex<'_>,
    doc: &NewDoc,
    update: &RelatedUpdate,
    now: i64,
) -> rusqlite::Result<()> {
    let conn = index.conn;
    let stored_before = index.doc_count();
    let vector = encode_vector(&doc.vector);
    conn.prepare_cached(
        "INSERT INTO story_vectors (story_id, source, published, vector, counted)
         VALUES (?1, ?2, ?3, ?4, 0)",
    )?
    .execute(params![doc.story_id, doc.source, doc.published, vector])?;
    let mut term = conn.prepare_cached(
        "INSERT INTO terms (term, weight, story_id, published) VALUES (?1, ?2, ?3, ?4)",
    )?;
    // Its terms are counted in the cache (read first, so it holds their frequencies) and in
    // `term_df` by a later `DfCache::flush`; until then the row says `counted = 0`.
    let terms: Vec<TermId> = doc.vector.terms.iter().map(|(t, _)| *t).collect();
    let dfs = index.doc_freqs(&terms);
    for (t, weight) in posted_terms(&doc.vector, &dfs, stored_before) {
        term.execute(params![t, f64::from(weight), doc.story_id, doc.published])?;
    }
    index.df.borrow_mut().count(&terms);
    write_related(conn, doc.story_id, &update.related)?;
    // An older story whose list gained the new one changed: its feed item shows new links.
    let mut touch =
        conn.prepare_cached("UPDATE stories SET updated = MAX(updated, ?2) WHERE id = ?1")?;
    for (story_id, list) in &update.updates {
        write_related(conn, *story_id, list)?;
        touch.execute(params![story_id, now])?;
    }
    Ok(())
}

/// Takes the terms of the stories listed in `temp.doomed` out of `term_df` (prune, before it
/// deletes their vectors); uncounted stories are not in it yet.
pub(super) fn uncount_doomed_terms(conn: &Connection) -> rusqlite::Result<()> {
    let mut counts: HashMap<TermId, i64> = HashMap::default();
    let mut stmt = conn.prepare(
        "SELECT vector FROM story_vectors
         WHERE counted = 1 AND story_id IN (SELECT id FROM temp.doomed)",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        for (t, _) in decode_vector(row.get_ref(0)?.as_blob()?).terms {
            *counts.entry(t).or_default() += 1;
        }
    }
    let mut counts: Vec<(TermId, i64)> = counts.into_iter().collect();
    counts.sort_unstable();
    let mut update = conn.prepare_cached("UPDATE term_df SET df = df - ?2 WHERE term = ?1")?;
    for (term, n) in counts {
        update.execute(params![term, n])?;
    }
    conn.execute("DELETE FROM term_df WHERE df <= 0", [])?;
    Ok(())
}

/// Replaces a story's related list as a whole.
fn write_related(conn: &Connection, story_id: i64, list: &[(i64, f32)]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM related WHERE story_id = ?1")?
        .execute([story_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO related (story_id, rank, other_id, score) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (rank, (other, score)) in list.iter().enumerate() {
        insert.execute(params![story_id, rank as i64, other, f64::from(*score)])?;
    }
    Ok(())
}
