//! The HTML pages people read in a browser (the story list and one story), rendered with
//! minijinja templates from `templates/` (auto-escaping on). Pure: stories in, HTML out.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use minijinja::{context, Environment};
use serde::Serialize;

use crate::model::{Story, StoryLink};

pub(crate) use crate::render::clean::escape;

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

/// Text direction for a language tag: right-to-left for Arabic, Hebrew, Persian, Urdu.
pub fn direction(lang: Option<&str>) -> &'static str {
    let primary = lang
        .unwrap_or("")
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(primary.as_str(), "ar" | "he" | "fa" | "ur" | "ps" | "yi") {
        "rtl"
    } else {
        "auto"
    }
}

/// Outlet names for display: feed `name` -> human title.
pub type OutletTitles<'a> = &'a dyn Fn(&str) -> String;

#[derive(Serialize)]
struct LinkView {
    url: String,
    title: String,
    source_title: String,
}

#[derive(Serialize)]
struct StoryView {
    id: i64,
    url: String,
    title: String,
    source_title: String,
    author: Option<String>,
    summary: Option<String>,
    content_html: String,
    image: Option<String>,
    lang: String,
    dir: &'static str,
    published_iso: String,
    age: String,
    also_reported_by: Vec<LinkView>,
    related: Vec<LinkView>,
}

fn view(s: &Story, now: DateTime<Utc>, outlets: OutletTitles<'_>) -> StoryView {
    let links = |ls: &[StoryLink]| -> Vec<LinkView> {
        ls.iter()
            .map(|l| LinkView {
                url: l.url.clone(),
                title: l.title.clone(),
                source_title: outlets(&l.source),
            })
            .collect()
    };
    StoryView {
        id: s.id,
        url: s.url.clone(),
        title: s.title.clone(),
        source_title: s.source_title.clone(),
        author: s.author.clone(),
        summary: s.summary.clone(),
        content_html: s.content_html.clone(),
        image: s.image.clone(),
        lang: s.lang.clone().unwrap_or_default(),
        dir: direction(s.lang.as_deref()),
        published_iso: s.published.to_rfc3339(),
        age: relative_time(s.published, now),
        also_reported_by: links(&s.also_reported_by),
        related: links(&s.related),
    }
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("links.html", include_str!("../../templates/links.html")),
            ("index.html", include_str!("../../templates/index.html")),
            ("story.html", include_str!("../../templates/story.html")),
        ] {
            env.add_template(name, source)
                .expect("bundled templates are valid");
        }
        env
    })
}

fn render(name: &str, ctx: minijinja::Value) -> String {
    templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| {
            format!(
                "<!DOCTYPE html><title>error</title><p>template error: {}</p>",
                escape(&e.to_string())
            )
        })
}

/// The front page: newest stories with outlet, age, headline, extract, copies and related.
pub fn index_page(
    site_title: &str,
    sources: &[String],
    stories: &[Story],
    now: DateTime<Utc>,
    outlets: OutletTitles<'_>,
) -> String {
    let views: Vec<StoryView> = stories.iter().map(|s| view(s, now, outlets)).collect();
    render(
        "index.html",
        context! { site_title, sources, stories => views },
    )
}

/// One story: full sanitized text, source link, copies and related coverage.
pub fn story_page(
    site_title: &str,
    sources: &[String],
    story: &Story,
    now: DateTime<Utc>,
    outlets: OutletTitles<'_>,
) -> String {
    render(
        "story.html",
        context! { site_title, sources, story => view(story, now, outlets) },
    )
}

#[cfg(test)]
mod tests;
