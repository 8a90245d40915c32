//! Re-anchoring an episode's highlights after its canonical text changed.
//!
//! Every highlight (trashed ones too, so a restore shows the truth) whose
//! anchor was computed on an older text revision goes through
//! [`gloss_anchor::reanchor`]. Highlights placed exactly (`anchored`,
//! `moved`) take the new text's selector, so the next edit is followed from
//! where they are now. `fuzzy`, `orphaned` and `ambiguous` ones keep the
//! selector they had (their quote, note and tags stay as they were) until
//! the user confirms or re-attaches them.

use rusqlite::Connection;
use serde::Serialize;

use super::episode;
use super::error::{Error, Result};
use super::highlights::{self, HighlightRow};
use super::model::{Anchor, HighlightId};
use super::origin::Origin;
use super::write::Writer;
use crate::store::episodes::EpisodeId;
use crate::store::Store;
use gloss_anchor::{self as anchor, AnchorStatus, Selector};

/// What re-anchoring decided for one highlight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reanchored {
    pub id: HighlightId,
    pub anchor: Anchor,
}

/// Re-anchors the highlights of `episode_id` that are behind its current
/// text, inside the caller's transaction. Ingest calls this in the
/// transaction that stores a changed text, so text and anchors never
/// disagree on disk (and announces the episode itself). Returns what
/// happened to each highlight looked at (nothing when the episode has no
/// highlights or no text).
pub fn reanchor_episode(conn: &Connection, episode_id: EpisodeId) -> crate::store::Result<Vec<Reanchored>> {
    let mut w = Writer::new(conn, crate::store::now_ms(), Origin::Anchoring);
    let done = reanchor_in(&mut w, episode_id).map_err(|error| match error {
        Error::Store(error) => error,
        // Only stored data can be at fault here: say which episode.
        refusal => crate::store::Error::Damaged { id: episode_id, reason: refusal.to_string() },
    })?;
    w.finish().map_err(|error| crate::store::Error::Damaged { id: episode_id, reason: error.to_string() })?;
    Ok(done)
}

/// [`reanchor_episode`] inside a change of the caller's (an import, a sync
/// round): what moves is announced with it, and never sent to other devices.
pub(crate) fn reanchor_in(w: &mut Writer, episode_id: EpisodeId) -> Result<Vec<Reanchored>> {
    w.as_anchoring(|w| reanchor_stale(w, episode_id))
}

fn reanchor_stale(w: &mut Writer, episode_id: EpisodeId) -> Result<Vec<Reanchored>> {
    let conn = w.conn();
    let stale = stale_highlights(conn, episode_id)?;
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let target = match episode::load_text(conn, episode_id, "episode_id") {
        Ok(target) => target,
        // Never parsed: there is nothing to anchor into yet.
        Err(Error::Conflict { .. }) => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let revision = target.record.text_revision;
    let previous = target.record.previous_canonical_text.as_deref();
    // The old text helps only the highlights whose selector was taken on it.
    let (follow, search): (Vec<HighlightRow>, Vec<HighlightRow>) =
        stale.into_iter().partition(|s| previous.is_some() && s.selector_revision == revision - 1);
    let mut done = Vec::with_capacity(follow.len() + search.len());
    for (group, old_text) in [(follow, previous), (search, None)] {
        if group.is_empty() {
            continue;
        }
        let selectors: Vec<Selector> = group.iter().map(|s| s.highlight.selector.clone()).collect();
        let outcomes = anchor::reanchor(old_text, &target.text, &selectors);
        for (mut row, outcome) in group.into_iter().zip(outcomes) {
            let exact = matches!(outcome.status, AnchorStatus::Anchored | AnchorStatus::Moved);
            let new_selector = match (exact, outcome.span) {
                (true, Some(span)) => target.describe(span, ("start", "end")).ok(),
                _ => None,
            };
            // Placed where its selector already says (typically a highlight
            // from another device on the same text), it only counts as
            // taken on this revision; otherwise it takes the new text's.
            if let Some(selector) = new_selector {
                row.highlight.selector = selector;
                row.selector_revision = revision;
            }
            let anchor = Anchor {
                status: outcome.status,
                start: outcome.span.map(|s| s.start),
                end: outcome.span.map(|s| s.end),
                reason: outcome.reason,
                score: outcome.score,
            };
            row.highlight.anchor = anchor.clone();
            row.anchor_revision = revision;
            highlights::put(w, &row)?;
            done.push(Reanchored { id: row.highlight.id, anchor });
        }
    }
    Ok(done)
}

/// Re-anchors every episode with highlights behind its text, one
/// transaction each: catches up on changes stored without re-anchoring
/// (a database from before this hook, an interrupted run). Returns how
/// many highlights were re-anchored.
pub fn reanchor_pending(store: &Store) -> crate::store::Result<usize> {
    let episodes: Vec<EpisodeId> = store.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT h.episode_id FROM highlights h JOIN episodes e ON e.id = h.episode_id
             WHERE h.anchor_revision < e.text_revision AND e.canonical_text IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let mut count = 0;
    for episode_id in episodes {
        count += store.write(|tx| reanchor_episode(tx, episode_id))?.len();
    }
    Ok(count)
}

/// The highlights of `episode_id` anchored on an older text than its own.
fn stale_highlights(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<HighlightRow>> {
    let ids: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT h.id FROM highlights h JOIN episodes e ON e.id = h.episode_id
             WHERE h.episode_id = ?1 AND h.anchor_revision < e.text_revision ORDER BY h.seq",
        )?;
        let rows = stmt.query_map([episode_id], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    ids.iter().map(|id| highlights::stored(conn, id)).collect()
}
