//! The index rows of the open write transaction that are not in SQLite yet: postings
//! (`terms`) and band keys (`bands`). They are kept by key in memory and written in key order
//! just before the commit; reads inside the transaction merge them in.
//!
//! Both tables are keyed by a hash (a term, a band key), so the ~100 rows of a new article
//! land on ~100 random b-tree leaves. Inserted as they came, each row paid a descent to a page
//! no recent row had touched. Sorted, consecutive rows share their path and often their leaf.
//! Measured on 10,000 articles: the postings' inserts took 0.26 s instead of 0.80 s of the
//! writer (BENCHMARKS.md, session 13).
//!
//! Nothing changes for durability or for other connections: the rows are written inside the
//! same transaction, before its `COMMIT`, and a rollback drops them with the rest.

use rusqlite::Connection;
use rustc_hash::FxHashMap as HashMap;

use super::insert_rows;
use crate::related::TermId;

/// One unwritten `terms` row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct UnwrittenPosting {
    pub(super) published: i64,
    pub(super) story_id: i64,
    pub(super) weight: f32,
}

/// Rows with an integer key, in the order added, and each key's rows found without a
/// per-key allocation: `head` holds a key's last row and each row the one added before it.
#[derive(Debug)]
struct Chained<V> {
    rows: Vec<(i64, V, u32)>,
    head: HashMap<i64, u32>,
}

impl<V> Default for Chained<V> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            head: HashMap::default(),
        }
    }
}

/// Marks the end of a key's chain.
const NONE: u32 = u32::MAX;

impl<V: Copy> Chained<V> {
    fn push(&mut self, key: i64, value: V) {
        let at = self.rows.len() as u32;
        let before = self.head.insert(key, at).unwrap_or(NONE);
        self.rows.push((key, value, before));
    }

    /// The rows of `key`, newest first.
    fn of(&self, key: i64) -> impl Iterator<Item = V> + '_ {
        let mut at = self.head.get(&key).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            let (_, value, before) = self.rows.get(at as usize)?;
            at = *before;
            Some(*value)
        })
    }

    /// All rows, sorted in place by `order` (no copy of the rows), leaving the set empty.
    fn take_sorted<K: Ord>(
        &mut self,
        order: impl FnMut(&(i64, V, u32)) -> K,
    ) -> impl Iterator<Item = (i64, V)> + '_ {
        self.head.clear();
        self.rows.sort_unstable_by_key(order);
        self.rows.drain(..).map(|(key, value, _)| (key, value))
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.head.clear();
    }
}

/// The unwritten rows. A row is either here or in SQLite, never both.
#[derive(Debug, Default)]
pub(super) struct Unwritten {
    postings: Chained<UnwrittenPosting>,
    /// Band key -> article id.
    bands: Chained<i64>,
}

impl Unwritten {
    /// Rows held before they are written mid-transaction (~50 bytes each, 13 MB): a bulk
    /// ingest commits at least once a second (~200,000 rows at most), so this only bounds
    /// a caller that holds its transaction far longer.
    const MAX_ROWS: usize = 1 << 18;

    /// A new story's posting of `term`.
    pub(super) fn add_posting(&mut self, term: TermId, posting: UnwrittenPosting) {
        self.postings.push(term, posting);
    }

    /// A new article's band keys (each stored once, as `INSERT OR IGNORE` did).
    pub(super) fn add_bands(&mut self, article_id: i64, keys: &[i64]) {
        for (i, key) in keys.iter().enumerate() {
            if !keys[..i].contains(key) {
                self.bands.push(*key, article_id);
            }
        }
    }

    /// The unwritten postings of `term`.
    pub(super) fn postings_of(&self, term: TermId) -> impl Iterator<Item = UnwrittenPosting> + '_ {
        self.postings.of(term)
    }

    /// Every unwritten band key.
    pub(super) fn band_keys(&self) -> impl Iterator<Item = i64> + '_ {
        self.bands.rows.iter().map(|(key, _, _)| *key)
    }

    /// The articles with unwritten band key `key`.
    pub(super) fn articles_with_band(&self, key: i64) -> impl Iterator<Item = i64> + '_ {
        self.bands.of(key)
    }

    /// Writes the rows, in key order, if more than [`Self::MAX_ROWS`] are held.
    pub(super) fn write_if_full(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.write_if_over(conn, Self::MAX_ROWS)
    }

    fn write_if_over(&mut self, conn: &Connection, max_rows: usize) -> rusqlite::Result<()> {
        if self.postings.rows.len() + self.bands.rows.len() > max_rows {
            self.write(conn)?;
        }
        Ok(())
    }

    /// Writes every row, in key order, through `conn` (inside the transaction that added
    /// them). On an error the caller rolls back, which makes the rows moot.
    pub(super) fn write(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let postings = self
            .postings
            .take_sorted(|(term, p, _)| (*term, p.published, p.story_id))
            .map(|(term, p)| (term, p.published, p.story_id, f64::from(p.weight)));
        insert_rows(
            conn,
            "INSERT OR FAIL INTO terms (term, published, story_id, weight) VALUES",
            postings,
        )?;
        let bands = self.bands.take_sorted(|(key, article, _)| (*key, *article));
        insert_rows(
            conn,
            "INSERT OR IGNORE INTO bands (band_key, article_id) VALUES",
            bands,
        )
    }

    /// Forgets every row (the transaction rolled back).
    pub(super) fn discard(&mut self) {
        self.postings.clear();
        self.bands.clear();
    }

    /// True when no row is held.
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.postings.rows.is_empty() && self.bands.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(published: i64, story_id: i64) -> UnwrittenPosting {
        UnwrittenPosting {
            published,
            story_id,
            weight: 0.5,
        }
    }

    #[test]
    fn rows_are_found_by_key_and_written_in_key_order() {
        let conn = crate::store::migrated_in_memory();
        let mut rows = Unwritten::default();
        rows.add_posting(9, posting(30, 3));
        rows.add_posting(2, posting(10, 1));
        rows.add_posting(9, posting(20, 2));
        rows.add_bands(7, &[40, 5, 40]);
        rows.add_bands(8, &[5]);
        let of = |t| rows.postings_of(t).map(|p| p.story_id).collect::<Vec<_>>();
        assert_eq!((of(9), of(2), of(4)), (vec![2, 3], vec![1], vec![]));
        let with = |k| rows.articles_with_band(k).collect::<Vec<_>>();
        assert_eq!((with(5), with(40), with(6)), (vec![8, 7], vec![7], vec![]));

        rows.write(&conn).unwrap();
        assert!(rows.is_empty());
        assert_eq!(rows.postings_of(9).count(), 0);
        let terms: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT term, published, story_id FROM terms")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(terms, [(2, 10, 1), (9, 20, 2), (9, 30, 3)]);
        let bands: Vec<(i64, i64)> = conn
            .prepare("SELECT band_key, article_id FROM bands")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(bands, [(5, 7), (5, 8), (40, 7)]);
    }

    #[test]
    fn rows_are_written_early_once_there_are_too_many() {
        let conn = crate::store::migrated_in_memory();
        let mut rows = Unwritten::default();
        rows.add_posting(1, posting(1, 1));
        rows.add_bands(1, &[1, 2]);
        rows.write_if_over(&conn, 3).unwrap();
        assert!(!rows.is_empty());
        rows.add_posting(2, posting(1, 1));
        rows.write_if_over(&conn, 3).unwrap();
        assert!(rows.is_empty());
        let written: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM terms) + (SELECT COUNT(*) FROM bands)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(written, 4);
    }

    #[test]
    fn discarded_rows_are_gone() {
        let mut rows = Unwritten::default();
        rows.add_posting(1, posting(1, 1));
        rows.add_bands(1, &[1]);
        rows.discard();
        assert!(rows.is_empty());
        assert_eq!(
            rows.postings_of(1).count() + rows.articles_with_band(1).count(),
            0
        );
    }
}
