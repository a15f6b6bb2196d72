//! Source feed bytes + base URL -> [`ParsedFeed`]: the only user of feed-rs. Pure, no I/O.
//!
//! Handles RSS 0.9x/1.0/2.0, Atom and JSON Feed in any charset the document declares.
//! Links are resolved against `xml:base` and the feed's own URL; titles become plain text;
//! an entry without an id keeps `guid: None` so the store can derive a stable identity.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Link};
use url::Url;

use crate::model::{Enclosure, FeedItem, ParsedFeed};
use crate::sanitize::html_to_plain;

/// Why a document is not a feed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body is HTML, not a feed (a login page, an error page, a moved site).
    #[error("the document is an HTML page, not a feed (has the feed moved?)")]
    Html,
    /// feed-rs could not read it as RSS, Atom or JSON Feed.
    #[error("not a valid RSS, Atom or JSON feed: {0}")]
    Invalid(#[from] feed_rs::parser::ParseFeedError),
}

/// Parses a feed document fetched from `base`.
pub fn parse_feed(bytes: &[u8], base: &Url) -> Result<ParsedFeed, ParseError> {
    if looks_like_html(bytes) {
        return Err(ParseError::Html);
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        // An empty id marks "the feed gave none"; identity is then derived downstream.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    let feed = match atom03_as_atom10(bytes) {
        // Atom 0.3 markup Atom 1.0 rejects (e.g. `mode="escaped"`) keeps the old result.
        Cow::Owned(as10) => parser
            .parse(as10.as_slice())
            .or_else(|_| parser.parse(bytes))?,
        Cow::Borrowed(_) => parser.parse(bytes)?,
    };
    let mut parsed = convert_feed(feed, base);
    parsed.update_period_secs = syndication_period(bytes);
    Ok(parsed)
}

fn convert_feed(feed: Feed, base: &Url) -> ParsedFeed {
    let site_link = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| resolve(base, &l.href));
    let items = feed
        .entries
        .into_iter()
        .map(|e| convert_entry(e, base))
        .collect();
    ParsedFeed {
        title: feed.title.map(|t| html_to_plain(&t.content)),
        site_link,
        language: feed.language,
        ttl_minutes: feed.ttl,
        update_period_secs: None,
        items,
    }
}

fn convert_entry(entry: Entry, feed_base: &Url) -> FeedItem {
    // xml:base on the entry overrides the feed's URL for relative links.
    let base = entry
        .base
        .as_deref()
        .and_then(|b| feed_base.join(b).ok())
        .unwrap_or_else(|| feed_base.clone());
    let link = pick_link(&entry.links).and_then(|l| resolve(&base, &l.href));
    let guid = Some(entry.id.trim().to_string()).filter(|g| !g.is_empty());
    let enclosures = enclosures(&entry, &base);
    let image = lead_image(&entry, &base, &enclosures);
    let authors: Vec<String> = entry
        .authors
        .iter()
        .map(|p| html_to_plain(&p.name))
        .filter(|n| !n.is_empty())
        .collect();
    FeedItem {
        guid,
        link,
        title: entry
            .title
            .map(|t| html_to_plain(&t.content))
            .filter(|t| !t.is_empty()),
        summary_html: entry
            .summary
            .map(|s| text_as_html(&s.content, s.content_type.as_ref())),
        content_html: entry
            .content
            .and_then(|c| c.body)
            .filter(|b| !b.trim().is_empty()),
        author: Some(authors.join(", ")).filter(|a| !a.is_empty()),
        categories: entry
            .categories
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
            .map(|c| html_to_plain(&c))
            .filter(|c| !c.is_empty())
            .collect(),
        published: entry.published.or(entry.updated).map(sane_date),
        updated: entry.updated.map(sane_date),
        image,
        enclosures,
    }
}

/// The entry's article link: `alternate` (or no rel) first, else any link.
fn pick_link(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| links.iter().find(|l| l.rel.as_deref() != Some("enclosure")))
}

fn enclosures(entry: &Entry, base: &Url) -> Vec<Enclosure> {
    let mut out: Vec<Enclosure> = entry
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
        .filter_map(|l| {
            Some(Enclosure {
                url: resolve(base, &l.href)?,
                mime_type: l.media_type.clone(),
                length: l.length,
            })
        })
        .collect();
    for media in &entry.media {
        for content in &media.content {
            let Some(url) = content.url.as_ref().and_then(|u| resolve(base, u.as_str())) else {
                continue;
            };
            if out.iter().all(|e| e.url != url) {
                out.push(Enclosure {
                    url,
                    mime_type: content.content_type.as_ref().map(|m| m.to_string()),
                    length: content.size,
                });
            }
        }
    }
    out
}

fn lead_image(entry: &Entry, base: &Url, enclosures: &[Enclosure]) -> Option<String> {
    let thumbnail = entry
        .media
        .iter()
        .flat_map(|m| m.thumbnails.iter())
        .find_map(|t| resolve(base, &t.image.uri));
    thumbnail.or_else(|| {
        enclosures
            .iter()
            .find(|e| {
                e.mime_type
                    .as_deref()
                    .is_some_and(|m| m.starts_with("image/"))
                    || has_image_extension(&e.url)
            })
            .map(|e| e.url.clone())
    })
}

fn has_image_extension(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Plain-text summaries are escaped so every summary downstream is HTML.
fn text_as_html(content: &str, mime: &str) -> String {
    if mime.starts_with("text/plain") && !content.contains('<') {
        content
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", escape_text(p.trim())))
            .collect()
    } else {
        content.to_string()
    }
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Resolves `href` against `base`, keeping only http(s) results.
fn resolve(base: &Url, href: &str) -> Option<String> {
    let url = base.join(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Drops dates before 1970 that broken feeds produce (`0000-00-00`), keeping the rest.
fn sane_date(date: DateTime<Utc>) -> DateTime<Utc> {
    date.max(DateTime::UNIX_EPOCH)
}

/// The RSS syndication module's update period (`sy:updatePeriod` divided by
/// `sy:updateFrequency`), which feed-rs does not expose; read from the channel head.
fn syndication_period(bytes: &[u8]) -> Option<u64> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(16 * 1024)]);
    let value = |tag: &str| {
        let open = format!("<{tag}>");
        let start = head.find(&open)? + open.len();
        let end = start + head[start..].find('<')?;
        Some(head[start..end].trim().to_ascii_lowercase())
    };
    let period = match value("sy:updatePeriod")?.as_str() {
        "hourly" => 3_600,
        "daily" => 86_400,
        "weekly" => 7 * 86_400,
        "monthly" => 30 * 86_400,
        "yearly" => 365 * 86_400,
        _ => return None,
    };
    let frequency = value("sy:updateFrequency")
        .and_then(|f| f.parse::<u64>().ok())
        .filter(|f| *f > 0)
        .unwrap_or(1);
    Some(period / frequency)
}

/// Atom 0.3 (the 2003 draft, namespace `http://purl.org/atom/ns#`) names entries, titles,
/// links and ids as Atom 1.0 does, but feed-rs only knows the 1.0 namespace and finds no
/// entries; so the root's namespace is read as 1.0. Other documents pass through untouched.
fn atom03_as_atom10(bytes: &[u8]) -> Cow<'_, [u8]> {
    const ATOM03: &[u8] = b"http://purl.org/atom/ns#";
    const ATOM10: &[u8] = b"http://www.w3.org/2005/Atom";
    let head = &bytes[..bytes.len().min(4096)];
    match head.windows(ATOM03.len()).position(|w| w == ATOM03) {
        Some(at) => {
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&bytes[..at]);
            out.extend_from_slice(ATOM10);
            out.extend_from_slice(&bytes[at + ATOM03.len()..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(bytes),
    }
}

/// True when the body starts (after BOM/whitespace) like an HTML document, not XML or JSON.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head)
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    text.starts_with("<!doctype html") || text.starts_with("<html")
}

#[cfg(test)]
mod tests;
