//! The Markdown rendering of a summary, read back into plain lines.
//!
//! `# Title | Show`, `## 🇺🇸 Title (2 insights)`, `- **Insight title**`
//! followed by an indented body: stripping the markup turns each of these
//! into the line the plain format has, so one grammar serves both. The
//! plain format never starts a line with this markup, so stripping is
//! safe on every file.

use crate::document::marker;

/// A line with its Markdown markup removed. A bold lead-in followed by
/// more text (`- **Title**: body`) is split into two lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stripped<'a> {
    /// Nothing left: a horizontal rule.
    Nothing,
    One(&'a str),
    Two(&'a str, &'a str),
}

/// Strips one normalised (trimmed) line's block and whole-line inline markup.
pub fn strip(line: &str) -> Stripped<'_> {
    if is_rule(line) {
        return Stripped::Nothing;
    }
    let line = strip_block_marker(line);
    let line = strip_link(line);
    if let Some((bold, rest)) = bold_lead(line) {
        let rest = rest.trim_start_matches([':', '—', '–', '-', ' ']).trim();
        return if rest.is_empty() { Stripped::One(bold) } else { Stripped::Two(bold, rest) };
    }
    Stripped::One(line)
}

/// `---`, `***`, `___` (three or more, spaces allowed).
fn is_rule(line: &str) -> bool {
    let mut marks = line.chars().filter(|c| *c != ' ');
    match marks.next() {
        Some(mark @ ('-' | '*' | '_')) => line.chars().filter(|&c| c == mark).count() >= 3 && marks.all(|c| c == mark),
        _ => false,
    }
}

/// Heading hashes, list bullets, ordered-list numbers, blockquote marks.
fn strip_block_marker(line: &str) -> &str {
    let mut line = line;
    if let Some(rest) = line.strip_prefix('>') {
        line = rest.trim_start();
    }
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        let heading = line[hashes..].trim();
        // Closing hashes: `## Title ##`.
        let closed = heading.trim_end_matches('#');
        return if closed.ends_with(' ') { closed.trim_end() } else { heading };
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest.trim_start();
        }
    }
    if let Some(rest) = marker::number_len(line).and_then(|len| line[len..].strip_prefix(' ')) {
        return rest.trim_start();
    }
    line
}

/// `[text](url)` standing alone becomes `text`.
fn strip_link(line: &str) -> &str {
    if let (Some(inner), true) = (line.strip_prefix('['), line.ends_with(')')) {
        if let Some((text, _url)) = inner.split_once("](") {
            return text.trim();
        }
    }
    line
}

/// `**bold**` or `__bold__` at the start of the line: the bold text and
/// whatever follows it.
fn bold_lead(line: &str) -> Option<(&str, &str)> {
    for mark in ["**", "__"] {
        if let Some(inner) = line.strip_prefix(mark) {
            let end = inner.find(mark)?;
            let bold = inner[..end].trim();
            if bold.is_empty() {
                return None;
            }
            return Some((bold, &inner[end + mark.len()..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_headings_bullets_and_bold() {
        assert_eq!(strip("# Title | Show"), Stripped::One("Title | Show"));
        assert_eq!(strip("## 🇺🇸 Title (2 insights) ##"), Stripped::One("🇺🇸 Title (2 insights)"));
        assert_eq!(strip("- **Insight title**"), Stripped::One("Insight title"));
        assert_eq!(strip("* __Insight__"), Stripped::One("Insight"));
        assert_eq!(strip("1. Step one"), Stripped::One("Step one"));
        assert_eq!(strip("> quoted"), Stripped::One("quoted"));
    }

    #[test]
    fn splits_a_bold_lead_in_from_its_text() {
        assert_eq!(strip("- **Title**: the body."), Stripped::Two("Title", "the body."));
        assert_eq!(strip("**TL;DR:** China leads."), Stripped::Two("TL;DR:", "China leads."));
        assert_eq!(strip("**Title** — body"), Stripped::Two("Title", "body"));
    }

    #[test]
    fn links_and_rules() {
        assert_eq!(strip("[View all](https://example.com/all)"), Stripped::One("View all"));
        assert_eq!(strip("---"), Stripped::Nothing);
        assert_eq!(strip("* * *"), Stripped::Nothing);
    }

    #[test]
    fn leaves_plain_lines_alone() {
        for line in ["#1 priority", "Plain body text.", "-5 degrees", "2024 was big", "**unclosed"] {
            assert_eq!(strip(line), Stripped::One(line));
        }
    }
}
