//! OPML 2.0 subscription lists: the configured sources out, outlines in (with the folder
//! each feed sits in as its category). Pure: structs or bytes in, text or structs out.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::config::FeedConfig;
use crate::page::escape;

/// A subscription read from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The outline's `title` or `text`.
    pub title: String,
    /// `xmlUrl`.
    pub url: String,
    /// The enclosing folder outline's title, if any.
    pub category: Option<String>,
}

/// Why an OPML file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not a readable OPML file: {0}")]
pub struct OpmlError(String);

/// Renders `feeds` as OPML 2.0, one folder per category.
pub fn render_opml(title: &str, feeds: &[FeedConfig]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>{}</title></head>\n<body>\n",
        escape(title)
    );
    let outline = |f: &FeedConfig| {
        format!(
            "<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{u}\"/>",
            t = escape(&f.title),
            u = escape(f.url.as_str())
        )
    };
    let mut categories: Vec<&str> = feeds.iter().filter_map(|f| f.category.as_deref()).collect();
    categories.dedup();
    categories.sort_unstable();
    categories.dedup();
    for feed in feeds.iter().filter(|f| f.category.is_none()) {
        out.push_str(&format!("  {}\n", outline(feed)));
    }
    for category in categories {
        out.push_str(&format!(
            "  <outline text=\"{c}\" title=\"{c}\">\n",
            c = escape(category)
        ));
        for feed in feeds
            .iter()
            .filter(|f| f.category.as_deref() == Some(category))
        {
            out.push_str(&format!("    {}\n", outline(feed)));
        }
        out.push_str("  </outline>\n");
    }
    out.push_str("</body>\n</opml>\n");
    out
}

/// Reads every outline with an `xmlUrl`, remembering the nearest enclosing folder.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<Subscription>, OpmlError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut subs = Vec::new();
    let mut buf = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| OpmlError(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"opml" => saw_opml = true,
            Event::Start(ref e) | Event::Empty(ref e) if e.name().as_ref() == b"outline" => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref().eq_ignore_ascii_case(name))
                        .and_then(|a| {
                            a.decoded_and_normalized_value(
                                quick_xml::XmlVersion::Implicit1_0,
                                reader.decoder(),
                            )
                            .ok()
                            .map(|v| v.trim().to_string())
                        })
                        .filter(|v| !v.is_empty())
                };
                let title = attr(b"title").or_else(|| attr(b"text"));
                if let Some(url) = attr(b"xmlUrl") {
                    let category = folders.iter().rev().flatten().next().cloned();
                    subs.push(Subscription {
                        title: title.clone().unwrap_or_else(|| url.clone()),
                        url,
                        category,
                    });
                }
                if matches!(event, Event::Start(_)) {
                    folders.push(if attr(b"xmlUrl").is_some() {
                        None
                    } else {
                        title
                    });
                }
            }
            Event::End(e) if e.name().as_ref() == b"outline" => {
                folders.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_opml {
        return Err(OpmlError("no <opml> element".into()));
    }
    Ok(subs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(name: &str, category: Option<&str>) -> FeedConfig {
        FeedConfig {
            name: name.into(),
            title: format!("{name} & co"),
            url: url::Url::parse(&format!("https://{name}.example/rss?a=1&b=2")).unwrap(),
            fetch_articles: true,
            interval: std::time::Duration::from_secs(1800),
            republish: crate::config::Republish::Full,
            extract_content: vec![],
            extract_remove: vec![],
            respect_robots: true,
            category: category.map(str::to_string),
        }
    }

    #[test]
    fn round_trip_keeps_titles_urls_and_categories() {
        let feeds = [
            feed("a", Some("Lebanon")),
            feed("b", None),
            feed("c", Some("Lebanon")),
        ];
        let text = render_opml("Mine", &feeds);
        let subs = parse_opml(text.as_bytes()).unwrap();
        assert_eq!(subs.len(), 3);
        let a = subs
            .iter()
            .find(|s| s.url.starts_with("https://a."))
            .unwrap();
        assert_eq!(a.title, "a & co");
        assert_eq!(a.url, "https://a.example/rss?a=1&b=2");
        assert_eq!(a.category.as_deref(), Some("Lebanon"));
        assert_eq!(
            subs.iter()
                .find(|s| s.url.contains("//b."))
                .unwrap()
                .category,
            None
        );
    }

    #[test]
    fn nested_folders_and_junk() {
        let text = br#"<opml version="1.0"><body><outline text="News"><outline text="World">
            <outline text="X" xmlUrl="https://x.example/feed"/></outline></outline>
            <outline text="No url"/></body></opml>"#;
        let subs = parse_opml(text).unwrap();
        assert_eq!(
            subs,
            [Subscription {
                title: "X".into(),
                url: "https://x.example/feed".into(),
                category: Some("World".into())
            }]
        );
        assert!(parse_opml(b"<html></html>").is_err());
    }
}
