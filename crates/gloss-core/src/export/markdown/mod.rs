//! One Markdown file per annotated episode, for Obsidian and any other
//! Markdown reader: YAML front matter, the episode note, each highlight as
//! a block quote with a stable block id (`^gloss-1a2b3c4d`, so links to it
//! survive re-exports), then insight notes and starred insights. Written
//! through templates ([`template`]), the user's or the defaults.
//!
//! User text never becomes HTML: quotes are escaped as plain text (they are
//! the episode's words, not Markdown), notes are kept as the Markdown they
//! were written in with `<` escaped.

mod page;
pub mod template;
pub mod text;

use serde::Serialize;

pub use page::{Page, ReviewLine};
pub use template::{TemplateError, Templates};

#[derive(Serialize)]
struct HighlightItem<'a> {
    #[serde(flatten)]
    highlight: page::HighlightContext<'a>,
    /// The highlight as its template wrote it.
    markdown: String,
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
    highlights: Vec<HighlightItem<'a>>,
    insight_notes: Vec<page::InsightContext<'a>>,
    starred: Vec<page::InsightContext<'a>>,
}

/// The whole file; `exported` (RFC 3339, or empty) goes in the front matter.
pub fn render(page: &Page, templates: &Templates, exported: &str) -> Result<String, TemplateError> {
    let episode = page.episode();
    let front_matter = templates.render(template::FRONT_MATTER, FrontMatterContext { episode: &episode, exported })?;
    let mut highlights = Vec::new();
    for highlight in page.highlights() {
        let markdown = templates.render(template::HIGHLIGHT, HighlightContext { highlight: &highlight })?;
        let markdown = markdown.trim_end_matches('\n').to_owned();
        highlights.push(HighlightItem { highlight, markdown });
    }
    templates.render(
        template::FILE,
        FileContext {
            episode: &episode,
            exported,
            front_matter: front_matter.trim_end_matches('\n'),
            highlights,
            insight_notes: page.insight_notes(),
            starred: page.starred(),
        },
    )
}
