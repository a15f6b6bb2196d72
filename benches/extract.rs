//! Extraction speed over ../shared/corpus/aeb-dev on one thread: parse-only pages/s
//! (`scraper::Html::parse_document`) and full `extract_article` pages/s in the same run.
//! Run with `cargo bench --bench extract`.

use std::io::Read;
use std::time::{Duration, Instant};

const CORPUS: &str = "../shared/corpus/aeb-dev";
/// Each measurement repeats the corpus until this much time has passed.
const MIN_TIME: Duration = Duration::from_secs(3);

fn load_pages() -> Vec<(String, url::Url)> {
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{CORPUS}/ground-truth.json")).expect("ground truth"),
    )
    .expect("ground truth JSON");
    let mut pages = Vec::new();
    for (id, entry) in truth.as_object().expect("object") {
        let file = std::fs::File::open(format!("{CORPUS}/html/{id}.html.gz")).expect("page");
        let mut html = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut html)
            .expect("gzip");
        let url =
            url::Url::parse(entry["url"].as_str().unwrap_or("https://example.com/")).expect("url");
        pages.push((html, url));
    }
    pages
}

/// Pages per second of `work` over all pages, repeated for at least [`MIN_TIME`].
fn pages_per_second(
    pages: &[(String, url::Url)],
    mut work: impl FnMut(&str, &url::Url) -> usize,
) -> f64 {
    let start = Instant::now();
    let (mut done, mut sink) = (0usize, 0usize);
    while start.elapsed() < MIN_TIME {
        for (html, url) in pages {
            sink = sink.wrapping_add(work(html, url));
            done += 1;
        }
    }
    std::hint::black_box(sink);
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let pages = load_pages();
    let rules = feedmix::extract::SiteRules::default();
    let parse = pages_per_second(&pages, |html, _| {
        scraper::Html::parse_document(html).tree.nodes().count()
    });
    let extract = pages_per_second(&pages, |html, url| {
        feedmix::extract::extract_article(html, url, &rules)
            .text
            .len()
    });
    println!("pages: {}", pages.len());
    println!("parse only:      {parse:8.1} pages/s");
    println!("full extraction: {extract:8.1} pages/s");
    println!("ratio extraction/parse-only: {:.3}", extract / parse);
}
