-- Feeds with their fetch state, articles as fetched, and stories that group articles.
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    url                  TEXT NOT NULL,
    title                TEXT NOT NULL,
    etag                 TEXT,
    last_modified        TEXT,
    last_polled          INTEGER,            -- unix seconds of the last attempt
    last_success         INTEGER,            -- unix seconds of the last good fetch (200 or 304)
    last_status          INTEGER,            -- HTTP status of the last attempt
    last_error           TEXT,               -- why the last attempt failed, NULL after success
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    retry_after          INTEGER,            -- unix seconds: the server said not before this
    disabled_reason      TEXT,               -- non-NULL: not polled any more, and why
    ttl_minutes          INTEGER
);

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    primary_id  INTEGER,                     -- the first article ingested into the story
    published   INTEGER NOT NULL,
    updated     INTEGER NOT NULL
);
CREATE INDEX stories_by_published ON stories(published DESC, id DESC);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id),
    story_id      INTEGER NOT NULL REFERENCES stories(id),
    identity      TEXT NOT NULL,             -- guid, else derived from link / title + date
    guid          TEXT,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title         TEXT NOT NULL,
    author        TEXT,
    categories    TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    image         TEXT,
    enclosures    TEXT NOT NULL DEFAULT '[]', -- JSON array of {url, mime_type, length}
    lang          TEXT,
    content_html  TEXT NOT NULL,             -- sanitized body
    content_text  TEXT NOT NULL,
    summary       TEXT,
    body_source   TEXT NOT NULL,             -- 'page' or 'feed'
    page_error    TEXT,                      -- why the page was not used, if it was not
    noarchive     INTEGER NOT NULL DEFAULT 0,
    feed_hash     TEXT NOT NULL,             -- hash of the feed entry, to notice edits
    published     INTEGER NOT NULL,
    first_seen    INTEGER NOT NULL,
    modified      INTEGER NOT NULL,
    UNIQUE (feed_id, identity)
);
CREATE INDEX articles_by_canonical ON articles(canonical_url);
CREATE INDEX articles_by_story ON articles(story_id);
