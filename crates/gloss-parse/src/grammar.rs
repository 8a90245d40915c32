//! What each line of a summary is: the line grammar of `docs/format.md`.
//!
//! Lines arrive normalised and with Markdown markup stripped. Classifying
//! is a few prefix and suffix checks per line, no regular expressions.

use unicode_properties::UnicodeEmoji;

/// One line's role in a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// `TL;DR`, possibly with its text after a colon.
    Tldr(Option<&'a str>),
    /// `<emoji> <title> <N> insights`.
    Header(Header<'a>),
    /// `Bottom Line`, possibly with its text after a colon.
    Bottom(Option<&'a str>),
    /// `More from <source>`.
    MoreFrom(&'a str),
    /// `View all`, the link under `More from`.
    ViewAll,
    Text(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    pub emoji: Option<&'a str>,
    pub title: &'a str,
    pub promised: usize,
}

/// The first line: `Title | Show w/ Host, Host and Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleLine {
    pub title: Option<String>,
    pub show: Option<String>,
    pub hosts: Vec<String>,
}

pub fn classify(line: &str) -> Line<'_> {
    if let Some(rest) = labelled(line, &["tl;dr", "tldr", "tl:dr", "tl,dr"]) {
        return Line::Tldr(rest);
    }
    if let Some(rest) = labelled(line, &["bottom line"]) {
        return Line::Bottom(rest);
    }
    if let Some(header) = header(line) {
        return Line::Header(header);
    }
    if let Some(source) = strip_prefix_ignore_case(line, "more from ") {
        let source = source.trim_end_matches(':').trim();
        if !source.is_empty() && source.len() <= 80 && !source.ends_with('.') {
            return Line::MoreFrom(source);
        }
    }
    let view_all = line.trim_end_matches(['→', '>', '›', '»', ' ', ':']);
    if view_all.eq_ignore_ascii_case("view all") {
        return Line::ViewAll;
    }
    Line::Text(line)
}

fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &line[prefix.len()..])
}

/// A label line (`TL;DR`, `Bottom Line:`) alone, or followed by its text
/// after a colon or dash. `Bottom line is...` is a sentence, not a label.
fn labelled<'a>(line: &'a str, labels: &[&str]) -> Option<Option<&'a str>> {
    labels.iter().find_map(|label| {
        let rest = strip_prefix_ignore_case(line, label)?;
        if rest.is_empty() {
            return Some(None);
        }
        let text = rest.strip_prefix(':').or_else(|| {
            let spaced = rest.strip_prefix(' ')?;
            spaced.strip_prefix(['—', '–', '-', ':'])
        })?;
        let text = text.trim();
        Some((!text.is_empty()).then_some(text))
    })
}

/// `🧠 Reasoning Models 2 insights`, `Policy 1 insight`,
/// `🇺🇸 Title (2 insights)`.
fn header(line: &str) -> Option<Header<'_>> {
    let body = line.strip_suffix([')', ']']).unwrap_or(line);
    let lower_end = body.len().checked_sub("insights".len()).and_then(|n| body.get(n..));
    let body = if lower_end.is_some_and(|end| end.eq_ignore_ascii_case("insights")) {
        &body[..body.len() - "insights".len()]
    } else {
        let end = body.len().checked_sub("insight".len()).and_then(|n| body.get(n..))?;
        if !end.eq_ignore_ascii_case("insight") {
            return None;
        }
        &body[..body.len() - "insight".len()]
    };
    let body = body.strip_suffix(' ')?;
    let digits = body.bytes().rev().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let promised = body[body.len() - digits..].parse().ok()?;
    let rest = &body[..body.len() - digits];
    // The count stands alone: after a space, `(`, `[` or a separator.
    let rest = rest.strip_suffix(['(', '[']).unwrap_or(rest);
    if !(rest.is_empty() || rest.ends_with(' ')) {
        return None;
    }
    let rest = rest.trim_end().trim_end_matches(['—', '–', '-', '·', '|', ':']).trim_end();
    let (emoji, title) = split_emoji(rest);
    Some(Header { emoji, title, promised })
}

/// Splits the leading emoji (flags, ZWJ sequences, keycaps, with or without
/// a space after them) from a header's title.
pub fn split_emoji(text: &str) -> (Option<&str>, &str) {
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let keycap = matches!(c, '0'..='9' | '#' | '*')
            && chars.peek().is_some_and(|&(_, n)| n == '\u{FE0F}' || n == '\u{20E3}');
        let emoji = !c.is_ascii() && c.is_emoji_char_or_emoji_component();
        if !(keycap || emoji) {
            break;
        }
        end = i + c.len_utf8();
    }
    if end == 0 {
        return (None, text);
    }
    (Some(&text[..end]), text[end..].trim_start())
}

/// Splits the title line. The show follows the LAST ` | `, since titles
/// may hold pipes of their own; the hosts follow ` w/ `, separated by
/// commas, `and` or `&`.
pub fn title_line(line: &str) -> TitleLine {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let Some((title, show_part)) = line.rsplit_once(" | ") else {
        return TitleLine { title: non_empty(line), show: None, hosts: Vec::new() };
    };
    let (show, hosts) = match show_part.split_once(" w/ ") {
        Some((show, hosts)) => (show.trim(), split_hosts(hosts)),
        None => (show_part.trim(), Vec::new()),
    };
    TitleLine { title: non_empty(title.trim()), show: non_empty(show), hosts }
}

fn split_hosts(hosts: &str) -> Vec<String> {
    hosts
        .split(", ")
        .flat_map(|part| part.split(" and ").flat_map(|part| part.split(" & ")))
        .map(|host| {
            let host = host.trim();
            let host = host.strip_prefix("and ").or_else(|| host.strip_prefix("& ")).unwrap_or(host);
            host.trim().to_owned()
        })
        .filter(|host| !host.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(line: &str) -> Option<(Option<&str>, &str, usize)> {
        match classify(line) {
            Line::Header(h) => Some((h.emoji, h.title, h.promised)),
            _ => None,
        }
    }

    #[test]
    fn reads_headers_with_and_without_emoji() {
        assert_eq!(header_of("🧠 Reasoning Models 2 insights"), Some((Some("🧠"), "Reasoning Models", 2)));
        assert_eq!(header_of("🇨🇳 China's Lead 3 insights"), Some((Some("🇨🇳"), "China's Lead", 3)));
        assert_eq!(header_of("Policy Shifts 1 insight"), Some((None, "Policy Shifts", 1)));
        assert_eq!(header_of("🇺🇸 Title (2 insights)"), Some((Some("🇺🇸"), "Title", 2)));
        assert_eq!(header_of("🛠️Tools — 4 Insights"), Some((Some("🛠️"), "Tools", 4)));
        assert_eq!(header_of("👩‍💻 Builders 2 insights"), Some((Some("👩‍💻"), "Builders", 2)));
        assert_eq!(header_of("1️⃣ First 2 insights"), Some((Some("1️⃣"), "First", 2)));
        assert_eq!(header_of("2024 Outlook 2 insights"), Some((None, "2024 Outlook", 2)));
    }

    #[test]
    fn sentences_are_not_headers() {
        assert_eq!(header_of("The study found 3 insights."), None);
        assert_eq!(header_of("We have 2insights"), None);
        assert_eq!(header_of("insights"), None);
        assert_eq!(header_of("Version2 insights"), None);
    }

    #[test]
    fn reads_labels() {
        assert_eq!(classify("TL;DR"), Line::Tldr(None));
        assert_eq!(classify("TL;DR: China leads."), Line::Tldr(Some("China leads.")));
        assert_eq!(classify("Bottom Line"), Line::Bottom(None));
        assert_eq!(classify("Bottom line: act now."), Line::Bottom(Some("act now.")));
        assert_eq!(classify("Bottom line is that we wait."), Line::Text("Bottom line is that we wait."));
        assert_eq!(classify("More from BG2Pod"), Line::MoreFrom("BG2Pod"));
        assert_eq!(classify("View all"), Line::ViewAll);
        assert_eq!(classify("View all →"), Line::ViewAll);
    }

    #[test]
    fn splits_title_show_and_hosts() {
        let t = title_line("China Open-Source | BG2 w/ Bill Gurley and Brad Gerstner");
        assert_eq!(t.title.as_deref(), Some("China Open-Source"));
        assert_eq!(t.show.as_deref(), Some("BG2"));
        assert_eq!(t.hosts, ["Bill Gurley", "Brad Gerstner"]);
        assert_eq!(title_line("A | S w/ X, Y and Z").hosts, ["X", "Y", "Z"]);
        assert_eq!(title_line("A | S w/ X, Y, and Z").hosts, ["X", "Y", "Z"]);
        assert_eq!(title_line("A | S w/ X & Y").hosts, ["X", "Y"]);
    }

    #[test]
    fn shows_with_suffixes_and_titles_with_pipes() {
        let t = title_line("ChatGPT — The Era | BG2 Guest Interview");
        assert_eq!((t.show.as_deref(), t.hosts.len()), (Some("BG2 Guest Interview"), 0));
        let t = title_line("Build | Buy: Vendors | Volts Interview");
        assert_eq!(t.title.as_deref(), Some("Build | Buy: Vendors"));
        assert_eq!(t.show.as_deref(), Some("Volts Interview"));
        let t = title_line("Just a title");
        assert_eq!((t.title.as_deref(), t.show), (Some("Just a title"), None));
    }
}
