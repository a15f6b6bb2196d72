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
    let xs: Vec<u64> = shingles.iter().map(|&s| mix(s)).collect();
    let mut minhash = [u64::MAX; HASHES];
    let (mults, offsets) = permutations();
    min_hashes(&xs, mults, offsets, &mut minhash);
    Fingerprint {
        minhash: minhash.to_vec(),
    }
}

/// MinHash functions per fingerprint.
const HASHES: usize = ROWS * BANDS;

/// Folds each input into the running minimum of every hash function. Every value of every
/// function is computed (126 multiply-adds per shingle: a twentieth of a bulk ingest's
/// instructions), so it is compiled again for CPUs with wide integer vectors and the best one
/// this CPU has is picked at run time. The result is the same on every CPU: band keys are
/// stored.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl",
    "x86_64+avx2",
    "aarch64+neon",
))]
fn min_hashes(xs: &[u64], mults: &[u64; HASHES], offsets: &[u64; HASHES], out: &mut [u64; HASHES]) {
    for &x in xs {
        for ((slot, a), b) in out.iter_mut().zip(mults).zip(offsets) {
            // Multiply-add over a well-mixed input: one cheap hash function per slot.
            let h = x.wrapping_mul(*a).wrapping_add(*b).rotate_left(32);
            *slot = (*slot).min(h);
        }
    }
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

/// The multipliers and the offsets of the MinHash functions, fixed forever (stored band keys
/// depend on them).
fn permutations() -> (&'static [u64; HASHES], &'static [u64; HASHES]) {
    type Params = ([u64; HASHES], [u64; HASHES]);
    static PARAMS: OnceLock<Params> = OnceLock::new();
    let (mults, offsets) = PARAMS.get_or_init(|| {
        let mut params = ([0; HASHES], [0; HASHES]);
        for i in 0..HASHES {
            params.0[i] = mix(2 * i as u64 + 1) | 1;
            params.1[i] = mix(2 * i as u64 + 2);
        }
        params
    });
    (mults, offsets)
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
    fn fingerprints_are_the_stored_minhash_definition_on_this_cpu() {
        // The definition band keys were stored under, one shingle and one function at a time.
        let reference = |text: &str| -> Vec<u64> {
            let shingles = crate::dedup::shingle::shingles(text);
            (0..HASHES as u64)
                .map(|i| {
                    let (a, b) = (mix(2 * i + 1) | 1, mix(2 * i + 2));
                    shingles
                        .iter()
                        .map(|&s| mix(s).wrapping_mul(a).wrapping_add(b).rotate_left(32))
                        .min()
                        .unwrap_or(u64::MAX)
                })
                .collect()
        };
        let long = TEXT.repeat(40) + " and a tail of other words to make it uneven";
        for text in [
            TEXT,
            long.as_str(),
            "one two three four five six seven eight nine ten",
        ] {
            assert_eq!(fingerprint(text).minhash, reference(text), "{text}");
        }
        // Pinned: a change of hash functions would orphan every stored band key.
        assert_eq!(band_keys(&fingerprint(TEXT))[0], -5_063_354_700_827_392_836);
    }

    #[test]
    fn short_text_has_no_fingerprint() {
        assert!(band_keys(&fingerprint("Breaking news")).is_empty());
    }
}
