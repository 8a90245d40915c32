//! Re-exporting Markdown into files the user writes in: their bytes outside
//! Gloss's items survive every re-export, notes they edit in a file arrive
//! in Gloss through the write path, moved files are followed, and no
//! `.gloss-new.md` appears unless Gloss's markers were damaged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::annotations::{quote, Setup};
use crate::util::devices::Device;
use crate::util::export::{export, library, summaries, Rng};
use gloss_core::annotations::{Door, HighlightPatch, NewHighlight, Origin};
use gloss_core::events::Event;
use gloss_core::export::{ExportReport, Format, MarkdownOptions};
use gloss_core::store::episodes::EpisodeId;
use tempfile::TempDir;

/// Sequences the property test runs: each several rounds of edits in the
/// files, changes in Gloss and a re-export.
const SEQUENCES: u64 = 1000;
/// Sequences share a library for this many, so the test stays quick.
const PER_LIBRARY: u64 = 50;

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The line boundaries of `text` (byte offsets) outside Gloss's items and
/// after the front matter, where a user may write.
fn user_boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut depth = 0;
    let mut front = text.starts_with("---\n");
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if front {
            if index > 0 && bare == "---" {
                front = false;
            }
        } else if bare.starts_with("<!-- gloss:") && bare != "<!-- gloss:note -->" {
            depth += 1;
        } else if bare == "<!-- /gloss -->" {
            depth -= 1;
        }
        offset += line.len();
        if !front && depth == 0 {
            out.push(offset);
        }
    }
    out
}

/// A note part of an item in `text`: the item's key and the byte range of its note.
fn note_parts(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut key = None;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if let Some(k) = bare.strip_prefix("<!-- gloss:").and_then(|r| r.strip_suffix(" -->")) {
            if k != "note" {
                key = Some(k.to_owned());
            } else {
                start = Some(offset + line.len());
            }
        } else if bare == "<!-- /gloss -->" {
            if let (Some(k), Some(s)) = (key.take(), start.take()) {
                out.push((k, s, offset));
            }
        }
        offset += line.len();
    }
    out
}

struct Sequence<'a> {
    s: &'a Setup,
    rng: Rng,
    out: TempDir,
    episodes: Vec<EpisodeId>,
    /// Paragraphs the user wrote, by file name, in the order they should appear.
    written: Vec<(PathBuf, String)>,
    /// Notes edited in files and what Gloss must hold for them, by highlight id.
    note_edits: BTreeMap<String, String>,
    counter: usize,
    seed: u64,
    /// The user's paragraphs in file order, as they were before the export.
    order_before_export: Vec<(PathBuf, String)>,
}

impl Sequence<'_> {
    fn word(&mut self) -> String {
        self.counter += 1;
        format!("u{}x{}", self.seed, self.counter)
    }

    /// The user's paragraphs in the order the files hold them.
    fn order(&self) -> Vec<(PathBuf, String)> {
        let mut found: Vec<(PathBuf, usize, String)> = self
            .written
            .iter()
            .filter_map(|(file, paragraph)| {
                let text = std::fs::read_to_string(file).unwrap();
                Some((file.clone(), text.find(&format!("{paragraph}\n"))?, paragraph.clone()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(file, _, paragraph)| (file, paragraph)).collect()
    }

    fn export(&self) -> ExportReport {
        let report = export(&self.s.fx.library, Format::Markdown, self.out.path()).unwrap();
        assert!(report.kept.is_empty(), "seed {}: {report}", self.seed);
        report
    }

    /// Edits in the exported files: paragraphs, front matter, notes.
    fn edit_files(&mut self) {
        let files = md_files(self.out.path());
        if files.is_empty() {
            return;
        }
        for _ in 0..1 + self.rng.below(3) {
            let file = files[self.rng.below(files.len())].clone();
            let mut text = std::fs::read_to_string(&file).unwrap();
            match self.rng.below(4) {
                0 | 1 => {
                    let boundaries = user_boundaries(&text);
                    let at = boundaries[self.rng.below(boundaries.len())];
                    let paragraph = format!("My thoughts {} and {}.", self.word(), self.word());
                    text.insert_str(at, &format!("\n{paragraph}\n"));
                    self.written.push((file.clone(), paragraph));
                }
                2 => {
                    let property = format!("{}: mine # my comment\n", self.word());
                    let at = text.find("\n---\n").map_or(0, |i| i + 1);
                    text.insert_str(at, &property);
                    self.written.push((file.clone(), property.trim_end().to_owned()));
                }
                _ => {
                    let parts: Vec<_> =
                        note_parts(&text).into_iter().filter(|(k, _, _)| k.starts_with("highlight ")).collect();
                    if parts.is_empty() {
                        continue;
                    }
                    let (key, start, end) = parts[self.rng.below(parts.len())].clone();
                    let note = format!("Edited in the file: {} **{}**", self.word(), self.word());
                    text.replace_range(start..end, &format!("{note}\n"));
                    self.note_edits.insert(key["highlight ".len()..].to_owned(), note);
                }
            }
            std::fs::write(&file, text).unwrap();
        }
    }

    /// Changes in Gloss: a new highlight, a note, a deletion.
    fn change_gloss(&mut self) {
        let notes = self.s.notes();
        for _ in 0..self.rng.below(3) {
            let episode = self.episodes[self.rng.below(self.episodes.len())];
            match self.rng.below(3) {
                0 => {
                    let words: Vec<String> = self.s.text(episode).split_whitespace().map(str::to_owned).collect();
                    let start = self.rng.below(words.len().saturating_sub(6).max(1));
                    let new = NewHighlight {
                        note: Some(format!("note {}", self.word())),
                        occurrence: Some(1),
                        ..quote(episode, &words[start..(start + 4).min(words.len())].join(" "))
                    };
                    let _ = notes.create_highlight(&new);
                }
                kind => {
                    let live: Vec<String> = notes
                        .episode_annotations(episode)
                        .unwrap()
                        .highlights
                        .into_iter()
                        .map(|h| h.id)
                        .filter(|id| !self.note_edits.contains_key(id))
                        .collect();
                    if live.is_empty() {
                        continue;
                    }
                    let id = live[self.rng.below(live.len())].clone();
                    if kind == 1 {
                        let note = Some(format!("changed in Gloss {}", self.word()));
                        notes.update_highlight(&HighlightPatch { id, note, ..Default::default() }).unwrap();
                    } else {
                        notes.delete_highlight(&id).unwrap();
                    }
                }
            }
        }
    }

    fn check(&mut self) {
        let seed = self.seed;
        for (file, paragraph) in &self.written {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(text.lines().any(|l| l == paragraph), "seed {seed}: {paragraph:?} lost from\n{text}");
        }
        // The user's paragraphs keep their order in each file.
        assert_eq!(self.order(), self.order_before_export, "seed {seed}: the user's paragraphs moved");
        let notes = self.s.notes();
        for (id, note) in std::mem::take(&mut self.note_edits) {
            let highlight = notes.get_highlight(&id).unwrap();
            assert_eq!(highlight.note, note, "seed {seed}: the note edited in the file reached Gloss");
        }
        let side_files: Vec<_> =
            md_files(self.out.path()).into_iter().filter(|p| p.to_string_lossy().ends_with(".gloss-new.md")).collect();
        assert!(side_files.is_empty(), "seed {seed}: {side_files:?}");
    }
}

#[test]
fn users_bytes_survive_re_exports_and_their_note_edits_arrive() {
    for batch in 0..SEQUENCES / PER_LIBRARY {
        let s = library(&summaries(3));
        let episodes: Vec<EpisodeId> = (0..3).map(|i| s.episode(&format!("{i:03}.txt"))).collect();
        for i in 0..PER_LIBRARY {
            let seed = batch * PER_LIBRARY + i;
            let mut sequence = Sequence {
                s: &s,
                rng: Rng::new(seed),
                out: TempDir::new().unwrap(),
                episodes: episodes.clone(),
                written: Vec::new(),
                note_edits: BTreeMap::new(),
                counter: 0,
                seed,
                order_before_export: Vec::new(),
            };
            sequence.change_gloss();
            sequence.export();
            for _ in 0..2 + sequence.rng.below(4) {
                sequence.edit_files();
                sequence.order_before_export = sequence.order();
                sequence.change_gloss();
                sequence.export();
                sequence.check();
            }
        }
    }
}

#[test]
fn a_note_edited_in_a_file_goes_through_the_write_path_and_reaches_another_device() {
    let sync = TempDir::new().unwrap();
    let mut a = Device::new("a", &[7]);
    let mut b = Device::new("b", &[7]);
    let highlight = a.highlight(7, 10, 24);
    a.round(sync.path());
    b.round(sync.path());
    let out = TempDir::new().unwrap();
    let file = export(&a.library, Format::Markdown, out.path()).unwrap().written[0].clone();
    let text = std::fs::read_to_string(&file).unwrap();
    let (_, start, end) = note_parts(&text).into_iter().find(|(k, _, _)| k.starts_with("highlight")).unwrap();
    let mut edited = text.clone();
    edited.replace_range(start..end, "Written in Obsidian, with <angle> & more.\n");
    std::fs::write(&file, &edited).unwrap();
    let events = a.library.events().subscribe();

    let report = export(&a.library, Format::Markdown, out.path()).unwrap();
    assert_eq!(report.notes_read_back, 1, "{report}");
    let note = "Written in Obsidian, with <angle> & more.";
    assert_eq!(a.notes().get_highlight(&highlight).unwrap().note, note);
    let changed = events.try_iter().any(|event| match event {
        Event::AnnotationChanged(change) => matches!(&change.origin, Origin::User(c) if c.door == Door::Cli),
        _ => false,
    });
    assert!(changed, "announced as a change like any other");
    a.round(sync.path());
    b.round(sync.path());
    let on_b = b.notes().episode_annotations(b.episode(7)).unwrap().highlights;
    assert_eq!(on_b.iter().map(|h| h.note.as_str()).collect::<Vec<_>>(), [note], "the edit reached the other device");
    // Read back once: the next export finds nothing new.
    let again = export(&a.library, Format::Markdown, out.path()).unwrap();
    assert_eq!((again.notes_read_back, again.written.len()), (0, 0), "{again}");
}

#[test]
fn a_moved_or_renamed_file_is_followed_not_duplicated() {
    let s = Setup::new(&[("a.txt", &gloss_testkit::summary(3)), ("b.txt", &gloss_testkit::summary(4))]);
    let (a, b) = (s.episode("a.txt"), s.episode("b.txt"));
    for episode in [a, b] {
        let words: Vec<String> = s.text(episode).split_whitespace().take(4).map(str::to_owned).collect();
        s.notes().create_highlight(&quote(episode, &words[1..4].join(" "))).unwrap();
    }
    s.notes().set_episode_tags(b, &["kept".into()]).unwrap();
    let out = TempDir::new().unwrap();
    let first = export(&s.fx.library, Format::Markdown, out.path()).unwrap();
    std::fs::create_dir(out.path().join("Podcasts")).unwrap();
    let moved = out.path().join("Podcasts/Renamed by me.md");
    std::fs::rename(&first.written[0], &moved).unwrap();
    let renamed = out.path().join("Other name.md");
    std::fs::rename(&first.written[1], &renamed).unwrap();
    s.notes().set_episode_note(a, "A new note").unwrap();
    s.notes().set_episode_note(b, "Another note").unwrap();

    let report = export(&s.fx.library, Format::Markdown, out.path()).unwrap();
    assert_eq!(report.followed.len(), 2, "{report}");
    assert_eq!(md_files(out.path()), vec![renamed.clone(), moved.clone()]);
    assert!(std::fs::read_to_string(&moved).unwrap().contains("A new note"));
    assert!(std::fs::read_to_string(&renamed).unwrap().contains("Another note"));
    let again = export(&s.fx.library, Format::Markdown, out.path()).unwrap();
    assert_eq!((again.followed.len(), again.written.len(), again.unchanged.len()), (0, 0, 2), "{again}");
}

#[test]
fn gloss_updates_only_its_own_front_matter_properties() {
    let s = Setup::new(&[("a.txt", &gloss_testkit::summary(5))]);
    let episode = s.episode("a.txt");
    s.notes().set_episode_tags(episode, &["one".into()]).unwrap();
    let out = TempDir::new().unwrap();
    let file = export(&s.fx.library, Format::Markdown, out.path()).unwrap().written[0].clone();
    let text = std::fs::read_to_string(&file).unwrap();
    let mine =
        text.replacen("---\n", "---\n# my comment\naliases: [Mine]\n", 1).replacen("title:", "rating: 5\ntitle:", 1);
    std::fs::write(&file, &mine).unwrap();
    s.notes().set_episode_tags(episode, &["two".into()]).unwrap();
    export(&s.fx.library, Format::Markdown, out.path()).unwrap();
    let merged = std::fs::read_to_string(&file).unwrap();
    let front = merged.split("\n---\n").next().unwrap();
    assert!(front.starts_with("---\n# my comment\naliases: [Mine]\ngloss_episode_id:"), "{front}");
    assert!(
        front.contains("rating: 5\ntitle:") && front.contains("tags:\n- two") && !front.contains("- one"),
        "{front}"
    );
}

#[test]
fn one_note_per_highlight_links_both_ways_and_reads_notes_back() {
    let s = Setup::new(&[("a.txt", &gloss_testkit::summary(9))]);
    let episode = s.episode("a.txt");
    let words: Vec<String> = s.text(episode).split_whitespace().take(6).map(str::to_owned).collect();
    let highlight = s.notes().create_highlight(&quote(episode, &words[2..6].join(" "))).unwrap();
    let out = TempDir::new().unwrap();
    let options = MarkdownOptions { per_highlight: true, ..Default::default() };
    let caller = gloss_core::annotations::Caller::door(Door::Cli);
    let run = || gloss_core::export::export(&s.fx.library, &caller, Format::Markdown, out.path(), &options).unwrap();
    let report = run();
    assert_eq!(report.written.len(), 2, "{report}");
    let files = md_files(out.path());
    let (note_file, episode_file) = match files[0].to_string_lossy().contains(" - ") {
        true => (files[0].clone(), files[1].clone()),
        false => (files[1].clone(), files[0].clone()),
    };
    let stem = |p: &Path| p.file_stem().unwrap().to_string_lossy().into_owned();
    let episode_text = std::fs::read_to_string(&episode_file).unwrap();
    let note_text = std::fs::read_to_string(&note_file).unwrap();
    assert!(episode_text.contains(&format!("[[{}|", stem(&note_file))), "{episode_text}");
    assert!(note_text.contains(&format!("[[{}]]", stem(&episode_file))), "{note_text}");
    assert!(note_text.contains(&format!("gloss://highlight/{}", highlight.id)), "{note_text}");
    assert!(note_text.ends_with("]]\n"), "a text file ends with a line end: {note_text:?}");

    let (_, start, end) = note_parts(&note_text).into_iter().next().unwrap();
    let mut edited = note_text.clone();
    edited.replace_range(start..end, "My note in its own file\n");
    std::fs::write(&note_file, edited).unwrap();
    assert_eq!(run().notes_read_back, 1);
    assert_eq!(s.notes().get_highlight(&highlight.id).unwrap().note, "My note in its own file");
}

#[test]
fn the_users_templates_are_used_and_their_errors_name_the_line_and_write_nothing() {
    let s = library(&summaries(2));
    crate::util::export::annotate(&s, 30, 1);
    let templates = TempDir::new().unwrap();
    let out = TempDir::new().unwrap();
    let caller = gloss_core::annotations::Caller::door(Door::Cli);
    let options = MarkdownOptions { templates: Some(templates.path().to_owned()), ..Default::default() };
    let run = || gloss_core::export::export(&s.fx.library, &caller, Format::Markdown, out.path(), &options);

    std::fs::write(
        templates.path().join("highlight.md.jinja"),
        "**{{ highlight.color|upper }}**: {{ highlight.quote|plain }}\n",
    )
    .unwrap();
    let report = run().unwrap();
    let text = std::fs::read_to_string(&report.written[0]).unwrap();
    assert!(text.contains("**YELLOW**: ") || text.contains("**GREEN**: ") || text.contains("**PINK**: "), "{text}");

    // A misspelled field names the file, the line and the field; nothing is written.
    std::fs::write(templates.path().join("highlight.md.jinja"), "{{ highlight.quote }}\n\n{{ highlight.colr }}\n")
        .unwrap();
    s.notes().set_episode_note(s.episode("000.txt"), "a change to export").unwrap();
    let before: Vec<(PathBuf, String)> =
        md_files(out.path()).into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect();
    let error = run().unwrap_err().to_string();
    assert!(error.contains("highlight.md.jinja line 3") && error.contains("highlight.colr"), "{error}");
    let after: Vec<(PathBuf, String)> =
        md_files(out.path()).into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect();
    assert_eq!(before, after, "nothing written");

    // The sandbox: no file can be read, and no loop runs forever.
    let secret = templates.path().join("secret.txt");
    std::fs::write(&secret, "SECRET").unwrap();
    for (template, expected) in [
        (format!("{{% include {:?} %}}", secret.display().to_string()), "template not found"),
        ("{% include \"secret.txt\" %}".to_owned(), "template not found"),
        ("{% import \"/etc/passwd\" as p %}".to_owned(), "template not found"),
        ("{{ fetch(\"http://127.0.0.1:9/\") }}".to_owned(), "unknown function"),
        ("{{ env.HOME }}".to_owned(), "undefined value"),
        ("{% for i in range(100000000) %}{{ i }}{% endfor %}".to_owned(), ""),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}".to_owned(), ""),
    ] {
        std::fs::write(templates.path().join("highlight.md.jinja"), &template).unwrap();
        let error = run().unwrap_err().to_string();
        assert!(error.contains(expected) && error.contains("highlight.md.jinja"), "{template}: {error}");
        assert!(!error.contains("SECRET") && !error.contains("root:"), "{error}");
    }
}
