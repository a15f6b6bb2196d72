//! The machine's limit for the end-to-end benchmark (issue 8): fetch every feed listed in a
//! `urls.txt` written by `examples/loadgen.rs`, parse it, fetch every item's page and parse
//! it with html5ever (`scraper::Html::parse_document`), nothing more: no extraction, no
//! dedup, no storage. Same concurrency as the bench's feeds.toml: 16 requests in flight
//! overall, 2 per host (one host per feed).
//!
//! ```sh
//! cargo run --release --example fetch_parse_limit -- /tmp/lg/urls.txt
//! ```
//! prints one JSON line: articles, seconds, articles_per_s.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::stream::{self, StreamExt};
use tokio::sync::Semaphore;

const MAX_CONCURRENCY: usize = 16;
const PER_HOST: usize = 2;

#[tokio::main]
async fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: fetch_parse_limit URLS_FILE")?;
    let urls: Vec<String> = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {path}"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let client = reqwest::Client::builder()
        .no_proxy()
        .gzip(true)
        .brotli(true)
        .build()?;
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENCY));
    let started = Instant::now();
    let counts = stream::iter(urls)
        .map(|url| {
            let client = client.clone();
            let permits = permits.clone();
            tokio::spawn(async move { one_feed(&client, &permits, &url).await })
        })
        .buffer_unordered(MAX_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut articles = 0usize;
    let mut nodes = 0usize;
    for count in counts {
        let (a, n) = count??;
        articles += a;
        nodes += n;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"articles\": {articles}, \"nodes\": {nodes}, \"seconds\": {seconds:.3}, \
         \"articles_per_s\": {:.1}}}",
        articles as f64 / seconds
    );
    Ok(())
}

/// Fetches and parses one feed and its pages; returns (pages parsed, DOM nodes seen).
async fn one_feed(
    client: &reqwest::Client,
    permits: &Semaphore,
    url: &str,
) -> Result<(usize, usize)> {
    let body = {
        let _permit = permits.acquire().await?;
        client
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?
    };
    let feed = feed_rs::parser::parse(&body[..]).with_context(|| format!("parsing {url}"))?;
    let links: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.links.first().map(|l| l.href.clone()))
        .collect();
    let results = stream::iter(links)
        .map(|link| async move {
            let bytes = {
                let _permit = permits.acquire().await?;
                client
                    .get(&link)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?
            };
            let text = String::from_utf8_lossy(&bytes);
            let html = scraper::Html::parse_document(&text);
            anyhow::Ok(html.tree.nodes().count())
        })
        .buffer_unordered(PER_HOST)
        .collect::<Vec<_>>()
        .await;
    let mut pages = 0;
    let mut nodes = 0;
    for r in results {
        nodes += r?;
        pages += 1;
    }
    Ok((pages, nodes))
}
