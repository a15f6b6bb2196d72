//! Fuzzes `feedmix::sanitize::sanitize_html`: never panics, is idempotent, and lets no
//! script element through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let base = url::Url::parse("https://news.example.com/a/b.html").unwrap();
    let once = feedmix::sanitize::sanitize_html(&html, Some(&base));
    assert!(!once.to_ascii_lowercase().contains("<script"), "{once}");
    let twice = feedmix::sanitize::sanitize_html(&once, Some(&base));
    assert_eq!(once, twice, "sanitize_html is not idempotent");
});
