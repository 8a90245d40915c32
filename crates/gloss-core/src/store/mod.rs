//! The SQLite database: one file, `<data>/gloss.db`, holding every episode
//! and (later) everything the user adds.
//!
//! # Durability
//!
//! The database runs in WAL mode with `synchronous = FULL`: every commit is
//! fsynced to the WAL before it is acknowledged, so an acknowledged write
//! survives a killed process *and* a power cut. `NORMAL` would survive a
//! killed process too (the WAL lives in the OS page cache, which outlives the
//! process) but could drop the last few commits on power loss. Gloss's writes
//! are few and small (user actions, ingest batches of hundreds of files in one
//! transaction), so the fsync per commit is cheap and a highlight the user saw
//! saved stays saved. Ingest commits with `NORMAL`
//! ([`Store::write_rebuildable`]): what it stores is re-read from the library
//! folder if a power cut drops it.
//!
//! # Concurrency
//!
//! One writer connection behind a mutex; every write is a `BEGIN IMMEDIATE`
//! transaction so it takes the write lock up front instead of failing half way
//! with `SQLITE_BUSY`. Readers come from a small pool of `query_only`
//! connections and, thanks to WAL, never wait for the writer. A lock file
//! keeps a second Gloss process off the same data folder.
//!
//! # Stopping
//!
//! Reads made for someone who no longer waits for them (a server that is
//! closing, a client that went away) can be stopped: see [`StopSwitch`].
//! Writes always run to their end.

mod checked;
mod checkpoint;
pub mod episodes;
mod error;
mod lock;
pub mod recover;
pub mod schema;
pub(crate) mod search_index;
pub mod settings;
mod stop;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use error::{Error, Result};
use lock::DataDirLock;
pub use stop::StopSwitch;

/// How long a connection waits for a lock held by another connection before
/// giving up with "database is busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's default: checkpoint once the WAL holds this many pages.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 1000;

/// The WAL file is cut back to this size when it starts over. SQLite
/// otherwise keeps it at its largest: a first import of 100,000 files, which
/// checkpoints only at its end (see [`Store::bulk`]), left 3.6 GB of WAL on
/// disk for as long as Gloss ran.
const WAL_SIZE_LIMIT_BYTES: i64 = 64 << 20;

/// SQLite's default page cache per connection (negative: KiB), and the
/// one for [`Store::bulk`].
const DEFAULT_CACHE_KIB: i64 = -2000;
const BULK_CACHE_KIB: i64 = -16000;

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "gloss.db";

#[derive(Debug)]
pub struct Store {
    data_dir: PathBuf,
    db_path: PathBuf,
    /// Checkpoints the WAL off the write path, started by the first commit
    /// (a command that only reads never needs it); `None`: the writer does.
    checkpointer: OnceLock<Option<checkpoint::Checkpointer>>,
    // Fields drop in this order. The last connection to close checkpoints
    // the WAL into `gloss.db` and removes it, but only if it may write: with
    // a read connection last, every clean exit left the data in
    // `gloss.db-wal`, and a copy of `gloss.db` alone held none of it.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
    /// Threads waiting for `writer` (see [`Store::writer_wanted`]).
    writers_waiting: AtomicUsize,
    /// Set when SQLite reported the file damaged while running: from then
    /// on nothing more is written into it.
    damaged: AtomicBool,
    /// The file was found as a Gloss that closed cleanly left it.
    found_as_left: bool,
    _lock: DataDirLock,
}

/// A store closed without trouble leaves its file as Gloss wrote it from
/// a state found sound: recorded so, the next start skips the whole-file
/// check (see `checked`), which on a large library took longer than the
/// rest of the start. A Gloss that was killed records nothing.
impl Drop for Store {
    fn drop(&mut self) {
        if self.damaged.load(Ordering::SeqCst) {
            return;
        }
        // Readers and the checkpointer close first, so the checkpoint can
        // empty the WAL; the writer, closing last, then has nothing more to
        // write to the file.
        if let Some(checkpointer) = self.checkpointer.get_mut().and_then(Option::as_mut) {
            checkpointer.stop();
        }
        self.readers.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        let writer = self.writer.get_mut().unwrap_or_else(PoisonError::into_inner);
        if writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0))
            .is_ok_and(|busy| busy == 0)
        {
            checked::record_sound(&self.db_path);
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, takes the data
    /// folder's lock and brings the schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir { dir: data_dir.to_owned(), source })?;
        let lock = DataDirLock::acquire(data_dir)?;
        let db_path = data_dir.join(DB_FILE);
        let found_as_left = checked::unchanged_since_checked(&db_path);
        recover::check_file(&db_path)?;
        let mut writer = open_connection(&db_path, false)?;
        recover::check(&writer, &db_path)?;
        schema::migrate(&mut writer, &db_path, data_dir)?;
        // The checkpointer does it (see `checkpointer`).
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(Store {
            checkpointer: OnceLock::new(),
            data_dir: data_dir.to_owned(),
            db_path,
            writer: Mutex::new(writer),
            writers_waiting: AtomicUsize::new(0),
            readers: Mutex::new(Vec::new()),
            damaged: Default::default(),
            found_as_left,
            _lock: lock,
        })
    }

    /// Whether the file was, on opening, as a Gloss that closed cleanly
    /// left it (see [`checked`]): nothing else wrote it since, and no
    /// transaction was cut short. What Gloss writes is consistent at every
    /// commit, so such a file needs no catching up (see
    /// `annotations::reanchor_pending`).
    pub fn found_as_left(&self) -> bool {
        self.found_as_left
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction and commits it; any
    /// error rolls everything back.
    pub fn write<T>(&self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.refuse_if_damaged()?;
        let value = in_transaction(&mut self.lock_writer(), work).map_err(|err| self.explained(err))?;
        self.committed();
        Ok(value)
    }

    /// The writer connection, once this thread's turn comes; counted in
    /// `writers_waiting` until then.
    fn lock_writer(&self) -> MutexGuard<'_, Connection> {
        self.writers_waiting.fetch_add(1, Ordering::Relaxed);
        let writer = lock(&self.writer);
        self.writers_waiting.fetch_sub(1, Ordering::Relaxed);
        writer
    }

    /// Whether another thread waits to write: a long run of work in one
    /// transaction (the ingest) commits early to let it in.
    pub(crate) fn writer_wanted(&self) -> bool {
        self.writers_waiting.load(Ordering::Relaxed) > 0
    }

    /// After each commit: the checkpointer may have frames to copy.
    fn committed(&self) {
        if let Some(checkpointer) = self.checkpointer() {
            checkpointer.nudge();
        }
    }

    /// The checkpointer, started on first use. When it can not be started,
    /// the writer checkpoints itself again. Never call with the writer locked.
    fn checkpointer(&self) -> Option<&checkpoint::Checkpointer> {
        self.checkpointer
            .get_or_init(|| {
                let started = open_connection(&self.db_path, false).ok().and_then(checkpoint::Checkpointer::start);
                if started.is_none() {
                    // Failing too leaves the WAL to grow until the store closes.
                    let _ = self.lock_writer().pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES);
                }
                started
            })
            .as_ref()
    }

    /// Like [`write`](Store::write), for data rebuilt from the library folder
    /// if lost (what ingest stores): the commit does not wait for the disk
    /// (`synchronous = NORMAL`). It survives a killed process all the same;
    /// a power cut may drop it, and the next reconcile then reads those files
    /// again. The next durable commit makes it durable too, since the WAL is
    /// synced in order.
    pub fn write_rebuildable<T>(&self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.refuse_if_damaged()?;
        let mut conn = self.lock_writer();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = in_transaction(&mut conn, work).map_err(|err| self.explained(err));
        conn.pragma_update(None, "synchronous", "FULL")?;
        drop(conn);
        if result.is_ok() {
            self.committed();
        }
        result
    }

    /// Runs `work`, a long run of [`write_rebuildable`](Store::write_rebuildable)
    /// calls, without checkpointing the WAL in between, then checkpoints once.
    /// Checkpoints write pages into the database file and sync it; one at the
    /// end instead of one every few megabytes makes a first import of a large
    /// library markedly faster. Readers are unaffected.
    ///
    /// Its transactions get a larger page cache: with the default one, a
    /// batch's pages spilled to the WAL before its commit and were written
    /// twice. The memory is given back at the end.
    pub fn bulk<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let checkpointer = self.checkpointer();
        match checkpointer {
            Some(checkpointer) => checkpointer.pause(true),
            None => self.lock_writer().pragma_update(None, "wal_autocheckpoint", 0)?,
        }
        self.lock_writer().pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        let result = work();
        match checkpointer {
            Some(checkpointer) => checkpointer.pause(false),
            None => self.lock_writer().pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?,
        }
        let conn = self.lock_writer();
        conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB)?;
        conn.execute_batch("PRAGMA shrink_memory")?;
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        result
    }

    /// A write that failed for want of room becomes [`Error::DiskFull`],
    /// which names the data folder: SQLite's "database or disk is full"
    /// tells the user neither where nor what to do.
    ///
    /// A failure because the file is damaged becomes [`Error::Corrupt`],
    /// naming the file and what to do, and no later write is attempted.
    ///
    /// A read stopped by its [`StopSwitch`] becomes [`Error::Stopped`].
    fn explained(&self, err: Error) -> Error {
        match err {
            Error::Sqlite(source) if source.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
                Error::Stopped
            }
            Error::Sqlite(source) if error::is_full(&source) => Error::DiskFull { dir: self.data_dir.clone(), source },
            Error::Sqlite(source) if error::is_corrupt(&source) => {
                self.damaged.store(true, Ordering::SeqCst);
                Error::Corrupt { path: self.db_path.clone(), reason: source.to_string() }
            }
            err => err,
        }
    }

    fn refuse_if_damaged(&self) -> Result<()> {
        if self.damaged.load(Ordering::SeqCst) {
            let reason = "SQLite reported it damaged while Gloss was running".to_owned();
            return Err(Error::Corrupt { path: self.db_path.clone(), reason });
        }
        Ok(())
    }

    /// Runs `work` on a read connection inside one read transaction, so every
    /// query in it sees the same snapshot.
    ///
    /// Inside [`StopSwitch::run`], it fails with [`Error::Stopped`] once
    /// the switch is flipped, whether it was running then or starts later.
    pub fn read<T>(&self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        // A short query would finish before its progress handler looked.
        if stop::stopped() {
            return Err(Error::Stopped);
        }
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let value = {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let value = work(&tx);
            // Nothing to commit; ending the transaction releases the snapshot.
            tx.rollback()?;
            value.map_err(|err| self.explained(err))?
        };
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        Ok(value)
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = open_connection(&self.db_path, true)?;
        stop::watch(&conn);
        Ok(conn)
    }
}

fn in_transaction<T>(conn: &mut Connection, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

fn open_connection(db_path: &Path, read_only: bool) -> Result<Connection> {
    let open_error = |source| Error::Open { path: db_path.to_owned(), source };
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let open_error = |source: rusqlite::Error| match error::is_corrupt(&source) {
        true => Error::Corrupt { path: db_path.to_owned(), reason: source.to_string() },
        false => open_error(source),
    };
    let conn = Connection::open_with_flags(db_path, flags).map_err(open_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
    if !read_only {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0)).map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::NoWal { path: db_path.to_owned(), mode });
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_error)?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT_BYTES).map_err(open_error)?;
    }
    conn.pragma_update(None, "foreign_keys", true).map_err(open_error)?;
    crate::search::register_ranking(&conn).map_err(open_error)?;
    Ok(conn)
}

/// A poisoned mutex only means another thread panicked while holding it; the
/// connection itself is fine (SQLite rolled back its open transaction), so
/// keep using it rather than failing every later call.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An error that is either the database's or a refusal of the caller's own
/// (invalid input, a conflict): see [`savepoint`].
pub trait Refusable: Sized {
    /// The database error this is, or the refusal back.
    fn into_store(self) -> std::result::Result<Error, Self>;
}

/// Runs `work` under a savepoint inside the caller's transaction. A refusal
/// undoes what `work` wrote and comes back as `Ok(Err(refusal))`, so the
/// transaction can go on (or commit nothing else); a database error is
/// returned as one and ends the transaction. (The store's transactions roll
/// back only on a database error.)
pub fn savepoint<T, E: Refusable>(
    conn: &Connection,
    work: impl FnOnce() -> std::result::Result<T, E>,
) -> Result<std::result::Result<T, E>> {
    conn.execute_batch("SAVEPOINT refusable")?;
    match work() {
        Ok(value) => {
            conn.execute_batch("RELEASE refusable")?;
            Ok(Ok(value))
        }
        Err(error) => match error.into_store() {
            Ok(store) => Err(store),
            Err(refusal) => {
                conn.execute_batch("ROLLBACK TO refusable; RELEASE refusable")?;
                Ok(Err(refusal))
            }
        },
    }
}

/// Milliseconds since the Unix epoch: the unit of every timestamp stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_write_waiting_for_its_turn_is_seen_by_the_one_holding_the_writer() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let (inside, is_inside) = mpsc::channel();
        let (wanted, saw_wanted) = mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                store
                    .write(|_| {
                        assert!(!store.writer_wanted(), "nobody waits yet");
                        inside.send(()).unwrap();
                        // The ingest asks between batches; here, until the other write waits.
                        let given_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
                        while !store.writer_wanted() {
                            assert!(std::time::Instant::now() < given_up, "the waiting write was never seen");
                            std::thread::yield_now();
                        }
                        wanted.send(()).unwrap();
                        Ok(())
                    })
                    .unwrap();
            });
            is_inside.recv().unwrap();
            scope.spawn(|| store.write(|_| Ok(())).unwrap());
            saw_wanted.recv().unwrap();
        });
        assert!(!store.writer_wanted(), "both writes done");
    }
}
