//! The local channel: how `gloss` on the command line reaches the Gloss
//! that holds the data folder (the desktop window or `gloss serve`).
//!
//! Only one process may open a data folder (gloss-core's `store::lock`), so
//! while one runs, the command line asks it instead of opening the database
//! itself; its changes then reach every open window as events, like any
//! other change made through [`Api::call`].
//!
//! Like HTTP, this is a transport and nothing else:
//! - The running Gloss listens on the Unix socket `<data>/gloss.sock`
//!   (mode 0600) and keeps a token, fresh at each start, in
//!   `<data>/gloss.token` (mode 0600). Both go away on a clean exit; a
//!   stale pair left by a killed process is replaced at the next start
//!   (whoever starts holds the data-folder lock, so nobody else uses them).
//! - One connection carries one request: the client writes one JSON object,
//!   the request the HTTP API takes plus the token and the door it came
//!   through, `{"token": "...", "door": "cli", "op": "...", "args": {...}}`,
//!   and closes its writing side; the answer is one JSON object,
//!   `{"answer": ...}` or the error body `{"error": {kind, message, field}}`,
//!   and the socket closes.
//! - Only the user running Gloss gets in: the socket's mode, the peer's
//!   uid (`SO_PEERCRED`) and the token are all checked.
//!
//! A request is at most [`MAX_REQUEST_BYTES`] and must arrive within
//! [`REQUEST_TIMEOUT`]; each connection is answered on its own task, so a
//! client that hangs holds up nobody else.

use crate::api::{Answer, Api};
use crate::error::{ApiError, ErrorKind};
use crate::ops::Request;
use gloss_core::events::{Caller, Door};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::Semaphore;

/// The socket's file name in the data folder.
pub const SOCKET_FILE: &str = "gloss.sock";
/// The token's file name in the data folder.
pub const TOKEN_FILE: &str = "gloss.token";
/// Largest request accepted: the same as over HTTP.
pub const MAX_REQUEST_BYTES: usize = crate::http::MAX_BODY_BYTES;
/// How long a client may take to send its request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to read its answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections answered at once; more wait their turn to be accepted.
const MAX_CONNECTIONS: usize = 32;

/// The channel's socket, bound, and the token it asks for.
pub struct LocalChannel {
    listener: std::os::unix::net::UnixListener,
    token: String,
    /// The uid allowed in: ours, as the owner of the socket we made.
    owner: u32,
}

/// The socket and token files; dropping this removes them.
pub struct ChannelFiles {
    socket: PathBuf,
    token: PathBuf,
}

impl LocalChannel {
    /// Writes a fresh token and binds the socket in `data_dir`. Call it
    /// only while holding the data folder ([`Api::open`] took its lock):
    /// files left there by an earlier Gloss are replaced.
    pub fn bind(data_dir: &Path) -> io::Result<(LocalChannel, ChannelFiles)> {
        let files = ChannelFiles { socket: data_dir.join(SOCKET_FILE), token: data_dir.join(TOKEN_FILE) };
        let token = crate::guard::new_token();
        // The token is in place before the socket, so a client that got in
        // reads the token that lets it in.
        remove_stale(&files.token)?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&files.token)
            .and_then(|mut file| file.write_all(token.as_bytes()))
            .map_err(|err| context(err, "can not write the local channel's token", &files.token))?;
        remove_stale(&files.socket)?;
        let listener = std::os::unix::net::UnixListener::bind(&files.socket)
            .map_err(|err| context(err, "can not open the local channel", &files.socket))?;
        // Bound with the umask's mode; narrowed at once (the uid check
        // covers the moment in between).
        std::fs::set_permissions(&files.socket, std::fs::Permissions::from_mode(0o600))
            .and_then(|()| listener.set_nonblocking(true))
            .map_err(|err| context(err, "can not set up the local channel", &files.socket))?;
        let owner = std::fs::metadata(&files.socket)?.uid();
        Ok((LocalChannel { listener, token, owner }, files))
    }

    /// Answers requests with `api`, each as the door it names ([`Door::Cli`]
    /// or [`Door::Mcp`]), until the future is dropped. Returns only if the
    /// socket can not be used at all.
    pub async fn serve(self, api: Arc<Api>) -> io::Result<()> {
        let listener = tokio::net::UnixListener::from_std(self.listener)?;
        let gate = Arc::new(Gate { api, token: self.token, owner: self.owner });
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return Ok(()) };
            match listener.accept().await {
                Ok((stream, _)) => {
                    let gate = Arc::clone(&gate);
                    tokio::spawn(async move {
                        gate.answer(stream).await;
                        drop(slot);
                    });
                }
                // Out of file descriptors, say: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

impl Drop for ChannelFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_file(&self.token);
    }
}

fn remove_stale(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            Err(context(err, "can not replace the old local channel file", path))
        }
        _ => Ok(()),
    }
}

fn context(err: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{what} {}: {err}", path.display()))
}

/// One answer on the wire: `{"answer": ...}` or `{"error": {...}}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Answer(Answer),
    Error(ApiError),
}

/// Who may ask, and the API that answers.
struct Gate {
    api: Arc<Api>,
    token: String,
    owner: u32,
}

impl Gate {
    async fn answer(&self, mut stream: UnixStream) {
        let reply = match self.request(&mut stream).await {
            Ok((door, request)) => match self.api.call(request, Caller::door(door)).await {
                Ok(answer) => Reply::Answer(answer),
                Err(err) => Reply::Error(err),
            },
            Err(err) => Reply::Error(err),
        };
        let Ok(text) = serde_json::to_vec(&reply) else { return };
        // A client that does not read its answer is dropped after a while.
        let _ = tokio::time::timeout(ANSWER_TIMEOUT, async {
            stream.write_all(&text).await?;
            stream.shutdown().await
        })
        .await;
    }

    /// The request and its door, once the peer, the size and the token are right.
    async fn request(&self, stream: &mut UnixStream) -> Result<(Door, Request), ApiError> {
        let peer = stream
            .peer_cred()
            .map_err(|err| ApiError::forbidden(format!("refused: can not tell which user is asking ({err})")))?;
        if peer.uid() != self.owner {
            return Err(ApiError::forbidden(format!(
                "refused: this Gloss runs as user {} and answers only that user, not user {}",
                self.owner,
                peer.uid()
            )));
        }
        let body = tokio::time::timeout(REQUEST_TIMEOUT, read_body(stream)).await.map_err(|_| {
            ApiError::invalid(
                "body",
                format!(
                    "no complete request within {} s: send one JSON object, then close the writing side",
                    REQUEST_TIMEOUT.as_secs()
                ),
            )
        })??;
        let Value::Object(mut fields) = body else {
            return Err(ApiError::invalid(
                "body",
                "a request is a JSON object {\"token\": ..., \"op\": ..., \"args\": {...}}",
            ));
        };
        match fields.remove("token") {
            Some(Value::String(given)) if same(given.as_bytes(), self.token.as_bytes()) => {}
            Some(_) => {
                return Err(ApiError::forbidden(format!(
                    "refused: wrong token; read it again from {TOKEN_FILE} in the data folder (a new one is made at each start)"
                )))
            }
            None => {
                return Err(ApiError::forbidden(format!(
                    "refused: no token; send the one in {TOKEN_FILE} in the data folder as \"token\""
                )))
            }
        }
        let door = door(fields.remove("door"))?;
        Ok((door, Request::from_value(Value::Object(fields))?))
    }
}

/// The door a request names: the command line's unless it says `gloss mcp`'s.
/// Only the doors that come through this channel may be named, so a change
/// is never told to the windows as one made in another window.
fn door(named: Option<Value>) -> Result<Door, ApiError> {
    match named.map(serde_json::from_value) {
        None => Ok(Door::Cli),
        Some(Ok(door @ (Door::Cli | Door::Mcp))) => Ok(door),
        Some(_) => Err(ApiError::invalid("door", "\"door\" is \"cli\" or \"mcp\": the door the request came through")),
    }
}

async fn read_body(stream: &mut UnixStream) -> Result<Value, ApiError> {
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_REQUEST_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    (&mut *stream)
        .take(limit)
        .read_to_end(&mut body)
        .await
        .map_err(|err| ApiError::invalid("body", format!("could not read the request: {err}")))?;
    if body.len() > MAX_REQUEST_BYTES {
        return Err(ApiError::new(ErrorKind::TooLarge, format!("request is over the {MAX_REQUEST_BYTES}-byte limit")));
    }
    serde_json::from_slice(&body).map_err(|err| ApiError::invalid("body", format!("malformed JSON: {err}")))
}

/// Compares without stopping at the first difference, so the time taken
/// tells nothing about the token.
fn same(given: &[u8], token: &[u8]) -> bool {
    given.len() == token.len() && given.iter().zip(token).fold(0, |diff, (a, b)| diff | (a ^ b)) == 0
}

/// Why a request could not be put to a running Gloss.
#[derive(Debug, thiserror::Error)]
pub enum Unreachable {
    /// Nothing listens on the data folder (no socket, or one left by a
    /// Gloss that died): open the data folder in this process instead.
    #[error("no Gloss is running on this data folder")]
    NoInstance,
    /// A Gloss runs there but can not be asked; the message says why and
    /// what to do.
    #[error("{0}")]
    Refused(String),
}

/// Puts `request` (`{"op": ..., "args": ...}`), come through `door` (the
/// command line or `gloss mcp`), to the Gloss running on `data_dir` and
/// waits for its answer. Blocking, and free of any runtime, so a
/// command-line client needs nothing else.
pub fn call(data_dir: &Path, door: Door, request: &Value) -> Result<Result<Answer, ApiError>, Unreachable> {
    let socket = data_dir.join(SOCKET_FILE);
    let mut stream = match std::os::unix::net::UnixStream::connect(&socket) {
        Ok(stream) => stream,
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => {
            return Err(Unreachable::Refused(format!(
                "can not reach the Gloss using the data folder {}: {err}; it runs as another user, \
                 or the folder is not yours: run gloss as the user who owns it, or pass --data DIR",
                data_dir.display()
            )))
        }
        // No socket, or one nobody listens on: if a Gloss holds the folder
        // all the same, opening it says so (with its pid).
        Err(_) => return Err(Unreachable::NoInstance),
    };
    let running = |problem: String| {
        Unreachable::Refused(format!("a Gloss is running on the data folder {}, but {problem}", data_dir.display()))
    };
    let token_file = data_dir.join(TOKEN_FILE);
    let token = std::fs::read_to_string(&token_file)
        .map_err(|err| running(format!("its token {} can not be read ({err}); restart it", token_file.display())))?;
    let Some(fields) = request.as_object() else {
        return Ok(Err(ApiError::invalid("body", "a request is a JSON object {\"op\": ..., \"args\": {...}}")));
    };
    let mut message = fields.clone();
    message.insert("token".to_owned(), Value::String(token.trim().to_owned()));
    message.insert("door".to_owned(), serde_json::to_value(door).unwrap_or(Value::Null));
    // A refusal may come before the request is read: a failed write still
    // leaves that answer to read.
    let sent = serde_json::to_vec(&message)
        .map_err(io::Error::from)
        .and_then(|bytes| stream.write_all(&bytes))
        .and_then(|()| stream.shutdown(std::net::Shutdown::Write));
    let mut reply = String::new();
    let received = stream.read_to_string(&mut reply);
    match serde_json::from_str::<Reply>(&reply) {
        Ok(Reply::Answer(answer)) => Ok(Ok(answer)),
        Ok(Reply::Error(err)) => Ok(Err(err)),
        Err(_) => {
            let why = sent.and(received).err().map_or_else(|| "no answer".to_owned(), |err| err.to_string());
            Err(running(format!("it closed the connection without answering ({why}); is it stopping? Try again")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_channel_s_own_doors_may_be_named() {
        assert_eq!(door(None).unwrap(), Door::Cli);
        assert_eq!(door(Some(Value::from("mcp"))).unwrap(), Door::Mcp);
        for other in [Value::from("desktop"), Value::from("http"), Value::from(7), Value::Null] {
            assert_eq!(door(Some(other)).unwrap_err().field.as_deref(), Some("door"));
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abd", b"abc") && !same(b"ab", b"abc") && !same(b"", b"abc"));
    }
}
