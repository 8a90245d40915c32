//! A scripted Model Context Protocol client over a child's stdin and
//! stdout (newline-delimited JSON-RPC 2.0, as the MCP stdio transport
//! carries it), for the tests and the benchmark of `gloss mcp`.
//!
//! Every line the server writes on stdout must be a JSON-RPC message:
//! anything else is kept in [`Session::stray_lines`] for the test to
//! check. Waits are bounded by [`PATIENCE`], so a hung server fails the
//! test instead of stalling it; nothing here measures time.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the server may take to answer one message, or to exit once
/// its stdin is closed, before it is called hung.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The protocol revision the client asks for.
pub const PROTOCOL_VERSION: &str = "2025-06-18";

/// One MCP server process and the client's side of its session.
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    stray: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    next_id: u64,
    /// What the server answered to `initialize`.
    pub initialized: Value,
}

impl Session {
    /// Starts `command` with piped stdio and goes through the handshake
    /// (`initialize`, then `notifications/initialized`). Panics with the
    /// server's stderr if that fails.
    pub fn start(mut command: Command) -> Session {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("could not run {command:?}: {err}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let (sender, messages) = mpsc::channel();
        let stray = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            {
                let stray = Arc::clone(&stray);
                std::thread::spawn(move || {
                    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                        match serde_json::from_str::<Value>(&line) {
                            Ok(message) if message["jsonrpc"] == "2.0" => {
                                let _ = sender.send(message);
                            }
                            _ => stray.lock().unwrap().push(line),
                        }
                    }
                })
            },
            {
                let stderr = Arc::clone(&stderr);
                std::thread::spawn(move || {
                    let mut chunk = [0u8; 4096];
                    while let Ok(n @ 1..) = stderr_pipe.read(&mut chunk) {
                        stderr.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk[..n]));
                    }
                })
            },
        ];
        let stdin = child.stdin.take();
        let mut session =
            Session { child, stdin, messages, stray, stderr, readers, next_id: 1, initialized: Value::Null };
        let hello = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "gloss-testkit", "version": "0" },
        });
        let answer = session.request("initialize", hello);
        session.initialized = answer
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("initialize failed: {answer}; the server said: {}", session.stderr()));
        session.notify("notifications/initialized", Value::Null);
        session
    }

    /// Sends one line as it is (to try malformed input).
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).expect("the server reads its stdin");
    }

    /// Sends a notification (no answer comes).
    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send_line(&message.to_string());
    }

    /// Sends a request and waits for its response: the whole message, with
    /// `result` or `error`.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send_line(&message.to_string());
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(message) = self.messages.recv_timeout(left) else {
                panic!("no answer to {method} (id {id}); the server said: {}", self.stderr())
            };
            // Requests and notifications from the server are not answered here.
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// `tools/call`: the tool's result (`content`, `structuredContent`,
    /// `isError`); panics on a protocol error.
    pub fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        let answer = self.request("tools/call", json!({ "name": name, "arguments": arguments }));
        match answer.get("result") {
            Some(result) => result.clone(),
            None => panic!("tools/call {name} was refused by the protocol: {answer}"),
        }
    }

    /// The names of the tools `tools/list` offers, and the list itself.
    pub fn tools(&mut self) -> (Vec<String>, Vec<Value>) {
        let answer = self.request("tools/list", json!({}));
        let tools = answer["result"]["tools"].as_array().cloned().unwrap_or_default();
        let names = tools.iter().map(|tool| tool["name"].as_str().unwrap_or_default().to_owned()).collect();
        (names, tools)
    }

    /// Lines on stdout that were not JSON-RPC messages (none, for a server
    /// that keeps stdout for the protocol).
    pub fn stray_lines(&self) -> Vec<String> {
        self.stray.lock().unwrap().clone()
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Closes stdin, as a client ending the session does, and waits for the
    /// server to exit; kills it if it has not within [`PATIENCE`].
    pub fn close(mut self) -> ExitStatus {
        self.stdin = None;
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    for reader in std::mem::take(&mut self.readers) {
                        let _ = reader.join();
                    }
                    return status;
                }
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.child.kill();
                    panic!("the server did not exit after its stdin closed; it said: {}", self.stderr());
                }
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The text of a tool result's first content block.
pub fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}
