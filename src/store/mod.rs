//! SQLite persistence: the only user of rusqlite. Opens the database (WAL, foreign keys),
//! applies numbered migrations, and offers one file of queries per table.

mod articles;
mod band_filter;
mod checkpoint;
mod feeds;
mod index;
mod lock;
mod maintenance;
mod postings;
mod runs;
mod stories;
mod unwritten;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use articles::{ArticleRecord, ArticleWrite, FeedBatch, KnownArticle, Prepared, WriteStats};
pub use feeds::{FeedRow, NextCheck, PollResult};
pub use lock::{IngestLock, LockError};
pub use maintenance::PruneStats;
pub use runs::{IngestRun, Stats};
pub use stories::{StoredStory, StoryQuery};

/// Numbered migrations, applied in order and recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_story_index.sql")),
    (3, include_str!("migrations/0003_schedule.sql")),
    (4, include_str!("migrations/0004_ingest_runs.sql")),
    (5, include_str!("migrations/0005_index_layout.sql")),
    (6, include_str!("migrations/0006_postings_by_date.sql")),
    (
        7,
        include_str!("migrations/0007_index_without_back_references.sql"),
    ),
];

/// An in-memory database with every migration applied.
#[cfg(test)]
fn migrated_in_memory() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER);",
    )
    .unwrap();
    for (_, sql) in MIGRATIONS {
        conn.execute_batch(sql).unwrap();
    }
    conn
}

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed (disk full, read-only, corrupt file, locked).
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer feedmix.
    #[error("database {path} has schema version {found}, newer than this feedmix knows ({known}); upgrade feedmix")]
    TooNew {
        /// The database file.
        path: String,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A feed named in a call is not in the database.
    #[error("no feed named `{0}` in the database")]
    UnknownFeed(String),
}

/// An open feedmix database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: String,
    /// What this connection knows of the related index (frequencies, decoded vectors).
    index_cache: std::cell::RefCell<index::IndexCache>,
    /// The database file, for the checkpointer's connection.
    file: std::path::PathBuf,
    /// The background WAL checkpointer, started by the first batch write; `Err` once it
    /// could not start (the writer's automatic checkpoint then does all the work).
    checkpointer: Option<std::result::Result<checkpoint::Checkpointer, ()>>,
    /// When the write transaction that [`Store::hold_feed_batches`] keeps open began; `None`
    /// when none is open.
    held: Option<std::time::Instant>,
}

/// Executes `sql` through the connection's statement cache (`Connection::execute`
/// would parse it again on every call).
pub(super) fn exec(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// Rows per multi-row `INSERT` at most. A one-row statement pays its setup (bind, step,
/// reset, cursor open) for every row: about as much as the row's own b-tree insert when the
/// rows come sorted. Measured on the store bench's write path: 5.4 % fewer instructions
/// (BENCHMARKS.md, session 14).
const ROWS_PER_INSERT: usize = 64;

/// A row for [`insert_rows`]: a tuple of column values.
pub(super) trait Row {
    /// Placeholders the row takes.
    const COLUMNS: usize;
    /// Binds the values to parameters `at`, `at + 1`, ...
    fn bind(self, statement: &mut rusqlite::Statement<'_>, at: usize) -> rusqlite::Result<()>;
}

macro_rules! tuple_row {
    ($columns:literal: $($t:ident $i:tt),+) => {
        impl<$($t: rusqlite::ToSql),+> Row for ($($t,)+) {
            const COLUMNS: usize = $columns;
            fn bind(self, statement: &mut rusqlite::Statement<'_>, at: usize) -> rusqlite::Result<()> {
                $(statement.raw_bind_parameter(at + $i, self.$i)?;)+
                Ok(())
            }
        }
    };
}
tuple_row!(2: A 0, B 1);
tuple_row!(3: A 0, B 1, C 2);
tuple_row!(4: A 0, B 1, C 2, D 3);

/// Inserts `rows`, in their order, with `head` ("INSERT OR ... INTO t (a, b) VALUES"). Rows go
/// [`ROWS_PER_INSERT`] to a statement, and the remainder in power-of-two groups, so a table
/// has at most seven statement shapes in the cache. Each row keeps the statement's conflict
/// clause (`OR IGNORE` ignores that row alone).
///
/// `head` must not let a constraint abort the statement (plain `INSERT`, `OR ABORT`, an
/// upsert): SQLite then keeps a statement journal to undo a half-done multi-row statement,
/// which wrote 343 MB of temporary files in a 10,000-article pass. A foreign key does the
/// same, whatever the clause. `OR IGNORE` and `OR FAIL` into a table without foreign keys
/// need none; after a failure the caller rolls the whole transaction back anyway.
pub(super) fn insert_rows<R: Row>(
    conn: &Connection,
    head: &str,
    rows: impl IntoIterator<Item = R>,
) -> rusqlite::Result<()> {
    let placeholders = format!("({})", vec!["?"; R::COLUMNS].join(", "));
    let write = |group: &mut Vec<R>| -> rusqlite::Result<()> {
        let mut insert = conn.prepare_cached(&format!(
            "{head} {}",
            vec![placeholders.as_str(); group.len()].join(", ")
        ))?;
        for (i, row) in group.drain(..).enumerate() {
            row.bind(&mut insert, i * R::COLUMNS + 1)?;
        }
        insert.raw_execute().map(|_| ())
    };
    let mut group = Vec::with_capacity(ROWS_PER_INSERT);
    for row in rows {
        group.push(row);
        if group.len() == ROWS_PER_INSERT {
            write(&mut group)?;
        }
    }
    while !group.is_empty() {
        // The largest power of two that fits, from the front: the rows stay in order.
        let n = 1 << group.len().ilog2();
        let mut front: Vec<R> = group.drain(..n).collect();
        write(&mut front)?;
    }
    Ok(())
}

/// Result alias for store operations.
pub type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        let mut store = Store::connect(path, OpenFlags::default())?;
        store
            .conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -32768;
                 PRAGMA wal_autocheckpoint = 8192;",
            )
            .map_err(|e| err(&store.path, e))?;
        store.migrate()?;
        Ok(store)
    }

    /// A connection to `path` with the settings every use shares.
    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let shown = path.display().to_string();
        let conn = Connection::open_with_flags(path, flags).map_err(|e| err(&shown, e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| err(&shown, e))?;
        // The write path runs about twenty distinct statements per article, and the multi-row
        // inserts up to seven shapes each: keep them all prepared instead of re-parsing SQL.
        conn.set_prepared_statement_cache_capacity(128);
        Ok(Store {
            conn,
            path: shown,
            index_cache: Default::default(),
            file: path.to_path_buf(),
            checkpointer: None,
            held: None,
        })
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = self.conn.transaction().map_err(|e| err(&self.path, e))?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .map_err(|e| err(&self.path, e))?;
        let current: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(|e| err(&self.path, e))?;
        known_version(&self.path, current)?;
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.execute_batch(sql).map_err(|e| err(&self.path, e))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                [version],
            )
            .map_err(|e| err(&self.path, e))?;
        }
        tx.commit().map_err(|e| err(&self.path, e))
    }

    /// Opens a connection for reading an existing database that [`Store::open`] has
    /// migrated (it never migrates; a database newer than this build is refused).
    ///
    /// Its page cache is 512 KB: an ingest plans feeds on about twenty of these at once, each
    /// looking items up by key, and with SQLite's default 2 MB each they held 26 MB of a
    /// steady-state poll on a 50,000-article database (227 MB peak, 201 MB with 512 KB).
    pub fn open_reader(path: &Path) -> Result<Store> {
        let store = Store::connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        known_version(&store.path, store.schema_version()?)?;
        store
            .conn
            .execute_batch("PRAGMA cache_size = -512")
            .map_err(|e| err(&store.path, e))?;
        Ok(store)
    }

    /// The database file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// After a committed write transaction: lets the background checkpointer copy the new WAL
    /// frames, starting it on first use.
    pub(super) fn after_commit(&mut self) {
        let conn = &self.conn;
        let cp = self.checkpointer.get_or_insert_with(|| {
            let started = checkpoint::Checkpointer::start(&self.file).and_then(|cp| {
                conn.execute_batch(&format!(
                    "PRAGMA wal_autocheckpoint = {}",
                    checkpoint::WRITER_BACKSTOP_PAGES
                ))
                .map_err(std::io::Error::other)?;
                Ok(cp)
            });
            started.map_err(|e| {
                tracing::warn!(db = %self.path, error = %e, "no background checkpointer; SQLite checkpoints inside commits");
            })
        });
        if let Ok(cp) = cp {
            cp.nudge();
        }
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when the database is sound.
    pub fn integrity_check(&self) -> Result<std::result::Result<(), String>> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| err(&self.path, e))?;
        Ok(if verdict == "ok" {
            Ok(())
        } else {
            Err(verdict)
        })
    }

    /// A cheap soundness probe for health checks (`PRAGMA quick_check` of one page).
    pub fn integrity_quick(&self) -> Result<std::result::Result<(), String>> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| err(&self.path, e))?;
        Ok(if verdict == "ok" {
            Ok(())
        } else {
            Err(verdict)
        })
    }

    /// The highest migration applied.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .map_err(|e| err(&self.path, e))
    }
}

/// Refuses a database migrated by a newer feedmix (schema `found`).
fn known_version(path: &str, found: i64) -> Result<()> {
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if found > known {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found,
            known,
        });
    }
    Ok(())
}

fn err(path: &str, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests;
