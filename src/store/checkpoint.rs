//! The background WAL checkpointer: a thread with its own connection that copies committed
//! WAL frames into the database file while the writer goes on writing, so that an ingest's
//! commits do not stop every few dozen transactions for a checkpoint.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses `wal_autocheckpoint`
//! pages: with the index tables' random page writes that is tens of megabytes of writes and
//! an fsync, charged to one unlucky article (every ~60th one-article commit took 200-300 ms
//! at 100,000 stored articles). Here the writer nudges this thread after each commit; the
//! thread runs `PRAGMA wal_checkpoint(PASSIVE)` at most every [`INTERVAL`] (a passive
//! checkpoint never blocks the writer or readers). The writer's own automatic checkpoint
//! stays on as the backstop, at [`WRITER_BACKSTOP_PAGES`]: it is what restarts the WAL from
//! its beginning (bounding the file), and by then nearly every frame is already copied.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Least time between two background checkpoints: long enough that a page written by several
/// commits is copied once, short against the time the writer takes to reach its backstop
/// (hundreds of commits), so the backstop finds little left to copy.
pub(super) const INTERVAL: Duration = Duration::from_millis(50);

/// `wal_autocheckpoint` of the writer while the checkpointer runs (pages; 128 MB of WAL at
/// most), instead of the 8,192 it uses alone.
pub(super) const WRITER_BACKSTOP_PAGES: u32 = 32_768;

/// A running checkpointer; dropping it stops the thread (after the checkpoint in progress).
#[derive(Debug)]
pub(super) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a second connection to `path` and starts the thread.
    pub(super) fn start(path: &Path) -> std::io::Result<Checkpointer> {
        let conn = Connection::open(path).map_err(std::io::Error::other)?;
        conn.busy_timeout(Duration::from_millis(100))
            .map_err(std::io::Error::other)?;
        // As the writer: the WAL is synced before frames are copied, the database after.
        conn.execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(std::io::Error::other)?;
        let (wake, rx) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("feedmix-checkpoint".into())
            .spawn(move || run(&conn, &rx))?;
        Ok(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a transaction committed; never blocks.
    pub(super) fn nudge(&self) {
        if let Some(wake) = &self.wake {
            let _ = wake.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread: waits for a nudge, lets at least [`INTERVAL`] pass since the last checkpoint
/// (nudges in between are merged), checkpoints; stops when the sender is dropped.
fn run(conn: &Connection, wake: &Receiver<()>) {
    let mut last: Option<Instant> = None;
    while wake.recv().is_ok() {
        if let Some(last) = last {
            let due = last + INTERVAL;
            while let Some(left) = due.checked_duration_since(Instant::now()) {
                if let Err(RecvTimeoutError::Disconnected) = wake.recv_timeout(left) {
                    return;
                }
            }
        }
        let began = Instant::now();
        let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        });
        match result {
            Ok((busy, wal_frames, copied)) => {
                let ms = began.elapsed().as_secs_f64() * 1e3;
                tracing::trace!(busy, wal_frames, copied, ms, "background checkpoint");
            }
            Err(e) => tracing::debug!(error = %e, "background checkpoint failed"),
        }
        last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_frames_while_the_writer_keeps_its_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE t (x BLOB);",
            )
            .unwrap();
        let cp = Checkpointer::start(&path).unwrap();
        for _ in 0..50 {
            writer
                .execute("INSERT INTO t VALUES (zeroblob(4000))", [])
                .unwrap();
        }
        let before = std::fs::metadata(&path).unwrap().len();
        cp.nudge();
        // Wait (bounded) for the thread to copy the frames into the database file.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&path).unwrap().len() <= before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            std::fs::metadata(&path).unwrap().len() > before + 100_000,
            "the checkpoint copied the committed rows into the database file"
        );
        drop(cp);
        let n: i64 = writer
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 50);
    }
}
