//! Relevance harness: feeds a story-labelled JSON Lines file to the dedup and related code one
//! article at a time in `published` order (as ingest does) and prints related precision and
//! folding precision/recall on near-copies it plants itself.
//!
//! `cargo run --release --example relevance -- FILE.jsonl [--min-score X] [--window-days D]
//! [--count K] [--no-plant]`

use std::collections::HashMap;
use std::time::Instant;

use feedmix::dedup::{find_copy, item_keys, MemoryBands};
use feedmix::related::{find_related, MemoryIndex, NewDoc, RelatedConfig, RelatedStore};

/// One labelled article of the input file.
struct Article {
    id: String,
    source: String,
    url: Option<String>,
    title: String,
    text: String,
    published: i64,
    story: String,
    topic: String,
}

/// What the harness feeds: an original article, or a copy it planted of the original at event
/// index `planted.0`.
struct Event {
    article: Article,
    planted: Option<(usize, &'static str)>,
}

const PLANT_KINDS: &[&str] = &[
    "dateline",
    "dropped-paragraph",
    "reworded-sentence",
    "new-headline",
    "combined",
];
const MIN_PLANT_WORDS: usize = 40;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or(
        "usage: relevance FILE.jsonl [--min-score X] [--window-days D] [--count K] [--no-plant]",
    )?;
    let mut cfg = RelatedConfig::default();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(v) = flag("--min-score") {
        cfg.min_score = v.parse()?;
    }
    if let Some(v) = flag("--window-days") {
        cfg.window_days = v.parse()?;
    }
    if let Some(v) = flag("--count") {
        cfg.count = v.parse()?;
    }
    let plant = !args.iter().any(|a| a == "--no-plant");
    let articles = load(path)?;
    println!("== related stories (the corpus articles only) ==");
    let events = schedule(&articles, false);
    let run = ingest(&events, &cfg);
    report(&articles, &events, &run, &cfg);
    if plant {
        println!("\n== folding (corpus articles plus planted copies) ==");
        let events = schedule(&articles, true);
        let run = ingest(&events, &cfg);
        report(&articles, &events, &run, &cfg);
    }
    Ok(())
}

fn load(path: &str) -> Result<Vec<Article>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    let mut undated = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let id = s("id").unwrap_or_default();
        let url = s("url");
        let host = url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_owned));
        let source = s("source")
            .or(host)
            .unwrap_or_else(|| format!("unknown-{id}"));
        let published = s("published").and_then(|p| parse_day(&p));
        undated.push(published.is_none());
        out.push(Article {
            id,
            source,
            url,
            title: s("title").unwrap_or_default(),
            text: s("text").unwrap_or_default(),
            published: published.unwrap_or(i64::MIN),
            story: v.get("story").map(|x| x.to_string()).unwrap_or_default(),
            topic: v.get("topic").map(|x| x.to_string()).unwrap_or_default(),
        });
    }
    // Undated articles are ingested "now", as the pipeline stamps them: one day after the
    // newest dated article, all at the same time.
    let now = out.iter().map(|a| a.published).max().unwrap_or(0).max(0) + 86_400;
    for a in out.iter_mut().filter(|a| a.published == i64::MIN) {
        a.published = now;
    }
    Ok(out)
}

fn parse_day(s: &str) -> Option<i64> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    let day = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// Orders the originals by `published` (file order breaks ties) and plants copies of each right
/// after it, as a wire story reaches other outlets.
fn schedule(articles: &[Article], plant: bool) -> Vec<Event> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by_key(|&i| (articles[i].published, i));
    let mut events = Vec::new();
    for i in order {
        let a = &articles[i];
        let original = events.len();
        events.push(Event {
            article: clone_article(a),
            planted: None,
        });
        if !plant || a.text.split_whitespace().count() < MIN_PLANT_WORDS {
            continue;
        }
        for kind in PLANT_KINDS {
            events.push(Event {
                article: planted_copy(a, kind),
                planted: Some((original, kind)),
            });
        }
    }
    events
}

fn clone_article(a: &Article) -> Article {
    Article {
        id: a.id.clone(),
        source: a.source.clone(),
        url: a.url.clone(),
        title: a.title.clone(),
        text: a.text.clone(),
        published: a.published,
        story: a.story.clone(),
        topic: a.topic.clone(),
    }
}

fn planted_copy(a: &Article, kind: &'static str) -> Article {
    let seed = feedmix::dedup::stable_hash(format!("{}{kind}", a.id).as_bytes());
    let mut copy = clone_article(a);
    copy.id = format!("{}#{kind}", a.id);
    copy.source = format!("copies-{}.example", seed % 7);
    copy.url = Some(format!(
        "https://copies-{}.example/{kind}/{}",
        seed % 7,
        a.id
    ));
    copy.published = a.published + 3_600;
    match kind {
        "dateline" => copy.text = dateline(&a.text, seed),
        "dropped-paragraph" => copy.text = drop_unit(&a.text, seed),
        "reworded-sentence" => copy.text = reword(&a.text, seed),
        "new-headline" => copy.title = new_headline(&a.title),
        _ => {
            copy.text = drop_unit(&dateline(&a.text, seed), seed);
            copy.title = new_headline(&a.title);
        }
    }
    copy
}

fn dateline(text: &str, seed: u64) -> String {
    const LINES: &[&str] = &[
        "WASHINGTON (AP) — ",
        "PARIS (AFP) - ",
        "LONDON, May 3 (Reuters) - ",
        "NEW YORK — ",
    ];
    format!("{}{text}", LINES[(seed % LINES.len() as u64) as usize])
}

/// Drops one paragraph (one sentence when there are fewer than 3 paragraphs), never the first.
fn drop_unit(text: &str, seed: u64) -> String {
    let paras: Vec<&str> = text.split('\n').filter(|p| !p.trim().is_empty()).collect();
    let (units, sep): (Vec<&str>, &str) = if paras.len() >= 3 {
        (paras, "\n")
    } else {
        (text.split_inclusive(". ").collect(), "")
    };
    if units.len() < 2 {
        return text.to_owned();
    }
    let drop = 1 + (seed as usize) % (units.len() - 1);
    units
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != drop)
        .map(|(_, u)| *u)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Rewrites the longest sentence: a lead-in, every fourth word replaced, the last word dropped.
fn reword(text: &str, seed: u64) -> String {
    const FILL: &[&str] = &["reportedly", "also", "then", "indeed", "later"];
    let sentences: Vec<&str> = text.split_inclusive(['.', '\n']).collect();
    let Some((longest, _)) = sentences.iter().enumerate().max_by_key(|(_, s)| s.len()) else {
        return text.to_owned();
    };
    let words: Vec<&str> = sentences[longest].split_whitespace().collect();
    let mut out: Vec<String> = vec!["According to officials,".into()];
    for (i, w) in words.iter().enumerate().take(words.len().saturating_sub(1)) {
        out.push(if i % 4 == 3 {
            FILL[(seed as usize + i) % FILL.len()].to_owned()
        } else {
            (*w).to_owned()
        });
    }
    let mut rewritten = out.join(" ");
    rewritten.push_str(". ");
    let mut all: Vec<String> = sentences.iter().map(|s| (*s).to_owned()).collect();
    all[longest] = rewritten;
    all.concat()
}

fn new_headline(title: &str) -> String {
    let mut words: Vec<&str> = title.split_whitespace().collect();
    words.reverse();
    format!(
        "What we know now: {}",
        words.into_iter().take(5).collect::<Vec<_>>().join(" ")
    )
}

/// The outcome of ingesting every event.
struct Run {
    /// Event index -> story id (= event index of the story's primary article).
    story_of: Vec<usize>,
    /// Event index -> whether it was folded into an existing story as a copy.
    folded: Vec<bool>,
    /// Event index -> whether identity (URL key) matched an earlier article.
    same_article: Vec<bool>,
    index: MemoryIndex,
    ms_per_article: f64,
    url_variants: (usize, usize),
}

fn ingest(events: &[Event], cfg: &RelatedConfig) -> Run {
    let mut index = MemoryIndex::new();
    let mut bands = MemoryBands::new();
    let mut by_url: HashMap<String, usize> = HashMap::new();
    let (mut story_of, mut folded, mut same_article) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    for (i, ev) in events.iter().enumerate() {
        let a = &ev.article;
        let keys = item_keys(
            &a.source,
            None,
            a.url.as_deref(),
            Some(&a.title),
            Some(a.published),
        );
        if let Some(&prev) = keys.url.as_ref().and_then(|k| by_url.get(k)) {
            story_of.push(story_of[prev]);
            folded.push(false);
            same_article.push(true);
            continue;
        }
        if let Some(k) = keys.url {
            by_url.insert(k, i);
        }
        same_article.push(false);
        let check = find_copy(&bands, &a.text);
        let story = match check.copy_of {
            Some(c) => c.story_id as usize,
            None => {
                let new = NewDoc::new(i as i64, &a.source, a.published, &a.title, &a.text, None);
                let update = find_related(&index, &new, cfg);
                index.insert(new.to_stored());
                index.apply(i as i64, &update);
                i
            }
        };
        folded.push(check.copy_of.is_some());
        story_of.push(story);
        bands.insert(i as i64, story as i64, &a.text, &check.band_keys);
    }
    let ms_per_article = start.elapsed().as_secs_f64() * 1e3 / events.len().max(1) as f64;
    let url_variants = check_url_variants(events, &by_url);
    Run {
        story_of,
        folded,
        same_article,
        index,
        ms_per_article,
        url_variants,
    }
}

/// Looks up tracking/http variants of every original URL without ingesting them: all must hit
/// the article they vary.
fn check_url_variants(events: &[Event], by_url: &HashMap<String, usize>) -> (usize, usize) {
    let (mut hit, mut total) = (0, 0);
    for (i, ev) in events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.planted.is_none())
    {
        let Some(url) = ev.article.url.as_deref() else {
            continue;
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let variant = format!(
            "{}{sep}utm_source=rss&fbclid=x#top",
            url.replacen("http://", "https://", 1)
        );
        let keys = item_keys("other-feed", None, Some(&variant), None, None);
        total += 1;
        let found = keys.url.and_then(|k| by_url.get(&k).copied());
        let own = item_keys("", None, Some(url), None, None)
            .url
            .and_then(|k| by_url.get(&k).copied());
        hit += usize::from(
            found.is_some()
                && found == own
                && own.is_some_and(|o| events[o].article.url == events[i].article.url),
        );
    }
    (hit, total)
}

fn report(articles: &[Article], events: &[Event], run: &Run, cfg: &RelatedConfig) {
    let window = i64::from(cfg.window_days) * 86_400;
    let ev = |i: usize| &events[i].article;
    // Stories whose primary article is an original (not a planted copy).
    let primaries: Vec<usize> = (0..events.len())
        .filter(|&i| run.story_of[i] == i && events[i].planted.is_none() && !run.same_article[i])
        .collect();
    let (mut eligible, mut p1, mut p3, mut p3_capped) = (0usize, 0usize, 0.0f64, 0.0f64);
    let (mut links, mut cross_topic, mut no_link) = (0usize, 0usize, 0usize);
    for &s in &primaries {
        let list = run.index.related_of(s as i64);
        no_link += usize::from(list.is_empty());
        for (other, _) in &list {
            links += 1;
            cross_topic += usize::from(ev(*other as usize).topic != ev(s).topic);
        }
        let same_story_in_window = primaries
            .iter()
            .filter(|&&o| {
                o != s
                    && ev(o).story == ev(s).story
                    && (ev(o).published - ev(s).published).abs() <= window
            })
            .count();
        if same_story_in_window == 0 {
            continue;
        }
        eligible += 1;
        let good = |o: &(i64, f32)| {
            events[o.0 as usize].planted.is_none() && ev(o.0 as usize).story == ev(s).story
        };
        p1 += usize::from(list.first().is_some_and(good));
        if std::env::var_os("RELEVANCE_VERBOSE").is_some() && !list.first().is_some_and(good) {
            let top = list.first().map(|o| {
                format!(
                    "{} [{}] {:.3}",
                    ev(o.0 as usize).id,
                    ev(o.0 as usize).story,
                    o.1
                )
            });
            println!(
                "  P@1 miss: {} [{}] t={} -> {top:?}",
                ev(s).id,
                ev(s).story,
                ev(s).published
            );
        }
        let hits = list.iter().take(3).filter(|o| good(o)).count() as f64;
        p3 += hits / 3.0;
        p3_capped += hits / same_story_in_window.min(3) as f64;
    }
    let share = |a: f64, b: usize| if b == 0 { 0.0 } else { a / b as f64 };
    println!(
        "articles: {} ({} events with planted copies)",
        articles.len(),
        events.len()
    );
    println!(
        "stories from originals: {}; eligible for P@k: {eligible}",
        primaries.len()
    );
    println!(
        "related P@1 same-story:     {:.3}",
        share(p1 as f64, eligible)
    );
    println!(
        "related P@3 same-story:     {:.3} (hits/3)",
        share(p3, eligible)
    );
    println!(
        "related P@3 capped:         {:.3} (hits/min(3, same-story stories in window))",
        share(p3_capped, eligible)
    );
    println!(
        "cross-topic links:          {:.3} ({cross_topic} of {links})",
        share(cross_topic as f64, links)
    );
    println!(
        "stories with no link:       {:.3} ({no_link} of {})",
        share(no_link as f64, primaries.len()),
        primaries.len()
    );
    report_folding(events, run);
    println!(
        "URL variants recognised:    {} of {}",
        run.url_variants.0, run.url_variants.1
    );
    println!(
        "ingest time:                {:.3} ms per article",
        run.ms_per_article
    );
}

fn report_folding(events: &[Event], run: &Run) {
    let mut per_kind: HashMap<&str, (usize, usize)> = HashMap::new();
    let (mut folds, mut correct, mut originals_folded, mut same_story_originals) = (0, 0, 0, 0);
    for (i, e) in events.iter().enumerate() {
        let ok = match e.planted {
            Some((of, kind)) => {
                let want = run.story_of[of];
                let good = run.folded[i] && run.story_of[i] == want;
                if !good && std::env::var_os("RELEVANCE_VERBOSE").is_some() {
                    let o = feedmix::dedup::overlap(
                        &feedmix::dedup::shingles(&e.article.text),
                        &feedmix::dedup::shingles(&events[of].article.text),
                    );
                    println!(
                        "  missed copy {} ({} words): {o:?}",
                        e.article.id,
                        e.article.text.split_whitespace().count()
                    );
                }
                let entry = per_kind.entry(kind).or_default();
                entry.0 += usize::from(good);
                entry.1 += 1;
                good
            }
            None => false,
        };
        if run.folded[i] {
            folds += 1;
            correct += usize::from(ok);
            if e.planted.is_none() {
                originals_folded += 1;
                let into = &events[run.story_of[i]].article;
                same_story_originals += usize::from(into.story == e.article.story);
                if std::env::var_os("RELEVANCE_VERBOSE").is_some() {
                    let o = feedmix::dedup::overlap(
                        &feedmix::dedup::shingles(&e.article.text),
                        &feedmix::dedup::shingles(&into.text),
                    );
                    println!(
                        "  folded original {} into {} (same story: {}) {o:?}",
                        e.article.id,
                        into.id,
                        into.story == e.article.story
                    );
                }
            }
        }
    }
    let (planted_ok, planted): (usize, usize) = per_kind
        .values()
        .fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    println!(
        "folding recall (planted):   {:.3} ({planted_ok} of {planted})",
        share(planted_ok, planted)
    );
    for kind in PLANT_KINDS {
        let (ok, n) = per_kind.get(kind).copied().unwrap_or_default();
        println!("  {kind:<20} {:.3} ({ok} of {n})", share(ok, n));
    }
    println!("folding precision, strict:  {:.3} ({correct} of {folds} folds; every fold of a corpus article counted wrong)", share(correct, folds));
    let labelled = correct + same_story_originals;
    println!("folding precision, labels:  {:.3} ({labelled} of {folds}; a corpus article folded into its own corpus story counted right)", share(labelled, folds));
    println!("corpus articles folded:     {originals_folded} ({same_story_originals} into their own corpus story, {} into another)", originals_folded - same_story_originals);
}
