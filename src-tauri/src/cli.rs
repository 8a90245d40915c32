//! Command-line interface. Each subcommand that reads or changes the
//! library or annotations is one or two API requests, put to the running
//! Gloss or to the data folder opened here (see [`Client`]); the answer is
//! printed the same way either way: lines a person reads, or JSON with
//! `--json`.

use crate::client::Client;
use crate::link::Link;
use clap::{CommandFactory, Parser, Subcommand};
use gloss_core::annotations::{Color, HighlightItem};
use gloss_core::events::Door;
use gloss_core::export::{ExportReport, ImportReport};
use gloss_core::scan::ScanCounts;
use gloss_core::store::episodes::{EpisodeId, EpisodeSummary};
use gloss_core::sync::RoundReport;
use gloss_core::{Gloss, OpenOptions};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "gloss", version, about = "Read and annotate podcast episode summaries.")]
pub struct Cli {
    /// Where Gloss keeps its database (default: the platform data folder).
    #[arg(long, global = true, env = "GLOSS_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The folder of summaries to watch (default: the one used last).
    #[arg(long, global = true, env = "GLOSS_LIBRARY", value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// Open the window at a gloss:// link (gloss://highlight/<id> or
    /// gloss://episode/<id>); a Gloss window already open goes there instead.
    #[arg(value_name = "LINK")]
    pub link: Option<Link>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Reads the command line, refusing a link given with a command (the
    /// command would run and the link be dropped). Checked here because
    /// clap's own `args_conflicts_with_subcommands` counts `--data DIR`
    /// too, and would refuse `gloss --data DIR list`.
    pub fn from_args() -> Cli {
        let cli = Cli::parse();
        if let (Some(link), Some(_)) = (&cli.link, &cli.command) {
            let message = format!("{link} opens the window; it cannot be used with a command");
            Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message).exit();
        }
        cli
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the UI and the API over HTTP (default http://127.0.0.1:4747).
    Serve(crate::serve::ServeArgs),
    /// Parse one summary file and print it as JSON.
    Parse { file: PathBuf },
    /// Reconcile, then keep watching the library folder and print each change.
    /// Refused while another Gloss (the window or `gloss serve`) has the data
    /// folder open: that one keeps the library in step already.
    Watch,
    /// Copy what can still be read from a damaged database into a new one;
    /// the damaged file is kept in the data folder's `damaged` folder.
    /// Close Gloss first.
    Recover,
    /// Let an assistant search and read the library (Model Context Protocol).
    ///
    /// Answers an MCP client (Claude, Cursor, VS Code...) on stdin and
    /// stdout; with --allow-write it may also add highlights and notes.
    /// Works with Gloss open (through it) or closed.
    Mcp(crate::mcp::McpArgs),
    #[command(flatten)]
    Api(ApiCommand),
}

/// The commands that read or change the library or annotations: each is
/// answered through the API (see [`Client`]).
#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Bring the library up to date with its folder once, and print counts.
    Scan,
    /// List the episodes in the library.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Search episodes (words, "a phrase", prefix*).
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Highlight a quote in an episode and print the highlight as JSON.
    Highlight(HighlightArgs),
    /// List highlights with their anchoring status.
    Annotations {
        /// Only this episode's.
        #[arg(long, value_name = "ID")]
        episode: Option<EpisodeId>,
        #[arg(long)]
        json: bool,
    },
    /// Export annotations: markdown (Obsidian), w3c (Web Annotation), csv (Readwise) or json (full backup).
    Export {
        #[arg(long)]
        format: gloss_core::export::Format,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Markdown: a folder of your templates (file.md.jinja, highlight.md.jinja,
        /// front-matter.yaml.jinja, highlight-note.md.jinja; each one missing is the default).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Markdown: one more note per highlight, linked from its episode's note.
        #[arg(long)]
        per_highlight: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run one sync round with the sync folder; --dir sets that folder first.
    Sync {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Import a Gloss JSON backup, a W3C annotation collection or a Readwise CSV.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Retrieval practice: list the cards up for review now.
    Review {
        /// List the cards due now (cards are answered in the window's
        /// Review view).
        #[arg(long)]
        due: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct HighlightArgs {
    /// The episode's id (see `gloss list`).
    #[arg(long, value_name = "ID")]
    episode: EpisodeId,
    /// The exact text to highlight.
    #[arg(long)]
    quote: String,
    /// Which occurrence, when the quote appears more than once (1 is the first).
    #[arg(long, value_name = "K")]
    occurrence: Option<usize>,
    /// yellow, green, blue, pink or purple.
    #[arg(long, value_parser = parse_color)]
    color: Option<Color>,
    /// A note (Markdown).
    #[arg(long)]
    note: Option<String>,
    /// A tag; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

fn parse_color(name: &str) -> Result<Color, String> {
    Color::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Color::ALL.iter().map(|c| c.as_str()).collect();
        format!("{name:?} is not a highlight color; use one of {}", names.join(", "))
    })
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Opens the window (or hands the link to the one open): `gloss` starts
/// `gloss-desktop` for it ([`crate::window`]), `gloss-desktop` opens it.
pub type OpenWindow = fn(OpenOptions, Option<Link>) -> Result<ExitCode, Error>;

pub fn run(cli: Cli, open_window: OpenWindow) -> Result<ExitCode, Error> {
    let Cli { data, library, link, command } = cli;
    let open = |watch| OpenOptions { data_dir: data.clone(), library_dir: library.clone(), watch };
    match command {
        None => open_window(open(true), link),
        Some(Command::Serve(args)) => crate::serve::run(open(true), args),
        Some(Command::Parse { file }) => parse(&file),
        Some(Command::Watch) => watch(open(false), library.as_deref()),
        Some(Command::Recover) => {
            let data_dir = gloss_core::config::data_dir(data.as_deref())?;
            let report = gloss_core::store::recover::recover(&data_dir, gloss_core::store::now_ms())?;
            out(&report.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Mcp(args)) => crate::mcp::run(Client::new(open(false), Door::Mcp)?, args),
        Some(Command::Api(command)) => {
            ask(&mut Client::new(open(false), Door::Cli)?, command, library.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs one command that reads or changes the library or annotations, as
/// API requests (see [`Client`]), and prints the answers.
fn ask(gloss: &mut Client, command: ApiCommand, library: Option<&Path>) -> Result<(), Error> {
    match command {
        ApiCommand::Scan => {
            if let Some(wanted) = library {
                same_library(gloss, wanted)?;
            }
            let counts: ScanCounts = read(&gloss.call(json!({ "op": "scan_library" }))?)?;
            out(&counts.to_string())
        }
        ApiCommand::List { json } => {
            // Page by page in path order, printed as it comes: the first
            // lines appear at once, and memory holds one page whatever the
            // size of the library.
            #[derive(Deserialize)]
            struct Page<'a> {
                #[serde(borrow)]
                items: Vec<&'a RawValue>,
                next: Option<String>,
            }
            let mut array = json.then(JsonArray::default);
            let mut lines = Lines::default();
            let mut after: Option<String> = None;
            loop {
                let limit = if after.is_none() { FIRST_LIST_PAGE } else { LIST_PAGE };
                let args = json!({ "sort": "path", "after": after, "limit": limit });
                let answer = gloss.call(json!({ "op": "list_episodes", "args": args }))?;
                let page: Page = read(&answer)?;
                for item in page.items {
                    match &mut array {
                        Some(array) => array.push(item)?,
                        None => episode_line(&mut lines, &read(item)?)?,
                    }
                }
                match &mut array {
                    Some(array) => array.lines.print()?,
                    None => lines.print()?,
                }
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            match array {
                Some(array) => array.end(),
                None => Ok(()),
            }
        }
        ApiCommand::Search { query, json, limit } => {
            let answer = gloss.call(json!({ "op": "search", "args": { "query": query, "limit": limit } }))?;
            if json {
                return print_json(&answer);
            }
            let page = read::<SearchLines>(&answer)?;
            if let Some(words) = &page.corrected {
                out(&format!("nothing matches {query:?} as typed; close matches for {words:?}:"))?;
            }
            for hit in &page.hits {
                let title = hit.title.as_deref().unwrap_or("Untitled");
                out(&format!("{:>6}  {:<9}  {title}\n        {}", hit.episode_id, hit.kind, hit.snippet.text))?;
            }
            if page.total > page.hits.len() {
                let plus = if page.more { "+" } else { "" };
                out(&format!("{} of {}{plus} results; ask for more with --limit", page.hits.len(), page.total))?;
            }
            Ok(())
        }
        ApiCommand::Highlight(args) => {
            let new = json!({
                "episode_id": args.episode,
                "quote": args.quote,
                "occurrence": args.occurrence,
                "color": args.color,
                "note": args.note,
                "tags": args.tags,
            });
            print_json(&gloss.call(json!({ "op": "create_highlight", "args": new }))?)
        }
        ApiCommand::Annotations { episode, json } => {
            let answer = gloss.call(json!({ "op": "list_highlights", "args": { "episode_id": episode } }))?;
            let items = items(&answer)?;
            if json {
                return print_list(items);
            }
            for item in items {
                let item: HighlightItem = read(item)?;
                let h = &item.highlight;
                let status = serde_json::to_value(h.anchor.status)?;
                let title = item.episode_title.as_deref().unwrap_or("?");
                out(&format!("{}  {:<9} {:>6}  {title}", h.id, status.as_str().unwrap_or("?"), h.episode_id))?;
                out(&format!("    \"{}\"", h.selector.exact))?;
                if let Some(reason) = &h.anchor.reason {
                    out(&format!("    {reason}"))?;
                }
            }
            Ok(())
        }
        ApiCommand::Export { format, out, templates, per_highlight, json } => {
            let templates = templates.as_deref().map(typed_path).transpose()?;
            let markdown = json!({ "templates": templates, "per_highlight": per_highlight });
            let args = json!({ "format": format, "out_dir": typed_path(&out)?, "markdown": markdown });
            report_out::<ExportReport>(&gloss.call(json!({ "op": "export", "args": args }))?, json)
        }
        ApiCommand::Sync { dir, json } => {
            if let Some(dir) = dir {
                let args = json!({ "sync_dir": typed_path(&dir)? });
                gloss.call(json!({ "op": "update_settings", "args": args }))?;
            }
            report_out::<RoundReport>(&gloss.call(json!({ "op": "sync_now" }))?, json)
        }
        ApiCommand::Import { file, json } => {
            let args = json!({ "file": typed_path(&file)? });
            report_out::<ImportReport>(&gloss.call(json!({ "op": "import", "args": args }))?, json)
        }
        ApiCommand::Review { due, json } => {
            if !due {
                return Err("say what to review: `gloss review --due` lists the cards due now; \
                            answer them in the Review view of the window or `gloss serve`"
                    .into());
            }
            let answer = gloss.call(json!({ "op": "review_due" }))?;
            if json {
                return print_json(&answer);
            }
            let due: DueLine = read(&answer)?;
            let counted = |count: usize, more: bool| format!("{count}{}", if more { "+" } else { "" });
            out(&format!(
                "{} due, {} new waiting; up now:",
                counted(due.due, due.due_more),
                counted(due.new, due.new_more)
            ))?;
            for card in due.cards {
                let title = card.episode_title.as_deref().unwrap_or("?");
                out(&format!("  {:<10}  {}  ({title})", card.phase, card.card))?;
            }
            Ok(())
        }
    }
}

/// What `gloss review --due` shows of `review_due`.
#[derive(Deserialize)]
struct DueLine {
    cards: Vec<DueCardLine>,
    due: usize,
    due_more: bool,
    new: usize,
    new_more: bool,
}

#[derive(Deserialize)]
struct DueCardLine {
    card: String,
    phase: String,
    episode_title: Option<String>,
}

/// A page of search results, as the lines show it.
#[derive(Deserialize)]
struct SearchLines {
    total: usize,
    more: bool,
    hits: Vec<SearchLine>,
    corrected: Option<String>,
}

/// What a search line shows of a hit.
#[derive(Deserialize)]
struct SearchLine {
    kind: String,
    episode_id: EpisodeId,
    title: Option<String>,
    snippet: SnippetText,
}

#[derive(Deserialize)]
struct SnippetText {
    text: String,
}

/// `gloss scan --library DIR` scans the library folder Gloss uses; a
/// running Gloss keeps its own folder in step, so it must be that one.
fn same_library(gloss: &mut Client, wanted: &Path) -> Result<(), Error> {
    #[derive(Deserialize)]
    struct Status {
        library_dir: Option<PathBuf>,
    }
    let status: Status = read(&gloss.call(json!({ "op": "library_status" }))?)?;
    let canonical = std::fs::canonicalize(wanted).unwrap_or_else(|_| wanted.to_owned());
    match status.library_dir {
        Some(used) if used != canonical => Err(format!(
            "the Gloss running on this data folder keeps {} in step, not {}: choose that folder in its \
             Settings, or close it and scan again",
            used.display(),
            wanted.display()
        )
        .into()),
        _ => Ok(()),
    }
}

/// The library folder for `gloss watch`: explicit, else remembered.
fn library_folder(gloss: &Gloss, explicit: Option<&Path>) -> Result<PathBuf, Error> {
    gloss
        .library()
        .library_folder(explicit)?
        .ok_or_else(|| "no library folder yet: pass --library DIR (or set GLOSS_LIBRARY)".into())
}

fn watch(open: OpenOptions, library: Option<&Path>) -> Result<ExitCode, Error> {
    let gloss = Gloss::open(open)?;
    let folder = library_folder(&gloss, library)?;
    let events = gloss.events().subscribe();
    let _watcher = gloss.library().watch(&folder, Default::default())?;
    eprintln!("gloss: watching {} (Ctrl-C stops)", folder.display());
    for event in events {
        out(&serde_json::to_string(&event)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A path typed on the command line, made absolute from the current folder
/// with `.` and `..` taken away as the user meant them: the API's export and
/// import take only absolute paths without `..`, and a running Gloss has
/// its own current folder.
fn typed_path(path: &Path) -> Result<PathBuf, Error> {
    let mut clean = PathBuf::new();
    for part in std::path::absolute(path)?.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            part => clean.push(part),
        }
    }
    Ok(clean)
}

/// Reads (part of) an answer as the type the printing code wants.
fn read<'a, T: Deserialize<'a>>(json: &'a RawValue) -> Result<T, Error> {
    serde_json::from_str(json.get())
        .map_err(|err| format!("Gloss gave an answer this gloss can not read: {err}").into())
}

/// The `items` of a paged answer, each as it came.
fn items(answer: &RawValue) -> Result<Vec<&RawValue>, Error> {
    #[derive(Deserialize)]
    struct Page<'a> {
        #[serde(borrow)]
        items: Vec<&'a RawValue>,
    }
    Ok(read::<Page>(answer)?.items)
}

/// An export, import or sync report: a summary for people, or JSON with `--json`.
fn report_out<T: DeserializeOwned + std::fmt::Display>(answer: &RawValue, json: bool) -> Result<(), Error> {
    if json {
        return print_json(answer);
    }
    out(&read::<T>(answer)?.to_string())
}

/// Prints `items` as one JSON array.
fn print_list<'a>(items: impl IntoIterator<Item = &'a RawValue>) -> Result<(), Error> {
    let mut array = JsonArray::default();
    for item in items {
        array.push(item)?;
    }
    array.end()
}

/// Episodes listed per request of `gloss list`: a screenful first, so the
/// first lines are out as soon as the command has started, then pages
/// large enough that requests cost little beside printing.
const FIRST_LIST_PAGE: usize = 50;
const LIST_PAGE: usize = 500;

/// `gloss list`'s line for an episode, and the reason below it when its
/// file failed.
fn episode_line(lines: &mut Lines, e: &EpisodeSummary) -> Result<(), Error> {
    let title = e.title.as_deref().unwrap_or(&e.source_path);
    let show = e.show.as_deref().unwrap_or("-");
    let status = serde_json::to_value(e.status)?;
    let status = status.as_str().unwrap_or("?");
    lines.push(&format!("{:>6}  {status:<7}  {title}  ({show})", e.id));
    if let Some(error) = &e.error {
        lines.push(&format!("        {}: {error}", e.source_path));
    }
    Ok(())
}

/// A JSON array printed item by item as [`print_json`] prints a whole one,
/// so a long list streams out (a page of [`Lines`] at a time) instead of
/// being held. Each item is held until the next: the comma after it comes
/// on its last line.
#[derive(Default)]
struct JsonArray {
    held: Option<String>,
    lines: Lines,
}

impl JsonArray {
    fn push(&mut self, item: &RawValue) -> Result<(), Error> {
        let indented = format!("  {}", pretty(item)?.replace('\n', "\n  "));
        match self.held.replace(indented) {
            Some(previous) => self.lines.push(&format!("{previous},")),
            None => self.lines.push("["),
        }
        Ok(())
    }

    fn end(mut self) -> Result<(), Error> {
        match self.held.take() {
            Some(last) => {
                self.lines.push(&last);
                self.lines.push("]");
            }
            None => self.lines.push("[]"),
        }
        self.lines.print()
    }
}

/// Lines printed together: a page of a listing in one write, where a write
/// per line made printing most of `gloss list`'s time.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn push(&mut self, line: &str) {
        self.0.push_str(line);
        self.0.push('\n');
    }

    fn print(&mut self) -> Result<(), Error> {
        match std::mem::take(&mut self.0).strip_suffix('\n') {
            Some(text) => out(text),
            None => Ok(()),
        }
    }
}

/// Prints an answer's JSON indented, its fields in the order they came.
fn print_json(json: &RawValue) -> Result<(), Error> {
    out(&pretty(json)?)
}

fn pretty(json: &RawValue) -> Result<String, Error> {
    let mut pretty = Vec::new();
    serde_transcode::transcode(
        &mut serde_json::Deserializer::from_str(json.get()),
        &mut serde_json::Serializer::pretty(&mut pretty),
    )?;
    Ok(String::from_utf8(pretty)?)
}

/// Prints one line to stdout. A closed pipe (`gloss list | head`) ends the
/// output quietly instead of failing.
fn out(line: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Err(ReaderGone.into()),
        other => Ok(other?),
    }
}

/// Whatever read the output stopped reading (`gloss list | head`): the
/// command stops there, and exits successfully without a word, as the
/// shell expects of a command cut short by its reader.
#[derive(Debug)]
pub struct ReaderGone;

impl std::fmt::Display for ReaderGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the output was closed")
    }
}

impl std::error::Error for ReaderGone {}

/// `gloss parse FILE`: the episode as JSON on stdout; on refusal, the reason
/// on stderr and exit code 2 (1 is for files that can not be read at all).
fn parse(file: &Path) -> Result<ExitCode, Error> {
    use gloss_parse as parse;
    let refused = |reason: &dyn std::fmt::Display, code: u8| {
        eprintln!("gloss: {}: {reason}", file.display());
        Ok(ExitCode::from(code))
    };
    let size = match std::fs::metadata(file) {
        Ok(meta) => meta.len(),
        Err(err) => return refused(&err, 1),
    };
    if let Err(refusal) = parse::check_size(size) {
        return refused(&refusal, 2);
    }
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) => return refused(&err, 1),
    };
    match parse::parse_bytes(&bytes) {
        Ok(episode) => {
            out(&parse::to_json(&episode))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => refused(&refusal, 2),
    }
}
