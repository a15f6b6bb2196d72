//! The HTML pages people read in a browser: the story list and one story. Pure: stories in,
//! an escaped HTML string out.

use chrono::{DateTime, Utc};

use crate::model::{Story, StoryLink};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "9 hours ago" style age of `then` at `now`.
pub fn relative_time(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 60 => return "just now".to_string(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

fn direction(lang: Option<&str>) -> &'static str {
    let primary = lang
        .unwrap_or("")
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(primary.as_str(), "ar" | "he" | "fa" | "ur") {
        "rtl"
    } else {
        "auto"
    }
}

fn links_block(heading: &str, links: &[StoryLink]) -> String {
    if links.is_empty() {
        return String::new();
    }
    let items: String = links
        .iter()
        .map(|l| {
            format!(
                "<li><span class=\"src\">{}</span> <a href=\"{}\">{}</a></li>",
                escape(&l.source),
                escape(&l.url),
                escape(&l.title)
            )
        })
        .collect();
    format!(
        "<section><h3>{}</h3><ul>{items}</ul></section>",
        escape(heading)
    )
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"alternate\" type=\"application/rss+xml\" href=\"feed.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.atom\">\
         <link rel=\"alternate\" type=\"application/feed+json\" href=\"feed.json\">\
         <style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:auto;padding:1rem;color:#111;background:#fff;line-height:1.5}}\
         article{{border-bottom:1px solid #ccc;padding:.5rem 0}}.meta,.src{{color:#444;font-size:.9rem}}a{{color:#0645ad}}</style>\
         </head><body><header><h1><a href=\"/\">{}</a></h1></header><main>{body}</main></body></html>\n",
        escape(title),
        escape(title)
    )
}

/// The front page: newest stories with outlet, age, headline, summary and links.
pub fn index_page(title: &str, stories: &[Story], now: DateTime<Utc>) -> String {
    let mut body = String::new();
    if stories.is_empty() {
        body.push_str("<p>No stories yet. Run <code>feedmix ingest</code>.</p>");
    }
    for s in stories {
        body.push_str(&format!(
            "<article lang=\"{lang}\" dir=\"{dir}\"><p class=\"meta\">{src} · <time datetime=\"{iso}\">{age}</time></p>\
             <h2><a href=\"/story/{id}\">{title}</a></h2><p>{summary}</p>{also}{related}</article>",
            lang = escape(s.lang.as_deref().unwrap_or("")),
            dir = direction(s.lang.as_deref()),
            src = escape(&s.source_title),
            iso = s.published.to_rfc3339(),
            age = relative_time(s.published, now),
            id = s.id,
            title = escape(&s.title),
            summary = escape(s.summary.as_deref().unwrap_or("")),
            also = links_block("Also reported by", &s.also_reported_by),
            related = links_block("Related articles", &s.related),
        ));
    }
    layout(title, &body)
}

/// One story: full sanitized text, source link, copies and related coverage.
pub fn story_page(site_title: &str, s: &Story, now: DateTime<Utc>) -> String {
    let body = format!(
        "<article lang=\"{lang}\" dir=\"{dir}\"><h2>{title}</h2><p class=\"meta\">{src} · {age} · \
         <a href=\"{url}\">original article</a></p>{content}</article>{also}{related}",
        lang = escape(s.lang.as_deref().unwrap_or("")),
        dir = direction(s.lang.as_deref()),
        title = escape(&s.title),
        src = escape(&s.source_title),
        age = relative_time(s.published, now),
        url = escape(&s.url),
        content = s.content_html, // already sanitized at ingest
        also = links_block("Also reported by", &s.also_reported_by),
        related = links_block("Related articles", &s.related),
    );
    layout(&format!("{} · {site_title}", s.title), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn relative_times() {
        let now = DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cases = [
            (30, "just now"),
            (120, "2 minutes ago"),
            (3600, "1 hour ago"),
            (9 * 3600, "9 hours ago"),
            (86_400 * 3, "3 days ago"),
        ];
        for (secs, want) in cases {
            assert_eq!(
                relative_time(now - chrono::Duration::seconds(secs), now),
                want
            );
        }
    }
}
