//! [`SyncSession`]: this device syncing its database with one folder, one
//! round at a time.
//!
//! A round:
//!
//! 1. **Send** (one transaction): the outbox's changes are stamped by when
//!    they were made, appended to this device's log and fsynced, then
//!    removed from the outbox.
//! 2. **Read** what is new in the folder (files and parsing, the slow
//!    part), outside any transaction: local edits go on meanwhile.
//! 3. **Receive** (one transaction): anything queued meanwhile is sent,
//!    what was read is merged into the state, and the registers of every
//!    op the database does not reflect yet are copied into it
//!    (`sync::apply`); those about an episode that is not here wait
//!    (persisted) and are tried again after an ingest
//!    ([`SyncSession::recheck_waiting`]), so they attach once the episode
//!    is ingested.
//! 4. **Compact** this device's own log if enough segments piled up.
//!
//! When another writer shows up under this device's id (a copied data
//! folder), or the id's op numbers are used up, the data folder takes a new
//! id and sends everything it holds again under it, as on a first join:
//! what the other copy's records hid is restated, nothing is lost.
//!
//! Receiving starts by sending whatever the user did since step 1, and no
//! user action can commit until it is done (it holds the database's write
//! lock). So the state always holds every local change before it is
//! written over the tables (nothing the user just did is undone), and the
//! state a local edit is stamped against is the one the user was looking
//! at: a note edit replaces exactly the version shown, and a concurrent
//! edit from elsewhere stays visible as an earlier version.
//!
//! Opening reads only this device's own log, so the first send stamps
//! changes queued while Gloss was not syncing (sync off, or changes made
//! through the command line) before anything of the other devices is
//! read: they merge as made when they were made.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::applied::Applied;
use super::apply::StoreTarget;
use super::seed;
use crate::annotations::{self, outbox, Changed, Kind, Origin, Writer};
use crate::store::episodes::EpisodeId;
use crate::store::{self, now_ms, settings, Store};
use gloss_sync::clock::wall_ms;
use gloss_sync::device::renew_device_id;
use gloss_sync::log::{LogError, LogOptions};
use gloss_sync::op::{Change, Op, OpId};
use gloss_sync::state::keys;
use gloss_sync::{device_id, Batch, DeviceError, DeviceId, Key, Replica, Waiting};

/// When the last round finished (Unix milliseconds), for the sync status.
pub(crate) const LAST_ROUND: &str = "sync_last_round";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("could not apply a change from the sync folder: {0}")]
    Apply(String),
    #[error("the sync folder {} can not be used: {reason}; choose a folder that exists and that Gloss may write to", path.display())]
    Folder { path: PathBuf, reason: String },
    #[error("sync is off; choose a sync folder first (settings, or `gloss sync --dir FOLDER`)")]
    Off,
    #[error("sync stopped on an internal error ({0}); it starts again on its own, and nothing was lost")]
    Crashed(String),
}

impl store::Refusable for SyncError {
    fn into_store(self) -> Result<store::Error, SyncError> {
        match self {
            SyncError::Store(error) => Ok(error),
            other => Err(other),
        }
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(error: rusqlite::Error) -> SyncError {
        SyncError::Store(error.into())
    }
}

impl From<annotations::Error> for SyncError {
    fn from(error: annotations::Error) -> SyncError {
        match error {
            annotations::Error::Store(error) => SyncError::Store(error),
            refusal => SyncError::Apply(refusal.to_string()),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundReport {
    /// Changes exported when this database joined the folder (first round only).
    pub exported: Option<usize>,
    /// Local changes written to this device's log.
    pub sent: usize,
    /// Records read from the folder, new or seen before.
    pub read: usize,
    /// Registers copied into the database.
    pub applied: usize,
    /// Registers waiting for an episode this device does not have.
    pub waiting: usize,
    /// Episodes whose annotations changed, by local id.
    pub changed_episodes: Vec<EpisodeId>,
    /// Whether a setting that follows the user changed.
    pub settings_changed: bool,
    /// Everything the round changed, announced once it is committed.
    #[serde(skip)]
    pub changed: Changed,
    /// Segments of this device's log merged into a snapshot.
    pub compacted: usize,
    /// What the user may want to know: damaged records, a clock far ahead,
    /// a failed compaction. None of them stopped the round.
    pub problems: Vec<String>,
    /// Set when this data folder took a new device id in this round: why.
    pub new_device: Option<String>,
}

impl std::fmt::Display for RoundReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(exported) = self.exported {
            writeln!(f, "joined the sync folder: {exported} earlier changes exported")?;
        }
        write!(
            f,
            "sent {}, read {}, applied {}, waiting for their episode {}",
            self.sent, self.read, self.applied, self.waiting
        )?;
        if let Some(new_device) = &self.new_device {
            write!(f, "\n  {new_device}")?;
        }
        for problem in &self.problems {
            write!(f, "\n  problem: {problem}")?;
        }
        Ok(())
    }
}

impl RoundReport {
    /// Whether the round sent or received anything.
    pub fn did_something(&self) -> bool {
        self.sent > 0 || self.applied > 0 || self.exported.is_some_and(|n| n > 0)
    }
}

/// This device syncing with one folder. Keep it between rounds: each
/// round then reads only what is new. After a round fails the session
/// starts over (re-reads the folder) on the next one.
#[derive(Debug)]
pub struct SyncSession {
    data_dir: PathBuf,
    sync_dir: PathBuf,
    options: LogOptions,
    replica: Replica,
    waiting: Waiting,
    applied: Applied,
    /// Ops read when opening (this device's own log) and not applied yet.
    unapplied: Vec<Op>,
    exported: Option<usize>,
    /// Set when a round failed half way: the state may hold ops the
    /// database does not, so the next round starts over.
    spoiled: bool,
    /// Whether every waiting register should be tried again (episodes were
    /// ingested since): not on every round, since thousands may wait.
    recheck_waiting: bool,
}

impl SyncSession {
    /// Opens this device's log in `sync_dir` (the device id is kept in
    /// `data_dir`). On the first join of this database to a folder without
    /// a log of this device, everything the database holds is queued to be
    /// sent (`sync::seed`).
    pub fn open(
        store: &Store,
        data_dir: &Path,
        sync_dir: &Path,
        options: LogOptions,
    ) -> Result<SyncSession, SyncError> {
        let folder_error = |reason: String| SyncError::Folder { path: sync_dir.to_owned(), reason };
        // One folder, one name: however it is reached, the join below recognises it.
        let sync_dir = &std::fs::canonicalize(sync_dir).map_err(|error| folder_error(error.to_string()))?;
        if !sync_dir.is_dir() {
            return Err(folder_error("it is a file, not a folder".into()));
        }
        let device = device_id(data_dir)?;
        let (replica, own) = Replica::open_own(sync_dir, device, options)?;
        let folder = sync_dir.to_string_lossy().into_owned();
        let exported = transaction(store, |tx| {
            if settings::get(tx, outbox::JOINED)?.as_deref() == Some(folder.as_str()) {
                return Ok(None);
            }
            // A folder that already holds this device's log has everything
            // up to the last change sent to it; only the outbox is new.
            let exported = if own.ops.is_empty() { Some(seed::export_all(tx, now_ms())?) } else { None };
            settings::set(tx, outbox::JOINED, &folder)?;
            Ok(exported)
        })?;
        let (applied, waiting) = store.read(|conn| Ok((Applied::load(conn)?, load_waiting(conn)?)))?;
        Ok(SyncSession {
            data_dir: data_dir.to_owned(),
            sync_dir: sync_dir.to_owned(),
            options,
            replica,
            waiting,
            applied,
            unapplied: own.ops,
            exported,
            spoiled: false,
            recheck_waiting: true,
        })
    }

    /// Episodes were ingested: the next round tries every register waiting
    /// for its episode again.
    pub fn recheck_waiting(&mut self) {
        self.recheck_waiting = true;
    }

    pub fn sync_dir(&self) -> &Path {
        &self.sync_dir
    }

    pub fn device(&self) -> &DeviceId {
        self.replica.device()
    }

    /// Sends the outbox, applies what is new in the folder, compacts.
    pub fn round(&mut self, store: &Store) -> Result<RoundReport, SyncError> {
        if self.spoiled {
            let recheck = self.recheck_waiting;
            *self = SyncSession::open(store, &self.data_dir, &self.sync_dir, self.options)?;
            self.recheck_waiting |= recheck;
        }
        self.spoiled = true;
        let mut report = RoundReport { exported: self.exported.take(), ..RoundReport::default() };
        // Sent on its own first, so a failure to receive never sends twice...
        report.sent = match transaction(store, |tx| self.send(tx)) {
            Err(SyncError::Log(LogError::Exhausted(_))) => {
                return self.renew_device(store, report, "its op numbers are used up")
            }
            sent => sent?,
        };
        let batch = self.replica.read()?;
        // ...and again as receiving starts: a change the user made in
        // between must be in the state before the state is written over
        // the tables, or applying would undo it here while it wins elsewhere.
        let second_writer = transaction(store, |tx| {
            report.sent += self.send(tx)?;
            self.receive(tx, batch, &mut report)
        })?;
        if second_writer {
            return self.renew_device(store, report, "another copy of this data folder syncs under the same id");
        }
        self.spoiled = false;
        match self.replica.compact_if_due() {
            Ok(compacted) => report.compacted = compacted.map_or(0, |c| c.segments),
            Err(error) => report.problems.push(format!("could not compact this device's sync log: {error}")),
        }
        Ok(report)
    }

    /// Gives this data folder a new device id and has the next round send
    /// everything the database holds under it (the session starts over, as
    /// on a first join).
    fn renew_device(&mut self, store: &Store, mut report: RoundReport, why: &str) -> Result<RoundReport, SyncError> {
        let old = self.device().clone();
        let new = renew_device_id(&self.data_dir)?;
        transaction(store, |tx| Ok(settings::remove(tx, outbox::JOINED)?))?;
        self.spoiled = true;
        report.new_device = Some(format!(
            "This data folder synced as device {old}, but {why}. It now syncs as device {new} and sends \
             its changes again under that id; nothing is lost."
        ));
        Ok(report)
    }

    fn send(&mut self, tx: &Connection) -> Result<usize, SyncError> {
        let queued = outbox::queued(tx)?;
        let Some(last) = queued.last().map(|q| q.id) else {
            // Rows this Gloss could not read are dropped all the same.
            outbox::remove_through(tx, i64::MAX)?;
            return Ok(0);
        };
        let edits: Vec<(Change, u64)> =
            queued.into_iter().map(|q| (q.change, u64::try_from(q.made_at).unwrap_or(0))).collect();
        let ops = self.replica.record_edits(edits)?;
        outbox::remove_through(tx, last)?;
        // They came from this database: it reflects them already.
        for op in &ops {
            self.applied.insert(&op.id());
        }
        self.applied.save(tx)?;
        Ok(ops.len())
    }

    /// Merges `batch` and applies what the database lacks; true if another
    /// writer was seen using this device's id.
    fn receive(&mut self, tx: &Connection, batch: Batch, report: &mut RoundReport) -> Result<bool, SyncError> {
        let round = self.replica.merge(batch, wall_ms());
        report.read = round.read;
        report.problems.extend(round.problems.iter().map(ToString::to_string));
        let second_writer = round.second_writer_of(self.replica.device());
        let rewritten: HashSet<&OpId> = round.rewritten.iter().collect();
        let mut new = HashSet::new();
        let mut created = BTreeSet::new();
        let mut seen = std::collections::BTreeMap::<&DeviceId, u64>::new();
        let ops: Vec<Op> = std::mem::take(&mut self.unapplied).into_iter().chain(round.ops).collect();
        for op in &ops {
            let latest = seen.entry(&op.device).or_default();
            *latest = (*latest).max(op.stamp.ms);
            // An id seen with other content says something new all the same.
            if self.applied.insert(&op.id()) || rewritten.contains(&op.id()) {
                new.extend(registers(&op.change));
                if let Change::CreateHighlight { highlight, .. } = &op.change {
                    created.insert(highlight.clone());
                }
            }
        }
        let state = self.replica.state();
        let mut writer = Writer::new(tx, now_ms(), Origin::Remote);
        let mut target = StoreTarget::new(&mut writer);
        self.waiting.deliver(state, &mut target, new)?;
        // Whatever waited may have its episode (ingested since) or its
        // highlight's creation (just read) now.
        if std::mem::take(&mut self.recheck_waiting) {
            self.waiting.retry(state, &mut target)?;
        } else {
            self.waiting.retry_highlights(state, &mut target, &created)?;
        }
        target.finish()?;
        report.applied = target.applied;
        let changed = writer.finish()?;
        self.applied.save(tx)?;
        save_waiting(tx, &mut self.waiting)?;
        for (device, last_seen) in seen {
            tx.prepare_cached(
                "INSERT INTO sync_devices (device, last_seen) VALUES (?1, ?2)
                 ON CONFLICT (device) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
            )?
            .execute(params![device.as_str(), i64::try_from(last_seen).unwrap_or(i64::MAX)])?;
        }
        settings::set(tx, LAST_ROUND, &now_ms().to_string())?;
        report.waiting = self.waiting.len();
        report.changed_episodes = changed.episodes.iter().copied().collect();
        report.settings_changed = changed.kinds.contains(&Kind::Setting);
        report.changed = changed;
        Ok(second_writer)
    }
}

/// The registers an op writes, and for a purge the highlight it removes.
fn registers(change: &Change) -> Vec<Key> {
    match change {
        Change::Purge { highlight } => vec![Key::Created(highlight.clone())],
        change => keys(change),
    }
}

fn load_waiting(conn: &Connection) -> store::Result<Waiting> {
    let mut stmt = conn.prepare_cached("SELECT key FROM sync_waiting")?;
    let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
    let mut keys = Vec::new();
    for row in rows {
        // A key this Gloss can not read waits for nothing it could apply.
        if let Ok(key) = serde_json::from_str::<Key>(&row?) {
            keys.push(key);
        }
    }
    Ok(keys.into_iter().collect())
}

/// Saves what started or stopped waiting since the last save.
fn save_waiting(conn: &Connection, waiting: &mut Waiting) -> store::Result<()> {
    for (key, waits) in waiting.take_changes() {
        let Ok(key) = serde_json::to_string(&key) else { continue };
        let sql = if waits {
            "INSERT OR IGNORE INTO sync_waiting (key) VALUES (?1)"
        } else {
            "DELETE FROM sync_waiting WHERE key = ?1"
        };
        conn.prepare_cached(sql)?.execute([key])?;
    }
    Ok(())
}

/// Runs `work` in one write transaction. Any error rolls back what it
/// wrote (a savepoint undoes it when the error is not the database's).
fn transaction<T>(store: &Store, work: impl FnOnce(&Connection) -> Result<T, SyncError>) -> Result<T, SyncError> {
    store.write(|tx| store::savepoint(tx, || work(tx)))?
}

/// When the last round finished, if ever.
pub(crate) fn last_round(conn: &Connection) -> store::Result<Option<i64>> {
    Ok(settings::get(conn, LAST_ROUND)?.and_then(|text| text.parse().ok()))
}

/// The devices seen in the folder and the time of their latest change.
pub(crate) fn devices(conn: &Connection) -> store::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT device, last_seen FROM sync_devices ORDER BY last_seen DESC")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
