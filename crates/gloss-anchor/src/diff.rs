//! Stage 2, diff-based position mapping: which code points of the old text
//! survive in the new one, and where.
//!
//! The old and new normalised texts are diffed once per re-anchoring (word
//! tokens, then code points inside small replaced regions). Besides moving
//! highlights through edits, the map tells where a passage of the new text
//! came from: an unedited passage that was already somewhere else in the old
//! text is a look-alike, never the edited original (hypothesis/client#7571).

use std::collections::HashMap;
use std::ops::Range;

use similar::{capture_diff_slices, Algorithm, DiffOp, DiffTag};

/// Changed regions up to this many code points a side are re-diffed code
/// point by code point, so an edit inside a word (`the` to `t§§ he`) keeps
/// the letters around it; larger ones are rewrites whose shared letters are
/// coincidences, not survivors.
const REFINE_LIMIT: usize = 256;
/// Unchanged code points on each side of a changed region that take part in
/// its re-diff.
const REFINE_CONTEXT: usize = 16;
/// A changed run of sentences is diffed word by word only when the product
/// of its token counts is at most this (about 3,000 characters a side):
/// beyond that it was rewritten, its shared words are coincidences, and
/// Myers' diff, quadratic on such text, would spend hundreds of
/// milliseconds finding them.
const TOKEN_DIFF_LIMIT: usize = 1_000_000;

/// One aligned step, in tokens: equal runs, and changed regions.
struct Step {
    equal: bool,
    old: Range<usize>,
    new: Range<usize>,
}

/// Where a passage of the new text came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// Code points kept from the highlight's original passage.
    pub from_original: usize,
    /// Code points kept from other old text.
    pub from_elsewhere: usize,
    /// Code points that are new.
    pub inserted: usize,
}

impl Provenance {
    /// An unedited passage that existed elsewhere in the old text.
    pub fn is_lookalike(&self) -> bool {
        let len = self.from_original + self.from_elsewhere + self.inserted;
        self.from_elsewhere * 10 >= len * 9
    }

    /// Mostly made of the original passage's surviving code points.
    pub fn is_original(&self) -> bool {
        let len = self.from_original + self.from_elsewhere + self.inserted;
        self.from_original * 2 >= len && self.from_original > 0
    }
}

/// The code-point correspondence between an old and a new text.
#[derive(Debug, Clone)]
pub(crate) struct DiffMap {
    old_to_new: Vec<Option<usize>>,
    new_to_old: Vec<Option<usize>>,
}

impl DiffMap {
    pub fn new(old: &[char], new: &[char]) -> Self {
        let mut map = DiffMap { old_to_new: vec![None; old.len()], new_to_old: vec![None; new.len()] };
        let old_tokens = tokens(old);
        let new_tokens = tokens(new);
        // Each distinct token as a number, so the diff compares integers,
        // not slices of code points: the same diff, several times faster.
        let mut ids: HashMap<&[char], u32> = HashMap::new();
        let old_slices = intern(&mut ids, old_tokens.iter().map(|&(s, e)| &old[s..e]));
        let new_slices = intern(&mut ids, new_tokens.iter().map(|&(s, e)| &new[s..e]));
        // Char offset where token `i` starts (one past the end for `i == len`).
        let at = |toks: &[(usize, usize)], i: usize, total: usize| toks.get(i).map_or(total, |t| t.0);
        // Changed regions (old, new) and how much unchanged text follows them.
        let mut changed: Vec<(Range<usize>, Range<usize>, usize)> = Vec::new();
        let mut equal_before = 0;
        let stops: Vec<u32> = [".", "!", "?", "\n"]
            .iter()
            .filter_map(|stop| ids.get(&stop.chars().collect::<Vec<char>>()[..]).copied())
            .collect();
        for step in align(&old_slices, &new_slices, &stops) {
            let (old_range, new_range) = (step.old, step.new);
            let o = at(&old_tokens, old_range.start, old.len())..at(&old_tokens, old_range.end, old.len());
            let n = at(&new_tokens, new_range.start, new.len())..at(&new_tokens, new_range.end, new.len());
            if step.equal {
                map.keep(o.start, n.start, o.len());
                equal_before = o.len();
                if let Some((_, _, after)) = changed.last_mut() {
                    *after = (*after).max(o.len().min(REFINE_CONTEXT));
                }
            } else {
                // Widen by the unchanged text before it (and, below, after it).
                let before = equal_before.min(REFINE_CONTEXT);
                changed.push((o.start.saturating_sub(before)..o.end, n.start.saturating_sub(before)..n.end, 0));
                equal_before = 0;
            }
        }
        for (o, n, after) in changed {
            let o = o.start..(o.end + after).min(old.len());
            let n = n.start..(n.end + after).min(new.len());
            if o.len() <= REFINE_LIMIT && n.len() <= REFINE_LIMIT {
                map.forget(o.clone(), n.clone());
                for inner in capture_diff_slices(Algorithm::Myers, &old[o.clone()], &new[n.clone()]) {
                    if let DiffOp::Equal { old_index, new_index, len } = inner {
                        map.keep(o.start + old_index, n.start + new_index, len);
                    }
                }
            }
        }
        map
    }

    /// Drops every correspondence touching these ranges.
    fn forget(&mut self, old: Range<usize>, new: Range<usize>) {
        for i in old {
            if let Some(j) = self.old_to_new.get_mut(i).and_then(Option::take) {
                if let Some(slot) = self.new_to_old.get_mut(j) {
                    *slot = None;
                }
            }
        }
        for j in new {
            if let Some(i) = self.new_to_old.get_mut(j).and_then(Option::take) {
                if let Some(slot) = self.old_to_new.get_mut(i) {
                    *slot = None;
                }
            }
        }
    }

    fn keep(&mut self, old_start: usize, new_start: usize, len: usize) {
        for k in 0..len {
            if let Some(slot) = self.old_to_new.get_mut(old_start + k) {
                *slot = Some(new_start + k);
            }
            if let Some(slot) = self.new_to_old.get_mut(new_start + k) {
                *slot = Some(old_start + k);
            }
        }
    }

    /// Maps an old range to the new text when its first and last code points
    /// both survived.
    pub fn map_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let new_start = (*self.old_to_new.get(start)?)?;
        let new_end = (*self.old_to_new.get(end.checked_sub(1)?)?)? + 1;
        (new_start < new_end).then_some((new_start, new_end))
    }

    /// How many code points of the old range survive in the new text.
    pub fn kept(&self, start: usize, end: usize) -> usize {
        self.old_to_new.get(start..end).map_or(0, |s| s.iter().flatten().count())
    }

    /// Where an old position most likely is now: after the nearest surviving
    /// code point before it.
    pub fn new_position_of(&self, old: usize) -> usize {
        let before = self.old_to_new.get(..old.min(self.old_to_new.len())).unwrap_or_default();
        before.iter().enumerate().rev().find_map(|(i, n)| n.map(|n| n + (old - i))).unwrap_or(old)
    }

    /// Where each code point of a new range came from, relative to the
    /// highlight's original old range (if known).
    pub fn provenance(&self, start: usize, end: usize, original: Option<(usize, usize)>) -> Provenance {
        let mut p = Provenance::default();
        for from in self.new_to_old.get(start..end).unwrap_or_default() {
            match (from, original) {
                (None, _) => p.inserted += 1,
                (Some(o), Some((os, oe))) if (os..oe).contains(o) => p.from_original += 1,
                (Some(_), _) => p.from_elsewhere += 1,
            }
        }
        p
    }
}

/// The alignment of two token sequences: sentences first (a sentence kept
/// word for word is found wherever the rest was rewritten), then, inside
/// each changed run of sentences, the words shared at its ends, then a word
/// diff of the middle unless it is too large to be an edit
/// ([`TOKEN_DIFF_LIMIT`]). `stops` are the tokens that end a sentence.
fn align(old: &[u32], new: &[u32], stops: &[u32]) -> Vec<Step> {
    let (old_units, new_units) = (sentences(old, stops), sentences(new, stops));
    let mut unit_ids = HashMap::new();
    let old_ids = intern(&mut unit_ids, old_units.iter().map(|u| &old[u.clone()]));
    let new_ids = intern(&mut unit_ids, new_units.iter().map(|u| &new[u.clone()]));
    let token_range = |units: &[Range<usize>], range: Range<usize>, total: usize| {
        units.get(range.start).map_or(total, |u| u.start)..units.get(range.end).map_or(total, |u| u.start)
    };
    let mut steps = Vec::new();
    for step in diff(&old_ids, &new_ids) {
        let o = token_range(&old_units, step.old, old.len());
        let n = token_range(&new_units, step.new, new.len());
        match step.equal {
            true => steps.push(Step { equal: true, old: o, new: n }),
            false => refine(old, new, o, n, &mut steps),
        }
    }
    steps
}

/// Steps for a changed region: the tokens equal at its start and end, and
/// a word diff of the rest when it is small enough to be an edit.
fn refine(old: &[u32], new: &[u32], o: Range<usize>, n: Range<usize>, steps: &mut Vec<Step>) {
    let prefix = old[o.clone()].iter().zip(&new[n.clone()]).take_while(|(a, b)| a == b).count();
    let rest = (o.len() - prefix).min(n.len() - prefix);
    let suffix =
        old[o.clone()].iter().rev().zip(new[n.clone()].iter().rev()).take(rest).take_while(|(a, b)| a == b).count();
    let (mo, mn) = (o.start + prefix..o.end - suffix, n.start + prefix..n.end - suffix);
    if prefix > 0 {
        steps.push(Step { equal: true, old: o.start..mo.start, new: n.start..mn.start });
    }
    if mo.len().saturating_mul(mn.len()) <= TOKEN_DIFF_LIMIT {
        for step in diff(&old[mo.clone()], &new[mn.clone()]) {
            let shift = |r: Range<usize>, by: usize| r.start + by..r.end + by;
            steps.push(Step { equal: step.equal, old: shift(step.old, mo.start), new: shift(step.new, mn.start) });
        }
    } else {
        steps.push(Step { equal: false, old: mo.clone(), new: mn.clone() });
    }
    if suffix > 0 {
        steps.push(Step { equal: true, old: mo.end..o.end, new: mn.end..n.end });
    }
}

/// Myers' diff of two sequences as steps. similar can misreport a
/// deletion's new index and an insertion's old index (mitsuhiko/similar#78),
/// which once made a region start before the text; the side an operation
/// does not touch is taken from where the previous one ended.
fn diff(old: &[u32], new: &[u32]) -> Vec<Step> {
    let (mut old_at, mut new_at) = (0, 0);
    capture_diff_slices(Algorithm::Myers, old, new)
        .into_iter()
        .map(|op| {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let old_range = if tag == DiffTag::Insert { old_at..old_at } else { old_range };
            let new_range = if tag == DiffTag::Delete { new_at..new_at } else { new_range };
            (old_at, new_at) = (old_range.end.max(old_at), new_range.end.max(new_at));
            Step { equal: tag == DiffTag::Equal, old: old_range, new: new_range }
        })
        .filter(|step| !step.old.is_empty() || !step.new.is_empty())
        .collect()
}

/// Token ranges of sentences: each ends after a stop token, or at the end.
fn sentences(tokens: &[u32], stops: &[u32]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if stops.contains(token) {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

/// Each slice's number in `ids`, new ones numbered as they come.
fn intern<'a, T: Eq + std::hash::Hash>(
    ids: &mut HashMap<&'a [T], u32>,
    slices: impl Iterator<Item = &'a [T]>,
) -> Vec<u32> {
    slices
        .map(|slice| {
            let next = ids.len() as u32;
            *ids.entry(slice).or_insert(next)
        })
        .collect()
}

/// Word tokens: runs of alphanumerics, or single other code points.
fn tokens(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let len =
            if chars[i].is_alphanumeric() { chars[i..].iter().take_while(|c| c.is_alphanumeric()).count() } else { 1 };
        out.push((i, i + len));
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn insertion_before_shifts_the_range() {
        let map = DiffMap::new(&chars("the cat sat"), &chars("so the cat sat"));
        assert_eq!(map.map_span(4, 7), Some((7, 10)));
        assert_eq!(map.new_position_of(4), 7);
    }

    #[test]
    fn deleted_ranges_do_not_map() {
        let map = DiffMap::new(&chars("keep this. drop that. keep"), &chars("keep this. keep"));
        assert_eq!(map.map_span(11, 20), None);
        assert_eq!(map.kept(11, 20), 0);
    }

    #[test]
    fn small_word_edits_keep_neighbouring_characters() {
        let map = DiffMap::new(&chars("an increase here"), &chars("an Increase here"));
        // 'ncrease' survives inside the replaced word.
        assert_eq!(map.map_span(4, 11), Some((4, 11)));
    }

    #[test]
    fn an_insertion_inside_a_word_keeps_its_letters() {
        let map = DiffMap::new(&chars("the "), &chars("t§§ he "));
        assert_eq!(map.map_span(3, 4), Some((6, 7)));
    }

    #[test]
    fn misreported_diff_indices_do_not_break_the_map() {
        // Regression (fuzzing): similar's Myers reports this deletion's new
        // index and this insertion's old index wrongly; the changed region
        // then started before the text did.
        let map = DiffMap::new(&chars("\0\0\0\u{11}111"), &chars("111/111"));
        assert_eq!(map.kept(0, 4), 0);
        assert_eq!(map.kept(4, 7), 3);
    }

    #[test]
    fn provenance_tells_lookalikes_from_the_original() {
        // Two copies; the first is edited, the second left alone.
        let old = chars("red fox ran. red fox ran.");
        let new = chars("red dog ran. red fox ran.");
        let map = DiffMap::new(&old, &new);
        let original = Some((0, 11));
        assert!(map.provenance(13, 24, original).is_lookalike());
        let edited = map.provenance(0, 11, original);
        assert!(edited.is_original() && !edited.is_lookalike());
    }
}
