//! One Markdown file per annotated episode, for Obsidian and any other
//! Markdown reader: YAML front matter, the episode note, each highlight as
//! a block quote with a stable block id (`^gloss-1a2b3c4d`, so links to it
//! survive re-exports) and a `gloss://` link back, then insight notes and
//! starred insights. Written through templates ([`template`]), the user's
//! or the defaults; optionally one more file per highlight.
//!
//! Exporting again merges into the files instead of replacing them: Gloss
//! rewrites only the items it owns ([`regions`]) and its own front-matter
//! properties ([`front_matter`]), keeps every byte the user wrote around
//! them ([`merge`]), reads notes edited in a file back into Gloss through
//! the write path first, and follows files moved inside the out folder
//! ([`files`]). Only a file whose markers were damaged gets the new version
//! written beside it, as `<name>.gloss-new.md`, with the reason.
//!
//! User text never becomes HTML: quotes are escaped as plain text (they are
//! the episode's words, not Markdown), notes are kept as the Markdown they
//! were written in with `<` escaped.

mod files;
mod front_matter;
mod merge;
mod page;
mod regions;
pub mod template;
pub mod text;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::backup::HighlightEntry;
use super::snapshot::Snapshot;
use super::{filename, time, write_file, KeptFile, Result};
use crate::annotations::{Caller, HighlightPatch};
use crate::library::Library;
pub use files::MANIFEST;
pub use page::{Page, ReviewLine};
use regions::Body;
pub use template::{TemplateError, Templates};

/// What goes between the stem and `.md` for a new version of a damaged file.
const NEW_SUFFIX: &str = ".gloss-new";

/// How Markdown is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkdownOptions {
    /// A folder with the user's templates (`file.md.jinja`,
    /// `highlight.md.jinja`, `front-matter.yaml.jinja`,
    /// `highlight-note.md.jinja`); each one missing is the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templates: Option<PathBuf>,
    /// One more file per highlight, linked from its episode's file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub per_highlight: bool,
}

/// What writing the files did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub kept: Vec<KeptFile>,
    /// Notes edited in the files and read back into Gloss.
    pub notes_read_back: usize,
    /// Files found where the user moved them.
    pub followed: Vec<PathBuf>,
    pub episodes: usize,
}

#[derive(Serialize)]
struct HighlightItem<'a> {
    #[serde(flatten)]
    highlight: page::HighlightContext<'a>,
    /// The highlight as its template wrote it.
    markdown: String,
    /// Its own file (without `.md`), in one-note-per-highlight mode.
    file: Option<String>,
    /// A few words of its quote, for a link to it.
    label: String,
}

#[derive(Serialize)]
struct FrontMatterContext<'a> {
    episode: &'a page::EpisodeContext<'a>,
    exported: &'a str,
}

#[derive(Serialize)]
struct HighlightContext<'a> {
    highlight: &'a page::HighlightContext<'a>,
}

#[derive(Serialize)]
struct FileContext<'a> {
    episode: &'a page::EpisodeContext<'a>,
    exported: &'a str,
    front_matter: &'a str,
    highlights: &'a [HighlightItem<'a>],
    insight_notes: Vec<page::InsightContext<'a>>,
    starred: Vec<page::InsightContext<'a>>,
}

#[derive(Serialize)]
struct HighlightNoteContext<'a> {
    highlight: &'a HighlightItem<'a>,
    episode: &'a page::EpisodeContext<'a>,
    episode_file: &'a str,
}

/// Renders a file for a given export time.
type Render<'a> = Box<dyn Fn(&str) -> Result<String, TemplateError> + 'a>;

/// One file to write: its key, name and rendering.
struct Planned<'a> {
    key: String,
    file: String,
    render: Render<'a>,
}

impl Planned<'_> {
    /// The file's text at export time `exported`. A text file ends with a
    /// line end, whatever the template's last line.
    fn text(&self, exported: &str) -> Result<String, TemplateError> {
        let mut text = (self.render)(exported)?;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }
}

/// Writes the Markdown export into `out_dir`, reading note edits made in
/// its files back first (as changes of `caller`).
pub fn export(
    library: &Library,
    caller: &Caller,
    snapshot: &Snapshot,
    out_dir: &Path,
    options: &MarkdownOptions,
    now: i64,
) -> Result<Outcome> {
    let templates = Templates::load(options.templates.as_deref())?;
    let mut manifest = files::Manifest::read(out_dir)?;
    let found = manifest.locate(out_dir)?;
    let edits = note_edits(&manifest, &found);
    let mut outcome = Outcome::default();
    let reread;
    let snapshot = match edits.is_empty() {
        true => snapshot,
        false => {
            outcome.notes_read_back = read_back(library, caller, snapshot, &edits);
            reread = Snapshot::take(library.store(), now)?;
            &reread
        }
    };
    let keep_notes_of: HashSet<String> = edits.iter().map(|edit| edit.item.clone()).collect();
    let exported = time::rfc3339(now);
    let color_names: BTreeMap<String, String> = snapshot
        .backup
        .settings
        .get(crate::store::settings::COLOR_NAMES)
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let review = super::review_states(&snapshot.backup);
    let pages = pages(snapshot, &color_names, &review);
    let mut names = manifest.names(out_dir)?;
    let mut file_of = |key: &str, stem: &str| match found.get(key) {
        Some(found) => found.file.clone(),
        None => match manifest.files.get(key).filter(|e| files::safe_relative(&e.file)) {
            Some(entry) => entry.file.clone(),
            None => names.unique(stem, "md"),
        },
    };
    let episodes: Vec<_> = pages
        .iter()
        .map(|(key, page)| {
            let episode = page.episode();
            let episode_file = file_of(key, &filename::stem(&episode.title, &format!("episode-{}", episode.id)));
            let highlights: Vec<(String, String)> = page
                .highlights
                .iter()
                .filter(|_| options.per_highlight)
                .map(|h| {
                    let stem =
                        filename::stem(&format!("{} - {}", episode.title, label(h, 6)), &format!("highlight-{}", h.id));
                    (h.id.clone(), file_of(&format!("highlight:{}", h.id), &stem))
                })
                .collect();
            (key, page, episode, episode_file, highlights)
        })
        .collect();
    // Everything is rendered before anything is written: a template error
    // writes nothing.
    let mut planned = Vec::new();
    for (key, page, episode, episode_file, highlight_files) in &episodes {
        let mut items = Vec::new();
        for (highlight, entry) in page.highlights().into_iter().zip(&page.highlights) {
            let markdown = templates.render(template::HIGHLIGHT, HighlightContext { highlight: &highlight })?;
            let file = highlight_files.iter().find(|(id, _)| *id == entry.id).map(|(_, file)| file.clone());
            items.push(HighlightItem {
                markdown: markdown.trim_end_matches('\n').to_owned(),
                file: file.map(|f| f.strip_suffix(".md").unwrap_or(&f).to_owned()),
                label: label(entry, 8),
                highlight,
            });
        }
        let items = std::rc::Rc::new(items);
        let episode_link = episode_file.strip_suffix(".md").unwrap_or(episode_file).to_owned();
        for (index, (id, file)) in highlight_files.iter().enumerate() {
            let (items, templates, episode_link) = (items.clone(), &templates, episode_link.clone());
            planned.push(Planned {
                key: format!("highlight:{id}"),
                file: file.clone(),
                render: Box::new(move |_exported| {
                    let context =
                        HighlightNoteContext { highlight: &items[index], episode, episode_file: &episode_link };
                    templates.render(template::HIGHLIGHT_NOTE, context)
                }),
            });
        }
        let templates = &templates;
        planned.push(Planned {
            key: (*key).clone(),
            file: episode_file.clone(),
            render: Box::new(move |exported| {
                let front_matter =
                    templates.render(template::FRONT_MATTER, FrontMatterContext { episode, exported })?;
                let context = FileContext {
                    episode,
                    exported,
                    front_matter: front_matter.trim_end_matches('\n'),
                    highlights: &items,
                    insight_notes: page.insight_notes(),
                    starred: page.starred(),
                };
                templates.render(template::FILE, context)
            }),
        });
    }
    // A file whose episode (or highlight) has nothing left to export keeps
    // the user's text; Gloss's items go.
    let planned_keys: HashSet<&str> = planned.iter().map(|plan| plan.key.as_str()).collect();
    let mut emptied: Vec<Planned> = found
        .iter()
        .filter(|(key, _)| !planned_keys.contains(key.as_str()))
        .filter(|(key, _)| manifest.files.get(*key).is_some_and(|entry| entry.marked))
        .map(|(key, found)| Planned {
            key: key.clone(),
            file: found.file.clone(),
            render: Box::new(|_| Ok(String::new())),
        })
        .collect();
    emptied.sort_by(|a, b| a.key.cmp(&b.key));
    planned.extend(emptied);
    let mut fresh = Vec::with_capacity(planned.len());
    for plan in &planned {
        fresh.push(plan.text(&exported)?);
    }
    outcome.episodes = pages.len();
    for (plan, text) in planned.iter().zip(fresh) {
        let previous = manifest.files.get(&plan.key).cloned().unwrap_or_default();
        // The properties Gloss owns are those it renders, never the user's beside them.
        let fresh_front = front_matter::split(&text).front.map(str::to_owned).unwrap_or_default();
        let existing = found.get(&plan.key);
        if existing.is_some_and(|f| manifest.files.get(&plan.key).is_some_and(|e| e.file != f.file)) {
            outcome.followed.push(files::path_in(out_dir, &plan.file));
        }
        let path = files::path_in(out_dir, &plan.file);
        let written = match existing {
            None => text,
            Some(found) if previous.is_unmarked() && files::hash(found.text.as_bytes()) == previous.hash => text,
            Some(found) => {
                let merged = match previous.is_unmarked() {
                    true => Err("it was edited since an older Gloss wrote it without region markers".to_owned()),
                    false => merge_file(&found.text, &plan.text(&previous.exported)?, &previous, &keep_notes_of)
                        .and_then(|unchanged| match unchanged == found.text {
                            true => Ok(None),
                            false => merge_file(&found.text, &text, &previous, &keep_notes_of).map(Some),
                        }),
                };
                match merged {
                    Ok(None) => {
                        // Notes read back are now what Gloss holds: remember them as written.
                        let entry = entry(&plan.file, &found.text, &fresh_front, &previous.exported);
                        manifest.files.insert(plan.key.clone(), entry);
                        outcome.unchanged.push(path);
                        continue;
                    }
                    Ok(Some(merged)) => merged,
                    Err(reason) => {
                        let stem = plan.file.strip_suffix(".md").unwrap_or(&plan.file);
                        let new_file = files::path_in(out_dir, &format!("{stem}{NEW_SUFFIX}.md"));
                        write_file(&new_file, text.as_bytes())?;
                        outcome.kept.push(KeptFile { file: path, new_file, reason });
                        continue;
                    }
                }
            }
        };
        write_file(&path, written.as_bytes())?;
        manifest.files.insert(plan.key.clone(), entry(&plan.file, &written, &fresh_front, &exported));
        outcome.written.push(path);
    }
    manifest.write(out_dir)?;
    Ok(outcome)
}

/// The pages to write, by file key, in the library's order.
fn pages<'a>(
    snapshot: &'a Snapshot,
    color_names: &'a BTreeMap<String, String>,
    review: &'a HashMap<String, ReviewLine>,
) -> Vec<(String, Page<'a>)> {
    let backup = &snapshot.backup;
    // Grouped once: this runs after every change when exporting automatically.
    let mut live_by_episode: HashMap<i64, Vec<&HighlightEntry>> = HashMap::new();
    for highlight in backup.highlights.iter().filter(|h| h.deleted_at.is_none()) {
        live_by_episode.entry(highlight.episode.id).or_default().push(highlight);
    }
    let mut pages = Vec::new();
    for entry in &backup.episodes {
        let id = entry.episode.id;
        let highlights = live_by_episode.remove(&id).unwrap_or_default();
        let has_notes = entry.notes.iter().any(|n| !n.text.trim().is_empty());
        let has_stars = entry.stars.iter().any(|s| s.starred);
        if highlights.is_empty() && !has_notes && !has_stars && entry.tags.is_empty() {
            continue; // only a reading position: nothing to read in a note app
        }
        let key = entry.episode.fingerprint.clone().unwrap_or_else(|| format!("id:{id}"));
        pages.push((key, Page { entry, episode: snapshot.episodes.get(&id), highlights, color_names, review }));
    }
    pages
}

/// The first `words` words of a highlight's quote, safe inside a wiki link.
fn label(highlight: &HighlightEntry, words: usize) -> String {
    let words: Vec<&str> = highlight.selector.exact.split_whitespace().take(words).collect();
    words.join(" ").replace(['[', ']', '|', '#', '^'], " ").trim().to_owned()
}

/// `existing` with `rendered`'s items and properties merged in; an error
/// says why the file's markers can not be read.
fn merge_file(
    existing: &str,
    rendered: &str,
    previous: &files::Entry,
    keep_notes_of: &HashSet<String>,
) -> Result<String, String> {
    let old = front_matter::split(existing);
    let new = front_matter::split(rendered);
    let body = Body::parse(old.body).map_err(|damage| format!("its Gloss markers are damaged at {damage}"))?;
    let fresh =
        Body::parse(new.body).map_err(|damage| format!("the template's output has damaged markers at {damage}"))?;
    let body = merge::merge(body, &fresh, keep_notes_of).write();
    let front = match (old.front, new.front) {
        (Some(old), Some(new)) => Some(front_matter::merge(old, new, &previous.properties).0),
        (None, new) => new.map(str::to_owned),
        (Some(old), None) => Some(old.to_owned()),
    };
    Ok(match front {
        Some(front) => format!("---\n{front}---\n{body}"),
        None => body,
    })
}

/// The manifest entry of a file just written as `text`, whose rendering
/// had the front matter `rendered_front`.
fn entry(file: &str, text: &str, rendered_front: &str, exported: &str) -> files::Entry {
    let notes = Body::parse(front_matter::split(text).body)
        .map(|body| {
            body.items()
                .map(|item| (item.key.clone(), files::hash(item.note_text().unwrap_or_default().as_bytes())))
                .collect()
        })
        .unwrap_or_default();
    let properties = front_matter::merge("", rendered_front, &[]).1;
    files::Entry {
        file: file.to_owned(),
        hash: files::hash(text.as_bytes()),
        notes,
        properties,
        exported: exported.to_owned(),
        marked: true,
    }
}

/// A note edited in a file.
struct NoteEdit {
    /// The file's key.
    file: String,
    /// The item's key.
    item: String,
    text: String,
}

/// The notes whose text in a file is not what Gloss wrote there.
fn note_edits(manifest: &files::Manifest, found: &HashMap<String, files::Found>) -> Vec<NoteEdit> {
    let mut edits = Vec::new();
    for (key, found) in found {
        let Some(entry) = manifest.files.get(key) else { continue };
        let Ok(body) = Body::parse(front_matter::split(&found.text).body) else { continue };
        for item in body.items() {
            let (Some(text), Some(written)) = (item.note_text(), entry.notes.get(&item.key)) else { continue };
            if files::hash(text.as_bytes()) != *written {
                edits.push(NoteEdit { file: key.clone(), item: item.key.clone(), text: text::unnote(&text) });
            }
        }
    }
    edits.sort_by(|a, b| (&a.file, &a.item).cmp(&(&b.file, &b.item)));
    edits
}

/// Writes the edits through the write path; answers how many went in. One
/// that can not (its highlight was deleted since) is left in the file.
fn read_back(library: &Library, caller: &Caller, snapshot: &Snapshot, edits: &[NoteEdit]) -> usize {
    let annotations = crate::app::Annotations::new(library, caller.clone());
    let episode_of = |file: &str| {
        snapshot
            .backup
            .episodes
            .iter()
            .map(|e| &e.episode)
            .find(|e| e.fingerprint.as_deref() == Some(file) || format!("id:{}", e.id) == file)
    };
    let mut count = 0;
    for edit in edits {
        let (kind, id) = edit.item.split_once(' ').unwrap_or((&edit.item, ""));
        let done = match kind {
            "highlight" => annotations
                .update_highlight(&HighlightPatch {
                    id: id.to_owned(),
                    note: Some(edit.text.clone()),
                    ..Default::default()
                })
                .is_ok(),
            "episode-note" => {
                episode_of(&edit.file).is_some_and(|e| annotations.set_episode_note(e.id, &edit.text).is_ok())
            }
            "insight" => {
                episode_of(&edit.file).is_some_and(|e| annotations.set_insight_note(e.id, id, &edit.text).is_ok())
            }
            _ => false,
        };
        count += usize::from(done);
    }
    count
}
