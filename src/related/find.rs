//! Scoring one new story against the index: candidate generation from the postings of its most
//! distinctive terms, exact TF-IDF cosine on the best candidates, outlet and time preferences,
//! and the updates this causes to older stories' lists. Touches the index only through
//! [`RelatedStore`], with a bounded number of queries per new story.

use rustc_hash::FxHashMap as HashMap;

use super::store::{Posting, RelatedStore, StoredDoc};
use super::vector::{idf, TermId, TermVector};
use super::{ListChange, NewDoc, RelatedConfig, RelatedUpdate};

/// Terms of the new story used to find candidates (its highest TF-IDF weights).
pub const QUERY_TERMS: usize = 32;

/// Postings read per query term, the newest in the window: at most `QUERY_TERMS` x this many
/// rows per new story, however many stories the window holds. With 2,000 the rows read grew
/// with the index (about 1,700 per story by 6,000 stories) and a 49,000-article ingest took
/// 1.25x as long; the related lists of the loadgen corpus were as good or better with 128
/// (BENCHMARKS.md, run 6).
pub const POSTINGS_PER_TERM: usize = 128;

/// Candidates scored exactly (best partial scores from the postings).
pub const CANDIDATES: usize = 64;

/// Scores `new` (not yet in the index) against the stories published within the window around
/// it and returns its related list plus the older lists it enters. The caller stores `new`
/// and applies the update. A `count` of 0 turns linking off: the update is empty.
pub fn find_related<S: RelatedStore>(
    store: &S,
    new: &NewDoc,
    cfg: &RelatedConfig,
) -> RelatedUpdate {
    if cfg.count == 0 {
        // Linking is off: no list to fill and none to enter, so nothing to score.
        return RelatedUpdate::default();
    }
    let n = store.doc_count() + 1;
    let window = i64::from(cfg.window_days) * 86_400;
    let q = &new.vector;
    let q_terms: Vec<TermId> = q.terms.iter().map(|(t, _)| *t).collect();
    let q_df = store.doc_freqs(&q_terms);

    let mut ranked: Vec<(usize, f32)> = q
        .terms
        .iter()
        .enumerate()
        .filter(|(i, _)| q_df[*i] > 0)
        .map(|(i, (_, w))| (i, w * idf(q_df[i] + 1, n)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.truncate(QUERY_TERMS);
    let query: Vec<TermId> = ranked.iter().map(|(i, _)| q_terms[*i]).collect();
    let query_w: Vec<f32> = ranked.iter().map(|(_, w)| *w).collect();

    let postings = store.postings(
        &query,
        new.published - window,
        new.published + window,
        POSTINGS_PER_TERM,
    );
    let mut cands = partial_scores(&postings, &query_w, new.story_id);
    let by_score = |a: &(i64, f32), b: &(i64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if cands.len() > CANDIDATES {
        // Thousands of stories share a query term in a large window: select, then sort.
        cands.select_nth_unstable_by(CANDIDATES - 1, by_score);
        cands.truncate(CANDIDATES);
    }
    cands.sort_by(by_score);
    let ids: Vec<i64> = cands.iter().map(|(id, _)| *id).collect();
    let docs = store.doc_vectors(&ids);

    let dfs = store.candidate_freqs(&docs);
    let mut idfs = IdfTable::new(n);
    let q_weighted = weigh(q, &q_df, &mut idfs);
    let mut rest = dfs.as_slice();
    let mut scored: Vec<(i64, f32)> = docs
        .iter()
        .map(|d| {
            let (own, later) = rest.split_at(d.vector.terms.len().min(rest.len()));
            rest = later;
            (d.story_id, pair_score(new, &q_weighted, d, own, &mut idfs))
        })
        .filter(|(_, s)| *s >= cfg.min_score)
        .collect();
    scored.sort_by(by_score);

    let updates = scored
        .iter()
        .filter_map(|&(other, s)| {
            insert_ranked(store.related_of(other), new.story_id, s, cfg.count).map(
                |(list, from_rank)| ListChange {
                    story_id: other,
                    list,
                    from_rank,
                },
            )
        })
        .collect();
    scored.truncate(cfg.count);
    RelatedUpdate {
        related: scored,
        updates,
    }
}

/// Widest range of story ids summed in a dense table (4 bytes per id: 256 KB).
const DENSE_IDS: u64 = 1 << 16;

/// Each story's partial score (the sum of query weight x stored weight over its postings, in
/// the order given), `skip` left out; in the order stories first appear. Story ids are rowids
/// handed out as stories arrive, so the stories of one window mostly hold a narrow range of
/// ids: there a table indexed by id finds a story's running sum, instead of a hash map whose
/// probing cost a twentieth of a bulk ingest's CPU. A wider range uses the map.
fn partial_scores(postings: &[Posting], query_w: &[f32], skip: i64) -> Vec<(i64, f32)> {
    let mut sums: Vec<(i64, f32)> = Vec::new();
    let ids = postings.iter().map(|p| p.story_id);
    let (Some(lo), Some(hi)) = (ids.clone().min(), ids.max()) else {
        return sums;
    };
    let span = hi.abs_diff(lo).saturating_add(1);
    let mut add = |at: &mut u32, p: &Posting| {
        if *at == 0 {
            sums.push((p.story_id, 0.0));
            *at = sums.len() as u32;
        }
        sums[*at as usize - 1].1 += query_w[p.term] * p.weight;
    };
    let counted = postings.iter().filter(|p| p.story_id != skip);
    if span <= DENSE_IDS.max(4 * postings.len() as u64) {
        // Position + 1 in `sums` of each id's story; 0 until it is first seen.
        let mut at = vec![0u32; span as usize];
        for p in counted {
            add(&mut at[p.story_id.abs_diff(lo) as usize], p);
        }
    } else {
        let mut at: HashMap<i64, u32> =
            HashMap::with_capacity_and_hasher(postings.len(), Default::default());
        for p in counted {
            add(at.entry(p.story_id).or_default(), p);
        }
    }
    sums
}

/// `idf(df, n)` for one `n`, remembered in a small direct-mapped table: candidates share
/// most of their frequent terms, and a lookup is cheaper than the logarithm.
struct IdfTable {
    n: u64,
    slots: Vec<(u64, f32)>,
}

impl IdfTable {
    /// Slots in the table (a power of two).
    const SLOTS: usize = 4_096;

    fn new(n: u64) -> Self {
        Self {
            n,
            slots: vec![(u64::MAX, 0.0); Self::SLOTS],
        }
    }

    fn get(&mut self, df: u64) -> f32 {
        let slot = &mut self.slots[(df as usize) & (Self::SLOTS - 1)];
        if slot.0 != df {
            *slot = (df, idf(df, self.n));
        }
        slot.1
    }
}

/// The new story's TF-IDF weights by term, and their norm. The new story counts in the
/// frequencies of its own terms (`q_df[i] + 1`).
fn weigh(q: &TermVector, q_df: &[u64], idfs: &mut IdfTable) -> QueryWeights {
    let weights: Vec<(TermId, f32)> = q
        .terms
        .iter()
        .zip(q_df)
        .map(|((t, w), df)| (*t, w * idfs.get(df + 1)))
        .collect();
    let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    QueryWeights::new(&weights, norm)
}

/// The new story's weights in an open-addressing table, for the exact scores: a candidate's
/// term is found in about one probe. A merge of the two sorted vectors took a varying
/// number of steps per term, a mispredicted branch on most of them: the scoring loop was a
/// sixth of the writer's time at 1,000 articles.
struct QueryWeights {
    /// `(term, weight)`; a free slot holds [`QueryWeights::FREE`].
    slots: Box<[(TermId, f32)]>,
    /// Bits of a slot index.
    bits: u32,
    /// The weight of a term equal to `FREE`, which cannot be stored in the table.
    free_term: Option<f32>,
    norm: f32,
}

impl QueryWeights {
    const FREE: TermId = TermId::MIN;

    fn new(weights: &[(TermId, f32)], norm: f32) -> Self {
        // At most a quarter full (with at least 16 slots): a miss ends at the first probe
        // most of the time.
        let bits = (weights.len() * 4)
            .max(16)
            .next_power_of_two()
            .trailing_zeros();
        let mut table = Self {
            slots: vec![(Self::FREE, 0.0); 1 << bits].into(),
            bits,
            free_term: None,
            norm,
        };
        for &(t, w) in weights {
            if t == Self::FREE {
                table.free_term = Some(w);
                continue;
            }
            let mut at = table.home(t);
            while table.slots[at].0 != Self::FREE {
                at = (at + 1) & (table.slots.len() - 1);
            }
            table.slots[at] = (t, w);
        }
        table
    }

    /// The first slot to probe for `t` (term ids are hashes; the multiply spreads them
    /// anyway).
    fn home(&self, t: TermId) -> usize {
        ((t as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.bits)) as usize
    }

    /// The weight of `t` in the new story, if it has the term.
    fn get(&self, t: TermId) -> Option<f32> {
        if t == Self::FREE {
            return self.free_term;
        }
        let mut at = self.home(t);
        loop {
            let (key, w) = self.slots[at];
            if key == t {
                return Some(w);
            }
            if key == Self::FREE {
                return None;
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

/// The relevance of a stored story to the new one: TF-IDF cosine, lowered for the same outlet
/// so that other outlets' coverage comes first when it is about as relevant. `dfs[i]` is the
/// document frequency of the stored story's `i`-th term; a term the new story shares counts
/// the new story too, as in [`weigh`].
fn pair_score(
    new: &NewDoc,
    q: &QueryWeights,
    other: &StoredDoc,
    dfs: &[u64],
    idfs: &mut IdfTable,
) -> f32 {
    let (mut dot, mut norm) = (0.0f32, 0.0f32);
    for ((t, w), df) in other.vector.terms.iter().zip(dfs) {
        let shared = q.get(*t);
        let w = w * idfs.get(df + u64::from(shared.is_some()));
        norm += w * w;
        // Adding 0.0 x w for a term not shared leaves `dot` as it was, bit for bit (weights
        // are finite), and keeps the loop free of a data-dependent branch.
        dot += shared.unwrap_or(0.0) * w;
    }
    if dot == 0.0 {
        return 0.0;
    }
    let mut s = (dot / (q.norm * norm.sqrt())).min(1.0);
    if other.source == new.source {
        s *= SAME_FEED_FACTOR;
    }
    s
}

/// Factor on a same-outlet candidate's score.
pub const SAME_FEED_FACTOR: f32 = 0.9;

/// Inserts `(id, score)` into a ranked list of at most `k` (replacing an entry of `id`).
/// Returns the new list and the first rank at which it differs from `list`; `None` when
/// `(id, score)` does not enter (never, when `k` is 0) or the list is unchanged.
fn insert_ranked(
    mut list: Vec<(i64, f32)>,
    id: i64,
    score: f32,
    k: usize,
) -> Option<(Vec<(i64, f32)>, usize)> {
    let old = list
        .iter()
        .position(|(other, _)| *other == id)
        .map(|at| (at, list.remove(at).1));
    if list.len() >= k && list.last().is_none_or(|(_, s)| *s >= score) {
        return None;
    }
    let pos = list
        .iter()
        .position(|(_, s)| *s < score)
        .unwrap_or(list.len());
    if old == Some((pos, score)) {
        return None;
    }
    list.insert(pos, (id, score));
    list.truncate(k);
    Some((list, old.map_or(pos, |(at, _)| at.min(pos))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::related::MemoryIndex;

    const DAY: i64 = 86_400;

    #[test]
    fn partial_scores_sum_each_story_in_postings_order_dense_or_not() {
        let query_w = [0.5f32, 1.25, 3.0];
        // Narrow ids (the dense table), ids a billion apart (the map), and one id skipped.
        for ids in [
            vec![7_i64, 9, 7, 12, 9, 7, 40],
            vec![3, 1_000_000_000, 3, -5, 1_000_000_000],
        ] {
            let postings: Vec<Posting> = ids
                .iter()
                .enumerate()
                .map(|(i, &story_id)| Posting {
                    story_id,
                    term: i % 3,
                    weight: 0.1 * (i + 1) as f32,
                })
                .collect();
            let skip = ids[1];
            let mut expected: Vec<(i64, f32)> = Vec::new();
            for p in postings.iter().filter(|p| p.story_id != skip) {
                match expected.iter_mut().find(|(id, _)| *id == p.story_id) {
                    Some(sum) => sum.1 += query_w[p.term] * p.weight,
                    None => expected.push((p.story_id, query_w[p.term] * p.weight)),
                }
            }
            assert_eq!(partial_scores(&postings, &query_w, skip), expected);
        }
        assert!(partial_scores(&[], &query_w, 1).is_empty());
    }

    fn add(
        index: &mut MemoryIndex,
        id: i64,
        source: &str,
        day: i64,
        title: &str,
        text: &str,
    ) -> RelatedUpdate {
        let doc = NewDoc::new(id, source, day * DAY, title, text, Some("en"));
        let update = find_related(index, &doc, &RelatedConfig::default());
        index.insert(doc.to_stored());
        index.apply(id, &update);
        update
    }

    fn corpus() -> MemoryIndex {
        let mut index = MemoryIndex::new();
        add(
            &mut index,
            1,
            "a",
            0,
            "Bridge closed after cracks found",
            "Engineers found cracks in the Elm Street bridge; the council closed it.",
        );
        add(
            &mut index,
            2,
            "b",
            1,
            "Mayor wins second term",
            "Voters re-elected the mayor with sixty percent of the ballots.",
        );
        add(
            &mut index,
            3,
            "c",
            2,
            "Elm Street bridge repairs to take months",
            "The Elm Street bridge, closed over cracks, needs eight months of repairs.",
        );
        add(
            &mut index,
            4,
            "d",
            3,
            "Storm floods harbour",
            "Heavy rain flooded the harbour and closed the ferry terminal.",
        );
        index
    }

    #[test]
    fn links_same_event_and_updates_older_story() {
        let index = corpus();
        assert_eq!(index.related_of(3).first().map(|r| r.0), Some(1));
        // The older story gained the newer one.
        assert_eq!(index.related_of(1).first().map(|r| r.0), Some(3));
        // Nothing unrelated passes the minimum score.
        assert!(index.related_of(2).is_empty());
    }

    #[test]
    fn window_excludes_old_stories() {
        let mut index = corpus();
        let update = add(
            &mut index,
            5,
            "e",
            90,
            "Elm Street bridge reopens",
            "The Elm Street bridge reopened after repairs of its cracks.",
        );
        assert!(update.related.is_empty());
    }

    #[test]
    fn a_count_of_zero_links_nothing_and_changes_no_older_list() {
        let index = corpus();
        let doc = NewDoc::new(
            5,
            "e",
            4 * DAY,
            "Elm Street bridge cracks: council closes it for repairs",
            "Engineers found cracks in the Elm Street bridge, closed for months of repairs.",
            Some("en"),
        );
        let off = RelatedConfig::new(0, 30, None);
        assert_eq!(find_related(&index, &doc, &off), RelatedUpdate::default());
        // The same story does link with a count above zero (so the test can fail).
        let update = find_related(&index, &doc, &RelatedConfig::new(3, 30, None));
        assert!(!update.related.is_empty() && !update.updates.is_empty());
    }

    #[test]
    fn idf_table_matches_idf_when_slots_collide() {
        let n = 50_000;
        let mut table = IdfTable::new(n);
        for df in [0, 1, 7, 4_096, 4_097, 8_193, 49_999, 1, 4_096, 0] {
            assert_eq!(table.get(df), idf(df, n), "df {df}");
        }
    }

    #[test]
    fn query_weights_find_exactly_the_new_storys_terms() {
        // Sixty terms in 256 slots (some share a first slot), the free marker itself, and
        // extremes.
        let mut term = 1_u64;
        let mut weights: Vec<(TermId, f32)> = (1..=60)
            .map(|i| {
                // xorshift64: term ids are hashes.
                term ^= term << 13;
                term ^= term >> 7;
                term ^= term << 17;
                (term as TermId, i as f32)
            })
            .collect();
        weights.extend([(QueryWeights::FREE, 9.5), (-7, 2.5), (i64::MAX, 3.5)]);
        let table = QueryWeights::new(&weights, 1.0);
        assert_eq!(table.slots.len(), 256);
        let moved = (table.slots.iter().enumerate())
            .filter(|(at, (t, _))| *t != QueryWeights::FREE && table.home(*t) != *at)
            .count();
        assert!(moved > 0, "no probe chain was tested");
        for &(t, w) in &weights {
            assert_eq!(table.get(t), Some(w), "term {t}");
        }
        for t in [
            1,
            weights[0].0 + 1,
            -8,
            i64::MAX - 1,
            QueryWeights::FREE + 1,
        ] {
            assert_eq!(table.get(t), None, "term {t}");
        }
        assert_eq!(QueryWeights::new(&[], 0.0).get(QueryWeights::FREE), None);
    }

    #[test]
    fn insert_ranked_keeps_order_and_size() {
        let list = vec![(1, 0.9), (2, 0.5), (3, 0.3)];
        assert_eq!(
            insert_ranked(list.clone(), 9, 0.4, 3),
            Some((vec![(1, 0.9), (2, 0.5), (9, 0.4)], 2))
        );
        assert_eq!(insert_ranked(list.clone(), 9, 0.2, 3), None);
        assert_eq!(
            insert_ranked(list.clone(), 9, 0.2, 4).map(|l| l.0.len()),
            Some(4)
        );
        // An entry already listed moves; unchanged, it is no update.
        assert_eq!(
            insert_ranked(list.clone(), 3, 0.95, 3),
            Some((vec![(3, 0.95), (1, 0.9), (2, 0.5)], 0))
        );
        assert_eq!(insert_ranked(list, 2, 0.5, 3), None);
        // Nothing enters a list of at most 0.
        assert_eq!(insert_ranked(Vec::new(), 9, 0.5, 0), None);
    }

    #[test]
    fn insert_ranked_reports_exactly_the_first_changed_rank() {
        // Every list of up to 4 of the ids 1-5 with distinct scores, every id 1-6 entering at
        // every score between and around them, for k of 1 to 5.
        let scores = [0.9, 0.7, 0.5, 0.3];
        let mut checked = 0;
        for mask in 0u32..(1 << 5) {
            let ids: Vec<i64> = (1..=5).filter(|i| mask & (1 << (i - 1)) != 0).collect();
            if ids.len() > scores.len() {
                continue;
            }
            let old: Vec<(i64, f32)> = ids.iter().copied().zip(scores).collect();
            for k in 1..=5 {
                if old.len() > k {
                    continue;
                }
                for id in 1..=6 {
                    for score in [1.0, 0.9, 0.8, 0.5, 0.4, 0.1] {
                        let Some((new, from)) = insert_ranked(old.clone(), id, score, k) else {
                            continue;
                        };
                        checked += 1;
                        assert!(new.len() <= k && new.len() >= old.len());
                        assert_eq!(new[..from], old[..from], "{old:?} + {id}@{score}");
                        assert!(
                            from < new.len() && old.get(from) != Some(&new[from]),
                            "{old:?} + {id}@{score}: rank {from} is unchanged"
                        );
                    }
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }
}
