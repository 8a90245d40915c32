//! Keeping the database in step with the library folder.
//!
//! One routine, [`reconcile`], serves both the full reconcile (at start, on
//! rescans, periodically) and the watcher's batches of changed paths:
//!
//! 1. Find the summary files in scope and compare each with its row by size
//!    and mtime; only files whose stat differs are read.
//! 2. A file at a path with no row is first matched, by content hash, against
//!    episodes whose files are gone (vanished now or missing since earlier):
//!    that is a rename or move, and the episode keeps its id.
//! 3. Changed and new files are read, hashed and parsed in parallel, a batch
//!    at a time, and each batch is written in one transaction. A new file
//!    whose content changed as it moved is matched by its fingerprint (title
//!    and show) if exactly one gone episode has it.
//! 4. Episodes whose files are gone and were not claimed become `missing`.
//!
//! A path that has a row always keeps that row's identity, whatever the
//! content: editors save by replacing the file at the same path.

mod files;
mod read;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::ErrorKind;
use std::path::Path;

use crate::events::{Event, Events};
use crate::scan::ScanCounts;
use crate::store::episodes::{self, EpisodeId, FileRow, FileStat, FileVersion, Status};
use crate::store::{Error, Result, Store};
use files::Found;
use rayon::prelude::*;
use read::Read;

pub(crate) use files::{is_hidden, rel_key};

/// Files read (in parallel) at a time: enough to keep the cores busy, few
/// enough that memory stays flat.
const BATCH: usize = 256;
/// Batches written per transaction. Every commit writes again each index
/// page its batches touched, and new files land all over the indexes
/// ordered by title or show. At 100,000 files, committing every batch
/// wrote a 3.6 GB write-ahead log for a 1.1 GB database, every 8 batches
/// 2.0 GB and every 32 batches 1.5 GB. Readers still see the library fill
/// about once a second, and a write waiting for its turn (a highlight made
/// during a first import) ends the transaction after the batch under way.
const BATCHES_PER_COMMIT: usize = 16;

/// The part of the library a reconcile looks at.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    All,
    /// These paths (files or folders, relative, `/`-separated) and everything under them.
    Paths(BTreeSet<String>),
}

impl Scope {
    pub(crate) fn contains(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Paths(paths) => {
                paths.contains(path) || path.match_indices('/').any(|(slash, _)| paths.contains(&path[..slash]))
            }
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ReconcileReport {
    pub counts: ScanCounts,
    /// Files that changed while being read: look again shortly.
    pub unsettled: Vec<String>,
    /// Parts of the folder that could not be looked at, and why, for the
    /// user; the caller decides which are news (a watcher looks again and again).
    pub problems: Vec<String>,
}

/// A file to read, and the row it updates if it has one.
enum Job<'r> {
    Changed(&'r FileRow),
    New,
}

/// Brings the episodes in `scope` in line with the files under `root`,
/// publishing an event for every change. Callers serialise reconciles.
pub(crate) fn reconcile(store: &Store, events: &Events, root: &Path, scope: &Scope) -> Result<ReconcileReport> {
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            let source = std::io::Error::other("it is a file, not a folder");
            return Err(Error::Folder { path: root.to_owned(), source });
        }
        Err(source) => return Err(Error::Folder { path: root.to_owned(), source }),
    }
    let Found { files: disk, unreadable, problems, refused } = find_files(root, scope);
    let rows = store.read(|conn| episodes::file_rows(conn))?;
    let mut report = ReconcileReport { problems, ..ReconcileReport::default() };
    report.counts.errors += refused;
    let mut claimed: HashSet<EpisodeId> = HashSet::new();

    let by_path: HashMap<&str, &FileRow> = rows.iter().map(|row| (row.path.as_str(), row)).collect();
    let mut returned = Vec::new();
    let mut jobs: Vec<(Job, &str)> = Vec::new();
    for (path, stat) in &disk {
        match by_path.get(path.as_str()) {
            Some(row) if row.stat == *stat && row.status == Status::Missing => {
                returned.push((*row, path.as_str(), *stat))
            }
            Some(row) if row.stat == *stat && !row.read_failed() => {
                if row.has_error() {
                    report.counts.errors += 1;
                } else {
                    report.counts.unchanged += 1;
                }
            }
            Some(row) => jobs.push((Job::Changed(row), path)),
            None => jobs.push((Job::New, path)),
        }
    }
    // Episodes whose files are gone: vanished in scope now (from where Gloss
    // could look), or missing from before.
    let vanished = |row: &FileRow| scope.contains(&row.path) && !unreadable.contains(&row.path);
    let gone: Vec<&FileRow> = rows
        .iter()
        .filter(|row| !disk.contains_key(&row.path))
        .filter(|row| row.status == Status::Missing || vanished(row))
        .collect();

    let moved = match_moves_by_hash(root, &disk, &mut jobs, &gone, &mut claimed);
    restore(store, events, &returned, &moved, &mut report)?;
    let batches: Vec<&[(Job, &str)]> = jobs.chunks(BATCH).collect();
    let mut ingest = || -> Result<()> {
        let mut reads = batches.first().map(|batch| read_batch(root, batch));
        let mut next = 0;
        while next < batches.len() {
            let published = store.write_rebuildable(|tx| {
                let mut published = Vec::new();
                // Up to BATCHES_PER_COMMIT batches; after one, a write
                // waiting for its turn (a highlight made meanwhile) gets in.
                for n in 0..BATCHES_PER_COMMIT {
                    if next == batches.len() || (n > 0 && store.writer_wanted()) {
                        break;
                    }
                    let (batch, following) = (batches[next], batches.get(next + 1));
                    next += 1;
                    let current = reads.take().unwrap_or_default();
                    let (stored, read) = while_reading(root, following, || {
                        store_batch(tx, batch, current, &gone, &mut claimed, &mut report)
                    });
                    reads = read;
                    published.extend(stored?);
                }
                Ok(published)
            })?;
            published.into_iter().for_each(|event| events.publish(event));
        }
        Ok(())
    };
    if batches.len() > 1 {
        store.bulk(ingest)?;
    } else {
        ingest()?;
    }
    mark_missing(store, events, scope, &gone, &claimed, &mut report)?;
    Ok(report)
}

fn find_files(root: &Path, scope: &Scope) -> Found {
    let mut found = Found::new();
    match scope {
        Scope::All => files::find(root, Path::new(""), &mut found),
        Scope::Paths(paths) => {
            for path in paths.iter().filter(|path| !is_hidden(Path::new(path))) {
                let full = root.join(path);
                match full.symlink_metadata() {
                    Ok(_) => files::find(root, Path::new(path), &mut found),
                    // Gone: what was there is missing.
                    Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {}
                    Err(e) => found.unreadable_at(root, &full, &e),
                }
            }
        }
    }
    found
}

/// Takes the new files whose bytes equal a gone episode's last bytes out of
/// `jobs` and pairs them with that episode: renames and moves. Among several
/// gone episodes with the same bytes, the most recently updated one wins.
fn match_moves_by_hash<'r, 'd>(
    root: &Path,
    disk: &'d BTreeMap<String, FileStat>,
    jobs: &mut Vec<(Job<'r>, &'d str)>,
    gone: &[&'r FileRow],
    claimed: &mut HashSet<EpisodeId>,
) -> Vec<(&'r FileRow, &'d str, FileStat)> {
    let mut moved = Vec::new();
    if gone.is_empty() || !jobs.iter().any(|(job, _)| matches!(job, Job::New)) {
        return moved;
    }
    let mut by_hash: HashMap<&str, Vec<&FileRow>> = HashMap::new();
    for row in gone.iter().filter(|row| !row.content_hash.is_empty()) {
        by_hash.entry(row.content_hash.as_str()).or_default().push(row);
    }
    for rows in by_hash.values_mut() {
        rows.sort_by_key(|row| std::cmp::Reverse(row.updated_at));
    }
    let hashes: Vec<Option<String>> = jobs
        .par_iter()
        .map(|(job, path)| match job {
            Job::New => read::hash_file(root, path),
            Job::Changed(_) => None,
        })
        .collect();
    let mut kept = Vec::with_capacity(jobs.len());
    for ((job, path), hash) in jobs.drain(..).zip(hashes) {
        let row = hash
            .and_then(|hash| by_hash.get(hash.as_str()))
            .and_then(|rows| rows.iter().find(|row| !claimed.contains(&row.id)));
        match (row, disk.get(path)) {
            (Some(row), Some(stat)) => {
                claimed.insert(row.id);
                moved.push((*row, path, *stat));
            }
            _ => kept.push((job, path)),
        }
    }
    *jobs = kept;
    moved
}

/// What one file did to its episode.
enum Change {
    Unchanged { has_error: bool },
    Added(EpisodeId),
    Updated { id: EpisodeId, text_changed: bool, moved_from: Option<String> },
}

impl ReconcileReport {
    /// Counts `change` and returns the event announcing it, from the
    /// episode's state as stored.
    fn record(&mut self, tx: &rusqlite::Connection, change: Change) -> Result<Option<Event>> {
        let counts = &mut self.counts;
        let (id, update) = match change {
            Change::Unchanged { has_error } => {
                *(if has_error { &mut counts.errors } else { &mut counts.unchanged }) += 1;
                return Ok(None);
            }
            Change::Added(id) => (id, None),
            Change::Updated { id, text_changed, moved_from } => (id, Some((text_changed, moved_from))),
        };
        let Some(episode) = episodes::summary(tx, id)? else { return Ok(None) };
        let event = match update {
            _ if episode.status == Status::Error => {
                counts.errors += 1;
                Event::Error { episode }
            }
            None => {
                counts.added += 1;
                Event::Added { episode }
            }
            Some((text_changed, moved_from)) => {
                *(if moved_from.is_some() { &mut counts.moved } else { &mut counts.updated }) += 1;
                Event::Updated { episode, text_changed, moved_from }
            }
        };
        Ok(Some(event))
    }
}

/// Re-attaches episodes whose unchanged bytes are back, at the same path
/// (`returned`) or a new one (`moved`).
fn restore(
    store: &Store,
    events: &Events,
    returned: &[(&FileRow, &str, FileStat)],
    moved: &[(&FileRow, &str, FileStat)],
    report: &mut ReconcileReport,
) -> Result<()> {
    if returned.is_empty() && moved.is_empty() {
        return Ok(());
    }
    let published = store.write_rebuildable(|tx| {
        let mut published = Vec::new();
        for (rows, is_move) in [(returned, false), (moved, true)] {
            for (row, path, stat) in rows {
                episodes::touch(tx, row, path, *stat)?;
                let moved_from = is_move.then(|| row.path.clone());
                let change = Change::Updated { id: row.id, text_changed: false, moved_from };
                published.extend(report.record(tx, change)?);
            }
        }
        Ok(published)
    })?;
    published.into_iter().for_each(|event| events.publish(event));
    Ok(())
}

/// Runs `store` while the batch `following`, if any, is read and parsed
/// on another thread (the transaction `store` writes in stays on this one).
fn while_reading<T>(
    root: &Path,
    following: Option<&&[(Job, &str)]>,
    store: impl FnOnce() -> T,
) -> (T, Option<Vec<Read>>) {
    std::thread::scope(|scope| {
        let reading = following.map(|batch| scope.spawn(|| read_batch(root, batch)));
        let stored = store();
        (stored, reading.map(|reading| reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))))
    })
}

/// Reads a batch of files in parallel.
fn read_batch(root: &Path, batch: &[(Job, &str)]) -> Vec<Read> {
    batch.par_iter().map(|(_, path)| read::read_file(root, path)).collect()
}

/// Stores a batch of files as read; returns the events to publish once
/// the transaction commits.
fn store_batch(
    tx: &rusqlite::Connection,
    batch: &[(Job, &str)],
    reads: Vec<Read>,
    gone: &[&FileRow],
    claimed: &mut HashSet<EpisodeId>,
    report: &mut ReconcileReport,
) -> Result<Vec<Event>> {
    let mut published = Vec::new();
    for ((job, path), read) in batch.iter().zip(reads) {
        match read {
            Read::Version(version) => {
                let change = store_version(tx, job, path, &version, gone, claimed)?;
                published.extend(report.record(tx, change)?);
            }
            Read::Unsettled => report.unsettled.push((*path).to_owned()),
        }
    }
    Ok(published)
}

fn store_version(
    tx: &rusqlite::Connection,
    job: &Job,
    path: &str,
    version: &FileVersion,
    gone: &[&FileRow],
    claimed: &mut HashSet<EpisodeId>,
) -> Result<Change> {
    let (id, moved_from) = match job {
        // Failed again the same way (a file still not readable): nothing new.
        Job::Changed(row)
            if row.stat == version.stat
                && row.error.is_some()
                && row.error.as_ref() == version.content.as_ref().err() =>
        {
            return Ok(Change::Unchanged { has_error: true });
        }
        Job::Changed(row) if row.content_hash == version.content_hash && !row.content_hash.is_empty() => {
            // Same bytes, new stat (a touch, a copy back): nothing to re-parse.
            episodes::touch(tx, row, path, version.stat)?;
            if row.status != Status::Missing {
                return Ok(Change::Unchanged { has_error: row.has_error() });
            }
            return Ok(Change::Updated { id: row.id, text_changed: false, moved_from: None });
        }
        Job::Changed(row) => (row.id, None),
        Job::New => match moved_by_fingerprint(version, gone, claimed) {
            Some(row) => (row.id, Some(row.path.clone())),
            None => return Ok(Change::Added(episodes::insert(tx, version)?)),
        },
    };
    let text_changed = episodes::update(tx, id, version)?;
    if text_changed {
        // In the same transaction, so the text and the anchors into it
        // never disagree on disk.
        crate::annotations::reanchor_episode(tx, id)?;
    }
    Ok(Change::Updated { id, text_changed, moved_from })
}

/// The one unclaimed gone episode with the same title and show as a new
/// file whose bytes matched none: a file edited and renamed in one go.
fn moved_by_fingerprint<'r>(
    version: &FileVersion,
    gone: &[&'r FileRow],
    claimed: &mut HashSet<EpisodeId>,
) -> Option<&'r FileRow> {
    let fingerprint = version.content.as_ref().ok()?.identifying_fingerprint()?;
    let mut matches =
        gone.iter().filter(|row| !claimed.contains(&row.id) && row.fingerprint.as_deref() == Some(fingerprint));
    let row = matches.next()?;
    if matches.next().is_some() {
        return None; // Ambiguous: better a new episode than the wrong one.
    }
    claimed.insert(row.id);
    Some(row)
}

/// The library folder itself is gone (deleted, renamed away, replaced by a
/// file): every episode's file went with it. They stay readable, and come
/// back (same ids) when their files do.
pub(crate) fn folder_gone(store: &Store, events: &Events) -> Result<()> {
    let rows = store.read(|conn| episodes::file_rows(conn))?;
    let gone: Vec<&FileRow> = rows.iter().collect();
    mark_missing(store, events, &Scope::All, &gone, &HashSet::new(), &mut ReconcileReport::default())
}

/// Marks the gone episodes in scope that no file claimed as `missing`.
fn mark_missing(
    store: &Store,
    events: &Events,
    scope: &Scope,
    gone: &[&FileRow],
    claimed: &HashSet<EpisodeId>,
    report: &mut ReconcileReport,
) -> Result<()> {
    let unclaimed: Vec<&&FileRow> =
        gone.iter().filter(|row| !claimed.contains(&row.id) && scope.contains(&row.path)).collect();
    report.counts.missing += unclaimed.len();
    let newly_missing: Vec<EpisodeId> =
        unclaimed.iter().filter(|row| row.status != Status::Missing).map(|row| row.id).collect();
    if newly_missing.is_empty() {
        return Ok(());
    }
    let published = store.write_rebuildable(|tx| {
        let mut published = Vec::new();
        for id in newly_missing {
            episodes::mark_missing(tx, id)?;
            if let Some(episode) = episodes::summary(tx, id)? {
                published.push(Event::Missing { episode });
            }
        }
        Ok(published)
    })?;
    published.into_iter().for_each(|event| events.publish(event));
    Ok(())
}
