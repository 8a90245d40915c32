//! Earlier versions of notes: when two devices edit the same note before
//! either has seen the other's edit, sync shows one text and keeps the
//! other here, until the user settles the note ([`settle`]). Written by
//! sync's apply (`replace`); nothing the user does locally adds to them.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::error::Result;
use super::highlights::{self, parse_id};
use super::write::Writer;
use super::{episode, notes, outbox};
use crate::store::episodes::EpisodeId;
use gloss_sync::{Change, DeviceId, NoteOn, NoteVersion, OpId};

/// Which note: a highlight's, an episode's, or one insight's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum NoteRef {
    Highlight { id: String },
    Episode { episode_id: EpisodeId },
    Insight { episode_id: EpisodeId, block_key: String },
}

impl NoteRef {
    /// An episode's own note (`block_key` empty) or one insight's.
    pub(crate) fn of_episode(episode_id: EpisodeId, block_key: &str) -> NoteRef {
        if block_key == notes::EPISODE_NOTE {
            NoteRef::Episode { episode_id }
        } else {
            NoteRef::Insight { episode_id, block_key: block_key.to_owned() }
        }
    }

    /// The note's row key in `note_versions`: a highlight id, or an episode and block key.
    fn row_key(&self) -> Result<(Option<String>, Option<EpisodeId>, &str)> {
        Ok(match self {
            NoteRef::Highlight { id } => (Some(parse_id(id, "id")?), None, ""),
            NoteRef::Episode { episode_id } => (None, Some(*episode_id), notes::EPISODE_NOTE),
            NoteRef::Insight { episode_id, block_key } => (None, Some(*episode_id), block_key.as_str()),
        })
    }
}

/// An edit of a note that lost to the text shown, made on another device
/// (or this one) at the same time as the winning edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlierVersion {
    pub text: String,
    /// Unix milliseconds, by the clock of the device that wrote it.
    pub written_at: i64,
    /// The device that wrote it.
    pub device: String,
    #[serde(skip)]
    seq: i64,
}

/// A note's earlier versions, newest first.
pub fn list(conn: &Connection, note: &NoteRef) -> Result<Vec<EarlierVersion>> {
    let (highlight, episode, block_key) = note.row_key()?;
    let mut stmt = conn.prepare_cached(
        "SELECT text, written_at, device, seq FROM note_versions
         WHERE highlight_id IS ?1 AND episode_id IS ?2 AND block_key = ?3
         ORDER BY written_at DESC, device DESC, seq DESC",
    )?;
    let rows = stmt.query_map(params![highlight, episode, block_key], |row| {
        Ok(EarlierVersion { text: row.get(0)?, written_at: row.get(1)?, device: row.get(2)?, seq: row.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Makes `versions` a note's earlier versions (sync's apply), queueing nothing.
pub(crate) fn replace(conn: &Connection, note: &NoteRef, versions: &[NoteVersion]) -> Result<()> {
    let (highlight, episode, block_key) = note.row_key()?;
    conn.prepare_cached("DELETE FROM note_versions WHERE highlight_id IS ?1 AND episode_id IS ?2 AND block_key = ?3")?
        .execute(params![highlight, episode, block_key])?;
    for version in versions {
        conn.prepare_cached(
            "INSERT INTO note_versions (highlight_id, episode_id, block_key, text, written_at, device, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            highlight,
            episode,
            block_key,
            version.text,
            i64::try_from(version.at.stamp.ms).unwrap_or(i64::MAX),
            version.at.op.device.as_str(),
            i64::try_from(version.at.op.seq).unwrap_or(i64::MAX),
        ])?;
    }
    Ok(())
}

/// Settles a note that has earlier versions: `text` becomes its text and
/// the earlier versions are dropped, here and, through sync, everywhere.
pub fn settle(w: &mut Writer, note: &NoteRef, text: &str) -> Result<()> {
    let conn = w.conn();
    let settled = list(conn, note)?;
    let on = match note {
        NoteRef::Highlight { id } => {
            let mut row = highlights::stored(conn, id)?;
            row.highlight.note = text.to_owned();
            row.highlight.updated_at = w.now();
            highlights::put(w, &row)?;
            Some(NoteOn::Highlight(row.highlight.id))
        }
        NoteRef::Episode { episode_id } | NoteRef::Insight { episode_id, .. } => {
            episode::load(conn, *episode_id, "episode_id")?;
            let (_, _, block_key) = note.row_key()?;
            notes::put(w, *episode_id, block_key, text, w.now())?;
            outbox::fingerprint(conn, *episode_id)?.map(|episode| notes::note_on(&episode, block_key))
        }
    };
    replace(w.conn(), note, &[])?;
    let replaces = settled
        .into_iter()
        .filter_map(|v| Some(OpId { device: v.device.parse::<DeviceId>().ok()?, seq: u64::try_from(v.seq).ok()? }))
        .collect();
    if let Some(on) = on {
        w.queue([Change::SetNote { on, text: text.to_owned(), replaces }]);
    }
    Ok(())
}
