//! The combined feed as Atom 1.0 (RFC 4287), written by hand: a fixed shape of elements,
//! every text and attribute value passed through [`escape`]. HTML content is escaped text
//! in `<content type="html">`.

use std::fmt::Write as _;

use crate::model::{Channel, Story};

use super::clean::{escape, is_web_url};
use super::dates::rfc3339;
use super::media::{attachments, image_attachment, lead_image};
use super::related_block::content_with_links;

/// Renders `stories` (in the order given) as an Atom 1.0 document.
pub fn render_atom(channel: &Channel, stories: &[Story]) -> String {
    let mut xml = String::with_capacity(2048 + stories.len() * 4096);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if stories.iter().any(|story| lead_image(story).is_some()) {
        xml.push_str(" xmlns:media=\"http://search.yahoo.com/mrss/\"");
    }
    xml.push_str(">\n");
    text_element(&mut xml, 1, "id", &[], channel.self_url.as_str());
    text_element(&mut xml, 1, "title", &[("type", "text")], &channel.title);
    if !channel.description.trim().is_empty() {
        text_element(
            &mut xml,
            1,
            "subtitle",
            &[("type", "text")],
            &channel.description,
        );
    }
    text_element(&mut xml, 1, "updated", &[], &rfc3339(&channel.updated));
    let base = channel.base_url.as_str();
    empty_element(
        &mut xml,
        1,
        "link",
        &[("rel", "alternate"), ("type", "text/html"), ("href", base)],
    );
    let self_url = channel.self_url.as_str();
    empty_element(
        &mut xml,
        1,
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", self_url),
        ],
    );
    if let Some(hub) = &channel.websub_hub {
        empty_element(
            &mut xml,
            1,
            "link",
            &[("rel", "hub"), ("href", hub.as_str())],
        );
    }
    if let Some(older) = &channel.older_url {
        for rel in ["next", "prev-archive"] {
            empty_element(
                &mut xml,
                1,
                "link",
                &[
                    ("rel", rel),
                    ("type", "application/atom+xml"),
                    ("href", older.as_str()),
                ],
            );
        }
    }
    // Atom wants an author on every entry or on the feed; the feed's own name stands in.
    xml.push_str("  <author>\n");
    text_element(&mut xml, 2, "name", &[], &channel.title);
    xml.push_str("  </author>\n");
    text_element(&mut xml, 1, "generator", &[], "feedmix");
    for story in stories {
        write_entry(&mut xml, channel, story);
    }
    xml.push_str("</feed>\n");
    xml
}

/// One `<entry>` for a story.
fn write_entry(xml: &mut String, channel: &Channel, story: &Story) {
    match story.lang.as_deref().filter(|l| is_language_tag(l)) {
        Some(lang) => {
            let _ = writeln!(xml, "  <entry xml:lang=\"{}\">", escape(lang));
        }
        None => xml.push_str("  <entry>\n"),
    }
    text_element(xml, 2, "id", &[], &channel.story_id(story));
    text_element(xml, 2, "title", &[("type", "text")], &story.title);
    empty_element(
        xml,
        2,
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &story.url),
        ],
    );
    text_element(xml, 2, "published", &[], &rfc3339(&story.published));
    text_element(xml, 2, "updated", &[], &rfc3339(&story.updated));
    if let Some(author) = story.author.as_deref().filter(|a| !a.trim().is_empty()) {
        xml.push_str("    <author>\n");
        text_element(xml, 3, "name", &[], author);
        xml.push_str("    </author>\n");
    }
    for category in story.categories.iter().filter(|c| !c.trim().is_empty()) {
        empty_element(xml, 2, "category", &[("term", category)]);
    }
    if let Some(summary) = story.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text_element(xml, 2, "summary", &[("type", "text")], summary.trim());
    }
    text_element(
        xml,
        2,
        "content",
        &[("type", "html")],
        &content_with_links(story),
    );
    for attachment in attachments(story)
        .into_iter()
        .chain(image_attachment(story))
    {
        let length = attachment.length.map(|n| n.to_string());
        let mut attrs = vec![
            ("rel", "enclosure"),
            ("type", attachment.mime_type.as_str()),
            ("href", attachment.url.as_str()),
        ];
        if let Some(length) = length.as_deref() {
            attrs.push(("length", length));
        }
        empty_element(xml, 2, "link", &attrs);
    }
    for link in story.related.iter().filter(|link| is_web_url(&link.url)) {
        empty_element(
            xml,
            2,
            "link",
            &[
                ("rel", "related"),
                ("type", "text/html"),
                ("href", &link.url),
                ("title", &link.title),
            ],
        );
    }
    if let Some(image) = lead_image(story) {
        empty_element(xml, 2, "media:thumbnail", &[("url", image)]);
    }
    xml.push_str("  </entry>\n");
}

/// Whether `tag` looks like a BCP 47 language tag (letters, digits, hyphens).
fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty() && tag.len() <= 35 && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Writes `<name attrs>text</name>` on its own line, indented `depth` levels.
fn text_element(xml: &mut String, depth: usize, name: &str, attrs: &[(&str, &str)], text: &str) {
    open_tag(xml, depth, name, attrs);
    xml.push('>');
    xml.push_str(&escape(text));
    let _ = writeln!(xml, "</{name}>");
}

/// Writes `<name attrs/>` on its own line, indented `depth` levels.
fn empty_element(xml: &mut String, depth: usize, name: &str, attrs: &[(&str, &str)]) {
    open_tag(xml, depth, name, attrs);
    xml.push_str("/>\n");
}

fn open_tag(xml: &mut String, depth: usize, name: &str, attrs: &[(&str, &str)]) {
    for _ in 0..depth {
        xml.push_str("  ");
    }
    xml.push('<');
    xml.push_str(name);
    for (key, value) in attrs {
        let _ = write!(xml, " {key}=\"{}\"", escape_attr(value));
    }
}

/// Attribute escaping: like [`escape`], plus whitespace kept as character references so
/// attribute-value normalisation does not turn it into spaces.
fn escape_attr(value: &str) -> String {
    escape(value)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_stories::{sample_channel, sample_stories};

    fn parse(xml: &str) -> atom_syndication::Feed {
        xml.parse::<atom_syndication::Feed>()
            .unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn link<'a>(links: &'a [atom_syndication::Link], rel: &str) -> Vec<&'a atom_syndication::Link> {
        links.iter().filter(|l| l.rel == rel).collect()
    }

    #[test]
    fn empty_feed_has_id_title_updated_author_and_links() {
        let channel = sample_channel();
        let xml = render_atom(&channel, &[]);
        let feed = parse(&xml);
        assert_eq!(feed.id, "https://feeds.example.org/mix/feed.xml");
        assert_eq!(feed.title.value, "Feedmix: Lebanon & region");
        assert_eq!(feed.updated.to_rfc3339(), "2026-11-28T03:00:00+00:00");
        assert_eq!(feed.authors[0].name, "Feedmix: Lebanon & region");
        assert_eq!(
            link(&feed.links, "self")[0].href,
            "https://feeds.example.org/mix/feed.xml"
        );
        assert_eq!(
            link(&feed.links, "alternate")[0].href,
            "https://feeds.example.org/mix/"
        );
        assert_eq!(link(&feed.links, "hub")[0].href, "https://hub.example.net/");
        assert!(feed.entries.is_empty());
        assert!(
            xml.contains("<updated>2026-11-28T03:00:00Z</updated>"),
            "{xml}"
        );
    }

    #[test]
    fn one_entry_per_story_in_order() {
        let channel = sample_channel();
        let stories = sample_stories();
        let feed = parse(&render_atom(&channel, &stories));
        assert_eq!(feed.entries.len(), stories.len());
        for (entry, story) in feed.entries.iter().zip(&stories) {
            assert_eq!(entry.id, channel.story_id(story));
            assert_eq!(link(&entry.links, "alternate")[0].href, story.url);
            assert_eq!(entry.updated, story.updated);
            assert_eq!(entry.published, Some(story.published.into()));
            assert_eq!(
                entry.title.value,
                story.title.replace(['\u{0}', '\u{1b}'], "")
            );
        }
    }

    #[test]
    fn full_entry_has_author_categories_enclosures_related_and_content() {
        let xml = render_atom(&sample_channel(), &sample_stories());
        let feed = parse(&xml);
        let entry = &feed.entries[0];
        assert_eq!(entry.authors[0].name, "Rana Haddad");
        let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["Politics", "Economy & Trade"]);
        let enclosures = link(&entry.links, "enclosure");
        let got: Vec<(&str, Option<&str>, Option<&str>)> = enclosures
            .iter()
            .map(|l| (l.href.as_str(), l.mime_type.as_deref(), l.length.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://cedar.example.com/audio/brief.mp3",
                    Some("application/octet-stream"),
                    None
                ),
                (
                    "https://cedar.example.com/img/port-2.png",
                    Some("image/png"),
                    Some("12345")
                ),
                (
                    "https://cedar.example.com/img/port.jpg",
                    Some("image/jpeg"),
                    None
                ),
            ]
        );
        let related = link(&entry.links, "related");
        assert_eq!(related.len(), 2);
        assert_eq!(
            related[1].title.as_deref(),
            Some("Audit du port : « lacunes »")
        );
        let content = entry.content.as_ref().unwrap();
        assert_eq!(content.content_type.as_deref(), Some("html"));
        let html = content.value.as_deref().unwrap();
        assert!(
            html.starts_with("<p>Auditors said on <b>Friday</b>"),
            "{html}"
        );
        assert!(html.contains("<h3>Related articles</h3>"), "{html}");
        assert_eq!(
            entry.summary.as_ref().unwrap().value,
            "Auditors said on Friday that records were missing."
        );
        assert!(
            xml.contains(r#"<media:thumbnail url="https://cedar.example.com/img/port.jpg"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<entry xml:lang="en">"#), "{xml}");
    }

    #[test]
    fn minimal_entry_relies_on_feed_author() {
        let xml = render_atom(&sample_channel(), &sample_stories()[1..2]);
        let entry = &parse(&xml).entries[0];
        assert!(entry.authors.is_empty() && entry.categories.is_empty() && entry.summary.is_none());
        assert_eq!(entry.links.len(), 1);
        assert!(!xml.contains("xmlns:media"), "{xml}");
    }

    #[test]
    fn hostile_text_is_escaped_and_stripped() {
        let xml = render_atom(&sample_channel(), &sample_stories());
        assert!(!xml
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')));
        let entry = &parse(&xml).entries[2];
        assert_eq!(entry.title.value, "<b>Bold</b> ]]> claims — «ici»");
        assert_eq!(entry.authors[0].name, "A <b>&</b> B");
        assert_eq!(entry.categories[0].term, "Culture & <Arts>");
        assert!(link(&entry.links, "enclosure").is_empty());
        assert_eq!(
            link(&entry.links, "related")[0].title.as_deref(),
            Some("Quote \" and 'apos'")
        );
        assert_eq!(
            link(&entry.links, "related")[0].href,
            "https://cedar.example.com/x?y=1&z=2"
        );
    }

    #[test]
    fn attributes_keep_newlines_as_references() {
        assert_eq!(escape_attr("a\nb\t\"c\""), "a&#10;b&#9;&quot;c&quot;");
    }
}
