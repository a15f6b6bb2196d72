//! Load generator for the end-to-end benchmark (issue 8): N synthetic outlets x M items,
//! each outlet on its own loopback address (127.0.0.2, 127.0.0.3, ... then 127.0.1.2 ...),
//! so feedmix's per-host politeness applies per outlet as it would on the internet.
//!
//! Every outlet serves `/{style}/feed.xml` (RSS 2.0) and `/{style}/articles/{slug}.html`,
//! pages rendered from one of the fixture templates in `fixtures/outlets/` (the article
//! paragraphs and headline swapped), with text drawn from `../shared/corpus/stories/*.jsonl`.
//! Feeds carry a strong ETag and answer a matching `If-None-Match` with 304 (the warm case).
//! Pages are rendered per request, so memory stays small at 50,000 articles.
//!
//! `POST /_publish?n=K` (on any outlet's address) publishes K more items in every feed, on
//! top of the M, newest first, with a new ETag: the next poll is a steady-state one, a few
//! new items per feed on a full database.
//!
//! ```sh
//! cargo run --release --example loadgen -- --outlets 100 --items 10 --out /tmp/lg
//! ```
//! writes `/tmp/lg/feeds.toml` (for feedmix) and `/tmp/lg/urls.txt` (feed URLs, for the
//! baselines), prints `READY` once every address listens, and serves until killed.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Duration, Utc};

/// Fixture page used as the template of each outlet style, with its site rules.
const STYLES: &[Style] = &[
    Style {
        name: "cedarnews",
        page: "supermarket-prices-october",
        content: "\".entry-content\", \".td-post-content\"",
        remove: "\".sharedaddy\", \".jp-relatedposts\", \".td-post-sharing\"",
        full_content: true,
    },
    Style {
        name: "almanar",
        page: "baalbek-street-lighting",
        content: "\".article-content\", \".single-post-content\"",
        remove: "\".share-buttons\", \".related-posts\", \".post-tags\"",
        full_content: false,
    },
    Style {
        name: "lorienttoday",
        page: "cement-shortage-south",
        content: "\".article_full_text\", \".article-body\"",
        remove: "\".paywall\", \".subscribe-box\", \".article-tags\"",
        full_content: false,
    },
    Style {
        name: "lorientlejour",
        page: "municipales-calendrier",
        content: "\".article_full_text\", \".article-body\"",
        remove: "\".paywall\", \".subscribe-box\", \".article-tags\"",
        full_content: false,
    },
];

struct Style {
    name: &'static str,
    page: &'static str,
    content: &'static str,
    remove: &'static str,
    /// Whether the feed carries the full text in `content:encoded` (WordPress style).
    full_content: bool,
}

/// A fixture page cut around its article paragraphs, with markers for the swapped parts.
struct Template {
    /// Everything before the first article paragraph; `{{TITLE}}`, `{{SLUG}}`, `{{BASE}}`.
    head: String,
    /// Everything after the last article paragraph, same markers.
    tail: String,
}

/// One corpus article: headline and paragraphs.
struct Story {
    title: String,
    paras: Vec<String>,
}

struct Outlet {
    index: usize,
    style: usize,
    origin: String,
}

struct Shared {
    templates: Vec<Template>,
    corpus: Vec<Story>,
    items: usize,
    outlets: usize,
    /// Items published per feed since the start (`/_publish`), on top of `items`.
    fresh: AtomicUsize,
    epoch: DateTime<Utc>,
}

struct Args {
    outlets: usize,
    items: usize,
    out: PathBuf,
    port: u16,
    corpus: PathBuf,
    fixtures: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        outlets: 100,
        items: 10,
        out: PathBuf::from("target/loadgen"),
        port: 18080,
        corpus: PathBuf::from("../shared/corpus/stories"),
        fixtures: PathBuf::from("fixtures/outlets"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--outlets" => args.outlets = value.parse()?,
            "--items" => args.items = value.parse()?,
            "--out" => args.out = value.into(),
            "--port" => args.port = value.parse()?,
            "--corpus" => args.corpus = value.into(),
            "--fixtures" => args.fixtures = value.into(),
            other => bail!(
                "unknown option {other}; use --outlets N --items M --out DIR [--port P] \
                 [--corpus DIR] [--fixtures DIR]"
            ),
        }
    }
    if args.outlets == 0 || args.outlets > 250 * 250 {
        bail!("--outlets must be between 1 and 62500");
    }
    Ok(args)
}

/// The loopback address of outlet `index`: 127.0.A.B with B in 2..=251.
fn outlet_ip(index: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, (index / 250) as u8, (index % 250 + 2) as u8)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let corpus = load_corpus(&args.corpus)?;
    let templates = STYLES
        .iter()
        .map(|s| load_template(&args.fixtures, s))
        .collect::<Result<Vec<_>>>()?;
    let epoch = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let shared = Arc::new(Shared {
        templates,
        corpus,
        items: args.items,
        outlets: args.outlets,
        fresh: AtomicUsize::new(0),
        epoch,
    });
    std::fs::create_dir_all(&args.out)?;
    let mut toml = String::from(
        "# Generated by examples/loadgen.rs (issue 8 benchmark). Politeness: see BENCHMARKS.md.\n\
         [publish]\nbase_url = \"http://127.0.0.1:8080/\"\ntitle = \"feedmix bench\"\n\n\
         [fetch]\nallow_private_networks = true\nper_host_concurrency = 2\nper_host_delay_ms = 0\n\
         max_concurrency = 16\n\n",
    );
    let mut urls = String::new();
    for index in 0..args.outlets {
        let addr = SocketAddr::from((outlet_ip(index), args.port));
        let style = index % STYLES.len();
        let outlet = Arc::new(Outlet {
            index,
            style,
            origin: format!("http://{addr}"),
        });
        let url = format!("{}/{}/feed.xml", outlet.origin, STYLES[style].name);
        let _ = writeln!(
            toml,
            "[[feeds]]\nname = \"o{index:05}\"\ntitle = \"Outlet {index}\"\nurl = \"{url}\"\n\
             [feeds.extract]\ncontent = [{}]\nremove = [{}]\n",
            STYLES[style].content, STYLES[style].remove
        );
        let _ = writeln!(urls, "{url}");
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let app = Router::new()
            .fallback(serve)
            .with_state((shared.clone(), outlet));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    std::fs::write(args.out.join("feeds.toml"), toml)?;
    std::fs::write(args.out.join("urls.txt"), urls)?;
    println!(
        "READY {} outlets x {} items = {} articles",
        args.outlets,
        args.items,
        args.outlets * args.items
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn load_corpus(dir: &std::path::Path) -> Result<Vec<Story>> {
    let mut corpus = Vec::new();
    for name in ["ecbplus.jsonl", "gvc-dev.jsonl"] {
        let text = std::fs::read_to_string(dir.join(name))
            .with_context(|| format!("reading {}", dir.join(name).display()))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line)?;
            let title = clean_title(value["title"].as_str().unwrap_or("Untitled"));
            let paras: Vec<String> = value["text"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|p| p.len() > 20)
                .map(str::to_string)
                .collect();
            if paras.len() >= 2 {
                corpus.push(Story { title, paras });
            }
        }
    }
    if corpus.is_empty() {
        bail!("no usable articles in {}", dir.display());
    }
    Ok(corpus)
}

/// Headlines go into HTML, JSON-LD and XML unescaped by the template: keep them plain.
fn clean_title(raw: &str) -> String {
    let plain: String = raw
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '&' | '\\'))
        .collect();
    let mut title: String = plain
        .split_whitespace()
        .take(16)
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        title.push_str("Untitled");
    }
    title
}

fn load_template(fixtures: &std::path::Path, style: &Style) -> Result<Template> {
    let path = fixtures
        .join(style.name)
        .join("articles")
        .join(format!("{}.html", style.page));
    let page =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let title = page
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split(" | ").next())
        .context("template has no <title>")?
        .to_string();
    let lines: Vec<&str> = page.lines().collect();
    let marker = style.content.split('"').nth(1).unwrap_or_default();
    let class = marker.trim_start_matches('.');
    let container = lines
        .iter()
        .position(|l| l.contains("<div class=") && l.contains(class))
        .with_context(|| format!("{}: no {marker} container", path.display()))?;
    let first = container + 1;
    let last = (first..lines.len())
        .take_while(|&i| lines[i].starts_with("<p>"))
        .last()
        .with_context(|| format!("{}: no paragraphs after the container", path.display()))?;
    let mark = |part: &[&str]| {
        let mut text = part.join("\n");
        text.push('\n');
        text.replace(&title, "{{TITLE}}")
            .replace(style.page, "{{SLUG}}")
    };
    Ok(Template {
        head: mark(&lines[..first]),
        tail: mark(&lines[last + 1..]),
    })
}

/// A small deterministic generator (splitmix64): the same article every time it is asked.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Article `global`: a corpus article (so topics stay coherent and related stories
/// exist) with a random third of its paragraphs dropped and two paragraphs from other
/// articles mixed in, so the 1,418 corpus texts give 50,000 distinct articles.
fn article(shared: &Shared, global: usize) -> (String, Vec<String>) {
    let corpus = &shared.corpus;
    let base = &corpus[global % corpus.len()];
    let mut rng = Rng(global as u64 ^ 0x5eed);
    let mut paras: Vec<String> = base
        .paras
        .iter()
        .filter(|_| rng.below(3) != 0)
        .take(10)
        .cloned()
        .collect();
    if paras.is_empty() {
        paras.push(base.paras[0].clone());
    }
    for _ in 0..2 {
        let other = &corpus[rng.below(corpus.len())];
        let para = other.paras[rng.below(other.paras.len())].clone();
        let at = rng.below(paras.len() + 1);
        paras.insert(at, para);
    }
    let title = if global < corpus.len() {
        base.title.clone()
    } else {
        format!("{} ({})", base.title, global / corpus.len())
    };
    (title, paras)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The global number of an outlet's `item`-th first item, or of the `j`-th item it
/// published later (after every outlet's first items).
fn global_of(shared: &Shared, outlet: &Outlet, item: Item) -> usize {
    match item {
        Item::First(item) => outlet.index * shared.items + item,
        Item::Published(j) => shared.outlets * shared.items + j * shared.outlets + outlet.index,
    }
}

#[derive(Clone, Copy)]
enum Item {
    First(usize),
    Published(usize),
}

/// The outlet's item with global number `global`, if it serves it now.
fn item_of(shared: &Shared, outlet: &Outlet, global: usize) -> Option<Item> {
    let firsts = shared.outlets * shared.items;
    if global < firsts {
        return global
            .checked_sub(outlet.index * shared.items)
            .filter(|&item| item < shared.items)
            .map(Item::First);
    }
    let later = global - firsts;
    (later % shared.outlets == outlet.index)
        .then_some(later / shared.outlets)
        .filter(|&j| j < shared.fresh.load(Ordering::Relaxed))
        .map(Item::Published)
}

fn published(shared: &Shared, item: Item, global: usize) -> DateTime<Utc> {
    match item {
        // Spread over the last ~20 days, newest first within a feed.
        Item::First(_) => shared.epoch - Duration::seconds((global as i64 * 37) % (20 * 86_400)),
        // Published after all of them, a minute apart.
        Item::Published(j) => shared.epoch + Duration::minutes(j as i64 + 1),
    }
}

fn render_page(shared: &Shared, outlet: &Outlet, item: Item) -> String {
    let global = global_of(shared, outlet, item);
    let (title, paras) = article(shared, global);
    let template = &shared.templates[outlet.style];
    let slug = format!("story-{global:06}");
    let fill = |part: &str| {
        part.replace("{{TITLE}}", &title)
            .replace("{{SLUG}}", &slug)
            .replace("{{BASE}}", &outlet.origin)
    };
    let mut page = fill(&template.head);
    for p in &paras {
        let _ = writeln!(page, "<p>{}</p>", escape(p));
    }
    page.push_str(&fill(&template.tail));
    page
}

fn render_feed(shared: &Shared, outlet: &Outlet) -> String {
    let style = &STYLES[outlet.style];
    let base = format!("{}/{}", outlet.origin, style.name);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n\
         <channel>\n<title>Outlet {i}</title>\n<link>{base}/</link>\n\
         <atom:link href=\"{base}/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n\
         <description>Synthetic outlet {i} ({name} style)</description>\n<language>en</language>\n",
        i = outlet.index,
        name = style.name
    );
    let fresh = shared.fresh.load(Ordering::Relaxed);
    let items = (0..fresh)
        .rev()
        .map(Item::Published)
        .chain((0..shared.items).map(Item::First));
    for item in items {
        let global = global_of(shared, outlet, item);
        let (title, paras) = article(shared, global);
        let link = format!("{base}/articles/story-{global:06}.html");
        let teaser: String = paras[0].chars().take(200).collect();
        let _ = write!(
            xml,
            "<item>\n<title><![CDATA[{title}]]></title>\n<link>{link}</link>\n\
             <guid isPermaLink=\"true\">{link}</guid>\n<pubDate>{}</pubDate>\n\
             <dc:creator><![CDATA[Staff {}]]></dc:creator>\n<category><![CDATA[News]]></category>\n\
             <description><![CDATA[{}]]></description>\n",
            published(shared, item, global).to_rfc2822(),
            global % 17,
            teaser.replace("]]>", "")
        );
        if style.full_content {
            xml.push_str("<content:encoded><![CDATA[");
            for p in &paras {
                let _ = write!(xml, "<p>{}</p>", escape(p).replace("]]>", ""));
            }
            xml.push_str("]]></content:encoded>\n");
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

type OutletState = (Arc<Shared>, Arc<Outlet>);

async fn serve(State((shared, outlet)): State<OutletState>, request: Request) -> Response {
    let path = request.uri().path();
    let style = STYLES[outlet.style].name;
    let rest = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(style))
        .unwrap_or("");
    if path == "/robots.txt" {
        return (
            [(header::CONTENT_TYPE, "text/plain")],
            "User-agent: *\nAllow: /\n",
        )
            .into_response();
    }
    if path == "/_publish" && request.method() == axum::http::Method::POST {
        let n: usize = request
            .uri()
            .query()
            .and_then(|q| q.strip_prefix("n="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let fresh = shared.fresh.fetch_add(n, Ordering::Relaxed) + n;
        return format!("{fresh} items published per feed\n").into_response();
    }
    if rest == "/feed.xml" {
        // The feed changes only when items are published: a strong validator per edition.
        let fresh = shared.fresh.load(Ordering::Relaxed);
        let etag = format!("\"lg-{}-{}-{fresh}\"", outlet.index, shared.items);
        let matches = request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
        let etag = HeaderValue::from_str(&etag).expect("ascii etag");
        if matches {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        let body = render_feed(&shared, &outlet);
        return (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/rss+xml; charset=utf-8"),
                ),
                (header::ETAG, etag),
            ],
            body,
        )
            .into_response();
    }
    let item = rest
        .strip_prefix("/articles/story-")
        .and_then(|s| s.strip_suffix(".html"))
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|global| item_of(&shared, &outlet, global));
    match item {
        Some(item) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            render_page(&shared, &outlet, item),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}
