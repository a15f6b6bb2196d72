//! Feed documents: the combined feed and one per source, in three formats, paged with
//! RFC 5005 links (`?before=PUBLISHED.ID`, keyset paging that stays stable as stories arrive).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::cache::Rendered;
use super::{server_error, AppState};
use crate::edition::{channel, prepare_stories};
use crate::render::{render, Format};
use crate::store::StoryQuery;

/// `?before=` of a paged feed request.
#[derive(Debug, Default, Deserialize)]
pub struct Page {
    before: Option<String>,
}

fn parse_before(raw: &str) -> Option<(i64, i64)> {
    let (published, id) = raw.split_once('.')?;
    Some((published.parse().ok()?, id.parse().ok()?))
}

pub async fn combined_rss(
    state: State<Arc<AppState>>,
    page: Query<Page>,
    headers: HeaderMap,
) -> Response {
    feed(state, None, Format::Rss, page.0, headers)
}

pub async fn combined_atom(
    state: State<Arc<AppState>>,
    page: Query<Page>,
    headers: HeaderMap,
) -> Response {
    feed(state, None, Format::Atom, page.0, headers)
}

pub async fn combined_json(
    state: State<Arc<AppState>>,
    page: Query<Page>,
    headers: HeaderMap,
) -> Response {
    feed(state, None, Format::Json, page.0, headers)
}

/// `/sources/{name}/feed.xml|feed.atom|feed.json`.
pub async fn source(
    state: State<Arc<AppState>>,
    Path((name, file)): Path<(String, String)>,
    page: Query<Page>,
    headers: HeaderMap,
) -> Response {
    let format = match file.as_str() {
        "feed.xml" => Format::Rss,
        "feed.atom" => Format::Atom,
        "feed.json" => Format::Json,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "no such feed; use feed.xml, feed.atom or feed.json\n",
            )
                .into_response()
        }
    };
    if state.config.feed(&name).is_none() {
        return (StatusCode::NOT_FOUND, "no such source\n").into_response();
    }
    feed(state, Some(name), format, page.0, headers)
}

fn feed(
    State(state): State<Arc<AppState>>,
    source: Option<String>,
    format: Format,
    page: Page,
    headers: HeaderMap,
) -> Response {
    state
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let before = match page.before.as_deref().map(parse_before) {
        Some(None) => {
            return (StatusCode::BAD_REQUEST, "before must be PUBLISHED.ID\n").into_response()
        }
        Some(Some(key)) => Some(key),
        None => None,
    };
    let path = match &source {
        Some(name) => format!("sources/{name}/feed.{}", format.extension()),
        None => format!("feed.{}", format.extension()),
    };
    let key = format!("{path}?{}", page.before.as_deref().unwrap_or(""));
    // Fast path: a body cached at a version read a moment ago, without the store's lock.
    if let Some(hit) = state
        .recent_version()
        .and_then(|version| state.cache.get(&key, version))
    {
        return hit.respond(&headers);
    }
    let built = state.with_store(|store| {
        let version = store.data_version()?;
        state.note_version(version);
        if let Some(hit) = state.cache.get(&key, version) {
            return Ok(hit);
        }
        let page_size = state.config.publish.page_size;
        let query = StoryQuery {
            source: source.clone(),
            limit: Some(page_size + 1),
            before,
        };
        let mut stored = store.stories(&query)?;
        let more = stored.len() > page_size;
        stored.truncate(page_size);
        let older = stored.last().filter(|_| more).map(|s| {
            format!(
                "{path}?before={}.{}",
                s.story.published.timestamp(),
                s.story.id
            )
        });
        let updated = stored
            .iter()
            .map(|s| s.story.updated)
            .max()
            .or(store.last_change()?);
        let self_path = match &page.before {
            Some(b) => format!("{path}?before={b}"),
            None => path.clone(),
        };
        let mut channel = channel(&state.config, &self_path, updated);
        if let Some(name) = &source {
            let title = state
                .config
                .feed(name)
                .map_or(name.as_str(), |f| f.title.as_str());
            channel.title = format!("{} · {title}", channel.title);
            channel.description = format!("{title}, as republished by feedmix");
        }
        channel.older_url = older.and_then(|o| channel.base_url.join(&o).ok());
        let body = render(format, &channel, &prepare_stories(&state.config, stored));
        let rendered = Rendered::new(body, format.content_type(), updated);
        state.cache.put(key.clone(), version, rendered.clone());
        Ok(rendered)
    });
    match built {
        Ok(rendered) => rendered.respond(&headers),
        Err(e) => server_error(e),
    }
}
