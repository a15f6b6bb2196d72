//! The writer's copy of the newest postings of the terms it queries: each term's most recent
//! `terms` rows, read once and kept current by the writes that add to them, so that linking a
//! new story mostly reads its candidates from memory instead of 32 index ranges in SQLite.

use std::ops::RangeInclusive;

use rusqlite::{params, Connection};
use rustc_hash::FxHashMap as HashMap;

use super::unwritten::{Unwritten, UnwrittenPosting};
use crate::related::{Posting, TermId};

/// One stored posting of a cached term.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cached {
    published: i64,
    story_id: i64,
    weight: f32,
}

impl Cached {
    /// Its place in the table's key `(term, published, story_id)`.
    fn key(&self) -> (i64, i64) {
        (self.published, self.story_id)
    }
}

/// The newest postings of one term: every posting whose key is at least the first one's,
/// in key order; and, when `whole`, every posting of the term.
#[derive(Debug)]
struct Newest {
    list: Vec<Cached>,
    whole: bool,
    /// Read since the cache last made room.
    used: bool,
}

impl Newest {
    /// What the list takes, in postings: their room, and its map entry (a term and the list
    /// header, 40 bytes: about two postings).
    fn cost(&self) -> usize {
        self.list.capacity() + 2
    }

    /// Adds the postings of the newest `limit` in `[from, to]` to `out`, newest first, if
    /// the list holds all of them; `false` (and nothing added) if older postings, not held,
    /// might be among them.
    fn window(
        &self,
        from: i64,
        to: i64,
        limit: usize,
        term: usize,
        out: &mut Vec<Posting>,
    ) -> bool {
        // Most windows hold the whole list (new stories are mostly the newest): answered
        // from its ends, without the binary searches' cache misses (a list is up to 4.6 KB).
        let list = &self.list;
        let hi = match list.last() {
            Some(last) if last.published > to => list.partition_point(|p| p.published <= to),
            _ => list.len(),
        };
        let lo = match list.first() {
            Some(first) if first.published < from => list.partition_point(|p| p.published < from),
            _ => 0,
        };
        let (lo, hi) = (lo.min(hi), hi);
        let complete = hi - lo >= limit
            || self.whole
            // Not held: keys below the first posting's; none of them is at or after `from`
            // when `from` is later than its time.
            || self.list.first().is_some_and(|p| p.published < from);
        if complete {
            out.extend(self.list[lo..hi].iter().rev().take(limit).map(|p| Posting {
                story_id: p.story_id,
                term,
                weight: p.weight,
            }));
        }
        complete
    }
}

/// The newest postings by term, exact for as long as the [`super::index::IndexCache`] that
/// owns it is kept: a term's postings are only added to, through [`PostingsCache::add`] in
/// the same write transaction, and everything else that changes `terms` (a rollback, a prune,
/// another connection's commit) clears the cache.
///
/// A story's candidates are the newest postings of its query terms in its window, and in a
/// running ingest (new stories are mostly the newest) those are the term's newest postings:
/// the part kept. A window reaching older postings than a term's kept ones reads SQLite.
/// A cold ingest queries the same distinctive terms again and again (related stories share
/// them), so most lookups are answered here.
#[derive(Debug)]
pub(super) struct PostingsCache {
    lists: HashMap<TermId, Newest>,
    /// Postings the lists have room for (their capacity) and their entries, in postings
    /// ([`Newest::cost`]): what bounds the memory (24 bytes each).
    held: usize,
    /// Postings a list is loaded with and trimmed back to.
    keep: usize,
    /// Most postings held.
    max_held: usize,
}

impl Default for PostingsCache {
    fn default() -> Self {
        Self::with_limits(Self::KEEP, Self::MAX_HELD)
    }
}

impl PostingsCache {
    /// Postings kept per term: the postings the scorer reads per term
    /// ([`crate::related::POSTINGS_PER_TERM`]) and an eighth more, so that a window ending
    /// before the newest few still finds its newest postings here; so a list costs one read
    /// of about what the query itself would have read. A list is trimmed back to it once
    /// it holds half as many again.
    const KEEP: usize = crate::related::POSTINGS_PER_TERM + crate::related::POSTINGS_PER_TERM / 8;

    /// Most postings held (room for them, counted by capacity): 1 << 20 is 24 MB. When
    /// full, the lists not read lately are dropped.
    const MAX_HELD: usize = 1 << 20;

    fn with_limits(keep: usize, max_held: usize) -> Self {
        Self {
            lists: HashMap::default(),
            held: 0,
            keep,
            max_held,
        }
    }

    pub(super) fn clear(&mut self) {
        self.lists.clear();
        self.held = 0;
    }

    /// The postings of each of `terms` published in `[from, to]`, at most `limit` per term,
    /// newest first (then the highest story id): what the SQL range read backwards gives.
    /// A term not cached is loaded through `conn`; a window the kept postings cannot answer
    /// is read from it. Both reads count the `unwritten` postings of the open transaction.
    pub(super) fn postings(
        &mut self,
        conn: &Connection,
        unwritten: &Unwritten,
        terms: &[TermId],
        from: i64,
        to: i64,
        limit: usize,
    ) -> rusqlite::Result<Vec<Posting>> {
        let mut out = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            if !self.lists.contains_key(term) {
                let newest = load(conn, unwritten, *term, self.keep)?;
                self.make_room(newest.cost());
                self.held += newest.cost();
                self.lists.insert(*term, newest);
            }
            let newest = self.lists.get_mut(term).expect("just loaded");
            newest.used = true;
            if !newest.window(from, to, limit, i, &mut out) {
                read_window(conn, unwritten, (*term, i), from..=to, limit, &mut out)?;
            }
        }
        Ok(out)
    }

    /// Records a posting just written to `terms`, if its term is cached and the posting is
    /// not older than the postings kept (a term not cached is loaded, with this posting,
    /// when it is first queried).
    pub(super) fn add(&mut self, term: TermId, published: i64, story_id: i64, weight: f32) {
        let Some(newest) = self.lists.get_mut(&term) else {
            return;
        };
        let posting = Cached {
            published,
            story_id,
            weight,
        };
        let list = &mut newest.list;
        if !newest.whole && list.first().is_some_and(|p| posting.key() < p.key()) {
            return;
        }
        let room = list.capacity();
        // The key is unique (a story posts each of its terms once), and a new story is
        // usually the newest: mostly an append.
        let at = list.partition_point(|p| p.key() < posting.key());
        list.insert(at, posting);
        if list.len() >= self.keep + self.keep / 2 {
            list.drain(..list.len() - self.keep);
            newest.whole = false;
        }
        self.held = self.held + list.capacity() - room;
        if self.held > self.max_held {
            self.make_room(0);
        }
    }

    /// Makes room for `more` postings if they would not fit: drops the lists not read since
    /// the last time (a second chance for the others, as a clock cache gives), and every
    /// other list left (an arbitrary half, in hash order) while still above three quarters.
    fn make_room(&mut self, more: usize) {
        if self.held + more <= self.max_held {
            return;
        }
        let mut held = 0;
        self.lists.retain(|_, newest| {
            let used = std::mem::take(&mut newest.used);
            if used {
                held += newest.cost();
            }
            used
        });
        let mut keep = false;
        while held + more > self.max_held / 4 * 3 && !self.lists.is_empty() {
            held = 0;
            self.lists.retain(|_, newest| {
                keep = !keep;
                if keep {
                    held += newest.cost();
                }
                keep
            });
        }
        self.held = held;
    }
}

/// A term's newest `keep` postings (all of them if it has no more), in key order, written
/// or not.
fn load(
    conn: &Connection,
    unwritten: &Unwritten,
    term: TermId,
    keep: usize,
) -> rusqlite::Result<Newest> {
    let mut stmt = conn.prepare_cached(
        "SELECT published, story_id, weight FROM terms WHERE term = ?1
         ORDER BY published DESC, story_id DESC LIMIT ?2",
    )?;
    // One more than kept: whether the term has more than `keep` postings.
    let rows = stmt.query(params![term, keep as i64 + 1])?;
    let mut list = newest_first(rows, unwritten.postings_of(term))?;
    let whole = list.len() <= keep;
    list.truncate(keep);
    list.reverse();
    list.shrink_to_fit();
    Ok(Newest {
        list,
        whole,
        used: false,
    })
}

/// The postings of `rows` (`published, story_id, weight`, newest first) and the `unwritten`
/// ones, newest first.
fn newest_first(
    mut rows: rusqlite::Rows<'_>,
    unwritten: impl Iterator<Item = UnwrittenPosting>,
) -> rusqlite::Result<Vec<Cached>> {
    let mut list = Vec::new();
    while let Some(r) = rows.next()? {
        list.push(Cached {
            published: r.get(0)?,
            story_id: r.get(1)?,
            weight: r.get::<_, f64>(2)? as f32,
        });
    }
    let written = list.len();
    list.extend(unwritten.map(Cached::from));
    if list.len() > written {
        list.sort_unstable_by_key(|p| std::cmp::Reverse(p.key()));
    }
    Ok(list)
}

impl From<UnwrittenPosting> for Cached {
    fn from(p: UnwrittenPosting) -> Self {
        Self {
            published: p.published,
            story_id: p.story_id,
            weight: p.weight,
        }
    }
}

/// The window's newest postings of one term, read from SQLite: one primary-key range of
/// `terms`, read backwards from the window's end and stopped at the limit (published is
/// copied in, so no other table is read, and the order is the key's own, so SQLite sorts
/// nothing). The term's `unwritten` postings in the window are merged in.
fn read_window(
    conn: &Connection,
    unwritten: &Unwritten,
    (term, index): (TermId, usize),
    window: RangeInclusive<i64>,
    limit: usize,
    out: &mut Vec<Posting>,
) -> rusqlite::Result<()> {
    let (from, to) = (*window.start(), *window.end());
    let mut stmt = conn.prepare_cached(
        "SELECT published, story_id, weight FROM terms
         WHERE term = ?1 AND published BETWEEN ?2 AND ?3
         ORDER BY published DESC, story_id DESC LIMIT ?4",
    )?;
    let rows = stmt.query(params![
        term,
        from,
        to,
        i64::try_from(limit).unwrap_or(i64::MAX)
    ])?;
    let in_window = unwritten
        .postings_of(term)
        .filter(|p| window.contains(&p.published));
    let newest = newest_first(rows, in_window)?;
    out.extend(newest.into_iter().take(limit).map(|p| Posting {
        story_id: p.story_id,
        term: index,
        weight: p.weight,
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a fixed sequence of test operations.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) % n
        }
    }

    /// What SQLite alone reads, every row written.
    fn uncached(conn: &Connection, terms: &[TermId], from: i64, to: i64, n: usize) -> Vec<Posting> {
        let mut out = Vec::new();
        let none = Unwritten::default();
        for (i, t) in terms.iter().enumerate() {
            read_window(conn, &none, (*t, i), from..=to, n, &mut out).unwrap();
        }
        out
    }

    const INSERT: &str =
        "INSERT INTO terms (term, published, story_id, weight) VALUES (?1, ?2, ?3, ?4)";

    #[test]
    fn cached_postings_are_what_sqlite_reads_as_lists_grow_and_are_dropped() {
        // `conn` is the writer's: a new story's postings stay unwritten until a "commit"
        // writes them. `truth` has every posting written at once.
        let (conn, truth) = (
            crate::store::migrated_in_memory(),
            crate::store::migrated_in_memory(),
        );
        let mut insert = truth.prepare(INSERT).unwrap();
        let mut unwritten = Unwritten::default();
        // Small limits, so that lists are trimmed, windows reach past the kept postings,
        // and the cache drops half of itself often.
        let mut cache = PostingsCache::with_limits(6, 300);
        let mut rng = Rng(7);
        let (mut story, mut hits, mut misses, mut drops, mut before) = (0i64, 0, 0, 0, 0);
        let mut merged = 0;
        for step in 0..6_000 {
            match rng.below(60) {
                0 => unwritten.write(&conn).unwrap(),
                // Cleared (as after another connection's commit): lists are loaded again
                // while postings are unwritten.
                1 => cache.clear(),
                _ => {}
            }
            if rng.below(3) > 0 {
                // A new story posting a few terms: mostly the newest, sometimes back-dated.
                story += 1;
                let published = if rng.below(4) == 0 {
                    rng.below(600)
                } else {
                    100 + step / 10
                };
                let mut terms: Vec<TermId> = (0..1 + rng.below(3))
                    .map(|_| rng.below(40) as i64)
                    .collect();
                terms.sort_unstable();
                terms.dedup();
                for t in terms {
                    let weight = (1 + rng.below(1_000)) as f32 / 997.0;
                    insert
                        .execute(params![t, published as i64, story, f64::from(weight)])
                        .unwrap();
                    let posting = UnwrittenPosting {
                        published: published as i64,
                        story_id: story,
                        weight,
                    };
                    unwritten.add_posting(t, posting);
                    cache.add(t, published as i64, story, weight);
                }
            } else {
                let terms: Vec<TermId> = (0..1 + rng.below(4))
                    .map(|_| rng.below(44) as i64)
                    .collect();
                // Many stories share a time, so windows often start at a kept list's first.
                let to = rng.below(220) as i64;
                let from = to - rng.below(40) as i64;
                let limit = rng.below(5) as usize;
                for (i, t) in terms.iter().enumerate() {
                    match cache.lists.get(t) {
                        Some(n) if n.window(from, to, limit, i, &mut Vec::new()) => hits += 1,
                        Some(_) => misses += 1,
                        None => {}
                    }
                    if !cache
                        .lists
                        .get(t)
                        .is_some_and(|n| n.window(from, to, limit, i, &mut Vec::new()))
                        && unwritten.postings_of(*t).next().is_some()
                    {
                        merged += 1;
                    }
                }
                let got = cache.postings(&conn, &unwritten, &terms, from, to, limit);
                assert_eq!(
                    got.unwrap(),
                    uncached(&truth, &terms, from, to, limit),
                    "step {step}"
                );
            }
            let counted: usize = cache.lists.values().map(Newest::cost).sum();
            assert_eq!(cache.held, counted, "step {step}");
            assert!(cache.held <= 300, "step {step}: {} held", cache.held);
            if cache.held + 12 < before {
                drops += 1;
            }
            before = cache.held;
        }
        // Every path was taken: windows answered from memory and from SQLite (with
        // unwritten postings merged in), lists trimmed (some not whole), halves dropped.
        assert!(
            hits > 500 && misses > 50 && drops > 5 && merged > 100,
            "{hits} hits, {misses} misses, {drops} drops, {merged} merged"
        );
        assert!(cache.lists.values().any(|n| !n.whole));
    }

    #[test]
    fn a_window_from_the_first_kept_time_reads_the_dropped_postings_of_that_time() {
        let conn = crate::store::migrated_in_memory();
        let mut cache = PostingsCache::with_limits(2, 100);
        // Load term 1 while empty (whole), then add four postings: the list is trimmed to
        // the newest two, (10, 3) and (20, 4); (10, 1) and (10, 2) are only in SQLite.
        assert!(cache
            .postings(&conn, &Unwritten::default(), &[1], 0, 100, 5)
            .unwrap()
            .is_empty());
        for (published, story) in [(10, 1), (10, 2), (10, 3), (20, 4)] {
            conn.execute(
                "INSERT INTO terms (term, published, story_id, weight) VALUES (1, ?1, ?2, 0.5)",
                params![published, story],
            )
            .unwrap();
            cache.add(1, published, story, 0.5);
        }
        assert!(!cache.lists[&1].whole);
        assert_eq!(cache.lists[&1].list.len(), 2);
        for (from, to, limit) in [
            (10, 10, 5),
            (10, 20, 3),
            (5, 20, 1),
            (11, 20, 5),
            (10, 20, 2),
        ] {
            let got = cache
                .postings(&conn, &Unwritten::default(), &[1], from, to, limit)
                .unwrap();
            let want = uncached(&conn, &[1], from, to, limit);
            assert_eq!(got, want, "[{from}, {to}] limit {limit}");
        }
    }
}
