//! The folding and related-stories indexes in SQLite: the [`CopyStore`] and [`RelatedStore`]
//! read traits over a connection (or the open batch transaction, so an article sees the
//! ones written before it), and the writes that keep the indexes current.

use std::cell::RefCell;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap as HashMap;

use super::band_filter::BandFilter;
use super::postings::PostingsCache;
use super::unwritten::{Unwritten, UnwrittenPosting};
use crate::dedup::{most_shared, CopyStore, StoredText};
use crate::related::{
    posted_terms, NewDoc, Posting, RelatedStore, RelatedUpdate, StoredDoc, TermId, TermVector,
};

/// The indexes, read through one connection or transaction, with the connection's
/// [`IndexCache`].
pub(super) struct SqlIndex<'c> {
    conn: &'c Connection,
    cache: &'c RefCell<IndexCache>,
}

impl<'c> SqlIndex<'c> {
    pub(super) fn new(conn: &'c Connection, cache: &'c RefCell<IndexCache>) -> Self {
        Self { conn, cache }
    }

    /// The connection (the open batch transaction) the index reads and writes through.
    pub(super) fn conn(&self) -> &'c Connection {
        self.conn
    }
}

/// What this connection knows of the related index: document frequencies, the decoded
/// vectors of recent candidates ([`DocCache`]), and the newest postings of the terms it
/// queried ([`PostingsCache`]). Linking one story needs the frequency
/// of every term of its candidates (thousands of rows), and counting a new story's terms
/// would rewrite hundreds of `term_df` pages per commit; so frequencies are cached, and a new
/// story's terms are counted into `term_df` in bulk, for many stories at once.
///
/// The database stays the truth: a term's frequency is its `term_df` row plus its count among
/// the vectors still marked `counted = 0` (stories not yet written into `term_df`).
/// [`IndexCache::flush`] moves those into `term_df` inside a write transaction. The cache holds
/// that sum for the terms it has seen and the uncounted increments; [`IndexCache::sync`] drops
/// it when another connection has committed (`PRAGMA data_version`), and the batch writer
/// calls [`IndexCache::clear`] when its transaction does not commit. A crash loses nothing: the
/// uncounted stories are still marked and are counted by the next flush. The vectors are
/// dropped whenever the frequencies are.
#[derive(Debug, Default)]
pub(crate) struct IndexCache {
    /// Frequency by term, uncounted stories included.
    df: TermTable,
    /// Term counts of the uncounted stories.
    pending: HashMap<TermId, i64>,
    /// Number of uncounted stories.
    pending_stories: usize,
    /// `PRAGMA data_version` when the cache was last known to match the database; `None`
    /// until the uncounted stories have been read.
    version: Option<i64>,
    /// Every `term_df` row is in `df`, so a term not there has no row and needs no read:
    /// true when `term_df` was empty at the last sync (a first ingest into a new database),
    /// kept while this connection writes `term_df` only through [`IndexCache::flush`]. In a
    /// cold 1,000-article pass, looking up each new story's unseen terms cost 924 queries
    /// (each with a temporary b-tree for its `IN` list) that could only find nothing.
    df_complete: bool,
    /// Decoded story vectors.
    docs: DocCache,
    /// Postings lists of the terms queried.
    postings: PostingsCache,
    /// Related lists read or written.
    lists: ListCache,
    /// Which band keys may be stored.
    bands: BandLookups,
    /// Postings and band keys of the open transaction, written at its commit. Not a cache:
    /// [`IndexCache::clear`] keeps them; only a rollback drops them.
    unwritten: Unwritten,
}

/// The current related lists of stories this connection read or wrote. Linking a new story
/// reads the list of each candidate that scores (to see whether the new story enters it),
/// which was a twenty-fifth of the writer's time; the candidates are mostly recent stories
/// whose lists this writer has just written, and it writes every list it changes, so it
/// keeps them. A list is stored as `related` holds it (scores are `f32`, stored as `REAL`).
#[derive(Debug, Default)]
struct ListCache {
    lists: HashMap<i64, Box<[(i64, f32)]>>,
}

impl ListCache {
    /// Most lists held (~80 bytes each with three entries); beyond it the cache starts over.
    const MAX_LISTS: usize = 1 << 16;

    fn put(&mut self, story_id: i64, list: &[(i64, f32)]) {
        if self.lists.len() >= Self::MAX_LISTS {
            self.lists.clear();
        }
        self.lists.insert(story_id, list.into());
    }
}

/// The band filter, once this connection has looked up keys for enough articles to pay for
/// the scan that builds it ([`BandFilter`]).
#[derive(Debug, Default)]
struct BandLookups {
    filter: Option<BandFilter>,
    /// Articles whose keys were looked up since the cache was last cleared.
    articles: usize,
    /// Articles stored when the first of them was looked up.
    stored: Option<usize>,
    /// A scan failed: not tried again until the cache is cleared.
    failed: bool,
}

impl BandLookups {
    /// The filter, built (or grown) first if it is due; `None` until then, or if the scan
    /// failed (every key is then looked up, as without a filter).
    fn filter(&mut self, conn: &Connection, unwritten: &Unwritten) -> Option<&BandFilter> {
        self.articles += 1;
        let stored = *self.stored.get_or_insert_with(|| {
            or_empty(
                "stored articles",
                conn.query_row("SELECT COALESCE(MAX(id), 0) FROM articles", [], |r| {
                    r.get::<_, i64>(0)
                }),
            )
            .max(0) as usize
        });
        let due = match &self.filter {
            Some(filter) => filter.is_full(),
            None => !self.failed && self.articles * 4 >= stored,
        };
        if due {
            self.filter = or_empty(
                "band filter",
                BandFilter::scan(conn, unwritten.band_keys()).map(Some),
            );
            self.failed = self.filter.is_none();
        }
        self.filter.as_ref()
    }
}

/// Document frequencies, each term numbered (its slot) when first read. A cached vector keeps
/// its terms' slots, so the frequencies of a new story's candidates (thousands of terms) are
/// read by position: hashing each of them once per new story was a tenth of the writer's time.
#[derive(Debug, Default)]
struct TermTable {
    slot: HashMap<TermId, u32>,
    /// Frequency by slot.
    df: Vec<i64>,
}

impl TermTable {
    fn len(&self) -> usize {
        self.df.len()
    }

    fn clear(&mut self) {
        self.slot.clear();
        self.df.clear();
    }

    /// The frequencies in `slots`, as `doc_freqs` returns them.
    fn freqs<'s>(&'s self, slots: &'s [u32]) -> impl Iterator<Item = u64> + 's {
        slots.iter().map(|s| self.df[*s as usize].max(0) as u64)
    }
}

/// Decoded vectors of stored stories, shared with the scorer. A story is a candidate of many
/// later ones (in a cold ingest, of most stories after it), and reading and decoding its
/// vector each time was a tenth of the writer's time. A vector never changes once written
/// (only prune deletes it), so an entry is true for as long as the cache is kept.
#[derive(Debug, Default)]
struct DocCache {
    /// Each story's vector and the [`TermTable`] slots of its terms, in the vector's order.
    docs: HashMap<i64, (Arc<StoredDoc>, Box<[u32]>)>,
    /// Terms held, over all vectors: what bounds the memory.
    terms: usize,
}

impl DocCache {
    /// Most terms held (16 bytes each with their slots): about 3,500 stories of 150 terms,
    /// ~8 MB. Twice that took the 50,000-article bench to 195 MB of peak RSS, near its 200 MB
    /// bound.
    const MAX_TERMS: usize = 1 << 19;

    fn get(&self, id: i64) -> Option<Arc<StoredDoc>> {
        self.docs.get(&id).map(|(doc, _)| doc.clone())
    }

    /// The slots of a cached story's terms.
    fn slots(&self, id: i64) -> Option<&[u32]> {
        self.docs.get(&id).map(|(_, slots)| &slots[..])
    }

    /// Keeps `doc` with its terms' slots; when full, first drops every other entry (an
    /// arbitrary half, in hash order).
    fn put(&mut self, doc: Arc<StoredDoc>, slots: Box<[u32]>) {
        debug_assert_eq!(doc.vector.terms.len(), slots.len());
        let len = doc.vector.terms.len();
        if self.terms + len > Self::MAX_TERMS {
            let (mut keep, mut terms) = (false, 0);
            self.docs.retain(|_, (d, _)| {
                keep = !keep;
                if keep {
                    terms += d.vector.terms.len();
                }
                keep
            });
            self.terms = terms;
        }
        self.terms += len;
        if let Some((old, _)) = self.docs.insert(doc.story_id, (doc, slots)) {
            self.terms -= old.vector.terms.len();
        }
    }

    fn clear(&mut self) {
        self.docs.clear();
        self.terms = 0;
    }
}

impl IndexCache {
    /// Most terms kept; beyond it the cache starts over (a few tens of MB at most).
    const MAX_TERMS: usize = 1 << 21;

    /// Uncounted stories that trigger a flush: bounds the work a restart redoes and spreads
    /// the `term_df` writes over many stories.
    const FLUSH_STORIES: usize = 256;

    /// Writes the open transaction's postings and band keys, in key order; before its commit.
    pub(super) fn write_unwritten(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.unwritten.write(conn)
    }

    /// Drops the open transaction's unwritten rows and everything cached (it rolled back).
    pub(super) fn roll_back(&mut self) {
        self.unwritten.discard();
        self.clear();
    }

    /// Forgets everything cached (after a rollback, a prune, or an outside write); the
    /// unwritten rows of the open transaction stay.
    pub(super) fn clear(&mut self) {
        self.df.clear();
        self.pending.clear();
        self.pending_stories = 0;
        self.version = None;
        self.df_complete = false;
        self.docs.clear();
        self.postings.clear();
        self.lists.lists.clear();
        self.bands = BandLookups::default();
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
        let any_df: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM term_df)")?
            .query_row([], |r| r.get(0))?;
        self.pending = pending;
        self.pending_stories = stories;
        self.version = Some(version);
        self.df_complete = !any_df;
        Ok(())
    }

    /// The slot of each of `terms` (in order), numbering the terms not yet known with their
    /// frequency read from `term_df` plus the uncounted stories. Syncs first if the cache was
    /// cleared. A failed read counts as no `term_df` row (logged), as every index read does.
    fn slots(&mut self, conn: &Connection, terms: &[TermId]) -> Vec<u32> {
        if self.version.is_none() {
            // Cleared (or never filled): the uncounted stories must be known first.
            or_empty("df cache", self.sync(conn));
        }
        let mut out = Vec::with_capacity(terms.len());
        let mut missing: Vec<usize> = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            match self.df.slot.get(t) {
                Some(slot) => out.push(*slot),
                None => {
                    out.push(u32::MAX);
                    missing.push(i);
                }
            }
        }
        if !missing.is_empty() {
            let read = if self.df_complete {
                HashMap::default()
            } else {
                let wanted: Vec<TermId> = missing.iter().map(|&i| terms[i]).collect();
                or_empty("doc_freqs", read_doc_freqs(conn, &wanted))
            };
            for i in missing {
                let t = terms[i];
                // A term may be missing twice in one call.
                let slot = *self.df.slot.entry(t).or_insert_with(|| {
                    let df = read.get(&t).copied().unwrap_or(0)
                        + self.pending.get(&t).copied().unwrap_or(0);
                    self.df.df.push(df);
                    (self.df.df.len() - 1) as u32
                });
                out[i] = slot;
            }
        }
        out
    }

    /// Counts a new story's terms, given their slots.
    fn count(&mut self, terms: &[TermId], slots: &[u32]) {
        for (t, slot) in terms.iter().zip(slots) {
            self.df.df[*slot as usize] += 1;
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
        // One row per statement: a multi-row upsert would need a statement journal.
        let mut stmt = conn.prepare_cached(
            "INSERT INTO term_df (term, df) VALUES (?1, ?2)
             ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
        )?;
        for &(term, n) in &counts {
            stmt.execute(params![term, n])?;
        }
        if self.df_complete {
            // Terms only the uncounted stories had now have rows: `df` must hold them all.
            // Without a row before, their frequency is what this flush wrote.
            for (term, n) in counts {
                if let std::collections::hash_map::Entry::Vacant(slot) = self.df.slot.entry(term) {
                    slot.insert(self.df.df.len() as u32);
                    self.df.df.push(n);
                }
            }
        }
        // OR FAIL: a constraint error would stop here and the caller rolls the transaction
        // back, so SQLite need not keep a statement journal of the rows' pages (with the
        // default ABORT it wrote one to a temporary file: ~1 MB per flush, the 3.6 KB vectors).
        // The table's foreign key does not bring one back: no key column changes.
        conn.execute(
            "UPDATE OR FAIL story_vectors SET counted = 1 WHERE counted = 0",
            [],
        )?;
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
        // Counted here rather than by `GROUP BY ... ORDER BY`, which built and sorted a
        // temporary b-tree per new article. Each key once, as `band_key IN (..)` reads it.
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut cache = self.cache.borrow_mut();
        let IndexCache {
            bands, unwritten, ..
        } = &mut *cache;
        let filter = bands.filter(self.conn, unwritten);
        // One statement for any number of keys (an `IN` list of each length would be a
        // statement of its own in the connection's cache).
        let mut ids = or_empty(
            "band_matches",
            (|| {
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT article_id FROM bands WHERE band_key = ?1")?;
                let mut ids = Vec::new();
                for key in keys
                    .iter()
                    .filter(|k| filter.is_none_or(|f| f.may_contain(**k)))
                {
                    let rows = stmt.query_map([key], |r| r.get(0))?;
                    for id in rows {
                        ids.push(id?);
                    }
                }
                Ok(ids)
            })(),
        );
        for key in &keys {
            ids.extend(unwritten.articles_with_band(*key));
        }
        most_shared(ids, limit)
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
        let mut cache = self.cache.borrow_mut();
        let slots = cache.slots(self.conn, terms);
        cache.df.freqs(&slots).collect()
    }

    fn candidate_freqs(&self, docs: &[Arc<StoredDoc>]) -> Vec<u64> {
        let mut cache = self.cache.borrow_mut();
        let cache = &mut *cache;
        let mut out = Vec::with_capacity(docs.iter().map(|d| d.vector.terms.len()).sum());
        for d in docs {
            // Cached with its slots by `doc_vectors`, unless dropped since by a full cache.
            match cache.docs.slots(d.story_id) {
                Some(slots) if slots.len() == d.vector.terms.len() => {
                    out.extend(cache.df.freqs(slots))
                }
                _ => {
                    let terms: Vec<TermId> = d.vector.terms.iter().map(|(t, _)| *t).collect();
                    let slots = cache.slots(self.conn, &terms);
                    out.extend(cache.df.freqs(&slots));
                }
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
        // A failed read caches nothing: the lists already kept stay exact.
        let mut cache = self.cache.borrow_mut();
        let IndexCache {
            postings,
            unwritten,
            ..
        } = &mut *cache;
        let read = postings.postings(self.conn, unwritten, terms, from, to, limit_per_term);
        or_empty("postings", read)
    }

    fn doc_vectors(&self, ids: &[i64]) -> Vec<Arc<StoredDoc>> {
        let mut cache = self.cache.borrow_mut();
        or_empty(
            "doc_vectors",
            (|| {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT story_id, source, published, vector FROM story_vectors
                     WHERE story_id = ?1",
                )?;
                let mut out = Vec::with_capacity(ids.len());
                let mut read = Vec::new();
                for &id in ids {
                    if let Some(doc) = cache.docs.get(id) {
                        out.push(doc);
                        continue;
                    }
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
                    if let Some(doc) = row {
                        let doc = Arc::new(doc);
                        read.push(doc.clone());
                        out.push(doc);
                    }
                }
                // The terms of the vectors read are numbered together: one `term_df` read.
                let terms: Vec<TermId> = read
                    .iter()
                    .flat_map(|d| d.vector.terms.iter().map(|(t, _)| *t))
                    .collect();
                let mut slots = cache.slots(self.conn, &terms).into_iter();
                for doc in read {
                    let own = slots.by_ref().take(doc.vector.terms.len()).collect();
                    cache.docs.put(doc, own);
                }
                Ok(out)
            })(),
        )
    }

    fn related_of(&self, story_id: i64) -> Vec<(i64, f32)> {
        if let Some(list) = self.cache.borrow().lists.lists.get(&story_id) {
            return list.to_vec();
        }
        let read = (|| {
            let mut stmt = self.conn.prepare_cached(
                "SELECT other_id, score FROM related WHERE story_id = ?1 ORDER BY rank",
            )?;
            let rows =
                stmt.query_map([story_id], |r| Ok((r.get(0)?, r.get::<_, f64>(1)? as f32)))?;
            rows.collect::<rusqlite::Result<Vec<(i64, f32)>>>()
        })();
        // A failed read is not kept: the next new story reads the list again.
        if let Ok(list) = &read {
            self.cache.borrow_mut().lists.put(story_id, list);
        }
        or_empty("related_of", read)
    }
}

/// `term_df` rows of `terms` (absent terms are missing from the map). One statement per chunk
/// of terms: SQLite sorts the IN list and walks `term_df` in key order. A chunk is padded
/// to the next of a few list sizes, so a handful of statements are prepared and cached, and
/// a lookup of a few terms does not pay for hundreds of padding values (it did: half of all
/// frequency lookups were of under ten terms, each building a 500-value IN list).
fn read_doc_freqs(conn: &Connection, terms: &[TermId]) -> rusqlite::Result<HashMap<TermId, i64>> {
    let mut found: HashMap<TermId, i64> = HashMap::default();
    for chunk in terms.chunks(DF_CHUNK) {
        let size = IN_LIST_SIZES
            .iter()
            .copied()
            .find(|&n| n >= chunk.len())
            .unwrap_or(DF_CHUNK);
        let mut stmt = conn.prepare_cached(&in_list_sql(
            "SELECT term, df FROM term_df WHERE term IN",
            size,
        ))?;
        // Padded with a repeat of its first term.
        let padded = chunk.iter().chain(std::iter::repeat(&chunk[0])).take(size);
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

/// IN-list sizes `read_doc_freqs` pads to, the last being [`DF_CHUNK`].
const IN_LIST_SIZES: [usize; 4] = [4, 32, 128, DF_CHUNK];

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

/// Records an article's band keys (written to `bands` at the commit).
pub(super) fn insert_bands(
    index: &SqlIndex<'_>,
    article_id: i64,
    keys: &[i64],
) -> rusqlite::Result<()> {
    let mut cache = index.cache.borrow_mut();
    cache.unwritten.add_bands(article_id, keys);
    if let Some(filter) = &mut cache.bands.filter {
        keys.iter().for_each(|key| filter.insert(*key));
    }
    cache.unwritten.write_if_full(index.conn)
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
    // Its terms are counted in the cache (read first, so it holds their frequencies) and in
    // `term_df` by a later `IndexCache::flush`; until then the row says `counted = 0`.
    let terms: Vec<TermId> = doc.vector.terms.iter().map(|(t, _)| *t).collect();
    let mut cache = index.cache.borrow_mut();
    let slots = cache.slots(conn, &terms);
    let dfs: Vec<u64> = cache.df.freqs(&slots).collect();
    // Written to `terms` at the commit, in key order.
    for (t, weight) in posted_terms(&doc.vector, &dfs, stored_before) {
        let posting = UnwrittenPosting {
            published: doc.published,
            story_id: doc.story_id,
            weight,
        };
        cache.unwritten.add_posting(t, posting);
        cache.postings.add(t, doc.published, doc.story_id, weight);
    }
    cache.unwritten.write_if_full(conn)?;
    cache.count(&terms, &slots);
    cache.docs.put(Arc::new(doc.to_stored()), slots.into());
    // A new story has no rows yet (a pruned story's went with it): nothing to delete.
    write_related(conn, doc.story_id, &update.related, 0)?;
    cache.lists.put(doc.story_id, &update.related);
    // An older story whose list gained the new one changed: its feed item shows new links.
    let mut touch =
        conn.prepare_cached("UPDATE stories SET updated = MAX(updated, ?2) WHERE id = ?1")?;
    for change in &update.updates {
        delete_related_from(conn, change.story_id, change.from_rank)?;
        write_related(conn, change.story_id, &change.list, change.from_rank)?;
        cache.lists.put(change.story_id, &change.list);
        touch.execute(params![change.story_id, now])?;
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

/// Deletes a story's related rows from `from_rank` on, one by one by primary key: because
/// `related` has foreign keys, SQLite runs a range `DELETE` by collecting the keys in a
/// temporary b-tree first, even for an empty range (about three such b-trees per new story:
/// its own list and the older lists it enters).
fn delete_related_from(conn: &Connection, story_id: i64, from_rank: usize) -> rusqlite::Result<()> {
    let ranks: Vec<i64> = conn
        .prepare_cached("SELECT rank FROM related WHERE story_id = ?1 AND rank >= ?2")?
        .query_map(params![story_id, from_rank as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete =
        conn.prepare_cached("DELETE FROM related WHERE story_id = ?1 AND rank = ?2")?;
    for rank in ranks {
        delete.execute(params![story_id, rank])?;
    }
    Ok(())
}

/// Inserts a story's related list from `from_rank` on (the ranks before it are stored, the
/// ones after it are not): each stored row costs two b-tree writes and two parent-key probes,
/// and a new story usually enters an older list below its top.
fn write_related(
    conn: &Connection,
    story_id: i64,
    list: &[(i64, f32)],
    from_rank: usize,
) -> rusqlite::Result<()> {
    // One row per statement: `related` has foreign keys, whose check could abort a
    // multi-row statement half-way, so SQLite would keep a statement journal for it.
    let mut insert = conn.prepare_cached(
        "INSERT INTO related (story_id, rank, other_id, score) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (rank, (other, score)) in list.iter().enumerate().skip(from_rank) {
        insert.execute(params![story_id, rank as i64, other, f64::from(*score)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, terms: usize) -> Arc<StoredDoc> {
        Arc::new(StoredDoc {
            story_id: id,
            source: "a".into(),
            published: 0,
            vector: TermVector {
                terms: (0..terms as i64).map(|t| (t, 1.0)).collect(),
            },
        })
    }

    #[test]
    fn band_matches_rank_as_the_memory_index_does() {
        // With the band filter built at the first lookup, and never built (as on a large
        // database that looks up few articles).
        for filtered in [true, false] {
            let conn = crate::store::migrated_in_memory();
            let cache = RefCell::new(IndexCache::default());
            if !filtered {
                cache.borrow_mut().bands.stored = Some(1_000_000);
            }
            band_matches_with(&conn, &cache, filtered);
        }
    }

    #[test]
    fn a_band_filter_that_cannot_be_built_is_not_tried_again_until_cleared() {
        let conn = crate::store::migrated_in_memory();
        conn.execute_batch("DROP TABLE bands").unwrap();
        let cache = RefCell::new(IndexCache::default());
        let index = SqlIndex::new(&conn, &cache);
        // The lookups fail too: nothing found, nothing stored is harmed.
        assert!(index.band_matches(&[1, 2], 3).is_empty());
        assert!(cache.borrow().bands.failed && cache.borrow().bands.filter.is_none());
        cache.borrow_mut().clear();
        assert!(!cache.borrow().bands.failed);
    }

    fn band_matches_with(conn: &Connection, cache: &RefCell<IndexCache>, filtered: bool) {
        let mut memory = crate::dedup::MemoryBands::new();
        // Article -> its band keys. 12 shares three of the queried keys, 11 two, 10 and 13 one.
        let articles: [(i64, &[i64]); 5] = [
            (10, &[1]),
            (11, &[1, 2]),
            (12, &[1, 2, 3]),
            (13, &[3]),
            (14, &[4]),
        ];
        let index = SqlIndex::new(conn, cache);
        for (i, (article, keys)) in articles.into_iter().enumerate() {
            insert_bands(&index, article, keys).unwrap();
            memory.insert(article, article, "", keys);
            match i {
                // 10 and 11 in `bands`, the rest unwritten: both are read.
                1 => cache.borrow_mut().write_unwritten(conn).unwrap(),
                // The filter (if any) is built now, from `bands` and the unwritten keys;
                // 13 and 14 are added to it as they are inserted.
                2 => assert!(index.band_matches(&[1], 1) == vec![(10, 1)]),
                _ => {}
            }
        }
        assert_eq!(cache.borrow().bands.filter.is_some(), filtered);
        let queried = [1, 2, 3, 5];
        for written in [false, true] {
            if written {
                cache.borrow_mut().write_unwritten(conn).unwrap();
            }
            // A tie (10 and 13, one key each) goes to the lower id.
            assert_eq!(
                index.band_matches(&queried, 3),
                vec![(12, 3), (11, 2), (10, 1)]
            );
            for limit in 0..6 {
                for keys in [&queried[..], &[4], &[5], &[], &[3, 4], &[3, 3]] {
                    let mut once = keys.to_vec();
                    once.dedup();
                    assert_eq!(
                        index.band_matches(keys, limit),
                        memory.band_matches(&once, limit),
                        "keys {keys:?}, limit {limit}, written {written}, filtered {filtered}"
                    );
                }
            }
        }
        let stored: i64 = conn
            .query_row("SELECT COUNT(*) FROM bands", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, 8);
    }

    #[test]
    fn postings_are_the_newest_of_the_window_per_term() {
        let conn = crate::store::migrated_in_memory();
        // Term 5: stories 1-12 published at 100, 110, ...; 13 and 14 share story 12's time.
        // Term 6: two stories. Term 7: one story, outside the window.
        let mut rows: Vec<(i64, i64, i64)> = (1..=12).map(|id| (5, 90 + 10 * id, id)).collect();
        rows.extend([
            (5, 210, 13),
            (5, 210, 14),
            (6, 150, 3),
            (6, 160, 4),
            (7, 10, 1),
        ]);
        for (term, published, story) in rows {
            conn.execute(
                "INSERT INTO terms (term, published, story_id, weight) VALUES (?1, ?2, ?3, 0.5)",
                params![term, published, story],
            )
            .unwrap();
        }
        let cache = RefCell::new(IndexCache::default());
        let index = SqlIndex::new(&conn, &cache);
        let got = index.postings(&[5, 6, 7, 8], 100, 200, 3);
        let ids = |term| crate::related::store::story_ids_of(&got, term);
        // 12-14 are after the window; 11, 10, 9 are its newest, newest first.
        assert_eq!(ids(0), vec![11, 10, 9]);
        assert_eq!(ids(1), vec![4, 3]);
        assert!(ids(2).is_empty() && ids(3).is_empty());
        // Equal times: the higher story id first, as the key read backwards gives them.
        let ties = index.postings(&[5], 200, 220, 2);
        assert_eq!(
            ties.iter().map(|p| p.story_id).collect::<Vec<_>>(),
            vec![14, 13]
        );
        assert!(index.postings(&[5], 0, 1_000, 0).is_empty());
    }

    #[test]
    fn candidate_freqs_read_by_slot_agree_with_doc_freqs() {
        let conn = crate::store::migrated_in_memory();
        for (term, df) in [(1, 5), (2, 7), (3, 1)] {
            conn.execute(
                "INSERT INTO term_df (term, df) VALUES (?1, ?2)",
                params![term, df],
            )
            .unwrap();
        }
        let cache = RefCell::new(IndexCache::default());
        let index = SqlIndex::new(&conn, &cache);
        let vector = |terms: &[i64]| TermVector {
            terms: terms.iter().map(|t| (*t, 1.0)).collect(),
        };
        let a = Arc::new(StoredDoc {
            vector: vector(&[1, 2, 9]),
            ..(*doc(10, 0)).clone()
        });
        let b = Arc::new(StoredDoc {
            vector: vector(&[1, 3]),
            ..(*doc(11, 0)).clone()
        });
        let all = [1, 2, 9, 1, 3];
        // Neither is cached: their terms are numbered on the way.
        assert_eq!(
            index.candidate_freqs(&[a.clone(), b.clone()]),
            [5, 7, 0, 5, 1]
        );
        // `a` cached with its slots, then counted once more (as a new story would be).
        {
            let mut c = cache.borrow_mut();
            let slots = c.slots(&conn, &[1, 2, 9]);
            c.count(&[1, 2, 9], &slots);
            c.docs.put(a.clone(), slots.into());
        }
        let both = index.candidate_freqs(&[a, b]);
        assert_eq!(both, [6, 8, 1, 6, 1]);
        assert_eq!(both, index.doc_freqs(&all));
    }

    #[test]
    fn doc_cache_stays_within_its_bound_and_counts_replacements() {
        let mut cache = DocCache::default();
        let per_doc = 300;
        let docs = 3 * DocCache::MAX_TERMS / per_doc;
        for id in 0..docs as i64 {
            cache.put(doc(id, per_doc), vec![0; per_doc].into());
            assert!(
                cache.terms <= DocCache::MAX_TERMS,
                "{} terms held",
                cache.terms
            );
            let counted: usize = cache.docs.values().map(|(d, _)| d.vector.terms.len()).sum();
            if id % 997 == 0 {
                assert_eq!(cache.terms, counted);
            }
        }
        // The newest story is always kept; a replaced entry is not counted twice.
        let last = docs as i64 - 1;
        assert_eq!(cache.get(last).map(|d| d.story_id), Some(last));
        let before = cache.terms;
        cache.put(doc(last, 10), vec![0; 10].into());
        assert_eq!(cache.terms, before - per_doc + 10);
        cache.clear();
        assert_eq!((cache.docs.len(), cache.terms), (0, 0));
    }
}
