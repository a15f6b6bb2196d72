//! Fuzzes `feedmix::dedup::canonical_url`: never panics and is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(once) = feedmix::dedup::canonical_url(raw) {
        let twice = feedmix::dedup::canonical_url(&once);
        assert_eq!(
            twice.as_deref(),
            Some(once.as_str()),
            "not idempotent from {raw:?}"
        );
    }
});
