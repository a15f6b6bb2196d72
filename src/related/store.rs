//! The read side of the related-stories index, as a trait whose every method is one indexed SQL
//! query. Implemented in memory by [`super::memory::MemoryIndex`] and over SQLite by the store.
//!
//! Tables it implies (the store writes them from [`super::RelatedUpdate`]):
//!
//! - `story_vectors(story_id INTEGER PRIMARY KEY, source TEXT, published INTEGER, vector BLOB)`;
//!   `vector` is the serialized [`super::TermVector`].
//! - `terms(term INTEGER, published INTEGER, story_id INTEGER, weight REAL)`, primary key
//!   `(term, published, story_id)`: the postings of each story's [`super::posted_terms`],
//!   with the story's publication time copied in so that a window is one key range; `term`
//!   is a [`super::TermId`] (stable hash of the token).
//! - `term_df(term INTEGER PRIMARY KEY, df INTEGER)`, incremented once per term of each new
//!   story (all of its terms, posted or not).
//! - `related(story_id INTEGER, other_id INTEGER, score REAL, rank INTEGER)`,
//!   primary key `(story_id, rank)`; a story's list is replaced as a whole.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::vector::{TermId, TermVector};

/// One posting: a stored story holding one of the queried terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    /// The story.
    pub story_id: i64,
    /// Index of the term in the `terms` slice passed to [`RelatedStore::postings`].
    pub term: usize,
    /// The story's stored (term-frequency) weight for that term.
    pub weight: f32,
}

/// A stored story as the scorer needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    /// The story's id.
    pub story_id: i64,
    /// The `name` of the feed of its primary article (one outlet).
    pub source: String,
    /// Publication time, Unix seconds.
    pub published: i64,
    /// Its term vector.
    pub vector: TermVector,
}

/// Read access to the related-stories index.
pub trait RelatedStore {
    /// Number of indexed stories. SQL: a one-row count kept by triggers on `story_vectors`.
    fn doc_count(&self) -> u64;

    /// Document frequency of each term (0 when unknown), in the order given.
    /// SQL: `SELECT term, df FROM term_df WHERE term IN (..terms)`.
    fn doc_freqs(&self, terms: &[TermId]) -> Vec<u64>;

    /// Document frequency of every term of each of `docs` (0 when unknown): the vectors' terms
    /// end to end, each in its vector's order. Scoring the candidates of one new story needs
    /// thousands of these (up to [`super::MAX_TERMS`] per candidate); an implementation that
    /// numbers the terms of the vectors it hands out can answer without hashing each one.
    /// SQL: as [`Self::doc_freqs`] over those terms.
    fn candidate_freqs(&self, docs: &[Arc<StoredDoc>]) -> Vec<u64> {
        let terms: Vec<TermId> = docs
            .iter()
            .flat_map(|d| d.vector.terms.iter().map(|(t, _)| *t))
            .collect();
        self.doc_freqs(&terms)
    }

    /// Stories published in `[from, to]` holding each term, at most `limit_per_term` per term:
    /// the most recent (then the highest story id). A term held by more stories than that is
    /// common in the window; reading only its newest postings bounds the work per new story
    /// however large the window's index grows, and recent coverage is what a reader of a new
    /// story is likeliest to want next to it. The new story's rarer terms, which are the
    /// heavier part of its query, have short postings and are read whole.
    /// SQL, per term, one range of the key `(term, published, story_id)` read backwards:
    /// `SELECT story_id, weight FROM terms WHERE term = ?1 AND published BETWEEN ?2 AND ?3
    /// ORDER BY published DESC, story_id DESC LIMIT ?4`.
    fn postings(&self, terms: &[TermId], from: i64, to: i64, limit_per_term: usize)
        -> Vec<Posting>;

    /// The stored stories among `ids` (any order; unknown ids skipped), shared: a story is
    /// a candidate of many later ones, so an implementation may hand out one decoded copy.
    /// SQL: `SELECT story_id, source, published, vector FROM story_vectors WHERE story_id IN
    /// (..ids)`.
    fn doc_vectors(&self, ids: &[i64]) -> Vec<Arc<StoredDoc>>;

    /// A story's current related list, best first, with scores.
    /// SQL: `SELECT other_id, score FROM related WHERE story_id = ? ORDER BY rank`.
    fn related_of(&self, story_id: i64) -> Vec<(i64, f32)>;
}

/// The story ids `postings` holds for the `term`-th queried term, in the order given (tests of
/// both implementations compare them).
#[cfg(test)]
pub(crate) fn story_ids_of(postings: &[Posting], term: usize) -> Vec<i64> {
    postings
        .iter()
        .filter(|p| p.term == term)
        .map(|p| p.story_id)
        .collect()
}
