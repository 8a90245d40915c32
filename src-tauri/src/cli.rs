//! Command-line interface. Each subcommand opens what it needs, runs one
//! core function or API operation, and prints the answer: a line a person
//! reads, or JSON with `--json`.

use clap::{Parser, Subcommand};
use gloss_core::annotations::{Color, HighlightFilter, NewHighlight};
use gloss_core::app::SettingsPatch;
use gloss_core::store::episodes::EpisodeId;
use gloss_core::{Gloss, OpenOptions};
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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the UI and the API over HTTP (default http://127.0.0.1:4747).
    Serve(crate::serve::ServeArgs),
    /// Parse one summary file and print it as JSON.
    Parse { file: PathBuf },
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
    /// Reconcile, then keep watching the library folder and print each change.
    Watch,
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

pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    let open = |watch| OpenOptions { data_dir: cli.data.clone(), library_dir: cli.library.clone(), watch };
    match cli.command {
        None => crate::desktop::run(open(true)),
        Some(Command::Serve(args)) => crate::serve::run(open(true), args),
        Some(Command::Parse { ref file }) => parse(file),
        Some(Command::Scan) => {
            let gloss = Gloss::open(open(false))?;
            let counts = gloss.library().reconcile(&library_folder(&gloss, &cli)?)?;
            out(&counts.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::List { json }) => {
            let episodes = Gloss::open(open(false))?.library().list_episodes()?;
            if json {
                print_json(&episodes)?;
            }
            for e in episodes.iter().filter(|_| !json) {
                let title = e.title.as_deref().unwrap_or(&e.source_path);
                let show = e.show.as_deref().unwrap_or("-");
                let status = serde_json::to_value(e.status)?;
                let status = status.as_str().unwrap_or("?");
                out(&format!("{:>6}  {status:<7}  {title}  ({show})", e.id))?;
                if let Some(error) = &e.error {
                    out(&format!("        {}: {error}", e.source_path))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Search { ref query, json, limit }) => {
            let hits = Gloss::open(open(false))?.search(query, &HighlightFilter::default(), limit)?;
            if json {
                print_json(&hits)?;
            }
            for hit in hits.iter().filter(|_| !json) {
                let kind = serde_json::to_value(hit.kind)?;
                let title = hit.title.as_deref().unwrap_or("Untitled");
                let kind = kind.as_str().unwrap_or("?");
                out(&format!("{:>6}  {kind:<9}  {title}\n        {}", hit.episode_id, hit.snippet.text))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Watch) => watch(&cli),
        Some(Command::Highlight(ref args)) => {
            let gloss = Gloss::open(open(false))?;
            let new = NewHighlight {
                episode_id: args.episode,
                quote: Some(args.quote.clone()),
                occurrence: args.occurrence,
                color: args.color,
                note: args.note.clone(),
                tags: args.tags.clone(),
                ..Default::default()
            };
            print_json(&gloss.annotations().create_highlight(&new)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Annotations { episode, json }) => {
            let gloss = Gloss::open(open(false))?;
            let filter = HighlightFilter { episode_id: episode, ..Default::default() };
            let page = gloss.annotations().list_highlights(&filter)?;
            if json {
                print_json(&page.items)?;
            }
            for item in page.items.iter().filter(|_| !json) {
                let h = &item.highlight;
                let status = serde_json::to_value(h.anchor.status)?;
                let title = item.episode_title.as_deref().unwrap_or("?");
                out(&format!("{}  {:<9} {:>6}  {title}", h.id, status.as_str().unwrap_or("?"), h.episode_id))?;
                out(&format!("    \"{}\"", h.selector.exact))?;
                if let Some(reason) = &h.anchor.reason {
                    out(&format!("    {reason}"))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { format, ref out, json }) => {
            let report = Gloss::open(open(false))?.export(format, &typed_path(out)?)?;
            report_out(&report, json)
        }
        Some(Command::Sync { ref dir, json }) => {
            let gloss = Gloss::open(open(false))?;
            if let Some(dir) = dir {
                gloss.update_settings(SettingsPatch { sync_dir: Some(Some(dir.clone())), ..Default::default() })?;
            }
            report_out(&gloss.sync_now()?, json)
        }
        Some(Command::Import { ref file, json }) => {
            let report = Gloss::open(open(false))?.import(&typed_path(file)?)?;
            report_out(&report, json)
        }
    }
}

/// The library folder for one-shot commands: explicit, else remembered.
fn library_folder(gloss: &Gloss, cli: &Cli) -> Result<PathBuf, Error> {
    gloss
        .library()
        .library_folder(cli.library.as_deref())?
        .ok_or_else(|| "no library folder yet: pass --library DIR (or set GLOSS_LIBRARY)".into())
}

fn watch(cli: &Cli) -> Result<ExitCode, Error> {
    let gloss =
        Gloss::open(OpenOptions { data_dir: cli.data.clone(), library_dir: cli.library.clone(), watch: false })?;
    let folder = library_folder(&gloss, cli)?;
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
/// import take only absolute paths without `..`.
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

/// An export or import report: a summary for people, or JSON with `--json`.
fn report_out<T: serde::Serialize + std::fmt::Display>(report: &T, json: bool) -> Result<ExitCode, Error> {
    if json {
        print_json(report)?;
    } else {
        out(&report.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    out(&serde_json::to_string_pretty(value)?)
}

/// Prints one line to stdout. A closed pipe (`gloss list | head`) ends the
/// output quietly instead of failing.
fn out(line: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

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
