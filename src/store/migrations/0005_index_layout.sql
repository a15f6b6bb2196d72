-- The folding and related indexes laid out for the one query each serves per new article
-- (measured with benches/store_index.rs): band and posting lookups read one primary-key
-- range (WITHOUT ROWID, no second seek per row); a posting carries its story's publication
-- time, so the time window is checked without reading story_vectors; the story count is kept
-- in a one-row table instead of being counted per article. New stories post only their most
-- distinctive terms (related::posted_terms); postings written before are kept.
CREATE TABLE bands_v5 (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, article_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO bands_v5 (band_key, article_id) SELECT band_key, article_id FROM bands;
DROP TABLE bands;
ALTER TABLE bands_v5 RENAME TO bands;
CREATE INDEX bands_by_article ON bands(article_id);

-- Postings: a term's stories by weight.
CREATE TABLE terms_v5 (
    term      INTEGER NOT NULL,             -- stable hash of the token
    weight    REAL NOT NULL,
    story_id  INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    published INTEGER NOT NULL,             -- = story_vectors.published of the story
    PRIMARY KEY (term, weight DESC, story_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO terms_v5 (term, weight, story_id, published)
    SELECT t.term, t.weight, t.story_id, s.published
    FROM terms t JOIN story_vectors s ON s.story_id = t.story_id;
DROP TABLE terms;
ALTER TABLE terms_v5 RENAME TO terms;
CREATE INDEX terms_by_story ON terms(story_id);

-- Nothing reads story_vectors by date any more.
DROP INDEX story_vectors_by_published;

CREATE TABLE story_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO story_count (id, n) SELECT 1, COUNT(*) FROM story_vectors;
CREATE TRIGGER story_count_insert AFTER INSERT ON story_vectors
BEGIN
    UPDATE story_count SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER story_count_delete AFTER DELETE ON story_vectors
BEGIN
    UPDATE story_count SET n = n - 1 WHERE id = 1;
END;

-- A new story's terms reach term_df in bulk, many stories at once (store::index::DfCache);
-- until then its vector is marked uncounted. Existing stories are counted.
ALTER TABLE story_vectors ADD COLUMN counted INTEGER NOT NULL DEFAULT 1;
CREATE INDEX story_vectors_uncounted ON story_vectors(story_id) WHERE counted = 0;
