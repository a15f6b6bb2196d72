//! Article facts from JSON-LD (`<script type="application/ld+json">`): headline, author,
//! dates, image, body; walks `@graph` and nested objects.

use serde_json::Value;

/// What the page's JSON-LD says about its article.
#[derive(Default, Debug)]
pub(crate) struct LinkedData {
    /// `headline` or `name`.
    pub headline: Option<String>,
    /// Author names, comma separated.
    pub author: Option<String>,
    /// `datePublished`.
    pub published: Option<String>,
    /// `dateModified`.
    pub modified: Option<String>,
    /// First `image` URL.
    pub image: Option<String>,
    /// `articleBody`.
    pub body: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "Report",
    "TechArticle",
    "ScholarlyArticle",
    "LiveBlogPosting",
    "WebPage",
];

/// Reads the first article-typed object found in `scripts` (each one JSON-LD block).
pub(crate) fn read_linked_data<'a>(scripts: impl Iterator<Item = &'a str>) -> LinkedData {
    let mut out = LinkedData::default();
    for script in scripts {
        let Ok(value) = serde_json::from_str::<Value>(script.trim()) else {
            continue;
        };
        let mut stack = vec![(&value, 0usize)];
        while let Some((v, depth)) = stack.pop() {
            match v {
                Value::Array(items) if depth < 8 => {
                    stack.extend(items.iter().rev().map(|x| (x, depth + 1)))
                }
                Value::Object(map) if depth < 8 => {
                    if is_article(v) {
                        fill(&mut out, v);
                    }
                    if let Some(g) = map.get("@graph") {
                        stack.push((g, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn is_article(v: &Value) -> bool {
    let ty = |t: &Value| t.as_str().is_some_and(|s| ARTICLE_TYPES.contains(&s));
    match v.get("@type") {
        Some(Value::Array(ts)) => ts.iter().any(ty),
        Some(t) => ty(t),
        None => false,
    }
}

fn fill(out: &mut LinkedData, v: &Value) {
    let is_page = v.get("@type").and_then(Value::as_str) == Some("WebPage");
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    out.headline = out
        .headline
        .take()
        .or_else(|| text("headline"))
        .or_else(|| if is_page { None } else { text("name") });
    out.published = out.published.take().or_else(|| text("datePublished"));
    out.modified = out.modified.take().or_else(|| text("dateModified"));
    out.body = out.body.take().or_else(|| text("articleBody"));
    out.author = out
        .author
        .take()
        .or_else(|| v.get("author").and_then(names));
    out.image = out
        .image
        .take()
        .or_else(|| v.get("image").and_then(first_url));
}

fn names(v: &Value) -> Option<String> {
    let list: Vec<String> = match v {
        Value::String(s) => vec![s.trim().to_string()],
        Value::Object(m) => m
            .get("name")
            .and_then(Value::as_str)
            .map(|s| vec![s.trim().to_string()])
            .unwrap_or_default(),
        Value::Array(items) => items.iter().filter_map(names).collect(),
        _ => vec![],
    };
    let list: Vec<String> = list
        .into_iter()
        .filter(|s| !s.is_empty() && !s.starts_with("http"))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn first_url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(m) => m.get("url").and_then(first_url),
        Value::Array(items) => items.iter().find_map(first_url),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_articles_are_found() {
        let ld = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},
            {"@type":"NewsArticle","headline":"Big news","datePublished":"2020-01-02T03:04:05Z",
             "author":[{"@type":"Person","name":"Ann Lee"},{"name":"Bo Ng"}],
             "image":{"@type":"ImageObject","url":"https://x.test/i.jpg"},"articleBody":"Body."}]}"#;
        let got = read_linked_data([ld].into_iter());
        assert_eq!(got.headline.as_deref(), Some("Big news"));
        assert_eq!(got.author.as_deref(), Some("Ann Lee, Bo Ng"));
        assert_eq!(got.image.as_deref(), Some("https://x.test/i.jpg"));
        assert_eq!(got.published.as_deref(), Some("2020-01-02T03:04:05Z"));
        assert_eq!(got.body.as_deref(), Some("Body."));
    }
}
