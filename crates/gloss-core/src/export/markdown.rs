//! One Markdown file per annotated episode, for Obsidian and any other
//! Markdown reader: YAML front matter, the episode note, each highlight as
//! a block quote with a stable block id (`^gloss-1a2b3c4d`, so links to it
//! survive re-exports), then insight notes and starred insights.
//!
//! User text never becomes HTML: quotes are escaped as plain text (they are
//! the episode's words, not Markdown), notes are kept as the Markdown they
//! were written in with `<` escaped.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::backup::{EpisodeEntry, HighlightEntry};
use gloss_anchor::AnchorStatus;
use gloss_parse::model::Episode;

/// Everything one file is made from.
pub struct Page<'a> {
    pub entry: &'a EpisodeEntry,
    pub episode: Option<&'a Episode>,
    /// The episode's live highlights, in reading order.
    pub highlights: Vec<&'a HighlightEntry>,
    /// The user's names for colors (`yellow` → `Key idea`).
    pub color_names: &'a BTreeMap<String, String>,
    /// Review states of rated highlights, by highlight id.
    pub review: &'a HashMap<String, ReviewLine>,
}

/// A highlight's review state, as its file shows it.
pub struct ReviewLine {
    /// When it is next due (a UTC date).
    pub due: String,
    pub reviews: u32,
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    gloss_episode_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    gloss_fingerprint: Option<&'a str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    show: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    hosts: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    /// When the first of the episode's highlights is next due for review.
    #[serde(skip_serializing_if = "Option::is_none")]
    review_due: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    exported: &'a str,
}

impl Page<'_> {
    /// The episode's title, as file names and headings use it.
    pub fn title(&self) -> String {
        let reference = &self.entry.episode;
        reference.title.clone().unwrap_or_else(|| {
            let path = self.entry.source_path.as_deref().unwrap_or("");
            let name = path.rsplit('/').next().unwrap_or(path);
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            if stem.is_empty() {
                format!("Episode {}", reference.id)
            } else {
                stem.to_owned()
            }
        })
    }

    /// The whole file; `exported` (RFC 3339, or empty) goes in the front matter.
    pub fn render(&self, exported: &str) -> String {
        let title = self.title();
        let hosts = self.episode.map(|e| e.hosts.as_slice()).unwrap_or_default();
        let front = FrontMatter {
            gloss_episode_id: self.entry.episode.id,
            gloss_fingerprint: self.entry.episode.fingerprint.as_deref(),
            title: &title,
            show: self.entry.episode.show.as_deref(),
            hosts,
            tags: self.entry.tags.iter().map(|t| obsidian_tag(t)).collect(),
            review_due: self.highlights.iter().filter_map(|h| self.review.get(&h.id)).map(|r| r.due.as_str()).min(),
            exported,
        };
        let yaml = serde_yaml_ng::to_string(&front).unwrap_or_default();
        let mut out = format!("---\n{yaml}---\n\n# {}\n", plain(&title));
        let byline = match (self.entry.episode.show.as_deref(), hosts) {
            (Some(show), []) => Some(show.to_owned()),
            (Some(show), hosts) => Some(format!("{show} w/ {}", hosts.join(", "))),
            (None, []) => None,
            (None, hosts) => Some(hosts.join(", ")),
        };
        if let Some(byline) = byline {
            out.push_str(&format!("\n*{}*\n", plain(&byline)));
        }
        let episode_note = self.entry.notes.iter().find(|n| n.block_key.is_empty() && !n.text.trim().is_empty());
        if let Some(note) = episode_note {
            out.push_str(&format!("\n## Note\n\n{}\n", note_text(&note.text)));
        }
        if !self.highlights.is_empty() {
            out.push_str("\n## Highlights\n");
            for (highlight, block_id) in self.highlights.iter().zip(block_ids(&self.highlights)) {
                out.push('\n');
                out.push_str(&self.highlight(highlight, &block_id));
            }
        }
        let insight_notes: Vec<_> =
            self.entry.notes.iter().filter(|n| !n.block_key.is_empty() && !n.text.trim().is_empty()).collect();
        if !insight_notes.is_empty() {
            out.push_str("\n## Insight notes\n");
            for note in insight_notes {
                out.push_str(&format!(
                    "\n### {}\n\n{}\n",
                    plain(&self.block_label(&note.block_key)),
                    note_text(&note.text)
                ));
            }
        }
        let stars: Vec<_> = self.entry.stars.iter().filter(|s| s.starred).collect();
        if !stars.is_empty() {
            out.push_str("\n## Starred\n\n");
            for star in stars {
                out.push_str(&format!("- ⭐ {}\n", plain(&self.block_label(&star.block_key))));
            }
        }
        out
    }

    fn highlight(&self, highlight: &HighlightEntry, block_id: &str) -> String {
        let mut out = String::new();
        for line in highlight.selector.exact.lines() {
            out.push_str(&format!("> {}\n", plain(line)).replace("> \n", ">\n"));
        }
        out.push_str(&format!("\n^{block_id}\n\n"));
        let color = highlight.color.as_str();
        let mut meta = match self.color_names.get(color).map(|n| n.trim()).filter(|n| !n.is_empty()) {
            Some(name) => format!("Color: {color} ({})", plain(name)),
            None => format!("Color: {color}"),
        };
        if !highlight.tags.is_empty() {
            let tags: Vec<String> = highlight.tags.iter().map(|t| format!("#{}", obsidian_tag(t))).collect();
            meta.push_str(&format!(" · Tags: {}", tags.join(" ")));
        }
        match highlight.anchor.status {
            AnchorStatus::Anchored | AnchorStatus::Moved => {}
            status => {
                let status = serde_json::to_value(status).ok();
                let status = status.as_ref().and_then(|s| s.as_str()).unwrap_or("unplaced");
                let reason = highlight.anchor.reason.as_deref().map(|r| format!(": {}", plain(r))).unwrap_or_default();
                meta.push_str(&format!(" · Place: {status}{reason}"));
            }
        }
        if let Some(review) = self.review.get(&highlight.id) {
            meta.push_str(&format!(" · Review: due {}, {} reviews", review.due, review.reviews));
        }
        out.push_str(&meta);
        out.push('\n');
        if !highlight.note.trim().is_empty() {
            out.push_str(&format!("\n{}\n", note_text(&highlight.note)));
        }
        out
    }

    /// What a block key names, for people: the insight's title for
    /// `s2.i1` or `s2.i1.body`, else the block's own text, shortened.
    fn block_label(&self, key: &str) -> String {
        let blocks = self.episode.map(|e| e.blocks()).unwrap_or_default();
        let mut parts = key.split('.');
        let insight = match (parts.next(), parts.next()) {
            (Some(s), Some(i)) if s.starts_with('s') && i.starts_with('i') => Some(format!("{s}.{i}.title")),
            _ => None,
        };
        let block = insight
            .and_then(|title_key| blocks.iter().find(|b| b.key == title_key))
            .or_else(|| blocks.iter().find(|b| b.key == key || b.key.starts_with(&format!("{key}."))));
        match block {
            Some(block) => {
                let text: String = block.text.chars().take(80).collect();
                let more = if block.text.chars().count() > 80 { "…" } else { "" };
                format!("{text}{more} ({key})")
            }
            None => format!("Block {key}"),
        }
    }
}

/// Obsidian block ids for the highlights: `gloss-` and the first 8 hex
/// digits of the id, longer where two would clash. The same highlight gets
/// the same id on every export.
fn block_ids(highlights: &[&HighlightEntry]) -> Vec<String> {
    let hex = |id: &str| id.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_lowercase();
    let mut len = 8;
    loop {
        let ids: Vec<String> = highlights.iter().map(|h| hex(&h.id).chars().take(len).collect()).collect();
        let distinct: HashSet<&String> = ids.iter().collect();
        if distinct.len() == ids.len() || len >= 32 {
            return ids.into_iter().map(|id| format!("gloss-{id}")).collect();
        }
        len += 4;
    }
}

/// A tag as Obsidian takes it: no spaces (`-` instead), nesting with `/`
/// kept, only letters, digits, `_`, `-` and `/`, never all digits.
pub fn obsidian_tag(name: &str) -> String {
    let tag: String = name
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '/') => c,
            c if c.is_whitespace() => '-',
            _ => '_',
        })
        .collect();
    if tag.chars().all(|c| c.is_ascii_digit() || c == '/' || c == '-') {
        format!("_{tag}")
    } else {
        tag
    }
}

/// User text shown as is in Markdown: every character Markdown or
/// Obsidian would read as markup is escaped, and `<` and `&` become
/// entities, so no HTML comes through.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let mut digits_only = true;
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '%' | '=' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '>' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if digits_only && !line_start => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        digits_only = digits_only && c.is_ascii_digit();
        line_start = c == '\n';
        if line_start {
            digits_only = true;
        }
    }
    out
}

/// A note as written (it is Markdown), with `<` escaped so no HTML comes
/// through, and blank lines at its ends dropped.
fn note_text(text: &str) -> String {
    text.trim_matches('\n').replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_obsidian_tags() {
        assert_eq!(obsidian_tag("AI/Open Source"), "AI/Open-Source");
        assert_eq!(obsidian_tag("C++ & Rust"), "C__-_-Rust");
        assert_eq!(obsidian_tag("2024"), "_2024");
        assert_eq!(obsidian_tag("été"), "été");
    }

    #[test]
    fn plain_text_escapes_markup_and_html() {
        assert_eq!(plain("<script>a & b</script>"), "&lt;script>a &amp; b&lt;/script>");
        assert_eq!(plain("# not a heading *or* [link]"), "\\# not a heading \\*or\\* \\[link\\]");
        assert_eq!(plain("- not a list\n1. nor this"), "\\- not a list\n1\\. nor this");
        assert_eq!(plain("costs 1.5 - 2"), "costs 1.5 - 2");
    }
}
