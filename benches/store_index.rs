//! Cost of the real ingest write path (`Store::write_feed_batch`: folding over the SQLite band
//! index, related linking over the SQLite term index, all the index writes) for one new
//! article with N stored articles, on a synthetic corpus (Zipf vocabulary, stories told by
//! several outlets, a share of syndicated near-copies, one year of dates).
//!
//! `cargo bench --bench store_index` (plain `std::time`, no harness). `BENCH_STORED=N` sets the
//! stored articles (default 100,000), `BENCH_MEASURED=M` the measured ones per batch size
//! (default 1,000), `BENCH_DB=PATH` keeps the database at PATH instead of a temp dir.
//! `BENCH_REUSE=1` with `BENCH_DB` skips the fill when PATH already holds the filled database
//! (the corpus is still generated, so the measured articles are the same), for comparing two
//! builds on one fill: fill once (`BENCH_FILL_ONLY=1` stops after the fill), copy the file,
//! measure each build on its own copy with the same `BENCH_STORED` and `BENCH_MEASURED`.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use feedmix::config::Config;
use feedmix::fetch::Validators;
use feedmix::related::RelatedConfig;
use feedmix::store::{ArticleRecord, ArticleWrite, NextCheck, PollResult, Store};

const VOCAB: usize = 40_000;
const WORDS_PER_ARTICLE: usize = 250;
const DAYS: i64 = 365;
const FILL_BATCH: usize = 500;
const BIG_BATCH: usize = 50;
/// Share of articles that are syndicated near-copies of a recent article (folding work).
const COPY_SHARE: f64 = 0.1;
/// Recent texts kept to copy from.
const RECENT: usize = 256;
/// A one-article transaction slower than this is reported as a stall.
const SLOW_MS: f64 = 50.0;
const FEEDS: [&str; 4] = ["alpha", "bravo", "charlie", "delta"];

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

/// One original write-up: 30% of its words from its story's own 40-word vocabulary, the rest
/// Zipf over the whole vocabulary, so write-ups of one story overlap as real coverage does.
fn write_up(rng: &mut Rng, story: usize) -> (String, String) {
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

/// A syndicated copy: a dateline in front, the last paragraph dropped.
fn near_copy(text: &str) -> String {
    let paragraphs: Vec<&str> = text.lines().collect();
    let keep = paragraphs.len().saturating_sub(1).max(1);
    format!("WIRE (Agency) - {}", paragraphs[..keep].join("\n"))
}

/// Generates the articles of the corpus in publication order.
struct Corpus {
    rng: Rng,
    next: usize,
    total: usize,
    start: DateTime<Utc>,
    recent: Vec<(String, String)>,
}

impl Corpus {
    fn new(total: usize, start: DateTime<Utc>) -> Self {
        Self {
            rng: Rng(42),
            next: 0,
            total,
            start,
            recent: Vec::with_capacity(RECENT),
        }
    }

    fn article(&mut self) -> ArticleRecord {
        let i = self.next;
        self.next += 1;
        let copy = !self.recent.is_empty() && self.rng.unit() < COPY_SHARE;
        let (title, text) = if copy {
            let (title, text) = &self.recent[(self.rng.next() as usize) % self.recent.len()];
            (format!("{title} (wire)"), near_copy(text))
        } else {
            let story = i / 4 + (self.rng.next() % 3) as usize;
            let (title, text) = write_up(&mut self.rng, story);
            if self.recent.len() < RECENT {
                self.recent.push((title.clone(), text.clone()));
            } else {
                let slot = i % RECENT;
                self.recent[slot] = (title.clone(), text.clone());
            }
            (title, text)
        };
        let secs = (i as i64 * DAYS * 86_400) / self.total as i64;
        let html = text
            .lines()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>();
        ArticleRecord {
            identity: format!("urn:bench:{i}"),
            guid: Some(format!("urn:bench:{i}")),
            url: format!("https://news.example/{i}"),
            canonical_url: format!("news.example/{i}"),
            title,
            author: None,
            categories: vec!["News".into()],
            image: None,
            enclosures: Vec::new(),
            lang: Some("en".into()),
            content_html: html,
            summary: Some(text.chars().take(200).collect()),
            content_text: text,
            body_source: "page".into(),
            page_error: None,
            noarchive: false,
            feed_hash: format!("h{i}"),
            published: self.start + Duration::seconds(secs),
        }
    }

    fn batch(&mut self, n: usize) -> Vec<ArticleWrite> {
        (0..n)
            .map(|_| ArticleWrite::New {
                record: self.article(),
                story: None,
                prepared: None,
            })
            .collect()
    }
}

/// The bench's database and the fixed arguments of every write.
struct Bench {
    store: Store,
    feed_ids: Vec<i64>,
    related: RelatedConfig,
    poll: PollResult,
    batches: usize,
}

impl Bench {
    /// Writes one feed batch (one transaction), as an ingest of one feed does.
    fn write(&mut self, writes: &[ArticleWrite], now: DateTime<Utc>) {
        let feed = self.feed_ids[self.batches % self.feed_ids.len()];
        self.batches += 1;
        let next = NextCheck {
            at: now + Duration::minutes(30),
            disable: None,
        };
        self.store
            .write_feed_batch(feed, writes, &self.poll, &next, &self.related, now)
            .expect("bench write");
    }
}

/// Articles already in the bench database.
fn bench_articles(bench: &Bench) -> usize {
    bench
        .store
        .counts()
        .map_or(0, |(_, articles)| articles as usize)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `VmHWM` / `VmRSS` of this process, kB.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Mean, p50, p95, p99 and max of per-article milliseconds.
fn summary(mut ms: Vec<f64>) -> [f64; 5] {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 * q) as usize).min(ms.len() - 1)];
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    [mean, p(0.5), p(0.95), p(0.99), p(1.0)]
}

/// Inserts `measured` articles in batches of `size`; per-article ms of each batch.
fn measure(bench: &mut Bench, corpus: &mut Corpus, measured: usize, size: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(measured / size + 1);
    let mut left = measured;
    while left > 0 {
        let n = size.min(left);
        let writes = corpus.batch(n);
        let now = latest(&writes);
        let t = Instant::now();
        bench.write(&writes, now);
        out.push(t.elapsed().as_secs_f64() * 1e3 / n as f64);
        left -= n;
    }
    out
}

fn latest(writes: &[ArticleWrite]) -> DateTime<Utc> {
    writes
        .iter()
        .filter_map(|w| match w {
            ArticleWrite::New { record, .. } => Some(record.published),
            ArticleWrite::Update { .. } => None,
        })
        .max()
        .unwrap_or_default()
}

fn main() {
    // `BENCH_LOG=feedmix=trace` shows the store's own events (checkpoints) on stderr.
    if let Ok(filter) = std::env::var("BENCH_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let stored = env_usize("BENCH_STORED", 100_000);
    let measured = env_usize("BENCH_MEASURED", 1_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = std::env::var_os("BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let feeds_toml: String = FEEDS
        .iter()
        .map(|n| format!("[[feeds]]\nname = \"{n}\"\nurl = \"https://{n}.example/rss\"\n"))
        .collect();
    let config =
        Config::from_toml(&feeds_toml, Path::new("feeds.toml")).expect("bench config is valid");
    let mut store = Store::open(&db).expect("open bench database");
    store.sync_feeds(&config.feeds).expect("sync feeds");
    let feed_ids = FEEDS
        .iter()
        .map(|n| store.feed(n).expect("feed registered").id)
        .collect();
    let related = RelatedConfig::new(
        config.related.count,
        config.related.window_days,
        config.related.min_score,
    );
    let mut bench = Bench {
        store,
        feed_ids,
        related,
        poll: PollResult::Fetched {
            validators: Validators::default(),
            ttl_minutes: None,
            fresh_secs: None,
            update_period_secs: None,
            moved_to: None,
        },
        batches: 0,
    };
    let start = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
        .expect("fixed date")
        .with_timezone(&Utc);
    let mut corpus = Corpus::new(stored + measured + measured, start);

    let reuse = std::env::var_os("BENCH_REUSE").is_some() && bench_articles(&bench) > 0;
    if reuse {
        println!(
            "reusing {} ({stored} articles already stored)",
            db.display()
        );
        let mut done = 0;
        while done < stored {
            let n = FILL_BATCH.min(stored - done);
            corpus.batch(n);
            bench.batches += 1;
            done += n;
        }
    } else {
        println!("filling {stored} articles into {} ...", db.display());
    }
    let fill = Instant::now();
    let mut lap = Instant::now();
    let mut done = if reuse { stored } else { 0 };
    let step = (stored / 10).max(FILL_BATCH);
    while done < stored {
        let n = FILL_BATCH.min(stored - done);
        let writes = corpus.batch(n);
        let now = latest(&writes);
        bench.write(&writes, now);
        done += n;
        if done % step < n || done == stored {
            let since = lap.elapsed().as_secs_f64();
            println!(
                "  {done:>8} stored: {:>6.0} articles/s overall, {:>6.0}/s last chunk, {:.2} ms/article last chunk",
                done as f64 / fill.elapsed().as_secs_f64(),
                (done % step).max(step.min(done)) as f64 / since,
                since * 1e3 / (done % step).max(step.min(done)) as f64,
            );
            lap = Instant::now();
        }
    }
    let fill_secs = fill.elapsed().as_secs_f64().max(1e-9);
    let wal = db.with_extension("db-wal");
    let bytes = file_size(&db) + file_size(&wal);
    println!(
        "filled {stored} in {fill_secs:.1} s ({:.0} articles/s); database {:.1} MB + WAL {:.1} MB = {:.0} bytes/article",
        stored as f64 / fill_secs,
        file_size(&db) as f64 / 1e6,
        file_size(&wal) as f64 / 1e6,
        bytes as f64 / stored.max(1) as f64
    );

    if std::env::var_os("BENCH_FILL_ONLY").is_some() {
        return;
    }
    let singles = measure(&mut bench, &mut corpus, measured, 1);
    let slow: Vec<usize> = (0..singles.len())
        .filter(|i| singles[*i] > SLOW_MS)
        .collect();
    println!(
        "one-article transactions over {SLOW_MS} ms: {} of {} (at {:?}); they add {:.2} ms to the mean",
        slow.len(),
        singles.len(),
        slow,
        slow.iter().map(|i| singles[*i]).sum::<f64>() / singles.len() as f64
    );
    let one = summary(singles);
    let fifty = summary(measure(&mut bench, &mut corpus, measured, BIG_BATCH));

    println!();
    println!("per new article at {stored} stored ({measured} measured per row; ms):");
    println!("| batch | mean | p50 | p95 | p99 | max |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for (size, s) in [(1, one), (BIG_BATCH, fifty)] {
        println!(
            "| {size} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            s[0], s[1], s[2], s[3], s[4]
        );
    }
    println!("(batch {BIG_BATCH}: each sample is one transaction's time / {BIG_BATCH})");
    let total = stored + 2 * measured;
    let bytes = file_size(&db) + file_size(&wal);
    println!(
        "database: {bytes} bytes for {total} articles = {:.0} bytes/article",
        bytes as f64 / total as f64
    );
    println!(
        "peak RSS (VmHWM): {:.1} MB, RSS now: {:.1} MB",
        status_kb("VmHWM:") as f64 / 1024.0,
        status_kb("VmRSS:") as f64 / 1024.0
    );
}
