//! What a card is: its id (what it is made from, stable across devices and
//! edits, so an export to Anki updates a card instead of adding one), and
//! how a prompt and its answer are made from the user's text.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a card is made from. Episodes are named by fingerprint and
/// highlights by their uuid, as in sync, so a card means the same on every
/// device.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum CardId {
    /// A highlight as a cloze: its sentence with the highlighted words blanked.
    Highlight(String),
    /// An insight: its title asks, its body answers.
    Insight { episode: String, block: String },
    /// A note written as `Q: ... A: ...`, on a highlight, an insight or an episode.
    Question(NoteOf),
}

/// What a question note is on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteOf {
    Highlight(String),
    Insight { episode: String, block: String },
    Episode(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a card id (expected highlight/ID, insight/EPISODE/BLOCK or question/...)")]
pub struct InvalidCardId(String);

/// A part of an id: no separator, no control characters, not empty.
fn part(text: &str) -> Option<&str> {
    (!text.is_empty() && text.len() <= 200 && !text.chars().any(|c| c == '/' || c.is_control())).then_some(text)
}

fn note_of(parts: &[&str]) -> Option<NoteOf> {
    match parts {
        ["highlight", id] => Some(NoteOf::Highlight(part(id)?.to_owned())),
        ["insight", episode, block] => {
            Some(NoteOf::Insight { episode: part(episode)?.to_owned(), block: part(block)?.to_owned() })
        }
        ["episode", episode] => Some(NoteOf::Episode(part(episode)?.to_owned())),
        _ => None,
    }
}

impl TryFrom<String> for CardId {
    type Error = InvalidCardId;

    fn try_from(text: String) -> Result<CardId, InvalidCardId> {
        let parts: Vec<&str> = text.split('/').collect();
        let card = match parts.as_slice() {
            ["question", rest @ ..] => note_of(rest).map(CardId::Question),
            rest => note_of(rest).and_then(|note| match note {
                NoteOf::Highlight(id) => Some(CardId::Highlight(id)),
                NoteOf::Insight { episode, block } => Some(CardId::Insight { episode, block }),
                NoteOf::Episode(_) => None,
            }),
        };
        card.ok_or(InvalidCardId(text))
    }
}

impl std::str::FromStr for CardId {
    type Err = InvalidCardId;

    fn from_str(text: &str) -> Result<CardId, InvalidCardId> {
        CardId::try_from(text.to_owned())
    }
}

impl fmt::Display for NoteOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteOf::Highlight(id) => write!(f, "highlight/{id}"),
            NoteOf::Insight { episode, block } => write!(f, "insight/{episode}/{block}"),
            NoteOf::Episode(episode) => write!(f, "episode/{episode}"),
        }
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardId::Highlight(id) => write!(f, "highlight/{id}"),
            CardId::Insight { episode, block } => write!(f, "insight/{episode}/{block}"),
            CardId::Question(note) => write!(f, "question/{note}"),
        }
    }
}

impl From<CardId> for String {
    fn from(card: CardId) -> String {
        card.to_string()
    }
}

/// What a card asks and what answers it. The answer is sent only when the
/// user reveals it, never with the prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardPrompt {
    pub prompt: String,
    pub answer: String,
}

/// Where the blank of a cloze goes.
pub const BLANK: &str = "[…]";

/// A highlight as a cloze: the sentence(s) of `text` around the code points
/// `start..end` with those blanked; the answer is the highlighted words.
/// `None` when the range is not inside the text or holds only spaces.
pub fn cloze(text: &str, start: usize, end: usize) -> Option<CardPrompt> {
    let chars: Vec<char> = text.chars().collect();
    if start >= end || end > chars.len() {
        return None;
    }
    let answer: String = chars[start..end].iter().collect::<String>().trim().to_owned();
    if answer.is_empty() {
        return None;
    }
    let ends_sentence = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let from = chars[..start].iter().rposition(|&c| ends_sentence(c)).map_or(0, |at| at + 1);
    let to = chars[end..].iter().position(|&c| ends_sentence(c)).map_or(chars.len(), |at| end + at + 1);
    let before: String = chars[from..start].iter().collect();
    let after: String = chars[end..to].iter().collect();
    let prompt = format!("{}{BLANK}{}", before.trim_start(), after.trim_end());
    Some(CardPrompt { prompt, answer })
}

/// A note written as `Q: question A: answer` (on one line or several; the
/// markers in any case), as a card.
pub fn question(note: &str) -> Option<CardPrompt> {
    let body = note.trim_start();
    let rest = body.strip_prefix("Q:").or_else(|| body.strip_prefix("q:"))?;
    let marker = rest
        .char_indices()
        .find(|&(at, _)| {
            let tail = &rest[at..];
            (tail.starts_with("A:") || tail.starts_with("a:"))
                && rest[..at].chars().next_back().is_some_and(char::is_whitespace)
        })
        .map(|(at, _)| at)?;
    let prompt = rest[..marker].trim().to_owned();
    let answer = rest[marker + 2..].trim().to_owned();
    (!prompt.is_empty() && !answer.is_empty()).then_some(CardPrompt { prompt, answer })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_as_written_and_bad_ones_are_refused() {
        let cards = [
            CardId::Highlight("5b0c2e5e-0000-4000-8000-000000000001".into()),
            CardId::Insight { episode: "fp01".into(), block: "s2.i1".into() },
            CardId::Question(NoteOf::Episode("fp01".into())),
            CardId::Question(NoteOf::Insight { episode: "fp01".into(), block: "s1.i3".into() }),
            CardId::Question(NoteOf::Highlight("h1".into())),
        ];
        for card in cards {
            assert_eq!(card.to_string().parse::<CardId>(), Ok(card.clone()));
        }
        for bad in
            ["", "highlight", "highlight/", "episode/fp", "insight/fp", "question/x/y", "highlight/a/b", "a\u{0}b"]
        {
            assert!(bad.parse::<CardId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_cloze_blanks_the_highlight_inside_its_sentence() {
        let text = "Sleep comes first. Alcohol knocks out REM sleep for hours! Then what?";
        let start = text.find("REM sleep").unwrap();
        let card = cloze(text, start, start + "REM sleep".len()).unwrap();
        assert_eq!(card.prompt, "Alcohol knocks out […] for hours!");
        assert_eq!(card.answer, "REM sleep");
        assert!(cloze(text, 5, 5).is_none() && cloze(text, 0, 1000).is_none());
    }

    #[test]
    fn a_question_note_is_a_card_and_other_notes_are_not() {
        let card = question("Q: Why does alcohol hurt sleep?\nA: It suppresses REM.").unwrap();
        assert_eq!(
            (card.prompt.as_str(), card.answer.as_str()),
            ("Why does alcohol hurt sleep?", "It suppresses REM.")
        );
        assert_eq!(question("q: one line? a: yes").unwrap().answer, "yes");
        for not in ["Just a thought", "Q: no answer", "Q: A: empty question", "Quick: A: x"] {
            assert!(question(not).is_none(), "{not:?}");
        }
    }
}
