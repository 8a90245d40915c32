//! The parsed episode and its canonical text.
//!
//! An [`Episode`] is what the parser makes of one summary file. Its
//! [`blocks`](Episode::blocks) and [`canonical_text`](Episode::canonical_text)
//! are derived from the structure, never stored beside it, so the two can not
//! drift apart. Highlights anchor into the canonical text by Unicode code
//! point offsets; `docs/format.md` defines it and [`CANONICAL_TEXT_VERSION`]
//! names the definition in force.

use serde::{Deserialize, Serialize};

/// Version of the canonical-text definition. Bump it when the way blocks are
/// derived or joined changes, so stored selectors know what they were taken on.
pub const CANONICAL_TEXT_VERSION: u32 = 1;

/// What separates two blocks in the canonical text.
pub const BLOCK_SEPARATOR: &str = "\n\n";

/// Whether a file was recognised as a summary or read as a plain document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Summary,
    Document,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    pub kind: DocKind,
    pub title: Option<String>,
    pub show: Option<String>,
    pub hosts: Vec<String>,
    pub tldr: Option<String>,
    pub sections: Vec<Section>,
    pub bottom_line: Option<String>,
    pub related_source: Option<String>,
    pub related: Vec<Related>,
    /// The blocks of a plain document, each with the shape it had in the
    /// file; empty for a summary.
    pub paragraphs: Vec<Paragraph>,
    /// Problems the parser recovered from, in words a user understands.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub emoji: Option<String>,
    pub title: String,
    pub insights: Vec<Insight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insight {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub title: String,
    pub summary: String,
}

/// One block of a plain document: its text and the shape it had in the file.
///
/// Episodes stored by earlier versions hold each paragraph as a bare string
/// (its lines joined by `\n`); those still read, as prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredParagraph")]
pub struct Paragraph {
    pub text: String,
    #[serde(flatten)]
    pub shape: Shape,
}

/// What a block of a plain document was in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Shape {
    /// Prose, whose line breaks the file meant (verse, an address) are kept
    /// as `\n`.
    Prose,
    /// An item of a bulleted or numbered list: the list it is in, counted
    /// from 1 in reading order (nested lists included), and its mark.
    Item {
        list: usize,
        #[serde(flatten)]
        mark: ItemMark,
    },
    /// Lines indented in the file, kept with their relative indentation and
    /// spacing.
    Preformatted,
}

/// How a list item is drawn: how deep it is nested and its marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemMark {
    /// 0 for a top-level item, 1 for an item nested in one, ...
    pub depth: usize,
    /// The bullet or number as the file writes it: `-`, `•`, `3.`, `2)`.
    pub marker: String,
}

/// A paragraph as stored: a bare string (before shapes were kept) or a
/// [`Paragraph`].
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredParagraph {
    Text(String),
    Shaped {
        text: String,
        #[serde(flatten)]
        shape: Shape,
    },
}

impl From<StoredParagraph> for Paragraph {
    fn from(stored: StoredParagraph) -> Self {
        match stored {
            StoredParagraph::Text(text) => Paragraph { text, shape: Shape::Prose },
            StoredParagraph::Shaped { text, shape } => Paragraph { text, shape },
        }
    }
}

/// One addressable run of text: a title, a TL;DR, an insight body, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Stable address inside the episode: `title`, `tldr`, `s2.title`,
    /// `s2.i1.title`, `s2.i1.body`, `bottom`, `r1.title`, `r1.summary`, `p3`.
    pub key: String,
    pub text: String,
    /// Offset of the block in the canonical text, in code points.
    pub start: usize,
    /// Length of the block, in code points.
    pub len: usize,
    /// What the block is, so a reader can show it without parsing `key`.
    pub role: BlockRole,
    /// The section (`s2`), insight (`s2.i1`) or related episode (`r1`) the
    /// block belongs to, for blocks that are part of one; `l2` for an item
    /// of a plain document's second list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A list item's depth and marker, so a reader can nest and number it.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemMark>,
}

/// What a [`Block`] is in its episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockRole {
    Title,
    Tldr,
    SectionTitle,
    InsightTitle,
    InsightBody,
    BottomLine,
    RelatedTitle,
    RelatedSummary,
    Paragraph,
    ListItem,
    Preformatted,
}

impl Episode {
    /// An empty summary, to be filled in by the parser.
    pub fn empty(kind: DocKind) -> Self {
        Episode {
            kind,
            title: None,
            show: None,
            hosts: Vec::new(),
            tldr: None,
            sections: Vec::new(),
            bottom_line: None,
            related_source: None,
            related: Vec::new(),
            paragraphs: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The episode's text blocks in reading order, with their offsets in the
    /// canonical text.
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut start = 0;
        let mut push = |key: String, role: BlockRole, group: Option<&str>, item: Option<ItemMark>, text: &str| {
            if text.is_empty() {
                return;
            }
            let len = text.chars().count();
            let group = group.map(str::to_owned);
            blocks.push(Block { key, text: text.to_owned(), start, len, role, group, item });
            start += len + BLOCK_SEPARATOR.chars().count();
        };
        if let Some(title) = &self.title {
            push("title".into(), BlockRole::Title, None, None, title);
        }
        if let Some(tldr) = &self.tldr {
            push("tldr".into(), BlockRole::Tldr, None, None, tldr);
        }
        for (s, section) in self.sections.iter().enumerate() {
            let section_key = format!("s{}", s + 1);
            push(format!("{section_key}.title"), BlockRole::SectionTitle, Some(&section_key), None, &section.title);
            for (i, insight) in section.insights.iter().enumerate() {
                let insight_key = format!("{section_key}.i{}", i + 1);
                push(format!("{insight_key}.title"), BlockRole::InsightTitle, Some(&insight_key), None, &insight.title);
                push(format!("{insight_key}.body"), BlockRole::InsightBody, Some(&insight_key), None, &insight.body);
            }
        }
        if let Some(bottom) = &self.bottom_line {
            push("bottom".into(), BlockRole::BottomLine, None, None, bottom);
        }
        for (r, related) in self.related.iter().enumerate() {
            let related_key = format!("r{}", r + 1);
            push(format!("{related_key}.title"), BlockRole::RelatedTitle, Some(&related_key), None, &related.title);
            push(
                format!("{related_key}.summary"),
                BlockRole::RelatedSummary,
                Some(&related_key),
                None,
                &related.summary,
            );
        }
        for (p, paragraph) in self.paragraphs.iter().enumerate() {
            let key = format!("p{}", p + 1);
            match &paragraph.shape {
                Shape::Prose => push(key, BlockRole::Paragraph, None, None, &paragraph.text),
                Shape::Preformatted => push(key, BlockRole::Preformatted, None, None, &paragraph.text),
                Shape::Item { list, mark } => {
                    push(key, BlockRole::ListItem, Some(&format!("l{list}")), Some(mark.clone()), &paragraph.text)
                }
            }
        }
        blocks
    }

    /// The text highlights anchor into: every block's text, in reading order,
    /// joined by [`BLOCK_SEPARATOR`].
    pub fn canonical_text(&self) -> String {
        let blocks = self.blocks();
        let mut text = String::new();
        for (n, block) in blocks.iter().enumerate() {
            if n > 0 {
                text.push_str(BLOCK_SEPARATOR);
            }
            text.push_str(&block.text);
        }
        text
    }

    /// Identifies the episode's text: BLAKE3 of the canonical text, 32 hex
    /// digits. Two files that parse to the same text share it, whatever
    /// their encoding, line ends or spacing; any edit to the text changes it.
    pub fn content_hash(&self) -> String {
        short_hash(&self.canonical_text())
    }

    /// Identifies the episode across devices and file names: the normalised
    /// title and show. Two files of the same episode share it.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.title.as_deref(), self.show.as_deref())
    }
}

impl Related {
    /// The episode this entry names, read from its title line as summaries
    /// write it, `Title | Show w/ Host and Host`: the title, and the show
    /// without its hosts (`None` when the line names no show).
    pub fn title_and_show(&self) -> (&str, Option<&str>) {
        match self.title.rsplit_once(" | ") {
            Some((title, show)) => (title, Some(show.split(" w/ ").next().unwrap_or(show).trim())),
            None => (&self.title, None),
        }
    }

    /// The [`fingerprint`](Episode::fingerprint) of the episode this entry
    /// names, to find it in a library.
    pub fn fingerprint(&self) -> String {
        let (title, show) = self.title_and_show();
        fingerprint(Some(title), show)
    }
}

/// An episode's fingerprint from its title and show.
fn fingerprint(title: Option<&str>, show: Option<&str>) -> String {
    let normal = |s: Option<&str>| {
        s.unwrap_or("").chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>()
    };
    short_hash(&format!("{}\u{1f}{}", normal(title), normal(show)))
}

/// BLAKE3 of `text` as 32 hex digits: an episode's content hash (of its
/// canonical text) and its fingerprint (of its title and show).
pub fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Episode {
        let mut e = Episode::empty(DocKind::Summary);
        e.title = Some("Title".into());
        e.tldr = Some("Short é.".into());
        e.sections.push(Section {
            emoji: Some("🧠".into()),
            title: "Minds".into(),
            insights: vec![Insight { title: "One".into(), body: "Body".into() }],
        });
        e
    }

    #[test]
    fn blocks_carry_code_point_offsets_into_the_canonical_text() {
        let e = sample();
        let text: Vec<char> = e.canonical_text().chars().collect();
        for block in e.blocks() {
            let slice: String = text[block.start..block.start + block.len].iter().collect();
            assert_eq!(slice, block.text, "block {}", block.key);
        }
        let keys: Vec<_> = e.blocks().into_iter().map(|b| b.key).collect();
        assert_eq!(keys, ["title", "tldr", "s1.title", "s1.i1.title", "s1.i1.body"]);
    }

    #[test]
    fn paragraphs_stored_as_bare_strings_still_read_as_prose() {
        let stored = r#"{"kind":"document","title":"T","show":null,"hosts":[],"tldr":null,"sections":[],
            "bottom_line":null,"related_source":null,"related":[],"paragraphs":["eggs\nmilk"],"warnings":[]}"#;
        let e: Episode = serde_json::from_str(stored).unwrap();
        assert_eq!(e.paragraphs, [Paragraph { text: "eggs\nmilk".into(), shape: Shape::Prose }]);
        let item = Paragraph {
            text: "eggs".into(),
            shape: Shape::Item { list: 1, mark: ItemMark { depth: 0, marker: "-".into() } },
        };
        let round: Paragraph = serde_json::from_str(&serde_json::to_string(&item).unwrap()).unwrap();
        assert_eq!(round, item);
    }

    #[test]
    fn fingerprint_ignores_case_and_punctuation() {
        let mut a = sample();
        let mut b = sample();
        a.title = Some("China Open-Source".into());
        b.title = Some("china open source".into());
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.show = Some("Other".into());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn a_related_entry_names_its_episode_by_title_and_show() {
        let mut e = sample();
        e.show = Some("The Show".into());
        let related = |title: &str| Related { title: title.into(), summary: String::new() };
        let named = related("Title | The Show w/ Ann and Bo");
        assert_eq!(named.title_and_show(), ("Title", Some("The Show")));
        assert_eq!(named.fingerprint(), e.fingerprint());
        assert_eq!(related("A | B | Show").title_and_show(), ("A | B", Some("Show")));
        assert_eq!(related("Just a title").title_and_show(), ("Just a title", None));
    }
}
