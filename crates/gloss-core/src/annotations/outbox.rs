//! The outbox: the user's changes waiting to be written to this device's
//! sync log.
//!
//! Every annotation action queues the [`Change`]s it made with `push`,
//! inside the transaction that makes them, so a change is stored if and
//! only if it is queued: a crash can lose neither half. The sync round
//! ([`super::session`]) moves queued changes into the log, stamped by when
//! they were made, and removes them. Changes arriving from other devices
//! are written by `sync::apply`, which never queues anything: nothing
//! echoes back.
//!
//! Nothing is queued before the database first joined a sync folder: that
//! join exports everything as it is then (`sync::seed`), which covers
//! all earlier changes. After that, changes are queued while sync is off
//! too, and reach the folder when it is on again.

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::episodes::EpisodeId;
use crate::store::{settings, Result};
use gloss_sync::op::{fold_tag, Tagged};
use gloss_sync::state::keys;
use gloss_sync::Change;

/// The sync folder this database last exported everything to (see
/// `sync::seed`); absent until the first join, and while absent nothing
/// is queued.
pub(crate) const JOINED: &str = "sync_joined";

/// A queued change.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub id: i64,
    pub change: Change,
    /// Unix milliseconds.
    pub made_at: i64,
}

/// Queues changes the user just made at `now`, in the caller's transaction.
pub(crate) fn push(conn: &Connection, now: i64, changes: impl IntoIterator<Item = Change>) -> Result<()> {
    let mut changes = changes.into_iter().peekable();
    if changes.peek().is_none() || settings::get(conn, JOINED)?.is_none() {
        return Ok(());
    }
    for change in changes {
        insert(conn, &change, now)?;
    }
    Ok(())
}

/// Replaces the whole queue with `changes` (what a first join exports).
pub(crate) fn replace_all(conn: &Connection, changes: &[(Change, i64)]) -> Result<()> {
    conn.execute("DELETE FROM sync_outbox", [])?;
    for (change, made_at) in changes {
        insert(conn, change, *made_at)?;
    }
    Ok(())
}

fn insert(conn: &Connection, change: &Change, made_at: i64) -> Result<()> {
    // A register written last-writer-wins needs only its newest queued
    // value; notes keep every version (each may end up an earlier version).
    let register = match (change, keys(change).as_slice()) {
        (Change::SetNote { .. }, _) => None,
        (_, [key]) => Some(to_json(key)?),
        _ => None,
    };
    if let Some(register) = &register {
        conn.prepare_cached("DELETE FROM sync_outbox WHERE register = ?1")?.execute([register])?;
    }
    conn.prepare_cached("INSERT INTO sync_outbox (change, register, made_at) VALUES (?1, ?2, ?3)")?
        .execute(params![to_json(change)?, register, made_at])?;
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)).into())
}

/// Every queued change, oldest first. A row this Gloss can not read (left
/// by a newer version) is skipped, and removed with the rest.
pub(crate) fn queued(conn: &Connection) -> Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached("SELECT id, change, made_at FROM sync_outbox ORDER BY id")?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get(2)?)))?;
    let mut queued = Vec::new();
    for row in rows {
        let (id, json, made_at) = row?;
        if let Ok(change) = serde_json::from_str(&json) {
            queued.push(Queued { id, change, made_at });
        }
    }
    Ok(queued)
}

/// Removes the queued changes up to and including `id`: they are in the log.
pub(crate) fn remove_through(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_outbox WHERE id <= ?1")?.execute([id])?;
    Ok(())
}

/// How many changes wait to be written to the sync log.
pub fn count(conn: &Connection) -> Result<usize> {
    let count: i64 = conn.query_row("SELECT count(*) FROM sync_outbox", [], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// An episode's name in sync: its fingerprint, if it ever parsed.
pub(crate) fn fingerprint(conn: &Connection, episode_id: EpisodeId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT fingerprint FROM episodes WHERE id = ?1")?
        .query_row([episode_id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// The tag changes that turn `before` into `after` on `on`: a removal per
/// tag gone, an addition per tag new or spelled differently.
pub(crate) fn tag_changes(on: &Tagged, before: &[String], after: &[String]) -> Vec<Change> {
    let removed = before
        .iter()
        .filter(|old| !after.iter().any(|new| fold_tag(new) == fold_tag(old)))
        .map(|old| Change::SetTag { on: on.clone(), tag: old.clone(), tagged: false });
    let added = after.iter().filter(|new| !before.contains(new)).map(|new| Change::SetTag {
        on: on.clone(),
        tag: new.clone(),
        tagged: true,
    });
    removed.chain(added).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tag_changes_remove_what_went_and_add_what_came_or_was_respelled() {
        let on = Tagged::Highlight("h".into());
        let changes = tag_changes(&on, &tags(&["AI", "work", "old"]), &tags(&["ai", "work", "new"]));
        let summary: Vec<(String, bool)> = changes
            .into_iter()
            .map(|c| match c {
                Change::SetTag { tag, tagged, .. } => (tag, tagged),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(summary, [("old".to_owned(), false), ("ai".to_owned(), true), ("new".to_owned(), true)]);
    }

    #[test]
    fn nothing_is_queued_before_joining_and_a_register_keeps_only_its_newest_value() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let color = |c: &str| Change::SetColor { highlight: "h".into(), color: c.into() };
        let note = |t: &str| Change::SetNote {
            on: gloss_sync::NoteOn::Highlight("h".into()),
            text: t.into(),
            replaces: vec![],
        };
        store
            .write(|conn| {
                push(conn, 1, [color("red")])?;
                assert_eq!(count(conn)?, 0);
                settings::set(conn, JOINED, "/sync")?;
                push(conn, 2, [color("green"), note("a"), note("b"), color("blue")])?;
                let queued: Vec<Change> = queued(conn)?.into_iter().map(|q| q.change).collect();
                assert_eq!(queued, [note("a"), note("b"), color("blue")]);
                Ok(())
            })
            .unwrap();
    }
}
