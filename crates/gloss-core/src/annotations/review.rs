//! Retrieval practice over the store (issue 15; the rules are gloss-review's):
//! the one writer of each row kind of the review log and the card choices,
//! the user's actions (rate, undo, include, suspend), and the cache of card
//! states replayed from the log.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::{Error, Result};
use super::preferences;
use super::write::{Kind, Writer};
use crate::store::settings;
use gloss_review::{CardId, CardState, Phase, Rating, ReviewEvent, Scheduler, Settings};
use gloss_sync::{CardChoice, Change};

/// The review settings as stored (the defaults until the user changes them).
pub fn review_settings(conn: &Connection) -> Result<Settings> {
    let stored = preferences::get(conn, settings::REVIEW)?;
    Ok(stored.and_then(|json| serde_json::from_value(json).ok()).unwrap_or_default())
}

/// The scheduler for the stored settings.
pub fn scheduler(conn: &Connection) -> Result<Scheduler> {
    Scheduler::new(review_settings(conn)?)
        .or_else(|_| Ok(Scheduler::new(Settings::default()).expect("defaults are valid")))
}

/// Changes the review settings; every card's state is replayed for them.
pub fn set_review_settings(w: &mut Writer, new: &Settings) -> Result<()> {
    Scheduler::new(*new).map_err(|error| Error::invalid("review", error.to_string()))?;
    let value = serde_json::to_string(new).unwrap_or_default();
    preferences::put(w, settings::REVIEW, Some(&value))?;
    replay_all(w.conn())
}

/// The user rates `card` at `at_ms`; returns the event logged.
pub fn rate(w: &mut Writer, card: &CardId, rating: Rating, at_ms: i64) -> Result<ReviewEvent> {
    super::deck::in_review(w.conn(), card)?;
    let event = ReviewEvent { id: uuid::Uuid::new_v4().to_string(), card: card.clone(), rating, at_ms, undone: false };
    put_event(w, &event, None)?;
    Ok(event)
}

/// Undoes this device's latest rating that is not undone yet; returns it.
pub fn undo_last(w: &mut Writer) -> Result<Option<ReviewEvent>> {
    let last = w
        .conn()
        .prepare_cached(
            "SELECT id, card, rating, at FROM review_events WHERE device IS NULL AND undone = 0
             ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row([], event_from_row)
        .optional()?;
    let Some(mut event) = last else { return Ok(None) };
    put_undone(w, &event.id)?;
    event.undone = true;
    Ok(Some(event))
}

fn event_from_row(row: &rusqlite::Row) -> rusqlite::Result<ReviewEvent> {
    let card: String = row.get(1)?;
    let rating: u8 = row.get(2)?;
    Ok(ReviewEvent {
        id: row.get(0)?,
        card: card.parse().map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
        rating: Rating::from_number(rating).unwrap_or(Rating::Good),
        at_ms: row.get(3)?,
        undone: false,
    })
}

/// The one writer of the review log: adds a rating (a second write of the
/// same event changes nothing), queues it for sync when it was made here,
/// and replays its card.
pub(crate) fn put_event(w: &mut Writer, event: &ReviewEvent, device: Option<&str>) -> Result<()> {
    let added = w
        .conn()
        .prepare_cached(
            "INSERT OR IGNORE INTO review_events (id, card, rating, at, undone, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![event.id, event.card.to_string(), event.rating.number(), event.at_ms, event.undone, device])?;
    if added == 0 {
        return Ok(());
    }
    w.queue([Change::Review {
        event: event.id.clone(),
        card: event.card.to_string(),
        rating: event.rating.number(),
        at: u64::try_from(event.at_ms).unwrap_or(0),
    }]);
    replay_card(w.conn(), &event.card)?;
    super::deck::refresh_card(w.conn(), &event.card)?;
    w.touch_library(Kind::Review);
    Ok(())
}

/// The one writer of undoing: marks a rating undone (it stays in the log).
pub(crate) fn put_undone(w: &mut Writer, event_id: &str) -> Result<()> {
    let card: Option<String> = w
        .conn()
        .prepare_cached("UPDATE review_events SET undone = 1 WHERE id = ?1 AND undone = 0 RETURNING card")?
        .query_row([event_id], |row| row.get(0))
        .optional()?;
    let Some(card) = card else { return Ok(()) };
    w.queue([Change::UndoReview { event: event_id.to_owned() }]);
    if let Ok(card) = card.parse() {
        replay_card(w.conn(), &card)?;
    }
    w.touch_library(Kind::Review);
    Ok(())
}

/// The one writer of card choices: whether `card` is in review against the
/// default rule (`None`: the rule decides), whether it is suspended, and
/// until when it is buried.
pub fn put_card(w: &mut Writer, card: &CardId, choice: CardChoice) -> Result<()> {
    let id = card.to_string();
    if card_choice(w.conn(), card)? == choice {
        return Ok(());
    }
    let CardChoice { included, suspended, buried_until } = choice;
    let buried = buried_until.and_then(|at| i64::try_from(at).ok());
    w.conn()
        .prepare_cached(
            "INSERT INTO review_cards (card, included, suspended, buried_until) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (card) DO UPDATE SET included = excluded.included, suspended = excluded.suspended,
                 buried_until = excluded.buried_until",
        )?
        .execute(params![id, included, suspended, buried])?;
    w.queue([Change::SetCard { card: id, included, suspended, buried_until }]);
    super::deck::refresh_card(w.conn(), card)?;
    w.touch_library(Kind::Review);
    Ok(())
}

/// What the user chose for `card` (nothing yet: the defaults).
pub fn card_choice(conn: &Connection, card: &CardId) -> Result<CardChoice> {
    Ok(conn
        .prepare_cached("SELECT included, suspended, buried_until FROM review_cards WHERE card = ?1")?
        .query_row([card.to_string()], |row| {
            let buried: Option<i64> = row.get(2)?;
            Ok(CardChoice {
                included: row.get(0)?,
                suspended: row.get(1)?,
                buried_until: buried.and_then(|at| u64::try_from(at).ok()),
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Buries `card` until the next review day starts after `now_ms`
/// (`buried: false` brings it back today).
pub fn bury(w: &mut Writer, card: &CardId, buried: bool, now_ms: i64) -> Result<()> {
    super::deck::in_review(w.conn(), card)?;
    let day = review_settings(w.conn())?.day;
    let until = buried.then(|| u64::try_from(day.start_of(day.day_of(now_ms) + 1)).unwrap_or(0));
    put_card(w, card, CardChoice { buried_until: until, ..card_choice(w.conn(), card)? })
}

/// A card's events, undone ones included (replays leave them out).
pub fn events_of(conn: &Connection, card: &CardId) -> Result<Vec<ReviewEvent>> {
    let mut stmt = conn.prepare_cached("SELECT id, card, rating, at, undone FROM review_events WHERE card = ?1")?;
    let rows =
        stmt.query_map([card.to_string()], |row| Ok(ReviewEvent { undone: row.get(4)?, ..event_from_row(row)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replays a card's events into its cached state.
fn replay_card(conn: &Connection, card: &CardId) -> Result<()> {
    let state = scheduler(conn)?.replay(&events_of(conn, card)?);
    store_state(conn, card, &state)
}

fn store_state(conn: &Connection, card: &CardId, state: &CardState) -> Result<()> {
    let phase = match state.phase() {
        Phase::New => "new",
        Phase::Learning => "learning",
        Phase::Review => "review",
        Phase::Relearning => "relearning",
    };
    conn.prepare_cached(
        "INSERT INTO review_cards (card, phase, due, reviews, lapses, stability, difficulty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (card) DO UPDATE SET phase = excluded.phase, due = excluded.due, reviews = excluded.reviews,
             lapses = excluded.lapses, stability = excluded.stability, difficulty = excluded.difficulty",
    )?
    .execute(params![
        card.to_string(),
        phase,
        state.due_ms(),
        state.reviews(),
        state.lapses(),
        state.stability(),
        state.difficulty()
    ])?;
    Ok(())
}

/// Replays every card with events (after the settings changed).
pub(crate) fn replay_all(conn: &Connection) -> Result<()> {
    let cards: Vec<String> = {
        let mut stmt = conn.prepare_cached("SELECT DISTINCT card FROM review_events")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for card in cards.iter().filter_map(|card| card.parse::<CardId>().ok()) {
        replay_card(conn, &card)?;
    }
    Ok(())
}
