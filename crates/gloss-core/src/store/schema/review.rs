//! Version 6: retrieval practice (gloss-review).
//!
//! `review_events` is the review log: one row per rating, never deleted,
//! an undone rating only marked. `review_cards` holds what the user chose
//! per card (in review against the default rule, suspended) and, kept up
//! to date by the write path, whether the card is in the deck here and its
//! state replayed from its events, so "what is due" is one indexed query.
//! Both are derived: the deck from the highlights, stars and notes, the
//! state from the log; either can always be rebuilt.
pub const V6_REVIEW: &str = "
CREATE TABLE review_events (
    -- A uuid made by the device that rated.
    id     TEXT PRIMARY KEY,
    -- A gloss-review card id (highlight/ID, insight/EPISODE/BLOCK, question/...).
    card   TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    -- When it was rated, Unix milliseconds.
    at     INTEGER NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
    -- The sync id of the device that rated; NULL for this one.
    device TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX review_events_card ON review_events (card, at);
CREATE INDEX review_events_at ON review_events (at);

CREATE TABLE review_cards (
    card       TEXT PRIMARY KEY,
    -- The user's choice against the default rule; NULL: the rule decides.
    included   INTEGER CHECK (included IN (0, 1)),
    suspended  INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
    -- The local episode the card's source is in; NULL while it is not here.
    episode_id INTEGER REFERENCES episodes (id),
    -- Whether the card is in review here: its source exists and the
    -- default rule or the user's choice puts it in.
    in_deck    INTEGER NOT NULL DEFAULT 0 CHECK (in_deck IN (0, 1)),
    -- Why its source keeps it from review (a highlight that lost its place).
    blocked    TEXT,
    -- The replay of the card's events; `due` is NULL while it is new.
    phase      TEXT NOT NULL DEFAULT 'new',
    due        INTEGER,
    reviews    INTEGER NOT NULL DEFAULT 0,
    lapses     INTEGER NOT NULL DEFAULT 0,
    stability  REAL NOT NULL DEFAULT 0,
    difficulty REAL NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- What is due, and what is new, in one covering index (the card id, the
-- key, is in it too): counting a day's cards never reads the table.
CREATE INDEX review_cards_waiting ON review_cards (in_deck, suspended, blocked, due);
CREATE INDEX review_cards_episode ON review_cards (episode_id);
";

/// The cards of the default rule, as `(card, episode_id, blocked,
/// highlight_id)`: every highlight not in the trash (blocked while
/// orphaned), every starred insight, and every note written as
/// `Q: ... A: ...`. Card ids are gloss-review's; `highlight_id` is the
/// highlight a card is made from, if any, so the write path can refresh
/// one highlight's cards without reading its episode's. The deck is kept
/// from this on the write path, and the migration below fills it for a
/// library that had annotations before.
pub const RULE_CARDS: &str = "
SELECT 'highlight/' || h.id AS card, h.episode_id AS episode_id,
       CASE WHEN h.anchor_status = 'orphaned' THEN 'orphaned' END AS blocked, h.id AS highlight_id
FROM highlights h WHERE h.deleted_at IS NULL
UNION ALL
SELECT 'question/highlight/' || h.id, h.episode_id, CASE WHEN h.anchor_status = 'orphaned' THEN 'orphaned' END, h.id
FROM highlights h WHERE h.deleted_at IS NULL AND ltrim(h.note) LIKE 'Q:%'
UNION ALL
SELECT 'insight/' || e.fingerprint || '/' || s.block_key, s.episode_id, NULL, NULL
FROM stars s JOIN episodes e ON e.id = s.episode_id WHERE s.starred = 1 AND e.fingerprint IS NOT NULL
UNION ALL
SELECT CASE n.block_key WHEN '' THEN 'question/episode/' || e.fingerprint
       ELSE 'question/insight/' || e.fingerprint || '/' || n.block_key END, n.episode_id, NULL, NULL
FROM notes n JOIN episodes e ON e.id = n.episode_id WHERE e.fingerprint IS NOT NULL AND ltrim(n.text) LIKE 'Q:%'
";

/// Version 7: the deck of a library annotated before review existed.
pub static V7_DECK: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT OR IGNORE INTO review_cards (card, episode_id, in_deck, blocked)
         SELECT card, episode_id, 1, blocked FROM ({RULE_CARDS});"
    )
});

/// Version 16: the new cards in the order they are introduced (by card).
/// The waiting index holds them by burial time, so reading the first few
/// meant sorting every new card: 200 ms at 10,000 episodes. And the
/// highlights in the trash, which tag counts take from all the tagged
/// (see `annotations::tags::list`).
pub const V16_NEW_CARDS: &str = "
CREATE INDEX review_cards_new ON review_cards (card, buried_until)
WHERE in_deck = 1 AND suspended = 0 AND blocked IS NULL AND due IS NULL;
CREATE INDEX highlights_trashed ON highlights (seq) WHERE deleted_at IS NOT NULL;
";

/// Version 8: burying a card for the rest of the day. The waiting index
/// carries `buried_until` too, so what is due is still read from the
/// index alone.
pub const V8_BURY: &str = "
ALTER TABLE review_cards ADD COLUMN buried_until INTEGER;
DROP INDEX review_cards_waiting;
CREATE INDEX review_cards_waiting ON review_cards (in_deck, suspended, blocked, due, buried_until);
";
