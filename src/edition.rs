//! What the combined feed shows: stored stories with each feed's republish policy applied,
//! and the channel metadata for a given output. Pure: structs in, structs out.

use chrono::{DateTime, Utc};

use crate::config::{Config, Republish};
use crate::extract::{excerpt_html, excerpt_text};
use crate::model::{Channel, Story};
use crate::store::StoredStory;

/// Words kept by the `excerpt` policy.
pub const EXCERPT_WORDS: usize = 60;

/// The policy for a story: its feed's `republish`, downgraded to excerpt when the page
/// asked not to be archived.
pub fn policy_for(config: &Config, stored: &StoredStory) -> Republish {
    let configured = config
        .feed(&stored.story.source)
        .map_or(Republish::Full, |f| f.republish);
    match configured {
        Republish::Full if stored.noarchive => Republish::Excerpt,
        other => other,
    }
}

/// Applies each story's policy.
pub fn prepare_stories(config: &Config, stored: Vec<StoredStory>) -> Vec<Story> {
    stored
        .into_iter()
        .map(|s| {
            let policy = policy_for(config, &s);
            apply_policy(s.story, policy)
        })
        .collect()
}

/// Cuts a story's body down to what `policy` allows.
pub fn apply_policy(mut story: Story, policy: Republish) -> Story {
    match policy {
        Republish::Full => {}
        Republish::Excerpt => {
            story.content_html = excerpt_html(&story.content_html, EXCERPT_WORDS);
            story.content_text = excerpt_text(&story.content_text, EXCERPT_WORDS);
        }
        Republish::Link => {
            story.content_html = String::new();
            story.content_text = String::new();
            story.summary = None;
        }
    }
    story
}

/// Channel metadata for the feed document at `path` (relative to `[publish] base_url`).
pub fn channel(config: &Config, path: &str, updated: Option<DateTime<Utc>>) -> Channel {
    let base = config.publish.base_url.clone();
    Channel {
        title: config.publish.title.clone(),
        description: format!(
            "Combined news from {}",
            config
                .feeds
                .iter()
                .map(|f| f.title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        self_url: base.join(path).unwrap_or_else(|_| base.clone()),
        base_url: base,
        updated: updated.unwrap_or(DateTime::UNIX_EPOCH),
        websub_hub: config.publish.websub_hub.clone(),
        older_url: None,
    }
}
