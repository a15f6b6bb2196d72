//! Housekeeping on the whole database: pruning old stories (with their index rows), online
//! backup and vacuum.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{err, Result, Store};

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Stories removed.
    pub stories: usize,
    /// Articles removed.
    pub articles: usize,
}

impl Store {
    /// Removes stories published before `cutoff`, their articles and every index row
    /// that mentions them, in one transaction.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> Result<PruneStats> {
        self.commit_held()?;
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| err(&path, e))?;
        let run = |sql: &str| tx.execute(sql, []).map_err(|e| err(&path, e));
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY)",
            [],
        )
        .map_err(|e| err(&path, e))?;
        run("DELETE FROM temp.doomed")?;
        tx.execute(
            "INSERT INTO temp.doomed (id) SELECT id FROM stories WHERE published < ?1",
            [cutoff.timestamp()],
        )
        .map_err(|e| err(&path, e))?;
        // Document frequencies count every term of a story's vector (only the most
        // distinctive are posted in `terms`), so they are taken back from the vectors.
        super::index::uncount_doomed_terms(&tx).map_err(|e| err(&path, e))?;
        // Postings and band keys carry no foreign key (migration 7: the key probes and the
        // by-owner indexes cost every new article more than a scan costs a prune), so
        // nothing cascades: each table is scanned once here.
        run("DELETE FROM terms WHERE story_id IN (SELECT id FROM temp.doomed)")?;
        run("DELETE FROM story_vectors WHERE story_id IN (SELECT id FROM temp.doomed)")?;
        run(
            "DELETE FROM related WHERE story_id IN (SELECT id FROM temp.doomed)
                 OR other_id IN (SELECT id FROM temp.doomed)",
        )?;
        // A surviving list that linked a pruned story now has a gap in its ranks. The
        // writer takes a list's n-th entry to be rank n (it rewrites a list from the rank
        // where a new story enters it), so the ranks are closed up again.
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS relinked
                 (story_id INTEGER, rank INTEGER, other_id INTEGER, score REAL)",
            [],
        )
        .map_err(|e| err(&path, e))?;
        run("DELETE FROM temp.relinked")?;
        run("INSERT INTO temp.relinked (story_id, rank, other_id, score)
                 SELECT story_id, ROW_NUMBER() OVER (PARTITION BY story_id ORDER BY rank) - 1,
                        other_id, score
                 FROM related WHERE story_id IN
                     (SELECT story_id FROM related GROUP BY story_id
                      HAVING MAX(rank) + 1 != COUNT(*))")?;
        run("DELETE FROM related WHERE story_id IN (SELECT story_id FROM temp.relinked)")?;
        run("INSERT INTO related (story_id, rank, other_id, score)
                 SELECT story_id, rank, other_id, score FROM temp.relinked")?;
        run("DELETE FROM temp.relinked")?;
        run("DELETE FROM bands WHERE article_id IN
                 (SELECT id FROM articles WHERE story_id IN (SELECT id FROM temp.doomed))")?;
        let articles = run("DELETE FROM articles WHERE story_id IN (SELECT id FROM temp.doomed)")?;
        let stories = run("DELETE FROM stories WHERE id IN (SELECT id FROM temp.doomed)")?;
        run("DELETE FROM temp.doomed")?;
        tx.commit().map_err(|e| err(&path, e))?;
        self.index_cache.borrow_mut().clear();
        Ok(PruneStats { stories, articles })
    }

    /// Copies the live database to `dest` with SQLite's online backup (readers and
    /// writers may keep working meanwhile).
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let mut target =
            rusqlite::Connection::open(dest).map_err(|e| err(&dest.display().to_string(), e))?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)
            .map_err(|e| err(&self.path, e))?;
        backup
            .run_to_completion(256, Duration::from_millis(10), None)
            .map_err(|e| err(&self.path, e))
    }

    /// Rebuilds the file to reclaim free pages.
    pub fn vacuum(&self) -> Result<()> {
        self.conn
            .execute_batch("VACUUM")
            .map_err(|e| err(&self.path, e))
    }
}
