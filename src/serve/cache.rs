//! Rendered responses, cached per request path until the database changes, and answered
//! conditionally (strong ETag, Last-Modified).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::dedup::stable_hash;

/// Most cached bodies kept (paths beyond it evict everything: rare, and cheap to rebuild).
const MAX_ENTRIES: usize = 512;

/// A rendered body with its validators.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The bytes.
    pub body: Arc<str>,
    /// Content-Type.
    pub content_type: &'static str,
    /// Strong validator: a hash of the body.
    pub etag: String,
    /// When the content last changed, if known.
    pub last_modified: Option<DateTime<Utc>>,
}

impl Rendered {
    /// Wraps a body.
    pub fn new(
        body: String,
        content_type: &'static str,
        last_modified: Option<DateTime<Utc>>,
    ) -> Rendered {
        let etag = format!("\"{:016x}\"", stable_hash(body.as_bytes()));
        Rendered {
            body: body.into(),
            content_type,
            etag,
            last_modified,
        }
    }

    /// A 200 with validators, or a 304 when the request's validators match.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let etag = HeaderValue::from_str(&self.etag).expect("hex is a valid header value");
        let last_modified = self.last_modified.map(http_date);
        if self.not_modified(request) {
            let mut response = (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            if let Some(lm) = last_modified.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::LAST_MODIFIED, lm);
            }
            return response;
        }
        let mut response = (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (header::ETAG, etag),
            ],
            self.body.to_string(),
        )
            .into_response();
        if let Some(lm) = last_modified.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::LAST_MODIFIED, lm);
        }
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        response
    }

    fn not_modified(&self, request: &HeaderMap) -> bool {
        if let Some(tags) = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
        {
            // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
            return tags
                .split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == self.etag || t.strip_prefix("W/") == Some(&self.etag));
        }
        let since = request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
        match (since, self.last_modified) {
            (Some(since), Some(modified)) => modified.timestamp() <= since.timestamp(),
            _ => false,
        }
    }
}

/// An HTTP-date (RFC 9110 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Bodies by path, valid for one `data_version`.
#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, (i64, Rendered)>>,
}

impl Cache {
    /// The cached body for `key` if built at `version`.
    pub fn get(&self, key: &str, version: i64) -> Option<Rendered> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, r)| r.clone())
    }

    /// Stores a body built at `version`.
    pub fn put(&self, key: String, version: i64, rendered: Rendered) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (version, rendered));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn conditional_requests() {
        let modified = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = Rendered::new("body".into(), "text/plain", Some(modified));
        assert_eq!(r.respond(&HeaderMap::new()).status(), 200);
        assert_eq!(
            r.respond(&headers(header::IF_NONE_MATCH, &r.etag)).status(),
            304
        );
        assert_eq!(
            r.respond(&headers(header::IF_NONE_MATCH, "\"other\""))
                .status(),
            200
        );
        assert_eq!(
            r.respond(&headers(
                header::IF_MODIFIED_SINCE,
                "Mon, 02 Nov 2026 10:00:00 GMT"
            ))
            .status(),
            304
        );
        assert_eq!(
            r.respond(&headers(
                header::IF_MODIFIED_SINCE,
                "Mon, 02 Nov 2026 09:59:59 GMT"
            ))
            .status(),
            200
        );
        assert_eq!(http_date(modified), "Mon, 02 Nov 2026 10:00:00 GMT");
    }
}
