//! Page metadata: title, byline, dates, lead image, language, canonical URL, robots
//! `noarchive`; from `<meta>`, `<link>`, JSON-LD, `<time>`, `<h1>` and `<title>`.

use std::sync::LazyLock;

use rustc_hash::FxHashMap as HashMap;

use chrono::{DateTime, Utc};
use scraper::{ElementRef, Html, Selector};
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

/// A built-in selector, compiled on first use.
type Compiled = LazyLock<Selector>;

static META: Compiled = LazyLock::new(|| selector("meta[content]"));
static LD_JSON: Compiled = LazyLock::new(|| selector(r#"script[type="application/ld+json"]"#));
static BASE: Compiled = LazyLock::new(|| selector("base[href]"));
static CANONICAL: Compiled = LazyLock::new(|| selector(r#"link[rel~="canonical"][href]"#));
static TITLE: Compiled = LazyLock::new(|| selector("title"));
static H1: Compiled = LazyLock::new(|| selector("h1"));
static BYLINE: Compiled = LazyLock::new(|| {
    selector(r#"[rel="author"], [itemprop="author"], .byline, .author-name, .author"#)
});
static TIME: Compiled = LazyLock::new(|| selector("time[datetime]"));

/// The elements metadata is read from wherever they are in the page (usually the head),
/// found in one walk instead of one per kind; each kind in the order `select` gives.
#[derive(Default)]
struct HeadFields<'a> {
    meta: Vec<ElementRef<'a>>,
    ld_json: Vec<ElementRef<'a>>,
    base: Option<ElementRef<'a>>,
    canonical: Option<ElementRef<'a>>,
    title: Option<ElementRef<'a>>,
}

impl<'a> HeadFields<'a> {
    /// Walks the elements as [`Html::select`] does (every attached element, in the order the
    /// parser made them) but tests a kind's selector only on elements of its name: matching
    /// every selector against every element cost as much as a walk per kind.
    fn of(html: &'a Html) -> Self {
        let mut found = HeadFields::default();
        let elements = html
            .tree
            .nodes()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.parent().is_some());
        for e in elements {
            match e.value().name() {
                "meta" if META.matches(&e) => found.meta.push(e),
                "script" if LD_JSON.matches(&e) => found.ld_json.push(e),
                "base" if found.base.is_none() && BASE.matches(&e) => found.base = Some(e),
                "link" if found.canonical.is_none() && CANONICAL.matches(&e) => {
                    found.canonical = Some(e)
                }
                "title" if found.title.is_none() && TITLE.matches(&e) => found.title = Some(e),
                _ => {}
            }
        }
        found
    }
}

/// `<meta>` contents keyed by lower-cased `property`/`name`/`itemprop`; first one wins.
fn meta_map(metas: &[ElementRef<'_>]) -> HashMap<String, String> {
    let mut map = HashMap::default();
    for m in metas {
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
    let head = HeadFields::of(html);
    let meta = meta_map(&head.meta);
    let scripts: Vec<String> = head.ld_json.iter().map(|s| s.text().collect()).collect();
    let ld = read_linked_data(scripts.iter().map(String::as_str));
    let base = head
        .base
        .and_then(|b| url.join(b.attr("href")?).ok())
        .unwrap_or_else(|| url.clone());
    let absolute = |u: String| base.join(u.trim()).ok().map(String::from);
    Metadata {
        title: read_title(html, head.title, &meta, &ld),
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
        canonical_url: head
            .canonical
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

fn read_title(
    html: &Html,
    title: Option<ElementRef<'_>>,
    meta: &HashMap<String, String>,
    ld: &LinkedData,
) -> Option<String> {
    let site = first_of(meta, &["og:site_name", "application-name"]);
    let doc_title =
        title.map(|t| crate::sanitize::collapse_whitespace(&t.text().collect::<String>()));
    let h1 = || {
        let mut h1s = html.select(&H1);
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
            html.select(&BYLINE)
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
    html.select(&TIME)
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

    /// Ids of elements, to compare two lists of them.
    fn ids<'a>(els: impl IntoIterator<Item = ElementRef<'a>>) -> Vec<ego_tree::NodeId> {
        els.into_iter().map(|e| e.id()).collect()
    }

    #[test]
    fn one_walk_finds_what_a_walk_per_kind_finds() {
        let tricky = r#"<html><head><title>Head title</title>
            <meta name="a" content="1"><meta property="og:title" content="T">
            <script type="APPLICATION/LD+JSON">{}</script><link rel="alternate canonical" href="/c1">
            </head><body><svg><title>svg title</title></svg><base href="/x/"><base href="/y/">
            <meta itemprop="datePublished" content="2024-01-02"><link rel="canonical" href="/c2">
            <script type="application/ld+json">{"@type":"NewsArticle"}</script>
            <meta name="no-content"></body></html>"#;
        let mut pages = super::super::tests::fixture_article_pages();
        pages.push(tricky);
        for page in pages {
            let html = Html::parse_document(page);
            let head = HeadFields::of(&html);
            assert_eq!(ids(head.meta.clone()), ids(html.select(&META)));
            assert_eq!(ids(head.ld_json.clone()), ids(html.select(&LD_JSON)));
            assert_eq!(ids(head.base), ids(html.select(&BASE).next()));
            assert_eq!(ids(head.canonical), ids(html.select(&CANONICAL).next()));
            assert_eq!(ids(head.title), ids(html.select(&TITLE).next()));
        }
        // The tricky page has every kind, more than once where that matters.
        let html = Html::parse_document(tricky);
        let head = HeadFields::of(&html);
        assert_eq!((head.meta.len(), head.ld_json.len()), (3, 2));
        assert_eq!(head.canonical.and_then(|l| l.attr("href")), Some("/c1"));
        assert_eq!(head.base.and_then(|b| b.attr("href")), Some("/x/"));
        assert_eq!(
            head.title.map(|t| t.text().collect::<String>()).as_deref(),
            Some("Head title")
        );
    }

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
