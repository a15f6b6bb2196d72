//! Bytes to text: BOM, then the HTTP `Content-Type` charset, then `<meta charset>` /
//! `http-equiv`, then chardetng's guess; decoded with encoding_rs.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// How far into the page to look for a `<meta>` charset declaration.
const PRESCAN_BYTES: usize = 4096;

/// Decodes an HTML page, sniffing its charset the way browsers do. A UTF-8 page without a
/// byte order mark is borrowed, not copied.
pub fn decode_html<'b>(bytes: &'b [u8], content_type: Option<&str>) -> Cow<'b, str> {
    let encoding = sniff_encoding(bytes, content_type);
    let (text, _, _) = encoding.decode(bytes);
    text
}

/// Picks the encoding of `bytes`.
pub(crate) fn sniff_encoding(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(label_encoding)
    {
        return enc;
    }
    if let Some(enc) = meta_charset(&bytes[..bytes.len().min(PRESCAN_BYTES)]) {
        return enc;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

fn label_encoding(label: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label.trim().trim_matches(['"', '\'']).as_bytes())?;
    // A page that says UTF-16 in ASCII is not UTF-16; x-user-defined means Latin-1 here.
    Some(match enc {
        e if e == UTF_16LE || e == UTF_16BE => UTF_8,
        e if e.name() == "x-user-defined" => WINDOWS_1252,
        e => e,
    })
}

/// The `charset=` parameter of a `Content-Type` value.
fn charset_param(value: &str) -> Option<&str> {
    let lower = value.to_ascii_lowercase();
    let pos = lower.find("charset=")?;
    let rest = &value[pos + "charset=".len()..];
    let end = rest
        .find([';', ' ', '"', '\'', '>', '/'])
        .filter(|&e| e > 0)
        .unwrap_or(rest.len());
    Some(rest[..end].trim_matches(['"', '\'']))
}

/// The charset named by a `<meta charset>` or `<meta http-equiv content>` in `head`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let text: String = head
        .iter()
        .map(|&b| {
            if b.is_ascii() {
                b.to_ascii_lowercase() as char
            } else {
                ' '
            }
        })
        .collect();
    let mut from = 0;
    while let Some(pos) = text[from..].find("<meta") {
        let start = from + pos;
        let end = text[start..].find('>').map_or(text.len(), |e| start + e);
        let tag = &text[start..end];
        if let Some(c) = tag.find("charset") {
            let after = tag[c + "charset".len()..].trim_start();
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start().trim_start_matches(['"', '\'']);
                let stop = value
                    .find(['"', '\'', ';', ' ', '/', '>'])
                    .unwrap_or(value.len());
                if let Some(enc) = label_encoding(&value[..stop]) {
                    return Some(enc);
                }
            }
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_sources_in_order() {
        let cases: [(&[u8], Option<&str>, &str); 6] = [
            (
                b"\xEF\xBB\xBF<meta charset=latin1>caf\xC3\xA9",
                None,
                "UTF-8",
            ),
            (
                b"<p>caf\xE9</p>",
                Some("text/html; charset=ISO-8859-1"),
                "windows-1252",
            ),
            (b"<meta charset=\"windows-1256\"><p>x", None, "windows-1256"),
            (
                b"<meta http-equiv=Content-Type content='text/html; charset=koi8-r'>",
                None,
                "KOI8-R",
            ),
            (b"<meta charset=utf-16>", None, "UTF-8"),
            ("<p>déjà vu</p>".as_bytes(), None, "UTF-8"),
        ];
        for (bytes, ct, want) in cases {
            assert_eq!(
                sniff_encoding(bytes, ct).name(),
                want,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn french_windows_1252_page_decodes() {
        let page = include_bytes!("../../fixtures/extract/french-windows-1252.html");
        let text = decode_html(page, None);
        assert!(
            text.contains("Les élèves ont célébré la fête à l’école"),
            "{text}"
        );
    }

    #[test]
    fn arabic_windows_1256_page_decodes() {
        let page = include_bytes!("../../fixtures/extract/arabic-windows-1256.html");
        let text = decode_html(page, None);
        assert!(text.contains("اللغة العربية"), "{text}");
    }

    #[test]
    fn undeclared_arabic_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(
            "<p>اللغة العربية هي لغة جميلة ويتحدث بها الملايين من الناس في العالم العربي.</p>",
        );
        assert!(decode_html(&bytes, None).contains("اللغة العربية"));
    }
}
