//! End-to-end checks of [`super::extract_article`] on small hand-written pages.

use super::*;

/// The article pages of the bundled fixture outlets (`fixtures/outlets/*/articles/`), as
/// embedded for `feedmix demo` (before `{{BASE}}` is filled in).
pub(super) fn fixture_article_pages() -> Vec<&'static str> {
    let pages: Vec<&'static str> = crate::demo::OUTLETS
        .dirs()
        .filter_map(|outlet| outlet.get_dir(outlet.path().join("articles")))
        .flat_map(|articles| articles.files())
        .filter_map(|f| f.contents_utf8())
        .collect();
    assert!(pages.len() > 20, "{} fixture pages", pages.len());
    pages
}

fn url() -> Url {
    Url::parse("https://news.example/2020/story.html").unwrap()
}

fn paragraph(n: usize) -> String {
    format!("<p>Paragraph {n} tells the story in detail, with commas, clauses, and enough words to look like real article text written by a reporter.</p>")
}

fn page(body: &str) -> String {
    format!(
        r#"<html lang="en"><head><title>Storm hits coast | Example News</title></head><body>
        <nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <div class="sidebar"><a href="/x">Most read one</a><a href="/y">Most read two</a></div>
        {body}
        <footer>Copyright Example News. All rights reserved.</footer></body></html>"#
    )
}

#[test]
fn main_text_is_found_and_boilerplate_dropped() {
    let paras: String = (1..=6).map(paragraph).collect();
    let html = page(&format!(
        r#"<article><h1>Storm hits coast</h1>{paras}<div class="share-bar"><a href="/s">Share</a></div>
        <figure><img data-src="/img/storm.jpg" src="data:image/gif;base64,AA"><figcaption>Waves</figcaption></figure></article>"#
    ));
    let a = extract_article(&html, &url(), &SiteRules::default());
    assert_eq!(a.title.as_deref(), Some("Storm hits coast"));
    assert!(a.text.starts_with("Paragraph 1 tells"), "{}", a.text);
    assert!(a.text.contains("Paragraph 6"));
    for junk in ["Home", "Most read", "Copyright", "Share"] {
        assert!(!a.text.contains(junk), "{junk} in {}", a.text);
    }
    assert_eq!(a.text.split("\n\n").count(), 6);
    assert!(
        a.html
            .contains(r#"src="https://news.example/img/storm.jpg""#),
        "{}",
        a.html
    );
    assert_eq!(a.lang.as_deref(), Some("en"));
}

#[test]
fn site_rules_pick_and_remove() {
    let html = page(&format!(
        r#"<div class="story">{}<p class="ad">Buy now</p></div><div class="other">{}</div>"#,
        paragraph(1),
        (2..=8).map(paragraph).collect::<String>()
    ));
    let rules = SiteRules {
        content: vec![".story".into()],
        remove: vec![".ad".into()],
    };
    let a = extract_article(&html, &url(), &rules);
    assert!(
        a.text.contains("Paragraph 1") && !a.text.contains("Paragraph 2"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("Buy now"));
    let unmatched = SiteRules {
        content: vec![".nothing".into()],
        remove: vec!["div[".into()],
    };
    assert!(extract_article(&html, &url(), &unmatched)
        .text
        .contains("Paragraph 5"));
    assert!(Extractor::new(&unmatched).is_err());
}

#[test]
fn hostile_pages_do_not_panic() {
    let deep = "<div>".repeat(100_000) + &paragraph(1);
    let cases = [
        String::new(),
        "<<<>>>".into(),
        deep,
        "<table>".repeat(20_000),
        "\u{0}\u{ad}".repeat(1000),
    ];
    for html in cases {
        let _ = extract_article(&html, &url(), &SiteRules::default());
    }
}
