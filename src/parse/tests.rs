use super::*;

fn base() -> Url {
    Url::parse("https://news.example.com/feeds/rss").unwrap()
}

#[test]
fn rss2_with_content_encoded_and_creator() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Cedar</title><link>https://news.example.com/</link><ttl>15</ttl>
<item><title><![CDATA[Port &amp; audit]]></title><link>/2026/11/port</link>
<guid isPermaLink="false">https://news.example.com/?p=12</guid>
<dc:creator>Rana K.</dc:creator><category>Economy</category>
<pubDate>Mon, 02 Nov 2026 10:00:00 +0300</pubDate>
<description>Short</description>
<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>
<enclosure url="/img/port.jpg" type="image/jpeg" length="1234"/>
</item></channel></rss>"#;
    let feed = parse_feed(xml.as_bytes(), &base()).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Cedar"));
    assert_eq!(feed.ttl_minutes, Some(15));
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("Port & audit"));
    assert_eq!(
        item.link.as_deref(),
        Some("https://news.example.com/2026/11/port")
    );
    assert_eq!(item.guid.as_deref(), Some("https://news.example.com/?p=12"));
    assert_eq!(item.author.as_deref(), Some("Rana K."));
    assert_eq!(item.categories, ["Economy"]);
    assert_eq!(
        item.published.unwrap().to_rfc3339(),
        "2026-11-02T07:00:00+00:00"
    );
    assert!(item
        .content_html
        .as_deref()
        .unwrap()
        .contains("<b>text</b>"));
    assert_eq!(
        item.image.as_deref(),
        Some("https://news.example.com/img/port.jpg")
    );
    assert_eq!(item.enclosures[0].length, Some(1234));
}

#[test]
fn item_without_guid_has_none() {
    let xml = r#"<rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://e.com/a</link></item></channel></rss>"#;
    let feed = parse_feed(xml.as_bytes(), &base()).unwrap();
    assert_eq!(feed.items[0].guid, None);
}

#[test]
fn atom_with_xml_base() {
    let xml = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.org/blog/">
<title>A</title><id>urn:x</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title type="html">&lt;i&gt;Hi&lt;/i&gt;</title><id>urn:e1</id><link href="post-1"/><updated>2026-11-01T00:00:00Z</updated>
<summary>S</summary></entry></feed>"#;
    let feed = parse_feed(xml.as_bytes(), &base()).unwrap();
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("Hi"));
    assert_eq!(item.guid.as_deref(), Some("urn:e1"));
    assert_eq!(
        item.link.as_deref(),
        Some("https://atom.example.org/blog/post-1")
    );
}

#[test]
fn json_feed() {
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://j.example/1","title":"One","content_html":"<p>x</p>","date_published":"2026-11-01T12:00:00Z"}]}"#;
    let feed = parse_feed(json.as_bytes(), &base()).unwrap();
    assert_eq!(feed.items[0].link.as_deref(), Some("https://j.example/1"));
    assert_eq!(feed.items[0].title.as_deref(), Some("One"));
}

#[test]
fn declared_charset_is_decoded() {
    let mut xml = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel><title>Le Jour</title><item><title>L\x92\xe9t\xe9 \x96 caf\xe9</title><link>https://e.com/a</link></item></channel></rss>".to_vec();
    xml.extend_from_slice(b"");
    let feed = parse_feed(&xml, &base()).unwrap();
    assert_eq!(
        feed.items[0].title.as_deref(),
        Some("L\u{2019}\u{e9}t\u{e9} \u{2013} caf\u{e9}")
    );
}

#[test]
fn html_page_is_not_a_feed() {
    let err = parse_feed(b"<!DOCTYPE html><html><body>Login</body></html>", &base()).unwrap_err();
    assert!(matches!(err, ParseError::Html), "{err}");
    assert!(parse_feed(b"garbage", &base()).is_err());
}

#[test]
fn corpus_feeds_never_panic() {
    // Every feed in the shared corpora goes through the parser; errors are fine, panics are not.
    let root = std::path::Path::new("../shared/corpus/feeds");
    if !root.exists() {
        return;
    }
    let mut stack = vec![root.to_path_buf()];
    let mut count = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("xml" | "rss" | "atom" | "json" | "rdf")
            ) {
                let bytes = std::fs::read(&path).unwrap();
                let _ = parse_feed(&bytes, &base());
                count += 1;
            }
        }
    }
    assert!(count > 100, "only {count} corpus feeds found");
}

#[test]
fn atom03_feed_has_its_entries() {
    // Regression (issue 7): feed-rs found no entries in Atom 0.3 feeds (gofeed and
    // feedparser read them), so such a feed looked empty.
    let xml = r#"<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>Old</title><entry><title>Entry Title</title><id>urn:e1</id>
<link rel="alternate" type="text/html" href="http://example.org/e1"/>
<issued>2004-01-01T00:00:00Z</issued></entry></feed>"#;
    let feed = parse_feed(xml.as_bytes(), &base()).unwrap();
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].title.as_deref(), Some("Entry Title"));
    assert_eq!(feed.items[0].link.as_deref(), Some("http://example.org/e1"));
}
