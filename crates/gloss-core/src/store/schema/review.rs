//! Version 6: retrieval practice (gloss-review).
//!
//! `review_events` is the review log: one row per rating, never deleted,
//! an undone rating only marked. `review_cards` holds what the user chose
//! per card (in review against the default rule, suspended) and, as a
//! cache, the card's state replayed from its events, so "what is due" is
//! one indexed query; the cache is recomputed from the log whenever the
//! log or the scheduling settings change, and can always be rebuilt.
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
    -- The replay of the card's events; `due` is NULL while it is new.
    phase      TEXT NOT NULL DEFAULT 'new',
    due        INTEGER,
    reviews    INTEGER NOT NULL DEFAULT 0,
    lapses     INTEGER NOT NULL DEFAULT 0,
    stability  REAL NOT NULL DEFAULT 0,
    difficulty REAL NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE INDEX review_cards_due ON review_cards (due) WHERE due IS NOT NULL;
";
