//! Which band keys may be in `bands`: a Bloom filter the writer's connection keeps, so that
//! copy detection asks SQLite only for the keys that may be stored.
//!
//! Nearly every key of a new article is new (only a copy shares keys), and each lookup is a
//! descent to a random leaf of `bands`: at 10,000 articles copy detection took a quarter of
//! the writer's time, mostly in those seeks. A filter answers "not stored" for ~98% of the
//! keys that are not there, from one 64-bit word per key.
//!
//! It is built by one scan of `bands`, only once the connection has looked up keys for a
//! quarter as many articles as are stored (so a short run on a large database never pays for
//! the scan), grows by a new scan when full, and is kept current by the writes. A key in the
//! filter but not stored (a rolled-back or pruned article) only costs a lookup; a key stored
//! by another connection would be missed, so the filter is dropped with the rest of the
//! index cache when another connection commits.

use rusqlite::Connection;

/// A blocked Bloom filter of band keys: each key sets 4 bits of one 64-bit word.
#[derive(Debug)]
pub(super) struct BandFilter {
    words: Box<[u64]>,
    keys: usize,
}

/// Keys per word at most before the filter grows: ~10.7 bits per key, about 2% of absent
/// keys let through.
const KEYS_PER_WORD: usize = 6;

/// Fewest words (2 MB): room for 1.5 million keys, 37,000 articles. Past that a scan makes
/// room for twice the keys stored.
const MIN_WORDS: usize = 1 << 18;

impl BandFilter {
    /// An empty filter with room for `keys` keys (any number of words, not a power of two:
    /// rounding up doubled the filter past 37,000 articles).
    fn with_room(keys: usize) -> Self {
        let words = (keys / KEYS_PER_WORD + 1).max(MIN_WORDS);
        Self {
            words: vec![0; words].into(),
            keys: 0,
        }
    }

    /// Reads every stored key, with room for as many again, plus `more`.
    pub(super) fn scan(
        conn: &Connection,
        more: impl Iterator<Item = i64>,
    ) -> rusqlite::Result<Self> {
        let stored: i64 = conn.query_row("SELECT COUNT(*) FROM bands", [], |r| r.get(0))?;
        let mut filter = Self::with_room(2 * stored.max(0) as usize);
        let mut stmt = conn.prepare("SELECT band_key FROM bands")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            filter.insert(row.get(0)?);
        }
        more.for_each(|key| filter.insert(key));
        Ok(filter)
    }

    /// The word and the bits of `key` (band keys are hashes; the multiplies spread them
    /// anyway). The word is the high half of the mixed key scaled to the number of words.
    fn place(&self, key: i64) -> (usize, u64) {
        let high = (key as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32;
        let word = (high * self.words.len() as u64) >> 32;
        let g = (key as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
        let bits = (0..4).fold(0u64, |bits, i| bits | 1 << ((g >> (40 + 6 * i)) & 63));
        (word as usize, bits)
    }

    pub(super) fn insert(&mut self, key: i64) {
        let (word, bits) = self.place(key);
        self.words[word] |= bits;
        self.keys += 1;
    }

    /// False when `key` was certainly never inserted.
    pub(super) fn may_contain(&self, key: i64) -> bool {
        let (word, bits) = self.place(key);
        self.words[word] & bits == bits
    }

    /// True once it holds more keys than it was sized for (it should be scanned again).
    pub(super) fn is_full(&self) -> bool {
        self.keys > self.words.len() * KEYS_PER_WORD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: u64, n: usize) -> impl Iterator<Item = i64> {
        let mut x = seed;
        (0..n).map(move |_| {
            // xorshift64: band keys are hashes.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as i64
        })
    }

    #[test]
    fn inserted_keys_are_always_found_and_few_others_are() {
        // The smallest filter, and one of 393,217 words (not a power of two).
        for room in [0, MIN_WORDS * KEYS_PER_WORD * 3 / 2] {
            let mut filter = BandFilter::with_room(room);
            let n = filter.words.len() * KEYS_PER_WORD;
            keys(1, n).for_each(|k| filter.insert(k));
            assert!(!filter.is_full());
            assert!(keys(1, n).all(|k| filter.may_contain(k)));
            let passed = keys(2, 100_000).filter(|k| filter.may_contain(*k)).count();
            assert!(
                passed < 3_000,
                "{passed} of 100,000 absent keys let through"
            );
            filter.insert(0);
            assert!(filter.is_full());
        }
    }

    #[test]
    fn a_scan_holds_the_stored_keys_and_the_ones_given() {
        let conn = crate::store::migrated_in_memory();
        for (key, article) in [(5, 1), (-9, 1), (5, 2)] {
            conn.execute(
                "INSERT INTO bands (band_key, article_id) VALUES (?1, ?2)",
                [key, article],
            )
            .unwrap();
        }
        let filter = BandFilter::scan(&conn, [77].into_iter()).unwrap();
        assert!([5, -9, 77].iter().all(|k| filter.may_contain(*k)));
        assert_eq!(filter.keys, 4);
    }
}
