//! Fuzzes `feedmix::dedup::canonical_url`: never panics, is idempotent, and its output is
//! an https URL the url crate reads back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Some(once) = feedmix::dedup::canonical_url(raw) else {
        return;
    };
    assert!(once.starts_with("https://"), "{once} from {raw:?}");
    let reread = url::Url::parse(&once).expect("canonical URL parses");
    assert_eq!(reread.as_str(), once, "re-normalized from {raw:?}");
    let twice = feedmix::dedup::canonical_url(&once);
    assert_eq!(
        twice.as_deref(),
        Some(once.as_str()),
        "not idempotent from {raw:?}"
    );
});
