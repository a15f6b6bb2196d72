//! Plain data passed between pipeline stages (parse -> extract -> store -> render); no I/O here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A media file attached to an item (podcast audio, a photo), passed through to the outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enclosure {
    /// Absolute URL of the media file.
    pub url: String,
    /// MIME type as the source feed declared it, if it did.
    pub mime_type: Option<String>,
    /// Size in bytes as the source feed declared it, if it did.
    pub length: Option<u64>,
}

/// One entry of a source feed, as the parser read it (links already absolute).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedItem {
    /// The feed's own identifier for the entry (RSS guid, Atom id, JSON Feed id).
    pub guid: Option<String>,
    /// Absolute link to the article page.
    pub link: Option<String>,
    /// Title as plain text (entities decoded, tags stripped).
    pub title: Option<String>,
    /// Summary / description as (untrusted) HTML.
    pub summary_html: Option<String>,
    /// Full content (`content:encoded`, Atom content) as (untrusted) HTML.
    pub content_html: Option<String>,
    /// Author name(s), joined with ", ".
    pub author: Option<String>,
    /// Category labels.
    pub categories: Vec<String>,
    /// Publication date, if the feed gave one.
    pub published: Option<DateTime<Utc>>,
    /// Last-modified date, if the feed gave one.
    pub updated: Option<DateTime<Utc>>,
    /// Absolute URL of a lead image (media:thumbnail, media:content, image enclosure).
    pub image: Option<String>,
    /// Attached media files.
    pub enclosures: Vec<Enclosure>,
}

/// A parsed source feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFeed {
    /// The feed's title.
    pub title: Option<String>,
    /// The site the feed belongs to.
    pub site_link: Option<String>,
    /// Declared language (RSS `<language>`, `xml:lang`).
    pub language: Option<String>,
    /// RSS `<ttl>` in minutes, a hint for the scheduler.
    pub ttl_minutes: Option<u32>,
    /// Syndication module `sy:updatePeriod` / `sy:updateFrequency`, in seconds.
    pub update_period_secs: Option<u64>,
    /// The entries, in document order.
    pub items: Vec<FeedItem>,
}

/// A link to another story, as shown under "Related articles" or "Also reported by".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryLink {
    /// Absolute URL of the other article.
    pub url: String,
    /// The other article's feed `name`.
    pub source: String,
    /// The other article's headline.
    pub title: String,
}

/// One item of the combined feed: a story, fixed by the first article ingested into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Database id of the story; never changes.
    pub id: i64,
    /// Link to the primary article (the first article ingested into the story).
    pub url: String,
    /// Headline of the primary article (plain text).
    pub title: String,
    /// `name` of the primary article's feed.
    pub source: String,
    /// Human title of the primary article's feed.
    pub source_title: String,
    /// Author / byline, plain text.
    pub author: Option<String>,
    /// Category labels.
    pub categories: Vec<String>,
    /// Publication time (clamped: never more than an hour in the future).
    pub published: DateTime<Utc>,
    /// Last time the story's content changed (>= `published`).
    pub updated: DateTime<Utc>,
    /// The primary article's body as sanitized HTML, without related block.
    pub content_html: String,
    /// The primary article's body as plain text, paragraphs separated by a blank line.
    pub content_text: String,
    /// A short plain-text summary (first paragraph(s)), if any.
    pub summary: Option<String>,
    /// Absolute URL of a lead image.
    pub image: Option<String>,
    /// Attached media files.
    pub enclosures: Vec<Enclosure>,
    /// Language tag of the article (e.g. "en", "fr", "ar"), if known.
    pub lang: Option<String>,
    /// Other outlets that carried a copy of this story.
    pub also_reported_by: Vec<StoryLink>,
    /// Related stories, most relevant first.
    pub related: Vec<StoryLink>,
}

/// Feed-level data a renderer needs besides the stories.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Title of the combined feed.
    pub title: String,
    /// One-line description.
    pub description: String,
    /// Public base URL the feeds are served from, ending with '/'.
    pub base_url: url::Url,
    /// Absolute URL of the feed document being rendered (its self link).
    pub self_url: url::Url,
    /// When the newest story changed; the feed's `updated` / `lastBuildDate`.
    pub updated: DateTime<Utc>,
    /// WebSub hub to advertise, if configured.
    pub websub_hub: Option<url::Url>,
    /// The page of older stories (RFC 5005 `next` / `prev-archive`, JSON Feed `next_url`),
    /// when this document does not reach the oldest story.
    pub older_url: Option<url::Url>,
}

impl Channel {
    /// The stable, absolute id of a story in every output format.
    pub fn story_id(&self, story: &Story) -> String {
        format!("{}story/{}", self.base_url, story.id)
    }
}
