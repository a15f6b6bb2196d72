-- One row per ingest pass, for /healthz and /metrics (last ingest time and duration).
CREATE TABLE ingest_runs (
    id           INTEGER PRIMARY KEY,
    finished     INTEGER NOT NULL,           -- unix seconds
    duration_ms  INTEGER NOT NULL,
    feeds_ok     INTEGER NOT NULL,
    feeds_failed INTEGER NOT NULL,
    new_articles INTEGER NOT NULL,
    updated      INTEGER NOT NULL
);
