//! An in-memory [`RelatedStore`]: the reference implementation for tests, the relevance harness
//! and the bench. Holds everything in hash maps; `evict_published_before` bounds its memory.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::store::{keep_best, Posting, RelatedStore, StoredDoc};
use super::vector::{posted_terms, TermId};
use super::RelatedUpdate;

/// The related-stories index held in memory.
#[derive(Debug, Default)]
pub struct MemoryIndex {
    docs: HashMap<i64, Arc<StoredDoc>>,
    df: HashMap<TermId, u64>,
    /// term -> (published, story, weight), sorted by published.
    postings: HashMap<TermId, Vec<(i64, i64, f32)>>,
    related: HashMap<i64, Vec<(i64, f32)>>,
}

impl MemoryIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a story's vector (replacing any previous one with the same id): counts all its
    /// terms and posts its [`posted_terms`], as the store does.
    pub fn insert(&mut self, doc: StoredDoc) {
        self.remove(doc.story_id);
        let dfs: Vec<u64> = doc
            .vector
            .terms
            .iter()
            .map(|(t, _)| self.df.get(t).copied().unwrap_or(0))
            .collect();
        for (term, weight) in posted_terms(&doc.vector, &dfs, self.docs.len() as u64) {
            let list = self.postings.entry(term).or_default();
            let pos = list.partition_point(|p| p.0 <= doc.published);
            list.insert(pos, (doc.published, doc.story_id, weight));
        }
        for (term, _) in &doc.vector.terms {
            *self.df.entry(*term).or_default() += 1;
        }
        self.docs.insert(doc.story_id, Arc::new(doc));
    }

    /// Stores the related lists of `story_id` and of the older stories `update` changes.
    pub fn apply(&mut self, story_id: i64, update: &RelatedUpdate) {
        self.related.insert(story_id, update.related.clone());
        for (other, list) in &update.updates {
            self.related.insert(*other, list.clone());
        }
    }

    /// Drops a story, its postings and its related list.
    pub fn remove(&mut self, story_id: i64) {
        let Some(doc) = self.docs.remove(&story_id) else {
            return;
        };
        for (term, _) in &doc.vector.terms {
            if let Some(list) = self.postings.get_mut(term) {
                list.retain(|p| p.1 != story_id);
                if list.is_empty() {
                    self.postings.remove(term);
                }
            }
            if let Some(df) = self.df.get_mut(term) {
                *df -= 1;
                if *df == 0 {
                    self.df.remove(term);
                }
            }
        }
        self.related.remove(&story_id);
    }

    /// Drops every story published before `cutoff` (Unix seconds): with `cutoff` one window
    /// behind the newest story, memory stays bounded by the stories of one window.
    pub fn evict_published_before(&mut self, cutoff: i64) {
        let old: Vec<i64> = self
            .docs
            .values()
            .filter(|d| d.published < cutoff)
            .map(|d| d.story_id)
            .collect();
        for id in old {
            self.remove(id);
        }
    }

    /// Number of stories held.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl RelatedStore for MemoryIndex {
    fn doc_count(&self) -> u64 {
        self.docs.len() as u64
    }

    fn doc_freqs(&self, terms: &[TermId]) -> Vec<u64> {
        terms
            .iter()
            .map(|t| self.df.get(t).copied().unwrap_or(0))
            .collect()
    }

    fn postings(
        &self,
        terms: &[TermId],
        from: i64,
        to: i64,
        limit_per_term: usize,
    ) -> Vec<Posting> {
        let mut out = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let Some(list) = self.postings.get(term) else {
                continue;
            };
            let lo = list.partition_point(|p| p.0 < from);
            let hi = list.partition_point(|p| p.0 <= to);
            let start = out.len();
            out.extend(list[lo..hi].iter().map(|p| Posting {
                story_id: p.1,
                term: i,
                weight: p.2,
            }));
            keep_best(&mut out, start, limit_per_term);
        }
        out
    }

    fn doc_vectors(&self, ids: &[i64]) -> Vec<Arc<StoredDoc>> {
        ids.iter()
            .filter_map(|id| self.docs.get(id).cloned())
            .collect()
    }

    fn related_of(&self, story_id: i64) -> Vec<(i64, f32)> {
        self.related.get(&story_id).cloned().unwrap_or_default()
    }
}
