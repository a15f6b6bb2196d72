//! Fuzzes `feedmix::extract::extract_article` on arbitrary (lossily decoded) HTML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let url = url::Url::parse("https://news.example.com/2026/11/story.html").unwrap();
    let _ = feedmix::extract::extract_article(&html, &url, &feedmix::extract::SiteRules::default());
});
