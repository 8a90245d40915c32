//! [`Annotations`]: the user's annotation operations, one method per API
//! operation (docs/api.md), each one change through [`Library::change`]
//! on behalf of one caller.

use std::collections::{HashMap, HashSet};

use crate::annotations::review_sources::{self, ReviewSource, ReviewSources};
use crate::annotations::{deck, review};
use crate::annotations::{
    feed, highlights, index, notes, preferences, query, reading, reanchor, stars, tags, trash, versions, view, Caller,
    EarlierVersion, Emptied, EpisodeAnnotations, EpisodeMarks, FeedFilter, FeedPage, Found, Highlight, HighlightFilter,
    HighlightHit, HighlightId, HighlightPage, HighlightPatch, NewHighlight, NoteRef, Origin, ReadingState,
    ReadingUpdate, Result, Tag, Trash,
};
use crate::library::Library;
use crate::store::episodes::EpisodeId;
use gloss_review::stats::ReviewStats;
use gloss_review::{CardId, Rating, ReviewEvent, Settings as ReviewSettings};
use gloss_sync::CardChoice;

#[derive(Debug, Clone)]
pub struct Annotations<'l> {
    library: &'l Library,
    /// Every change made here is the user's, through this caller's door.
    origin: Origin,
}

impl<'l> Annotations<'l> {
    pub fn new(library: &'l Library, caller: Caller) -> Self {
        Annotations { library, origin: Origin::User(caller) }
    }

    fn change<T>(&self, work: impl FnOnce(&mut crate::annotations::Writer) -> Result<T>) -> Result<T> {
        self.library.change(self.origin.clone(), work)
    }

    fn read<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        crate::annotations::read(self.library.store(), work)
    }

    /// `create_highlight`: anchors a quote (or a code point range) in an
    /// episode. An absent quote is `Invalid { field: "quote" }`, one found
    /// several times without an occurrence `Conflict { field: "quote" }`.
    pub fn create_highlight(&self, new: &NewHighlight) -> Result<Highlight> {
        let id = highlights::new_id();
        self.change(|w| highlights::create(w, &id, w.now(), new))
    }

    /// Many `create_highlight`s in one transaction, through the same path
    /// (for building large libraries: one commit instead of one each). Any
    /// refusal refuses them all.
    pub fn create_highlights(&self, news: &[NewHighlight]) -> Result<Vec<Highlight>> {
        self.change(|w| news.iter().map(|new| highlights::create(w, &highlights::new_id(), w.now(), new)).collect())
    }

    /// `update_highlight`: color, note, tags.
    pub fn update_highlight(&self, patch: &HighlightPatch) -> Result<Highlight> {
        self.change(|w| highlights::update(w, patch))
    }

    /// `delete_highlight`: to the trash.
    pub fn delete_highlight(&self, id: &str) -> Result<HighlightId> {
        self.change(|w| highlights::delete(w, id))
    }

    /// `restore_highlight`: back from the trash.
    pub fn restore_highlight(&self, id: &str) -> Result<Highlight> {
        self.change(|w| highlights::restore(w, id))
    }

    /// `reattach_highlight`: the user places a highlight on `[start, end)`.
    pub fn reattach_highlight(&self, id: &str, start: usize, end: usize) -> Result<Highlight> {
        self.change(|w| highlights::reattach(w, id, start, end))
    }

    /// `confirm_highlight`: the user accepts a fuzzy place.
    pub fn confirm_highlight(&self, id: &str) -> Result<Highlight> {
        self.change(|w| highlights::confirm(w, id))
    }

    pub fn get_highlight(&self, id: &str) -> Result<Highlight> {
        self.read(|conn| highlights::get(conn, id))
    }

    /// `list_highlights`, and `gloss annotations`.
    pub fn list_highlights(&self, filter: &HighlightFilter) -> Result<HighlightPage> {
        self.read(|conn| query::list(conn, filter))
    }

    /// `list_notes`: the Notes view's feed of highlights and of episode
    /// and insight notes (see [`feed`]).
    pub fn list_notes(&self, filter: &FeedFilter) -> Result<FeedPage> {
        self.read(|conn| feed::list(conn, filter))
    }

    /// The highlight hits of `search`: quotes, notes and tags matching every
    /// word, with the filters of `filter` (its `text` is replaced by `words`).
    pub fn search_highlights(&self, words: &str, filter: &HighlightFilter, limit: usize) -> Result<Vec<HighlightHit>> {
        self.read(|conn| query::search(conn, words, filter, limit))
    }

    /// `search`: episodes and highlights matching `query`, with filters
    /// (see [`query::search_all`]). Brings the episode index up to date
    /// with the annotations first.
    pub fn search(&self, query: &str, filter: &HighlightFilter, limit: usize) -> Result<Found> {
        self.flush_search()?;
        self.read(|conn| query::search_all(conn, query, filter, limit))
    }

    /// Re-indexes episodes whose annotations changed since the last search
    /// (see [`index`]); returns how many. Cheap when there are none.
    pub fn flush_search(&self) -> Result<usize> {
        Ok(index::flush(self.library.store())?)
    }

    /// `set_episode_note`.
    pub fn set_episode_note(&self, episode_id: EpisodeId, text: &str) -> Result<()> {
        self.change(|w| notes::set_episode_note(w, episode_id, text))
    }

    /// `set_insight_note`.
    pub fn set_insight_note(&self, episode_id: EpisodeId, block_key: &str, text: &str) -> Result<()> {
        self.change(|w| notes::set_insight_note(w, episode_id, block_key, text))
    }

    /// A note's earlier versions: concurrent edits from other devices (or
    /// this one) that lost to the text shown, newest first.
    pub fn note_versions(&self, note: &NoteRef) -> Result<Vec<EarlierVersion>> {
        self.read(|conn| versions::list(conn, note))
    }

    /// Settles a note that has earlier versions: `text` becomes its text
    /// and the earlier versions are dropped, on every device.
    pub fn settle_note(&self, note: &NoteRef, text: &str) -> Result<()> {
        self.change(|w| versions::settle(w, note, text))
    }

    /// What each highlight color means, a setting that follows the user to
    /// every device (`update_settings`' `color_names`).
    pub fn set_color_names(&self, names: &HashMap<String, String>) -> Result<()> {
        self.change(|w| preferences::set_color_names(w, names))
    }

    /// A preference of this machine's UI (theme, text size).
    pub fn set_preference(&self, key: &str, value: &str) -> Result<()> {
        self.change(|w| preferences::put(w, key, Some(value)))
    }

    /// `set_star`.
    pub fn set_star(&self, episode_id: EpisodeId, block_key: &str, starred: bool) -> Result<()> {
        self.change(|w| stars::set_star(w, episode_id, block_key, starred))
    }

    /// `review_due`: what is up for review at `now_ms`.
    pub fn review_due(&self, now_ms: i64) -> Result<deck::Due> {
        self.read(|conn| deck::due(conn, now_ms))
    }

    /// `review_card`: a card's prompt, and its answer only if `reveal`.
    pub fn review_card(&self, card: &CardId, reveal: bool, now_ms: i64) -> Result<deck::ShownCard> {
        self.read(|conn| deck::show(conn, card, reveal, now_ms))
    }

    /// `card_in_review`: the card as the deck holds it, or `None` when it is
    /// not in review (a question asked while drawing a control, not an error).
    pub fn card_in_review(&self, card: &CardId) -> Result<Option<deck::DeckCard>> {
        self.read(|conn| match deck::in_review(conn, card) {
            Ok(found) => Ok(Some(found)),
            Err(crate::annotations::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        })
    }

    /// `rate_card`: logs a rating made at `at_ms` (the wall clock if `None`).
    pub fn rate_card(&self, card: &CardId, rating: Rating, at_ms: Option<i64>) -> Result<ReviewEvent> {
        self.change(|w| review::rate(w, card, rating, at_ms.unwrap_or(w.now())))
    }

    /// `undo_rating`: undoes this device's latest rating.
    pub fn undo_rating(&self) -> Result<Option<ReviewEvent>> {
        self.change(review::undo_last)
    }

    /// `set_card`: a card in or out of review, suspended or not (buried as it was).
    pub fn set_card(&self, card: &CardId, included: Option<bool>, suspended: bool) -> Result<()> {
        self.change(|w| {
            let choice = review::card_choice(w.conn(), card)?;
            review::put_card(w, card, CardChoice { included, suspended, ..choice })
        })
    }

    /// `bury_card`: a card out of review until the day after `now_ms`'s
    /// (the clock's when `None`) starts, or back today.
    pub fn bury_card(&self, card: &CardId, buried: bool, now_ms: Option<i64>) -> Result<()> {
        self.change(|w| review::bury(w, card, buried, now_ms.unwrap_or(w.now())))
    }

    /// `review_sources`: what enters review.
    pub fn review_sources(&self) -> Result<ReviewSources> {
        self.read(review_sources::review_sources)
    }

    /// `set_review_source`: a kind of card, an episode or a tag in review,
    /// left out, or (`None`) left to the other rules.
    pub fn set_review_source(&self, source: &ReviewSource, included: Option<bool>) -> Result<ReviewSources> {
        self.change(|w| review_sources::set_review_source(w, source, included))
    }

    /// `review_stats`: the finish screen's figures at `now_ms`.
    pub fn review_stats(&self, now_ms: i64) -> Result<ReviewStats> {
        self.read(|conn| deck::review_stats(conn, now_ms))
    }

    /// `review_settings`.
    pub fn review_settings(&self) -> Result<ReviewSettings> {
        self.read(review::review_settings)
    }

    /// `update_review_settings`: every card is rescheduled for them.
    pub fn update_review_settings(&self, settings: &ReviewSettings) -> Result<()> {
        self.change(|w| review::set_review_settings(w, settings))
    }

    /// `set_episode_tags`.
    pub fn set_episode_tags(&self, episode_id: EpisodeId, tags: &[String]) -> Result<()> {
        self.change(|w| tags::set_episode_tags(w, episode_id, tags))
    }

    /// `list_tags`.
    pub fn list_tags(&self) -> Result<Vec<Tag>> {
        self.read(tags::list)
    }

    /// `rename_tag`: returns how many highlights and episodes changed.
    pub fn rename_tag(&self, from: &str, to: &str) -> Result<usize> {
        self.change(|w| tags::rename(w, from, to))
    }

    /// `merge_tag`: returns how many highlights and episodes changed.
    pub fn merge_tag(&self, from: &str, to: &str) -> Result<usize> {
        self.change(|w| tags::merge(w, from, to))
    }

    /// `delete_tag`: to the trash; returns how many items carried it.
    pub fn delete_tag(&self, name: &str) -> Result<usize> {
        self.change(|w| tags::delete(w, name))
    }

    /// Undoes the latest `delete_tag` (or `merge_tag`) of `name`.
    pub fn restore_tag(&self, name: &str) -> Result<usize> {
        self.change(|w| tags::restore(w, name))
    }

    /// `set_reading_state`: call on every visit.
    pub fn set_reading_state(&self, update: &ReadingUpdate) -> Result<ReadingState> {
        self.change(|w| reading::set_reading_state(w, update))
    }

    /// What is in the trash.
    pub fn list_trash(&self) -> Result<Trash> {
        self.read(trash::list)
    }

    /// `empty_trash`: the one hard delete.
    pub fn empty_trash(&self) -> Result<Emptied> {
        self.change(trash::empty)
    }

    /// The annotation fields of `get_episode`.
    pub fn episode_annotations(&self, episode_id: EpisodeId) -> Result<EpisodeAnnotations> {
        self.read(|conn| view::episode_annotations(conn, episode_id))
    }

    /// `highlight_count` and `read` of `list_episodes`' items.
    pub fn episode_marks(&self) -> Result<HashMap<EpisodeId, EpisodeMarks>> {
        self.read(view::episode_marks)
    }

    /// The `tag` filter of `list_episodes` and of episode search hits.
    pub fn episodes_tagged(&self, tag: &str) -> Result<HashSet<EpisodeId>> {
        self.read(|conn| view::episodes_tagged(conn, tag))
    }

    /// Re-anchors whatever is behind its episode's text (see [`reanchor`]).
    pub fn reanchor_pending(&self) -> crate::store::Result<usize> {
        reanchor::reanchor_pending(self.library.store())
    }
}
