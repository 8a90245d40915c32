//! Re-exporting into a file the user may have written in: Gloss's items
//! are replaced in place, new ones go where the template puts them
//! relative to the items already there, and items Gloss no longer has are
//! taken out. The user's text between items is never touched.
//!
//! Text the template writes between items (a `## Highlights` heading) is
//! written with the first item after it; from then on it is the user's to
//! keep, move or delete, and Gloss does not write it twice.

use std::collections::{HashMap, HashSet};

use super::regions::{Body, Item, Segment};

/// `existing` brought up to `rendered`. An item that goes away but whose
/// note the user wrote in the file (its key in `keep_notes_of`) leaves that
/// note behind as the user's text.
pub fn merge(existing: Body, rendered: &Body, keep_notes_of: &HashSet<String>) -> Body {
    let wanted: HashMap<&str, &Item> = rendered.items().map(|item| (item.key.as_str(), item)).collect();
    let user_lines: HashSet<String> = existing
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Text(text) => Some(text.lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty())),
            Segment::Item(_) => None,
        })
        .flatten()
        .collect();
    let mut segments = Vec::with_capacity(existing.segments.len());
    let mut drop_blank = false;
    for segment in existing.segments {
        match segment {
            Segment::Item(old) => match wanted.get(old.key.as_str()) {
                Some(new) => segments.push(Segment::Item((*new).clone())),
                None if keep_notes_of.contains(&old.key) => {
                    segments.push(Segment::Text(format!("{}\n", old.note_text().unwrap_or_default())))
                }
                // The blank line that parted it from what follows goes too.
                None => drop_blank = true,
            },
            Segment::Text(text) => {
                let text = match drop_blank {
                    true => text.strip_prefix('\n').map(str::to_owned).unwrap_or(text),
                    false => text,
                };
                drop_blank = false;
                if !text.is_empty() {
                    segments.push(Segment::Text(text));
                }
            }
        }
    }
    let order = leads(rendered);
    for (index, (lead, item)) in order.iter().enumerate() {
        if position(&segments, &item.key).is_some() {
            continue;
        }
        let next = order[index + 1..].iter().find_map(|(lead, next)| Some((lead, position(&segments, &next.key)?)));
        let at = match next {
            Some((next_lead, at)) => before_lead(&mut segments, at, next_lead),
            None => match order[..index].iter().rev().find_map(|(_, prev)| position(&segments, &prev.key)) {
                Some(at) => after_heading(&mut segments, at + 1, lead),
                None => {
                    end_with_newline(&mut segments);
                    segments.len()
                }
            },
        };
        let lead = new_lines(lead, &user_lines);
        let mut inserted = vec![Segment::Item((*item).clone())];
        if !lead.is_empty() {
            inserted.insert(0, Segment::Text(lead));
        }
        segments.splice(at..at, inserted);
    }
    Body { segments }
}

/// Each item of `rendered` with the template's text before it.
fn leads(rendered: &Body) -> Vec<(String, &Item)> {
    let mut out = Vec::new();
    let mut lead = String::new();
    for segment in &rendered.segments {
        match segment {
            Segment::Text(text) => lead.push_str(text),
            Segment::Item(item) => out.push((std::mem::take(&mut lead), item)),
        }
    }
    out
}

fn position(segments: &[Segment], key: &str) -> Option<usize> {
    segments.iter().position(|s| matches!(s, Segment::Item(item) if item.key == key))
}

/// Where to insert before the item at `at`: before its lead (its section's
/// heading) when the text just before it holds that lead.
fn before_lead(segments: &mut Vec<Segment>, at: usize, lead: &str) -> usize {
    let Some(first) = lead.lines().map(str::trim).find(|l| !l.is_empty()) else { return at };
    let Some(Segment::Text(text)) = at.checked_sub(1).and_then(|i| segments.get(i)) else { return at };
    let Some(start) = line_start(text, first, true) else { return at };
    // The blank lines the lead begins with are its, too.
    let blanks = lead.len() - lead.trim_start_matches('\n').len();
    let mut split = start;
    for _ in 0..blanks {
        if split > 0 && text[..split].ends_with("\n\n") {
            split -= 1;
        }
    }
    split_text(segments, at - 1, split)
}

/// Where to insert after the item before `at`: past the section's heading
/// when it is already there, left by an earlier export.
fn after_heading(segments: &mut Vec<Segment>, at: usize, lead: &str) -> usize {
    let Some(last) = lead.lines().map(str::trim).rfind(|l| !l.is_empty()) else { return at };
    let Some(Segment::Text(text)) = segments.get(at) else { return at };
    let Some(start) = line_start(text, last, false) else { return at };
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
    let end = end + usize::from(text[end..].starts_with('\n'));
    split_text(segments, at, end)
}

/// The byte offset where a line reading `line` starts in `text`.
fn line_start(text: &str, line: &str, last: bool) -> Option<usize> {
    let mut starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
    let matches = |&start: &usize| text[start..].lines().next().is_some_and(|l| l.trim() == line);
    match last {
        true => starts.rfind(matches),
        false => starts.find(matches),
    }
}

/// Splits the text at `index` at byte `at`; answers the index between the halves.
fn split_text(segments: &mut Vec<Segment>, index: usize, at: usize) -> usize {
    let Segment::Text(text) = &mut segments[index] else { return index };
    if at == 0 {
        return index;
    }
    if at >= text.len() {
        return index + 1;
    }
    let tail = text.split_off(at);
    segments.insert(index + 1, Segment::Text(tail));
    index + 1
}

/// The file's last line gets its newline before an item follows it.
fn end_with_newline(segments: &mut [Segment]) {
    if let Some(Segment::Text(text)) = segments.last_mut() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
}

/// The template's text, without the lines the file already has.
fn new_lines(lead: &str, user_lines: &HashSet<String>) -> String {
    let mut out = String::new();
    for line in lead.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && user_lines.contains(trimmed) {
            continue;
        }
        if trimmed.is_empty() && out.ends_with("\n\n") {
            continue;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, owned: &str) -> String {
        format!("<!-- gloss:{key} -->\n{owned}\n<!-- gloss:note -->\n<!-- /gloss -->\n")
    }

    fn run(existing: &str, rendered: &str) -> String {
        let existing = Body::parse(existing).unwrap();
        merge(existing, &Body::parse(rendered).unwrap(), &HashSet::new()).write()
    }

    #[test]
    fn items_are_replaced_in_place_around_the_users_text() {
        let existing = format!("# T\n\nmine\n\n{}\nmine too\n", item("highlight a", "old"));
        let rendered = format!("# T\n\n## Highlights\n\n{}", item("highlight a", "new"));
        assert_eq!(run(&existing, &rendered), format!("# T\n\nmine\n\n{}\nmine too\n", item("highlight a", "new")));
    }

    #[test]
    fn a_new_item_goes_before_the_next_one_and_its_heading() {
        let existing = format!("{}\nmy comment\n\n## Starred\n\n{}", item("highlight a", "a"), item("starred", "s"));
        let rendered = format!(
            "## Highlights\n\n{}\n{}\n## Starred\n\n{}",
            item("highlight a", "a"),
            item("highlight b", "b"),
            item("starred", "s")
        );
        let expected = format!(
            "{}\nmy comment\n\n{}\n## Starred\n\n{}",
            item("highlight a", "a"),
            item("highlight b", "b"),
            item("starred", "s")
        );
        assert_eq!(run(&existing, &rendered), expected);
    }

    #[test]
    fn a_first_item_brings_its_heading_once() {
        let existing = format!("# T\n\n## Note\n\n{}", item("episode-note", ""));
        let rendered =
            format!("# T\n\n## Note\n\n{}\n## Highlights\n\n{}", item("episode-note", ""), item("highlight a", "a"));
        assert_eq!(run(&existing, &rendered), rendered);
        // The heading left from an earlier export is not written again.
        let left = format!("# T\n\n## Note\n\n{}\n## Highlights\n\nmine\n", item("episode-note", ""));
        let merged = run(&left, &rendered);
        assert_eq!(merged.matches("## Highlights").count(), 1, "{merged}");
        assert!(merged.find("## Highlights").unwrap() < merged.find("gloss:highlight a").unwrap(), "{merged}");
        assert!(merged.contains("mine\n"));
    }

    #[test]
    fn items_gone_are_taken_out_but_a_note_written_here_stays() {
        let existing = format!("{}\n{}", item("highlight a", "a"), item("highlight b", "b"));
        let rendered = item("highlight b", "b");
        assert_eq!(run(&existing, &rendered), item("highlight b", "b"));
        let written = existing.replacen("<!-- gloss:note -->\n", "<!-- gloss:note -->\nmy words\n", 1);
        let keep = HashSet::from(["highlight a".to_owned()]);
        let merged = merge(Body::parse(&written).unwrap(), &Body::parse(&rendered).unwrap(), &keep).write();
        assert_eq!(merged, format!("my words\n\n{}", item("highlight b", "b")));
    }
}
