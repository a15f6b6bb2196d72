//! Which URL an `<img>` really shows: lazy-loading attributes (`data-src`, `srcset`, ...)
//! and `<picture>` sources, placeholders skipped.

use super::dom::Dom;

/// Attributes lazy loaders keep the real image URL in, most specific first.
const LAZY_ATTRS: &[&str] = &[
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-hi-res-src",
    "data-full-src",
    "data-url",
    "data-lazy",
];
/// Attributes holding a `srcset` list.
const SRCSET_ATTRS: &[&str] = &["srcset", "data-srcset", "data-lazy-srcset"];

fn is_placeholder(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.is_empty()
        || u.starts_with("data:")
        || u.contains("placeholder")
        || u.contains("blank.")
        || u.contains("spacer.")
        || u.contains("pixel.")
}

/// The widest candidate of a `srcset` list (`url 800w, url2 2x`).
pub(crate) fn largest_in_srcset(srcset: &str) -> Option<&str> {
    srcset
        .split(',')
        .filter_map(|part| {
            let mut it = part.split_whitespace();
            let url = it.next()?;
            let size = it
                .next()
                .and_then(|d| d.trim_end_matches(['w', 'x']).parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((url, size))
        })
        .filter(|(url, _)| !is_placeholder(url))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(url, _)| url)
}

/// The URL image element `i` displays once loaded, if any.
pub(crate) fn image_source<'a>(dom: &Dom<'a>, i: usize) -> Option<&'a str> {
    let lazy = LAZY_ATTRS
        .iter()
        .filter_map(|a| dom.attr(i, a))
        .find(|u| !is_placeholder(u));
    let srcset = || {
        SRCSET_ATTRS
            .iter()
            .filter_map(|a| dom.attr(i, a))
            .find_map(largest_in_srcset)
    };
    let src = || dom.attr(i, "src").filter(|u| !is_placeholder(u));
    let picture = || {
        let p = dom.parent(i).filter(|&p| dom.tag(p) == "picture")?;
        dom.children(p)
            .filter(|&c| dom.tag(c) == "source")
            .find_map(|c| {
                SRCSET_ATTRS
                    .iter()
                    .filter_map(|a| dom.attr(c, a))
                    .find_map(largest_in_srcset)
            })
    };
    lazy.or_else(srcset)
        .or_else(src)
        .or_else(picture)
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn lazy_sources_win_over_placeholders() {
        let cases = [
            (
                r#"<img src="data:image/gif;base64,R0l" data-src="/real.jpg">"#,
                Some("/real.jpg"),
            ),
            (
                r#"<img src="a.jpg" srcset="s.jpg 300w, l.jpg 1200w">"#,
                Some("l.jpg"),
            ),
            (r#"<img src="plain.png">"#, Some("plain.png")),
            (
                r#"<picture><source srcset="p.webp 2x"><img></picture>"#,
                Some("p.webp"),
            ),
            (r#"<img src="data:image/png;base64,AA">"#, None),
        ];
        for (page, want) in cases {
            let html = Html::parse_document(page);
            let dom = Dom::build(&html);
            let img = dom.find_tag("img").unwrap();
            assert_eq!(image_source(&dom, img), want, "{page}");
        }
    }
}
