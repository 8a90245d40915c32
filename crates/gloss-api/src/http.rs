//! The HTTP transport: `/api/call` for the UI, a few REST routes for
//! scripts, Server-Sent Events, and the static UI. Every route forwards to
//! [`Api::call`]; nothing here knows what an operation does.

use crate::api::{Answer, Api};
use crate::assets;
use crate::error::{ApiError, ErrorKind};
use crate::guard::{query_token, Guard, TOKEN_COOKIE};
use crate::ops::Request;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gloss_core::events::{Caller, Door};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};

/// Largest request body accepted; notes and quotes fit many times over.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long requests still running at shutdown may take to finish
/// answering. Their storage work does not need it (queries are stopped,
/// and the runtime waits for changes to finish); what is left is a client
/// slow to read its answer, or one that never finishes sending its
/// request, and neither may hold the exit up.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

#[derive(Clone)]
struct AppState {
    api: Arc<Api>,
    guard: Arc<Guard>,
}

/// Builds the router for one server.
pub fn router(api: Arc<Api>, guard: Guard) -> Router {
    let state = AppState { api, guard: Arc::new(guard) };
    Router::new()
        .route("/api/call", post(call))
        .route("/api/health", get(rest_health))
        .route("/api/episodes", get(rest_list_episodes))
        .route("/api/episodes/{id}", get(rest_get_episode))
        .route("/api/search", get(rest_search))
        .route("/api/highlights", post(rest_create_highlight).get(rest_list_highlights))
        .route("/api/events", get(events))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(get(static_file))
        .layer(middleware::from_fn_with_state(state.clone(), check_guard))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then closes the API ([`Api::close`]:
/// event streams end, queries stop) and lets the requests still running
/// finish answering for up to [`SHUTDOWN_GRACE`].
///
/// Without closing, axum's graceful shutdown waited for every open
/// connection: an event stream stays open as long as its tab does, so
/// `gloss serve` ignored SIGTERM for as long as a browser kept it open.
/// Work still running on the blocking pool when this returns goes on to
/// its end: the runtime waits for it when it is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Arc<Api>,
    guard: Guard,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closed, on_close) = tokio::sync::oneshot::channel();
    let closing = {
        let api = Arc::clone(&api);
        async move {
            shutdown.await;
            api.close();
            let _ = closed.send(());
        }
    };
    let graceful = axum::serve(listener, router(api, guard)).with_graceful_shutdown(closing);
    let grace_over = async {
        match on_close.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            // The server ended on its own (its listener failed).
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = graceful => served,
        () = grace_over => Ok(()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body())).into_response()
    }
}

async fn check_guard(State(state): State<AppState>, request: axum::extract::Request, next: Next) -> Response {
    if let Err(err) = state.guard.check(request.method(), request.uri(), request.headers()) {
        return err.into_response();
    }
    // A page opened with `?token=` keeps the token as a cookie so that the
    // UI's own requests (and EventSource, which can not set headers) carry it.
    let set_cookie = state
        .guard
        .token()
        .filter(|_| query_token(request.uri()).is_some())
        .map(|token| format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"));
    let mut response = next.run(request).await;
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The header a page sends to name itself (see [`Caller::client`]).
pub const CLIENT_HEADER: &str = "x-gloss-client";

async fn call(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<axum::Json<Answer>, ApiError> {
    let request = Request::from_value(read_json(body).await?)?;
    state.api.call(request, caller(&headers)).await.map(axum::Json)
}

fn caller(headers: &HeaderMap) -> Caller {
    Caller::client(Door::Http, headers.get(CLIENT_HEADER).and_then(|v| v.to_str().ok()))
}

async fn read_json(body: Body) -> Result<Value, ApiError> {
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(ErrorKind::TooLarge, format!("request body is over the {MAX_BODY_BYTES}-byte limit"))
    })?;
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(&bytes).map_err(|err| ApiError::invalid("body", format!("malformed JSON: {err}")))
}

/// Runs one operation named by the REST route, its arguments given as JSON.
async fn forward(state: &AppState, op: &str, args: Value) -> Result<Answer, ApiError> {
    let request = Request::from_value(json!({ "op": op, "args": args }))?;
    state.api.call(request, Caller::door(Door::Http)).await
}

/// Turns a query string into JSON arguments; numbers and booleans are
/// recognised so that `?limit=20&read=false` reads as typed values.
fn query_args(query: Option<String>, rename: &[(&str, &str)]) -> Value {
    let mut args = serde_json::Map::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name == "token" {
            continue;
        }
        let name = rename.iter().find(|(from, _)| *from == name).map_or(name.to_string(), |(_, to)| to.to_string());
        args.insert(name, typed(&value));
    }
    Value::Object(args)
}

/// A URL value as JSON: numbers and booleans as such, the rest as strings.
fn typed(value: &str) -> Value {
    match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        v => v.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(v.to_owned())),
    }
}

async fn rest_health(State(state): State<AppState>) -> Result<axum::Json<Answer>, ApiError> {
    forward(&state, "health", json!({})).await.map(axum::Json)
}

async fn rest_list_episodes(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<axum::Json<Answer>, ApiError> {
    forward(&state, "list_episodes", query_args(q, &[])).await.map(axum::Json)
}

async fn rest_get_episode(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<Answer>, ApiError> {
    forward(&state, "get_episode", json!({ "id": typed(&id) })).await.map(axum::Json)
}

async fn rest_search(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<axum::Json<Answer>, ApiError> {
    forward(&state, "search", query_args(q, &[("q", "query")])).await.map(axum::Json)
}

async fn rest_list_highlights(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<axum::Json<Answer>, ApiError> {
    forward(&state, "list_highlights", query_args(q, &[])).await.map(axum::Json)
}

async fn rest_create_highlight(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let created = forward(&state, "create_highlight", read_json(body).await?).await?;
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

/// Every event, as Server-Sent Events, until the API closes.
async fn events(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    // `None` marks the close; `map_while` ends the stream there.
    let closed = WatchStream::new(state.api.closing()).filter(|closing| *closing).map(|_| None);
    let events = BroadcastStream::new(state.api.subscribe()).map(Some).merge(closed).map_while(|event| event);
    let stream = events.filter_map(|event| {
        // A lagging tab misses events; it is told so and reloads what it shows.
        let data = match event {
            Ok(event) => serde_json::to_string(&event).ok()?,
            Err(_) => json!({ "type": "resync" }).to_string(),
        };
        Some(Ok(SseEvent::default().event("gloss").data(data)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A known route asked with the wrong method: a JSON error like any other.
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(ErrorKind::MethodNotAllowed, format!("{} does not take {method} requests", uri.path()))
}

async fn static_file(method: Method, uri: Uri) -> Response {
    if !matches!(method, Method::GET | Method::HEAD) || uri.path().starts_with("/api/") {
        return ApiError::not_found(format!("no such API route: {} {}", method, uri.path())).into_response();
    }
    match assets::get(uri.path()) {
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
                (header::CONTENT_SECURITY_POLICY, assets::CSP.to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
