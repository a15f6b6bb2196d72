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
    // Every page goes through here whole, so the scans for `<` and `>` use memchr (a byte
    // at a time they were over 1 % of an ingest's instructions).
    while let Some(pos) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + pos;
        at = start + 1;
        match bytes.get(at) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let end = bytes[at..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .map_or(bytes.len(), |e| at + e);
                let name = &bytes[at..end];
                // Self-closing: the last byte before the tag's `>` (or the input's end) is `/`.
                let close = memchr::memchr(b'>', &bytes[end..]).map_or(bytes.len(), |e| end + e);
                let self_closing = close > end && bytes[close - 1] == b'/';
                if !is_unclosed(name) && !self_closing {
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

/// Whether `name` (ASCII letters and digits) is one of [`UNCLOSED_TAGS`], in any case. Every
/// tag of every page is looked up, so the name is lower-cased once into a small buffer and
/// compared as bytes (a length mismatch ends a comparison at once), not case-folded against
/// each entry in turn.
fn is_unclosed(name: &[u8]) -> bool {
    let mut buf = [0u8; 8];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return false;
    };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    UNCLOSED_TAGS.iter().any(|t| t.as_bytes() == &*lower)
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

    #[test]
    fn every_unclosed_tag_fits_the_lookup_buffer_and_is_found_in_any_case() {
        for tag in UNCLOSED_TAGS {
            assert!(is_unclosed(tag.as_bytes()) && is_unclosed(tag.to_uppercase().as_bytes()));
        }
        assert!(!is_unclosed(b"div") && !is_unclosed(b"linkage") && !is_unclosed(b""));
        assert!(!is_unclosed(b"sourcesource"));
    }

    /// The definition before memchr: a byte at a time.
    fn reference(html: &str) -> &str {
        let html = &html[..floor_boundary(html, MAX_INPUT_BYTES)];
        let bytes = html.as_bytes();
        let mut depth = 0usize;
        let mut at = 0;
        while let Some(pos) = bytes[at..].iter().position(|&b| b == b'<') {
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

    #[test]
    fn the_cut_is_where_the_byte_at_a_time_scan_put_it() {
        let unit = [
            "<div>",
            "<DIV class=x>",
            "<br>",
            "<BR/>",
            "<x/>",
            "<span />",
            "</div>",
            "<p>",
            "<LI>",
            "<td >",
            "<a href='/'>",
            "<!-- c -->",
            "<!doctype html>",
            "< b>",
            "<9>",
            "text ",
            "é",
            "<div",
            "/>",
            ">",
        ];
        // Deterministic mixes of the units, some deep enough to be cut.
        let mut state = 7u64;
        let mut cut = 0;
        for len in [0, 1, 2, 10, 100, 3_000, 9_000] {
            for _ in 0..20 {
                let mut html = String::new();
                for _ in 0..len {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Mostly opening divs, so that some inputs pass the nesting bound.
                    let pick = (state >> 33) as usize % (unit.len() * 2);
                    html.push_str(unit.get(pick).copied().unwrap_or("<div>"));
                }
                assert_eq!(
                    capped_input(&html),
                    reference(&html),
                    "{} bytes",
                    html.len()
                );
                cut += usize::from(capped_input(&html).len() < html.len());
            }
        }
        assert!(cut >= 10, "only {cut} inputs were cut");
        for html in super::super::tests::fixture_article_pages() {
            assert_eq!(capped_input(html), reference(html));
        }
    }
}
