//! feeds.toml: raw serde structs -> validated [`Config`] (URLs parsed, durations typed).
//!
//! Owns every configuration key and its default. It reads no file itself
//! ([`Config::from_toml`] takes a `&str`); the CLI loads the file. No globals: the validated
//! `Config` is passed down explicitly.

pub mod edit;
mod raw;

use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

pub use raw::RawConfig;

/// Why a configuration was rejected; each message names the key and says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML, or a key has the wrong type or is unknown.
    #[error("{path}: {source}")]
    Syntax {
        /// The config file.
        path: String,
        /// The TOML parser's message (names the line and the key).
        #[source]
        source: toml::de::Error,
    },
    /// A value is well-typed but not acceptable.
    #[error("{path}: `{key}`: {problem}")]
    Invalid {
        /// The config file.
        path: String,
        /// The dotted key, e.g. `feeds[2].url`.
        key: String,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// The file could not be read.
    #[error("cannot read config {path}: {source} (pass --config PATH)")]
    Read {
        /// The config file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What to republish of each article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Republish {
    /// The whole extracted article.
    #[default]
    Full,
    /// The first paragraphs, about 60 words.
    Excerpt,
    /// Title and link only.
    Link,
}

/// One source feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// Short id, unique, `[a-z0-9_-]+`; the outlet name in outputs.
    pub name: String,
    /// Human title of the outlet.
    pub title: String,
    /// The feed's URL.
    pub url: Url,
    /// Fetch each item's article page (false: use the feed's own content).
    pub fetch_articles: bool,
    /// How often to poll this feed.
    pub interval: Duration,
    /// What to republish.
    pub republish: Republish,
    /// CSS selectors picking the article body on this site.
    pub extract_content: Vec<String>,
    /// CSS selectors of boilerplate to delete before extraction.
    pub extract_remove: Vec<String>,
    /// Whether robots.txt is honoured for this feed's article pages.
    pub respect_robots: bool,
    /// A folder for OPML export and feed readers (e.g. "Lebanon").
    pub category: Option<String>,
}

/// `[fetch]`: how requests are made.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    /// User-Agent header.
    pub user_agent: String,
    /// Proxy URL for all requests.
    pub proxy: Option<Url>,
    /// Honour robots.txt for article pages.
    pub respect_robots: bool,
    /// Allow loopback / private / link-local addresses (off: refused).
    pub allow_private_networks: bool,
    /// At most this many requests in flight to one host.
    pub per_host_concurrency: usize,
    /// At least this long between two requests to one host.
    pub per_host_delay: Duration,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (headers and body).
    pub timeout: Duration,
    /// Largest body accepted, in bytes, enforced while streaming.
    pub max_body_bytes: u64,
    /// At most this many requests in flight overall.
    pub max_concurrency: usize,
}

/// `[schedule]`: when feeds are polled.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleConfig {
    /// Default poll interval.
    pub interval: Duration,
    /// Lower bound on any interval.
    pub min_interval: Duration,
    /// Upper bound on any interval (and on backoff).
    pub max_interval: Duration,
    /// Consecutive failures after which a feed is disabled (0 = never).
    pub max_failures: u32,
}

/// `[related]`: related-article linking.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedConfig {
    /// How many related stories per story.
    pub count: usize,
    /// Only stories published within this many days of each other relate.
    pub window_days: u32,
    /// Minimum similarity score, when set; else the scorer's principled default.
    pub min_score: Option<f32>,
}

/// `[publish]`: how the combined feed presents itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishConfig {
    /// Public URL the feeds are served from, always ending with '/'.
    pub base_url: Url,
    /// Title of the combined feed.
    pub title: String,
    /// WebSub hub to advertise and notify.
    pub websub_hub: Option<Url>,
    /// Stories per served feed page (older ones are reached through RFC 5005 links).
    pub page_size: usize,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The SQLite database file.
    pub database: PathBuf,
    /// `[publish]`.
    pub publish: PublishConfig,
    /// `[fetch]`.
    pub fetch: FetchConfig,
    /// `[schedule]`.
    pub schedule: ScheduleConfig,
    /// `[related]`.
    pub related: RelatedConfig,
    /// `[retention] keep_days`: 0 keeps everything.
    pub keep_days: u32,
    /// `[[feeds]]`.
    pub feeds: Vec<FeedConfig>,
}

impl Config {
    /// Parses and validates `text`; `path` is the file it came from (for messages, and
    /// to place the default database beside it).
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let raw: RawConfig = toml::from_str(text).map_err(|source| ConfigError::Syntax {
            path: shown.clone(),
            source,
        })?;
        raw.validate(path)
            .map_err(|(key, problem)| ConfigError::Invalid {
                path: shown,
                key,
                problem,
            })
    }

    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// The feed called `name`, if configured.
    pub fn feed(&self, name: &str) -> Option<&FeedConfig> {
        self.feeds.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests;
