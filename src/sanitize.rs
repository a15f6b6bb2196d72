//! Untrusted HTML in, safe HTML out: the only user of ammonia. Pure, no I/O.
//!
//! Everything feedmix republishes (feed content, extracted article bodies) passes through
//! [`sanitize_html`] so that no script, event handler, dangerous URL scheme, frame, plugin
//! or style reaches a reader's feed reader or browser.

use std::cell::RefCell;
use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};

/// Tags kept in republished article HTML: text structure, lists, quotes, tables, media.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "small",
    "source",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
];

/// Makes `html` safe to republish: only allowed tags and attributes, only http(s)/mailto URLs,
/// relative URLs made absolute against `base` (dropped when there is no base).
pub fn sanitize_html(html: &str, base: Option<&url::Url>) -> String {
    FILTER_BASE.set(base.cloned());
    SANITIZER.with_borrow_mut(|builder| {
        builder.url_relative(match base {
            Some(base) => UrlRelative::RewriteWithBase(base.clone()),
            None => UrlRelative::Deny,
        });
        let mut clean = builder.clean(html).to_string();
        // ammonia can serialize a tree that an HTML parser nests differently (`<p><table>`:
        // the table closes the paragraph), so a second pass would change it. Clean until the
        // output parses back to itself, so stored HTML is stable when sanitized again
        // downstream. An output equal to its input is such a fixed point already (cleaning
        // is deterministic): HTML that was clean before, as the extractor's often is, is
        // parsed once instead of twice.
        if clean != html {
            for _ in 0..3 {
                let again = builder.clean(&clean).to_string();
                if again == clean {
                    break;
                }
                clean = again;
            }
        }
        clean.trim().to_string()
    })
}

thread_local! {
    /// The sanitizer, built once per thread: building one (ammonia's default sets, then
    /// ours) cost a third of a call. Only the base URL changes between calls.
    static SANITIZER: RefCell<Builder<'static>> = RefCell::new(sanitizer());
    /// The base URL of the call in progress, for the attribute filter.
    static FILTER_BASE: RefCell<Option<url::Url>> = const { RefCell::new(None) };
}

/// The sanitizer's fixed rules; the base URL is set per call.
fn sanitizer() -> Builder<'static> {
    let tags: HashSet<&str> = ALLOWED_TAGS.iter().copied().collect();
    let mut builder = Builder::default();
    builder
        .tags(tags)
        .add_tag_attributes("a", &["href", "title"])
        .add_tag_attributes("img", &["src", "alt", "title", "width", "height"])
        .add_tag_attributes("source", &["srcset", "type", "media"])
        .add_tag_attributes("time", &["datetime"])
        .add_tag_attributes("td", &["colspan", "rowspan"])
        .add_tag_attributes("th", &["colspan", "rowspan", "scope"])
        .add_generic_attributes(&["lang", "dir"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    // ammonia passes `srcset` through untouched (`javascript:` candidates survived, relative
    // ones stayed relative), and keeps an allowed absolute URL as written: `http:c` means
    // `http://c/` here but a relative path on an http page, so readers disagree. Every URL
    // is written out absolute and normalized; ammonia still drops disallowed schemes.
    builder.attribute_filter(|_, attribute, value| {
        FILTER_BASE.with_borrow(|base| match attribute {
            "srcset" => clean_srcset(value, base.as_ref()).map(Into::into),
            "href" | "src" => Some(
                absolute_http_url(value, base.as_ref()).map_or_else(|| value.into(), Into::into),
            ),
            _ => Some(value.into()),
        })
    });
    builder
}

/// Keeps the candidates of a `srcset` whose URL is http(s) once made absolute against
/// `base` (relative ones are dropped without a base), with valid width or density
/// descriptors only; `None` when no candidate is left. Candidates are parsed the way the
/// HTML standard reads them, and written so that they read back the same.
fn clean_srcset(value: &str, base: Option<&url::Url>) -> Option<String> {
    let mut kept: Vec<String> = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (raw_url, after) = rest.split_at(end);
        rest = after;
        // A URL ending in commas has no descriptors; else they run to the next comma.
        let (raw_url, descriptors) = if raw_url.ends_with(',') {
            (raw_url.trim_end_matches(','), "")
        } else {
            let cut = descriptors_end(rest);
            let descriptors = &rest[..cut];
            rest = &rest[cut..];
            (raw_url, descriptors)
        };
        // A URL ending in a comma would read back as a different candidate.
        let Some(url) = absolute_http_url(raw_url, base).filter(|u| !u.ends_with(',')) else {
            continue;
        };
        let descriptors: Vec<&str> = descriptors
            .split_ascii_whitespace()
            .filter(|d| is_srcset_descriptor(d))
            .collect();
        if descriptors.is_empty() {
            kept.push(url);
        } else {
            kept.push(format!("{url} {}", descriptors.join(" ")));
        }
    }
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// Where the descriptors of a srcset candidate end: the first comma outside parentheses.
fn descriptors_end(rest: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return i,
            _ => {}
        }
    }
    rest.len()
}

/// `raw` made absolute against `base` the way a browser on the source page reads it, if
/// that gives an http(s) URL.
fn absolute_http_url(raw: &str, base: Option<&url::Url>) -> Option<String> {
    let url = match base {
        Some(base) => base.join(raw),
        None => url::Url::parse(raw),
    }
    .ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

/// A width (`640w`), density (`1.5x`) or height (`480h`) descriptor.
fn is_srcset_descriptor(descriptor: &str) -> bool {
    let Some(number) = descriptor
        .strip_suffix(['w', 'x', 'h'])
        .filter(|n| !n.is_empty())
    else {
        return false;
    };
    number.chars().all(|c| c.is_ascii_digit() || c == '.') && number.parse::<f64>().is_ok()
}

/// Strips every tag, returning the text content with entities decoded and whitespace
/// collapsed: for titles and summaries that must be plain text. The source of scripts and
/// style sheets is not text and is dropped.
pub fn html_to_plain(html: &str) -> String {
    if is_plain_text(html) {
        return collapse_whitespace(html);
    }
    parsed_to_plain(html)
}

/// True when parsing `html` as a fragment gives one text node equal to it, up to
/// whitespace: no tag, entity or NUL (the only characters the tokenizer's data state treats
/// specially, with carriage returns, which become line feeds), and no leading byte order
/// mark (which the tokenizer drops). Headlines, author names, categories and many summaries
/// are such text, and then need no parse.
fn is_plain_text(html: &str) -> bool {
    !html.starts_with('\u{feff}') && !html.bytes().any(|b| matches!(b, b'<' | b'&' | b'\0'))
}

/// [`html_to_plain`] through the parser.
fn parsed_to_plain(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len());
    for node in fragment.root_element().descendants() {
        let Some(piece) = node.value().as_text() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "script" | "style"))
        });
        if !hidden {
            out.push_str(piece);
            out.push(' ');
        }
    }
    collapse_whitespace(&out)
}

/// Block-level tags: each starts a new paragraph in plain text.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

/// HTML to plain text with structure: each block (paragraph, heading, list item...) becomes
/// one paragraph, paragraphs separated by a blank line, whitespace collapsed inside them,
/// soft hyphens removed.
pub fn html_to_text(html: &str) -> String {
    if is_plain_text(html) {
        // One text node: one paragraph.
        return collapse_whitespace(&html.replace('\u{ad}', ""));
    }
    parsed_to_text(html)
}

/// [`html_to_text`] through the parser.
fn parsed_to_text(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for edge in fragment.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                scraper::Node::Text(t) => current.push_str(t),
                scraper::Node::Element(e) if e.name() == "br" => current.push(' '),
                scraper::Node::Element(e) if BLOCK_TAGS.contains(&e.name()) => {
                    flush_paragraph(&mut current, &mut paragraphs)
                }
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let scraper::Node::Element(e) = node.value() {
                    if BLOCK_TAGS.contains(&e.name()) {
                        flush_paragraph(&mut current, &mut paragraphs);
                    }
                }
            }
        }
    }
    flush_paragraph(&mut current, &mut paragraphs);
    paragraphs.join("\n\n")
}

fn flush_paragraph(current: &mut String, paragraphs: &mut Vec<String>) {
    let text = collapse_whitespace(&current.replace('\u{ad}', ""));
    if !text.is_empty() {
        paragraphs.push(text);
    }
    current.clear();
}

/// Collapses runs of whitespace to one space and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    if is_collapsed(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `text` is already collapsed: ASCII, no whitespace at either end, and no
/// whitespace but single spaces. Most paragraphs and titles are, and are then copied whole
/// instead of word by word.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Other whitespace, at the ends too, is refused in the loop.
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') || !text.is_ascii() {
        return false;
    }
    let mut space = false;
    for &b in bytes {
        match b {
            b' ' if space => return false,
            b' ' => space = true,
            b'\t'..=b'\r' => return false,
            _ => space = false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_scripts_handlers_and_bad_schemes() {
        let base = url::Url::parse("https://example.com/a/").unwrap();
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script>
            <a href="javascript:alert(1)">j</a><a href="/rel">r</a>
            <iframe src="https://evil"></iframe><img src="img.png" onerror="x"></p>"#;
        let clean = sanitize_html(dirty, Some(&base));
        for bad in ["script", "onclick", "javascript:", "iframe", "onerror"] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(
            clean.contains(r#"href="https://example.com/rel""#),
            "{clean}"
        );
        assert!(
            clean.contains(r#"src="https://example.com/a/img.png""#),
            "{clean}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 2000, ..Default::default() })]
        /// Text already collapsed is returned as it is; anything else goes word by word, and
        /// both give what joining the whitespace-split words gives.
        #[test]
        fn collapsing_matches_joining_the_words(
            text in "[a-z ,\t\n\r\u{0b}\u{0c}\u{85}\u{a0}\u{2028}\u{3000}é]{0,24}"
        ) {
            let words: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(collapse_whitespace(&text), words.join(" "));
        }

        /// The shortcut for text without markup gives what the parser gives, for text with
        /// every kind of whitespace, carriage returns, soft hyphens, byte order marks,
        /// controls and non-ASCII letters (and markup, which must take the parser).
        #[test]
        fn plain_text_shortcut_matches_the_parser(
            text in "[a-z \t\n\r\u{0b}\u{0c}\u{a0}\u{ad}\u{feff}\u{2028}\u{3000}\u{1}\u{7f}\u{fffd}éÉ<>&;#/\0]{0,24}"
        ) {
            proptest::prop_assert_eq!(html_to_plain(&text), parsed_to_plain(&text));
            proptest::prop_assert_eq!(html_to_text(&text), parsed_to_text(&text));
        }
    }

    #[test]
    fn plain_text_decodes_entities_and_drops_tags() {
        assert_eq!(
            html_to_plain("<b>L&#8217;Orient</b>   &amp; <i>co</i>"),
            "L\u{2019}Orient & co"
        );
    }

    #[test]
    fn plain_text_drops_script_and_style_source() {
        // Regression (issue 7, feedparser sanitize/entry_title_script): a title with an
        // escaped <script> came out as "safe location.href=...; description".
        assert_eq!(
            html_to_plain("safe<script>location.href='x';</script> <style>p{}</style>description"),
            "safe description"
        );
    }

    #[test]
    fn text_keeps_paragraphs() {
        let html = "<h2>Head</h2><p>One  <b>two</b></p>text<ul><li>a</li><li>b\u{ad}c</li></ul>";
        assert_eq!(html_to_text(html), "Head\n\nOne two\n\ntext\n\na\n\nbc");
    }

    #[test]
    fn sanitizing_is_idempotent_when_the_parser_renests() {
        // Regression (issue 7, found by tests/properties.rs): the first pass gave
        // `<p><table>...</table></p>`, the second `<p></p><table>...</table><p></p>`.
        let once = sanitize_html("<p><select><option><table><tr><td>", None);
        assert_eq!(sanitize_html(&once, None), once);
    }

    #[test]
    fn srcset_keeps_only_http_candidates_made_absolute() {
        // Regression (issue 7, found by fuzz/fuzz_targets/sanitize_html.rs): ammonia does not
        // treat `srcset` as a URL attribute, so `javascript:` candidates were republished and
        // relative image URLs stayed relative.
        let base = url::Url::parse("https://example.com/a/").unwrap();
        let cases: &[(&str, &str)] = &[
            (
                r#"<source srcset="a.jpg 1x, javascript:alert(1) 2x">"#,
                r#"<source srcset="https://example.com/a/a.jpg 1x">"#,
            ),
            (
                r#"<source srcset=" /s.jpg 320w,/l.jpg  1024w,,vbscript:x ">"#,
                r#"<source srcset="https://example.com/s.jpg 320w, https://example.com/l.jpg 1024w">"#,
            ),
            (
                r#"<source srcset="data:image/png;base64,AAAA 1x">"#,
                "<source>",
            ),
            (
                r#"<source srcset="x.png, y.png 2x (bad), z.png,">"#,
                r#"<source srcset="https://example.com/a/x.png, https://example.com/a/y.png 2x, https://example.com/a/z.png">"#,
            ),
        ];
        for (dirty, want) in cases {
            let clean = sanitize_html(dirty, Some(&base));
            assert_eq!(clean, *want, "from {dirty}");
            assert_eq!(sanitize_html(&clean, Some(&base)), clean);
        }
        let no_base = sanitize_html(r#"<source srcset="rel.jpg, https://x.org/i.jpg 2x">"#, None);
        assert_eq!(no_base, r#"<source srcset="https://x.org/i.jpg 2x">"#);
    }

    #[test]
    fn urls_are_written_absolute_and_normalized() {
        // Regression (issue 7, found by fuzz/fuzz_targets/sanitize_html.rs, minimized to
        // `<img src=http:c>`): an allowed scheme without `//` was kept as written, which a
        // reader resolves as `http://c/` or as a relative path depending on its own page.
        let base = url::Url::parse("https://example.com/a/").unwrap();
        let cases: &[(&str, &str)] = &[
            (r#"<img src=http:c>"#, r#"<img src="http://c/">"#),
            (
                r#"<a href=" HTTPS://Example.COM/x y ">x</a>"#,
                r#"<a href="https://example.com/x%20y" rel="noopener noreferrer">x</a>"#,
            ),
            (
                r#"<a href="https:\\evil.example\p">x</a>"#,
                r#"<a href="https://evil.example/p" rel="noopener noreferrer">x</a>"#,
            ),
            (
                r#"<a href="mailto:a@example.com">m</a>"#,
                r#"<a href="mailto:a@example.com" rel="noopener noreferrer">m</a>"#,
            ),
            (
                r#"<a href="java&#9;script:alert(1)">j</a>"#,
                r#"<a rel="noopener noreferrer">j</a>"#,
            ),
        ];
        for (dirty, want) in cases {
            let clean = sanitize_html(dirty, Some(&base));
            assert_eq!(clean, *want, "from {dirty}");
            assert_eq!(sanitize_html(&clean, Some(&base)), clean);
        }
    }

    #[test]
    fn sanitizing_is_idempotent() {
        let base = url::Url::parse("https://example.com/").unwrap();
        let once = sanitize_html(r#"<div><p>a<b>b</p><img src=x.png>"#, Some(&base));
        assert_eq!(sanitize_html(&once, Some(&base)), once);
    }
}
