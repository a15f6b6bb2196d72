//! Word shingles of article text and the overlap test that confirms two texts are copies of one
//! another (a syndicated wire story with a dateline, a dropped paragraph, a reworded sentence).

use rustc_hash::FxHashSet as HashSet;

use super::hash::{mix, stable_hash};
use crate::related::tokenize::for_each_word;

/// Words per shingle: long enough that unrelated write-ups of one event share almost none.
pub const SHINGLE_WORDS: usize = 3;

/// Texts with fewer shingles than this are too short to call copies from overlap alone.
pub const MIN_SHINGLES: usize = 8;

/// A copy keeps at least this share of the shorter text's shingles (a paragraph may be dropped).
pub const MIN_CONTAINMENT: f32 = 0.6;

/// ...and at least this Jaccard overlap overall, so a short text quoted in a long one is no copy.
pub const MIN_JACCARD: f32 = 0.4;

/// The set of hashed word shingles of `text` (folded words, stop words kept).
pub fn shingles(text: &str) -> HashSet<u64> {
    let mut hashes: Vec<u64> = Vec::new();
    for_each_word(text, |w| {
        hashes.push(stable_hash(w.as_bytes()));
        true
    });
    shingles_of_words(&hashes)
}

/// [`shingles`] of a text whose words' [`stable_hash`]es, in order, are `hashes`.
pub fn shingles_of_words(hashes: &[u64]) -> HashSet<u64> {
    hashes
        .windows(SHINGLE_WORDS.min(hashes.len()).max(1))
        .map(|w| w.iter().fold(0u64, |h, x| mix(h.rotate_left(17) ^ x)))
        .collect()
}

/// How much two shingle sets overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f32,
    /// |A ∩ B| / min(|A|, |B|): the share of the shorter text found in the longer one.
    pub containment: f32,
    /// min(|A|, |B|).
    pub smaller: usize,
}

impl Overlap {
    /// Whether the overlap is that of one text and a copy of it.
    pub fn is_copy(&self) -> bool {
        self.smaller >= MIN_SHINGLES
            && self.containment >= MIN_CONTAINMENT
            && self.jaccard >= MIN_JACCARD
    }
}

/// Measures the overlap of two shingle sets.
pub fn overlap(a: &HashSet<u64>, b: &HashSet<u64>) -> Overlap {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let common = small.iter().filter(|s| large.contains(s)).count();
    let union = a.len() + b.len() - common;
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f32 / d as f32 };
    Overlap {
        jaccard: ratio(common, union),
        containment: ratio(common, small.len()),
        smaller: small.len(),
    }
}

/// Whether `b_text` is a copy of `a_text` (or the reverse), judged by shingle overlap.
pub fn is_copy(a_text: &str, b_text: &str) -> bool {
    overlap(&shingles(a_text), &shingles(b_text)).is_copy()
}
