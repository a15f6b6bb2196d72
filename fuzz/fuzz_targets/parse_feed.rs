//! Fuzzes `feedmix::parse::parse_feed`: any bytes give a feed or an error, never a panic, and
//! the feed is no bigger than its document allows (no entity or link blow-up).
#![no_main]

use feedmix::model::{FeedItem, ParsedFeed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://news.example.com/feed.xml").unwrap();
    let Ok(feed) = feedmix::parse::parse_feed(data, &base) else {
        return;
    };
    // Every item takes at least a few bytes of markup (`{}` in JSON Feed).
    assert!(feed.items.len() <= data.len(), "{} items", feed.items.len());
    // Text only shrinks when decoded; links grow by the base URL and by percent-encoding
    // (3x). A text copied into two fields is fine; an entity expanded a thousandfold is not.
    let bound = 8 * data.len() + 1024;
    let size = feed_text_bytes(&feed);
    assert!(
        size <= bound,
        "{size} bytes of text from {} input bytes",
        data.len()
    );
});

fn feed_text_bytes(feed: &ParsedFeed) -> usize {
    let own = [&feed.title, &feed.site_link, &feed.language];
    own.iter().map(|s| opt_len(s)).sum::<usize>()
        + feed.items.iter().map(item_text_bytes).sum::<usize>()
}

fn item_text_bytes(item: &FeedItem) -> usize {
    let fields = [
        &item.guid,
        &item.link,
        &item.title,
        &item.summary_html,
        &item.content_html,
        &item.author,
        &item.image,
    ];
    fields.iter().map(|s| opt_len(s)).sum::<usize>()
        + item.categories.iter().map(String::len).sum::<usize>()
        + item
            .enclosures
            .iter()
            .map(|e| e.url.len() + opt_len(&e.mime_type))
            .sum::<usize>()
}

fn opt_len(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::len)
}
