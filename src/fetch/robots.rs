//! robots.txt for article pages: fetched once per origin and process, cached, obeyed, and
//! its Crawl-delay applied to the host's politeness gap. Feed URLs themselves are not
//! checked (a site that publishes a feed invites its polling).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use texting_robots::Robot;
use url::Url;

/// Longest Crawl-delay honoured; a larger one is capped (some sites write 3600).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// What robots.txt says about an origin.
#[derive(Debug)]
pub enum RobotsRules {
    /// No usable robots.txt (missing, 4xx): everything is allowed.
    AllowAll,
    /// The server failed (5xx, unreachable): RFC 9309 says assume everything is disallowed.
    DisallowAll(String),
    /// Parsed rules for our User-Agent.
    Rules(Box<Robot>),
}

impl RobotsRules {
    /// Parses a robots.txt body for `agent`; an unparsable file allows everything.
    pub fn parse(agent: &str, body: &[u8]) -> RobotsRules {
        match Robot::new(agent, body) {
            Ok(robot) => RobotsRules::Rules(Box::new(robot)),
            Err(_) => RobotsRules::AllowAll,
        }
    }

    /// Whether `url` may be fetched; the reason when not.
    pub fn check(&self, url: &Url) -> Result<(), String> {
        match self {
            RobotsRules::AllowAll => Ok(()),
            RobotsRules::DisallowAll(why) => Err(format!(
                "robots.txt unavailable ({why}); not fetching {url}"
            )),
            RobotsRules::Rules(robot) if robot.allowed(url.as_str()) => Ok(()),
            RobotsRules::Rules(_) => Err(format!("{url} is disallowed by robots.txt")),
        }
    }

    /// The Crawl-delay, capped.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }
}

/// Per-origin cache of robots rules, shared by all fetches of a process.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<RobotsRules>>>>,
}

impl RobotsCache {
    /// The cell for `url`'s origin (filled once, by the first caller).
    pub fn cell(&self, url: &Url) -> Arc<tokio::sync::OnceCell<RobotsRules>> {
        let origin = url.origin().ascii_serialization();
        let mut map = self.origins.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(origin).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_allow_disallow_and_delay() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: feedmix\nDisallow: /no-feedmix/\n";
        let rules = RobotsRules::parse("feedmix", txt);
        let url = |p: &str| Url::parse(&format!("https://e.com{p}")).unwrap();
        assert!(rules.check(&url("/news/a.html")).is_ok());
        assert!(rules.check(&url("/no-feedmix/a.html")).is_err());
        let star = RobotsRules::parse("otherbot", txt);
        assert!(star.check(&url("/private/x")).is_err());
        assert_eq!(star.crawl_delay(), Some(Duration::from_secs(2)));
        assert!(RobotsRules::DisallowAll("HTTP 503".into())
            .check(&url("/"))
            .is_err());
        assert!(RobotsRules::AllowAll.check(&url("/private/x")).is_ok());
    }
}
