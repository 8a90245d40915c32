//! Shared by the export tests: a library of generated summaries filled with
//! every kind of annotation, and a field-by-field picture of it to compare
//! two libraries by.

use std::collections::BTreeMap;

use gloss_core::annotations::trash::TrashedTag;
use gloss_core::annotations::{
    Color, EpisodeAnnotations, Highlight, HighlightFilter, HighlightPatch, ReadingUpdate, Tag,
};
use gloss_core::store::episodes::EpisodeId;
use gloss_core::store::settings;

use super::annotations::Setup;

/// A deterministic generator, so a failure replays.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `n` generated summaries, as `(file name, content)`.
pub fn summaries(n: u64) -> Vec<(String, String)> {
    (0..n).map(|seed| (format!("{seed:03}.txt"), gloss_testkit::summary(seed))).collect()
}

/// A library reconciled from `files`.
pub fn library(files: &[(String, String)]) -> Setup {
    let refs: Vec<(&str, &str)> = files.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect();
    Setup::new(&refs)
}

/// The files of a library's folder as they are now.
pub fn files_of(s: &Setup) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(s.fx.folder.path())
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(entry.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

pub const TAGS: [&str; 6] = ["AI/Open Source", "policy", "Chips", "ai/models", "to read", "2024"];

/// Adds `count` highlights spread over every episode, with notes, tags,
/// colors, edits and some in the trash, plus episode notes, insight notes,
/// stars, reading state, episode tags, a trashed tag and color names.
pub fn annotate(s: &Setup, count: usize, seed: u64) {
    let notes = s.notes();
    let episodes: Vec<EpisodeId> = s.fx.library.list_episodes().unwrap().iter().map(|e| e.id).collect();
    let mut rng = Rng::new(seed);
    let mut made = Vec::new();
    for n in 0..count {
        let episode = episodes[n % episodes.len()];
        let len = s.text(episode).chars().count();
        let start = rng.below(len - 90);
        let end = start + 10 + rng.below(70);
        let mut tags = Vec::new();
        for _ in 0..rng.below(3) {
            tags.push(TAGS[rng.below(TAGS.len())].to_owned());
        }
        let new = gloss_core::annotations::NewHighlight {
            episode_id: episode,
            start: Some(start),
            end: Some(end),
            color: Some(Color::ALL[n % Color::ALL.len()]),
            note: (n % 3 == 0).then(|| format!("Note {n}: **why** it <matters> & more\n\nSecond paragraph.")),
            tags,
            ..Default::default()
        };
        made.push(notes.create_highlight(&new).unwrap().id);
    }
    for (n, id) in made.iter().enumerate() {
        match n % 20 {
            0 => {
                notes.delete_highlight(id).unwrap();
            }
            5 => {
                let patch = HighlightPatch { id: id.clone(), color: Some(Color::Purple), ..Default::default() };
                notes.update_highlight(&patch).unwrap();
            }
            7 | 13 => {
                let patch =
                    HighlightPatch { id: id.clone(), tags: Some(vec!["obsolete".into()]), ..Default::default() };
                notes.update_highlight(&patch).unwrap();
            }
            _ => {}
        }
    }
    notes.delete_tag("obsolete").unwrap();
    for (i, &episode) in episodes.iter().enumerate() {
        notes.set_episode_note(episode, &format!("Episode note {i} with a [link](https://example.com).")).unwrap();
        notes.set_insight_note(episode, "s1.i1", "Insight note: <b>bold</b> claim").unwrap();
        notes.set_star(episode, "s1.i1", true).unwrap();
        notes.set_star(episode, "s1.i2", true).unwrap();
        notes.set_star(episode, "s1.i2", false).unwrap();
        notes.set_episode_tags(episode, &["Listening/Queue".into(), format!("season {}", i % 2)]).unwrap();
        let update = ReadingUpdate { episode_id: episode, read: Some(i % 2 == 0), position: Some(40 + i) };
        notes.set_reading_state(&update).unwrap();
    }
    s.fx.library
        .store()
        .write(|tx| settings::set(tx, "ui_color_names", r#"{"yellow":"Key idea","pink":"Disagree"}"#))
        .unwrap();
}

/// Everything the user added to a library, with episodes named by
/// fingerprint (ids may differ between two libraries).
#[derive(Debug, PartialEq)]
pub struct Picture {
    pub highlights: BTreeMap<String, (String, Highlight)>,
    pub episodes: BTreeMap<String, EpisodeAnnotations>,
    pub tags: Vec<Tag>,
    pub trashed_tags: Vec<TrashedTag>,
    pub color_names: Option<String>,
}

pub fn fingerprint(s: &Setup, id: EpisodeId) -> String {
    s.fx.library.episode(id).unwrap().unwrap().fingerprint.unwrap()
}

/// A highlight with its episode named by fingerprint instead of id.
pub fn detached(s: &Setup, mut h: Highlight) -> (String, Highlight) {
    let fp = fingerprint(s, h.episode_id);
    h.episode_id = 0;
    (fp, h)
}

pub fn picture(s: &Setup) -> Picture {
    let notes = s.notes();
    let mut highlights = BTreeMap::new();
    for trashed in [false, true] {
        let page = notes.list_highlights(&HighlightFilter { trashed, ..Default::default() }).unwrap();
        for item in page.items {
            highlights.insert(item.highlight.id.clone(), detached(s, item.highlight));
        }
    }
    let mut episodes = BTreeMap::new();
    for episode in s.fx.library.list_episodes().unwrap() {
        let mut annotations = notes.episode_annotations(episode.id).unwrap();
        for h in &mut annotations.highlights {
            h.episode_id = 0;
        }
        episodes.insert(fingerprint(s, episode.id), annotations);
    }
    let color_names = s.fx.library.store().read(|conn| settings::get(conn, "ui_color_names")).unwrap();
    Picture {
        highlights,
        episodes,
        tags: notes.list_tags().unwrap(),
        trashed_tags: notes.list_trash().unwrap().tags,
        color_names,
    }
}

/// Asserts two pictures are equal, naming the first difference found.
pub fn assert_same(a: &Picture, b: &Picture) {
    assert_eq!(a.highlights.len(), b.highlights.len(), "highlight count");
    for (id, (fp, h)) in &a.highlights {
        let (other_fp, other) = b.highlights.get(id).unwrap_or_else(|| panic!("highlight {id} is missing"));
        assert_eq!(fp, other_fp, "episode of highlight {id}");
        assert_eq!(h.selector, other.selector, "selector of {id}");
        assert_eq!(h.color, other.color, "color of {id}");
        assert_eq!(h.note, other.note, "note of {id}");
        assert_eq!(h.tags, other.tags, "tags of {id}");
        assert_eq!(h.anchor, other.anchor, "anchor of {id}");
        assert_eq!((h.created_at, h.updated_at, h.deleted_at), (other.created_at, other.updated_at, other.deleted_at));
        assert_eq!(h, other, "highlight {id}");
    }
    assert_eq!(a.episodes.keys().collect::<Vec<_>>(), b.episodes.keys().collect::<Vec<_>>());
    for (fp, annotations) in &a.episodes {
        let other = &b.episodes[fp];
        assert_eq!(annotations.note, other.note, "note of episode {fp}");
        assert_eq!(annotations.insight_notes, other.insight_notes, "insight notes of {fp}");
        assert_eq!(annotations.stars, other.stars, "stars of {fp}");
        assert_eq!(annotations.tags, other.tags, "tags of {fp}");
        assert_eq!(annotations.reading, other.reading, "reading state of {fp}");
        assert_eq!(annotations, other, "annotations of {fp}");
    }
    assert_eq!(a.tags, b.tags, "tags");
    assert_eq!(a.trashed_tags, b.trashed_tags, "trashed tags");
    assert_eq!(a.color_names, b.color_names, "color names");
}

/// Exports `library` as the command line would, with the default templates.
pub fn export(
    library: &gloss_core::Library,
    format: gloss_core::export::Format,
    out: &std::path::Path,
) -> gloss_core::export::Result<gloss_core::export::ExportReport> {
    let caller = gloss_core::annotations::Caller::door(gloss_core::annotations::Door::Cli);
    gloss_core::export::export(library, &caller, format, out, &Default::default())
}
