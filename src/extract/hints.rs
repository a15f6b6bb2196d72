//! What tags and class/id words say about a node: content, boilerplate or neither.
//! Word lists follow Mozilla Readability's, plus trafilatura-style boilerplate names.

use super::dom::{attrs_of, Dom};

/// Class/id words of blocks that are almost never article text.
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    "newsletter",
    "subscribe",
    "promo",
    "share",
    "recirc",
    "most-popular",
    "mostpopular",
    "trending",
];
/// Class/id words that rescue a block from [`UNLIKELY`].
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow",
];
/// Class/id words of article containers.
const POSITIVE: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "pagination",
    "post",
    "text",
    "blog",
    "story",
];
/// Class/id words of boilerplate containers.
const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footer",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "newsletter",
    "byline",
    "author",
    "caption",
    "taboola",
    "recommend",
];
/// Tags whose content is never article text.
const NEVER_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button", "input",
    "select", "textarea", "nav", "object", "embed", "head", "link", "meta", "dialog", "aside",
    "footer", "menu", "audio", "video", "map", "math",
];
/// Tags that start a new block of text.
pub(crate) const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
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
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "img",
    "picture",
];

fn contains_any(hay: &str, words: &[&str]) -> bool {
    !hay.is_empty() && words.iter().any(|w| hay.contains(w))
}

/// Whether `tag` starts a block of text.
pub(crate) fn is_block(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

/// Whether element `i` is never article text: scripts, forms controls, navigation, hidden nodes.
pub(crate) fn is_never_content(dom: &Dom, i: usize) -> bool {
    let Some(e) = dom.element(i) else {
        return false;
    };
    if NEVER_CONTENT.contains(&e.name()) {
        return true;
    }
    let [hidden, aria_hidden, style, role] =
        attrs_of(e, ["hidden", "aria-hidden", "style", "role"]);
    if hidden.is_some() {
        return true;
    }
    if aria_hidden.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return !matches!(e.name(), "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    }
    if let Some(style) = style {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    matches!(
        role,
        Some(
            "navigation"
                | "menu"
                | "menubar"
                | "complementary"
                | "alert"
                | "alertdialog"
                | "dialog"
        )
    )
}

/// Whether element `i` looks like boilerplate by its class and id (Readability's "unlikely").
pub(crate) fn is_unlikely(dom: &Dom, i: usize) -> bool {
    let tag = dom.tag(i);
    if matches!(
        tag,
        "body" | "a" | "html" | "article" | "main" | "p" | "table" | "tbody" | "tr" | "td"
    ) {
        return false;
    }
    let node = &dom.nodes[i];
    let both = format!("{} {}", node.class, node.id);
    contains_any(&both, UNLIKELY) && !contains_any(&both, MAYBE) && !dom.has_ancestor(i, "table")
}

/// Readability's class weight: +25/-25 for each of class and id that names content/boilerplate.
pub(crate) fn class_weight(dom: &Dom, i: usize) -> i32 {
    let node = &dom.nodes[i];
    let mut weight = 0;
    for hint in [&node.class, &node.id] {
        if contains_any(hint, NEGATIVE) {
            weight -= 25;
        }
        if contains_any(hint, POSITIVE) {
            weight += 25;
        }
    }
    weight
}

/// Whether class or id names a share/social bar.
pub(crate) fn is_share_bar(dom: &Dom, i: usize) -> bool {
    let node = &dom.nodes[i];
    ["share", "sharedaddy", "social"]
        .iter()
        .any(|w| node.class.contains(w) || node.id.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn weights_and_unlikely_follow_class_words() {
        let cases = [
            (r#"<div class="article-body">x</div>"#, 25, false),
            (r#"<div class="sidebar">x</div>"#, -25, true),
            (r#"<div id="comments" class="main">x</div>"#, 0, false),
            (r#"<div class="related-links">x</div>"#, -25, true),
        ];
        for (page, weight, unlikely) in cases {
            let html = Html::parse_document(page);
            let dom = Dom::build(&html);
            let div = dom.find_tag("div").unwrap();
            assert_eq!(class_weight(&dom, div), weight, "{page}");
            assert_eq!(is_unlikely(&dom, div), unlikely, "{page}");
        }
    }

    #[test]
    fn hidden_nodes_are_never_content() {
        let html = Html::parse_document(r#"<div style="display: none">x</div><p hidden>y</p>"#);
        let dom = Dom::build(&html);
        assert!(is_never_content(&dom, dom.find_tag("div").unwrap()));
        assert!(is_never_content(&dom, dom.find_tag("p").unwrap()));
    }
}
