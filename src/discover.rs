//! Feed discovery: which feed does an HTML page advertise (`<link rel="alternate">`)?
//! Pure: page HTML + its URL in, feed URLs out, best first.

use scraper::{Html, Selector};
use url::Url;

/// MIME types of feeds, in order of preference.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// The feeds `html` (fetched from `base`) advertises, best first: RSS, then Atom, then JSON
/// Feed; comment feeds last.
pub fn discover_feeds(html: &str, base: &Url) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("link[rel][href]").expect("static selector");
    let mut found: Vec<(usize, bool, Url)> = Vec::new();
    for link in doc.select(&selector) {
        let rel = link.value().attr("rel").unwrap_or("").to_ascii_lowercase();
        if !rel.split_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let kind = link.value().attr("type").unwrap_or("").to_ascii_lowercase();
        let Some(rank) = FEED_TYPES.iter().position(|t| kind.trim() == *t) else {
            continue;
        };
        let Some(url) = link
            .value()
            .attr("href")
            .and_then(|h| base.join(h.trim()).ok())
        else {
            continue;
        };
        let title = link
            .value()
            .attr("title")
            .unwrap_or("")
            .to_ascii_lowercase();
        let comments = title.contains("comment") || url.path().contains("comments");
        if !found.iter().any(|(_, _, u)| *u == url) {
            found.push((rank, comments, url));
        }
    }
    found.sort_by_key(|(rank, comments, _)| (*comments, *rank));
    found.into_iter().map(|(_, _, url)| url).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_rss_and_skips_comment_feeds() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/">
            <link rel="alternate" type="application/atom+xml" href="/atom.xml">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" hreflang="fr" href="/fr/">
        </head></html>"#;
        let base = Url::parse("https://news.example.com/world/").unwrap();
        let found: Vec<String> = discover_feeds(html, &base)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            found,
            [
                "https://news.example.com/feed/",
                "https://news.example.com/atom.xml",
                "https://news.example.com/comments/feed/"
            ]
        );
    }

    #[test]
    fn no_links_no_feeds() {
        let base = Url::parse("https://e.com/").unwrap();
        assert!(discover_feeds("<p>hello</p>", &base).is_empty());
    }
}
