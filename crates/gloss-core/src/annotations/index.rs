//! Keeps the search text in step with the annotations: each highlight's
//! `tags_text` (read by the highlight index) and each episode's
//! `search_highlights`, `search_notes` and `search_tags` (read by the episode
//! index, see [`crate::search`]).
//!
//! A highlight's own text is indexed in the transaction that changes it.
//! An episode's is not: the episode index can only replace a whole row, so
//! re-indexing it means re-tokenizing the episode's entire text, which took
//! most of the time of creating a highlight. Writes only note the episode
//! in `search_pending` (durably, with the change), and [`flush`] brings the
//! episode rows up to date before a search reads them.

use rusqlite::Connection;

use super::derived;
use crate::store::episodes::EpisodeId;
use crate::store::{search_index, Result, Store};

/// Separates tag names in `tags_text`. Tag names never contain a line
/// break, and the search tokenizer splits on it.
pub(crate) const TAG_SEPARATOR: char = '\n';

/// Recomputes the live tag names of the highlight with row `seq`.
pub(crate) fn refresh_highlight(conn: &Connection, seq: i64) -> Result<()> {
    let before = derived::of_seq(conn, seq)?;
    conn.prepare_cached(
        "UPDATE highlights SET tags_text = coalesce((
            SELECT group_concat(name, char(10)) FROM (
                SELECT t.name FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
                WHERE ht.highlight_seq = ?1 AND t.deleted_at IS NULL ORDER BY t.key)), '')
         WHERE seq = ?1",
    )?
    .execute([seq])?;
    derived::follow(conn, before.as_ref(), derived::of_seq(conn, seq)?.as_ref())
}

/// Notes that the annotation text of `episode_id` changed; [`flush`]
/// re-indexes it.
pub(crate) fn episode_changed(conn: &Connection, episode_id: EpisodeId) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO search_pending (episode_id) VALUES (?1)")?.execute([episode_id])?;
    Ok(())
}

/// Re-indexes the episodes whose annotations changed since the last flush;
/// returns how many. Costs one read when there are none. What it writes is
/// derived from durable rows (and `search_pending` is durable), so it
/// commits without waiting for the disk: a power cut only means the next
/// flush does it again.
pub fn flush(store: &Store) -> Result<usize> {
    let pending: bool =
        store.read(|conn| Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM search_pending)", [], |row| row.get(0))?))?;
    if !pending {
        return Ok(0);
    }
    store.write_rebuildable(|conn| {
        let episodes: Vec<EpisodeId> = {
            let mut stmt = conn.prepare_cached("SELECT episode_id FROM search_pending")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for &episode_id in &episodes {
            refresh_episode(conn, episode_id)?;
        }
        conn.execute("DELETE FROM search_pending", [])?;
        Ok(episodes.len())
    })
}

/// Recomputes the annotation text the episode index searches: live
/// highlights' quotes, their notes with the episode and insight notes, and
/// the tags of the episode and of its live highlights.
fn refresh_episode(conn: &Connection, episode_id: EpisodeId) -> Result<()> {
    search_index::reindex_after(conn, episode_id, || refresh_columns(conn, episode_id))?;
    Ok(())
}

fn refresh_columns(conn: &Connection, episode_id: EpisodeId) -> Result<()> {
    conn.prepare_cached(
        "UPDATE episodes SET
            search_highlights = (
                SELECT group_concat(exact, char(10)) FROM (
                    SELECT exact FROM highlights WHERE episode_id = ?1 AND deleted_at IS NULL ORDER BY seq)),
            search_notes = (
                SELECT group_concat(text, char(10)) FROM (
                    SELECT note AS text FROM highlights
                    WHERE episode_id = ?1 AND deleted_at IS NULL AND note <> ''
                    UNION ALL
                    SELECT text FROM notes WHERE episode_id = ?1 AND text <> '')),
            search_tags = (
                SELECT group_concat(name, char(10)) FROM (
                    SELECT t.name FROM episode_tags et JOIN tags t ON t.id = et.tag_id
                    WHERE et.episode_id = ?1 AND t.deleted_at IS NULL
                    UNION
                    SELECT t.name FROM highlights h
                    JOIN highlight_tags ht ON ht.highlight_seq = h.seq
                    JOIN tags t ON t.id = ht.tag_id
                    WHERE h.episode_id = ?1 AND h.deleted_at IS NULL AND t.deleted_at IS NULL))
         WHERE id = ?1",
    )?
    .execute([episode_id])?;
    Ok(())
}

/// Refreshes every highlight tagged with any of `tag_ids` (live or not)
/// and notes their episodes and the tagged episodes as changed; returns how
/// many live highlights and episodes carry one of them.
pub(crate) fn refresh_tagged(conn: &Connection, tag_ids: &[i64]) -> Result<usize> {
    let mut highlights = std::collections::BTreeSet::new();
    let mut episodes = std::collections::BTreeSet::new();
    let mut live = 0;
    for &tag in tag_ids {
        let mut stmt = conn.prepare_cached(
            "SELECT h.seq, h.episode_id, h.deleted_at IS NULL FROM highlight_tags ht
             JOIN highlights h ON h.seq = ht.highlight_seq WHERE ht.tag_id = ?1",
        )?;
        for row in stmt.query_map([tag], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))? {
            let (seq, episode, is_live): (i64, EpisodeId, bool) = row?;
            if highlights.insert(seq) && is_live {
                live += 1;
            }
            episodes.insert(episode);
        }
    }
    let mut tagged_episodes = std::collections::BTreeSet::new();
    for &tag in tag_ids {
        let mut stmt = conn.prepare_cached("SELECT episode_id FROM episode_tags WHERE tag_id = ?1")?;
        for row in stmt.query_map([tag], |row| row.get::<_, EpisodeId>(0))? {
            tagged_episodes.insert(row?);
        }
    }
    live += tagged_episodes.len();
    episodes.extend(tagged_episodes);
    for seq in highlights {
        refresh_highlight(conn, seq)?;
    }
    for episode in episodes {
        episode_changed(conn, episode)?;
    }
    Ok(live)
}
