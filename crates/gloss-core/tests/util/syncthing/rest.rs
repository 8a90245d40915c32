//! Syncthing's REST API, reached on the Unix socket a test instance serves
//! it on. Plain HTTP/1.0: one request per connection, and the answer is
//! never chunked, so it is everything read until the connection closes.
//! Test code talking to a local process; nothing more is needed.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// The longest one call may take (a scan answers when it is done): a guard
/// against a hung instance, not a speed check.
const CALL_PATIENCE: Duration = Duration::from_secs(60);

pub struct Rest {
    pub socket: PathBuf,
    pub key: String,
}

impl Rest {
    pub fn get(&self, path: &str) -> Result<Value, String> {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Option<&Value>) -> Result<Value, String> {
        self.call("POST", path, body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> Result<Value, String> {
        self.call("PATCH", path, Some(body))
    }

    /// The JSON answer (`Null` when there is none), or what went wrong.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let what = format!("{method} {path}");
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = UnixStream::connect(&self.socket)
            .map_err(|e| format!("{what}: can not reach the API at {}: {e}", self.socket.display()))?;
        stream.set_read_timeout(Some(CALL_PATIENCE)).map_err(|e| format!("{what}: {e}"))?;
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: localhost\r\nX-API-Key: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.key,
            body.len()
        );
        stream.write_all(request.as_bytes()).map_err(|e| format!("{what}: {e}"))?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(|e| format!("{what}: no whole answer: {e}"))?;
        let (head, body) = answer.split_once("\r\n\r\n").ok_or_else(|| format!("{what}: not HTTP: {answer:?}"))?;
        let status = head.lines().next().unwrap_or_default();
        if !status.split(' ').nth(1).is_some_and(|code| code.starts_with('2')) {
            return Err(format!("{what}: {status}: {}", body.trim()));
        }
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(body).map_err(|e| format!("{what}: the answer is not JSON ({e}): {body}"))
    }
}
