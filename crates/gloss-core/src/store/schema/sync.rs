//! The sync tables: migration V4. The store owns every table's definition,
//! so it depends on no module that uses them; [`crate::sync`] reads and
//! writes these.

/// Version 4: what sync keeps in the database.
///
/// - `sync_outbox`: changes the user made that are not yet in this device's
///   log, written in the same transaction as the change itself, so a change
///   is never stored without being queued (see [`crate::annotations::outbox`]).
/// - `sync_applied`: which ops of the sync folder this database already
///   reflects, as runs of op numbers per device, so a restart applies only
///   what is new although it re-reads the whole folder.
/// - `sync_waiting`: registers (a [`Key`](gloss_sync::Key) as JSON) about an
///   episode this device does not have yet; applied once it is ingested.
/// - `sync_devices`: every device seen in the folder and the time of its
///   latest change, for the sync status.
/// - `note_versions`: concurrent edits of a note that lost to the shown
///   text, kept so nothing anyone wrote disappears (see docs/sync.md).
pub const V4_SYNC: &str = "
CREATE TABLE sync_outbox (
    id        INTEGER PRIMARY KEY,
    -- The sync::Change as JSON.
    change    TEXT NOT NULL,
    -- The one register the change writes, when it writes exactly one: a newer
    -- queued change to the same register replaces it (the last write wins anyway).
    register  TEXT,
    -- Unix milliseconds: when the user made the change; its stamp follows it.
    made_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX sync_outbox_register ON sync_outbox (register) WHERE register IS NOT NULL;

CREATE TABLE sync_applied (
    device TEXT NOT NULL,
    first  INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (device, first),
    CHECK (first <= last)
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_waiting (
    key TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_devices (
    device    TEXT PRIMARY KEY,
    -- Unix milliseconds (the device's clock) of its latest change read.
    last_seen INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Either a highlight's note (highlight_id) or an episode's (block_key '')
-- or insight's note (episode_id, block_key). Rows are replaced whenever
-- sync learns more about the note.
CREATE TABLE note_versions (
    highlight_id TEXT,
    episode_id   INTEGER REFERENCES episodes (id),
    block_key    TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    -- Unix milliseconds of the edit, and the op that made it.
    written_at   INTEGER NOT NULL,
    device       TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    CHECK ((highlight_id IS NULL) <> (episode_id IS NULL))
) STRICT;

CREATE INDEX note_versions_highlight ON note_versions (highlight_id) WHERE highlight_id IS NOT NULL;
CREATE INDEX note_versions_episode ON note_versions (episode_id, block_key) WHERE episode_id IS NOT NULL;
";
