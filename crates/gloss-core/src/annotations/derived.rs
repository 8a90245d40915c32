//! What is derived from highlight and tag rows, kept in step by the code
//! that writes them: each highlight's entry in the highlight search index
//! and its episode's counts in `episode_marks` (by `highlights::put`,
//! `highlights::purge` and `index::refresh_highlight`, see [`follow`]), and
//! the tag keys each episode carries (by the writer's finish for every
//! episode a change touched, see [`refresh_tag_keys`]).
//!
//! Done here rather than by triggers, for the reason `store::search_index`
//! gives: a statement with a trigger runs under a statement savepoint, at
//! which FTS5 writes its pending terms out as a new index segment. Writing
//! many highlights in one transaction (an import, a sync, the benchmark
//! library's million) made one segment per highlight and merged them over
//! and over; written here, a transaction's terms reach the disk once.

use rusqlite::{Connection, OptionalExtension};

use crate::store::episodes::EpisodeId;
use crate::store::Result;

/// What a highlight row contributes to the index and to the counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Derived {
    seq: i64,
    episode_id: EpisodeId,
    exact: String,
    note: String,
    tags_text: String,
    /// Not in the trash.
    live: bool,
    /// Its place is lost or uncertain (orphaned, ambiguous or fuzzy).
    needs_attention: bool,
}

impl Derived {
    /// The index row's content.
    fn indexed(&self) -> (i64, &str, &str, &str) {
        (self.seq, &self.exact, &self.note, &self.tags_text)
    }

    /// The episode it counts for, if it counts (it is live), and whether
    /// among those needing attention.
    fn counted(&self) -> Option<(EpisodeId, bool)> {
        self.live.then_some((self.episode_id, self.needs_attention))
    }
}

const SELECT: &str = "SELECT seq, episode_id, exact, note, tags_text, deleted_at IS NULL,
    anchor_status IN ('orphaned', 'ambiguous', 'fuzzy') FROM highlights";

fn read(conn: &Connection, sql: &str, key: &dyn rusqlite::ToSql) -> Result<Option<Derived>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |row| {
            Ok(Derived {
                seq: row.get(0)?,
                episode_id: row.get(1)?,
                exact: row.get(2)?,
                note: row.get(3)?,
                tags_text: row.get(4)?,
                live: row.get(5)?,
                needs_attention: row.get(6)?,
            })
        })
        .optional()?)
}

/// What the highlight with row `seq` contributes, if there is one.
pub(crate) fn of_seq(conn: &Connection, seq: i64) -> Result<Option<Derived>> {
    read(conn, &format!("{SELECT} WHERE seq = ?1"), &seq)
}

/// What the highlight with id `id` contributes, if there is one.
pub(crate) fn of_id(conn: &Connection, id: &str) -> Result<Option<Derived>> {
    read(conn, &format!("{SELECT} WHERE id = ?1"), &id)
}

/// Brings the index and the counts from a highlight row as it was
/// (`None`: new) to how it is (`None`: removed).
pub(crate) fn follow(conn: &Connection, before: Option<&Derived>, after: Option<&Derived>) -> Result<()> {
    if before.map(Derived::indexed) != after.map(Derived::indexed) {
        if let Some(before) = before {
            conn.prepare_cached(
                "INSERT INTO highlight_index (highlight_index, rowid, exact, note, tags_text)
                 VALUES ('delete', ?1, ?2, ?3, ?4)",
            )?
            .execute(rusqlite::params![before.seq, before.exact, before.note, before.tags_text])?;
        }
        if let Some(after) = after {
            conn.prepare_cached("INSERT INTO highlight_index (rowid, exact, note, tags_text) VALUES (?1, ?2, ?3, ?4)")?
                .execute(rusqlite::params![after.seq, after.exact, after.note, after.tags_text])?;
        }
    }
    let (counted_before, counted_after) = (before.and_then(Derived::counted), after.and_then(Derived::counted));
    if counted_before != counted_after {
        for (counted, sign) in [(counted_before, -1), (counted_after, 1)] {
            if let Some((episode_id, attention)) = counted {
                conn.prepare_cached(
                    "UPDATE episode_marks SET highlight_count = highlight_count + ?2,
                        attention_count = attention_count + ?3 WHERE episode_id = ?1",
                )?
                .execute(rusqlite::params![episode_id, sign, if attention { sign } else { 0 }])?;
            }
        }
    }
    Ok(())
}

/// Brings the episode's rows in `episode_tag_keys` (the keys it carries, on
/// itself or a live highlight, with their parents) up to date; writes only
/// what changed. Called by the write path for every episode a change
/// touched.
pub(crate) fn refresh_tag_keys(conn: &Connection, episode_id: EpisodeId) -> Result<()> {
    let mut carried = std::collections::BTreeSet::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT t.key FROM episode_tags et JOIN tags t ON t.id = et.tag_id
             WHERE et.episode_id = ?1 AND t.deleted_at IS NULL
             UNION
             SELECT t.key FROM highlights h JOIN highlight_tags ht ON ht.highlight_seq = h.seq
             JOIN tags t ON t.id = ht.tag_id WHERE h.episode_id = ?1 AND h.deleted_at IS NULL AND t.deleted_at IS NULL",
        )?;
        for key in stmt.query_map([episode_id], |row| row.get::<_, String>(0))? {
            let key = key?;
            for (at, _) in key.match_indices('/') {
                carried.insert(key[..at].to_owned());
            }
            carried.insert(key);
        }
    }
    let stored: std::collections::BTreeSet<String> = {
        let mut stmt = conn.prepare_cached("SELECT tag_key FROM episode_tag_keys WHERE episode_id = ?1")?;
        let rows = stmt.query_map([episode_id], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for key in stored.difference(&carried) {
        conn.prepare_cached("DELETE FROM episode_tag_keys WHERE tag_key = ?1 AND episode_id = ?2")?
            .execute(rusqlite::params![key, episode_id])?;
    }
    for key in carried.difference(&stored) {
        conn.prepare_cached("INSERT INTO episode_tag_keys (tag_key, episode_id) VALUES (?1, ?2)")?
            .execute(rusqlite::params![key, episode_id])?;
    }
    Ok(())
}
