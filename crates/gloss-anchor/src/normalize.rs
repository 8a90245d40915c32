//! Normalisation: a view of a text in which differences that do not change
//! what a reader sees are gone, with a map back to the original code points.
//!
//! Selectors may come from older versions of Gloss, from imports, or from a
//! file that was re-saved by another tool, so the same passage can differ in
//! Unicode form (NFC/NFD), compatibility characters, whitespace and line
//! endings (CRLF, NBSP), quote and dash style, invisible format characters,
//! and mojibake (UTF-8 read as Windows-1252, undone by
//! [`gloss_parse::repair::cp1252`]) repaired in a later version.
//! Every later stage searches and compares in this view, then maps the
//! result back to the real text.

use gloss_parse::repair::cp1252;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

/// A text, its normalised form, and the map between the two.
#[derive(Debug, Clone)]
pub(crate) struct NormText {
    /// The original text's code points.
    pub raw: Vec<char>,
    /// The normalised code points.
    pub chars: Vec<char>,
    /// Per normalised code point: the raw range it came from.
    raw_start: Vec<usize>,
    raw_end: Vec<usize>,
    /// Per raw boundary `0..=raw.len()`: how many normalised code points
    /// start before it, and how many end at or before it.
    starting_before: Vec<usize>,
    ending_by: Vec<usize>,
    /// The q-gram index approximate searches in this text share, made on first use.
    grams: std::sync::OnceLock<crate::approx::Grams>,
}

impl NormText {
    /// The q-gram index of the normalised text, for approximate search.
    pub fn grams(&self) -> &crate::approx::Grams {
        self.grams.get_or_init(|| crate::approx::Grams::new(&self.chars))
    }

    pub fn new(text: &str) -> Self {
        let raw: Vec<char> = text.chars().collect();
        let mut out = NormText {
            chars: Vec::with_capacity(raw.len()),
            raw_start: Vec::with_capacity(raw.len()),
            raw_end: Vec::with_capacity(raw.len()),
            starting_before: Vec::with_capacity(raw.len() + 1),
            ending_by: Vec::with_capacity(raw.len() + 1),
            raw: Vec::new(),
            grams: std::sync::OnceLock::new(),
        };
        let mut i = 0;
        let mut folded = Vec::new();
        while i < raw.len() {
            let (len, repaired) = match cp1252::repair_at(&raw[i..]) {
                Some((len, c)) => (len, Some(c)),
                None => (segment_len(&raw[i..]), None),
            };
            let segment = &raw[i..i + len];
            folded.clear();
            match repaired {
                Some(c) => fold_into(c, &mut folded),
                None if segment.len() == 1 && segment[0].is_ascii() => fold_into(segment[0], &mut folded),
                None => segment.iter().copied().nfkc().for_each(|c| fold_into(c, &mut folded)),
            }
            // A segment that folds to more than spaces (`΅` is a space and
            // two marks) keeps its code points for those: only all-space
            // segments join the run, or the space would stand for the marks.
            let only_spaces = folded.iter().all(|&c| c == ' ');
            for &c in &folded {
                if c == ' ' && out.chars.last() == Some(&' ') {
                    // Collapse whitespace runs: the one space stands for all of them.
                    if let Some(end) = out.raw_end.last_mut().filter(|_| only_spaces) {
                        *end = i + len;
                    }
                    continue;
                }
                out.chars.push(c);
                out.raw_start.push(i);
                out.raw_end.push(i + len);
            }
            i += len;
        }
        let (mut started, mut ended) = (0, 0);
        for b in 0..=raw.len() {
            while started < out.chars.len() && out.raw_start[started] < b {
                started += 1;
            }
            while ended < out.chars.len() && out.raw_end[ended] <= b {
                ended += 1;
            }
            out.starting_before.push(started);
            out.ending_by.push(ended);
        }
        out.raw = raw;
        out
    }

    /// The raw range `[start, end)` a normalised range covers; `None` if the
    /// range splits what one raw unit normalised to (half of `ﬁ`, or a
    /// combining mark without the space it sat on).
    pub fn to_raw(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.chars.len() {
            return None;
        }
        let same_unit = |a: usize, b: usize| self.raw_start[a] == self.raw_start[b];
        if (start > 0 && same_unit(start - 1, start)) || (end < self.chars.len() && same_unit(end - 1, end)) {
            return None;
        }
        Some((self.raw_start[start], self.raw_end[end - 1]))
    }

    /// The normalised range covering raw `[start, end)`, rounded outwards to
    /// whole normalised code points (one `\n` of a `\n\n` run is its space).
    pub fn norm_span_of_raw(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let s = *self.ending_by.get(start)?;
        let e = *self.starting_before.get(end)?;
        (s < e).then_some((s, e))
    }

    /// The normalised offset of a raw offset (clamped to the text).
    pub fn offset_from_raw(&self, raw: usize) -> usize {
        self.starting_before.get(raw.min(self.raw.len())).copied().unwrap_or(self.chars.len())
    }

    /// The raw code points in `[start, end)` as a string.
    pub fn raw_slice(&self, start: usize, end: usize) -> Option<String> {
        Some(self.raw.get(start..end)?.iter().collect())
    }
}

/// The normalised form of a short string (a quote, prefix or suffix).
pub(crate) fn normalize(text: &str) -> Vec<char> {
    NormText::new(text).chars
}

/// The form in which Gloss compares texts when anchoring: NFKC, whitespace
/// runs as one space, ASCII quotes and dashes, no invisible format
/// characters, mojibake repaired. Two passages that normalise alike are the
/// same passage to a reader.
pub fn normalize_for_matching(text: &str) -> String {
    normalize(text).into_iter().collect()
}

/// Length of the run starting at `chars[0]` that normalises as one unit: a
/// starter and the combining marks (and Hangul vowel/final jamo) after it.
fn segment_len(chars: &[char]) -> usize {
    let follows = |c: char| {
        canonical_combining_class(c) != 0
            || ('\u{1161}'..='\u{1175}').contains(&c)
            || ('\u{11A8}'..='\u{11C2}').contains(&c)
    };
    1 + chars.iter().skip(1).take_while(|&&c| follows(c)).count()
}

/// Folds one NFKC code point: whitespace to a space, typographic quotes and
/// dashes to ASCII, invisible format characters dropped.
fn fold_into(c: char, out: &mut Vec<char>) {
    let folded = match c {
        c if c.is_whitespace() => ' ',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '\u{0060}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        // Soft hyphen, zero-width space and joiners, bidi marks, BOM: invisible.
        '\u{00AD}'
        | '\u{200B}'
        | '\u{200C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => return,
        c => c,
    };
    out.push(folded);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).into_iter().collect()
    }

    #[test]
    fn unicode_forms_fold_together() {
        assert_eq!(norm("Cafe\u{301}"), norm("Café"));
        assert_eq!(norm("ﬁne"), "fine");
    }

    #[test]
    fn whitespace_collapses_and_line_endings_vanish() {
        assert_eq!(norm("a\r\n\r\nb\u{a0}c  d\te"), "a b c d e");
    }

    #[test]
    fn typographic_quotes_and_dashes_become_ascii() {
        assert_eq!(norm("“It’s” — fine"), "\"It's\" - fine");
    }

    #[test]
    fn mojibake_is_repaired() {
        assert_eq!(norm("itâ€™s cafÃ©"), "it's café");
        // Real accented text is left alone.
        assert_eq!(norm("âge déjà"), "âge déjà");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(norm("in\u{ad}vis\u{200b}ible\u{200f}"), "invisible");
    }

    #[test]
    fn ranges_map_back_to_raw_code_points() {
        let t = NormText::new("a  \r\nbe\u{301}c");
        assert_eq!(t.chars.iter().collect::<String>(), "a béc");
        let b = t.chars.iter().position(|&c| c == 'b').unwrap();
        assert_eq!(t.to_raw(1, b + 1), Some((1, 6)));
        assert_eq!(t.norm_span_of_raw(0, 1), Some((0, 1)));
        let all = t.norm_span_of_raw(0, t.raw.len()).unwrap();
        assert_eq!(t.to_raw(all.0, all.1), Some((0, t.raw.len())));
    }

    #[test]
    fn a_space_from_a_decomposition_does_not_join_the_run_before_it() {
        // Regression (fuzzing): `΅` is NFKC `\u{20}\u{308}\u{301}`; its space
        // folded into the tab before it, whose range then took in the marks.
        let t = NormText::new("\t\u{385}'");
        assert_eq!(t.chars, [' ', '\u{308}', '\u{301}', '\'']);
        assert_eq!(t.to_raw(0, 1), Some((0, 1)));
        assert_eq!(t.to_raw(0, 3), Some((0, 2)));
    }

    #[test]
    fn raw_ranges_inside_a_collapsed_run_round_outwards() {
        let t = NormText::new("a\n\nb");
        assert_eq!(t.norm_span_of_raw(2, 3), Some((1, 2)));
        assert_eq!(t.to_raw(1, 2), Some((1, 3)));
    }

    #[test]
    fn ranges_splitting_one_unit_are_refused() {
        let t = NormText::new("x \u{301}y ﬁ");
        let mark = t.chars.iter().position(|&c| c == '\u{301}').unwrap();
        assert_eq!(t.to_raw(mark, mark + 1), None);
        assert_eq!(t.to_raw(t.chars.len() - 1, t.chars.len()), None);
    }

    #[test]
    fn out_of_range_requests_are_refused() {
        let t = NormText::new("abc");
        assert_eq!(t.to_raw(2, 9), None);
        assert_eq!(t.norm_span_of_raw(2, 9), None);
        assert_eq!(t.to_raw(2, 2), None);
    }
}
