//! The fallback for text that is not a summary: any notes file stays
//! readable and highlightable as a title and paragraphs.

use crate::model::{DocKind, Episode};

/// Builds a plain document from normalised lines: the first non-empty line
/// is the title (without Markdown heading hashes); each run of non-empty
/// lines after it is one paragraph, its lines kept apart by `\n` so lists
/// and addresses keep their shape.
pub fn build<S: AsRef<str>>(lines: &[S]) -> Episode {
    let mut episode = Episode::empty(DocKind::Document);
    let mut lines = lines.iter().map(AsRef::as_ref).skip_while(|l| l.is_empty());
    if let Some(first) = lines.next() {
        let title = first.trim_start_matches('#').trim();
        episode.title = Some(if title.is_empty() { first } else { title }.to_owned());
    }
    let mut paragraph = String::new();
    for line in lines {
        if line.is_empty() {
            if !paragraph.is_empty() {
                episode.paragraphs.push(std::mem::take(&mut paragraph));
            }
            continue;
        }
        if !paragraph.is_empty() {
            paragraph.push('\n');
        }
        paragraph.push_str(line);
    }
    if !paragraph.is_empty() {
        episode.paragraphs.push(paragraph);
    }
    episode
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_the_title_and_blank_lines_split_paragraphs() {
        let episode = build(&["", "# Shopping", "", "eggs", "milk", "", "", "Call Sam."]);
        assert_eq!(episode.kind, DocKind::Document);
        assert_eq!(episode.title.as_deref(), Some("Shopping"));
        assert_eq!(episode.paragraphs, ["eggs\nmilk", "Call Sam."]);
    }

    #[test]
    fn a_single_line_is_a_title_only() {
        let episode = build(&["Just this"]);
        assert_eq!(episode.title.as_deref(), Some("Just this"));
        assert!(episode.paragraphs.is_empty());
    }
}
