-- Postings keyed by (term, published, story_id): a related lookup asks for a term's stories
-- within a time window, which is now one range of the key. Keyed by weight (migration 5), a
-- lookup stepped through every posting of the term, whatever its date, to find those in the
-- window: with a year of stories and a 30-day window, most rows read were thrown away
-- (measured with benches/store_index.rs, see BENCHMARKS.md). The best weights within the
-- window are picked after the read (related::keep_best).
CREATE TABLE terms_v6 (
    term      INTEGER NOT NULL,             -- stable hash of the token
    published INTEGER NOT NULL,             -- = story_vectors.published of the story
    story_id  INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    weight    REAL NOT NULL,
    PRIMARY KEY (term, published, story_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO terms_v6 (term, published, story_id, weight)
    SELECT term, published, story_id, weight FROM terms ORDER BY term, published, story_id;
DROP TABLE terms;
ALTER TABLE terms_v6 RENAME TO terms;
CREATE INDEX terms_by_story ON terms(story_id);
