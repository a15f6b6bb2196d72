//! Related stories: for each story, the few most similar stories of the same period (TF-IDF
//! cosine over headline and text, language-aware tokens), preferring other outlets, kept up to
//! date incrementally as stories arrive. Pure scoring: the index is reached only through the
//! [`RelatedStore`] trait (see [`store`] for the SQL it implies); no disk, network or SQLite.
//!
//! Per new story the pipeline calls [`NewDoc::new`], then [`find_related`], then stores the
//! story (`story_vectors`, `terms`, `term_df`) and writes the returned lists to `related`.
//! Folded copies are not indexed: a story is represented by its primary article only.

mod find;
pub mod memory;
mod stopwords;
pub mod store;
pub mod tokenize;
mod vector;

pub use find::{find_related, CANDIDATES, POSTINGS_PER_TERM, QUERY_TERMS, SAME_FEED_FACTOR};
pub use memory::MemoryIndex;
pub use store::{Posting, RelatedStore, StoredDoc};
pub use tokenize::{detect_language, tokenize, tokenize_as, words, Lang};
pub use vector::{
    cosine, idf, posted_terms, term_id, term_vector, term_vector_and_words, TermId, TermVector,
    MAX_TERMS, POSTED_TERMS, TITLE_WEIGHT,
};

/// Default minimum score: a TF-IDF cosine of 0.15.
pub const DEFAULT_MIN_SCORE: f32 = 0.15;

/// How related lists are built (`[related]` in the configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedConfig {
    /// Related stories per story (`[related] count`, default 3).
    pub count: usize,
    /// Only stories published within this many days of each other relate (default 30).
    pub window_days: u32,
    /// Minimum score for a link, on the cosine scale: 0 = no shared term, 1 = the same term
    /// distribution; same-outlet candidates are scored ×[`SAME_FEED_FACTOR`] first.
    /// `[related] min_score` overrides [`DEFAULT_MIN_SCORE`].
    pub min_score: f32,
}

impl Default for RelatedConfig {
    fn default() -> Self {
        Self {
            count: 3,
            window_days: 30,
            min_score: DEFAULT_MIN_SCORE,
        }
    }
}

impl RelatedConfig {
    /// Builds the config from the `[related]` settings; `min_score: None` means the default.
    pub fn new(count: usize, window_days: u32, min_score: Option<f32>) -> Self {
        Self {
            count,
            window_days,
            min_score: min_score.unwrap_or(DEFAULT_MIN_SCORE),
        }
    }
}

/// A new story to link: its primary article, vectorized.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDoc {
    /// The story's id.
    pub story_id: i64,
    /// The feed `name` of its primary article.
    pub source: String,
    /// Publication time, Unix seconds.
    pub published: i64,
    /// Its term vector.
    pub vector: TermVector,
}

impl NewDoc {
    /// Vectorizes a story's primary article; `lang` is its language tag, if known.
    pub fn new(
        story_id: i64,
        source: &str,
        published: i64,
        title: &str,
        text: &str,
        lang: Option<&str>,
    ) -> Self {
        Self {
            story_id,
            source: source.to_owned(),
            published,
            vector: term_vector(title, text, lang),
        }
    }

    /// A story whose term vector is already computed (see [`term_vector`]).
    pub fn with_vector(story_id: i64, source: &str, published: i64, vector: TermVector) -> Self {
        Self {
            story_id,
            source: source.to_owned(),
            published,
            vector,
        }
    }

    /// The row to store for this story once linked.
    pub fn to_stored(&self) -> StoredDoc {
        StoredDoc {
            story_id: self.story_id,
            source: self.source.clone(),
            published: self.published,
            vector: self.vector.clone(),
        }
    }
}

/// What linking one new story changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelatedUpdate {
    /// The new story's related stories with scores, best first (at most `count`).
    pub related: Vec<(i64, f32)>,
    /// Older stories whose list the new story enters.
    pub updates: Vec<ListChange>,
}

/// An older story's related list after a new story entered it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListChange {
    /// The older story.
    pub story_id: i64,
    /// Its whole new list, best first.
    pub list: Vec<(i64, f32)>,
    /// The first rank that changed: the ranks before it are as they were, so a store need only
    /// rewrite the list from here.
    pub from_rank: usize,
}
