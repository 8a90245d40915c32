//! How fast a one-shot `gloss` command starts and how much memory it takes
//! (issue 18): `gloss --version`, `gloss list --json` and `gloss search
//! WORD --json` on a scanned library (Gloss not running, so the command
//! opens the data folder itself), target 10 ms and 10 MB. A listing of
//! every episode starts when its first lines are printed; its whole run
//! grows with the library and is shown beside its raw limit. Each figure is
//! printed beside a raw limit measured in the same run, the same work the
//! plainest way: a Rust program that prints a version line
//! (`print-version`), and one that opens the same SQLite file and prints
//! the same rows (`query-library`), both from the testkit.
//!
//! The binaries are the release builds (`GLOSS_BIN`, else `gloss` in this
//! benchmark's target folder: `cargo build --release -p gloss -p
//! gloss-testkit --bins`). `GLOSS_BENCH_FILES` sets the library size
//! (default 10,000). It also says whether the list of functions the
//! release link lays out together (src-tauri/cli-symbols.txt) still matches
//! the binary: that layout keeps the commands' code pages few.

use gloss_testkit::figures::{gloss_bin, load, percentile, Better, Figure};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

const TARGET_MS: f64 = 10.0;
const TARGET_MB: f64 = 10.0;
/// Runs of each command (and of its raw limit, alternating with it).
const RUNS: usize = 40;
/// A word the generated summaries use (see gloss_testkit::SEARCH_QUERIES).
const WORD: &str = "grid";

fn main() -> Result<(), Error> {
    let files: usize = std::env::var("GLOSS_BENCH_FILES").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let gloss = gloss_bin()?;
    let raw_bin = |name: &str| {
        let bin = gloss.with_file_name(name);
        match bin.is_file() {
            true => Ok(bin),
            false => {
                Err(format!("no {} next to gloss: `cargo build --release -p gloss-testkit --bins`", bin.display()))
            }
        }
    };
    let (print_version, query_library) = (raw_bin("print-version")?, raw_bin("query-library")?);
    let work = tempfile::TempDir::new()?;
    let (library, data) = (work.path().join("library"), work.path().join("data"));
    gloss_testkit::library(&library, files)?;
    let mut scan = Command::new(&gloss);
    scan.arg("scan").arg("--data").arg(&data).arg("--library").arg(&library).stdout(Stdio::null());
    if !scan.status()?.success() {
        return Err("gloss scan failed on the generated library".into());
    }
    let db = data.join("gloss.db");
    println!("startup bench: {files} episodes, {RUNS} runs of each command; {}", load());

    let gloss_command = |args: &[&str]| {
        let mut command = Command::new(&gloss);
        command.args(args).arg("--data").arg(&data).arg("--library").arg(&library);
        command
    };
    let raw_command = |bin: &Path, args: &[&str]| {
        let mut command = Command::new(bin);
        command.args(args);
        command
    };
    let db = db.to_str().ok_or("the temp folder's path is not UTF-8")?;
    compare("gloss --version", gloss_command(&["--version"]), raw_command(&print_version, &[]), Ends::AtOnce)?;
    compare(
        &format!("gloss list --json, {files} episodes"),
        gloss_command(&["list", "--json"]),
        raw_command(&query_library, &[db, "list"]),
        Ends::GrowingWithTheLibrary,
    )?;
    compare(
        &format!("gloss search {WORD} --json, {files} episodes"),
        gloss_command(&["search", WORD, "--json"]),
        raw_command(&query_library, &[db, "search", WORD]),
        Ends::AtOnce,
    )?;
    // Last: reading the binary grows this process, and a child's peak RSS
    // counts the parent's pages it shares between fork and exec.
    print_code_order(&gloss)
}

/// Says how many of the functions src-tauri/cli-symbols.txt lists (the code
/// the one-shot commands run, which the release link lays out together) the
/// binary still has. Names change with a Rust or dependency upgrade; the
/// ones missing are spread over the binary again, and the peak RSS figures
/// below grow. scripts/cli-symbol-order.sh writes the list anew.
fn print_code_order(gloss: &Path) -> Result<(), Error> {
    let listed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/cli-symbols.txt");
    let listed = std::fs::read_to_string(&listed).map_err(|err| format!("reading {}: {err}", listed.display()))?;
    let binary = std::fs::read(gloss)?;
    // The symbol table's names are NUL-terminated strings among the bytes.
    let names: std::collections::HashSet<&[u8]> = binary.split(|&byte| byte == 0).collect();
    let listed: Vec<&str> = listed.lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect();
    let found = listed.iter().filter(|name| names.contains(name.as_bytes())).count();
    println!(
        "code order: {found} of the {} functions in src-tauri/cli-symbols.txt are in {} \
         (when many are missing, run scripts/cli-symbol-order.sh)",
        listed.len(),
        gloss.display()
    );
    Ok(())
}

/// How long a command's output takes after it has started.
#[derive(Clone, Copy, PartialEq)]
enum Ends {
    /// It prints its answer as it ends: its start is its whole run.
    AtOnce,
    /// It prints the library page by page: it has started once its first
    /// lines are out, and its whole run is as long as the library.
    GrowingWithTheLibrary,
}

/// One run's wall time to its first output and to its end (ms), and its
/// peak resident memory (MB).
struct Run {
    first_output_ms: f64,
    ms: f64,
    mb: f64,
}

/// Runs `command` and its raw limit `raw` in turn, and prints the median and
/// p95 wall time and the median peak memory of each.
fn compare(name: &str, mut command: Command, mut raw: Command, ends: Ends) -> Result<(), Error> {
    let (mut measured, mut limit) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        measured.push(run(&mut command)?);
        limit.push(run(&mut raw)?);
    }
    let column = |runs: &[Run], of: fn(&Run) -> f64| runs.iter().map(of).collect::<Vec<f64>>();
    let (start, started): (fn(&Run) -> f64, &str) = match ends {
        Ends::AtOnce => (|r| r.ms, ""),
        Ends::GrowingWithTheLibrary => (|r| r.first_output_ms, ", first lines printed"),
    };
    for (what, p) in [("median", 50.0), ("p95", 95.0)] {
        Figure {
            name: &format!("{name}{started}, {what} wall time"),
            unit: "ms",
            measured: percentile(&mut column(&measured, start), p),
            target: TARGET_MS,
            better: Better::Lower,
            raw: Some(percentile(&mut column(&limit, start), p)),
        }
        .print();
    }
    if ends == Ends::GrowingWithTheLibrary {
        Figure {
            name: &format!("{name}, whole run, median wall time"),
            unit: "ms",
            measured: percentile(&mut column(&measured, |r| r.ms), 50.0),
            target: f64::INFINITY,
            better: Better::Lower,
            raw: Some(percentile(&mut column(&limit, |r| r.ms), 50.0)),
        }
        .print();
    }
    Figure {
        name: &format!("{name}, peak RSS"),
        unit: "MB",
        measured: percentile(&mut column(&measured, |r| r.mb), 50.0),
        target: TARGET_MB,
        better: Better::Lower,
        raw: Some(percentile(&mut column(&limit, |r| r.mb), 50.0)),
    }
    .print();
    Ok(())
}

/// Runs `command` to its end, reading its output as it comes and throwing
/// it away, and reads its own peak memory from `wait4` (getrusage's
/// RUSAGE_CHILDREN would give the largest of all children so far).
fn run(command: &mut Command) -> Result<Run, Error> {
    let start = Instant::now();
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn()?;
    let mut output = child.stdout.take().ok_or("no pipe from the command's output")?;
    let mut buffer = vec![0; 1 << 16];
    let mut first_output_ms = None;
    loop {
        let read = output.read(&mut buffer)?;
        first_output_ms.get_or_insert_with(|| start.elapsed().as_secs_f64() * 1000.0);
        if read == 0 {
            break;
        }
    }
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value, and wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(child.id())?;
    // SAFETY: waits for our own child, whose status `Child` never reaps.
    if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } != pid {
        return Err(format!("waiting for {command:?}: {}", std::io::Error::last_os_error()).into());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{command:?} failed (wait status {status})").into());
    }
    // ru_maxrss is in KiB on Linux.
    Ok(Run { first_output_ms: first_output_ms.unwrap_or(ms), ms, mb: usage.ru_maxrss as f64 / 1024.0 })
}
