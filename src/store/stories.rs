//! The `stories` table: reading stories (primary article + copies) for rendering.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{err, Result, Store};
use crate::model::{Story, StoryLink};

/// A story as stored, with what rendering needs to apply the republish policy.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStory {
    /// The story, with `related` and `also_reported_by` filled.
    pub story: Story,
    /// The primary article's page asked not to be archived.
    pub noarchive: bool,
}

const STORY_SELECT: &str = "
    SELECT s.id, s.published, s.updated, a.url, a.title, a.author, a.categories, a.image,
           a.enclosures, a.lang, a.content_html, a.content_text, a.summary, a.noarchive,
           f.name AS source, f.title AS source_title
    FROM stories s
    JOIN articles a ON a.id = s.primary_id
    JOIN feeds f ON f.id = a.feed_id";

fn story_row(r: &Row<'_>) -> rusqlite::Result<StoredStory> {
    let ts = |i: usize| -> rusqlite::Result<DateTime<Utc>> {
        Ok(DateTime::from_timestamp(r.get(i)?, 0).unwrap_or_default())
    };
    let categories: String = r.get(6)?;
    let enclosures: String = r.get(8)?;
    Ok(StoredStory {
        story: Story {
            id: r.get(0)?,
            published: ts(1)?,
            updated: ts(2)?,
            url: r.get(3)?,
            title: r.get(4)?,
            author: r.get(5)?,
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            image: r.get(7)?,
            enclosures: serde_json::from_str(&enclosures).unwrap_or_default(),
            lang: r.get(9)?,
            content_html: r.get(10)?,
            content_text: r.get(11)?,
            summary: r.get(12)?,
            source: r.get(14)?,
            source_title: r.get(15)?,
            also_reported_by: Vec::new(),
            related: Vec::new(),
        },
        noarchive: r.get(13)?,
    })
}

/// Which stories to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryQuery {
    /// Only stories whose primary article comes from this feed.
    pub source: Option<String>,
    /// At most this many (`None`: all).
    pub limit: Option<usize>,
    /// Only stories older than this (published, id) key: keyset paging, stable while new
    /// stories arrive.
    pub before: Option<(i64, i64)>,
}

impl Store {
    /// Stories matching `query`, newest first by (published, id).
    pub fn stories(&self, query: &StoryQuery) -> Result<Vec<StoredStory>> {
        let limit = query.limit.map_or(-1, |l| l as i64);
        let (before_published, before_id) = query.before.unwrap_or((i64::MAX, i64::MAX));
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{STORY_SELECT} WHERE (?1 IS NULL OR f.name = ?1)
                   AND (s.published < ?2 OR (s.published = ?2 AND s.id < ?3))
                 ORDER BY s.published DESC, s.id DESC LIMIT ?4"
            ))
            .map_err(|e| err(&self.path, e))?;
        let mut stories = stmt
            .query_map(
                params![query.source, before_published, before_id, limit],
                story_row,
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| err(&self.path, e))?;
        self.fill_links(&mut stories)?;
        Ok(stories)
    }

    /// The newest stories first (by publication time); `limit` of `None` means all.
    pub fn newest_stories(&self, limit: Option<usize>) -> Result<Vec<StoredStory>> {
        let limit = limit.map_or(-1, |l| l as i64);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{STORY_SELECT} ORDER BY s.published DESC, s.id DESC LIMIT ?1"
            ))
            .map_err(|e| err(&self.path, e))?;
        let mut stories = stmt
            .query_map([limit], story_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| err(&self.path, e))?;
        self.fill_links(&mut stories)?;
        Ok(stories)
    }

    /// One story by id.
    pub fn story(&self, id: i64) -> Result<Option<StoredStory>> {
        let found = self
            .conn
            .query_row(&format!("{STORY_SELECT} WHERE s.id = ?1"), [id], story_row)
            .optional()
            .map_err(|e| err(&self.path, e))?;
        let mut stories: Vec<StoredStory> = found.into_iter().collect();
        self.fill_links(&mut stories)?;
        Ok(stories.pop())
    }

    /// When any story last changed, for feed-level `updated` and HTTP validators.
    pub fn last_change(&self) -> Result<Option<DateTime<Utc>>> {
        let secs: Option<i64> = self
            .conn
            .query_row("SELECT MAX(updated) FROM stories", [], |r| r.get(0))
            .map_err(|e| err(&self.path, e))?;
        Ok(secs.and_then(|s| DateTime::from_timestamp(s, 0)))
    }

    /// Number of stories and of articles.
    pub fn counts(&self) -> Result<(i64, i64)> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM articles)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| err(&self.path, e))
    }

    /// Fills `also_reported_by` (the story's other articles, oldest first) and `related`
    /// (the primary articles of related stories, most relevant first).
    fn fill_links(&self, stories: &mut [StoredStory]) -> Result<()> {
        let mut related = self
            .conn
            .prepare_cached(
                "SELECT a.url, f.name, a.title FROM related r
                 JOIN stories s ON s.id = r.other_id
                 JOIN articles a ON a.id = s.primary_id
                 JOIN feeds f ON f.id = a.feed_id
                 WHERE r.story_id = ?1 ORDER BY r.rank",
            )
            .map_err(|e| err(&self.path, e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.url, f.name, a.title FROM articles a JOIN feeds f ON f.id = a.feed_id
                 JOIN stories s ON s.id = a.story_id
                 WHERE a.story_id = ?1 AND a.id <> s.primary_id ORDER BY a.id",
            )
            .map_err(|e| err(&self.path, e))?;
        for stored in stories.iter_mut() {
            let id = stored.story.id;
            stored.story.also_reported_by =
                story_links(&mut stmt, id).map_err(|e| err(&self.path, e))?;
            stored.story.related = story_links(&mut related, id).map_err(|e| err(&self.path, e))?;
        }
        Ok(())
    }
}

/// Runs a `(url, feed name, title)` query for one story id.
fn story_links(
    stmt: &mut rusqlite::CachedStatement<'_>,
    id: i64,
) -> rusqlite::Result<Vec<StoryLink>> {
    stmt.query_map(params![id], |r| {
        Ok(StoryLink {
            url: r.get(0)?,
            source: r.get(1)?,
            title: r.get(2)?,
        })
    })?
    .collect()
}
