//! The annotation tables: migration V3. The store owns every table's
//! definition, so it depends on no module that uses them;
//! [`crate::annotations`] reads and writes these.

/// Version 3: highlights, tags, notes, stars, reading state.
///
/// Nothing here is deleted by a user action except through "empty trash":
/// highlights and tags carry `deleted_at` tombstones; stars and reading
/// state are flags that are set and cleared, never rows that come and go,
/// so a later sync can merge them field by field.
pub const V3_ANNOTATIONS: &str = "
CREATE TABLE highlights (
    -- The rowid of the highlight search index; internal, never shown.
    seq               INTEGER PRIMARY KEY,
    -- A UUID: the highlight's identity everywhere, across devices too.
    id                TEXT NOT NULL UNIQUE,
    episode_id        INTEGER NOT NULL REFERENCES episodes (id),
    -- The selector (W3C TextQuote + TextPosition, code points) and the
    -- episodes.text_revision it was taken on.
    exact             TEXT NOT NULL,
    prefix            TEXT NOT NULL,
    suffix            TEXT NOT NULL,
    sel_start         INTEGER NOT NULL,
    sel_end           INTEGER NOT NULL,
    block_key         TEXT,
    text_version      INTEGER NOT NULL,
    selector_revision INTEGER NOT NULL,
    color             TEXT NOT NULL
                      CHECK (color IN ('yellow', 'green', 'blue', 'pink', 'purple')),
    -- Markdown; empty when there is none.
    note              TEXT NOT NULL DEFAULT '',
    -- The live tag names, space-separated: what the search index reads.
    tags_text         TEXT NOT NULL DEFAULT '',
    -- Where the highlight is in the episode's current text, and why.
    anchor_status     TEXT NOT NULL
                      CHECK (anchor_status IN ('anchored', 'moved', 'fuzzy', 'orphaned', 'ambiguous')),
    anchor_start      INTEGER,
    anchor_end        INTEGER,
    anchor_reason     TEXT,
    anchor_score      REAL,
    -- The episodes.text_revision the anchor was computed on.
    anchor_revision   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    deleted_at        INTEGER,
    CHECK ((anchor_start IS NULL) = (anchor_end IS NULL))
) STRICT;

CREATE INDEX highlights_episode ON highlights (episode_id);
CREATE INDEX highlights_created ON highlights (created_at);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    -- As the user first wrote it: `AI/Open-Source`.
    name       TEXT NOT NULL,
    -- The name lowercased: two names with the same key are the same tag.
    key        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

-- Unique among live tags only: a trashed tag does not block its name.
CREATE UNIQUE INDEX tags_live_key ON tags (key) WHERE deleted_at IS NULL;

CREATE TABLE highlight_tags (
    highlight_seq INTEGER NOT NULL REFERENCES highlights (seq),
    tag_id        INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (highlight_seq, tag_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX highlight_tags_tag ON highlight_tags (tag_id);

CREATE TABLE episode_tags (
    episode_id INTEGER NOT NULL REFERENCES episodes (id),
    tag_id     INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (episode_id, tag_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX episode_tags_tag ON episode_tags (tag_id);

-- Episode notes (block_key '') and insight notes (the insight's block key).
CREATE TABLE notes (
    episode_id INTEGER NOT NULL REFERENCES episodes (id),
    block_key  TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (episode_id, block_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE stars (
    episode_id INTEGER NOT NULL REFERENCES episodes (id),
    block_key  TEXT NOT NULL,
    starred    INTEGER NOT NULL CHECK (starred IN (0, 1)),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (episode_id, block_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE reading (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id),
    read       INTEGER NOT NULL CHECK (read IN (0, 1)),
    -- Code point offset into the canonical text where the reader was.
    position   INTEGER,
    visited_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Episodes whose annotation search text (episodes.search_*) is behind:
-- re-indexed before the next search (see annotations::index).
CREATE TABLE search_pending (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id)
) STRICT;

-- Per-highlight full-text index (quote, note, tags), read from the
-- highlights table and kept in step by triggers.
CREATE VIRTUAL TABLE highlight_index USING fts5(
    exact, note, tags_text,
    content = 'highlights', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER highlights_index_insert AFTER INSERT ON highlights BEGIN
    INSERT INTO highlight_index (rowid, exact, note, tags_text)
    VALUES (new.seq, new.exact, new.note, new.tags_text);
END;

CREATE TRIGGER highlights_index_update AFTER UPDATE ON highlights
WHEN old.exact IS NOT new.exact OR old.note IS NOT new.note OR old.tags_text IS NOT new.tags_text
BEGIN
    INSERT INTO highlight_index (highlight_index, rowid, exact, note, tags_text)
    VALUES ('delete', old.seq, old.exact, old.note, old.tags_text);
    INSERT INTO highlight_index (rowid, exact, note, tags_text)
    VALUES (new.seq, new.exact, new.note, new.tags_text);
END;

CREATE TRIGGER highlights_index_delete AFTER DELETE ON highlights BEGIN
    INSERT INTO highlight_index (highlight_index, rowid, exact, note, tags_text)
    VALUES ('delete', old.seq, old.exact, old.note, old.tags_text);
END;
";
