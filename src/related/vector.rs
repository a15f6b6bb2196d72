//! Term vectors of stories and their TF-IDF cosine similarity. Stored weights hold only the
//! term-frequency part, so they never go stale; IDF is applied at query time from current
//! document frequencies.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::tokenize::{detect_language, for_each_term_id, for_each_word_and_term_id, Lang};
use crate::dedup::stable_hash;

/// A headline term counts as this many body occurrences: headlines name the event.
pub const TITLE_WEIGHT: f32 = 2.0;

/// Longest vector kept per story (highest weights first): bounds storage and scoring work.
pub const MAX_TERMS: usize = 300;

/// A term as stored and compared: the stable 64-bit hash of its token (collisions are
/// negligible at news vocabularies), so vectors, postings and SQL keys hold integers.
pub type TermId = i64;

/// The id of a token produced by `tokenize`.
pub fn term_id(token: &str) -> TermId {
    stable_hash(token.as_bytes()) as i64
}

/// A story's terms with their term-frequency weights (`1 + ln(tf)`), sorted by term id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TermVector {
    /// `(term, weight)` pairs, sorted by term id, ids unique.
    pub terms: Vec<(TermId, f32)>,
}

impl TermVector {
    /// The weight of `token`, 0 when absent.
    pub fn weight(&self, token: &str) -> f32 {
        let id = term_id(token);
        self.terms
            .binary_search_by(|(t, _)| t.cmp(&id))
            .map_or(0.0, |i| self.terms[i].1)
    }
}

/// Builds the term vector of a story from its headline and body text. `lang` is the declared
/// language tag if any; otherwise the language is detected from the text.
pub fn term_vector(title: &str, text: &str, lang: Option<&str>) -> TermVector {
    let lang = language(title, text, lang);
    let mut tf: FxHashMap<TermId, f32> = FxHashMap::default();
    for_each_term_id(title, lang, |t| *tf.entry(t).or_default() += TITLE_WEIGHT);
    for_each_term_id(text, lang, |t| *tf.entry(t).or_default() += 1.0);
    weighted(tf)
}

/// [`term_vector`], also calling `word` with the hash of each word of `text` as
/// [`crate::dedup::shingles`] hashes them: one pass over the body gives both.
pub fn term_vector_and_words(
    title: &str,
    text: &str,
    lang: Option<&str>,
    word: impl FnMut(u64),
) -> TermVector {
    let lang = language(title, text, lang);
    let mut tf: FxHashMap<TermId, f32> = FxHashMap::default();
    for_each_term_id(title, lang, |t| *tf.entry(t).or_default() += TITLE_WEIGHT);
    for_each_word_and_term_id(text, lang, word, |t| *tf.entry(t).or_default() += 1.0);
    weighted(tf)
}

/// The declared language, else the one detected from the story's text.
fn language(title: &str, text: &str, lang: Option<&str>) -> Lang {
    lang.and_then(Lang::from_tag)
        .unwrap_or_else(|| detect_language(&format!("{title}\n{text}")))
}

/// The vector of term counts `tf`: weights `1 + ln(tf)`, the heaviest [`MAX_TERMS`] kept.
fn weighted(tf: FxHashMap<TermId, f32>) -> TermVector {
    let mut terms: Vec<(TermId, f32)> = tf.into_iter().map(|(t, f)| (t, 1.0 + f.ln())).collect();
    if terms.len() > MAX_TERMS {
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.truncate(MAX_TERMS);
    }
    terms.sort_by_key(|t| t.0);
    terms.dedup_by_key(|t| t.0);
    TermVector { terms }
}

/// Terms of a story written to the postings, the inverted index candidates are found
/// through: its most distinctive ones by TF-IDF when it is indexed. The whole vector is still
/// stored and used for the exact score; candidates are looked up by the new story's own most
/// distinctive terms ([`super::QUERY_TERMS`]), which a story on the same event holds among its
/// most distinctive too. Bounds the index writes per story.
pub const POSTED_TERMS: usize = 64;

/// The `(term, weight)` pairs of `vector` to post, at most [`POSTED_TERMS`]: `dfs[i]` is the
/// document frequency of its `i`-th term among the `n` stories indexed before it.
pub fn posted_terms(vector: &TermVector, dfs: &[u64], n: u64) -> Vec<(TermId, f32)> {
    let mut ranked: Vec<(f32, TermId, f32)> = vector
        .terms
        .iter()
        .zip(dfs)
        .map(|((t, w), df)| (w * idf(df + 1, n + 1), *t, *w))
        .collect();
    if ranked.len() > POSTED_TERMS {
        ranked.select_nth_unstable_by(POSTED_TERMS, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(POSTED_TERMS);
    }
    let mut posted: Vec<(TermId, f32)> = ranked.into_iter().map(|(_, t, w)| (t, w)).collect();
    posted.sort_unstable_by_key(|p| p.0);
    posted
}

/// Smoothed inverse document frequency of a term found in `df` of `n` stories.
pub fn idf(df: u64, n: u64) -> f32 {
    (((n + 1) as f32) / ((df + 1) as f32)).ln() + 1.0
}

/// Cosine similarity of two term vectors under the IDF weights `idf_of` gives, in [0, 1]:
/// 1 for identical term distributions, 0 for no shared term.
pub fn cosine(a: &TermVector, b: &TermVector, idf_of: &dyn Fn(TermId) -> f32) -> f32 {
    let norm = |v: &TermVector| {
        v.terms
            .iter()
            .map(|(t, w)| (w * idf_of(*t)).powi(2))
            .sum::<f32>()
            .sqrt()
    };
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
    while i < a.terms.len() && j < b.terms.len() {
        match a.terms[i].0.cmp(&b.terms[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let w = idf_of(a.terms[i].0);
                dot += a.terms[i].1 * b.terms[j].1 * w * w;
                i += 1;
                j += 1;
            }
        }
    }
    (dot / (na * nb)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_terms_weigh_more() {
        let v = term_vector(
            "Bridge closed",
            "The bridge was closed. Cracks found.",
            Some("en"),
        );
        assert!(v.weight("bridg") > v.weight("crack"));
        assert_eq!(v.weight("the"), 0.0);
    }

    #[test]
    fn cosine_bounds() {
        let a = term_vector("Bridge closed", "Cracks found in the bridge", Some("en"));
        let b = term_vector("Election results", "Voters chose a new mayor", Some("en"));
        let one = |_: TermId| 1.0;
        assert!((cosine(&a, &a, &one) - 1.0).abs() < 1e-5);
        assert_eq!(cosine(&a, &b, &one), 0.0);
        assert_eq!(cosine(&a, &TermVector::default(), &one), 0.0);
    }

    #[test]
    fn idf_falls_with_df() {
        assert!(idf(1, 100) > idf(50, 100));
        assert!(idf(100, 100) > 0.0);
    }
}
