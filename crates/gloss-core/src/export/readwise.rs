//! Readwise's CSV import format: columns `Highlight, Title, Author, URL,
//! Note, Location, Date`, one live highlight per row. Tags travel as
//! Readwise inline tags: a note that starts with `.tag` words (`.ai
//! .open-source Why this matters`) tags the highlight on import.
//!
//! Every cell's text comes from summary files and other devices, so a cell
//! a spreadsheet would run as a formula (one starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is written with a leading `'`, as
//! OWASP's CSV injection guidance asks; import takes it off again
//! ([`unescape_cell`]), so an export reads back as it was.

use std::collections::HashMap;

use super::backup::Backup;
use super::time;

/// The header, exactly as Readwise's template has it.
pub const COLUMNS: [&str; 7] = ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"];

/// The CSV of `backup`'s live highlights. `hosts` gives each episode's
/// hosts by id, for the Author column (`Show w/ Host, Host`).
pub fn csv(backup: &Backup, hosts: &HashMap<i64, Vec<String>>) -> csv::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for h in backup.highlights.iter().filter(|h| h.deleted_at.is_none()) {
        let episode = &h.episode;
        let author = author(episode.show.as_deref(), hosts.get(&episode.id).map(Vec::as_slice).unwrap_or_default());
        let location = h.anchor.start.unwrap_or(h.selector.start).to_string();
        writer.write_record(
            [
                h.selector.exact.as_str(),
                episode.title.as_deref().unwrap_or(""),
                &author,
                "",
                &note_with_tags(&h.note, &h.tags),
                &location,
                &time::readwise(h.created_at),
            ]
            .map(|cell| escape_cell(cell).into_owned()),
        )?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// What starts a formula in a spreadsheet.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would run `cell` as a formula once one leading
/// `'` is taken off, or as it is: after any leading quotes, a formula start.
fn needs_quote(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// `cell` as it is written: with a leading `'` when a spreadsheet could
/// read it as a formula (or when it already starts with `'` before one,
/// so that [`unescape_cell`] gives back exactly what was written).
fn escape_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_quote(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell as read: the `'` [`escape_cell`] added taken off.
pub fn unescape_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// `Show w/ Host, Host`, as the summary's own title line names them.
fn author(show: Option<&str>, hosts: &[String]) -> String {
    match (show, hosts) {
        (Some(show), []) => show.to_owned(),
        (Some(show), hosts) => format!("{show} w/ {}", hosts.join(", ")),
        (None, hosts) => hosts.join(", "),
    }
}

/// The show an Author cell names: the part before ` w/ `.
pub fn show_of_author(author: &str) -> &str {
    author.split(" w/ ").next().unwrap_or(author).trim()
}

/// A Readwise inline tag: `.` and the name with spaces as `-`.
fn inline_tag(name: &str) -> String {
    format!(".{}", name.split_whitespace().collect::<Vec<_>>().join("-"))
}

fn note_with_tags(note: &str, tags: &[String]) -> String {
    let mut parts: Vec<String> = tags.iter().map(|t| inline_tag(t)).collect();
    if !note.is_empty() {
        parts.push(note.to_owned());
    }
    parts.join(" ")
}

/// Splits a Readwise note into its leading inline tags and the note.
pub fn split_tags(note: &str) -> (Vec<String>, String) {
    let mut tags = Vec::new();
    let mut rest = note.trim_start();
    while let Some(after) = rest.strip_prefix('.') {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let word = &after[..end];
        if word.is_empty() || word.starts_with('.') {
            break;
        }
        tags.push(word.to_owned());
        rest = after[end..].trim_start();
    }
    (tags, rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_ride_in_the_note_as_inline_tags() {
        let note = note_with_tags("Why it *matters*", &["AI/Open Source".into(), "policy".into()]);
        assert_eq!(note, ".AI/Open-Source .policy Why it *matters*");
        assert_eq!(split_tags(&note), (vec!["AI/Open-Source".into(), "policy".into()], "Why it *matters*".into()));
        assert_eq!(split_tags("... and so on"), (vec![], "... and so on".into()));
        assert_eq!(split_tags(".solo"), (vec!["solo".into()], String::new()));
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_quoted_and_read_back_as_written() {
        for cell in ["=1+2", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "'=x", "''@y"] {
            let written = escape_cell(cell);
            assert!(written.starts_with('\''), "{cell:?} -> {written:?}");
            assert_eq!(unescape_cell(&written), cell);
        }
        for cell in ["plain", "'quoted", "a=b", "", "'"] {
            assert_eq!(escape_cell(cell), cell);
            assert_eq!(unescape_cell(cell), cell);
        }
    }

    #[test]
    fn the_author_names_show_and_hosts() {
        assert_eq!(author(Some("BG2"), &["Bill".into(), "Brad".into()]), "BG2 w/ Bill, Brad");
        assert_eq!(show_of_author("BG2 w/ Bill, Brad"), "BG2");
        assert_eq!(show_of_author("Volts"), "Volts");
    }
}
