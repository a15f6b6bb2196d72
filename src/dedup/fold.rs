//! Folding: finds the stored article a new article is a near-copy of, through the LSH band
//! index and a shingle-overlap check, so that syndicated copies join one story.
//!
//! Storage is behind [`CopyStore`], two indexed queries (see its methods).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::fingerprint::{band_keys, fingerprint_shingles};
use super::shingle::{overlap, shingles, shingles_of_words};

/// Candidates (by shared band count) verified per new article: bounds the work per ingest.
pub const MAX_VERIFIED: usize = 8;

/// Read access to the fingerprint index, implemented in memory for tests and the relevance
/// harness, and over SQLite by the store.
pub trait CopyStore {
    /// Articles sharing at least one of `keys`, with the number of keys shared, most first
    /// (then the lowest id), at most `limit`: [`most_shared`] of the articles holding each key.
    ///
    /// SQL: `SELECT article_id FROM bands WHERE band_key = ?1` for each distinct key (the
    /// primary key's ranges), counted by [`most_shared`].
    fn band_matches(&self, keys: &[i64], limit: usize) -> Vec<(i64, u32)>;

    /// Body text and story of each article in `ids` (any order; unknown ids skipped).
    ///
    /// SQL: `SELECT id, story_id, content_text FROM articles WHERE id IN (..ids)`.
    fn article_texts(&self, ids: &[i64]) -> Vec<StoredText>;
}

/// The `limit` ids met most often in `ids` (an article once per band key it shares), with
/// their counts: most first, then the lowest id.
pub fn most_shared(ids: impl IntoIterator<Item = i64>, limit: usize) -> Vec<(i64, u32)> {
    let mut hits: HashMap<i64, u32> = HashMap::default();
    for id in ids {
        *hits.entry(id).or_default() += 1;
    }
    let mut out: Vec<(i64, u32)> = hits.into_iter().collect();
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

/// A stored article's body, as [`CopyStore::article_texts`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredText {
    /// The article's id.
    pub article_id: i64,
    /// The story the article belongs to.
    pub story_id: i64,
    /// Its body as plain text.
    pub text: String,
}

/// What `find_copy` computes for a new article.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyCheck {
    /// Band keys of the new article, to store in `bands` whether or not it is a copy.
    pub band_keys: Vec<i64>,
    /// The stored article it copies, if any.
    pub copy_of: Option<CopyOf>,
}

/// The stored article a new article copies, and the story it therefore joins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyOf {
    /// The copied article.
    pub article_id: i64,
    /// Its story, which the new article joins (it joins no other; stories never merge).
    pub story_id: i64,
    /// Jaccard overlap of the two texts' shingles.
    pub jaccard: f32,
}

/// A new article's body, shingled and fingerprinted: the database-free half of the copy
/// check, computed wherever the article was extracted so the store's single writer only
/// looks things up.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPrint {
    /// Hashed word shingles of the body.
    pub shingles: HashSet<u64>,
    /// Its LSH band keys (empty when the text is too short to fingerprint).
    pub band_keys: Vec<i64>,
}

impl TextPrint {
    /// Shingles and fingerprints `text`.
    pub fn of(text: &str) -> TextPrint {
        Self::of_shingles(shingles(text))
    }

    /// [`TextPrint::of`] a text whose words' hashes, in order, are `words` (as
    /// [`crate::related::term_vector_and_words`] gives them).
    pub fn of_words(words: &[u64]) -> TextPrint {
        Self::of_shingles(shingles_of_words(words))
    }

    fn of_shingles(shingles: HashSet<u64>) -> TextPrint {
        let band_keys = band_keys(&fingerprint_shingles(&shingles));
        TextPrint {
            shingles,
            band_keys,
        }
    }
}

/// Finds the stored article that `text` (a new article's body) is a copy of: band-key lookup,
/// then exact shingle overlap on the few best candidates; the best verified one wins.
pub fn find_copy<S: CopyStore>(store: &S, text: &str) -> CopyCheck {
    find_copy_of(store, &TextPrint::of(text))
}

/// [`find_copy`] for an already fingerprinted text.
pub fn find_copy_of<S: CopyStore>(store: &S, print: &TextPrint) -> CopyCheck {
    let (own, keys) = (&print.shingles, print.band_keys.clone());
    if keys.is_empty() {
        return CopyCheck {
            band_keys: keys,
            copy_of: None,
        };
    }
    let ids: Vec<i64> = store
        .band_matches(&keys, MAX_VERIFIED)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut best: Option<CopyOf> = None;
    for stored in store.article_texts(&ids) {
        let o = overlap(own, &shingles(&stored.text));
        if o.is_copy() && best.is_none_or(|b| o.jaccard > b.jaccard) {
            best = Some(CopyOf {
                article_id: stored.article_id,
                story_id: stored.story_id,
                jaccard: o.jaccard,
            });
        }
    }
    CopyCheck {
        band_keys: keys,
        copy_of: best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::MemoryBands;

    const WIRE: &str = "The city council voted on Tuesday to close the old bridge after \
        engineers found deep cracks in two of its supports.\nRepairs are expected to take at \
        least eight months and cost more than four million dollars, officials said.\nDrivers \
        will be sent over the river road, which adds about ten minutes to the trip.";
    const OTHER: &str = "Council members argued for hours before a narrow vote to shut the \
        crossing; an engineer who inspected it called the damage the worst she had seen in a \
        career of thirty years, and commuters should plan for long detours this winter.";

    fn store() -> MemoryBands {
        let mut bands = MemoryBands::new();
        for (id, text) in [(1, WIRE), (2, OTHER)] {
            bands.insert(id, id * 10, text, &find_copy(&bands, text).band_keys);
        }
        bands
    }

    #[test]
    fn syndicated_copies_join_the_original_story() {
        let bands = store();
        let copies = [
            format!("WASHINGTON (AP) — {WIRE}"),
            WIRE.split('\n').take(2).collect::<Vec<_>>().join("\n"),
            WIRE.replace("deep cracks", "serious cracks"),
        ];
        for copy in copies {
            let found = find_copy(&bands, &copy).copy_of.map(|c| c.story_id);
            assert_eq!(found, Some(10), "{copy}");
        }
    }

    #[test]
    fn a_different_write_up_is_not_a_copy() {
        let bands = store();
        let text = "Engineers found cracks in the old bridge, and the council closed it on \
            Tuesday. Officials estimate repairs at four million dollars over eight months.";
        assert_eq!(find_copy(&bands, text).copy_of, None);
        assert_eq!(find_copy(&bands, "").copy_of, None);
        assert!(find_copy(&bands, "").band_keys.is_empty());
    }
}
