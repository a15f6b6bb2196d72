//! An in-memory [`CopyStore`] for tests, the relevance harness and the bench.

use rustc_hash::FxHashMap as HashMap;

use super::fold::{most_shared, CopyStore, StoredText};

/// Band keys and texts of stored articles, in memory.
#[derive(Debug, Default)]
pub struct MemoryBands {
    bands: HashMap<i64, Vec<i64>>,
    texts: HashMap<i64, (i64, String)>,
}

impl MemoryBands {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an article: its story, body text and band keys.
    pub fn insert(&mut self, article_id: i64, story_id: i64, text: &str, band_keys: &[i64]) {
        for k in band_keys {
            self.bands.entry(*k).or_default().push(article_id);
        }
        self.texts.insert(article_id, (story_id, text.to_owned()));
    }
}

impl CopyStore for MemoryBands {
    fn band_matches(&self, keys: &[i64], limit: usize) -> Vec<(i64, u32)> {
        let ids = keys
            .iter()
            .flat_map(|k| self.bands.get(k).into_iter().flatten().copied());
        most_shared(ids, limit)
    }

    fn article_texts(&self, ids: &[i64]) -> Vec<StoredText> {
        ids.iter()
            .filter_map(|id| {
                self.texts.get(id).map(|(story, text)| StoredText {
                    article_id: *id,
                    story_id: *story,
                    text: text.clone(),
                })
            })
            .collect()
    }
}
