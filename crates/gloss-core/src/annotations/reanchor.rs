//! Re-anchoring an episode's highlights after its canonical text changed.
//!
//! Every highlight (trashed ones too, so a restore shows the truth) whose
//! anchor was computed on an older text revision goes through
//! [`gloss_anchor::reanchor`]. Highlights placed exactly (`anchored`,
//! `moved`) take the new text's selector, so the next edit is followed from
//! where they are now. `fuzzy`, `orphaned` and `ambiguous` ones keep the
//! selector they had (their quote, note and tags stay as they were) until
//! the user confirms or re-attaches them.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::episode;
use super::error::{Error, Result};
use super::highlights::{place, selector_at, to_sql};
use super::index;
use super::model::{status_str, Anchor, HighlightId};
use crate::store::episodes::EpisodeId;
use crate::store::Store;
use gloss_anchor::{self as anchor, AnchorStatus, Selector};

/// What re-anchoring decided for one highlight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reanchored {
    pub id: HighlightId,
    pub anchor: Anchor,
}

struct Stale {
    seq: i64,
    id: HighlightId,
    selector: Selector,
    selector_revision: i64,
}

/// Re-anchors the highlights of `episode_id` that are behind its current
/// text, inside the caller's transaction. Ingest calls this in the
/// transaction that stores a changed text, so text and anchors never
/// disagree on disk. Returns what happened to each highlight looked at
/// (nothing when the episode has no highlights or no text).
pub fn reanchor_episode(conn: &Connection, episode_id: EpisodeId) -> crate::store::Result<Vec<Reanchored>> {
    reanchor_stale(conn, episode_id).map_err(|error| match error {
        Error::Store(error) => error,
        // Only stored data can be at fault here: say which episode.
        refusal => crate::store::Error::Damaged { id: episode_id, reason: refusal.to_string() },
    })
}

fn reanchor_stale(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<Reanchored>> {
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
    let (follow, search): (Vec<&Stale>, Vec<&Stale>) =
        stale.iter().partition(|s| previous.is_some() && s.selector_revision == revision - 1);
    let mut done = Vec::with_capacity(stale.len());
    for (group, old_text) in [(follow, previous), (search, None)] {
        if group.is_empty() {
            continue;
        }
        let selectors: Vec<Selector> = group.iter().map(|s| s.selector.clone()).collect();
        let outcomes = anchor::reanchor(old_text, &target.text, &selectors);
        for (highlight, outcome) in group.into_iter().zip(outcomes) {
            let exact = matches!(outcome.status, AnchorStatus::Anchored | AnchorStatus::Moved);
            let new_selector = match (exact, outcome.span) {
                (true, Some(span)) => target.describe(span, ("start", "end")).ok(),
                _ => None,
            };
            // Placed where its selector already says (typically a highlight
            // from another device on the same text), it only counts as
            // taken on this revision; otherwise it takes the new text's.
            let unchanged = new_selector.as_ref() == Some(&highlight.selector);
            if let Some(selector) = new_selector.as_ref().filter(|_| !unchanged) {
                place(conn, highlight.seq, selector, revision, None)?;
            }
            let anchor = Anchor {
                status: outcome.status,
                start: outcome.span.map(|s| s.start),
                end: outcome.span.map(|s| s.end),
                reason: outcome.reason,
                score: outcome.score,
            };
            set_anchor(conn, highlight.seq, &anchor, revision, unchanged)?;
            done.push(Reanchored { id: highlight.id.clone(), anchor });
        }
    }
    index::episode_changed(conn, episode_id)?;
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

fn stale_highlights(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<Stale>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.seq, h.id, h.exact, h.prefix, h.suffix, h.sel_start, h.sel_end, h.block_key,
                h.text_version, h.selector_revision
         FROM highlights h JOIN episodes e ON e.id = h.episode_id
         WHERE h.episode_id = ?1 AND h.anchor_revision < e.text_revision ORDER BY h.seq",
    )?;
    let rows = stmt.query_map([episode_id], |row| {
        // A corrupt offset is no reason to lose the highlight: the quote
        // still finds it, and the anchor pipeline distrusts the position.
        let offset = |i| row.get::<_, i64>(i).map(|v| usize::try_from(v).unwrap_or(usize::MAX));
        Ok(Stale {
            seq: row.get(0)?,
            id: row.get(1)?,
            selector: selector_at(row, 2, offset)?,
            selector_revision: row.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores where a highlight is on text `revision`; `selector_current`
/// when its selector is that text's too.
fn set_anchor(conn: &Connection, seq: i64, anchor: &Anchor, revision: i64, selector_current: bool) -> Result<()> {
    conn.prepare_cached(
        "UPDATE highlights SET anchor_status = ?2, anchor_start = ?3, anchor_end = ?4,
                anchor_reason = ?5, anchor_score = ?6, anchor_revision = ?7,
                selector_revision = CASE WHEN ?8 THEN ?7 ELSE selector_revision END
         WHERE seq = ?1",
    )?
    .execute(params![
        seq,
        status_str(anchor.status),
        anchor.start.map(to_sql),
        anchor.end.map(to_sql),
        anchor.reason,
        anchor.score.map(f64::from),
        revision,
        selector_current
    ])?;
    Ok(())
}
