//! Text hygiene shared by the renderers: dropping characters XML 1.0 forbids and escaping
//! text for XML/HTML. Pure string functions.

/// Whether `c` may appear in a feed: legal in XML 1.0 and not a C0/C1 control character
/// (tab, newline and carriage return are kept).
fn is_allowed(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => false,
        '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// Removes control characters and characters XML 1.0 forbids; borrows-free copy only when
/// something had to go.
pub(crate) fn strip_controls(text: &str) -> String {
    if text.chars().all(is_allowed) {
        text.to_string()
    } else {
        text.chars().filter(|&c| is_allowed(c)).collect()
    }
}

/// Escapes `text` for XML or HTML character data and attribute values (both quote kinds),
/// after stripping forbidden characters. Newlines and tabs in attributes survive as
/// character references so parsers do not normalise them to spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars().filter(|&c| is_allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `url` is an absolute http(s) URL that is safe to emit as a link.
pub(crate) fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_forbidden_characters_only() {
        let table = [
            ("plain", "plain"),
            ("a\u{0}b\u{1b}c\u{8}", "abc"),
            ("tab\tnl\ncr\r", "tab\tnl\ncr\r"),
            ("c1\u{85}del\u{7f}", "c1del"),
            ("nonchar\u{fffe}\u{ffff}", "nonchar"),
            ("L\u{2019}Orient — بيروت 🇱🇧", "L\u{2019}Orient — بيروت 🇱🇧"),
        ];
        for (input, want) in table {
            assert_eq!(strip_controls(input), want, "{input:?}");
        }
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn web_urls_are_absolute_http() {
        assert!(is_web_url("https://example.com/a?b=c"));
        assert!(is_web_url("http://127.0.0.1:8080/x"));
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "mailto:a@b.c",
            "",
            "data:text/html,x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
