//! Builds the article to store from a feed item and (maybe) its extracted page: picks the
//! body, applies date rules, derives identity. Pure: structs in, struct out.

use chrono::{DateTime, Duration, Utc};

use crate::extract::{self, Article, BodySource};
use crate::model::FeedItem;
use crate::sanitize::{html_to_text, sanitize_html};
use crate::store::ArticleRecord;

/// Words in a generated summary.
const SUMMARY_WORDS: usize = 60;

/// The article page as fetched and extracted, or why it could not be used.
#[derive(Debug, Clone)]
pub enum Page {
    /// The feed is configured not to fetch pages.
    NotFetched,
    /// The page was fetched and extracted.
    Extracted {
        /// What extraction found.
        article: Box<Article>,
        /// The response carried `X-Robots-Tag: noarchive`.
        noarchive_header: bool,
        /// The Content-Language header.
        content_language: Option<String>,
    },
    /// Fetching or extraction failed; the feed's content is used instead.
    Failed(String),
}

/// The identity of an item within its feed: its guid, else its canonical link, else a
/// hash of title and date. Stable across runs for the same entry.
pub fn item_identity(item: &FeedItem) -> Option<String> {
    if let Some(guid) = &item.guid {
        return Some(format!("guid:{guid}"));
    }
    if let Some(link) = item.link.as_deref().and_then(canonical_url) {
        return Some(format!("url:{link}"));
    }
    let title = item.title.as_deref()?;
    let date = item.published.map(|d| d.timestamp()).unwrap_or_default();
    Some(format!(
        "title:{:016x}",
        fnv1a(format!("{title}\u{0}{date}").as_bytes())
    ))
}

/// A URL's canonical form for recognising variants: no scheme distinction, lower-case
/// host, no default port, no fragment, no tracking parameters.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = url::Url::parse(raw.trim()).ok()?;
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{port}{}{query}", url.path()))
}

fn is_tracking_param(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_")
        || key.starts_with("mc_")
        || matches!(
            key.as_str(),
            "fbclid" | "gclid" | "dclid" | "msclkid" | "yclid" | "igshid" | "_ga" | "ref_src"
        )
}

/// 64-bit FNV-1a: a stable, dependency-free hash for change detection and ids.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Hash of what the feed says about an item, to notice edits.
pub fn feed_hash(item: &FeedItem) -> String {
    let text = format!(
        "{}\u{0}{}\u{0}{}",
        item.title.as_deref().unwrap_or(""),
        item.content_html.as_deref().unwrap_or(""),
        item.summary_html.as_deref().unwrap_or("")
    );
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// The publication time to store: the item's (or page's) date, the first-seen time when
/// there is none, and the first-seen time when it is more than an hour in the future.
pub fn clamp_published(date: Option<DateTime<Utc>>, first_seen: DateTime<Utc>) -> DateTime<Utc> {
    match date {
        Some(d) if d <= first_seen + Duration::hours(1) => d,
        _ => first_seen,
    }
}

/// Assembles the record to store. `fallback_url` is used when the item has no link.
pub fn assemble(
    item: &FeedItem,
    page: &Page,
    fallback_url: &str,
    now: DateTime<Utc>,
) -> Option<ArticleRecord> {
    let identity = item_identity(item)?;
    let url = item
        .link
        .clone()
        .unwrap_or_else(|| fallback_url.to_string());
    let base = url::Url::parse(&url).ok();
    let feed_body = item
        .content_html
        .as_deref()
        .or(item.summary_html.as_deref());
    let feed_html = feed_body
        .map(|h| sanitize_html(h, base.as_ref()))
        .unwrap_or_default();
    let (content_html, content_text, source, page_error, article) = match page {
        Page::Extracted { article, .. } => match extract::choose_body(Some(&feed_html), article) {
            BodySource::Page => (
                article.html.clone(),
                article.text.clone(),
                "page",
                None,
                Some(article.as_ref()),
            ),
            BodySource::Feed => {
                let why = "the page had less text than the feed (teaser or paywall)".to_string();
                (
                    feed_html.clone(),
                    html_to_text(&feed_html),
                    "feed",
                    Some(why),
                    Some(article.as_ref()),
                )
            }
        },
        Page::NotFetched => (
            feed_html.clone(),
            html_to_text(&feed_html),
            "feed",
            None,
            None,
        ),
        Page::Failed(why) => (
            feed_html.clone(),
            html_to_text(&feed_html),
            "feed",
            Some(why.clone()),
            None,
        ),
    };
    let noarchive = match page {
        Page::Extracted {
            article,
            noarchive_header,
            ..
        } => article.noarchive || *noarchive_header,
        _ => false,
    };
    let content_language = match page {
        Page::Extracted {
            content_language, ..
        } => content_language.clone(),
        _ => None,
    };
    let title = item
        .title
        .clone()
        .or_else(|| article.and_then(|a| a.title.clone()))
        .unwrap_or_else(|| "(untitled)".to_string());
    let summary =
        Some(extract::excerpt_text(&content_text, SUMMARY_WORDS)).filter(|s| !s.is_empty());
    Some(ArticleRecord {
        identity,
        guid: item.guid.clone(),
        canonical_url: article
            .and_then(|a| a.canonical_url.as_deref())
            .and_then(canonical_url)
            .or_else(|| canonical_url(&url))
            .unwrap_or_else(|| url.clone()),
        url,
        title,
        author: item
            .author
            .clone()
            .or_else(|| article.and_then(|a| a.byline.clone())),
        categories: item.categories.clone(),
        image: item
            .image
            .clone()
            .or_else(|| article.and_then(|a| a.image.clone())),
        enclosures: item.enclosures.clone(),
        lang: article.and_then(|a| a.lang.clone()).or(content_language),
        content_html,
        content_text,
        summary,
        body_source: source.to_string(),
        page_error,
        noarchive,
        feed_hash: feed_hash(item),
        published: clamp_published(item.published.or(article.and_then(|a| a.published)), now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn future_dates_are_clamped_to_first_seen() {
        let now = at("2026-01-01T12:00:00Z");
        assert_eq!(
            clamp_published(Some(at("2026-01-01T12:30:00Z")), now),
            at("2026-01-01T12:30:00Z")
        );
        assert_eq!(clamp_published(Some(at("2026-01-01T14:00:00Z")), now), now);
        assert_eq!(clamp_published(None, now), now);
    }

    #[test]
    fn canonical_urls_fold_variants() {
        let a = canonical_url("https://www.Example.com/a?utm_source=rss&id=3#top").unwrap();
        let b = canonical_url("http://example.com/a?id=3&fbclid=x").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, canonical_url("https://example.com/a?id=4").unwrap());
    }

    #[test]
    fn identity_prefers_guid_then_link_then_title() {
        let mut item = FeedItem {
            guid: Some("g1".into()),
            link: Some("https://e.com/a".into()),
            title: Some("T".into()),
            ..Default::default()
        };
        assert_eq!(item_identity(&item).unwrap(), "guid:g1");
        item.guid = None;
        assert_eq!(item_identity(&item).unwrap(), "url:e.com/a");
        item.link = None;
        assert!(item_identity(&item).unwrap().starts_with("title:"));
        item.title = None;
        assert_eq!(item_identity(&item), None);
    }
}
