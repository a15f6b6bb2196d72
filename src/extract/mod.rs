//! Article extraction, the only user of `scraper`: HTML (or bytes) plus the page URL in,
//! [`Article`] out (main text, sanitized HTML, metadata). Pure: no I/O, no clock, no globals.
//!
//! The body comes from site rules when they match, else from a Readability-class scorer
//! ([`score`]) with boilerplate pruning ([`prune`]); metadata from the head ([`metadata`]).

mod boundary;
mod charset;
mod dates;
mod dom;
mod hints;
mod images;
mod jsonld;
mod lang;
mod limits;
mod metadata;
mod prune;
mod render;
mod rules;
mod score;
mod stats;
mod teaser;

use chrono::{DateTime, Utc};
use scraper::Html;
use url::Url;

pub use charset::decode_html;
pub use limits::{MAX_INPUT_BYTES, MAX_NESTING};
pub use rules::{validate_selector, CompiledRules, InvalidSelector};
pub use teaser::{choose_body, excerpt_html, excerpt_text, BodySource};

use dom::Dom;
use render::Rendered;
use stats::Stats;

/// A JSON-LD `articleBody` needs at least this many words to replace the extracted text.
const LINKED_DATA_MIN_WORDS: usize = 80;
/// Extractions shorter than this (characters) are retried with looser pruning.
const MIN_ARTICLE_CHARS: usize = 500;

/// Per-feed extraction rules: CSS selectors of the article body and of nodes to delete.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    /// Selectors whose matches make up the body; the generic scorer runs when none match.
    pub content: Vec<String>,
    /// Selectors whose matches are deleted before anything else.
    pub remove: Vec<String>,
}

/// An extracted article: body as text and sanitized HTML, plus page metadata.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Article {
    /// Headline without the site-name suffix.
    pub title: Option<String>,
    /// Plain text, blocks separated by a blank line.
    pub text: String,
    /// Sanitized HTML with absolute URLs.
    pub html: String,
    /// Author name(s).
    pub byline: Option<String>,
    /// First publication time.
    pub published: Option<DateTime<Utc>>,
    /// Last modification time.
    pub modified: Option<DateTime<Utc>>,
    /// Lead image URL (absolute).
    pub image: Option<String>,
    /// Language tag: declared by the page, else detected from the text.
    pub lang: Option<String>,
    /// Canonical URL (absolute).
    pub canonical_url: Option<String>,
    /// Whether the page asks not to be archived (`<meta name="robots" content="noarchive">`).
    pub noarchive: bool,
}

/// An extractor with its site rules compiled once; reuse it for every page of a feed.
#[derive(Debug, Clone, Default)]
pub struct Extractor {
    rules: CompiledRules,
}

/// How much the generic pass prunes; loosened step by step when too little text survives.
#[derive(Clone, Copy)]
struct Pass {
    strip_unlikely: bool,
    weight_classes: bool,
    clean_conditionally: bool,
}

const PASSES: [Pass; 4] = [
    Pass {
        strip_unlikely: true,
        weight_classes: true,
        clean_conditionally: true,
    },
    Pass {
        strip_unlikely: false,
        weight_classes: true,
        clean_conditionally: true,
    },
    Pass {
        strip_unlikely: false,
        weight_classes: false,
        clean_conditionally: true,
    },
    Pass {
        strip_unlikely: false,
        weight_classes: false,
        clean_conditionally: false,
    },
];

/// Extracts the article of `html` served at `url`; invalid rule selectors are skipped.
pub fn extract_article(html: &str, url: &Url, rules: &SiteRules) -> Article {
    Extractor::lenient(rules).extract(html, url)
}

impl Extractor {
    /// Compiles `rules`; fails on the first invalid selector.
    pub fn new(rules: &SiteRules) -> Result<Self, InvalidSelector> {
        Ok(Extractor {
            rules: CompiledRules::new(rules)?,
        })
    }

    /// Compiles `rules`, skipping invalid selectors (config validation reports them).
    pub fn lenient(rules: &SiteRules) -> Self {
        Extractor {
            rules: CompiledRules::lenient(rules),
        }
    }

    /// Extracts the article of `html` served at `url`.
    pub fn extract(&self, html: &str, url: &Url) -> Article {
        let html = limits::capped_input(html);
        let doc = parse_page(html);
        let meta = metadata::read_metadata(&doc, url);
        let dom = Dom::build(&doc);
        let mut body = self.body(&doc, &dom, meta.title.as_deref());
        if let Some(ld) = meta
            .ld_body
            .as_deref()
            .filter(|ld| linked_data_is_richer(ld, &body.text))
        {
            body = render::render_plain(ld);
        }
        let lang = meta.lang.or_else(|| lang::detect_language(&body.text));
        Article {
            html: crate::sanitize::sanitize_html(&body.html, meta.base.as_ref()),
            text: body.text,
            title: meta.title,
            byline: meta.byline,
            published: meta.published,
            modified: meta.modified,
            image: meta.image,
            lang,
            canonical_url: meta.canonical_url,
            noarchive: meta.noarchive,
        }
    }

    fn body(&self, doc: &Html, dom: &Dom, title: Option<&str>) -> Rendered {
        let (removed, content) = self.rules.removed_and_content(doc);
        let preset = self.rule_matches(dom, &removed);
        let picked = self.rule_matches(dom, &content);
        let content: Vec<usize> = (0..dom.len())
            .filter(|&i| picked[i] && !dom.ancestors(i).any(|a| picked[a]))
            .collect();
        if !content.is_empty() {
            let mut stats = Stats::compute(dom, prune::initial_removals(dom, false, &preset));
            prune::remove_title_heading(dom, &mut stats, &content, title);
            return render::render(dom, &stats, &content);
        }
        let (mut best, mut best_len) = (Rendered::default(), 0);
        for pass in PASSES {
            let (out, core_len) = generic_pass(dom, &preset, pass, title);
            if core_len >= MIN_ARTICLE_CHARS {
                return out;
            }
            if core_len > best_len {
                (best, best_len) = (out, core_len);
            }
        }
        best
    }

    /// Flags the arena nodes that are among `elements` (matched by address).
    fn rule_matches(&self, dom: &Dom, elements: &[*const scraper::node::Element]) -> Vec<bool> {
        let mut flags = vec![false; dom.len()];
        if elements.is_empty() {
            return flags;
        }
        // Every node of the page is looked up: Fx, not SipHash, for a pointer key.
        let set: rustc_hash::FxHashSet<_> = elements.iter().copied().collect();
        for (i, flag) in flags.iter_mut().enumerate() {
            *flag = dom
                .element(i)
                .is_some_and(|e| set.contains(&(e as *const _)));
        }
        flags
    }
}

/// `Html::parse_document`, with the tree's arena sized for the page up front: grown by
/// doubling, it was copied whole about ten times a page (1 % of a bulk ingest's
/// instructions). A node starts at most at each `<` (an element, a comment) or after it (a
/// text node).
fn parse_page(html: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    let nodes = 2 * memchr::memchr_iter(b'<', html.as_bytes()).count() + 8;
    let mut doc = Html::new_document();
    doc.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, nodes);
    html5ever::driver::parse_document(scraper::HtmlTreeSink::new(doc), Default::default()).one(html)
}

/// One scoring pass; also returns the text length before edge pruning, which decides retries.
fn generic_pass(dom: &Dom, preset: &[bool], pass: Pass, title: Option<&str>) -> (Rendered, usize) {
    let mut stats = Stats::compute(
        dom,
        prune::initial_removals(dom, pass.strip_unlikely, preset),
    );
    let roots = score::select_roots(dom, &stats, pass.weight_classes);
    prune::clean_article(dom, &mut stats, &roots, pass.clean_conditionally);
    prune::remove_title_heading(dom, &mut stats, &roots, title);
    let core_len = roots.iter().map(|&r| stats.counts[r].text as usize).sum();
    if pass.clean_conditionally {
        boundary::drop_edge_boilerplate(dom, &mut stats, &roots);
    }
    (render::render(dom, &stats, &roots), core_len)
}

/// Whether the page's JSON-LD `articleBody` says much more than the extracted text: then the
/// scorer missed the article (scripted layouts), and the structured copy is the better body.
fn linked_data_is_richer(ld: &str, extracted: &str) -> bool {
    let ld_words = ld.split_whitespace().count();
    ld_words >= LINKED_DATA_MIN_WORDS && ld_words > 2 * extracted.split_whitespace().count()
}

#[cfg(test)]
mod tests;
