//! The combined feed as JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) via serde_json,
//! with a `_feedmix` extension object per item carrying the source, the copies and the
//! related stories as data.

use serde::Serialize;

use crate::model::{Channel, Story, StoryLink};

use super::clean::strip_controls;
use super::dates::rfc3339;
use super::media::{attachments, lead_image};
use super::related_block::content_with_links;

/// The JSON Feed version URL this renderer writes.
const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<String>,
    items: Vec<Item>,
}

#[derive(Serialize)]
struct Author {
    name: String,
}

#[derive(Serialize)]
struct Hub {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Item {
    id: String,
    url: String,
    title: String,
    content_html: String,
    content_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    #[serde(rename = "_feedmix")]
    feedmix: Extension,
}

#[derive(Serialize)]
struct Attachment {
    url: String,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

/// The `_feedmix` extension: where the story came from and how it links to others.
#[derive(Serialize)]
struct Extension {
    source: String,
    also_reported_by: Vec<StoryLink>,
    related: Vec<StoryLink>,
}

/// Renders `stories` (in the order given) as a JSON Feed 1.1 document.
pub fn render_json(channel: &Channel, stories: &[Story]) -> String {
    let feed = Feed {
        version: VERSION,
        title: strip_controls(&channel.title),
        home_page_url: channel.base_url.to_string(),
        feed_url: channel.self_url.to_string(),
        description: Some(strip_controls(&channel.description)).filter(|d| !d.trim().is_empty()),
        authors: vec![Author {
            name: strip_controls(&channel.title),
        }],
        hubs: channel
            .websub_hub
            .iter()
            .map(|hub| Hub {
                kind: "WebSub",
                url: hub.to_string(),
            })
            .collect(),
        next_url: channel.older_url.as_ref().map(|u| u.to_string()),
        items: stories.iter().map(|story| item(channel, story)).collect(),
    };
    let mut json = serde_json::to_string_pretty(&feed).expect("feed structs always serialize");
    json.push('\n');
    json
}

/// One item for a story.
fn item(channel: &Channel, story: &Story) -> Item {
    Item {
        id: channel.story_id(story),
        url: story.url.clone(),
        title: strip_controls(&story.title),
        content_html: content_with_links(story),
        content_text: strip_controls(&story.content_text),
        summary: non_empty(story.summary.as_deref()),
        image: lead_image(story).map(str::to_string),
        date_published: rfc3339(&story.published),
        date_modified: rfc3339(&story.updated),
        authors: non_empty(story.author.as_deref())
            .map(|name| Author { name })
            .into_iter()
            .collect(),
        tags: story
            .categories
            .iter()
            .filter_map(|c| non_empty(Some(c)))
            .collect(),
        language: non_empty(story.lang.as_deref()),
        attachments: attachments(story)
            .into_iter()
            .map(|a| Attachment {
                url: a.url,
                mime_type: a.mime_type,
                size_in_bytes: a.length,
            })
            .collect(),
        feedmix: Extension {
            source: strip_controls(&story.source),
            also_reported_by: clean_links(&story.also_reported_by),
            related: clean_links(&story.related),
        },
    }
}

/// `text` without control characters, or `None` when nothing but whitespace is left.
fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(|t| strip_controls(t.trim()))
        .filter(|t| !t.is_empty())
}

fn clean_links(links: &[StoryLink]) -> Vec<StoryLink> {
    links
        .iter()
        .map(|link| StoryLink {
            url: link.url.clone(),
            source: strip_controls(&link.source),
            title: strip_controls(&link.title),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_stories::{sample_channel, sample_stories};
    use serde_json::{json, Value};

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn empty_feed_has_the_top_level_fields() {
        let feed = parse(&render_json(&sample_channel(), &[]));
        assert_eq!(
            feed,
            json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Feedmix: Lebanon & region",
                "home_page_url": "https://feeds.example.org/mix/",
                "feed_url": "https://feeds.example.org/mix/feed.xml",
                "description": "Combined news feed <test>",
                "authors": [{"name": "Feedmix: Lebanon & region"}],
                "hubs": [{"type": "WebSub", "url": "https://hub.example.net/"}],
                "next_url": "https://feeds.example.org/feed.xml?before=1700000000.7",
                "items": [],
            })
        );
    }

    #[test]
    fn full_item_matches_the_story() {
        let channel = sample_channel();
        let stories = sample_stories();
        let feed = parse(&render_json(&channel, &stories));
        let item = &feed["items"][0];
        let story = &stories[0];
        assert_eq!(item["id"], "https://feeds.example.org/mix/story/17");
        assert_eq!(item["url"], story.url.as_str());
        assert_eq!(item["content_text"], story.content_text.as_str());
        assert_eq!(item["content_html"], content_with_links(story).as_str());
        assert_eq!(item["date_published"], "2026-11-28T02:00:00Z");
        assert_eq!(item["date_modified"], "2026-11-28T02:30:00Z");
        assert_eq!(item["authors"], json!([{"name": "Rana Haddad"}]));
        assert_eq!(item["tags"], json!(["Politics", "Economy & Trade"]));
        assert_eq!(item["language"], "en");
        assert_eq!(item["image"], "https://cedar.example.com/img/port.jpg");
        assert_eq!(
            item["attachments"],
            json!([
                {"url": "https://cedar.example.com/audio/brief.mp3", "mime_type": "application/octet-stream"},
                {"url": "https://cedar.example.com/img/port-2.png", "mime_type": "image/png", "size_in_bytes": 12345},
            ])
        );
        assert_eq!(
            item["_feedmix"],
            json!({
                "source": "cedarnews",
                "also_reported_by": [{"url": "https://today.example.com/port", "source": "lorienttoday", "title": "Audit: containers missing"}],
                "related": [
                    {"url": "https://almanar.example.com/a/1", "source": "almanar", "title": "Port workers strike"},
                    {"url": "https://lorient.example.com/b/2", "source": "lorientlejour", "title": "Audit du port : « lacunes »"},
                ],
            })
        );
    }

    #[test]
    fn minimal_item_omits_optional_fields_but_keeps_extension() {
        let feed = parse(&render_json(&sample_channel(), &sample_stories()));
        let item = feed["items"][1].as_object().unwrap();
        let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "_feedmix",
                "content_html",
                "content_text",
                "date_modified",
                "date_published",
                "id",
                "title",
                "url"
            ]
        );
        assert_eq!(
            item["_feedmix"],
            json!({"source": "almanar", "also_reported_by": [], "related": []})
        );
    }

    #[test]
    fn items_keep_order_and_hostile_text_is_cleaned() {
        let channel = sample_channel();
        let stories = sample_stories();
        let feed = parse(&render_json(&channel, &stories));
        let ids: Vec<&str> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        let want: Vec<String> = stories.iter().map(|s| channel.story_id(s)).collect();
        assert_eq!(ids, want);
        let item = &feed["items"][2];
        assert_eq!(item["title"], "<b>Bold</b> ]]> claims — «ici»");
        assert_eq!(item["summary"], "Text <with> ]]> markup");
        assert!(
            item.get("image").is_none(),
            "javascript: image must be dropped"
        );
    }

    #[test]
    fn no_hubs_without_hub() {
        let mut channel = sample_channel();
        channel.websub_hub = None;
        assert!(parse(&render_json(&channel, &[])).get("hubs").is_none());
    }
}
