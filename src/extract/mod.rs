//! Article extraction (first version): page HTML + URL -> title and main text. Pure, no I/O.
//! The only user of scraper besides the sanitizer's text conversion.

use chrono::{DateTime, Utc};
use scraper::{Html, Selector};
use url::Url;

use crate::sanitize::{collapse_whitespace, html_to_text, sanitize_html};

/// Per-site CSS selectors from feeds.toml.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    /// Selectors picking the article body.
    pub content: Vec<String>,
    /// Selectors of nodes removed before extraction.
    pub remove: Vec<String>,
}

/// What extraction found on a page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Article {
    /// Headline.
    pub title: Option<String>,
    /// Body as plain text, paragraphs separated by a blank line.
    pub text: String,
    /// Body as sanitized HTML.
    pub html: String,
    /// Author.
    pub byline: Option<String>,
    /// Publication date.
    pub published: Option<DateTime<Utc>>,
    /// Modification date.
    pub modified: Option<DateTime<Utc>>,
    /// Lead image.
    pub image: Option<String>,
    /// Language tag.
    pub lang: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// The page asked not to be archived.
    pub noarchive: bool,
}

/// Which source's body is republished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySource {
    /// The feed entry's own content.
    Feed,
    /// The extracted page.
    Page,
}

/// Checks that `selector` is valid CSS.
pub fn validate_selector(selector: &str) -> Result<(), String> {
    Selector::parse(selector)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Decodes page bytes (UTF-8 assumed in this first version).
pub fn decode_html(bytes: &[u8], _content_type: Option<&str>) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Extracts the article from a page.
pub fn extract_article(html: &str, url: &Url, rules: &SiteRules) -> Article {
    let doc = Html::parse_document(html);
    let first_text = |css: &str| {
        let sel = Selector::parse(css).ok()?;
        doc.select(&sel)
            .next()
            .map(|e| collapse_whitespace(&e.text().collect::<String>()))
    };
    let attr = |css: &str, name: &str| {
        let sel = Selector::parse(css).ok()?;
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_string)
    };
    let mut body = String::new();
    let containers: Vec<&str> = rules
        .content
        .iter()
        .map(String::as_str)
        .chain(["article", "main", "body"])
        .collect();
    for css in containers {
        let Ok(sel) = Selector::parse(css) else {
            continue;
        };
        if let Some(el) = doc.select(&sel).next() {
            let p = Selector::parse("p").expect("static selector");
            body = el
                .select(&p)
                .map(|p| format!("<p>{}</p>", p.inner_html()))
                .collect();
            if !body.is_empty() {
                break;
            }
        }
    }
    let html = sanitize_html(&body, Some(url));
    Article {
        title: attr("meta[property='og:title']", "content")
            .or_else(|| first_text("h1"))
            .or_else(|| first_text("title")),
        text: html_to_text(&html),
        html,
        byline: attr("meta[name='author']", "content"),
        published: attr("meta[property='article:published_time']", "content")
            .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&Utc)),
        modified: None,
        image: attr("meta[property='og:image']", "content")
            .and_then(|i| url.join(&i).ok())
            .map(|u| u.to_string()),
        lang: attr("html", "lang"),
        canonical_url: attr("link[rel='canonical']", "href")
            .and_then(|c| url.join(&c).ok())
            .map(|u| u.to_string()),
        noarchive: attr("meta[name='robots']", "content")
            .is_some_and(|c| c.to_ascii_lowercase().contains("noarchive")),
    }
}

/// Picks the richer body: the page unless it has less text than the feed entry.
pub fn choose_body(feed_html: Option<&str>, page: &Article) -> BodySource {
    let feed_words = feed_html
        .map(|h| html_to_text(h).split_whitespace().count())
        .unwrap_or(0);
    if page.text.split_whitespace().count() >= feed_words && !page.text.is_empty() {
        BodySource::Page
    } else {
        BodySource::Feed
    }
}

/// The first whole paragraphs of `text`, up to about `max_words` words.
pub fn excerpt_text(text: &str, max_words: usize) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut words = 0;
    for para in text.split("\n\n") {
        if words > 0 && words + para.split_whitespace().count() > max_words {
            break;
        }
        words += para.split_whitespace().count();
        out.push(para);
    }
    out.join("\n\n")
}

/// The first whole paragraphs of `html`, up to about `max_words` words, as HTML.
pub fn excerpt_html(html: &str, max_words: usize) -> String {
    excerpt_text(&html_to_text(html), max_words)
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect()
}
