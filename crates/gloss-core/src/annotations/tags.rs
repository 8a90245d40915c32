//! Tags on highlights and episodes.
//!
//! Names are case-insensitive (`AI` and `ai` are one tag, shown as first
//! written) and nest with `/`: `ai/open-source` is found under `ai`, and
//! renaming, merging or deleting `ai` takes its children along. Deleting a
//! tag puts it in the trash with its memberships; only "empty trash" drops
//! them for good.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::write::{Kind, Writer};
use super::{index, outbox, review_sources};
use crate::store::episodes::EpisodeId;
use gloss_sync as sync;

/// Longest tag name accepted, in characters.
const MAX_NAME: usize = 200;

/// A tag as [`list`] shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    /// Live highlights and episodes carrying this very tag (not its children).
    pub count: usize,
}

/// A tag name as stored: spaces tidied, and the key that compares names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagName {
    pub name: String,
    pub key: String,
}

impl TagName {
    /// Reads a name as the user typed it (`#AI / Open  Source` is
    /// `AI/Open Source`); `field` names where it came from.
    pub fn parse(raw: &str, field: &'static str) -> Result<TagName> {
        let trimmed = raw.trim();
        let trimmed = trimmed.strip_prefix('#').unwrap_or(trimmed);
        if trimmed.chars().any(char::is_control) {
            return Err(Error::invalid(field, format!("tag {raw:?} contains a control character or line break")));
        }
        let segments: Vec<String> =
            trimmed.split('/').map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        if segments.iter().any(String::is_empty) {
            return Err(Error::invalid(
                field,
                format!("tag {raw:?} has an empty part; write a tag as `name` or nested as `parent/child`"),
            ));
        }
        let name = segments.join("/");
        if name.chars().count() > MAX_NAME {
            return Err(Error::invalid(field, format!("tag {raw:?} is longer than {MAX_NAME} characters")));
        }
        let key = name.to_lowercase();
        Ok(TagName { name, key })
    }

    fn depth(&self) -> usize {
        self.key.split('/').count()
    }

    /// Whether `self` is `other` or nested under it.
    fn is_within(&self, other: &TagName) -> bool {
        self.key == other.key || self.key.strip_prefix(&other.key).is_some_and(|rest| rest.starts_with('/'))
    }

    /// The name `self` gets when its ancestor `from` becomes `to`.
    fn moved(&self, from: &TagName, to: &TagName) -> TagName {
        let rest: Vec<&str> = self.name.split('/').skip(from.depth()).collect();
        let name = if rest.is_empty() { to.name.clone() } else { format!("{}/{}", to.name, rest.join("/")) };
        let key = name.to_lowercase();
        TagName { name, key }
    }
}

/// What carries tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tagged {
    /// A highlight, by its row `seq`.
    Highlight(i64),
    Episode(EpisodeId),
}

impl Tagged {
    fn table(self) -> (&'static str, &'static str, i64) {
        match self {
            Tagged::Highlight(seq) => ("highlight_tags", "highlight_seq", seq),
            Tagged::Episode(id) => ("episode_tags", "episode_id", id),
        }
    }
}

/// Reads and de-duplicates tag names before anything is written.
pub(crate) fn parse_all(raw: &[String], field: &'static str) -> Result<Vec<TagName>> {
    let names = raw.iter().map(|name| TagName::parse(name, field)).collect::<Result<Vec<_>>>()?;
    Ok(distinct(names))
}

/// The valid names among `raw`, de-duplicated: for names from another
/// device, where one bad name must not keep the others out.
pub(crate) fn parse_valid(raw: &[String]) -> Vec<TagName> {
    distinct(raw.iter().filter_map(|name| TagName::parse(name, "tags").ok()).collect())
}

/// The first of each key, in order.
fn distinct(names: Vec<TagName>) -> Vec<TagName> {
    let mut kept: Vec<TagName> = Vec::with_capacity(names.len());
    for name in names {
        if !kept.iter().any(|n| n.key == name.key) {
            kept.push(name);
        }
    }
    kept
}

/// Makes `tags` the live tags of `item`.
pub(crate) fn set_resolved(conn: &Connection, item: Tagged, tags: &[Resolved]) -> Result<()> {
    let (table, column, id) = item.table();
    conn.prepare_cached(&format!(
        "DELETE FROM {table} WHERE {column} = ?1 AND tag_id IN (SELECT id FROM tags WHERE deleted_at IS NULL)"
    ))?
    .execute([id])?;
    link(conn, item, tags)
}

/// A live tag: its id and its name as stored (`AI` for a given `ai`).
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub id: i64,
    pub name: String,
}

/// The live tags `names`, created as needed, sorted by key.
pub(crate) fn resolve(w: &mut Writer, names: &[TagName]) -> Result<Vec<Resolved>> {
    let mut resolved = Vec::with_capacity(names.len());
    for name in names {
        resolved.push(ensure(w, name)?);
    }
    resolved.sort_by_key(|tag| tag.name.to_lowercase());
    Ok(resolved)
}

/// Takes every tag, live or trashed, off `item` (a highlight purged).
pub(crate) fn unlink_all(conn: &Connection, item: Tagged) -> Result<()> {
    let (table, column, id) = item.table();
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?.execute([id])?;
    Ok(())
}

/// Adds the tags to `item`.
pub(crate) fn link(conn: &Connection, item: Tagged, tags: &[Resolved]) -> Result<()> {
    let (table, column, id) = item.table();
    for tag in tags {
        conn.prepare_cached(&format!("INSERT OR IGNORE INTO {table} ({column}, tag_id) VALUES (?1, ?2)"))?
            .execute([id, tag.id])?;
    }
    Ok(())
}

/// Makes `tags` the tags of episode `episode_id` (the whole list).
pub fn set_episode_tags(w: &mut Writer, episode_id: EpisodeId, tags: &[String]) -> Result<()> {
    super::episode::load(w.conn(), episode_id, "episode_id")?;
    put_episode_tags(w, episode_id, &parse_all(tags, "tags")?)
}

/// The one writer of an episode's tags: makes `names` its live tags,
/// creating tags as needed, and queues for sync how they changed when the
/// change is local.
pub(crate) fn put_episode_tags(w: &mut Writer, episode_id: EpisodeId, names: &[TagName]) -> Result<()> {
    let before = Carriers::of(w.conn(), vec![Tagged::Episode(episode_id)])?;
    let tags = resolve(w, names)?;
    set_resolved(w.conn(), Tagged::Episode(episode_id), &tags)?;
    before.record(w)
}

/// The live tags of episode `episode_id`, by name.
pub(crate) fn of_episode(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.name FROM episode_tags et JOIN tags t ON t.id = et.tag_id
         WHERE et.episode_id = ?1 AND t.deleted_at IS NULL ORDER BY t.key",
    )?;
    let rows = stmt.query_map([episode_id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live tag `name`, created if there is none.
fn ensure(w: &mut Writer, name: &TagName) -> Result<Resolved> {
    let conn = w.conn();
    let found = conn
        .prepare_cached("SELECT id, name FROM tags WHERE key = ?1 AND deleted_at IS NULL")?
        .query_row([&name.key], |row| Ok(Resolved { id: row.get(0)?, name: row.get(1)? }))
        .optional()?;
    if let Some(tag) = found {
        return Ok(tag);
    }
    conn.prepare_cached("INSERT INTO tags (name, key, created_at) VALUES (?1, ?2, ?3)")?.execute(params![
        name.name,
        name.key,
        w.now()
    ])?;
    w.touch_library(Kind::Tag);
    Ok(Resolved { id: conn.last_insert_rowid(), name: name.name.clone() })
}

/// A tag from a backup, as it was there (trashed or live, and when it was
/// made); returns its row.
pub(crate) fn insert_restored(w: &mut Writer, name: &TagName, created_at: i64, deleted_at: Option<i64>) -> Result<i64> {
    w.conn()
        .prepare_cached("INSERT INTO tags (name, key, created_at, deleted_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![name.name, name.key, created_at, deleted_at])?;
    w.touch_library(Kind::Tag);
    Ok(w.conn().last_insert_rowid())
}

/// Removes the trashed tags for good, with their memberships; returns how many.
pub(crate) fn purge_trashed(w: &mut Writer) -> Result<usize> {
    let conn = w.conn();
    conn.execute_batch(
        "DELETE FROM highlight_tags WHERE tag_id IN (SELECT id FROM tags WHERE deleted_at IS NOT NULL);
         DELETE FROM episode_tags WHERE tag_id IN (SELECT id FROM tags WHERE deleted_at IS NOT NULL);",
    )?;
    let purged = conn.execute("DELETE FROM tags WHERE deleted_at IS NOT NULL", [])?;
    if purged > 0 {
        w.touch_library(Kind::Tag);
    }
    Ok(purged)
}

/// Drops the live tags nothing carries any more (renamed, merged or
/// deleted on the device a change came from: tags exist only through use).
pub(crate) fn drop_unused(w: &mut Writer) -> Result<()> {
    let dropped = w.conn().execute(
        "DELETE FROM tags WHERE deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM highlight_tags WHERE tag_id = tags.id)
            AND NOT EXISTS (SELECT 1 FROM episode_tags WHERE tag_id = tags.id)",
        [],
    )?;
    if dropped > 0 {
        w.touch_library(Kind::Tag);
    }
    Ok(())
}

/// Live tags, by name, with how many live items carry each.
pub fn list(conn: &Connection) -> Result<Vec<Tag>> {
    // Each count is every tagging from the tag indexes, less those of
    // highlights in the trash (few): checking each tagged highlight's row
    // for the trash took 37 ms at 10,000 episodes.
    let counts = |sql: &str| -> Result<HashMap<i64, i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let highlights = counts("SELECT tag_id, count(*) FROM highlight_tags GROUP BY tag_id")?;
    let trashed = counts(
        "SELECT ht.tag_id, count(*) FROM highlights h INDEXED BY highlights_trashed
         JOIN highlight_tags ht ON ht.highlight_seq = h.seq WHERE h.deleted_at IS NOT NULL GROUP BY ht.tag_id",
    )?;
    let episodes = counts("SELECT tag_id, count(*) FROM episode_tags GROUP BY tag_id")?;
    let mut stmt = conn.prepare_cached("SELECT t.id, t.name FROM tags t WHERE t.deleted_at IS NULL ORDER BY t.key")?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get(1)?)))?;
    rows.map(|row| {
        let (id, name) = row?;
        let of = |counts: &HashMap<i64, i64>| counts.get(&id).copied().unwrap_or(0);
        let count = of(&highlights) - of(&trashed) + of(&episodes);
        Ok(Tag { name, count: usize::try_from(count).unwrap_or(0) })
    })
    .collect()
}

/// SQL true when the tag aliased `t` is the tag bound to `param` (a key) or
/// nested under it.
pub(crate) fn within_sql(t: &str, param: &str) -> String {
    format!("({t}.key = {param} OR substr({t}.key, 1, length({param}) + 1) = {param} || '/')")
}

/// One stored tag of a family.
struct Member {
    id: i64,
    name: TagName,
}

/// The live tag `name` and every live tag nested under it, shallowest first.
fn live_family(conn: &Connection, name: &TagName) -> Result<Vec<Member>> {
    family(conn, name, "t.deleted_at IS NULL", [])
}

fn family<const N: usize>(conn: &Connection, name: &TagName, condition: &str, extra: [i64; N]) -> Result<Vec<Member>> {
    let sql = format!("SELECT t.id, t.name, t.key FROM tags t WHERE {condition} AND {}", within_sql("t", "?1"));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut params: Vec<rusqlite::types::Value> = vec![name.key.clone().into()];
    params.extend(extra.into_iter().map(rusqlite::types::Value::from));
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(Member { id: row.get(0)?, name: TagName { name: row.get(1)?, key: row.get(2)? } })
    })?;
    let mut members: Vec<Member> = rows.collect::<rusqlite::Result<_>>()?;
    members.sort_by_key(|m| (m.name.depth(), m.name.key.clone()));
    Ok(members)
}

fn no_such_tag(field: &'static str, name: &TagName) -> Error {
    Error::not_found(field, format!("no tag named `{}`; list them with `gloss tags`", name.name))
}

/// Renames tag `from` (and the tags nested under it) to `to` everywhere.
/// `to` may be nested under `from`: renaming `climate` to
/// `climate/adaptation` moves the tag, and its children with it, under a
/// new parent of its own name (the children's names are renamed first in
/// the two passes below, so no step holds two tags with one name).
/// Returns how many highlights and episodes carry a renamed tag. A name
/// already taken by another tag is a conflict: merge instead.
pub fn rename(w: &mut Writer, from: &str, to: &str) -> Result<usize> {
    let conn = w.conn();
    let (from, to) = (TagName::parse(from, "from")?, TagName::parse(to, "to")?);
    let members = live_family(conn, &from)?;
    if members.is_empty() {
        return Err(no_such_tag("from", &from));
    }
    let renamed: Vec<(i64, TagName)> = members.iter().map(|m| (m.id, m.name.moved(&from, &to))).collect();
    for (_, name) in &renamed {
        let taken: Option<String> = conn
            .prepare_cached("SELECT name FROM tags WHERE key = ?1 AND deleted_at IS NULL")?
            .query_row([&name.key], |row| row.get(0))
            .optional()?;
        let taken_by_family = members.iter().any(|m| m.name.key == name.key);
        if let (Some(existing), false) = (taken, taken_by_family) {
            return Err(Error::conflict(
                "to",
                format!("a tag named `{existing}` already exists; merge `{}` into it instead", from.name),
            ));
        }
    }
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let before = Carriers::tagged(conn, &ids)?;
    // Two passes, so that no intermediate state has two live tags with one key.
    for (id, _) in &renamed {
        conn.prepare_cached("UPDATE tags SET key = char(0) || id WHERE id = ?1")?.execute([id])?;
    }
    for (id, name) in &renamed {
        conn.prepare_cached("UPDATE tags SET name = ?2, key = ?3 WHERE id = ?1")?
            .execute(params![id, name.name, name.key])?;
    }
    let changed = index::refresh_tagged(conn, &ids)?;
    before.record(w)?;
    review_sources::move_tag(w, &from.key, &to.key)?;
    Ok(changed)
}

/// Moves everything tagged `from` (or a tag nested under it) to `to` (or
/// the matching tag under it), then trashes `from` and its children.
/// Returns how many highlights and episodes carried a merged tag.
pub fn merge(w: &mut Writer, from: &str, to: &str) -> Result<usize> {
    let (conn, now) = (w.conn(), w.now());
    let (from, to) = (TagName::parse(from, "from")?, TagName::parse(to, "to")?);
    let members = live_family(conn, &from)?;
    if members.is_empty() {
        return Err(no_such_tag("from", &from));
    }
    if to.is_within(&from) {
        return Err(Error::invalid("to", format!("can not merge tag `{}` into itself or a tag inside it", from.name)));
    }
    let sources: Vec<i64> = members.iter().map(|m| m.id).collect();
    let before = Carriers::tagged(conn, &sources)?;
    // Shallowest first: merging `a/b` into `a` trashes `a/b` before its
    // child `a/b/b` moves to `a/b`, which is then a fresh tag.
    for member in &members {
        let target = ensure(w, &member.name.moved(&from, &to))?.id;
        for (table, column) in [("highlight_tags", "highlight_seq"), ("episode_tags", "episode_id")] {
            conn.prepare_cached(&format!(
                "INSERT OR IGNORE INTO {table} ({column}, tag_id) SELECT {column}, ?2 FROM {table} WHERE tag_id = ?1"
            ))?
            .execute([member.id, target])?;
        }
        conn.prepare_cached("UPDATE tags SET deleted_at = ?2 WHERE id = ?1")?.execute([member.id, now])?;
    }
    // Exactly the items that carried a merged tag changed.
    let changed = index::refresh_tagged(conn, &sources)?;
    before.record(w)?;
    review_sources::move_tag(w, &from.key, &to.key)?;
    Ok(changed)
}

/// Trashes tag `name` and the tags nested under it: they disappear from
/// every highlight and episode, until restored or the trash is emptied.
/// Returns how many highlights and episodes carried one.
pub fn delete(w: &mut Writer, name: &str) -> Result<usize> {
    let (conn, now) = (w.conn(), w.now());
    let name = TagName::parse(name, "name")?;
    let members = live_family(conn, &name)?;
    if members.is_empty() {
        return Err(no_such_tag("name", &name));
    }
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let before = Carriers::tagged(conn, &ids)?;
    for member in &members {
        conn.prepare_cached("UPDATE tags SET deleted_at = ?2 WHERE id = ?1")?.execute([member.id, now])?;
    }
    let changed = index::refresh_tagged(conn, &ids)?;
    before.record(w)?;
    Ok(changed)
}

/// Undoes the latest [`delete`] (or [`merge`]) of tag `name`: it and the
/// children trashed with it come back on everything they were on.
pub fn restore(w: &mut Writer, name: &str) -> Result<usize> {
    let conn = w.conn();
    let name = TagName::parse(name, "name")?;
    let latest: Option<i64> = conn
        .prepare_cached(&format!(
            "SELECT max(t.deleted_at) FROM tags t WHERE t.deleted_at IS NOT NULL AND {}",
            within_sql("t", "?1")
        ))?
        .query_row([&name.key], |row| row.get(0))?;
    let Some(deleted_at) = latest else {
        return Err(Error::not_found("name", format!("no tag named `{}` in the trash", name.name)));
    };
    let members = family(conn, &name, "t.deleted_at = ?2", [deleted_at])?;
    for member in &members {
        let taken = conn
            .prepare_cached("SELECT 1 FROM tags WHERE key = ?1 AND deleted_at IS NULL")?
            .query_row([&member.name.key], |_| Ok(()))
            .optional()?;
        if taken.is_some() {
            return Err(Error::conflict(
                "name",
                format!("a tag named `{}` exists again; rename it first, then restore", member.name.name),
            ));
        }
    }
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let before = Carriers::tagged(conn, &ids)?;
    for member in &members {
        conn.prepare_cached("UPDATE tags SET deleted_at = NULL WHERE id = ?1")?.execute([member.id])?;
    }
    let changed = index::refresh_tagged(conn, &ids)?;
    before.record(w)?;
    Ok(changed)
}

/// Highlights and episodes with their live tags as they were before an
/// action: afterwards, [`record`](Carriers::record) queues for sync how
/// each one's tags changed. Renaming, merging or deleting a tag is logged
/// as a removal and an addition per item, so it merges item by item with
/// what other devices did meanwhile (see docs/sync.md).
struct Carriers {
    items: Vec<(Tagged, Vec<String>)>,
}

impl Carriers {
    fn of(conn: &Connection, items: Vec<Tagged>) -> Result<Carriers> {
        let items = items.into_iter().map(|item| Ok((item, live_names(conn, item)?))).collect::<Result<_>>()?;
        Ok(Carriers { items })
    }

    /// Every item linked to any of `tag_ids`, live tag or trashed.
    fn tagged(conn: &Connection, tag_ids: &[i64]) -> Result<Carriers> {
        let mut items = std::collections::BTreeSet::new();
        for &tag in tag_ids {
            for kind in [Tagged::Highlight, Tagged::Episode] {
                let (table, column, _) = kind(0).table();
                let mut stmt = conn.prepare_cached(&format!("SELECT {column} FROM {table} WHERE tag_id = ?1"))?;
                for row in stmt.query_map([tag], |row| row.get::<_, i64>(0))? {
                    items.insert(kind(row?));
                }
            }
        }
        Carriers::of(conn, items.into_iter().collect())
    }

    /// Queues for sync how each item's tags changed, when the change is
    /// local, and notes every item whose tags changed.
    fn record(self, w: &mut Writer) -> Result<()> {
        let conn = w.conn();
        w.touch_library(Kind::Tag);
        for (item, before) in self.items {
            let after = live_names(conn, item)?;
            if after == before {
                continue;
            }
            match item {
                Tagged::Highlight(seq) => {
                    let (id, episode_id): (String, EpisodeId) = conn
                        .prepare_cached("SELECT id, episode_id FROM highlights WHERE seq = ?1")?
                        .query_row([seq], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    w.touch_highlight(&id, episode_id)?;
                }
                Tagged::Episode(episode_id) => w.touch(Kind::Tag, episode_id)?,
            }
            if let Some(on) = sync_name(conn, item)? {
                w.queue(outbox::tag_changes(&on, &before, &after));
            }
        }
        Ok(())
    }
}

/// The live tag names on an item, sorted by key.
fn live_names(conn: &Connection, item: Tagged) -> Result<Vec<String>> {
    let (table, column, id) = item.table();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.name FROM {table} x JOIN tags t ON t.id = x.tag_id
         WHERE x.{column} = ?1 AND t.deleted_at IS NULL ORDER BY t.key"
    ))?;
    let rows = stmt.query_map([id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What sync calls an item: a highlight by its id, an episode by its fingerprint.
fn sync_name(conn: &Connection, item: Tagged) -> Result<Option<sync::Tagged>> {
    Ok(match item {
        Tagged::Highlight(seq) => conn
            .prepare_cached("SELECT id FROM highlights WHERE seq = ?1")?
            .query_row([seq], |row| row.get(0))
            .optional()?
            .map(sync::Tagged::Highlight),
        Tagged::Episode(id) => outbox::fingerprint(conn, id)?.map(sync::Tagged::Episode),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied_and_compared_without_case() {
        let name = TagName::parse(" #AI /  Open   Source ", "tags").unwrap();
        assert_eq!(name.name, "AI/Open Source");
        assert_eq!(name.key, "ai/open source");
        assert!(TagName::parse("ai//x", "tags").is_err());
        assert!(TagName::parse("  ", "tags").is_err());
        assert!(TagName::parse("a\nb", "tags").is_err());
    }

    #[test]
    fn nesting_and_moving_go_by_whole_parts() {
        let ai = TagName::parse("ai", "t").unwrap();
        let child = TagName::parse("AI/Open", "t").unwrap();
        let aim = TagName::parse("aim", "t").unwrap();
        assert!(child.is_within(&ai));
        assert!(!aim.is_within(&ai));
        let ml = TagName::parse("ML", "t").unwrap();
        assert_eq!(child.moved(&ai, &ml).name, "ML/Open");
        assert_eq!(ai.moved(&ai, &ml).name, "ML");
    }
}
