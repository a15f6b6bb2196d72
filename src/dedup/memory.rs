//! An in-memory [`CopyStore`] for tests, the relevance harness and the bench.

use rustc_hash::FxHashMap as HashMap;

use super::fold::{CopyStore, StoredText};

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
        let mut hits: HashMap<i64, u32> = HashMap::default();
        for k in keys {
            for id in self.bands.get(k).into_iter().flatten() {
                *hits.entry(*id).or_default() += 1;
            }
        }
        let mut out: Vec<(i64, u32)> = hits.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        out
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
