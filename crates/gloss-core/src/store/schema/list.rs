//! The episode list's orders as index walks: migration V10.
//!
//! A page of the list is read by keyset paging: the rows after the last
//! row shown, in the order's index. SQLite seeks a row-value comparison
//! `(a, b) > (?, ?)` into an index only when every compared column is a
//! plain (or generated) column of the index, never the rowid itself nor an
//! expression, and only when every column runs the same way. So each order
//! is a tuple of ascending columns ending in `newest` (`-id`: newest added
//! first, and unique, so equal keys keep one order from page to page).
//!
//! The orders by reading and by highlights read another table's facts;
//! `episode_marks` keeps them per episode (one row for every episode).
//! This migration kept it in step by triggers; V12 replaced them with the
//! writers of highlights and reading state (see `annotations::derived`).

pub const V10_LIST_ORDERS: &str = "
ALTER TABLE episodes ADD COLUMN newest INTEGER GENERATED ALWAYS AS (-id) VIRTUAL;
-- The title without case (ASCII, as SQLite's lower()), else the file name.
ALTER TABLE episodes ADD COLUMN title_key TEXT GENERATED ALWAYS AS
    (lower(coalesce(title, replace(path, rtrim(path, replace(path, '/', '')), '')))) VIRTUAL;
-- Episodes without a show sort last.
ALTER TABLE episodes ADD COLUMN show_missing INTEGER GENERATED ALWAYS AS (show IS NULL) VIRTUAL;
ALTER TABLE episodes ADD COLUMN show_key TEXT GENERATED ALWAYS AS (coalesce(lower(show), '')) VIRTUAL;

CREATE INDEX episodes_by_newest ON episodes (newest);
CREATE INDEX episodes_by_title ON episodes (title_key, newest);
CREATE INDEX episodes_by_show ON episodes (show_missing, show_key, title_key, newest);
-- The show filter and the shows list with their counts.
CREATE INDEX episodes_show ON episodes (show, newest);
CREATE INDEX episodes_status ON episodes (status, newest);

CREATE TABLE episode_marks (
    episode_id       INTEGER PRIMARY KEY,
    -- Live highlights, and those of them whose place is lost or uncertain.
    highlight_count  INTEGER NOT NULL DEFAULT 0,
    attention_count  INTEGER NOT NULL DEFAULT 0,
    read             INTEGER NOT NULL DEFAULT 0,
    -- reading.visited_at; NULL: never opened.
    last_read        INTEGER,
    most_highlighted INTEGER GENERATED ALWAYS AS (-highlight_count) VIRTUAL,
    -- Never opened sorts last.
    recently_read    INTEGER GENERATED ALWAYS AS (-coalesce(last_read, 0)) VIRTUAL,
    newest           INTEGER GENERATED ALWAYS AS (-episode_id) VIRTUAL
) STRICT;

CREATE INDEX episode_marks_by_highlights ON episode_marks (most_highlighted, newest);
CREATE INDEX episode_marks_by_reading ON episode_marks (recently_read, newest);
CREATE INDEX episode_marks_read ON episode_marks (read, newest);

-- A new episode's row is added by `episodes::insert`, not by a trigger on
-- `episodes`: that would make every insert a statement with a savepoint,
-- at which FTS5 writes out its pending terms (see `store::search_index`).
CREATE TRIGGER episode_marks_episode_delete AFTER DELETE ON episodes BEGIN
    DELETE FROM episode_marks WHERE episode_id = old.id;
END;

CREATE TRIGGER episode_marks_highlight_insert AFTER INSERT ON highlights BEGIN
    UPDATE episode_marks SET (highlight_count, attention_count) = (
        SELECT count(*), count(*) FILTER (WHERE anchor_status IN ('orphaned', 'ambiguous', 'fuzzy'))
        FROM highlights WHERE episode_id = new.episode_id AND deleted_at IS NULL)
    WHERE episode_id = new.episode_id;
END;
CREATE TRIGGER episode_marks_highlight_update AFTER UPDATE OF episode_id, anchor_status, deleted_at ON highlights BEGIN
    UPDATE episode_marks SET (highlight_count, attention_count) = (
        SELECT count(*), count(*) FILTER (WHERE anchor_status IN ('orphaned', 'ambiguous', 'fuzzy'))
        FROM highlights WHERE episode_id = episode_marks.episode_id AND deleted_at IS NULL)
    WHERE episode_id IN (old.episode_id, new.episode_id);
END;
CREATE TRIGGER episode_marks_highlight_delete AFTER DELETE ON highlights BEGIN
    UPDATE episode_marks SET (highlight_count, attention_count) = (
        SELECT count(*), count(*) FILTER (WHERE anchor_status IN ('orphaned', 'ambiguous', 'fuzzy'))
        FROM highlights WHERE episode_id = old.episode_id AND deleted_at IS NULL)
    WHERE episode_id = old.episode_id;
END;

CREATE TRIGGER episode_marks_reading_insert AFTER INSERT ON reading BEGIN
    UPDATE episode_marks SET read = new.read, last_read = new.visited_at WHERE episode_id = new.episode_id;
END;
CREATE TRIGGER episode_marks_reading_update AFTER UPDATE ON reading BEGIN
    UPDATE episode_marks SET read = new.read, last_read = new.visited_at WHERE episode_id = new.episode_id;
END;
CREATE TRIGGER episode_marks_reading_delete AFTER DELETE ON reading BEGIN
    UPDATE episode_marks SET read = 0, last_read = NULL WHERE episode_id = old.episode_id;
END;

-- What an older database already holds.
INSERT INTO episode_marks (episode_id) SELECT id FROM episodes;
UPDATE episode_marks SET (highlight_count, attention_count) = (
    SELECT count(*), count(*) FILTER (WHERE anchor_status IN ('orphaned', 'ambiguous', 'fuzzy'))
    FROM highlights WHERE episode_id = episode_marks.episode_id AND deleted_at IS NULL);
UPDATE episode_marks SET (read, last_read) = (SELECT read, visited_at FROM reading WHERE episode_id = episode_marks.episode_id)
    WHERE episode_id IN (SELECT episode_id FROM reading);
";
