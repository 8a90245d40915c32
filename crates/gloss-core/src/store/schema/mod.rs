//! The database schema as a list of forward-only migrations: the episode
//! and search tables here, the annotation and sync tables in their own
//! files.
//!
//! Each migration is applied once, in order, and the number applied is kept in
//! SQLite's `user_version`. Never edit a released migration: add a new one.
//! Before any migration runs on an existing database, the whole database is
//! copied with SQLite's online backup API to
//! `<data>/backups/gloss-v<from>-<unix ms>.db`.

mod annotations;
mod list;
pub(crate) mod review;
mod sync;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, MAIN_DB};
use rusqlite_migration::{Migrations, SchemaVersion, M};

use super::error::{Error, Result};

/// Version 1: settings and episodes.
///
/// Episode ids are `INTEGER PRIMARY KEY AUTOINCREMENT`: compact foreign keys
/// for highlights, the rowid of the search index row, and never reused even
/// if a row is ever removed. Rows are never deleted by ingest, so an id stays
/// with its episode through renames, moves, deletes and returns. Identity
/// across devices is the episode's fingerprint, not this id.
const V1_EPISODES: &str = "
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE episodes (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Relative to the library folder, '/'-separated.
    path                    TEXT NOT NULL UNIQUE,
    size                    INTEGER NOT NULL,
    mtime_ns                INTEGER NOT NULL,
    -- blake3 of the file's bytes as last read; empty if they could not be read.
    content_hash            TEXT NOT NULL,
    -- The content columns are NULL until the file first parses, and keep the
    -- last good version while the file is broken or missing.
    fingerprint             TEXT,
    kind                    TEXT,
    title                   TEXT,
    show                    TEXT,
    tldr                    TEXT,
    bottom_line             TEXT,
    -- The parsed episode as JSON (model::Episode).
    structure               TEXT,
    canonical_text          TEXT,
    canonical_version       INTEGER,
    -- Counts changes of canonical_text; previous_canonical_text is revision - 1,
    -- kept so highlights taken on it can be re-anchored.
    text_revision           INTEGER NOT NULL DEFAULT 0,
    previous_canonical_text TEXT,
    status                  TEXT NOT NULL CHECK (status IN ('active', 'missing', 'error')),
    -- Why the file last failed; kept while missing so a returning file gets
    -- its status back without being re-read.
    error                   TEXT,
    first_seen              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CHECK (status <> 'error' OR error IS NOT NULL)
) STRICT;

CREATE INDEX episodes_content_hash ON episodes (content_hash);
CREATE INDEX episodes_fingerprint ON episodes (fingerprint);
";

/// Version 2: the full-text index.
///
/// An external-content FTS5 table over `episodes` (rowid = episode id), kept
/// in step by triggers, so the text is stored once. The `search_*` columns
/// are the episode's annotations as text (highlight quotes, notes, tags);
/// the annotations code keeps them up to date and the triggers re-index.
/// FTS5 can not add columns later, which is why they exist already.
const V2_SEARCH: &str = "
ALTER TABLE episodes ADD COLUMN search_highlights TEXT;
ALTER TABLE episodes ADD COLUMN search_notes TEXT;
ALTER TABLE episodes ADD COLUMN search_tags TEXT;

CREATE VIRTUAL TABLE search_index USING fts5(
    title, show, tldr, canonical_text, bottom_line, search_highlights, search_notes, search_tags,
    content = 'episodes', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_index (search_index, rank)
    VALUES ('rank', 'bm25(10.0, 4.0, 3.0, 1.0, 2.0, 3.0, 3.0, 5.0)');

CREATE TRIGGER episodes_search_insert AFTER INSERT ON episodes BEGIN
    INSERT INTO search_index (rowid, title, show, tldr, canonical_text, bottom_line,
                              search_highlights, search_notes, search_tags)
    VALUES (new.id, new.title, new.show, new.tldr, new.canonical_text, new.bottom_line,
            new.search_highlights, new.search_notes, new.search_tags);
END;

CREATE TRIGGER episodes_search_update AFTER UPDATE ON episodes
WHEN old.title IS NOT new.title OR old.show IS NOT new.show OR old.tldr IS NOT new.tldr
  OR old.canonical_text IS NOT new.canonical_text OR old.bottom_line IS NOT new.bottom_line
  OR old.search_highlights IS NOT new.search_highlights
  OR old.search_notes IS NOT new.search_notes OR old.search_tags IS NOT new.search_tags
BEGIN
    INSERT INTO search_index (search_index, rowid, title, show, tldr, canonical_text, bottom_line,
                              search_highlights, search_notes, search_tags)
    VALUES ('delete', old.id, old.title, old.show, old.tldr, old.canonical_text, old.bottom_line,
            old.search_highlights, old.search_notes, old.search_tags);
    INSERT INTO search_index (rowid, title, show, tldr, canonical_text, bottom_line,
                              search_highlights, search_notes, search_tags)
    VALUES (new.id, new.title, new.show, new.tldr, new.canonical_text, new.bottom_line,
            new.search_highlights, new.search_notes, new.search_tags);
END;

CREATE TRIGGER episodes_search_delete AFTER DELETE ON episodes BEGIN
    INSERT INTO search_index (search_index, rowid, title, show, tldr, canonical_text, bottom_line,
                              search_highlights, search_notes, search_tags)
    VALUES ('delete', old.id, old.title, old.show, old.tldr, old.canonical_text, old.bottom_line,
            old.search_highlights, old.search_notes, old.search_tags);
END;

-- Index what an older database already holds.
INSERT INTO search_index (search_index) VALUES ('rebuild');
";

/// The episode list reads only these columns; without a covering index,
/// SQLite would walk every row's stored text (the columns after it) to
/// reach `status` and the times, a full read of the library per list.
const V5_LIST_INDEX: &str = "
CREATE INDEX episodes_list ON episodes (path, id, title, show, kind, status, error, first_seen, updated_at);
";

/// Version 9: the search index's vocabulary, for correcting a typo in a
/// search (`search::spelling`): one row per indexed word with how many
/// episodes hold it. An `fts5vocab` table reads the index itself and
/// stores nothing.
const V9_SEARCH_TERMS: &str = "
CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_index, row);
";

/// Version 11: faster ingest. The search index is kept in step by the code
/// that writes the indexed columns (`store::search_index`), not by
/// triggers, whose savepoints made FTS5 write a segment per episode
/// written. A rescan compares every file with its row's stat and hashes
/// (`episodes::file_rows`); an index holding those lets it skip the rows'
/// text, which a table scan reads through page after page.
const V11_INGEST: &str = "
DROP TRIGGER episodes_search_insert;
DROP TRIGGER episodes_search_update;
DROP TRIGGER episodes_search_delete;
CREATE INDEX episodes_files
    ON episodes (path, id, size, mtime_ns, content_hash, fingerprint, status, error, updated_at);
";

/// Version 12: what is derived from highlights and reading state (the
/// highlight search index, the episode list's counts and reading marks) is
/// kept in step by their writers (`annotations::derived`,
/// `annotations::reading::put`), not by triggers, for the reason V11 gives:
/// writing many highlights in one transaction made FTS5 write a segment
/// per highlight.
const V12_HIGHLIGHT_UPKEEP: &str = "
DROP TRIGGER highlights_index_insert;
DROP TRIGGER highlights_index_update;
DROP TRIGGER highlights_index_delete;
DROP TRIGGER episode_marks_highlight_insert;
DROP TRIGGER episode_marks_highlight_update;
DROP TRIGGER episode_marks_highlight_delete;
DROP TRIGGER episode_marks_reading_insert;
DROP TRIGGER episode_marks_reading_update;
DROP TRIGGER episode_marks_reading_delete;
";

/// `carried (episode_id, key)`: each episode with every tag key it carries,
/// on itself or on a live highlight, and their parents, from the tag rows
/// (what `episode_tag_keys` holds; see `annotations::derived`).
macro_rules! carried_tag_keys {
    () => {
        "WITH RECURSIVE carried (episode_id, key) AS (
    SELECT et.episode_id, t.key FROM episode_tags et JOIN tags t ON t.id = et.tag_id
    WHERE t.deleted_at IS NULL
    UNION
    SELECT h.episode_id, t.key FROM highlights h JOIN highlight_tags ht ON ht.highlight_seq = h.seq
    JOIN tags t ON t.id = ht.tag_id WHERE h.deleted_at IS NULL AND t.deleted_at IS NULL
    UNION
    -- The parent: the key without its last '/' part.
    SELECT episode_id, rtrim(rtrim(key, replace(key, '/', '')), '/') FROM carried WHERE instr(key, '/') > 0
)"
    };
}

/// [`carried_tag_keys!`] as a constant: a `WITH` clause to follow with a
/// statement reading `carried`.
pub const CARRIED_TAG_KEYS: &str = carried_tag_keys!();

/// Version 13: the episodes carrying each tag, for the tag filters. A row
/// for every key an episode carries, on itself or on a live highlight,
/// with each key's parents (`ai/llm` brings `ai`), so a filter by a tag
/// and what is nested under it reads one range of one index instead of
/// every tagged highlight. Kept by the write path
/// (`annotations::derived::refresh_tag_keys`); filled here from what the
/// database holds.
const V13_EPISODE_TAG_KEYS: &str = concat!(
    "
CREATE TABLE episode_tag_keys (
    tag_key    TEXT NOT NULL,
    episode_id INTEGER NOT NULL REFERENCES episodes (id),
    PRIMARY KEY (tag_key, episode_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX episode_tag_keys_episode ON episode_tag_keys (episode_id);

",
    carried_tag_keys!(),
    "\nINSERT INTO episode_tag_keys (tag_key, episode_id) SELECT key, episode_id FROM carried;\n"
);

/// Version 14: the live highlights by row, for counting those a tag
/// filter finds without reading each one's row (its text, notes and
/// anchor, pages apart on disk) to see whether it is in the trash.
const V14_LIVE_HIGHLIGHTS: &str = "
CREATE INDEX highlights_live ON highlights (seq) WHERE deleted_at IS NULL;
";

/// Version 15: the search index's words one row per occurrence, to ask
/// whether any word starts with what was typed. `search_terms` answers
/// that too, but counts the episodes of each word it reads first: 18 ms
/// for a word in most of 100,000 episodes. Stores nothing, like it.
const V15_SEARCH_INSTANCES: &str = "
CREATE VIRTUAL TABLE search_instances USING fts5vocab(search_index, instance);
";

/// Version 17: the highlight index's words, as `search_instances` holds
/// the episode index's: search looks up the indexed words a prefix starts
/// in both (see `search::prefix`). Stores nothing.
const V17_HIGHLIGHT_INSTANCES: &str = "
CREATE VIRTUAL TABLE highlight_instances USING fts5vocab(highlight_index, instance);
";

/// Version 18: no index on the content hash. Nothing looks episodes up by
/// it (moves are matched by hash in memory, among the episodes whose files
/// are gone), and its random keys cost a cold import of 100,000 files
/// 450 MB of write-ahead log.
const V18_NO_CONTENT_HASH_INDEX: &str = "
DROP INDEX IF EXISTS episodes_content_hash;
";

/// Version 19: the full-text indexes hold up to 16 MiB of new terms in
/// memory before writing them out as a segment (FTS5's `hashsize`, kept in
/// each index's config; the default is 1 MiB). Only a transaction writing
/// that much text fills it: a first import, a restore, a sync of a whole
/// library. A cold import of 100,000 files wrote a segment per MiB and
/// merged them again and again; with 16 MiB it took 32 s instead of 41.
/// 64 MiB gained nothing more.
const V19_INDEX_HASH_SIZE: &str = "
INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 16777216);
INSERT INTO highlight_index (highlight_index, rank) VALUES ('hashsize', 16777216);
";

/// Every migration, oldest first.
fn steps() -> Vec<M<'static>> {
    vec![
        M::up(V1_EPISODES),
        M::up(V2_SEARCH),
        M::up(annotations::V3_ANNOTATIONS),
        M::up(sync::V4_SYNC),
        M::up(V5_LIST_INDEX),
        M::up(review::V6_REVIEW),
        M::up(&review::V7_DECK),
        M::up(review::V8_BURY),
        M::up(V9_SEARCH_TERMS),
        M::up(list::V10_LIST_ORDERS),
        M::up(V11_INGEST),
        M::up(V12_HIGHLIGHT_UPKEEP),
        M::up(V13_EPISODE_TAG_KEYS),
        M::up(V14_LIVE_HIGHLIGHTS),
        M::up(V15_SEARCH_INSTANCES),
        M::up(review::V16_NEW_CARDS),
        M::up(V17_HIGHLIGHT_INSTANCES),
        M::up(V18_NO_CONTENT_HASH_INDEX),
        M::up(V19_INDEX_HASH_SIZE),
    ]
}

/// The migrations, for opening the database and for tests that build a
/// database at an older version.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(steps())
}

/// The schema version this Gloss writes.
pub fn latest_version() -> usize {
    steps().len()
}

/// Brings the database at `db_path` up to the latest schema, backing it up
/// first if it already holds data of an older version.
pub(crate) fn migrate(conn: &mut Connection, db_path: &Path, data_dir: &Path) -> Result<()> {
    let migrations = migrations();
    let known = latest_version();
    let open_error = |source| Error::Open { path: db_path.to_owned(), source };
    let backups = data_dir.join("backups");
    let migrate_error = |backed_up: bool| {
        let backups = backed_up.then(|| backups.clone());
        move |source| Error::Migrate { path: db_path.to_owned(), backups, source: Box::new(source) }
    };
    let current = migrations.current_version(conn).map_err(migrate_error(false))?;
    match current {
        SchemaVersion::Outside(found) => {
            return Err(Error::TooNew { path: db_path.to_owned(), found: found.get(), known });
        }
        SchemaVersion::Inside(from) if from.get() < known => {
            backup(conn, db_path, &backups, from.get())?;
            migrations.to_latest(conn).map_err(migrate_error(true))?;
        }
        SchemaVersion::Inside(_) => return Ok(()),
        SchemaVersion::NoneSet => migrations.to_latest(conn).map_err(migrate_error(false))?,
    }
    conn.pragma_update(None, "optimize", 0).map_err(open_error)?;
    Ok(())
}

fn backup(conn: &Connection, db_path: &Path, backups: &Path, from: usize) -> Result<PathBuf> {
    let millis = crate::store::now_ms();
    let target = backups.join(format!("gloss-v{from}-{millis}.db"));
    std::fs::create_dir_all(backups).map_err(|source| Error::DataDir { dir: backups.to_owned(), source })?;
    conn.backup(MAIN_DB, &target, None).map_err(|source| Error::Backup {
        path: db_path.to_owned(),
        backup: target.clone(),
        source,
    })?;
    Ok(target)
}
