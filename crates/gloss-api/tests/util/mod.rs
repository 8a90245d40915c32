//! A real Gloss HTTP server on an ephemeral loopback port, over a temp
//! library and data folder, and a plain HTTP/1.1 client whose every header
//! the test chooses (so Host and Origin can be forged).

use gloss_api::guard::Guard;
use gloss_api::Api;
use gloss_core::OpenOptions;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Server {
    pub addr: SocketAddr,
    pub library: PathBuf,
    pub data: PathBuf,
    pub token: Option<String>,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _root: tempfile::TempDir,
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `error.kind` of a JSON error answer.
    pub fn error_kind(&self) -> String {
        self.json()["error"]["kind"].as_str().unwrap_or_default().to_owned()
    }
}

/// The JSON of a successful answer; fails the test with the answer otherwise.
pub fn ok(response: Response) -> Value {
    assert!(
        response.status < 300,
        "expected success, got {}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

impl Server {
    /// The id of the first episode `list_episodes` answers with.
    pub fn first_episode_id(&self) -> i64 {
        self.call("list_episodes", Value::Null).json()["items"][0]["id"].as_i64().expect("an episode id")
    }

    /// Starts a server over a library holding `files` (name, text).
    pub fn start(files: &[(&str, &str)]) -> Server {
        Self::start_with_token(files, None)
    }

    pub fn start_with_token(files: &[(&str, &str)], token: Option<&str>) -> Server {
        let root = tempfile::tempdir().expect("temp dir");
        let library = root.path().join("library");
        let data = root.path().join("data");
        std::fs::create_dir_all(&library).expect("library dir");
        for (name, text) in files {
            let path = library.join(name);
            std::fs::create_dir_all(path.parent().expect("a file in the library")).expect("folder");
            std::fs::write(path, text).expect("write summary");
        }
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = OpenOptions { data_dir: Some(data.clone()), library_dir: Some(library.clone()), watch: true };
        let api = Arc::new(Api::open(options).expect("api opens"));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let guard = Guard::new(addr, token.map(str::to_owned));
        runtime.spawn(gloss_api::http::serve(listener, api, guard, async {
            let _ = stopped.await;
        }));
        let server = Server {
            addr,
            library,
            data,
            token: token.map(str::to_owned),
            runtime: Some(runtime),
            stop: Some(stop),
            _root: root,
        };
        server
            .wait_until(|s| s.call("list_episodes", Value::Null).json()["total"].as_u64() == Some(files.len() as u64));
        server
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Sends one request; `headers` come after Host (unless Host is among them).
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("send head");
        // The server may refuse before reading a large body; that is fine.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse_response(&raw)
    }

    /// `POST /api/call` with a JSON request, as the UI sends it.
    pub fn call(&self, op: &str, args: Value) -> Response {
        let request = if args.is_null() {
            serde_json::json!({ "op": op })
        } else {
            serde_json::json!({ "op": op, "args": args })
        };
        self.post_json("/api/call", &request)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        let body = serde_json::to_vec(body).expect("json");
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("Authorization", auth));
        }
        self.request("POST", path, &headers, &body)
    }

    pub fn get(&self, path: &str) -> Response {
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.request("GET", path, &headers, b"")
    }

    /// Polls `check` until it holds (30 s at most: the watcher is real).
    pub fn wait_until(&self, check: impl Fn(&Server) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !check(self) {
            assert!(Instant::now() < deadline, "condition not reached within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens the event stream; returns a reader of `data:` lines.
    pub fn events(&self) -> impl Iterator<Item = Value> {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let head = format!("GET /api/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", self.host());
        stream.write_all(head.as_bytes()).expect("send");
        BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| line.strip_prefix("data:").map(|d| serde_json::from_str(d.trim()).expect("event JSON")))
    }

    pub fn write_file(&self, name: &str, text: &str) {
        write_atomically(&self.library.join(name), text);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

fn write_atomically(path: &Path, text: &str) {
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, text).expect("write");
    std::fs::rename(&temp, path).expect("rename");
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response { status, headers, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        body.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
    body
}

/// A small summary in the plain format.
pub fn summary(title: &str, show: &str) -> String {
    format!(
        "{title} | {show} w/ Ada Host and Ben Host\nTL;DR\nA short take on {title}.\n🧠 Big Ideas 2 insights\n\
         First idea\nThe first idea has 400 million downloads and counting.\nSecond idea\n\
         The second idea builds on the first one quickly.\nBottom Line\nIdeas compound.\n"
    )
}
