//! Canonical article URLs: the identity key shared by every variant of one page (tracking
//! parameters, http/https, default ports, fragments, AMP versions). Pure string work, no fetching.

use url::Url;

/// Query parameters that only track the reader and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "_ga",
    "_gl",
    "ocid",
    "ncid",
    "cmpid",
    "cmp",
    "smid",
    "smtyp",
    "sr_share",
    "s_cid",
    "spm",
    "ito",
    "ref_src",
    "ref_url",
    "taid",
    "mbid",
    "rss",
    "share",
    "__twitter_impression",
    "feature",
    "xtor",
];

/// Prefixes of query parameter names that only track the reader.
const TRACKING_PREFIXES: &[&str] = &[
    "utm_", "mc_", "ns_", "at_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "__hs", "_hs", "trk_",
];

/// Returns the identity key of an article URL: https scheme, lower-case host without `www.`
/// or `amp.`, no default port, no fragment, no tracking or AMP parameters (the rest sorted),
/// no AMP path marker, no trailing slash. `None` for anything that is not an http(s) URL.
///
/// The result is a key, not a link to show: http and https variants map to the same string.
pub fn canonical_url(raw: &str) -> Option<String> {
    let url = Url::parse(raw.trim()).ok()?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return None;
    }
    let host = site_host(url.host_str()?)?;
    let port = url.port().filter(|p| *p != 80 && *p != 443);
    let path = canonical_path(url.path());
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, v)| !is_tracking_param(k) && !is_amp_param(k, v))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    let mut out = format!("https://{host}");
    if let Some(port) = port {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(&path);
    if !params.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        out.push('?');
        out.push_str(&query);
    }
    Some(out)
}

/// Returns the identity key of an article, preferring the page's `rel=canonical` once fetched.
///
/// The page's canonical is trusted only on the same site (hosts equal once `www.`/`amp.`/`m.`
/// are dropped) and when it is not the site's home page: sites that point every page at the
/// home page, or syndicated copies that point at the original outlet, would otherwise merge
/// distinct articles.
pub fn preferred_canonical_url(link: &str, rel_canonical: Option<&str>) -> Option<String> {
    let own = canonical_url(link);
    let rel_key = |rel: &str| match &own {
        // Canonicalized once when the page names the feed's link as written.
        Some(key) if rel.trim() == link.trim() => Some(key.clone()),
        _ => canonical_url(rel),
    };
    let Some(rel) = rel_canonical.and_then(rel_key) else {
        return own;
    };
    let Some(own_key) = own else {
        return Some(rel);
    };
    if rel == own_key {
        // The usual case, the page naming the link the feed gave: the same key either way.
        return Some(own_key);
    }
    let same_site = site_of(&own_key) == site_of(&rel);
    let is_home = Url::parse(&rel).is_ok_and(|u| u.path() == "/" && u.query().is_none());
    if same_site && !is_home {
        Some(rel)
    } else {
        Some(own_key)
    }
}

/// The host of a canonical key with a mobile `m.` prefix dropped, for same-site checks.
fn site_of(key: &str) -> String {
    let host = Url::parse(key)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    host.strip_prefix("m.").map(str::to_owned).unwrap_or(host)
}

/// Lower-case host without a trailing dot and without `www.` / `amp.` prefixes, serialized
/// the way the url crate reads it back; `None` when what is left is not a valid host.
fn site_host(host: &str) -> Option<String> {
    let mut host = host.trim_end_matches('.').to_ascii_lowercase();
    while let Some(rest) = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("amp."))
        .filter(|rest| rest.contains('.'))
    {
        host = rest.to_owned();
    }
    // Trimming can change how the host parses: `0..` is a domain, `0` is the IPv4 address
    // `0.0.0.0`. Keep the parsed form, or the key would change when canonicalized again.
    url::Host::parse(&host).ok().map(|h| h.to_string())
}

/// Path without AMP markers (`/amp/` segment, trailing `/amp`, `.amp` suffix) or trailing slash.
fn canonical_path(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("amp"))
        .collect();
    let mut out = String::with_capacity(path.len());
    for (i, seg) in segments.iter().enumerate() {
        out.push('/');
        let last = i + 1 == segments.len();
        if last {
            out.push_str(&strip_amp_suffix(seg));
        } else {
            out.push_str(seg);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// `story.amp` -> `story`, `story.amp.html` -> `story.html`, repeated until no marker is left
/// (`story.amp.amp` -> `story`), so that the key is stable when canonicalized again. A marker
/// is kept when stripping it would leave an empty or dot segment (`..amp` would become `.`,
/// which a URL parser then removes) or a bare `amp` segment.
fn strip_amp_suffix(segment: &str) -> String {
    let mut segment = segment.to_owned();
    loop {
        let stripped = if let Some(stem) = segment.strip_suffix(".amp") {
            stem.to_owned()
        } else if let Some(pos) = segment.find(".amp.") {
            format!("{}{}", &segment[..pos], &segment[pos + 4..])
        } else {
            return segment;
        };
        if is_dot_segment(&stripped) || stripped.eq_ignore_ascii_case("amp") {
            return segment;
        }
        segment = stripped;
    }
}

/// Whether a URL parser reads `segment` as empty, `.` or `..` (`%2e` counts as a dot).
fn is_dot_segment(segment: &str) -> bool {
    let dots = segment.to_ascii_lowercase().replace("%2e", ".");
    matches!(dots.as_str(), "" | "." | "..")
}

fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&name.as_str())
        || TRACKING_PREFIXES.iter().any(|p| name.starts_with(p))
}

fn is_amp_param(name: &str, value: &str) -> bool {
    let value = value.to_ascii_lowercase();
    match name.to_ascii_lowercase().as_str() {
        "amp" => matches!(value.as_str(), "" | "1" | "true" | "yes"),
        "outputtype" | "output" => value == "amp",
        "amp_js_v" | "usqp" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_url_cases() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://example.com/a/b", Some("https://example.com/a/b")),
            ("http://example.com/a/b", Some("https://example.com/a/b")),
            ("HTTPS://Example.COM/a/B", Some("https://example.com/a/B")),
            ("https://www.example.com/a", Some("https://example.com/a")),
            ("http://example.com:80/a", Some("https://example.com/a")),
            ("https://example.com:443/a", Some("https://example.com/a")),
            (
                "https://example.com:8080/a",
                Some("https://example.com:8080/a"),
            ),
            (
                "https://example.com/a#comments",
                Some("https://example.com/a"),
            ),
            ("https://example.com/a/", Some("https://example.com/a")),
            ("https://example.com/", Some("https://example.com/")),
            ("https://example.com", Some("https://example.com/")),
            (
                "https://example.com/a?utm_source=rss&utm_medium=feed&id=7",
                Some("https://example.com/a?id=7"),
            ),
            (
                "https://example.com/a?fbclid=XyZ",
                Some("https://example.com/a"),
            ),
            (
                "https://example.com/a?gclid=1&mc_cid=2&mc_eid=3",
                Some("https://example.com/a"),
            ),
            (
                "https://example.com/a?b=2&a=1",
                Some("https://example.com/a?a=1&b=2"),
            ),
            (
                "https://example.com/news/amp/story-1",
                Some("https://example.com/news/story-1"),
            ),
            (
                "https://example.com/news/story-1/amp",
                Some("https://example.com/news/story-1"),
            ),
            (
                "https://example.com/news/story-1/amp/",
                Some("https://example.com/news/story-1"),
            ),
            (
                "https://example.com/story-1.amp",
                Some("https://example.com/story-1"),
            ),
            (
                "https://example.com/story-1.amp.html",
                Some("https://example.com/story-1.html"),
            ),
            (
                "https://example.com/story-1?amp=1",
                Some("https://example.com/story-1"),
            ),
            (
                "https://example.com/story-1?amp",
                Some("https://example.com/story-1"),
            ),
            (
                "https://example.com/story?outputType=amp",
                Some("https://example.com/story"),
            ),
            (
                "https://amp.example.com/story",
                Some("https://example.com/story"),
            ),
            (
                "https://example.com/s?id=4&amp=1&utm_campaign=x",
                Some("https://example.com/s?id=4"),
            ),
            (
                "https://example.com/sample",
                Some("https://example.com/sample"),
            ),
            (
                "https://example.com/champion",
                Some("https://example.com/champion"),
            ),
            (
                "https://example.com/a?amplitude=3",
                Some("https://example.com/a?amplitude=3"),
            ),
            ("ftp://example.com/a", None),
            ("not a url", None),
            ("mailto:x@example.com", None),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_url(raw).as_deref(), *want, "input {raw}");
        }
    }

    /// Hosts the url crate reads differently once their trailing dots are trimmed (`0..` is
    /// a domain, `0` the IPv4 address `0.0.0.0`) and AMP markers whose removal leaves another
    /// marker or a dot segment: the key must be a fixed point of `canonical_url`.
    #[test]
    fn canonical_url_is_a_fixed_point_for_renormalized_hosts_and_paths() {
        let cases: &[(&str, Option<&str>)] = &[
            ("http://0..", Some("https://0.0.0.0/")),
            ("http://1..", Some("https://0.0.0.1/")),
            ("http://0x7f.1../a", Some("https://127.0.0.1/a")),
            ("http://www.0..", None),
            ("https://example.com./a", Some("https://example.com/a")),
            ("https://x.com/a/s.amp.amp", Some("https://x.com/a/s")),
            (
                "https://x.com/a/s.amp.amp.html",
                Some("https://x.com/a/s.html"),
            ),
            ("https://x.com/a/.amp", Some("https://x.com/a/.amp")),
            ("https://x.com/a/..amp", Some("https://x.com/a/..amp")),
            ("https://x.com/a/...amp", Some("https://x.com/a/...amp")),
            ("https://x.com/a/%2e.amp", Some("https://x.com/a/%2e.amp")),
            ("https://x.com/a/amp.amp", Some("https://x.com/a/amp.amp")),
        ];
        for (raw, want) in cases {
            let once = canonical_url(raw);
            assert_eq!(once.as_deref(), *want, "input {raw}");
            if let Some(once) = once {
                assert_eq!(canonical_url(&once), Some(once.clone()), "from {raw}");
            }
        }
    }

    #[test]
    fn url_variants_share_one_key() {
        let variants = [
            "http://www.example.com/2024/05/story.html?utm_source=twitter#top",
            "https://example.com/2024/05/story.html",
            "https://example.com/2024/05/story.html?fbclid=abc",
            "https://example.com/2024/05/amp/story.html",
        ];
        let keys: Vec<_> = variants.iter().map(|v| canonical_url(v)).collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
    }

    #[test]
    fn preferred_canonical_cases() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            (
                "https://ex.com/a?p=1",
                Some("https://ex.com/a-story"),
                "https://ex.com/a-story",
            ),
            (
                "https://m.ex.com/a",
                Some("https://www.ex.com/a"),
                "https://ex.com/a",
            ),
            (
                "https://ex.com/a",
                Some("https://ex.com/"),
                "https://ex.com/a",
            ),
            (
                "https://ex.com/a",
                Some("https://wire.org/orig"),
                "https://ex.com/a",
            ),
            (
                "https://ex.com/a",
                Some("javascript:void(0)"),
                "https://ex.com/a",
            ),
            ("https://ex.com/a", None, "https://ex.com/a"),
        ];
        for (link, rel, want) in cases {
            let got = preferred_canonical_url(link, *rel);
            assert_eq!(got.as_deref(), Some(*want), "{link} / {rel:?}");
        }
    }
}
