//! The deck: which cards exist, what is due, and what a card asks.
//!
//! A card exists while what it is made from does: every highlight not in
//! the trash, every starred insight and every note written as `Q: ... A:`
//! (the default rule), plus what the user added, minus what the user left
//! out. A highlight's card goes to the trash with it and comes back with
//! its history when it is restored (the log is never touched). A card
//! whose highlight lost its place in the text is suspended, with the
//! reason, until the highlight is re-attached.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::error::{Error, Result};
use super::model::HighlightId;
use super::review;
use super::review_sources::EpisodeRule;
use crate::store;
use crate::store::episodes::{self, EpisodeId};
use crate::store::schema::review::RULE_CARDS;
use gloss_parse::model::BlockRole;
use gloss_review::card::NoteOf;
use gloss_review::stats::{stats, ReviewStats};
use gloss_review::{cloze, question, CardId, CardPrompt, Preview, ReviewEvent, Scheduler};

/// A card in the deck, as the review list shows it (never its answer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeckCard {
    pub card: CardId,
    pub episode_id: EpisodeId,
    pub episode_title: Option<String>,
    /// `new`, `learning`, `review` or `relearning`.
    pub phase: String,
    /// When it is due (Unix milliseconds); `None` while new.
    pub due: Option<i64>,
    /// Why it is not shown, when suspended.
    pub suspended: Option<String>,
    /// Until when it is buried (Unix milliseconds): out of what is due
    /// until that day starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buried_until: Option<i64>,
}

/// The most cards `due` and `new` count: counting each of a million new
/// cards took 85 ms, and the count is asked for after every change.
pub const MAX_COUNTED: usize = 10_000;

/// What is up for review now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Due {
    /// Cards to review now, in the order to show them: due ones by due
    /// time, then the new ones allowed today.
    pub cards: Vec<DeckCard>,
    /// Cards due today (whether or not the daily limit shows them all),
    /// up to [`MAX_COUNTED`].
    pub due: usize,
    /// More than [`MAX_COUNTED`] cards are due today: `due` stops there.
    pub due_more: bool,
    /// New cards waiting to be introduced, up to [`MAX_COUNTED`].
    pub new: usize,
    /// More than [`MAX_COUNTED`] new cards wait: `new` stops there.
    pub new_more: bool,
}

/// One card to show: the prompt, and the answer only once revealed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShownCard {
    #[serde(flatten)]
    pub deck: DeckCard,
    pub prompt: String,
    /// Absent until the user reveals it: the page never holds it before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// When it would be due after each rating now.
    pub next: Preview,
}

const SUSPENDED_BY_USER: &str = "suspended";
const ORPHANED: &str = "its highlight lost its place in the text; re-attach the highlight to review it again";

/// Which of an episode's cards a change may have changed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cards<'a> {
    /// All of them: a star, a note, a rule or the text changed.
    All,
    /// The cards of these highlights (written in place). Reading all of an
    /// episode's cards to refresh one highlight's took most of creating a
    /// highlight in an episode of hundreds.
    OfHighlights(&'a BTreeSet<HighlightId>),
}

/// Brings the deck rows of `episode_id`'s `cards` up to date with their
/// sources (the rules of review_sources.rs and the user's choice per
/// card). Called by the write path for every episode a change touched.
pub(crate) fn refresh_episode(conn: &Connection, episode_id: EpisodeId, cards: Cards) -> Result<()> {
    let rule = EpisodeRule::load(conn, episode_id)?;
    // Each card its sources make, with why it is blocked and whether the
    // rule would have it (an insight by its star); and the rows as stored.
    let mut made: HashMap<String, (Option<String>, bool)> = HashMap::new();
    let mut stored: HashMap<String, StoredCard> = HashMap::new();
    match cards {
        Cards::All => {
            made_cards(conn, &mut made, "WHERE episode_id = ?1", params![episode_id])?;
            if rule.all_insights() {
                for card in insight_cards(conn, episode_id)? {
                    made.entry(card).or_insert((None, false));
                }
            }
            stored_cards(conn, &mut stored, "WHERE episode_id = ?1", params![episode_id])?;
        }
        Cards::OfHighlights(ids) => {
            for id in ids {
                made_cards(conn, &mut made, "WHERE episode_id = ?1 AND highlight_id = ?2", params![episode_id, id])?;
                let cloze = CardId::Highlight(id.clone()).to_string();
                let question = CardId::Question(NoteOf::Highlight(id.clone())).to_string();
                stored_cards(conn, &mut stored, "WHERE card IN (?1, ?2)", params![cloze, question])?;
            }
        }
    }
    // Only rows that differ are written: a row written unchanged is a page
    // written, and an episode's hundreds of cards made each highlight's
    // commit megabytes.
    for (card, (blocked, starred)) in &made {
        let Ok(id) = card.parse::<CardId>() else { continue };
        let by_rule = rule.includes(&id, *starred);
        let on_episode = match stored.remove(card) {
            Some(row) if row.in_deck == row.included.unwrap_or(by_rule) && row.blocked == *blocked => continue,
            Some(row) => Some(row.episode_id),
            None => stored_episode(conn, card)?,
        };
        // Setting `episode_id` (a foreign key) only when the card moves:
        // see `highlights::put` for what such a statement costs the
        // search indexes.
        let sql = match on_episode {
            None => "INSERT INTO review_cards (card, episode_id, in_deck, blocked) VALUES (?1, ?2, ?3, ?4)",
            Some(on) if on == Some(episode_id) => {
                "UPDATE review_cards SET in_deck = coalesce(included, ?3), blocked = ?4 WHERE card = ?1 AND episode_id = ?2"
            }
            Some(_) => {
                "UPDATE review_cards SET episode_id = ?2, in_deck = coalesce(included, ?3), blocked = ?4 WHERE card = ?1"
            }
        };
        conn.prepare_cached(sql)?.execute(params![card, episode_id, by_rule, blocked])?;
    }
    // Cards of this episode its sources no longer make: in only if the
    // user added them and their source is still here (an insight).
    for (card, row) in stored {
        let in_deck = row.included == Some(true) && insight_exists(conn, episode_id, &card)?;
        if (row.in_deck, row.blocked.as_deref()) != (in_deck, None) {
            conn.prepare_cached("UPDATE review_cards SET in_deck = ?2, blocked = NULL WHERE card = ?1")?
                .execute(params![card, in_deck])?;
        }
    }
    Ok(())
}

/// Adds to `made` the rule's cards `filter` (over [`RULE_CARDS`]'s
/// columns) picks, each as its card, why it is blocked and `true`.
fn made_cards(
    conn: &Connection,
    made: &mut HashMap<String, (Option<String>, bool)>,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(&format!("SELECT card, blocked FROM ({RULE_CARDS}) {filter}"))?;
    for row in stmt.query_map(params, |row| Ok((row.get(0)?, (row.get(1)?, true))))? {
        let (card, made_as) = row?;
        made.insert(card, made_as);
    }
    Ok(())
}

/// Adds to `stored` the deck rows `filter` (over `review_cards`) picks.
fn stored_cards(
    conn: &Connection,
    stored: &mut HashMap<String, StoredCard>,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT card, in_deck, included, blocked, episode_id FROM review_cards {filter}"))?;
    let rows = stmt.query_map(params, |row| {
        let stored =
            StoredCard { in_deck: row.get(1)?, included: row.get(2)?, blocked: row.get(3)?, episode_id: row.get(4)? };
        Ok((row.get(0)?, stored))
    })?;
    for row in rows {
        let (card, row) = row?;
        stored.insert(card, row);
    }
    Ok(())
}

/// A card's deck row as stored.
struct StoredCard {
    in_deck: bool,
    /// The user's choice, over the rule's.
    included: Option<bool>,
    blocked: Option<String>,
    episode_id: Option<EpisodeId>,
}

/// Whether `card` has a deck row, and the episode it is on.
fn stored_episode(conn: &Connection, card: &str) -> Result<Option<Option<EpisodeId>>> {
    Ok(conn
        .prepare_cached("SELECT episode_id FROM review_cards WHERE card = ?1")?
        .query_row([card], |row| row.get(0))
        .optional()?)
}

/// Brings every episode's deck rows up to date (after what enters review changed).
pub(crate) fn refresh_all(conn: &Connection) -> Result<()> {
    let episodes: Vec<EpisodeId> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM episodes WHERE canonical_text IS NOT NULL")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for episode_id in episodes {
        refresh_episode(conn, episode_id, Cards::All)?;
    }
    Ok(())
}

/// The card of every insight of an episode.
fn insight_cards(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<String>> {
    let Some(record) = episodes::get(conn, episode_id)? else { return Ok(Vec::new()) };
    let Some(fingerprint) = record.fingerprint.clone() else { return Ok(Vec::new()) };
    let blocks = record.episode.map(|e| e.blocks()).unwrap_or_default();
    Ok(blocks
        .into_iter()
        .filter(|b| b.role == BlockRole::InsightTitle)
        .filter_map(|b| b.group)
        .map(|block| CardId::Insight { episode: fingerprint.clone(), block }.to_string())
        .collect())
}

/// Brings one card's deck row up to date: after a rating or a choice,
/// which may be the first this device hears of the card.
pub(crate) fn refresh_card(conn: &Connection, card: &CardId) -> Result<()> {
    match episode_of_card(conn, card)? {
        Some(episode_id) => {
            conn.prepare_cached("UPDATE review_cards SET episode_id = ?2 WHERE card = ?1")?
                .execute(params![card.to_string(), episode_id])?;
            refresh_episode(conn, episode_id, Cards::All)
        }
        None => Ok(()),
    }
}

/// The local episode a card's source is in.
fn episode_of_card(conn: &Connection, card: &CardId) -> Result<Option<EpisodeId>> {
    let by_highlight = |id: &str| -> Result<Option<EpisodeId>> {
        Ok(conn
            .prepare_cached("SELECT episode_id FROM highlights WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?)
    };
    match card {
        CardId::Highlight(id) | CardId::Question(NoteOf::Highlight(id)) => by_highlight(id),
        CardId::Insight { episode, .. }
        | CardId::Question(NoteOf::Insight { episode, .. })
        | CardId::Question(NoteOf::Episode(episode)) => episode_of_fingerprint(conn, episode),
    }
}

fn insight_exists(conn: &Connection, episode_id: EpisodeId, card: &str) -> Result<bool> {
    let Ok(CardId::Insight { block, .. }) = card.parse::<CardId>() else { return Ok(false) };
    let Some(record) = episodes::get(conn, episode_id)? else { return Ok(false) };
    let blocks = record.episode.map(|e| e.blocks()).unwrap_or_default();
    Ok(blocks.iter().any(|b| b.key == format!("{block}.title")))
}

/// The episode a card comes from, by the fingerprint in its id.
fn episode_of_fingerprint(conn: &Connection, fingerprint: &str) -> Result<Option<EpisodeId>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM episodes WHERE fingerprint = ?1 AND canonical_text IS NOT NULL
             ORDER BY status <> 'active', id LIMIT 1",
        )?
        .query_row([fingerprint], |row| row.get(0))
        .optional()?)
}

const DECK_COLUMNS: &str =
    "rc.card, rc.episode_id, e.title, rc.phase, rc.due, rc.suspended, rc.blocked, rc.buried_until";

fn deck_card_from_row(row: &rusqlite::Row) -> rusqlite::Result<Option<DeckCard>> {
    let card: String = row.get(0)?;
    let Ok(card) = card.parse() else { return Ok(None) };
    let suspended: bool = row.get(5)?;
    let blocked: Option<String> = row.get(6)?;
    Ok(Some(DeckCard {
        card,
        episode_id: row.get(1)?,
        episode_title: row.get(2)?,
        phase: row.get(3)?,
        due: row.get(4)?,
        suspended: match (blocked, suspended) {
            (Some(_), _) => Some(ORPHANED.to_owned()),
            (None, true) => Some(SUSPENDED_BY_USER.to_owned()),
            (None, false) => None,
        },
        buried_until: row.get(7)?,
    }))
}

/// Up to `limit` cards in review from `cards` (`review_cards` as `rc`,
/// perhaps with an index named) matching `filter` (SQL over `rc`), in
/// `order`. (A LEFT JOIN keeps `review_cards` the outer loop, so the
/// partial indexes serve the filter and the order.)
fn deck_cards(
    conn: &Connection,
    cards: &str,
    filter: &str,
    order: &str,
    bound: i64,
    limit: usize,
) -> store::Result<Vec<DeckCard>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DECK_COLUMNS} FROM {cards} LEFT JOIN episodes e ON e.id = rc.episode_id
         WHERE rc.in_deck = 1 AND {filter} ORDER BY {order} LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![bound, i64::try_from(limit).unwrap_or(i64::MAX)], deck_card_from_row)?;
    Ok(rows.filter_map(|row| row.transpose()).collect::<rusqlite::Result<_>>()?)
}

const ALL_CARDS: &str = "review_cards rc";

/// Which cards wait, due or new, before `?1` (the next day's start): not
/// suspended, and not buried for the day (a card buried today is buried
/// until that very start).
const DUE: &str = "rc.suspended = 0 AND rc.blocked IS NULL AND rc.due IS NOT NULL AND rc.due < ?1
    AND (rc.buried_until IS NULL OR rc.buried_until < ?1)";
const NEW: &str = "rc.suspended = 0 AND rc.blocked IS NULL AND rc.due IS NULL
    AND (rc.buried_until IS NULL OR rc.buried_until < ?1)";

/// Every card in review (suspended ones too), by due time, new ones last.
pub fn deck(conn: &Connection) -> store::Result<Vec<DeckCard>> {
    deck_cards(conn, ALL_CARDS, "?1 = ?1", "rc.due IS NULL, rc.due, rc.card", 0, usize::MAX)
}

/// What is up for review at `now_ms`, within the day's limits.
pub fn due(conn: &Connection, now_ms: i64) -> Result<Due> {
    let settings = *review::scheduler(conn)?.settings();
    let day = settings.day;
    let today_starts = day.start_of(day.day_of(now_ms));
    let tomorrow = day.start_of(day.day_of(now_ms) + 1);
    let (reviewed_today, introduced_today): (usize, usize) = conn
        .prepare_cached(
            "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM review_events p
                 WHERE p.card = e.card AND p.undone = 0 AND p.at < ?1))
             FROM review_events e WHERE e.undone = 0 AND e.at >= ?1",
        )?
        .query_row([today_starts], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let count = |filter: &str| -> Result<(usize, bool)> {
        let counted: usize = conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM review_cards rc WHERE rc.in_deck = 1 AND {filter} LIMIT ?2)"
            ))?
            .query_row(params![tomorrow, i64::try_from(MAX_COUNTED + 1).unwrap_or(i64::MAX)], |row| row.get(0))?;
        Ok((counted.min(MAX_COUNTED), counted > MAX_COUNTED))
    };
    let ((due_count, due_more), (new_count, new_more)) = (count(DUE)?, count(NEW)?);
    let room = (settings.max_reviews_per_day as usize).saturating_sub(reviewed_today);
    let mut cards = deck_cards(conn, ALL_CARDS, DUE, "rc.due", tomorrow, room)?;
    let new_room = (settings.new_per_day as usize).saturating_sub(introduced_today).min(room - cards.len());
    // SQLite would rather read the waiting index and sort: named here.
    let new_cards = "review_cards rc INDEXED BY review_cards_new";
    cards.extend(deck_cards(conn, new_cards, NEW, "rc.card", tomorrow, new_room)?);
    Ok(Due { cards, due: due_count, due_more, new: new_count, new_more })
}

/// The deck card of `card`, if it is in review.
pub(crate) fn in_review(conn: &Connection, card: &CardId) -> Result<DeckCard> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {DECK_COLUMNS} FROM review_cards rc LEFT JOIN episodes e ON e.id = rc.episode_id
             WHERE rc.card = ?1 AND rc.in_deck = 1"
        ))?
        .query_row([card.to_string()], deck_card_from_row)
        .optional()?
        .flatten();
    found.ok_or_else(|| {
        Error::not_found("card", format!("no card {card} is in review; list them with `gloss review --due`"))
    })
}

/// A card to show at `now_ms`, with its answer only if `reveal`.
pub fn show(conn: &Connection, card: &CardId, reveal: bool, now_ms: i64) -> Result<ShownCard> {
    let deck = in_review(conn, card)?;
    let CardPrompt { prompt, answer } = prompt(conn, card)?;
    let scheduler: Scheduler = review::scheduler(conn)?;
    let state = scheduler.replay(&review::events_of(conn, card)?);
    Ok(ShownCard { deck, prompt, answer: reveal.then_some(answer), next: scheduler.preview(&state, now_ms) })
}

/// What a highlight card is made from.
struct HighlightSource {
    episode_id: EpisodeId,
    start: Option<usize>,
    end: Option<usize>,
    exact: String,
    note: String,
}

/// What a card asks and answers, from its source as it is now.
pub fn prompt(conn: &Connection, card: &CardId) -> Result<CardPrompt> {
    let gone = || Error::not_found("card", format!("what card {card} was made from is gone"));
    let source = |id: &str| -> Result<HighlightSource> {
        conn.prepare_cached("SELECT episode_id, anchor_start, anchor_end, exact, note FROM highlights WHERE id = ?1")?
            .query_row([id], |row| {
                Ok(HighlightSource {
                    episode_id: row.get(0)?,
                    start: row.get(1)?,
                    end: row.get(2)?,
                    exact: row.get(3)?,
                    note: row.get(4)?,
                })
            })
            .optional()?
            .ok_or_else(gone)
    };
    let block_text = |episode: &str, key: &str| -> Result<Option<String>> {
        let Some(id) = episode_of_fingerprint(conn, episode)? else { return Ok(None) };
        let record = episodes::get(conn, id)?.ok_or_else(gone)?;
        let blocks = record.episode.map(|e| e.blocks()).unwrap_or_default();
        Ok(blocks.into_iter().find(|b| b.key == key).map(|b| b.text))
    };
    match card {
        CardId::Highlight(id) => {
            let HighlightSource { episode_id, start, end, exact, note } = source(id)?;
            let text: Option<String> = conn
                .prepare_cached("SELECT canonical_text FROM episodes WHERE id = ?1")?
                .query_row([episode_id], |row| row.get(0))
                .optional()?
                .flatten();
            let made = match (text, start, end) {
                (Some(text), Some(start), Some(end)) => cloze(&text, start, end),
                _ => None,
            };
            let mut made = made.unwrap_or(CardPrompt { prompt: gloss_review::card::BLANK.to_owned(), answer: exact });
            if !note.trim().is_empty() {
                made.answer = format!("{}\n\n{}", made.answer, note.trim());
            }
            Ok(made)
        }
        CardId::Insight { episode, block } => {
            let title = block_text(episode, &format!("{block}.title"))?.ok_or_else(gone)?;
            let body = block_text(episode, &format!("{block}.body"))?.unwrap_or_default();
            Ok(CardPrompt { prompt: title, answer: body })
        }
        CardId::Question(on) => {
            let note = match on {
                NoteOf::Highlight(id) => source(id)?.note,
                NoteOf::Insight { episode, block } => note_text(conn, episode, block)?,
                NoteOf::Episode(episode) => note_text(conn, episode, "")?,
            };
            question(&note).ok_or_else(|| {
                Error::conflict("card", format!("the note of card {card} is no longer a Q:/A: question"))
            })
        }
    }
}

fn note_text(conn: &Connection, episode: &str, block_key: &str) -> Result<String> {
    let Some(episode_id) = episode_of_fingerprint(conn, episode)? else { return Ok(String::new()) };
    Ok(conn
        .prepare_cached("SELECT text FROM notes WHERE episode_id = ?1 AND block_key = ?2")?
        .query_row(params![episode_id, block_key], |row| row.get(0))
        .optional()?
        .unwrap_or_default())
}

/// The finish screen's figures at `now_ms`.
pub fn review_stats(conn: &Connection, now_ms: i64) -> Result<ReviewStats> {
    let scheduler = review::scheduler(conn)?;
    let events: Vec<ReviewEvent> = {
        let mut stmt = conn.prepare_cached("SELECT id, card, rating, at, undone FROM review_events")?;
        let rows = stmt.query_map([], |row| {
            let card: String = row.get(1)?;
            Ok((row.get::<_, String>(0)?, card, row.get::<_, u8>(2)?, row.get::<_, i64>(3)?, row.get::<_, bool>(4)?))
        })?;
        rows.filter_map(|row| {
            let (id, card, rating, at_ms, undone) = row.ok()?;
            Some(ReviewEvent {
                id,
                card: card.parse().ok()?,
                rating: gloss_review::Rating::from_number(rating)?,
                at_ms,
                undone,
            })
        })
        .collect()
    };
    let mut by_card: HashMap<&CardId, Vec<&ReviewEvent>> = HashMap::new();
    for event in &events {
        by_card.entry(&event.card).or_default().push(event);
    }
    let states: Vec<_> = by_card.into_values().map(|card_events| scheduler.replay(card_events)).collect();
    Ok(stats(&scheduler, &events, &states, now_ms, 7))
}
