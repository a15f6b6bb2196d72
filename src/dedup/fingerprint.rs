//! MinHash fingerprints of article text and their LSH band keys, so that copies of a text are
//! found with one indexed lookup instead of a comparison with every stored article.

use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

use super::hash::mix;

/// Rows (MinHash values) per band: a band matches with probability J^ROWS for Jaccard J.
pub const ROWS: usize = 3;

/// Bands: with 42 bands of 3 rows, texts with Jaccard 0.5 share a band with probability 0.996,
/// texts with Jaccard 0.05 with probability 0.005.
pub const BANDS: usize = 42;

/// A MinHash signature of a text's shingle set (`ROWS * BANDS` values), empty for texts too
/// short to fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// The minimum of each hash function over the shingles.
    pub minhash: Vec<u64>,
}

/// Fingerprints `text` (the article body; the headline is left out on purpose, because copies
/// often get a new one).
pub fn fingerprint(text: &str) -> Fingerprint {
    fingerprint_shingles(&super::shingle::shingles(text))
}

/// Fingerprints an already computed shingle set.
pub fn fingerprint_shingles(shingles: &HashSet<u64>) -> Fingerprint {
    if shingles.len() < super::shingle::MIN_SHINGLES {
        return Fingerprint {
            minhash: Vec::new(),
        };
    }
    let params = permutations();
    let mut minhash = vec![u64::MAX; ROWS * BANDS];
    for &s in shingles {
        let x = mix(s);
        for (slot, (a, b)) in minhash.iter_mut().zip(params) {
            // Multiply-add over a well-mixed input: one cheap hash function per slot.
            let h = x.wrapping_mul(*a).wrapping_add(*b).rotate_left(32);
            *slot = (*slot).min(h);
        }
    }
    Fingerprint { minhash }
}

/// The LSH band keys of a fingerprint (one per band, band index mixed in), to store in and look
/// up from `bands(band_key, article_id)`. Empty for an empty fingerprint.
pub fn band_keys(fp: &Fingerprint) -> Vec<i64> {
    fp.minhash
        .chunks_exact(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut h = mix(band as u64 ^ 0x9e37_79b9_7f4a_7c15);
            for r in rows {
                h = mix(h ^ r);
            }
            h as i64
        })
        .collect()
}

/// Estimated Jaccard overlap of the texts behind two fingerprints.
pub fn estimated_jaccard(a: &Fingerprint, b: &Fingerprint) -> f32 {
    if a.minhash.is_empty() || a.minhash.len() != b.minhash.len() {
        return 0.0;
    }
    let same = a
        .minhash
        .iter()
        .zip(&b.minhash)
        .filter(|(x, y)| x == y)
        .count();
    same as f32 / a.minhash.len() as f32
}

/// The `(multiplier, offset)` of each MinHash function, fixed forever (stored band keys depend
/// on them).
fn permutations() -> &'static [(u64, u64)] {
    static PARAMS: OnceLock<Vec<(u64, u64)>> = OnceLock::new();
    PARAMS.get_or_init(|| {
        (0..(ROWS * BANDS) as u64)
            .map(|i| (mix(2 * i + 1) | 1, mix(2 * i + 2)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The city council voted on Tuesday to close the old bridge after \
        engineers found deep cracks in two of its supports. Repairs are expected to take \
        at least eight months and cost more than four million dollars, officials said.";

    #[test]
    fn copies_share_bands_and_strangers_do_not() {
        let a = fingerprint(TEXT);
        let b = fingerprint(&format!("LONDON (Reuters) - {TEXT}"));
        let c = fingerprint(
            "A completely different report about football results in the \
            northern league, where the home side won three games in a row last month.",
        );
        let (ka, kb, kc) = (band_keys(&a), band_keys(&b), band_keys(&c));
        assert_eq!(ka.len(), BANDS);
        assert!(ka.iter().zip(&kb).filter(|(x, y)| x == y).count() > 10);
        assert_eq!(ka.iter().zip(&kc).filter(|(x, y)| x == y).count(), 0);
        assert!(estimated_jaccard(&a, &b) > 0.7);
    }

    #[test]
    fn short_text_has_no_fingerprint() {
        assert!(band_keys(&fingerprint("Breaking news")).is_empty());
    }
}
