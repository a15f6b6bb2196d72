//! Fuzzes `feedmix::sanitize::sanitize_html`: never panics, is idempotent, and lets nothing
//! executable through: no script-like element, no `on*` or `style` attribute, and every URL
//! attribute an absolute http(s) or mailto URL.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Elements that must never come out of the sanitizer.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
    "link", "form", "svg", "math", "template",
];

/// Attributes that hold one URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "xlink:href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
];

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let base = url::Url::parse("https://news.example.com/a/b.html").unwrap();
    let once = feedmix::sanitize::sanitize_html(&html, Some(&base));
    assert!(!once.to_ascii_lowercase().contains("<script"), "{once}");
    let tree = scraper::Html::parse_fragment(&once);
    for el in tree
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let el = el.value();
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&el.name()),
            "<{}> in {once}",
            el.name()
        );
        for (name, value) in el.attrs() {
            let name = name.to_ascii_lowercase();
            assert!(
                !name.starts_with("on") && name != "style",
                "{name} in {once}"
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                assert!(is_safe_url(value), "{name}={value:?} in {once}");
            }
            if name == "srcset" {
                // Candidates are `URL [descriptor]` separated by commas; URLs hold no spaces.
                for token in value.split_ascii_whitespace() {
                    let token = token.trim_matches(',');
                    let descriptor = token.ends_with(['w', 'x', 'h'])
                        && token[..token.len() - 1]
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '.');
                    assert!(
                        token.is_empty() || descriptor || is_safe_url(token),
                        "srcset {value:?} in {once}"
                    );
                }
            }
        }
    }
    let twice = feedmix::sanitize::sanitize_html(&once, Some(&base));
    assert_eq!(once, twice, "sanitize_html is not idempotent");
});

/// Absolute http(s) or mailto, as a browser reads it (whitespace and controls ignored).
fn is_safe_url(value: &str) -> bool {
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| squashed.starts_with(scheme))
}
