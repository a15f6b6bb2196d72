//! Sample channel and stories shared by the renderer tests: one full story, one minimal,
//! one with hostile text.

use chrono::{TimeZone, Utc};

use crate::model::{Channel, Enclosure, Story, StoryLink};

/// A channel with a WebSub hub.
pub(crate) fn sample_channel() -> Channel {
    Channel {
        title: "Feedmix: Lebanon & region".into(),
        description: "Combined news feed <test>".into(),
        base_url: url::Url::parse("https://feeds.example.org/mix/").unwrap(),
        self_url: url::Url::parse("https://feeds.example.org/mix/feed.xml").unwrap(),
        updated: Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap(),
        websub_hub: Some(url::Url::parse("https://hub.example.net/").unwrap()),
        older_url: Some(
            url::Url::parse("https://feeds.example.org/feed.xml?before=1700000000.7").unwrap(),
        ),
    }
}

fn link(url: &str, source: &str, title: &str) -> StoryLink {
    StoryLink {
        url: url.into(),
        source: source.into(),
        title: title.into(),
    }
}

/// Three stories, newest first: full, minimal, hostile.
pub(crate) fn sample_stories() -> Vec<Story> {
    let full = Story {
        id: 17,
        url: "https://cedar.example.com/articles/port-audit.html?utm_source=rss&ref=1".into(),
        title: "Port audit finds \"missing\" containers & records".into(),
        source: "cedarnews".into(),
        source_title: "Cedar News".into(),
        author: Some("Rana Haddad".into()),
        categories: vec!["Politics".into(), "Economy & Trade".into()],
        published: Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap(),
        updated: Utc.with_ymd_and_hms(2026, 11, 28, 2, 30, 0).unwrap(),
        content_html:
            "<p>Auditors said on <b>Friday</b> that records were missing.</p>\n<p>More.</p>".into(),
        content_text: "Auditors said on Friday that records were missing.\n\nMore.".into(),
        summary: Some("Auditors said on Friday that records were missing.".into()),
        image: Some("https://cedar.example.com/img/port.jpg".into()),
        enclosures: vec![
            Enclosure {
                url: "https://cedar.example.com/audio/brief.mp3".into(),
                mime_type: None,
                length: None,
            },
            Enclosure {
                url: "https://cedar.example.com/img/port-2.png".into(),
                mime_type: Some("image/png".into()),
                length: Some(12345),
            },
        ],
        lang: Some("en".into()),
        also_reported_by: vec![link(
            "https://today.example.com/port",
            "lorienttoday",
            "Audit: containers missing",
        )],
        related: vec![
            link(
                "https://almanar.example.com/a/1",
                "almanar",
                "Port workers strike",
            ),
            link(
                "https://lorient.example.com/b/2",
                "lorientlejour",
                "Audit du port : « lacunes »",
            ),
        ],
    };
    let minimal = Story {
        id: 9,
        url: "https://almanar.example.com/a/9".into(),
        title: "Weather: first rain of the season".into(),
        source: "almanar".into(),
        source_title: "Al-Manar".into(),
        author: None,
        categories: vec![],
        published: Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap(),
        updated: Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap(),
        content_html: "<p>Rain is expected.</p>".into(),
        content_text: "Rain is expected.".into(),
        summary: None,
        image: None,
        enclosures: vec![],
        lang: None,
        also_reported_by: vec![],
        related: vec![],
    };
    let hostile = Story {
        id: 3,
        url: "https://lorient.example.com/art/3?a=1&b=2".into(),
        title: "<b>Bold</b> ]]> claims\u{0}\u{1b} — «ici»".into(),
        source: "lorientlejour".into(),
        source_title: "L'Orient-Le Jour".into(),
        author: Some("A <b>&</b> B".into()),
        categories: vec!["Culture & <Arts>".into()],
        published: Utc.with_ymd_and_hms(2026, 11, 26, 9, 15, 0).unwrap(),
        updated: Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap(),
        content_html: "<p>Text with ]]&gt; and ]]> and a \u{8} control.</p>".into(),
        content_text: "Text with ]]> and a control.".into(),
        summary: Some("Text <with> ]]> markup\u{c}".into()),
        image: Some("javascript:alert(1)".into()),
        enclosures: vec![],
        lang: Some("fr".into()),
        also_reported_by: vec![],
        related: vec![link(
            "https://cedar.example.com/x?y=1&z=2",
            "cedarnews",
            "Quote \" and 'apos'",
        )],
    };
    vec![full, minimal, hostile]
}
