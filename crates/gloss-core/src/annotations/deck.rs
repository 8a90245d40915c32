//! The deck: which cards exist, what is due, and what a card asks.
//!
//! A card exists while what it is made from does: every highlight not in
//! the trash, every starred insight and every note written as `Q: ... A:`
//! (the default rule), plus what the user added, minus what the user left
//! out. A highlight's card goes to the trash with it and comes back with
//! its history when it is restored (the log is never touched). A card
//! whose highlight lost its place in the text is suspended, with the
//! reason, until the highlight is re-attached.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::error::{Error, Result};
use super::review;
use crate::store::episodes::{self, EpisodeId};
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
}

/// What is up for review now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Due {
    /// Cards to review now, in the order to show them: due ones by due
    /// time, then the new ones allowed today.
    pub cards: Vec<DeckCard>,
    /// Cards due today (whether or not the daily limit shows them all).
    pub due: usize,
    /// New cards waiting to be introduced.
    pub new: usize,
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

/// Every card of the default rule, with its episode and why it is
/// suspended by its source (an orphaned highlight).
fn by_rule(conn: &Connection) -> Result<Vec<(String, EpisodeId, Option<&'static str>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'highlight/' || h.id, h.episode_id, h.anchor_status = 'orphaned' FROM highlights h
         WHERE h.deleted_at IS NULL
         UNION ALL
         SELECT 'question/highlight/' || h.id, h.episode_id, h.anchor_status = 'orphaned' FROM highlights h
         WHERE h.deleted_at IS NULL AND ltrim(h.note) LIKE 'Q:%'
         UNION ALL
         SELECT 'insight/' || e.fingerprint || '/' || s.block_key, s.episode_id, 0 FROM stars s
         JOIN episodes e ON e.id = s.episode_id WHERE s.starred = 1 AND e.fingerprint IS NOT NULL
         UNION ALL
         SELECT CASE n.block_key WHEN '' THEN 'question/episode/' || e.fingerprint
                ELSE 'question/insight/' || e.fingerprint || '/' || n.block_key END, n.episode_id, 0
         FROM notes n JOIN episodes e ON e.id = n.episode_id
         WHERE e.fingerprint IS NOT NULL AND ltrim(n.text) LIKE 'Q:%'",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get::<_, bool>(2)?.then_some(ORPHANED))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// Every card in review, with its state.
pub fn deck(conn: &Connection) -> Result<Vec<DeckCard>> {
    struct Cached {
        included: Option<bool>,
        suspended: bool,
        phase: String,
        due: Option<i64>,
    }
    let mut cached: HashMap<String, Cached> = {
        let mut stmt = conn.prepare_cached("SELECT card, included, suspended, phase, due FROM review_cards")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get(0)?,
                Cached { included: row.get(1)?, suspended: row.get(2)?, phase: row.get(3)?, due: row.get(4)? },
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut cards: Vec<(String, EpisodeId, Option<&'static str>)> = by_rule(conn)?;
    // Cards the user added that the rule does not make (an unstarred insight).
    let ruled: std::collections::HashSet<String> = cards.iter().map(|(card, ..)| card.clone()).collect();
    for (card, choice) in &cached {
        if choice.included != Some(true) || ruled.contains(card) {
            continue;
        }
        if let Ok(CardId::Insight { episode, .. }) = card.parse::<CardId>() {
            if let Some(episode_id) = episode_of_fingerprint(conn, &episode)? {
                cards.push((card.clone(), episode_id, None));
            }
        }
    }
    let titles: HashMap<EpisodeId, Option<String>> = {
        let mut stmt = conn.prepare_cached("SELECT id, title FROM episodes")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut deck = Vec::with_capacity(cards.len());
    for (card, episode_id, by_source) in cards {
        let Ok(id) = card.parse::<CardId>() else { continue };
        let state = cached.remove(&card);
        if state.as_ref().is_some_and(|s| s.included == Some(false)) {
            continue;
        }
        let suspended = by_source.or(state.as_ref().filter(|s| s.suspended).map(|_| SUSPENDED_BY_USER));
        deck.push(DeckCard {
            card: id,
            episode_id,
            episode_title: titles.get(&episode_id).cloned().flatten(),
            phase: state.as_ref().map_or_else(|| "new".to_owned(), |s| s.phase.clone()),
            due: state.and_then(|s| s.due),
            suspended: suspended.map(str::to_owned),
        });
    }
    Ok(deck)
}

/// What is up for review at `now_ms`, within the day's limits.
pub fn due(conn: &Connection, now_ms: i64) -> Result<Due> {
    let scheduler = review::scheduler(conn)?;
    let settings = *scheduler.settings();
    let day = settings.day;
    let today_starts = day.start_of(day.day_of(now_ms));
    let (reviewed_today, introduced_today): (usize, usize) = conn
        .prepare_cached(
            "SELECT count(*), count(*) FILTER (WHERE first) FROM (
                 SELECT at >= ?1 AND NOT EXISTS (SELECT 1 FROM review_events p
                     WHERE p.card = e.card AND p.undone = 0 AND (p.at, p.id) < (e.at, e.id)) AS first
                 FROM review_events e WHERE e.undone = 0 AND e.at >= ?1)",
        )?
        .query_row([today_starts], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let live: Vec<DeckCard> = deck(conn)?.into_iter().filter(|card| card.suspended.is_none()).collect();
    let tomorrow = day.start_of(day.day_of(now_ms) + 1);
    let mut due: Vec<DeckCard> = live.iter().filter(|c| c.due.is_some_and(|due| due < tomorrow)).cloned().collect();
    due.sort_by_key(|c| c.due);
    let new: Vec<DeckCard> = live.into_iter().filter(|c| c.due.is_none()).collect();
    let (due_count, new_count) = (due.len(), new.len());
    let room = (settings.max_reviews_per_day as usize).saturating_sub(reviewed_today);
    let new_room = (settings.new_per_day as usize).saturating_sub(introduced_today);
    let mut cards: Vec<DeckCard> = due.into_iter().take(room).collect();
    let left = room.saturating_sub(cards.len());
    cards.extend(new.into_iter().take(new_room.min(left)));
    Ok(Due { cards, due: due_count, new: new_count })
}

/// The deck card of `card`, if it is in review.
pub(crate) fn in_review(conn: &Connection, card: &CardId) -> Result<DeckCard> {
    deck_card(conn, card)
}

fn deck_card(conn: &Connection, card: &CardId) -> Result<DeckCard> {
    deck(conn)?.into_iter().find(|c| &c.card == card).ok_or_else(|| {
        Error::not_found("card", format!("no card {card} is in review; list them with `gloss review --due`"))
    })
}

/// A card to show at `now_ms`, with its answer only if `reveal`.
pub fn show(conn: &Connection, card: &CardId, reveal: bool, now_ms: i64) -> Result<ShownCard> {
    let deck = deck_card(conn, card)?;
    let CardPrompt { prompt, answer } = prompt(conn, card)?;
    let scheduler: Scheduler = review::scheduler(conn)?;
    let state = scheduler.replay(&review::events_of(conn, card)?);
    Ok(ShownCard { deck, prompt, answer: reveal.then_some(answer), next: scheduler.preview(&state, now_ms) })
}

/// What a card asks and answers, from its source as it is now.
pub fn prompt(conn: &Connection, card: &CardId) -> Result<CardPrompt> {
    let gone = || Error::not_found("card", format!("what card {card} was made from is gone"));
    let note_of_highlight = |id: &str| -> Result<(EpisodeId, Option<usize>, Option<usize>, String, String)> {
        conn.prepare_cached("SELECT episode_id, anchor_start, anchor_end, exact, note FROM highlights WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
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
            let (episode_id, start, end, exact, note) = note_of_highlight(id)?;
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
                NoteOf::Highlight(id) => note_of_highlight(id)?.4,
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
