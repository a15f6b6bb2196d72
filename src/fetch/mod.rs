//! HTTP fetching: the only user of reqwest. Conditional GET, timeouts, streaming body caps,
//! decompression, redirect limits, the private-address guard and per-host politeness.
//!
//! It returns bytes and headers; it never parses what it fetched.

mod guard;
mod limits;
mod robots;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use reqwest::{redirect, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::FetchConfig;
pub use guard::{is_private, BlockedAddress};
pub use limits::HostLimiter;
pub use robots::{RobotsCache, RobotsRules};

/// The product token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "feedmix";

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// How long an idle keep-alive connection stays pooled. A feed's pages follow its feed
/// within moments, through the same connection; after that its host is next polled
/// minutes later, long after any server closed the connection. reqwest's default (90 s)
/// kept one or two connections per host contacted, about 30 KB each with their buffers: a
/// pass over 1,000 hosts held 1,900 of them, 60 MB of its peak (heaptrack, session 11).
pub const POOL_IDLE: Duration = Duration::from_secs(2);

/// Why a fetch failed. Messages say what happened to which URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The host is on a private network or loopback and those are not allowed.
    #[error(transparent)]
    Blocked(#[from] BlockedAddress),
    /// Only http and https are fetched.
    #[error("{url}: scheme is not http or https")]
    Scheme {
        /// The refused URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}{}", retry_after.map(|t| format!(" (retry after {t})")).unwrap_or_default())]
    Status {
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
        /// When the server asked us to come back (429/503 Retry-After).
        retry_after: Option<DateTime<Utc>>,
    },
    /// The body was larger than `[fetch] max_body_bytes` (after decompression).
    #[error("{url}: body larger than {limit} bytes; refused")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Connect or total timeout.
    #[error("{url}: timed out after {after:?}")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout that fired.
        after: Duration,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or a loop.
    #[error("{url}: too many redirects (more than {MAX_REDIRECTS})")]
    Redirects {
        /// The URL requested.
        url: String,
    },
    /// Any other transport failure (DNS, TLS, reset connection, bad encoding).
    #[error("{url}: {source}")]
    Network {
        /// The URL requested.
        url: String,
        /// The client's error, with its causes.
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client could not be built (bad proxy, TLS set-up).
    #[error("cannot set up the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

impl FetchError {
    /// A short machine-friendly kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Blocked(_) => "blocked",
            FetchError::Scheme { .. } => "scheme",
            FetchError::Status { .. } => "status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Redirects { .. } => "redirects",
            FetchError::Network { .. } => "network",
            FetchError::Client(_) => "client",
        }
    }
}

/// Cache validators from an earlier response, sent back as If-None-Match / If-Modified-Since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The ETag header as received.
    pub etag: Option<String>,
    /// The Last-Modified header as received.
    pub last_modified: Option<String>,
}

/// A successful (2xx) response with its body read in full.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: Url,
    /// The body, decompressed.
    pub body: Vec<u8>,
    /// The Content-Type header.
    pub content_type: Option<String>,
    /// New validators for the next conditional request.
    pub validators: Validators,
    /// The Content-Language header.
    pub content_language: Option<String>,
    /// The X-Robots-Tag header.
    pub robots_tag: Option<String>,
    /// How long the server says the response stays fresh (Cache-Control max-age, Expires).
    pub fresh_for: Option<std::time::Duration>,
    /// Where every redirect followed was permanent (301/308): the new URL to poll.
    pub moved_permanently: Option<Url>,
}

/// What a conditional GET produced.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: nothing changed since the validators were issued.
    NotModified,
    /// A new body.
    Fetched(Box<Fetched>),
}

/// A shared HTTP client with politeness limits; cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<FetcherInner>,
}

#[derive(Debug)]
struct FetcherInner {
    /// Replaced by a new client in [`Fetcher::close_idle_connections`].
    client: std::sync::Mutex<reqwest::Client>,
    config: FetchConfig,
    hosts: HostLimiter,
    global: Semaphore,
    robots: RobotsCache,
}

/// The HTTP client for `[fetch]`.
fn build_client(config: &FetchConfig) -> Result<reqwest::Client, FetchError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(redirect::Policy::none())
        .pool_idle_timeout(POOL_IDLE)
        .gzip(true)
        .brotli(true)
        .deflate(true);
    builder = match &config.proxy {
        Some(proxy) => {
            builder.proxy(reqwest::Proxy::all(proxy.as_str()).map_err(FetchError::Client)?)
        }
        None => builder.no_proxy(),
    };
    if !config.allow_private_networks {
        builder = builder.dns_resolver(Arc::new(guard::PublicOnlyResolver));
    }
    builder.build().map_err(FetchError::Client)
}

impl Fetcher {
    /// Builds the client from `[fetch]`. Redirects are followed by [`Fetcher::fetch`]
    /// itself, so each hop is checked and polite, and permanent moves are reported.
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            inner: Arc::new(FetcherInner {
                client: std::sync::Mutex::new(build_client(config)?),
                config: config.clone(),
                hosts: HostLimiter::new(config.per_host_concurrency, config.per_host_delay),
                global: Semaphore::new(config.max_concurrency),
                robots: RobotsCache::default(),
            }),
        })
    }

    /// Closes the pooled keep-alive connections, on the runtime's threads, while the caller
    /// goes on. An ingest calls it once its last page is fetched: left to the runtime's
    /// shutdown, closing the ~200 connections of a 1,000-article pass (two per outlet) took
    /// its last 10-17 ms, after the checkpoint. Requests made later open new connections.
    pub fn close_idle_connections(&self) {
        let fresh = match build_client(&self.inner.config) {
            Ok(client) => client,
            // Built the same way as the one in use, which did build.
            Err(e) => return tracing::warn!("keeping pooled connections: {e}"),
        };
        let old = std::mem::replace(&mut *self.client_slot(), fresh);
        drop(old);
    }

    fn client_slot(&self) -> std::sync::MutexGuard<'_, reqwest::Client> {
        self.inner
            .client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn client(&self) -> reqwest::Client {
        self.client_slot().clone()
    }

    /// GET `url`, conditionally when `validators` has an ETag or Last-Modified, following
    /// at most [`MAX_REDIRECTS`] redirects (each hop checked against the address guard).
    pub async fn fetch(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let shown = url.to_string();
        let mut current = url.clone();
        let mut visited: Vec<Url> = Vec::new();
        let mut all_permanent = true;
        let (response, permits) = loop {
            self.check_target(&current)?;
            let permits = self.permits(&current).await;
            let response = self
                .request(&current, validators)
                .send()
                .await
                .map_err(|e| self.classify(current.as_ref(), e))?;
            let status = response.status();
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
                break (response, permits);
            }
            let next = header_str(response.headers(), header::LOCATION)
                .and_then(|loc| current.join(&loc).ok())
                .ok_or_else(|| FetchError::Status {
                    url: current.to_string(),
                    status: status.as_u16(),
                    retry_after: None,
                })?;
            all_permanent &= matches!(status.as_u16(), 301 | 308);
            visited.push(current);
            if visited.len() > MAX_REDIRECTS || visited.contains(&next) {
                return Err(FetchError::Redirects { url: shown });
            }
            current = next;
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: current.to_string(),
                status: status.as_u16(),
                retry_after: header_str(response.headers(), header::RETRY_AFTER)
                    .and_then(|v| parse_retry_after(&v, Utc::now())),
            });
        }
        let mut fetched = self.read_body(current.to_string(), response).await?;
        drop(permits);
        if !visited.is_empty() && all_permanent {
            fetched.moved_permanently = Some(fetched.final_url.clone());
        }
        Ok(FetchOutcome::Fetched(Box::new(fetched)))
    }

    /// POSTs a form (WebSub publish pings): same guard, limits and timeouts as a GET; a
    /// non-2xx answer is an error.
    pub async fn post_form(&self, url: &Url, form: &[(&str, &str)]) -> Result<(), FetchError> {
        self.check_target(url)?;
        let _permits = self.permits(url).await;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .client()
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| self.classify(url.as_str(), e))?;
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: response.status().as_u16(),
                retry_after: None,
            });
        }
        Ok(())
    }

    /// Checks robots.txt before fetching the article page `url`: the origin's file is
    /// fetched once per process (politely, like any request) and its Crawl-delay applied.
    pub async fn robots_allow(&self, url: &Url) -> Result<(), String> {
        let cell = self.inner.robots.cell(url);
        let rules = cell.get_or_init(|| self.load_robots(url)).await;
        if let (Some(delay), Some(host)) = (rules.crawl_delay(), url.host_str()) {
            self.inner.hosts.raise_delay(host, delay);
        }
        rules.check(url)
    }

    async fn load_robots(&self, url: &Url) -> RobotsRules {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return RobotsRules::AllowAll;
        };
        match self.fetch(&robots_url, &Validators::default()).await {
            Ok(FetchOutcome::Fetched(f)) => RobotsRules::parse(ROBOTS_AGENT, &f.body),
            Ok(FetchOutcome::NotModified) => RobotsRules::AllowAll,
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                RobotsRules::AllowAll
            }
            Err(e) => RobotsRules::DisallowAll(e.to_string()),
        }
    }

    /// Refuses non-http(s) URLs and, unless allowed, IP literals on private networks
    /// (host names are checked by the resolver, on the address actually connected to).
    fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme {
                url: url.to_string(),
            });
        }
        if !self.inner.config.allow_private_networks {
            guard::check_literal(url)?;
        }
        Ok(())
    }

    /// Waits for a global slot and a slot (and the politeness delay) on `url`'s host.
    async fn permits(&self, url: &Url) -> (tokio::sync::SemaphorePermit<'_>, limits::HostPermit) {
        let global = self.inner.global.acquire().await.expect("never closed");
        let host = self
            .inner
            .hosts
            .acquire(url.host_str().unwrap_or_default())
            .await;
        (global, host)
    }

    fn request(&self, url: &Url, validators: &Validators) -> reqwest::RequestBuilder {
        let mut request = self.client().get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        request
    }

    async fn read_body(
        &self,
        shown: String,
        mut response: reqwest::Response,
    ) -> Result<Fetched, FetchError> {
        let limit = self.inner.config.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::TooLarge { url: shown, limit });
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        // Sized from Content-Length when there is one (already checked against the cap), so
        // the body is not copied as it grows.
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        // Counted while streaming, after decompression: a gzip bomb stops at the cap.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.classify(&shown, e))?
        {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge { url: shown, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            final_url,
            body,
            content_type: header_str(&headers, header::CONTENT_TYPE),
            validators: Validators {
                etag: header_str(&headers, header::ETAG),
                last_modified: header_str(&headers, header::LAST_MODIFIED),
            },
            content_language: header_str(&headers, header::CONTENT_LANGUAGE),
            robots_tag: header_str(&headers, "x-robots-tag"),
            fresh_for: freshness(&headers, Utc::now()),
            moved_permanently: None,
        })
    }

    /// Turns a reqwest error into the most specific [`FetchError`].
    fn classify(&self, url: &str, err: reqwest::Error) -> FetchError {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(e) = cause {
            if let Some(blocked) = e.downcast_ref::<BlockedAddress>() {
                return FetchError::Blocked(blocked.clone());
            }
            cause = e.source();
        }
        if err.is_timeout() {
            let after = if err.is_connect() {
                self.inner.config.connect_timeout
            } else {
                self.inner.config.timeout
            };
            return FetchError::Timeout {
                url: url.to_string(),
                after,
            };
        }
        FetchError::Network {
            url: url.to_string(),
            source: err,
        }
    }
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Freshness lifetime from Cache-Control `max-age` (or `s-maxage`), else `Expires`.
pub fn freshness(headers: &HeaderMap, now: DateTime<Utc>) -> Option<std::time::Duration> {
    if let Some(cc) = header_str(headers, header::CACHE_CONTROL) {
        let lower = cc.to_ascii_lowercase();
        if lower.contains("no-cache") || lower.contains("no-store") {
            return None;
        }
        for part in lower.split(',') {
            let part = part.trim();
            let value = part
                .strip_prefix("s-maxage=")
                .or_else(|| part.strip_prefix("max-age="));
            if let Some(secs) = value.and_then(|v| v.trim_matches('"').parse::<u64>().ok()) {
                return Some(std::time::Duration::from_secs(secs));
            }
        }
    }
    let expires = header_str(headers, header::EXPIRES)?;
    let at = DateTime::parse_from_rfc2822(&expires)
        .ok()?
        .with_timezone(&Utc);
    (at - now).to_std().ok()
}

/// Parses Retry-After in its seconds form or its HTTP-date form.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(now + chrono::Duration::seconds(secs.min(365 * 86_400) as i64));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_both_forms() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(now + chrono::Duration::seconds(120))
        );
        let date = parse_retry_after("Thu, 01 Jan 2026 01:00:00 GMT", now).unwrap();
        assert_eq!(date, now + chrono::Duration::hours(1));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
