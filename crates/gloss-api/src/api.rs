//! [`Api`]: answers requests and fans events out to every window and tab.

use crate::error::{ApiError, ErrorKind};
use crate::ops::{Request, SearchArgs};
use gloss_core::{Gloss, OpenOptions};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it is told to
/// reload (see the SSE route).
const EVENT_BUFFER: usize = 1024;

/// Search results when the request names no limit.
const DEFAULT_SEARCH_LIMIT: usize = 50;

pub struct Api {
    gloss: Arc<Gloss>,
    events: broadcast::Sender<Value>,
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
        Ok(Api { gloss: Arc::new(gloss), events })
    }

    /// Answers one request. Storage work runs on the blocking pool, so a slow
    /// query never stalls the async runtime or a window's main thread.
    pub async fn call(&self, request: Request) -> Result<Value, ApiError> {
        let gloss = Arc::clone(&self.gloss);
        tokio::task::spawn_blocking(move || answer(&gloss, request))
            .await
            .map_err(|err| ApiError::new(ErrorKind::Storage, format!("the operation failed: {err}")))?
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Value> {
        self.events.subscribe()
    }
}

fn answer(gloss: &Gloss, request: Request) -> Result<Value, ApiError> {
    match request {
        Request::Health {} => Ok(json!({ "ok": true, "version": env!("CARGO_PKG_VERSION") })),
        Request::LibraryStatus {} => to_json(gloss.status()),
        Request::ListEpisodes(filter) => to_json(gloss.list_episodes(&filter)),
        Request::GetEpisode { id } => match gloss.episode_view(id).map_err(storage)? {
            Some(view) => to_json(Ok(view)),
            None => Err(ApiError::not_found(format!("no episode with id {id}"))),
        },
        Request::Search(SearchArgs { query, limit }) => {
            to_json(gloss.search(&query, limit.unwrap_or(DEFAULT_SEARCH_LIMIT)))
        }
        Request::GetSettings {} => to_json(gloss.settings()),
        Request::UpdateSettings(patch) => to_json(gloss.update_settings(patch)),
    }
}

fn to_json<T: Serialize>(result: Result<T, gloss_core::store::Error>) -> Result<Value, ApiError> {
    let value = result.map_err(storage)?;
    serde_json::to_value(value).map_err(|err| ApiError::new(ErrorKind::Storage, err.to_string()))
}

/// A core failure: the message already names the file or folder and what to do.
fn storage(err: gloss_core::store::Error) -> ApiError {
    let kind = if err.is_disk_full() { ErrorKind::DiskFull } else { ErrorKind::Storage };
    ApiError::new(kind, err.to_string())
}
