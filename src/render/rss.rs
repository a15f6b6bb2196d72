//! The combined feed as RSS 2.0, built with the `rss` crate (its only user). HTML goes into
//! CDATA sections (`description`, `content:encoded`), never as raw elements; the author is
//! `dc:creator` because RSS `<author>` must be an e-mail address.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::Extension;

use crate::model::{Channel, Story};

use super::clean::{escape, is_web_url, strip_controls};
use super::dates::rfc822;
use super::media::{attachments, image_attachment, lead_image, Attachment};
use super::related_block::content_with_links;

/// Media RSS namespace, for `media:thumbnail` (the lead image).
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// Renders `stories` (in the order given) as an RSS 2.0 document.
pub fn render_rss(channel: &Channel, stories: &[Story]) -> String {
    let mut out = rss::Channel {
        title: strip_controls(&channel.title),
        link: channel.base_url.to_string(),
        description: strip_controls(&channel.description),
        last_build_date: Some(rfc822(&channel.updated)),
        generator: Some("feedmix".to_string()),
        docs: Some("https://www.rssboard.org/rss-specification".to_string()),
        atom_ext: Some(AtomExtension {
            links: channel_links(channel),
        }),
        items: stories.iter().map(|story| item(channel, story)).collect(),
        ..Default::default()
    };
    if stories.iter().any(|story| lead_image(story).is_some()) {
        out.namespaces
            .insert("media".to_string(), MEDIA_NS.to_string());
    }
    let bytes = out
        .pretty_write_to(Vec::new(), b' ', 2)
        .expect("writing XML into a Vec cannot fail");
    String::from_utf8(bytes).expect("the rss crate writes UTF-8")
}

/// `atom:link` elements of the channel: self, the WebSub hub when there is one, and the
/// RFC 5005 links to older stories.
fn channel_links(channel: &Channel) -> Vec<Link> {
    let mut links = vec![Link {
        href: channel.self_url.to_string(),
        rel: "self".to_string(),
        mime_type: Some("application/rss+xml".to_string()),
        ..Default::default()
    }];
    if let Some(hub) = &channel.websub_hub {
        links.push(Link {
            href: hub.to_string(),
            rel: "hub".to_string(),
            ..Default::default()
        });
    }
    for rel in ["next", "prev-archive"] {
        if let Some(older) = &channel.older_url {
            links.push(Link {
                href: older.to_string(),
                rel: rel.to_string(),
                mime_type: Some("application/rss+xml".to_string()),
                ..Default::default()
            });
        }
    }
    links
}

/// One `<item>` for a story.
fn item(channel: &Channel, story: &Story) -> rss::Item {
    let content = content_with_links(story);
    let description = match story.summary.as_deref().map(str::trim) {
        Some(summary) if !summary.is_empty() => format!("<p>{}</p>", escape(summary)),
        _ => content.clone(),
    };
    let mut item = rss::Item {
        title: Some(strip_controls(&story.title)),
        link: Some(story.url.clone()),
        description: Some(description),
        content: Some(content),
        guid: Some(rss::Guid {
            value: channel.story_id(story),
            permalink: false,
        }),
        pub_date: Some(rfc822(&story.published)),
        categories: story
            .categories
            .iter()
            .map(|name| rss::Category {
                name: strip_controls(name),
                domain: None,
            })
            .collect(),
        enclosure: attachments(story)
            .into_iter()
            .next()
            .or_else(|| image_attachment(story))
            .map(enclosure),
        ..Default::default()
    };
    if let Some(author) = story.author.as_deref().filter(|a| !a.trim().is_empty()) {
        item.dublin_core_ext = Some(DublinCoreExtension {
            creators: vec![strip_controls(author)],
            ..Default::default()
        });
    }
    let related: Vec<Link> = story
        .related
        .iter()
        .filter(|link| is_web_url(&link.url))
        .map(|link| Link {
            href: link.url.clone(),
            rel: "related".to_string(),
            title: Some(strip_controls(&link.title)),
            ..Default::default()
        })
        .collect();
    if !related.is_empty() {
        item.atom_ext = Some(AtomExtension { links: related });
    }
    if let Some(image) = lead_image(story) {
        let thumbnail = Extension {
            name: "media:thumbnail".to_string(),
            attrs: BTreeMap::from([("url".to_string(), image.to_string())]),
            ..Default::default()
        };
        let by_name = BTreeMap::from([("thumbnail".to_string(), vec![thumbnail])]);
        item.extensions.insert("media".to_string(), by_name);
    }
    item
}

/// An RSS `<enclosure>`: all three attributes are required, so an unknown length is 0.
fn enclosure(attachment: Attachment) -> rss::Enclosure {
    rss::Enclosure {
        url: attachment.url,
        length: attachment.length.unwrap_or(0).to_string(),
        mime_type: attachment.mime_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_stories::{sample_channel, sample_stories};

    fn parse(xml: &str) -> rss::Channel {
        xml.parse::<rss::Channel>()
            .unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    #[test]
    fn empty_feed_is_a_valid_channel() {
        let channel = sample_channel();
        let xml = render_rss(&channel, &[]);
        let parsed = parse(&xml);
        assert_eq!(parsed.title, "Feedmix: Lebanon & region");
        assert_eq!(parsed.link, "https://feeds.example.org/mix/");
        assert_eq!(
            parsed.last_build_date.as_deref(),
            Some("Sat, 28 Nov 2026 03:00:00 +0000")
        );
        assert!(parsed.items.is_empty());
        assert!(
            xml.contains(r#"<atom:link href="https://feeds.example.org/mix/feed.xml" rel="self""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<atom:link href="https://hub.example.net/" rel="hub"/>"#),
            "{xml}"
        );
    }

    #[test]
    fn one_item_per_story_in_order_with_ids_links_dates() {
        let channel = sample_channel();
        let stories = sample_stories();
        let parsed = parse(&render_rss(&channel, &stories));
        assert_eq!(parsed.items.len(), stories.len());
        for (item, story) in parsed.items.iter().zip(&stories) {
            let guid = item.guid.as_ref().unwrap();
            assert_eq!(guid.value, channel.story_id(story));
            assert!(!guid.permalink);
            assert_eq!(item.link.as_deref(), Some(story.url.as_str()));
            assert_eq!(
                item.pub_date.as_deref(),
                Some(story.published.to_rfc2822().as_str())
            );
        }
    }

    #[test]
    fn full_story_carries_author_categories_media_and_related() {
        let channel = sample_channel();
        let stories = sample_stories();
        let xml = render_rss(&channel, &stories);
        let parsed = parse(&xml);
        let item = &parsed.items[0];
        assert_eq!(
            item.dublin_core_ext.as_ref().unwrap().creators,
            vec!["Rana Haddad"]
        );
        let names: Vec<&str> = item.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Politics", "Economy & Trade"]);
        let enc = item.enclosure.as_ref().unwrap();
        assert_eq!(
            (
                enc.url.as_str(),
                enc.length.as_str(),
                enc.mime_type.as_str()
            ),
            (
                "https://cedar.example.com/audio/brief.mp3",
                "0",
                "application/octet-stream"
            )
        );
        let related = item.atom_ext.as_ref().unwrap().links();
        assert_eq!(related.len(), 2);
        assert_eq!(related[0].rel, "related");
        assert_eq!(related[0].title.as_deref(), Some("Port workers strike"));
        let content = item.content.as_deref().unwrap();
        assert!(content.contains("Also reported by:"), "{content}");
        assert!(content.contains("<h3>Related articles</h3>"), "{content}");
        assert_eq!(
            item.description.as_deref(),
            Some("<p>Auditors said on Friday that records were missing.</p>")
        );
        assert!(
            xml.contains(r#"<media:thumbnail url="https://cedar.example.com/img/port.jpg">"#),
            "{xml}"
        );
        assert!(xml.contains(r#"xmlns:media="http://search.yahoo.com/mrss/""#));
        assert!(xml.contains(r#"xmlns:dc="http://purl.org/dc/elements/1.1/""#));
    }

    #[test]
    fn minimal_story_uses_content_as_description_and_no_extras() {
        let parsed = parse(&render_rss(&sample_channel(), &sample_stories()));
        let item = &parsed.items[1];
        assert_eq!(
            item.description.as_deref(),
            Some("<p>Rain is expected.</p>")
        );
        assert!(
            item.enclosure.is_none() && item.dublin_core_ext.is_none() && item.atom_ext.is_none()
        );
        assert!(item.extensions.is_empty());
    }

    #[test]
    fn hostile_text_is_escaped_and_stripped() {
        let stories = sample_stories();
        let xml = render_rss(&sample_channel(), &stories);
        assert!(!xml
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')));
        let parsed = parse(&xml);
        let item = &parsed.items[2];
        assert_eq!(
            item.title.as_deref(),
            Some("<b>Bold</b> ]]> claims — «ici»")
        );
        assert!(item
            .content
            .as_deref()
            .unwrap()
            .contains("]]> and a  control"));
        assert_eq!(
            item.description.as_deref(),
            Some("<p>Text &lt;with&gt; ]]&gt; markup</p>")
        );
        assert!(
            item.extensions.is_empty(),
            "javascript: image must not become media"
        );
        assert!(item.enclosure.is_none());
        let related = &item.atom_ext.as_ref().unwrap().links()[0];
        assert_eq!(related.href, "https://cedar.example.com/x?y=1&z=2");
        assert_eq!(related.title.as_deref(), Some("Quote \" and 'apos'"));
    }

    #[test]
    fn no_hub_link_without_hub() {
        let mut channel = sample_channel();
        channel.websub_hub = None;
        assert!(!render_rss(&channel, &[]).contains("rel=\"hub\""));
    }

    #[test]
    fn image_becomes_enclosure_when_there_is_none() {
        let mut stories = sample_stories();
        stories[0].enclosures.clear();
        let parsed = parse(&render_rss(&sample_channel(), &stories[..1]));
        let enc = parsed.items[0].enclosure.as_ref().unwrap();
        assert_eq!(
            (enc.url.as_str(), enc.mime_type.as_str()),
            ("https://cedar.example.com/img/port.jpg", "image/jpeg")
        );
    }
}
