//! The config file exactly as written (serde structs, unknown keys rejected) and its validation.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::{
    Config, FeedConfig, FetchConfig, PublishConfig, RelatedConfig, Republish, ScheduleConfig,
};

/// A validation failure: the dotted key and what is wrong with it.
type Problem = (String, String);

/// The whole file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    storage: RawStorage,
    #[serde(default)]
    publish: RawPublish,
    #[serde(default)]
    fetch: RawFetch,
    #[serde(default)]
    schedule: RawSchedule,
    #[serde(default)]
    related: RawRelated,
    #[serde(default)]
    retention: RawRetention,
    #[serde(default)]
    feeds: Vec<RawFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    database: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    base_url: Option<String>,
    title: Option<String>,
    websub_hub: Option<String>,
    page_size: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    user_agent: Option<String>,
    proxy: Option<String>,
    respect_robots: Option<bool>,
    allow_private_networks: Option<bool>,
    per_host_concurrency: Option<i64>,
    per_host_delay_ms: Option<i64>,
    connect_timeout: Option<String>,
    timeout: Option<String>,
    max_body_bytes: Option<i64>,
    max_concurrency: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    interval: Option<String>,
    min_interval: Option<String>,
    max_interval: Option<String>,
    max_failures: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelated {
    count: Option<i64>,
    window_days: Option<i64>,
    min_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    keep_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    title: Option<String>,
    url: String,
    fetch_articles: Option<bool>,
    interval: Option<String>,
    republish: Option<String>,
    respect_robots: Option<bool>,
    category: Option<String>,
    #[serde(default)]
    extract: RawExtract,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtract {
    #[serde(default)]
    content: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
}

fn problem(key: impl Into<String>, what: impl Into<String>) -> Problem {
    (key.into(), what.into())
}

fn parse_duration(key: &str, value: Option<&str>, default: Duration) -> Result<Duration, Problem> {
    let Some(text) = value else {
        return Ok(default);
    };
    let parsed = humantime::parse_duration(text.trim()).map_err(|e| {
        problem(
            key,
            format!("`{text}` is not a duration ({e}); write e.g. \"30m\", \"2h\", \"45s\""),
        )
    })?;
    if parsed.is_zero() {
        return Err(problem(key, "must be longer than zero"));
    }
    Ok(parsed)
}

fn parse_http_url(key: &str, text: &str) -> Result<Url, Problem> {
    let url = Url::parse(text.trim())
        .map_err(|e| problem(key, format!("`{text}` is not an absolute URL ({e})")))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(problem(
            key,
            format!("scheme `{other}` is not allowed; use http or https"),
        )),
    }
}

fn in_range(
    key: &str,
    value: Option<i64>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, Problem> {
    let v = value.unwrap_or(default);
    if v < min || v > max {
        return Err(problem(key, format!("{v} is out of range {min}..={max}")));
    }
    Ok(v)
}

/// Default User-Agent: names feedmix, its version and where to learn about it.
pub fn default_user_agent() -> String {
    format!(
        "feedmix/{} (+https://crates.io/crates/feedmix; news feed aggregator)",
        env!("CARGO_PKG_VERSION")
    )
}

impl RawConfig {
    /// Checks every value and builds the working [`Config`].
    pub(super) fn validate(self, path: &Path) -> Result<Config, Problem> {
        let database = match self.storage.database {
            Some(db) if db.trim().is_empty() => {
                return Err(problem("storage.database", "must not be empty"))
            }
            Some(db) => path.parent().unwrap_or(Path::new(".")).join(db),
            None => path.parent().unwrap_or(Path::new(".")).join("feedmix.db"),
        };
        let fetch = self.fetch.validate()?;
        let schedule = self.schedule.validate()?;
        let feeds = validate_feeds(self.feeds, &fetch, &schedule)?;
        Ok(Config {
            database,
            publish: self.publish.validate()?,
            fetch,
            schedule,
            related: self.related.validate()?,
            keep_days: in_range(
                "retention.keep_days",
                self.retention.keep_days,
                0,
                0,
                36_500,
            )? as u32,
            feeds,
        })
    }
}

impl RawPublish {
    fn validate(self) -> Result<PublishConfig, Problem> {
        let mut base_url = parse_http_url(
            "publish.base_url",
            self.base_url.as_deref().unwrap_or("http://127.0.0.1:8080/"),
        )?;
        if !base_url.path().ends_with('/') {
            base_url.set_path(&format!("{}/", base_url.path()));
        }
        let websub_hub = match self.websub_hub {
            Some(hub) => Some(parse_http_url("publish.websub_hub", &hub)?),
            None => None,
        };
        Ok(PublishConfig {
            page_size: in_range("publish.page_size", self.page_size, 50, 1, 1000)? as usize,
            base_url,
            title: self.title.unwrap_or_else(|| "feedmix".to_string()),
            websub_hub,
        })
    }
}

impl RawFetch {
    fn validate(self) -> Result<FetchConfig, Problem> {
        let proxy =
            match self.proxy {
                Some(p) => Some(Url::parse(&p).map_err(|e| {
                    problem("fetch.proxy", format!("`{p}` is not a proxy URL ({e})"))
                })?),
                None => None,
            };
        let user_agent = self.user_agent.unwrap_or_else(default_user_agent);
        if user_agent.trim().is_empty() || user_agent.chars().any(char::is_control) {
            return Err(problem(
                "fetch.user_agent",
                "must be non-empty printable text",
            ));
        }
        Ok(FetchConfig {
            user_agent,
            proxy,
            respect_robots: self.respect_robots.unwrap_or(true),
            allow_private_networks: self.allow_private_networks.unwrap_or(false),
            per_host_concurrency: in_range(
                "fetch.per_host_concurrency",
                self.per_host_concurrency,
                2,
                1,
                64,
            )? as usize,
            per_host_delay: Duration::from_millis(in_range(
                "fetch.per_host_delay_ms",
                self.per_host_delay_ms,
                250,
                0,
                600_000,
            )? as u64),
            connect_timeout: parse_duration(
                "fetch.connect_timeout",
                self.connect_timeout.as_deref(),
                Duration::from_secs(10),
            )?,
            timeout: parse_duration(
                "fetch.timeout",
                self.timeout.as_deref(),
                Duration::from_secs(30),
            )?,
            max_body_bytes: in_range(
                "fetch.max_body_bytes",
                self.max_body_bytes,
                10 * 1024 * 1024,
                1024,
                1 << 32,
            )? as u64,
            max_concurrency: in_range("fetch.max_concurrency", self.max_concurrency, 16, 1, 1024)?
                as usize,
        })
    }
}

impl RawSchedule {
    fn validate(self) -> Result<ScheduleConfig, Problem> {
        let min = Duration::from_secs(5 * 60);
        let min_interval =
            parse_duration("schedule.min_interval", self.min_interval.as_deref(), min)?;
        let max_interval = parse_duration(
            "schedule.max_interval",
            self.max_interval.as_deref(),
            Duration::from_secs(24 * 3600),
        )?;
        if min_interval > max_interval {
            return Err(problem(
                "schedule.min_interval",
                "is longer than schedule.max_interval",
            ));
        }
        let interval = parse_duration(
            "schedule.interval",
            self.interval.as_deref(),
            Duration::from_secs(30 * 60),
        )?;
        Ok(ScheduleConfig {
            interval,
            min_interval,
            max_interval,
            max_failures: in_range("schedule.max_failures", self.max_failures, 10, 0, 100_000)?
                as u32,
        })
    }
}

impl RawRelated {
    fn validate(self) -> Result<RelatedConfig, Problem> {
        let min_score = match self.min_score {
            Some(s) if !(0.0..=1.0).contains(&s) => {
                return Err(problem(
                    "related.min_score",
                    format!("{s} is out of range 0.0..=1.0 (a cosine similarity)"),
                ))
            }
            other => other.map(|s| s as f32),
        };
        Ok(RelatedConfig {
            count: in_range("related.count", self.count, 3, 0, 50)? as usize,
            window_days: in_range("related.window_days", self.window_days, 30, 1, 3650)? as u32,
            min_score,
        })
    }
}

fn validate_feeds(
    raw: Vec<RawFeed>,
    fetch: &FetchConfig,
    schedule: &ScheduleConfig,
) -> Result<Vec<FeedConfig>, Problem> {
    let mut feeds: Vec<FeedConfig> = Vec::with_capacity(raw.len());
    for (i, feed) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("feeds[{i}].{field}");
        let name = feed.name.trim().to_string();
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !name_ok {
            return Err(problem(
                key("name"),
                format!("`{name}` must be non-empty lowercase letters, digits, '-' or '_'"),
            ));
        }
        if feeds.iter().any(|f| f.name == name) {
            return Err(problem(
                key("name"),
                format!("`{name}` is used by another feed"),
            ));
        }
        let url = parse_http_url(&key("url"), &feed.url)?;
        let republish = match feed.republish.as_deref() {
            None | Some("full") => Republish::Full,
            Some("excerpt") => Republish::Excerpt,
            Some("link") => Republish::Link,
            Some(other) => {
                return Err(problem(
                    key("republish"),
                    format!("`{other}` is not one of \"full\", \"excerpt\", \"link\""),
                ))
            }
        };
        for (field, list) in [
            ("content", &feed.extract.content),
            ("remove", &feed.extract.remove),
        ] {
            for sel in list {
                crate::extract::validate_selector(sel).map_err(|e| {
                    problem(
                        key(&format!("extract.{field}")),
                        format!("`{sel}` is not a CSS selector: {e}"),
                    )
                })?;
            }
        }
        let interval = parse_duration(
            &key("interval"),
            feed.interval.as_deref(),
            schedule.interval,
        )?;
        feeds.push(FeedConfig {
            title: feed.title.unwrap_or_else(|| name.clone()),
            name,
            url,
            fetch_articles: feed.fetch_articles.unwrap_or(true),
            interval,
            republish,
            extract_content: feed.extract.content,
            extract_remove: feed.extract.remove,
            respect_robots: feed.respect_robots.unwrap_or(fetch.respect_robots),
            category: feed
                .category
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
        });
    }
    Ok(feeds)
}
