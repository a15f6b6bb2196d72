//! An in-memory [`RelatedStore`]: the reference implementation for tests, the relevance harness
//! and the bench. Holds everything in hash maps; `evict_published_before` bounds its memory.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::store::{Posting, RelatedStore, StoredDoc};
use super::vector::{posted_terms, TermId};
use super::RelatedUpdate;

/// The related-stories index held in memory.
#[derive(Debug, Default)]
pub struct MemoryIndex {
    docs: HashMap<i64, Arc<StoredDoc>>,
    df: HashMap<TermId, u64>,
    /// term -> (published, story, weight), sorted by published, then story (the SQL key).
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
            let pos = list.partition_point(|p| (p.0, p.1) <= (doc.published, doc.story_id));
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
        for change in &update.updates {
            self.related.insert(change.story_id, change.list.clone());
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
            out.extend(
                list[lo..hi]
                    .iter()
                    .rev()
                    .take(limit_per_term)
                    .map(|p| Posting {
                        story_id: p.1,
                        term: i,
                        weight: p.2,
                    }),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::related::TermVector;

    #[test]
    fn postings_are_the_newest_of_the_window_per_term_as_in_sql() {
        // The same postings as the store's test: term 5 held by stories 1-14, story `id` at
        // 90 + 10 * id (12-14 all at 210), term 6 by stories 3 and 4, term 7 by story 1 only.
        let mut index = MemoryIndex::new();
        for id in [14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1] {
            let mut terms = vec![(5, 1.0)];
            if id == 3 || id == 4 {
                terms.push((6, 1.0));
            }
            if id == 1 {
                terms.push((7, 1.0));
            }
            index.insert(StoredDoc {
                story_id: id,
                source: "a".into(),
                published: 90 + 10 * id.min(12),
                vector: TermVector { terms },
            });
        }
        let got = index.postings(&[5, 6, 8], 100, 200, 3);
        let ids = |term| crate::related::store::story_ids_of(&got, term);
        assert_eq!(ids(0), vec![11, 10, 9]);
        assert_eq!(ids(1), vec![4, 3]);
        assert!(ids(2).is_empty());
        let ties = index.postings(&[5], 200, 220, 2);
        assert_eq!(
            ties.iter().map(|p| p.story_id).collect::<Vec<_>>(),
            vec![14, 13]
        );
        assert!(index.postings(&[5], 0, 1_000, 0).is_empty());
    }
}
