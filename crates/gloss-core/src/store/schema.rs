//! The database schema as a list of forward-only migrations.
//!
//! Each migration is applied once, in order, and the number applied is kept in
//! SQLite's `user_version`. Never edit a released migration: add a new one.
//! Before any migration runs on an existing database, the whole database is
//! copied with SQLite's online backup API to
//! `<data>/backups/gloss-v<from>-<unix ms>.db`.

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
    -- The remaining content columns are NULL until the file first parses, and
    -- keep the last good version while the file is broken or missing.
    fingerprint             TEXT,
    kind                    TEXT,
    title                   TEXT,
    show                    TEXT,
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

/// Version 2: the full-text index, one row per episode (rowid = episode id).
///
/// The annotation columns (`highlights`, `notes`, `tags`) are owned by the
/// annotations code; ingest updates only the episode columns, so re-ingesting
/// a file keeps its annotations searchable. FTS5 can not add columns later,
/// which is why they exist already.
const V2_SEARCH: &str = "
CREATE VIRTUAL TABLE search_index USING fts5(
    title, show, tldr, body, bottom_line, highlights, notes, tags,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_index (search_index, rank)
    VALUES ('rank', 'bm25(10.0, 4.0, 3.0, 1.0, 2.0, 3.0, 3.0, 5.0)');
";

/// Every migration, oldest first.
fn steps() -> Vec<M<'static>> {
    vec![
        M::up(V1_EPISODES),
        M::up_with_hook(V2_SEARCH, |tx: &rusqlite::Transaction| {
            crate::search::rebuild(tx).map_err(rusqlite_migration::HookError::from)
        }),
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
    let migrate_error = |source| Error::Migrate {
        path: db_path.to_owned(),
        backups: backups.clone(),
        source: Box::new(source),
    };
    let current = migrations.current_version(conn).map_err(migrate_error)?;
    match current {
        SchemaVersion::Outside(found) => {
            return Err(Error::TooNew { path: db_path.to_owned(), found: found.get(), known });
        }
        SchemaVersion::Inside(from) if from.get() < known => {
            backup(conn, db_path, &backups, from.get())?;
        }
        SchemaVersion::Inside(_) => return Ok(()),
        SchemaVersion::NoneSet => {}
    }
    migrations.to_latest(conn).map_err(migrate_error)?;
    conn.pragma_update(None, "optimize", 0).map_err(open_error)?;
    Ok(())
}

fn backup(conn: &Connection, db_path: &Path, backups: &Path, from: usize) -> Result<PathBuf> {
    let millis = crate::store::now_ms();
    let target = backups.join(format!("gloss-v{from}-{millis}.db"));
    std::fs::create_dir_all(backups)
        .map_err(|source| Error::DataDir { dir: backups.to_owned(), source })?;
    conn.backup(MAIN_DB, &target, None).map_err(|source| Error::Backup {
        path: db_path.to_owned(),
        backup: target.clone(),
        source,
    })?;
    Ok(target)
}
