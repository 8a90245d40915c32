//! The parts of an exported file that Gloss owns, told apart from the
//! user's by markers, each an HTML comment on its own line (hidden by every
//! Markdown reader):
//!
//! ```text
//! <!-- gloss:highlight 0190a1b2-… -->   an item Gloss owns: rewritten on export
//! > the quote …
//! <!-- gloss:note -->                   the item's note: the user may edit it
//! the note, read back into Gloss when edited here
//! <!-- /gloss -->                       the end of the item
//! ```
//!
//! Everything outside items belongs to the user and is kept byte for byte.
//! A file whose markers do not pair up is [`Damaged`]: Gloss can not tell
//! what is whose, so it writes nothing over it.

use std::collections::HashSet;

const OPEN: &str = "<!-- gloss:";
const CLOSE: &str = "<!-- /gloss -->";
const NOTE: &str = "<!-- gloss:note -->";
const END: &str = " -->";

/// A file's body, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The user's text (and the template's, between items), kept as is.
    Text(String),
    Item(Item),
}

/// One part Gloss owns, and its note when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `highlight <id>`, `insight <block key>`, `episode-note`, `starred`.
    pub key: String,
    /// Lines, each ending in a newline.
    pub owned: String,
    /// The note's lines, each ending in a newline; `None`: no note part.
    pub note: Option<String>,
}

/// Why a file's markers can not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct Damaged {
    pub line: usize,
    pub reason: String,
}

impl Item {
    /// The item as it is written in a file.
    pub fn write(&self, out: &mut String) {
        out.push_str(OPEN);
        out.push_str(&self.key);
        out.push_str(END);
        out.push('\n');
        out.push_str(&self.owned);
        if let Some(note) = &self.note {
            out.push_str(NOTE);
            out.push('\n');
            out.push_str(note);
        }
        out.push_str(CLOSE);
        out.push('\n');
    }

    /// The note as the user wrote it: its lines, without the blank lines at
    /// its ends and the line end of a Windows editor.
    pub fn note_text(&self) -> Option<String> {
        let note = self.note.as_ref()?;
        let lines: Vec<&str> = note.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        Some(lines.join("\n").trim_matches('\n').to_owned())
    }
}

impl Body {
    /// Reads the items of `text`; the rest is the user's.
    pub fn parse(text: &str) -> Result<Body, Damaged> {
        let mut segments = Vec::new();
        let mut user = String::new();
        let mut open: Option<(usize, Item)> = None;
        let mut keys = HashSet::new();
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let number = index + 1;
            let bare = line.trim_end_matches(['\n', '\r']).trim();
            let damaged = |reason: String| Damaged { line: number, reason };
            let marker = bare.starts_with(OPEN) || bare.starts_with("<!-- /gloss");
            match (&mut open, marker) {
                (None, false) => user.push_str(line),
                (Some((_, item)), false) => match &mut item.note {
                    Some(note) => note.push_str(line),
                    None => item.owned.push_str(line),
                },
                (Some((_, item)), true) if bare == NOTE => {
                    if item.note.is_some() {
                        return Err(damaged(format!("a second note marker in `{}`", item.key)));
                    }
                    item.note = Some(String::new());
                }
                (Some(_), true) if bare == CLOSE => {
                    let (_, item) = open.take().expect("matched Some");
                    segments.push(Segment::Item(item));
                }
                (Some((opened, item)), true) => {
                    return Err(damaged(format!(
                        "`{bare}` inside `{}` (opened on line {opened}), which has no end marker before it",
                        item.key
                    )));
                }
                (None, true) => {
                    let key = bare.strip_prefix(OPEN).and_then(|rest| rest.strip_suffix(END)).map(str::trim);
                    let key = match key {
                        Some(key) if bare != NOTE && is_key(key) => key,
                        _ => return Err(damaged(format!("`{bare}` is not where or what a Gloss marker can be"))),
                    };
                    if !keys.insert(key.to_owned()) {
                        return Err(damaged(format!("`{key}` appears twice")));
                    }
                    if !user.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut user)));
                    }
                    open = Some((number, Item { key: key.to_owned(), owned: String::new(), note: None }));
                }
            }
        }
        if let Some((opened, item)) = open {
            return Err(Damaged { line: opened, reason: format!("`{}` has no end marker `{CLOSE}`", item.key) });
        }
        if !user.is_empty() {
            segments.push(Segment::Text(user));
        }
        Ok(Body { segments })
    }

    pub fn write(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Item(item) => item.write(&mut out),
            }
        }
        out
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Item(item) => Some(item),
            Segment::Text(_) => None,
        })
    }
}

/// A key is a kind and an id made of plain characters: nothing that could
/// end the comment or break the line.
fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | ':' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# Title\n\nmine\n<!-- gloss:highlight a1 -->\n> quote\n<!-- gloss:note -->\nmy note\n<!-- /gloss -->\nmore of mine\n";

    #[test]
    fn items_and_the_users_text_round_trip() {
        let body = Body::parse(FILE).unwrap();
        assert_eq!(body.segments.len(), 3);
        let item = body.items().next().unwrap();
        assert_eq!((item.key.as_str(), item.owned.as_str()), ("highlight a1", "> quote\n"));
        assert_eq!(item.note_text().as_deref(), Some("my note"));
        assert_eq!(body.write(), FILE);
    }

    #[test]
    fn markers_that_do_not_pair_up_are_damage_naming_the_line() {
        let unclosed = FILE.replace("<!-- /gloss -->\n", "");
        assert_eq!(Body::parse(&unclosed).unwrap_err().line, 4);
        let nested = FILE.replace("> quote", "<!-- gloss:highlight b2 -->");
        assert_eq!(Body::parse(&nested).unwrap_err().line, 5);
        let twice = format!("{FILE}{}", &FILE["# Title\n\nmine\n".len()..]);
        assert!(Body::parse(&twice).unwrap_err().reason.contains("twice"));
        let stray = format!("{FILE}<!-- /gloss -->\n");
        assert_eq!(Body::parse(&stray).unwrap_err().line, 10);
        let injected = FILE.replace("gloss:highlight a1", "gloss:highlight a1 --><script>");
        assert!(Body::parse(&injected).is_err());
    }

    #[test]
    fn a_file_without_markers_is_all_the_users() {
        let body = Body::parse("just text\n").unwrap();
        assert_eq!(body.segments, vec![Segment::Text("just text\n".into())]);
    }
}
