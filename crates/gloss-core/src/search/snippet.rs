//! Snippets: a short passage of a found text around its first match, with
//! the query's words marked in it.
//!
//! Made here rather than by FTS5's `snippet()`, which scores every match of
//! a row against every other one: a note of 1 MB repeating the searched
//! word took minutes (`highlight()` copies its whole output once per match,
//! no better). Finding the first match is one pass over the text, stopping
//! there, and marking looks only at the passage, so a snippet costs time
//! linear in the text and its size is bounded whatever the text.
//!
//! A word of the query matches where a word of the text starts with it, in
//! any case: the index's prefix matching without its accent folding, and
//! with a rough stand-in for its stemming (see [`QueryWords::stems`]). A
//! text the index found only through those (`cafe` for `café`) has no
//! match to show: the caller shows its opening instead.

use std::ops::Range;

use super::Snippet;

/// Words a snippet shows before its first match, and in all, as FTS5's
/// `snippet()` did with 24 tokens.
const WORDS_BEFORE: usize = 8;
const WORDS: usize = 24;

/// Code points a snippet shows at most before its first match, and in all:
/// a "word" may be a run of 100,000 letters.
const MAX_CHARS_BEFORE: usize = 100;
const MAX_CHARS: usize = 300;

/// Stands for the text left out before or after the passage.
const ELLIPSIS: char = '…';

/// Common English endings, longest first, that [`QueryWords::stems`] takes
/// off, and the letters a stem keeps at least.
const ENDINGS: [&str; 9] = ["ings", "ing", "ers", "ies", "er", "es", "ed", "ly", "s"];
const MIN_STEM: usize = 3;

/// The words of a query as the text is searched for them: lowercased runs of
/// letters and digits, without FTS operators and column names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWords(Vec<Vec<char>>);

impl QueryWords {
    /// Each word is a run of letters and digits, as the index splits text
    /// (`open-source` is `open` and `source`), so matching one never reads
    /// past the end of a word of the text: marking costs at most the text's
    /// length per word. Only the first [`super::MAX_QUERY_WORDS`] count.
    pub fn of(query: &str) -> QueryWords {
        let mut words: Vec<Vec<char>> = Vec::new();
        let terms = query.split_whitespace().map(|term| term.rsplit(':').next().unwrap_or(term));
        for word in terms.flat_map(|term| term.split(|c: char| !c.is_alphanumeric())) {
            if word.is_empty() || matches!(word, "AND" | "OR" | "NOT" | "NEAR") {
                continue;
            }
            let word: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
            if !words.contains(&word) {
                words.push(word);
            }
            if words.len() == super::MAX_QUERY_WORDS {
                break;
            }
        }
        QueryWords(words)
    }

    /// The words without a common English ending (`roasted` → `roast`,
    /// `policies` → `polic`), three letters kept at least: marks what the
    /// index's Porter stemmer found (`roasting`, `policy`) where the words
    /// themselves mark nothing. Rougher than the stemmer, and tried second,
    /// in a text the index did match.
    fn stems(&self) -> QueryWords {
        let stem = |word: &Vec<char>| {
            let word: String = word.iter().collect();
            let stem = ENDINGS.iter().find_map(|ending| word.strip_suffix(ending));
            let stem = stem.filter(|stem| stem.chars().count() >= MIN_STEM).unwrap_or(&word);
            stem.chars().collect()
        };
        QueryWords(self.0.iter().map(stem).collect())
    }
}

impl Snippet {
    /// The passage around the first match in the first of `texts` that has
    /// one, every match in it marked, with that text's index; by the
    /// query's words, else by their stems. `None` when no text has a match.
    pub fn first_match_in(texts: &[&str], words: &QueryWords) -> Option<(usize, Snippet)> {
        let in_first = |words: &QueryWords| {
            texts.iter().enumerate().find_map(|(n, text)| {
                let first = matches(text, 0, words).next()?;
                Some((n, passage(text, window(text, first), words)))
            })
        };
        in_first(words).or_else(|| in_first(&words.stems()))
    }

    /// The opening of `text`, nothing marked: for a text that matched in
    /// the index without its accents, say.
    pub fn opening(text: &str) -> Snippet {
        let end = text.char_indices().nth(MAX_CHARS).map_or(text.len(), |(end, _)| end);
        passage(text, 0..end, &QueryWords(Vec::new()))
    }
}

/// `text[range]`, with an ellipsis on each side where text was left out and
/// the matches inside marked.
fn passage(text: &str, range: Range<usize>, words: &QueryWords) -> Snippet {
    let shown = &text[range.clone()];
    let inside = shown.trim();
    let start = range.start + (shown.len() - shown.trim_start().len());
    let end = start + inside.len();
    let cut_before = !text[..start].trim().is_empty();
    let cut_after = !text[end..].trim().is_empty();
    let mut snippet = String::with_capacity(inside.len() + 2 * ELLIPSIS.len_utf8());
    if cut_before {
        snippet.push(ELLIPSIS);
    }
    snippet.push_str(inside);
    if cut_after {
        snippet.push(ELLIPSIS);
    }
    // Matched in the whole text, so a word cut at the passage's start is
    // not taken for one starting there.
    let found = matches(&text[..end], start, words);
    let matches = code_points(text, start, found)
        .map(|[from, to]| [from + usize::from(cut_before), to + usize::from(cut_before)]);
    Snippet { matches: matches.collect(), text: snippet }
}

/// The byte range of the passage shown around the match at `first`: up to
/// [`WORDS_BEFORE`] words before it, [`WORDS`] in all, within the limits of
/// code points.
fn window(text: &str, first: Range<usize>) -> Range<usize> {
    let mut start = first.start;
    let mut before = text[..first.start].char_indices().rev().peekable();
    let (mut words, mut chars) = (0, 0);
    while let Some((at, c)) = before.next() {
        if chars == MAX_CHARS_BEFORE || words == WORDS_BEFORE {
            break;
        }
        chars += 1;
        let starts_word = c.is_alphanumeric() && !before.peek().is_some_and(|(_, prev)| prev.is_alphanumeric());
        if starts_word || chars == MAX_CHARS_BEFORE || before.peek().is_none() {
            start = at;
            words += usize::from(starts_word);
        }
    }
    let mut end = text.len();
    let mut prev_alphanumeric = false;
    for (at, c) in text[first.start..].char_indices() {
        words += usize::from(c.is_alphanumeric() && !prev_alphanumeric);
        if chars == MAX_CHARS || words > WORDS {
            end = first.start + at;
            break;
        }
        chars += 1;
        prev_alphanumeric = c.is_alphanumeric();
    }
    start..end
}

/// Byte ranges of `text` from byte `from` on where a word starts with one
/// of `words` (in any case), in order.
fn matches<'a>(text: &'a str, from: usize, words: &'a QueryWords) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut at = from;
    std::iter::from_fn(move || {
        while let Some(c) = text[at..].chars().next() {
            let starts_word = c.is_alphanumeric() && !text[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            if starts_word {
                if let Some(len) = words.0.iter().filter_map(|word| prefix_len(&text[at..], word)).max() {
                    let found = at..at + len;
                    at += len;
                    return Some(found);
                }
            }
            at += c.len_utf8();
        }
        None
    })
}

/// How many bytes of `text` match `word` as a prefix, ignoring case.
fn prefix_len(text: &str, word: &[char]) -> Option<usize> {
    let mut lowered = text.char_indices().flat_map(|(i, c)| c.to_lowercase().map(move |l| (i + c.len_utf8(), l)));
    let mut end = 0;
    for expected in word {
        let (after, got) = lowered.next()?;
        if got != *expected {
            return None;
        }
        end = after;
    }
    Some(end)
}

/// Byte ranges of `text` (in order, none before byte `base`) as
/// `[start, end)` in code points from `base`.
fn code_points<'a>(
    text: &'a str,
    base: usize,
    ranges: impl Iterator<Item = Range<usize>> + 'a,
) -> impl Iterator<Item = [usize; 2]> + 'a {
    let (mut byte, mut chars) = (base, 0);
    ranges.map(move |range| {
        chars += text[byte..range.start].chars().count();
        let start = chars;
        chars += text[range.start..range.end].chars().count();
        byte = range.end;
        [start, chars]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(snippet: &Snippet) -> Vec<String> {
        let chars: Vec<char> = snippet.text.chars().collect();
        snippet.matches.iter().map(|[start, end]| chars[*start..*end].iter().collect()).collect()
    }

    #[test]
    fn marks_word_prefixes_in_any_case_in_code_points() {
        let words = QueryWords::of("open* \"Source\" NOT title:ai");
        let (_, snippet) = Snippet::first_match_in(&["🎧 Open-source AI, opens"], &words).unwrap();
        assert_eq!(snippet.text, "🎧 Open-source AI, opens");
        assert_eq!(snippet.matches, vec![[2, 6], [7, 13], [14, 16], [18, 22]]);
        assert!(Snippet::first_match_in(&["reopen"], &words).is_none());
    }

    #[test]
    fn nothing_to_mark_without_words() {
        let words = QueryWords::of("\" - : AND");
        assert_eq!(words, QueryWords(Vec::new()));
        assert!(Snippet::first_match_in(&["anything AND more"], &words).is_none());
    }

    #[test]
    fn a_long_text_shows_a_few_words_around_its_first_match() {
        let text = format!("{}the needle, then {}", "hay ".repeat(50_000), "straw needle ".repeat(50_000));
        let (_, snippet) = Snippet::first_match_in(&[&text], &QueryWords::of("needle")).unwrap();
        let words: Vec<&str> = snippet.text.trim_matches(ELLIPSIS).split_whitespace().collect();
        assert_eq!(words.len(), WORDS, "{snippet:?}");
        assert_eq!(words[WORDS_BEFORE], "needle,");
        assert!(snippet.text.starts_with(ELLIPSIS) && snippet.text.ends_with(ELLIPSIS));
        // "the needle, then", then "straw needle" to the end.
        assert_eq!(marked(&snippet), vec!["needle"; 1 + (WORDS - WORDS_BEFORE - 2) / 2]);
    }

    #[test]
    fn a_giant_word_is_cut_to_the_limit() {
        let text = format!("{}needle{}", "x".repeat(500), "y".repeat(100_000));
        let (_, snippet) = Snippet::first_match_in(&[&format!("a {text}")], &QueryWords::of("xx")).unwrap();
        assert!(snippet.text.chars().count() <= MAX_CHARS + 2, "{}", snippet.text.len());
        let glued = format!("{}needle", "x".repeat(500));
        let snippet = Snippet::first_match_in(&[&format!("{glued} {}", "z ".repeat(1000))], &QueryWords::of("needle"));
        assert!(snippet.is_none(), "needle is inside a word, not its start");
    }

    #[test]
    fn the_opening_is_bounded_and_unmarked() {
        let opening = Snippet::opening(&"word ".repeat(100_000));
        assert!(opening.text.chars().count() <= MAX_CHARS + 1 && opening.text.ends_with(ELLIPSIS));
        assert!(opening.matches.is_empty());
        assert_eq!(Snippet::opening("  short  ").text, "short");
    }

    #[test]
    fn the_first_text_with_a_match_gives_the_passage_and_stems_come_second() {
        let words = QueryWords::of("roasted Policies");
        let texts = ["nothing here", "roasting beans, a policy", "roasted beans"];
        let (n, snippet) = Snippet::first_match_in(&texts, &words).unwrap();
        assert_eq!((n, marked(&snippet)), (2, vec!["roasted".to_owned()]), "the words themselves first");
        let (n, snippet) = Snippet::first_match_in(&texts[..2], &words).unwrap();
        assert_eq!((n, marked(&snippet)), (1, vec!["roast".to_owned(), "polic".to_owned()]), "then their stems");
        assert_eq!(QueryWords::of("is us").stems(), QueryWords::of("is us"), "three letters are kept");
    }

    #[test]
    fn a_query_of_many_words_keeps_its_first_distinct_ones() {
        let words = QueryWords::of(&"a b a ".repeat(1000));
        assert_eq!(words.0, vec![vec!['a'], vec!['b']]);
        let many: String = (0..1000).map(|n| format!("w{n} ")).collect();
        assert_eq!(QueryWords::of(&many).0.len(), crate::search::MAX_QUERY_WORDS);
    }
}
