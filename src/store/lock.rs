//! The ingest lock: an exclusive OS file lock on `<database>.lock`, so overlapping cron runs
//! of `feedmix ingest` never work on one database at once. Released when dropped (or when
//! the process dies, since the OS drops it).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("another feedmix ingest is running on {db} (lock {lock}); try later, or pass --wait")]
    Held {
        /// The database.
        db: String,
        /// The lock file.
        lock: String,
    },
    /// The lock file could not be opened.
    #[error("cannot open lock file {lock}: {source}")]
    Io {
        /// The lock file.
        lock: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A held ingest lock.
#[derive(Debug)]
pub struct IngestLock {
    _file: File,
    path: PathBuf,
}

impl IngestLock {
    /// The lock file for `database`.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock, failing at once if another process holds it.
    pub fn try_acquire(database: &Path) -> Result<IngestLock, LockError> {
        let (file, path) = open(database)?;
        match file.try_lock() {
            Ok(()) => Ok(IngestLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held {
                db: database.display().to_string(),
                lock: path.display().to_string(),
            }),
            Err(TryLockError::Error(source)) => Err(LockError::Io {
                lock: path.display().to_string(),
                source,
            }),
        }
    }

    /// Takes the lock, waiting as long as another process holds it.
    pub fn acquire_blocking(database: &Path) -> Result<IngestLock, LockError> {
        let (file, path) = open(database)?;
        file.lock().map_err(|source| LockError::Io {
            lock: path.display().to_string(),
            source,
        })?;
        Ok(IngestLock { _file: file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open(database: &Path) -> Result<(File, PathBuf), LockError> {
    let path = IngestLock::path_for(database);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| LockError::Io {
            lock: path.display().to_string(),
            source,
        })?;
    Ok((file, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_is_refused_until_release() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("f.db");
        let first = IngestLock::try_acquire(&db).unwrap();
        let err = IngestLock::try_acquire(&db).unwrap_err();
        assert!(
            err.to_string()
                .contains("another feedmix ingest is running"),
            "{err}"
        );
        drop(first);
        IngestLock::try_acquire(&db).unwrap();
    }
}
