//! [`Api`]: answers requests and fans events out to every window and tab.

use crate::error::ApiError;
use crate::ops::Request;
use serde_json::{json, Value};
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it is told to
/// reload (see the SSE route).
const EVENT_BUFFER: usize = 1024;

pub struct Api {
    events: broadcast::Sender<Value>,
}

impl Api {
    pub fn new() -> Self {
        Api { events: broadcast::channel(EVENT_BUFFER).0 }
    }

    /// Answers one request. Storage work runs on the blocking pool, so a slow
    /// query never stalls the async runtime or a window's main thread.
    pub async fn call(&self, request: Request) -> Result<Value, ApiError> {
        match request {
            Request::Health => Ok(json!({ "ok": true, "version": env!("CARGO_PKG_VERSION") })),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Value> {
        self.events.subscribe()
    }
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}
