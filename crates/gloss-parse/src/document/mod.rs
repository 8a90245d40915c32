//! The fallback for text that is not a summary: any notes file stays
//! readable and highlightable as a title and blocks that keep the shape
//! the file gave them (docs/format.md, "Plain documents"):
//! - prose, whose lines flow again where an editor wrapped them ([`wrap`])
//!   and keep their breaks elsewhere (verse, addresses);
//! - list items, bulleted or numbered ([`marker`]), nested by indentation
//!   ([`lists`]);
//! - indented blocks, kept as they are laid out ([`indent`]).

mod indent;
mod lists;
pub(crate) mod marker;
mod wrap;

use crate::lines::{normalise_line, raw_lines};
use crate::model::{DocKind, Episode, ItemMark, Paragraph, Shape};
use indent::BLOCK_INDENT;
use lists::Lists;
use std::borrow::Cow;

/// Builds a plain document from the file's text: the first non-empty line
/// is the title (without Markdown heading hashes); blank lines and changes
/// of shape divide the rest into blocks.
pub fn build(text: &str) -> Episode {
    let mut episode = Episode::empty(DocKind::Document);
    let mut lines = raw_lines(text).map(Line::new).skip_while(|l| l.text.is_empty());
    if let Some(first) = lines.next() {
        let title = first.text.trim_start_matches('#').trim();
        episode.title = Some(if title.is_empty() { &first.text } else { title }.to_owned());
    }
    let mut reader = Reader::default();
    for line in lines {
        reader.read(line);
    }
    reader.end_block();
    episode.paragraphs = reader.blocks;
    episode
}

/// One line of the file: as written, how far it is indented, and normalised.
struct Line<'a> {
    raw: &'a str,
    indent: usize,
    text: Cow<'a, str>,
}

impl<'a> Line<'a> {
    fn new(raw: &'a str) -> Self {
        Line { raw, indent: indent::columns(raw), text: normalise_line(raw) }
    }
}

/// The block being read, until a line ends it.
enum Open<'a> {
    Prose(Vec<Cow<'a, str>>),
    /// `indent` is the marker's: a line indented further continues the item.
    Item {
        list: usize,
        mark: ItemMark,
        indent: usize,
        lines: Vec<Cow<'a, str>>,
    },
    Preformatted(Vec<Line<'a>>),
}

#[derive(Default)]
struct Reader<'a> {
    open: Option<Open<'a>>,
    lists: Lists,
    blocks: Vec<Paragraph>,
}

impl<'a> Reader<'a> {
    fn read(&mut self, line: Line<'a>) {
        if line.text.is_empty() {
            // A blank line ends the block; a list goes on if an item follows.
            return self.end_block();
        }
        let indented = line.indent >= BLOCK_INDENT;
        match (&mut self.open, marker::split(&line.text)) {
            // Inside an indented block, what looks like an item is its text.
            (Some(Open::Preformatted(block)), _) if indented => block.push(line),
            (_, Some((marker, text))) => {
                let (marker, text) = (marker.to_owned(), owned_tail(&line.text, text));
                self.end_block();
                let (list, depth) = self.lists.place(line.indent, &marker);
                let mark = ItemMark { depth, marker };
                self.open = Some(Open::Item { list, mark, indent: line.indent, lines: vec![text] });
            }
            (Some(Open::Item { indent, lines, .. }), None) if line.indent > *indent || runs_on(lines, &line.text) => {
                lines.push(line.text);
            }
            (Some(Open::Prose(lines)), None) if !indented || runs_on(lines, &line.text) => lines.push(line.text),
            // One indented line that runs on into the lines below it is an
            // indented first line of a paragraph, not a block.
            (Some(Open::Preformatted(block)), None)
                if block.len() == 1 && wrap::runs_on(&block[0].text, &line.text) =>
            {
                let first = block.pop().map(|l| l.text).unwrap_or_default();
                self.open = Some(Open::Prose(vec![first, line.text]));
            }
            _ => {
                self.end_block();
                self.lists.close();
                self.open = Some(if indented { Open::Preformatted(vec![line]) } else { Open::Prose(vec![line.text]) });
            }
        }
    }

    /// Ends the block being read, if any, and keeps it.
    fn end_block(&mut self) {
        let block = match self.open.take() {
            None => return,
            Some(Open::Prose(lines)) => Paragraph { text: wrap::join(&lines), shape: Shape::Prose },
            Some(Open::Item { list, mark, lines, .. }) => {
                Paragraph { text: wrap::join(&lines), shape: Shape::Item { list, mark } }
            }
            Some(Open::Preformatted(block)) => {
                let raw: Vec<&str> = block.iter().map(|l| l.raw).collect();
                Paragraph { text: indent::preformatted(&raw), shape: Shape::Preformatted }
            }
        };
        self.blocks.push(block);
    }
}

/// Whether `next` continues the last of `lines`, which an editor wrapped.
fn runs_on(lines: &[Cow<'_, str>], next: &str) -> bool {
    lines.last().is_some_and(|last| wrap::runs_on(last, next))
}

/// `tail`, a suffix of `text`, borrowed as long as `text` is.
fn owned_tail<'a>(text: &Cow<'a, str>, tail: &str) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(&text[text.len() - tail.len()..]),
        Cow::Owned(_) => Cow::Owned(tail.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(episode: &Episode) -> Vec<(&str, &Shape)> {
        episode.paragraphs.iter().map(|p| (p.text.as_str(), &p.shape)).collect()
    }

    fn item(list: usize, depth: usize, marker: &str) -> Shape {
        Shape::Item { list, mark: ItemMark { depth, marker: marker.into() } }
    }

    #[test]
    fn first_line_is_the_title_and_blank_lines_split_paragraphs() {
        let episode = build("\n# Shopping\n\neggs\nmilk\n\n\nCall Sam.\n");
        assert_eq!(episode.kind, DocKind::Document);
        assert_eq!(episode.title.as_deref(), Some("Shopping"));
        assert_eq!(shapes(&episode), [("eggs\nmilk", &Shape::Prose), ("Call Sam.", &Shape::Prose)]);
    }

    #[test]
    fn a_single_line_is_a_title_only() {
        let episode = build("Just this");
        assert_eq!(episode.title.as_deref(), Some("Just this"));
        assert!(episode.paragraphs.is_empty());
    }

    #[test]
    fn a_list_right_under_a_line_is_a_list_and_ends_at_a_line_that_is_not_an_item() {
        let episode = build("Notes\nQuestions:\n- how long?\n-   who insures?\nThanks.\n");
        assert_eq!(
            shapes(&episode),
            [
                ("Questions:", &Shape::Prose),
                ("how long?", &item(1, 0, "-")),
                ("who insures?", &item(1, 0, "-")),
                ("Thanks.", &Shape::Prose),
            ]
        );
    }

    #[test]
    fn indented_lines_continue_an_item_or_nest_a_list() {
        let text = "Plan\n1. Soil: dig in compost,\n   two barrows a bed\n   - rake it\n2) Sow\n";
        assert_eq!(
            shapes(&build(text)),
            [
                ("Soil: dig in compost,\ntwo barrows a bed", &item(1, 0, "1.")),
                ("rake it", &item(2, 1, "-")),
                ("Sow", &item(1, 0, "2)")),
            ]
        );
    }

    #[test]
    fn an_indented_block_after_text_is_preformatted_until_a_line_comes_back_out() {
        let text = "Setup\nRun this:\n    cargo build\n      --release\n    - not an item\nThen wait.\n";
        assert_eq!(
            shapes(&build(text)),
            [
                ("Run this:", &Shape::Prose),
                ("cargo build\n  --release\n- not an item", &Shape::Preformatted),
                ("Then wait.", &Shape::Prose),
            ]
        );
    }

    #[test]
    fn an_indented_first_line_that_runs_on_starts_a_paragraph() {
        let text = "Story\n    It was a dark and stormy night, and the rain fell in torrents\nexcept at occasional intervals.\n";
        assert_eq!(
            shapes(&build(text)),
            [(
                "It was a dark and stormy night, and the rain fell in torrents except at occasional intervals.",
                &Shape::Prose
            )]
        );
    }
}
