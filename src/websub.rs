//! WebSub publishing: after an ingest that changed feeds, tell the hub which feed URLs to
//! fetch again (`hub.mode=publish`). Which URLs changed is decided purely from the summary;
//! the POST goes through the fetcher.

use url::Url;

use crate::config::Config;
use crate::fetch::{FetchError, Fetcher};
use crate::ingest::{FeedOutcome, IngestSummary};
use crate::render::Format;

/// The served feed URLs whose content the pass changed: the combined feeds when anything
/// changed, plus each changed source's own feeds.
pub fn changed_feed_urls(config: &Config, summary: &IngestSummary) -> Vec<Url> {
    let changed: Vec<&str> = summary
        .reports
        .iter()
        .filter(
            |r| matches!(r.outcome, FeedOutcome::Stored { new, updated, .. } if new + updated > 0),
        )
        .map(|r| r.name.as_str())
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    let base = &config.publish.base_url;
    let mut paths: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("feed.{}", f.extension()))
        .collect();
    for name in changed {
        paths.extend(
            Format::ALL
                .iter()
                .map(|f| format!("sources/{name}/feed.{}", f.extension())),
        );
    }
    paths.iter().filter_map(|p| base.join(p).ok()).collect()
}

/// Pings the configured hub for each changed feed URL; failures are returned, not fatal.
pub async fn notify_hub(
    fetcher: &Fetcher,
    config: &Config,
    summary: &IngestSummary,
) -> Vec<FetchError> {
    let Some(hub) = &config.publish.websub_hub else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for url in changed_feed_urls(config, summary) {
        if let Err(e) = fetcher
            .post_form(hub, &[("hub.mode", "publish"), ("hub.url", url.as_str())])
            .await
        {
            tracing::warn!("WebSub hub {hub}: {e}");
            errors.push(e);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::FeedReport;

    #[test]
    fn only_changed_feeds_are_announced() {
        let config = Config::from_toml(
            "[publish]\nbase_url = \"https://mix.example/\"\n[[feeds]]\nname = \"a\"\nurl = \"https://a.example/rss\"\n[[feeds]]\nname = \"b\"\nurl = \"https://b.example/rss\"\n",
            std::path::Path::new("feeds.toml"),
        )
        .unwrap();
        let report = |name: &str, outcome| FeedReport {
            name: name.into(),
            outcome,
        };
        let quiet = IngestSummary {
            reports: vec![report("a", FeedOutcome::NotModified)],
            ..Default::default()
        };
        assert!(changed_feed_urls(&config, &quiet).is_empty());
        let busy = IngestSummary {
            reports: vec![
                report(
                    "a",
                    FeedOutcome::Stored {
                        new: 2,
                        updated: 0,
                        pages: 2,
                        pages_failed: 0,
                    },
                ),
                report(
                    "b",
                    FeedOutcome::Stored {
                        new: 0,
                        updated: 0,
                        pages: 0,
                        pages_failed: 0,
                    },
                ),
            ],
            ..Default::default()
        };
        let urls: Vec<String> = changed_feed_urls(&config, &busy)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert!(urls.contains(&"https://mix.example/feed.xml".to_string()));
        assert!(urls.contains(&"https://mix.example/sources/a/feed.atom".to_string()));
        assert!(!urls.iter().any(|u| u.contains("sources/b/")));
    }
}
