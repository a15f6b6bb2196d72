-- The folding and related postings lose their foreign keys and their by-owner indexes
-- (`bands_by_article`, `terms_by_story`). Every new article wrote ~100 of these rows, and each
-- row paid a parent-key probe and a second b-tree insert for them, on the writer thread
-- (measured: BENCHMARKS.md, run 6). Their only readers were the cascades and prune; prune now
-- deletes these rows itself (store::maintenance), by one scan of each table.
CREATE TABLE bands_v7 (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL,            -- articles.id; removed by prune
    PRIMARY KEY (band_key, article_id)
) WITHOUT ROWID;
INSERT INTO bands_v7 (band_key, article_id)
    SELECT band_key, article_id FROM bands WHERE article_id IN (SELECT id FROM articles);
DROP TABLE bands;
ALTER TABLE bands_v7 RENAME TO bands;

CREATE TABLE terms_v7 (
    term      INTEGER NOT NULL,             -- stable hash of the token
    published INTEGER NOT NULL,             -- = story_vectors.published of the story
    story_id  INTEGER NOT NULL,             -- stories.id; removed by prune
    weight    REAL NOT NULL,
    PRIMARY KEY (term, published, story_id)
) WITHOUT ROWID;
INSERT INTO terms_v7 (term, published, story_id, weight)
    SELECT term, published, story_id, weight FROM terms
    WHERE story_id IN (SELECT id FROM stories);
DROP TABLE terms;
ALTER TABLE terms_v7 RENAME TO terms;
