//! [`Api`]: answers requests and fans events out to every window and tab.

use crate::error::{ApiError, ErrorKind};
use crate::ops::Request;
use gloss_core::annotations;
use gloss_core::app::{PathError, SettingsError};
use gloss_core::events::Caller;
use gloss_core::export;
use gloss_core::scan::ScanCounts;
use gloss_core::store::{now_ms, StopSwitch};
use gloss_core::sync::SyncError;
use gloss_core::{Gloss, OpenOptions};
use gloss_review::Rating;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// How many events a slow subscriber may fall behind before it is told to
/// reload (see the SSE route).
const EVENT_BUFFER: usize = 1024;

/// An operation's answer, serialized to JSON once: the transports pass the
/// text on as it is. (Going through `serde_json::Value` first cost about
/// half of a large answer's time, in allocations.)
pub type Answer = Box<RawValue>;

/// Search results when the request names no limit.
const DEFAULT_SEARCH_LIMIT: usize = 50;

pub struct Api {
    gloss: Arc<Gloss>,
    events: broadcast::Sender<Value>,
    /// Becomes true when [`Api::close`] is called.
    closing: watch::Sender<bool>,
    /// Every call that only reads runs under it; [`Api::close`] flips it.
    stop: StopSwitch,
}

impl Api {
    /// Opens Gloss and starts forwarding its events to subscribers.
    pub fn open(options: OpenOptions) -> Result<Api, ApiError> {
        let gloss = Gloss::open(options).map_err(storage)?;
        let events = broadcast::channel(EVENT_BUFFER).0;
        let sender = events.clone();
        gloss.events().on_event(move |event| {
            if let Ok(value) = serde_json::to_value(event) {
                // No subscriber yet is fine: events are live news, not a log.
                let _ = sender.send(value);
            }
            true
        });
        Ok(Api { gloss: Arc::new(gloss), events, closing: watch::channel(false).0, stop: StopSwitch::default() })
    }

    /// Answers one request. Storage work runs on the blocking pool, so a slow
    /// query never stalls the async runtime or a window's main thread.
    /// `caller` says which door and client asked; it travels with the
    /// change to every event it causes.
    ///
    /// A request that only reads ([`Request::only_reads`]) stops when
    /// nobody waits for its answer any more: when the returned future is
    /// dropped (the client went away) or [`Api::close`] is called. One that
    /// changes something runs to its end either way.
    pub async fn call(&self, request: Request, caller: Caller) -> Result<Answer, ApiError> {
        let gloss = Arc::clone(&self.gloss);
        let this_call = StopSwitch::default();
        let _stop_when_dropped = StopWhenDropped(this_call.clone());
        let switches = request.only_reads().then(|| (self.stop.clone(), this_call));
        tokio::task::spawn_blocking(move || match switches {
            Some((every_call, this_call)) => every_call.run(|| this_call.run(|| answer(&gloss, request, caller))),
            None => answer(&gloss, request, caller),
        })
        .await
        .map_err(failed)?
    }

    /// [`Api::call`] on this thread, for a caller that is itself a blocking
    /// one-shot (the command line, `gloss mcp`'s worker): no runtime and no
    /// pool thread, whose start (and memory arena) took 1.4 of the 10 ms of
    /// a `gloss search`. Nobody can stop waiting for it half-way.
    pub fn call_blocking(&self, request: Request, caller: Caller) -> Result<Answer, ApiError> {
        gloss_core::panic::caught(|| answer(&self.gloss, request, caller)).map_err(failed)?
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Value> {
        self.events.subscribe()
    }

    /// For a server that is shutting down, so that nothing keeps its
    /// connections open: event streams end (see [`Api::closing`]) and every
    /// call that only reads stops with an error, running or not yet started
    /// (see [`StopSwitch`]). Calls that change something still run to their
    /// end: what a user asked for is kept. Gloss itself closes when the
    /// `Api` is dropped, and reads as it needs to then.
    pub fn close(&self) {
        self.closing.send_replace(true);
        self.stop.stop();
    }

    /// Says `true` once [`Api::close`] was called: the end of every event
    /// stream.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// The data folder this Gloss holds (its lock, database and local channel).
    pub fn data_dir(&self) -> &Path {
        self.gloss.library().store().data_dir()
    }
}

/// A call that panicked (or, on the pool, was cancelled), as an error.
fn failed(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Storage, format!("the operation failed: {why}"))
}

/// Flips its switch when dropped: when the future of a call is dropped
/// before it ends, nobody waits for its answer any more.
struct StopWhenDropped(StopSwitch);

impl Drop for StopWhenDropped {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// One reconcile of the library folder this Gloss uses. While it watches
/// the folder too, the two take turns (the library syncs one at a time).
fn scan_library(gloss: &Gloss) -> Result<ScanCounts, ApiError> {
    let folder = gloss.status().map_err(storage)?.library_dir.ok_or_else(|| {
        ApiError::new(
            ErrorKind::Conflict,
            "no library folder yet: choose one in Settings, or pass --library DIR (or set GLOSS_LIBRARY)",
        )
    })?;
    gloss.library().reconcile(&folder).map_err(storage)
}

/// Maps a request to its core call. Announcing a change is the core's
/// (`Library::change`), so nothing here decides who hears of it.
fn answer(gloss: &Gloss, request: Request, caller: Caller) -> Result<Answer, ApiError> {
    let notes = gloss.annotations(caller.clone());
    match request {
        Request::Health {} => to_json(Ok(json!({ "ok": true, "version": env!("CARGO_PKG_VERSION") }))),
        Request::LibraryStatus {} => to_json(gloss.status().map_err(storage)),
        Request::ScanLibrary {} => to_json(scan_library(gloss)),
        Request::ListEpisodes(filter) => to_json(gloss.list_episodes(&filter).map_err(refused)),
        Request::GetEpisode { id } => match gloss.episode_view(id).map_err(refused)? {
            Some(view) => to_json(Ok(view)),
            None => Err(ApiError::not_found(format!("no episode with id {id}")).on("args.id")),
        },
        Request::Search(args) => {
            let limit = args.limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
            to_json(gloss.search(&args.query, &args.filter(), args.offset.unwrap_or(0), limit).map_err(refused))
        }
        Request::CreateHighlight(new) => to_json(notes.create_highlight(&new).map_err(refused)),
        Request::UpdateHighlight(patch) => to_json(notes.update_highlight(&patch).map_err(refused)),
        Request::DeleteHighlight { id } => {
            let episode_id = notes.get_highlight(&id).map_err(refused)?.episode_id;
            notes.delete_highlight(&id).map_err(refused)?;
            to_json(Ok(json!({ "id": id, "episode_id": episode_id })))
        }
        Request::RestoreHighlight { id } => to_json(notes.restore_highlight(&id).map_err(refused)),
        Request::ReattachHighlight { id, start, end } => {
            to_json(notes.reattach_highlight(&id, start, end).map_err(refused))
        }
        Request::ConfirmHighlight { id } => to_json(notes.confirm_highlight(&id).map_err(refused)),
        Request::GetHighlight { id } => to_json(notes.get_highlight(&id).map_err(refused)),
        Request::ListHighlights(filter) => to_json(notes.list_highlights(&filter).map_err(refused)),
        Request::ListNotes(filter) => to_json(notes.list_notes(&filter).map_err(refused)),
        Request::SetEpisodeNote { episode_id, text } => done(notes.set_episode_note(episode_id, &text)),
        Request::ReviewDue { now } => to_json(notes.review_due(now.unwrap_or_else(now_ms)).map_err(refused)),
        Request::CardInReview { card } => to_json(notes.card_in_review(&card).map_err(refused)),
        Request::ReviewCard { card, reveal, now } => {
            to_json(notes.review_card(&card, reveal, now.unwrap_or_else(now_ms)).map_err(refused))
        }
        Request::RateCard { card, rating, at } => {
            let rating = Rating::from_number(rating).ok_or_else(|| {
                ApiError::invalid("args.rating", format!("rating {rating}: rate from 1 (Again) to 4 (Easy)"))
            })?;
            to_json(notes.rate_card(&card, rating, at).map_err(refused))
        }
        Request::UndoRating {} => to_json(notes.undo_rating().map_err(refused)),
        Request::SetCard { card, included, suspended } => done(notes.set_card(&card, included, suspended)),
        Request::ReviewStats { now } => to_json(notes.review_stats(now.unwrap_or_else(now_ms)).map_err(refused)),
        Request::BuryCard { card, buried, now } => done(notes.bury_card(&card, buried, now)),
        Request::ReviewSettings {} => to_json(notes.review_settings().map_err(refused)),
        Request::ReviewSources {} => to_json(notes.review_sources().map_err(refused)),
        Request::SetReviewSource { source, included } => {
            to_json(notes.set_review_source(&source, included).map_err(refused))
        }
        Request::UpdateReviewSettings(settings) => done(notes.update_review_settings(&settings)),
        Request::SetInsightNote { episode_id, block_key, text } => {
            done(notes.set_insight_note(episode_id, &block_key, &text))
        }
        Request::SetStar { episode_id, block_key, starred } => done(notes.set_star(episode_id, &block_key, starred)),
        Request::SetEpisodeTags { episode_id, tags } => done(notes.set_episode_tags(episode_id, &tags)),
        Request::ListTags {} => to_json(notes.list_tags().map_err(refused)),
        Request::RenameTag { from, to } => counted(notes.rename_tag(&from, &to)),
        Request::MergeTag { from, to } => counted(notes.merge_tag(&from, &to)),
        Request::DeleteTag { name } => counted(notes.delete_tag(&name)),
        Request::RestoreTag { name } => counted(notes.restore_tag(&name)),
        Request::SetReadingState(update) => to_json(notes.set_reading_state(&update).map_err(refused)),
        Request::ListTrash {} => to_json(notes.list_trash().map_err(refused)),
        Request::EmptyTrash {} => to_json(notes.empty_trash().map_err(refused)),
        Request::NoteVersions(note) => to_json(notes.note_versions(&note).map_err(refused)),
        Request::SettleNote { note, text } => done(notes.settle_note(&note, &text)),
        Request::GetSettings {} => to_json(gloss.settings().map_err(storage)),
        Request::UpdateSettings(patch) => to_json(gloss.update_settings(patch, caller).map_err(|err| match err {
            SettingsError::Invalid { field, message } => ApiError::invalid(format!("args.{field}"), message),
            SettingsError::Store(err) => storage(err),
        })),
        Request::Export { format, out_dir, markdown } => {
            to_json(gloss.export(format, &out_dir, &markdown, &caller).map_err(path_refused))
        }
        Request::Import { file } => to_json(gloss.import(&file, caller).map_err(path_refused)),
        Request::SyncStatus {} => to_json(gloss.sync_status().map_err(sync_failed)),
        Request::SyncNow {} => to_json(gloss.sync_now().map_err(sync_failed)),
    }
}

fn to_json<T: Serialize>(result: Result<T, ApiError>) -> Result<Answer, ApiError> {
    serde_json::value::to_raw_value(&result?).map_err(|err| ApiError::new(ErrorKind::Storage, err.to_string()))
}

/// The answer of an operation that returns nothing.
fn done(result: annotations::Result<()>) -> Result<Answer, ApiError> {
    result.map_err(refused)?;
    to_json(Ok(json!({})))
}

/// The answer of a tag operation: how many items it changed.
fn counted(result: annotations::Result<usize>) -> Result<Answer, ApiError> {
    to_json(Ok(json!({ "changed": result.map_err(refused)? })))
}

/// A refusal from the annotation rules, with the request field it is about.
fn refused(err: annotations::Error) -> ApiError {
    let (message, field) = (err.to_string(), err.field());
    let kind = match err {
        annotations::Error::NotFound { .. } => ErrorKind::NotFound,
        annotations::Error::Invalid { .. } => ErrorKind::InvalidInput,
        annotations::Error::Conflict { .. } => ErrorKind::Conflict,
        annotations::Error::Store(err) => return storage(err),
    };
    let error = ApiError::new(kind, message);
    match field {
        Some(field) => error.on(&format!("args.{field}")),
        None => error,
    }
}

fn path_refused(err: PathError) -> ApiError {
    match err {
        PathError::Invalid { field, message } => ApiError::invalid(format!("args.{field}"), message),
        PathError::Export(export::Error::Store(err)) => storage(err),
        PathError::Export(export::Error::Annotations(err)) => refused(err),
        PathError::Export(err @ export::Error::Write { .. }) => ApiError::new(ErrorKind::Storage, err.to_string()),
        PathError::Export(err @ export::Error::OutDirIsFile { .. }) => {
            ApiError::invalid("args.out_dir", err.to_string())
        }
        PathError::Export(err) => ApiError::invalid("args.file", err.to_string()),
    }
}

fn sync_failed(err: SyncError) -> ApiError {
    match err {
        SyncError::Store(err) => storage(err),
        SyncError::Off => ApiError::new(ErrorKind::Conflict, err.to_string()),
        err => ApiError::new(ErrorKind::Storage, err.to_string()),
    }
}

/// A core failure: the message already names the file or folder and what to do.
fn storage(err: gloss_core::store::Error) -> ApiError {
    let kind = if err.is_disk_full() { ErrorKind::DiskFull } else { ErrorKind::Storage };
    ApiError::new(kind, err.to_string())
}
