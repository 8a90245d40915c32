//! Telling the line breaks a writer meant from those an editor made.
//!
//! Text editors and mail programs break long paragraphs at a fixed width;
//! such a paragraph reads best flowing in the reader's own column. The
//! breaks a writer means (verse, an address, one note per line) are kept.
//! When in doubt a break is kept: a line too many is a small blemish, two
//! notes run together into one sentence misread.

/// A line at least this long may have been broken by an editor: widths of
/// 60 to 80 columns leave lines of 50 characters or more.
const WRAPPED_MIN_CHARS: usize = 50;

fn is_long(line: &str) -> bool {
    line.chars().nth(WRAPPED_MIN_CHARS - 1).is_some()
}

/// Whether `line` stops inside a sentence: its last character, past closing
/// quotes and brackets, is not `.`, `!`, `?`, `:` or `…`.
fn ends_inside_sentence(line: &str) -> bool {
    let end = line.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']']);
    !matches!(end.chars().last(), Some('.' | '!' | '?' | ':' | '…') | None)
}

/// Whether an editor broke the text between `line` and `next`: `line` is
/// long and stops inside a sentence, and `next` does not start with a
/// capital, as a new note or a new line of verse would.
pub fn runs_on(line: &str, next: &str) -> bool {
    is_long(line) && ends_inside_sentence(line) && !next.chars().next().is_some_and(char::is_uppercase)
}

/// The text of one block from its lines. When an editor wrapped the block
/// (one of its breaks [`runs_on`]), every long line runs on into the next
/// with a space, sentence ends included; every other break stays a `\n`.
pub fn join<S: AsRef<str>>(lines: &[S]) -> String {
    let wrapped = lines.windows(2).any(|pair| runs_on(pair[0].as_ref(), pair[1].as_ref()));
    let mut text = String::with_capacity(lines.iter().map(|l| l.as_ref().len() + 1).sum());
    let mut previous: Option<&str> = None;
    for line in lines.iter().map(AsRef::as_ref) {
        if let Some(previous) = previous {
            text.push(if wrapped && is_long(previous) { ' ' } else { '\n' });
        }
        text.push_str(line);
        previous = Some(line);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAPPED: [&str; 3] = [
        "Meeting with the grid operator went well. They said the queue is",
        "about four years long. Most projects drop out before the study",
        "ends.",
    ];

    #[test]
    fn a_paragraph_an_editor_wrapped_flows_again() {
        assert_eq!(
            join(&WRAPPED),
            "Meeting with the grid operator went well. They said the queue is about four years long. \
             Most projects drop out before the study ends."
        );
    }

    #[test]
    fn short_lines_keep_their_breaks() {
        let verse = ["Whose woods these are I think I know.", "His house is in the village though;"];
        assert_eq!(join(&verse), verse.join("\n"));
        let address = ["Ana Ribeiro", "Rua das Flores 12", "1200-195 Lisboa"];
        assert_eq!(join(&address), address.join("\n"));
    }

    #[test]
    fn long_lines_that_each_start_a_note_keep_their_breaks() {
        let notes = [
            "Energy and Civilization: long, but the chapter on farming is worth it",
            "The Power Broker: reread the chapters on bridges before the episode",
        ];
        assert_eq!(join(&notes), notes.join("\n"));
        assert!(!runs_on(notes[0], notes[1]));
        assert!(runs_on(WRAPPED[0], WRAPPED[1]));
    }
}
