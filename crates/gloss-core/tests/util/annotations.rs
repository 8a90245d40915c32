//! Shared by the annotation tests: a real library on temp folders with a
//! few episodes, and shorthands for the requests they make.

use gloss_core::annotations::{Caller, Door, Error, NewHighlight};
use gloss_core::app::Annotations;
use gloss_core::store::episodes::EpisodeId;

use super::Fixture;

/// A library reconciled from `files`, with the annotation operations on it.
pub struct Setup {
    pub fx: Fixture,
}

impl Setup {
    pub fn new(files: &[(&str, &str)]) -> Setup {
        let fx = Fixture::new();
        for (rel, content) in files {
            fx.write(rel, content);
        }
        fx.library.reconcile(fx.folder.path()).unwrap();
        Setup { fx }
    }

    pub fn notes(&self) -> Annotations<'_> {
        Annotations::new(&self.fx.library, Caller::door(Door::Cli))
    }

    pub fn episode(&self, rel: &str) -> EpisodeId {
        self.fx.episode_at(rel).id
    }

    pub fn text(&self, id: EpisodeId) -> String {
        self.fx.library.episode(id).unwrap().unwrap().canonical_text.unwrap()
    }

    /// Saves a new version of a file and lets the library take it in, as
    /// the watcher would, then brings the highlights up to date.
    pub fn rewrite(&self, rel: &str, content: &str) {
        self.fx.write(rel, content);
        // A new size or mtime is what tells ingest to re-read the file.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(self.fx.path(rel)).unwrap().set_modified(later).unwrap();
        self.fx.library.reconcile(self.fx.folder.path()).unwrap();
        self.notes().reanchor_pending().unwrap();
    }
}

/// A `create_highlight` request for `quote`.
pub fn quote(episode_id: EpisodeId, quote: &str) -> NewHighlight {
    NewHighlight { episode_id, quote: Some(quote.to_owned()), ..Default::default() }
}

/// The code point range of `needle` in `text` (its first occurrence).
pub fn range_of(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// The text at a code point range.
pub fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Which kind of refusal, and about which field.
pub fn refusal(error: &Error) -> (&'static str, &'static str) {
    let kind = match error {
        Error::NotFound { .. } => "not_found",
        Error::Invalid { .. } => "invalid",
        Error::Conflict { .. } => "conflict",
        Error::Store(_) => "store",
    };
    (kind, error.field().unwrap_or(""))
}
