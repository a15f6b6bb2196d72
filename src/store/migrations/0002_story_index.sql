-- Indexes for folding copies (MinHash LSH band keys) and for related stories (TF-IDF
-- postings, document frequencies, each story's vector and its current related list).
CREATE TABLE bands (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX bands_by_key ON bands(band_key);
CREATE INDEX bands_by_article ON bands(article_id);

CREATE TABLE story_vectors (
    story_id  INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    source    TEXT NOT NULL,
    published INTEGER NOT NULL,
    vector    BLOB NOT NULL                 -- (i64 term id, f32 weight) pairs, little-endian
);
CREATE INDEX story_vectors_by_published ON story_vectors(published);

CREATE TABLE terms (
    term     INTEGER NOT NULL,              -- stable hash of the token
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    weight   REAL NOT NULL
);
CREATE INDEX terms_by_term ON terms(term, weight DESC);
CREATE INDEX terms_by_story ON terms(story_id);

CREATE TABLE term_df (
    term INTEGER PRIMARY KEY,
    df   INTEGER NOT NULL
);

CREATE TABLE related (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,
    other_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score    REAL NOT NULL,
    PRIMARY KEY (story_id, rank)
) WITHOUT ROWID;
CREATE INDEX related_by_other ON related(other_id);
