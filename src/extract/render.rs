//! Turns the chosen subtrees into article HTML (before sanitizing) and plain text:
//! blocks separated by a blank line, whitespace collapsed, soft hyphens removed.

use super::dom::{attrs_of, Dom, Kind};
use super::hints::is_block;
use super::images::image_source;
use super::stats::Stats;

/// Tags written to the article HTML; others are unwrapped (their content kept).
const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
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
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
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
/// Attributes copied to the article HTML (the sanitizer has the last word).
const HTML_ATTRS: [&str; 8] = [
    "href", "title", "alt", "datetime", "colspan", "rowspan", "lang", "dir",
];

/// Article text and HTML built from the kept nodes.
#[derive(Default)]
pub(crate) struct Rendered {
    /// Plain text, blocks separated by a blank line.
    pub text: String,
    /// Unsanitized HTML.
    pub html: String,
}

struct Writer<'d, 'a> {
    dom: &'d Dom<'a>,
    stats: &'d Stats,
    blocks: Vec<String>,
    line: String,
    html: String,
    in_caption: usize,
    in_pre: usize,
}

/// Renders `roots` (in order), skipping removed nodes.
pub(crate) fn render(dom: &Dom, stats: &Stats, roots: &[usize]) -> Rendered {
    let mut w = Writer {
        dom,
        stats,
        blocks: Vec::new(),
        line: String::new(),
        html: String::new(),
        in_caption: 0,
        in_pre: 0,
    };
    for &r in roots {
        w.node(r);
        w.flush();
    }
    Rendered {
        text: w.blocks.join("\n\n"),
        html: w.html,
    }
}

impl Writer<'_, '_> {
    fn flush(&mut self) {
        let block = self
            .line
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if !block.is_empty() {
            self.blocks.push(block);
        }
        self.line.clear();
    }

    fn text(&mut self, t: &str) {
        escape_into(&mut self.html, t, false);
        if self.in_caption > 0 {
            return;
        }
        if self.in_pre > 0 {
            self.line.extend(t.chars().filter(|&c| c != '\u{ad}'));
            return;
        }
        let starts_ws = t.starts_with(char::is_whitespace);
        let ends_ws = t.ends_with(char::is_whitespace);
        let mut first = true;
        for word in t.split_whitespace() {
            if (!first || starts_ws) && !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                self.line.push(' ');
            }
            if word.contains(['\u{ad}', '\u{200b}']) {
                self.line
                    .extend(word.chars().filter(|&c| c != '\u{ad}' && c != '\u{200b}'));
            } else {
                self.line.push_str(word);
            }
            first = false;
        }
        if ends_ws && !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
            self.line.push(' ');
        }
    }

    fn node(&mut self, i: usize) {
        if self.stats.removed[i] {
            return;
        }
        match self.dom.nodes[i].kind {
            Kind::Text(t) => self.text(t),
            Kind::Element(_) => self.element(i),
            Kind::Other => {}
        }
    }

    fn element(&mut self, i: usize) {
        let tag = self.dom.tag(i);
        match tag {
            "img" => return self.image(i),
            "br" => {
                self.line.push('\n');
                self.html.push_str("<br>");
                return;
            }
            "hr" => {
                self.flush();
                self.html.push_str("<hr>");
                return;
            }
            "source" => return,
            _ => {}
        }
        let block = is_block(tag) || matches!(tag, "td" | "th");
        if block {
            self.flush();
        }
        let written = HTML_TAGS.contains(&tag);
        if written {
            self.open_tag(i, tag);
        }
        self.in_caption += usize::from(tag == "figcaption");
        self.in_pre += usize::from(tag == "pre");
        let kids: Vec<usize> = self.dom.children(i).collect();
        for c in kids {
            self.node(c);
        }
        self.in_caption -= usize::from(tag == "figcaption");
        self.in_pre -= usize::from(tag == "pre");
        if written {
            self.html.push_str("</");
            self.html.push_str(tag);
            self.html.push('>');
        }
        if block {
            self.flush();
        }
    }

    fn open_tag(&mut self, i: usize, tag: &str) {
        self.html.push('<');
        self.html.push_str(tag);
        // One pass over the element's attributes finds all eight.
        let values = self
            .dom
            .element(i)
            .map_or([None; HTML_ATTRS.len()], |e| attrs_of(e, HTML_ATTRS));
        for (name, v) in HTML_ATTRS.iter().zip(values) {
            if let Some(v) = v {
                self.html.push(' ');
                self.html.push_str(name);
                self.html.push_str("=\"");
                escape_into(&mut self.html, v, true);
                self.html.push('"');
            }
        }
        self.html.push('>');
    }

    fn image(&mut self, i: usize) {
        let Some(src) = image_source(self.dom, i) else {
            return;
        };
        self.html.push_str("<img src=\"");
        escape_into(&mut self.html, src, true);
        self.html.push('"');
        if let Some(alt) = self.dom.attr(i, "alt") {
            self.html.push_str(" alt=\"");
            escape_into(&mut self.html, alt, true);
            self.html.push('"');
        }
        self.html.push('>');
    }
}

/// Renders a plain-text body (JSON-LD `articleBody`): one paragraph per non-empty line.
pub(crate) fn render_plain(text: &str) -> Rendered {
    let paragraphs: Vec<String> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace('\u{ad}', "")
        })
        .filter(|l| !l.is_empty())
        .collect();
    let mut html = String::new();
    for p in &paragraphs {
        html.push_str("<p>");
        escape_into(&mut html, p, false);
        html.push_str("</p>");
    }
    Rendered {
        text: paragraphs.join("\n\n"),
        html,
    }
}

/// Writes `s` escaped for HTML text (or a double-quoted attribute), without soft hyphens.
/// Runs of other characters are copied whole: a page's text used to go through here a
/// character at a time. Every character handled is ASCII but the soft hyphen, whose UTF-8
/// form (C2 AD) starts with a lead byte, so each cut falls on a character boundary.
fn escape_into(out: &mut String, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    let (mut plain, mut at) = (0, 0);
    while at < bytes.len() {
        let (replacement, len) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attr => ("&quot;", 1),
            0xC2 if bytes.get(at + 1) == Some(&0xAD) => ("", 2),
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&s[plain..at]);
        out.push_str(replacement);
        at += len;
        plain = at;
    }
    out.push_str(&s[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn escaping_copies_runs_as_the_character_at_a_time_version_wrote_them() {
        fn reference(s: &str, attr: bool) -> String {
            let mut out = String::new();
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' if attr => out.push_str("&quot;"),
                    '\u{ad}' => {}
                    c => out.push(c),
                }
            }
            out
        }
        for s in [
            "",
            "plain",
            "a & b < c > d \"q\" 'e'",
            "soft\u{ad}hyphen\u{ad}",
            "\u{ad}\u{ad}&",
            "\u{a0}\u{c2}\u{2026} \u{e9} \u{ac} \u{c2}\u{ad}",
            "قال&lt;",
        ] {
            for attr in [false, true] {
                let mut out = String::from(">");
                escape_into(&mut out, s, attr);
                assert_eq!(out, format!(">{}", reference(s, attr)), "{s:?}");
            }
        }
    }

    #[test]
    fn blocks_are_separated_and_whitespace_collapsed() {
        let html = Html::parse_document(
            "<article><h2>Head</h2><p>One  \n two <b>bold</b> soft\u{ad}hyphen</p><ul><li>a</li><li>b</li></ul></article>",
        );
        let dom = Dom::build(&html);
        let stats = Stats::compute(&dom, vec![false; dom.len()]);
        let out = render(&dom, &stats, &[dom.find_tag("article").unwrap()]);
        assert_eq!(out.text, "Head\n\nOne two bold softhyphen\n\na\n\nb");
        assert!(out.html.starts_with("<h2>Head</h2><p>One"), "{}", out.html);
    }
}
