//! Cost of folding + related linking for one new article with 100,000 stored articles, on a
//! synthetic corpus (Zipf vocabulary, stories of several articles, one year of dates).
//!
//! `cargo bench --bench related` (plain `std::time`, no harness). `BENCH_STORED=N` changes
//! the number of stored articles.

use std::time::Instant;

use feedmix::dedup::{band_keys, find_copy, fingerprint, MemoryBands};
use feedmix::related::{find_related, MemoryIndex, NewDoc, RelatedConfig};

const VOCAB: usize = 40_000;
const WORDS_PER_ARTICLE: usize = 250;
const DAYS: i64 = 365;
const MEASURED: usize = 300;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Zipf-ish rank in [0, n): inverse CDF of a 1/x density.
    fn zipf(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.unit()) as usize)
            .saturating_sub(1)
            .min(n - 1)
    }
}

/// A pronounceable pseudo-word for rank `i` (letters only, so the tokenizer keeps it).
fn word(i: usize) -> String {
    const SYL: [&str; 16] = [
        "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "go", "hu", "zi", "be", "fa",
        "wo",
    ];
    let mut s = String::new();
    let mut x = i + 16;
    while x > 0 {
        s.push_str(SYL[x % 16]);
        x /= 16;
    }
    s
}

/// One article: 30% of its words from its story's own 40-word vocabulary, the rest Zipf.
fn article(rng: &mut Rng, story: usize) -> (String, String) {
    let mut story_rng = Rng(story as u64 * 7919 + 1);
    let story_words: Vec<usize> = (0..40).map(|_| 500 + story_rng.zipf(VOCAB - 500)).collect();
    let pick = |rng: &mut Rng| {
        if rng.unit() < 0.3 {
            story_words[(rng.next() % 40) as usize]
        } else {
            rng.zipf(VOCAB)
        }
    };
    let title: Vec<String> = (0..8).map(|_| word(pick(rng))).collect();
    let mut text = String::new();
    for k in 0..WORDS_PER_ARTICLE {
        text.push_str(&word(pick(rng)));
        text.push(if k % 25 == 24 { '\n' } else { ' ' });
    }
    (title.join(" "), text)
}

fn main() {
    let stored: usize = std::env::var("BENCH_STORED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let cfg = RelatedConfig::default();
    let mut rng = Rng(42);
    let mut index = MemoryIndex::new();
    let mut bands = MemoryBands::new();
    let total = stored + MEASURED;
    let day = |i: usize| (i as i64 * DAYS * 86_400) / total as i64;
    let story_of = |rng: &mut Rng, i: usize| i / 4 + (rng.next() % 3) as usize;

    let start = Instant::now();
    for i in 0..stored {
        let story = story_of(&mut rng, i);
        let (title, text) = article(&mut rng, story);
        let doc = NewDoc::new(
            i as i64,
            &format!("feed{}", i % 50),
            day(i),
            &title,
            &text,
            Some("en"),
        );
        index.insert(doc.to_stored());
        bands.insert(i as i64, i as i64, &text, &band_keys(&fingerprint(&text)));
    }
    println!(
        "filled {stored} stored articles in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let mut times = Vec::with_capacity(MEASURED);
    let mut linked = 0usize;
    let mut parts = [0.0f64; 3];
    for i in stored..total {
        let story = story_of(&mut rng, i);
        let (title, text) = article(&mut rng, story);
        let t = Instant::now();
        let check = find_copy(&bands, &text);
        let t_fold = t.elapsed().as_secs_f64() * 1e3;
        let new = NewDoc::new(
            i as i64,
            &format!("feed{}", i % 50),
            day(i),
            &title,
            &text,
            Some("en"),
        );
        let t_vec = t.elapsed().as_secs_f64() * 1e3;
        let update = find_related(&index, &new, &cfg);
        parts[0] += t_fold;
        parts[1] += t_vec - t_fold;
        parts[2] += t.elapsed().as_secs_f64() * 1e3 - t_vec;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        linked += usize::from(!update.related.is_empty());
        index.insert(new.to_stored());
        index.apply(i as i64, &update);
        bands.insert(i as i64, i as i64, &text, &check.band_keys);
    }
    times.sort_by(f64::total_cmp);
    let m = MEASURED as f64;
    println!(
        "mean split: fold {:.2} ms, vectorize {:.2} ms, related {:.2} ms",
        parts[0] / m,
        parts[1] / m,
        parts[2] / m
    );
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!("fold + related per new article at {stored} stored: mean {mean:.2} ms, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({linked} of {MEASURED} linked)", p(0.5), p(0.95), p(1.0));
}
