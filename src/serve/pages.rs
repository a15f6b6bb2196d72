//! The reading pages: the front page of newest stories and one page per story.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::cache::Rendered;
use super::{server_error, AppState, FRONT_PAGE_STORIES};
use crate::edition::prepare_stories;
use crate::page::{index_page, story_page};

/// `/`: the newest stories.
pub async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let stored = match state.with_store(|s| s.newest_stories(Some(FRONT_PAGE_STORIES))) {
        Ok(s) => s,
        Err(e) => return server_error(e),
    };
    let stories = prepare_stories(&state.config, stored);
    // Relative times ("9 hours ago") change with the clock, so pages carry no Last-Modified.
    let html = index_page(
        &state.config.publish.title,
        &sources(&state),
        &stories,
        Utc::now(),
        &|n| outlet_title(&state, n),
    );
    Rendered::new(html, "text/html; charset=utf-8", None).respond(&headers)
}

/// `/story/{id}`: one story with its full text and coverage from other outlets.
pub async fn story(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let found = match state.with_store(|s| s.story(id)) {
        Ok(s) => s,
        Err(e) => return server_error(e),
    };
    let Some(stored) = found else {
        return (StatusCode::NOT_FOUND, "no such story\n").into_response();
    };
    let story = prepare_stories(&state.config, vec![stored]).remove(0);
    let html = story_page(
        &state.config.publish.title,
        &sources(&state),
        &story,
        Utc::now(),
        &|n| outlet_title(&state, n),
    );
    Rendered::new(html, "text/html; charset=utf-8", None).respond(&headers)
}

fn sources(state: &AppState) -> Vec<String> {
    state.config.feeds.iter().map(|f| f.title.clone()).collect()
}

fn outlet_title(state: &AppState, name: &str) -> String {
    state
        .config
        .feed(name)
        .map_or_else(|| name.to_string(), |f| f.title.clone())
}
