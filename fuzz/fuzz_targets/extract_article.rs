//! Fuzzes `feedmix::extract::extract_article` on arbitrary (lossily decoded) HTML: never
//! panics, and the article is no bigger than the page allows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let url = url::Url::parse("https://news.example.com/2026/11/story.html").unwrap();
    let rules = feedmix::extract::SiteRules::default();
    let article = feedmix::extract::extract_article(&html, &url, &rules);
    // Text only shrinks when decoded (plus block separators, and a JSON-LD body may stand in
    // for it); HTML grows by absolute URLs and `rel` attributes. Quadratic blow-up fails.
    let len = html.len();
    assert!(
        article.text.len() <= 4 * len + 4096,
        "text {} from {len}",
        article.text.len()
    );
    assert!(
        article.html.len() <= 16 * len + 4096,
        "html {} from {len}",
        article.html.len()
    );
});
