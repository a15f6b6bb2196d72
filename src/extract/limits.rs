//! Work caps applied before parsing: input size, and element nesting (html5ever's tree
//! builder slows down quadratically on pathological depth, so such input is cut short).

/// Input beyond this many bytes is ignored: bounds the work on huge pages.
pub const MAX_INPUT_BYTES: usize = 6 * 1024 * 1024;
/// Input is cut where its (approximate) element nesting passes this depth.
pub const MAX_NESTING: usize = 2000;

/// Tags that usually have no end tag: they do not deepen the nesting count.
const UNCLOSED_TAGS: &[&str] = &[
    "area", "base", "br", "col", "dd", "dt", "embed", "hr", "img", "input", "li", "link", "meta",
    "option", "p", "param", "source", "td", "th", "tr", "track", "wbr", "!doctype",
];

/// The prefix of `html` that is worth parsing: at most [`MAX_INPUT_BYTES`], and ending before
/// nesting passes [`MAX_NESTING`].
pub(crate) fn capped_input(html: &str) -> &str {
    let html = &html[..floor_boundary(html, MAX_INPUT_BYTES)];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(pos) = memchr_lt(&bytes[at..]) {
        let start = at + pos;
        at = start + 1;
        match bytes.get(at) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let end = bytes[at..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .map_or(bytes.len(), |e| at + e);
                let name = &html[at..end];
                let self_closing =
                    bytes[end..].iter().take_while(|&&c| c != b'>').last() == Some(&b'/');
                let unclosed = UNCLOSED_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name));
                if !unclosed && !self_closing {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return &html[..start];
                    }
                }
            }
            _ => {}
        }
    }
    html
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// Largest char boundary of `s` at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_cut_and_normal_pages_are_not() {
        let deep = "<div>".repeat(MAX_NESTING * 3);
        assert!(capped_input(&deep).len() <= MAX_NESTING * 5);
        let normal = "<div><p>a<br><img src=x><p>b</div>".repeat(5000);
        assert_eq!(capped_input(&normal), normal);
        assert_eq!(capped_input("é<"), "é<");
    }
}
