//! `gloss mcp`'s search latency (issue 17): the `search` tool called by an
//! MCP client over stdio, on a generated library of realistic summaries,
//! target p95 ≤ 20 ms. Each figure is printed beside a raw limit measured
//! in the same run, the same search put the plainest way:
//! - with Gloss closed (`gloss mcp` opens the data folder itself), the same
//!   `search` request answered by `Api::call` in this process;
//! - with `gloss serve` running (`gloss mcp` forwards to it), the same
//!   request put on its local channel by this process.
//!
//! The `gloss` binary is the release build (`GLOSS_BIN`, else `gloss` in
//! this benchmark's target folder: `cargo build --release -p gloss`).
//! `GLOSS_BENCH_FILES` sets the library size (default 10,000).

use gloss_api::{Api, Request};
use gloss_core::events::{Caller, Door};
use gloss_core::OpenOptions;
use gloss_testkit::figures::{load, percentile, Better, Figure};
use gloss_testkit::mcp::{text, Session};
use gloss_testkit::SEARCH_QUERIES;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

const TARGET_P95_MS: f64 = 20.0;
const ROUNDS: usize = 10;
/// Hits asked for, as a page of results shows them.
const LIMIT: usize = 20;
/// How long `gloss serve` may take to come up and take in the library.
const PATIENCE: Duration = Duration::from_secs(600);

fn main() -> Result<(), Error> {
    let files: usize = std::env::var("GLOSS_BENCH_FILES").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let bin = gloss_testkit::figures::gloss_bin()?;
    let work = tempfile::TempDir::new()?;
    let (library, data) = (work.path().join("library"), work.path().join("data"));
    gloss_testkit::library(&library, files)?;
    println!("mcp bench: {files} files, {} queries x {ROUNDS} rounds; {}", SEARCH_QUERIES.len(), load());

    // Gloss closed: the library imported and searched in this process,
    // then the folder let go for gloss mcp.
    let in_process = {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let options = OpenOptions { data_dir: Some(data.clone()), library_dir: Some(library.clone()), watch: false };
        let api = Api::open(options)?;
        let caller = || Caller::door(Door::Mcp);
        runtime.block_on(api.call(Request::ScanLibrary {}, caller()))?;
        timings(|query| {
            runtime.block_on(api.call(Request::from_value(search(query))?, caller()))?;
            Ok(())
        })?
    };
    let alone = mcp_timings(&bin, &library, &data)?;
    report(&format!("search through gloss mcp over {files} episodes, Gloss closed"), alone, in_process);

    // Gloss running: gloss mcp forwards to it over the local channel.
    let server = Serve::start(&bin, &library, &data, files)?;
    let on_channel = timings(|query| {
        gloss_api::local::call(&data, Door::Mcp, &search(query)).map_err(|err| err.to_string())??;
        Ok(())
    })?;
    let forwarded = mcp_timings(&bin, &library, &data)?;
    drop(server); // killed: the bench is done with it
    report(
        &format!("search through gloss mcp over {files} episodes, forwarded to a running Gloss"),
        forwarded,
        on_channel,
    );
    println!("done; {}", load());
    Ok(())
}

/// The `search` request of the `search` tool called with `query`.
fn search(query: &str) -> Value {
    json!({ "op": "search", "args": { "query": query, "limit": LIMIT } })
}

/// Every query of [`SEARCH_QUERIES`] for [`ROUNDS`] rounds: how long each
/// took. A first round is not timed, so that every way measured starts
/// with the same caches (SQLite's and the page cache) warm.
fn timings(mut run: impl FnMut(&str) -> Result<(), Error>) -> Result<Vec<Duration>, Error> {
    for query in SEARCH_QUERIES {
        run(query)?;
    }
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        for query in SEARCH_QUERIES {
            let start = Instant::now();
            run(query)?;
            times.push(start.elapsed());
        }
    }
    Ok(times)
}

/// The searches as tool calls of one `gloss mcp` session, after a first
/// call that finds Gloss (opening the data folder, or reaching the
/// running Gloss).
fn mcp_timings(bin: &Path, library: &Path, data: &Path) -> Result<Vec<Duration>, Error> {
    let mut command = Command::new(bin);
    command.arg("mcp").arg("--data").arg(data).arg("--library").arg(library);
    let mut session = Session::start(command);
    let mut call = |query: &str| -> Result<(), Error> {
        let result = session.call_tool("search", json!({ "query": query, "limit": LIMIT }));
        match result["isError"].as_bool() {
            Some(false) => Ok(()),
            _ => Err(format!("search {query:?} failed: {}", text(&result)).into()),
        }
    };
    let start = Instant::now();
    call("warm")?;
    println!("first call (finds Gloss): {:.1} ms", ms(start.elapsed()));
    let times = timings(call)?;
    let status = session.close();
    if !status.success() {
        return Err(format!("gloss mcp ended with {status}").into());
    }
    Ok(times)
}

/// Prints the p50 and p95 of `measured` beside those of `raw`.
fn report(name: &str, measured: Vec<Duration>, raw: Vec<Duration>) {
    let (mut measured, mut raw): (Vec<f64>, Vec<f64>) =
        (measured.into_iter().map(ms).collect(), raw.into_iter().map(ms).collect());
    for p in [50.0, 95.0] {
        Figure {
            name: &format!("{name}, p{p}"),
            unit: "ms",
            measured: percentile(&mut measured, p),
            target: TARGET_P95_MS,
            better: Better::Lower,
            raw: Some(percentile(&mut raw, p)),
        }
        .print();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A running `gloss serve` on the library, once it has taken in every file.
struct Serve(Child);

impl Serve {
    fn start(bin: &Path, library: &Path, data: &Path, files: usize) -> Result<Serve, Error> {
        let mut command = Command::new(bin);
        command.args(["serve", "--port", "0", "--data"]).arg(data).arg("--library").arg(library);
        let mut serve = Serve(command.stdin(Stdio::null()).stdout(Stdio::piped()).spawn()?);
        let stdout = serve.0.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        if !lines.any(|line| line.is_ok_and(|line| line.starts_with("Gloss is serving at "))) {
            return Err("gloss serve did not start".into());
        }
        // The rest of its output is not read; it writes little.
        std::thread::spawn(move || lines.for_each(drop));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let status = gloss_api::local::call(data, Door::Cli, &json!({ "op": "library_status" }));
            if let Ok(Ok(status)) = status {
                let status: Value = serde_json::from_str(status.get())?;
                let counts = &status["counts"];
                let taken_in = counts["active"].as_u64().unwrap_or(0) + counts["error"].as_u64().unwrap_or(0);
                if status["watching"] == true && taken_in >= files as u64 {
                    return Ok(serve);
                }
            }
            if Instant::now() > deadline {
                return Err("gloss serve did not take in the library".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
