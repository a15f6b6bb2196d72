//! Builds the article to store from a feed item and (maybe) its extracted page: picks the
//! body, applies date rules, derives identity. Pure: structs in, struct out.

use chrono::{DateTime, Duration, Utc};

use crate::dedup::{
    canonical_url, content_hash, item_identity, item_keys, preferred_canonical_url, ItemKeys,
};
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

/// The lookup keys of an item of feed `feed` (see [`crate::dedup::item_keys`]).
pub fn keys_of(feed: &str, item: &FeedItem) -> ItemKeys {
    item_keys(
        feed,
        item.guid.as_deref(),
        item.link.as_deref(),
        item.title.as_deref(),
        item.published.map(|d| d.timestamp()),
    )
}

/// The item's stable identity within its feed: GUID key, else canonical URL, else headline.
pub fn identity_of(feed: &str, item: &FeedItem) -> String {
    item_identity(
        feed,
        item.guid.as_deref(),
        item.link.as_deref(),
        item.title.as_deref(),
        item.published.map(|d| d.timestamp()),
    )
}

/// Hash of what the feed says about an item (headline and text, markup ignored), to
/// notice edits.
pub fn entry_hash(item: &FeedItem) -> String {
    let body = item
        .content_html
        .as_deref()
        .or(item.summary_html.as_deref())
        .unwrap_or("");
    format!(
        "{:016x}",
        content_hash(item.title.as_deref().unwrap_or(""), &html_to_text(body))
    )
}

/// The publication time to store: the item's (or page's) date, the first-seen time when
/// there is none, and the first-seen time when it is more than an hour in the future.
pub fn clamp_published(date: Option<DateTime<Utc>>, first_seen: DateTime<Utc>) -> DateTime<Utc> {
    match date {
        Some(d) if d <= first_seen + Duration::hours(1) => d,
        _ => first_seen,
    }
}

/// Assembles the record to store for an item of feed `feed`. `fallback_url` is used when
/// the item has no link.
pub fn assemble(
    feed: &str,
    item: &FeedItem,
    page: &Page,
    fallback_url: &str,
    now: DateTime<Utc>,
) -> ArticleRecord {
    let identity = identity_of(feed, item);
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
    ArticleRecord {
        identity,
        guid: item.guid.clone(),
        canonical_url: preferred_canonical_url(
            &url,
            article.and_then(|a| a.canonical_url.as_deref()),
        )
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
        feed_hash: entry_hash(item),
        published: clamp_published(item.published.or(article.and_then(|a| a.published)), now),
    }
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
    fn identity_prefers_guid_then_link_then_title() {
        let mut item = FeedItem {
            guid: Some("g1".into()),
            link: Some("https://e.com/a".into()),
            title: Some("T".into()),
            ..Default::default()
        };
        assert_eq!(identity_of("f", &item), "guid:f:g1");
        item.guid = None;
        assert!(identity_of("f", &item).starts_with("url:"));
        item.link = None;
        assert!(identity_of("f", &item).starts_with("title:f:"));
    }

    #[test]
    fn entry_hash_ignores_markup_but_sees_edits() {
        let a = FeedItem {
            title: Some("Port audit".into()),
            content_html: Some("<p>Text  here</p>".into()),
            ..Default::default()
        };
        let mut b = a.clone();
        b.content_html = Some("<div>Text here</div>".into());
        assert_eq!(entry_hash(&a), entry_hash(&b));
        b.title = Some("Port audit delayed".into());
        assert_ne!(entry_hash(&a), entry_hash(&b));
    }
}
