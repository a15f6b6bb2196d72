//! Fuzzes `feedmix::parse::parse_feed`: any bytes give a feed or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://news.example.com/feed.xml").unwrap();
    let _ = feedmix::parse::parse_feed(data, &base);
});
