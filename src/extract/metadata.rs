//! Page metadata: title, byline, dates, lead image, language, canonical URL, robots
//! `noarchive`; from `<meta>`, `<link>`, JSON-LD, `<time>`, `<h1>` and `<title>`.

use rustc_hash::FxHashMap as HashMap;

use chrono::{DateTime, Utc};
use scraper::{Html, Selector};
use url::Url;

use super::dates::parse_date;
use super::jsonld::{read_linked_data, LinkedData};

/// Separators between an article title and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " / ", " » "];

/// Metadata read from the page head and structured data.
#[derive(Default, Debug)]
pub(crate) struct Metadata {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub image: Option<String>,
    pub lang: Option<String>,
    pub canonical_url: Option<String>,
    pub noarchive: bool,
    /// JSON-LD `articleBody`, a cue for the body extraction.
    pub ld_body: Option<String>,
    /// Base for relative URLs (`<base href>` or the page URL).
    pub base: Option<Url>,
}

fn selector(s: &str) -> Selector {
    Selector::parse(s).expect("built-in selector is valid")
}

/// `<meta>` contents keyed by lower-cased `property`/`name`/`itemprop`; first one wins.
fn meta_map(html: &Html) -> HashMap<String, String> {
    let mut map = HashMap::default();
    for m in html.select(&selector("meta[content]")) {
        let content = m.attr("content").unwrap_or("").trim();
        for key in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(k) = m.attr(key) {
                map.entry(k.trim().to_ascii_lowercase())
                    .or_insert_with(|| content.to_string());
            }
        }
    }
    map
}

fn first_of(meta: &HashMap<String, String>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| meta.get(*k))
        .find(|v| !v.is_empty())
        .cloned()
}

/// Reads every metadata field of `html`, URLs made absolute against `url`.
pub(crate) fn read_metadata(html: &Html, url: &Url) -> Metadata {
    let meta = meta_map(html);
    let ld_sel = selector(r#"script[type="application/ld+json"]"#);
    let scripts: Vec<String> = html.select(&ld_sel).map(|s| s.text().collect()).collect();
    let ld = read_linked_data(scripts.iter().map(String::as_str));
    let base = html
        .select(&selector("base[href]"))
        .next()
        .and_then(|b| url.join(b.attr("href")?).ok())
        .unwrap_or_else(|| url.clone());
    let absolute = |u: String| base.join(u.trim()).ok().map(String::from);
    Metadata {
        title: read_title(html, &meta, &ld),
        byline: read_byline(html, &meta, &ld),
        published: read_published(html, &meta, &ld),
        modified: read_modified(&meta, &ld),
        image: first_of(
            &meta,
            &[
                "og:image",
                "og:image:url",
                "og:image:secure_url",
                "twitter:image",
                "twitter:image:src",
            ],
        )
        .or_else(|| ld.image.clone())
        .and_then(absolute),
        lang: read_lang(html, &meta),
        canonical_url: html
            .select(&selector(r#"link[rel~="canonical"][href]"#))
            .next()
            .and_then(|l| l.attr("href").map(String::from))
            .or_else(|| first_of(&meta, &["og:url"]))
            .and_then(absolute),
        noarchive: meta.get("robots").is_some_and(|r| {
            r.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("noarchive"))
        }),
        ld_body: ld.body,
        base: Some(base),
    }
}

/// `<meta>` names and properties of the publication time, most specific first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
    "parsely-pub-date",
];
/// `<meta>` names and properties of the modification time.
const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
];

fn read_published(
    html: &Html,
    meta: &HashMap<String, String>,
    ld: &LinkedData,
) -> Option<DateTime<Utc>> {
    ld.published
        .as_deref()
        .and_then(parse_date)
        .or_else(|| {
            first_of(meta, PUBLISHED_KEYS)
                .as_deref()
                .and_then(parse_date)
        })
        .or_else(|| time_element(html))
}

fn read_modified(meta: &HashMap<String, String>, ld: &LinkedData) -> Option<DateTime<Utc>> {
    ld.modified.as_deref().and_then(parse_date).or_else(|| {
        first_of(meta, MODIFIED_KEYS)
            .as_deref()
            .and_then(parse_date)
    })
}

fn read_title(html: &Html, meta: &HashMap<String, String>, ld: &LinkedData) -> Option<String> {
    let site = first_of(meta, &["og:site_name", "application-name"]);
    let doc_title = html
        .select(&selector("title"))
        .next()
        .map(|t| crate::sanitize::collapse_whitespace(&t.text().collect::<String>()));
    let h1 = || {
        let h1_sel = selector("h1");
        let mut h1s = html.select(&h1_sel);
        let first = h1s.next()?;
        h1s.next()
            .is_none()
            .then(|| crate::sanitize::collapse_whitespace(&first.text().collect::<String>()))
    };
    let raw = first_of(meta, &["og:title", "twitter:title"])
        .or_else(|| ld.headline.clone())
        .or_else(h1)
        .or(doc_title)?;
    let raw = crate::sanitize::collapse_whitespace(&crate::sanitize::html_to_plain(&raw));
    let title = strip_site_name(&raw, site.as_deref());
    (!title.is_empty()).then_some(title)
}

/// Drops a trailing (or leading) site name segment from a page title.
pub(crate) fn strip_site_name(title: &str, site: Option<&str>) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some(site) = site.filter(|s| !s.is_empty()) {
            if let Some(rest) = title.strip_suffix(&format!("{sep}{site}")) {
                return rest.trim().to_string();
            }
            if let Some(rest) = title.strip_prefix(&format!("{site}{sep}")) {
                return rest.trim().to_string();
            }
        }
    }
    for sep in TITLE_SEPARATORS {
        if let Some(pos) = title.rfind(sep) {
            let (head, tail) = (&title[..pos], &title[pos + sep.len()..]);
            if tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 3 {
                return head.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

fn read_byline(html: &Html, meta: &HashMap<String, String>, ld: &LinkedData) -> Option<String> {
    let from_meta = first_of(
        meta,
        &[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "parsely-author",
            "sailthru.author",
        ],
    )
    .filter(|a| !a.starts_with("http"));
    from_meta
        .or_else(|| ld.author.clone())
        .or_else(|| {
            let sel =
                selector(r#"[rel="author"], [itemprop="author"], .byline, .author-name, .author"#);
            html.select(&sel)
                .map(|e| crate::sanitize::collapse_whitespace(&e.text().collect::<String>()))
                .find(|t| !t.is_empty() && t.len() < 100)
        })
        .map(|b| {
            let b = b.trim();
            b.strip_prefix("By ")
                .or_else(|| b.strip_prefix("by "))
                .unwrap_or(b)
                .trim()
                .to_string()
        })
}

fn time_element(html: &Html) -> Option<DateTime<Utc>> {
    let sel = selector("time[datetime]");
    html.select(&sel)
        .find_map(|t| parse_date(t.attr("datetime")?))
}

fn read_lang(html: &Html, meta: &HashMap<String, String>) -> Option<String> {
    html.root_element()
        .attr("lang")
        .or_else(|| html.root_element().attr("xml:lang"))
        .map(String::from)
        .or_else(|| {
            first_of(
                meta,
                &["content-language", "og:locale", "dc.language", "language"],
            )
        })
        .map(|l| l.trim().replace('_', "-"))
        .and_then(|l| l.split(',').next().map(|s| s.trim().to_string()))
        .filter(|l| !l.is_empty() && l.len() <= 35)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_stripped_from_titles() {
        let cases = [
            (
                "Big storm hits the coast | Daily Planet",
                Some("Daily Planet"),
                "Big storm hits the coast",
            ),
            (
                "Big storm hits the coast - Planet",
                None,
                "Big storm hits the coast",
            ),
            (
                "Daily Planet: the news – live",
                None,
                "Daily Planet: the news",
            ),
            ("Plain title", None, "Plain title"),
        ];
        for (raw, site, want) in cases {
            assert_eq!(strip_site_name(raw, site), want, "{raw}");
        }
    }

    #[test]
    fn head_fields_are_read() {
        let page = r#"<html lang="fr-FR"><head><title>T | S</title>
            <meta property="og:title" content="Le titre">
            <meta name="robots" content="index, NoArchive">
            <meta property="article:published_time" content="2021-03-04T05:06:07+01:00">
            <meta property="og:image" content="/img/a.jpg">
            <meta name="author" content="By Jean Dupont">
            <link rel="canonical" href="/canon"></head><body></body></html>"#;
        let url = Url::parse("https://ex.test/a/b?x=1").unwrap();
        let m = read_metadata(&Html::parse_document(page), &url);
        assert_eq!(m.title.as_deref(), Some("Le titre"));
        assert_eq!(m.lang.as_deref(), Some("fr-FR"));
        assert!(m.noarchive);
        assert_eq!(
            m.published.unwrap().to_rfc3339(),
            "2021-03-04T04:06:07+00:00"
        );
        assert_eq!(m.image.as_deref(), Some("https://ex.test/img/a.jpg"));
        assert_eq!(m.canonical_url.as_deref(), Some("https://ex.test/canon"));
        assert_eq!(m.byline.as_deref(), Some("Jean Dupont"));
    }
}
