//! Approximate matching: Myers' bit-parallel edit-distance algorithm over
//! code points, with Hyyrö's multi-word blocks so quotes of any length work
//! (diff-match-patch's bitap stops at 32 characters).

use std::collections::HashMap;

use multiversion::multiversion;
use std::ops::Range;

const WORD: usize = 64;

/// Parts of the text [`Pattern::min_distance`] scans side by side.
const LANES: usize = 4;

/// One approximate occurrence: code points `[start, end)` of the text, at
/// `errors` insertions, deletions or substitutions from the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    pub start: usize,
    pub end: usize,
    pub errors: usize,
}

/// Code points below this are looked up in a table, the rest hashed: the
/// lookup runs once per text code point per pattern, the hot loop of search.
const TABLE: usize = 128;

/// A pattern prepared for bit-parallel matching.
struct Pattern {
    len: usize,
    blocks: usize,
    /// Per code point below [`TABLE`]: `blocks` words, one bit per position it occurs at.
    table: Vec<u64>,
    /// The same for the other code points of the pattern: a few, so a
    /// scan beats hashing, and none (no work at all) for most quotes.
    others: Vec<(char, Vec<u64>)>,
    none: Vec<u64>,
}

impl Pattern {
    fn new(chars: &[char]) -> Self {
        let blocks = chars.len().div_ceil(WORD).max(1);
        let mut table = vec![0; TABLE * blocks];
        let mut others: Vec<(char, Vec<u64>)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            let bits = match (c as usize) < TABLE {
                true => &mut table[c as usize * blocks..(c as usize + 1) * blocks],
                false => {
                    let at = match others.iter().position(|(o, _)| *o == c) {
                        Some(at) => at,
                        None => {
                            others.push((c, vec![0; blocks]));
                            others.len() - 1
                        }
                    };
                    others[at].1.as_mut_slice()
                }
            };
            bits[i / WORD] |= 1 << (i % WORD);
        }
        Pattern { len: chars.len(), blocks, table, others, none: vec![0; blocks] }
    }

    /// The positions of `c` in the pattern, one bit each.
    #[inline]
    fn bits(&self, c: char) -> &[u64] {
        match (c as usize) < TABLE {
            true => &self.table[c as usize * self.blocks..(c as usize + 1) * self.blocks],
            false => self.others.iter().find(|(o, _)| *o == c).map_or(&self.none, |(_, bits)| bits.as_slice()),
        }
    }

    /// For each `j`, the edit distance between the pattern and the best
    /// substring of `text` ending at `j + 1` (`anchored_start == false`), or
    /// `text[..j + 1]` itself (`anchored_start == true`).
    fn distances<'t>(&self, text: impl ExactSizeIterator<Item = &'t char>, anchored_start: bool) -> Vec<usize> {
        let mut out = Vec::with_capacity(text.len());
        self.scan(text, anchored_start, |score| out.push(score.max(0) as usize));
        out
    }

    /// The fewest errors the pattern occurs with anywhere in `text`, without
    /// keeping each column: a quote that is nowhere near (most, after a
    /// rewrite) costs one tight pass.
    ///
    /// This is where a rewritten text spends its time, so the text is cut
    /// into [`LANES`] parts scanned side by side, as one vector: a step for
    /// four parts costs about what one did. A part starts `2 * len` code
    /// points early: the best substring ending anywhere is at most that
    /// long (a longer one costs more than deleting the whole pattern), so
    /// from there on its columns are those of a scan from the very start,
    /// and before that they are never lower.
    fn min_distance(&self, text: &[char]) -> usize {
        let warm_up = 2 * self.len;
        let own = text.len().div_ceil(LANES);
        let steps = own + warm_up;
        let lanes = || -> [&[char]; LANES] {
            std::array::from_fn(|lane| {
                let start = (lane * own).saturating_sub(warm_up).min(text.len() - steps);
                &text[start..start + steps]
            })
        };
        let best = match self.blocks {
            _ if own < 2 * warm_up => None,
            1 => Some(min_in_lanes::<1>(self, lanes())),
            2 => Some(min_in_lanes::<2>(self, lanes())),
            3 => Some(min_in_lanes::<3>(self, lanes())),
            4 => Some(min_in_lanes::<4>(self, lanes())),
            // Quotes of over 256 code points: rare, one pass.
            _ => None,
        };
        let best = best.unwrap_or_else(|| {
            let mut best = self.len as isize;
            self.scan(text.iter(), false, |score| best = best.min(score));
            best
        });
        best.max(0) as usize
    }

    /// Runs the columns over `text`, giving `each` the distance at each.
    /// A pattern of at most 64 code points (most quotes) keeps its one
    /// word of state in registers, with no per-block loop.
    #[inline]
    fn scan<'t>(&self, text: impl Iterator<Item = &'t char>, anchored_start: bool, mut each: impl FnMut(isize)) {
        // The top row is all zeros for a free start, 0, 1, 2... otherwise.
        let carry_in: i8 = if anchored_start { 1 } else { 0 };
        if self.blocks == 1 {
            let (mut plus, mut minus) = (!0u64, 0u64);
            let mut score = self.len as isize;
            let last_bit = 1 << (self.len - 1);
            for &c in text {
                score += advance(&mut plus, &mut minus, self.bits(c)[0], carry_in, last_bit) as isize;
                each(score);
            }
            return;
        }
        let mut plus = vec![!0u64; self.blocks];
        let mut minus = vec![0u64; self.blocks];
        let mut scores: Vec<isize> = (0..self.blocks).map(|b| ((b + 1) * WORD).min(self.len) as isize).collect();
        let last_bits: Vec<u64> =
            (0..self.blocks).map(|b| 1 << ((((b + 1) * WORD).min(self.len) - 1) % WORD)).collect();
        for &c in text {
            let eq = self.bits(c);
            let mut carry = carry_in;
            for b in 0..self.blocks {
                carry = advance(&mut plus[b], &mut minus[b], eq[b], carry, last_bits[b]);
                scores[b] += carry as isize;
            }
            each(scores[self.blocks - 1]);
        }
    }
}

/// The lowest distance of `pattern`, of `BLOCKS` blocks, at any column of
/// any of `lanes` (all the same length), see [`Pattern::min_distance`]. The
/// state of every lane stays in registers, and the lanes take the same
/// steps on different words, which the compiler makes vector operations:
/// compiled again for wider vector units, one picked at run time.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
// Indexes, not iterators: the same index into every lane is what the
// compiler turns into one vector operation.
#[allow(clippy::needless_range_loop)]
fn min_in_lanes<const BLOCKS: usize>(pattern: &Pattern, lanes: [&[char]; LANES]) -> isize {
    let steps = lanes[0].len();
    let mut plus = [[!0u64; LANES]; BLOCKS];
    let mut minus = [[0u64; LANES]; BLOCKS];
    let mut score = [pattern.len as isize; LANES];
    let mut best = score;
    let last_bits: [u64; BLOCKS] = std::array::from_fn(|b| 1 << ((((b + 1) * WORD).min(pattern.len) - 1) % WORD));
    for step in 0..steps {
        // No closures here: they would not get the vector unit's features.
        let mut eq = [[0u64; LANES]; BLOCKS];
        for lane in 0..LANES {
            let bits = pattern.bits(lanes[lane][step]);
            for b in 0..BLOCKS {
                eq[b][lane] = bits[b];
            }
        }
        let mut carry = [0i8; LANES];
        for b in 0..BLOCKS {
            for lane in 0..LANES {
                carry[lane] = advance(&mut plus[b][lane], &mut minus[b][lane], eq[b][lane], carry[lane], last_bits[b]);
            }
        }
        // The last block's carry is the whole pattern's row.
        for lane in 0..LANES {
            score[lane] += carry[lane] as isize;
            best[lane] = best[lane].min(score[lane]);
        }
    }
    best.into_iter().min().unwrap_or(pattern.len as isize)
}

/// One column step of one block; returns the horizontal delta at its last row.
#[inline]
fn advance(plus: &mut u64, minus: &mut u64, eq: u64, carry_in: i8, last_bit: u64) -> i8 {
    let carry_neg = (carry_in < 0) as u64;
    let carry_pos = (carry_in > 0) as u64;
    let eq = eq | carry_neg;
    let xv = eq | *minus;
    let xh = ((eq & *plus).wrapping_add(*plus) ^ *plus) | eq;
    let mut ph = *minus | !(xh | *plus);
    let mut mh = *plus & xh;
    // Branch-free: the two bits are never both set. This runs once per
    // text code point per quote searched.
    let carry_out = ((ph & last_bit) != 0) as i8 - ((mh & last_bit) != 0) as i8;
    ph = (ph << 1) | carry_pos;
    mh = (mh << 1) | carry_neg;
    *plus = mh | !(xv | ph);
    *minus = ph & xv;
    carry_out
}

/// Edit distance between two whole sequences.
pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    Pattern::new(a).distances(b.iter(), true).last().copied().unwrap_or(a.len())
}

/// Every place in `text` where `pattern` occurs with at most `max_errors`
/// errors: one match per end at a local minimum of the error count,
/// extended to the start that gives the fewest errors.
///
/// A minimum can be a level run of ends: `open` edited to `opez` matches
/// as well ending after `ope` (`n` deleted) as after `opez` (`n` replaced).
/// Every end of the run is a match, so that the caller's scoring, by the
/// text around each, picks the bounds; taking the first end would leave
/// the edited passage's `z` out and shift its suffix by one.
pub(crate) fn search(pattern: &[char], text: &[char], max_errors: usize, grams: &Grams) -> Vec<Match> {
    if pattern.is_empty() || text.is_empty() {
        return Vec::new();
    }
    let forward = Pattern::new(pattern);
    let reversed: Vec<char> = pattern.iter().rev().copied().collect();
    let backward = Pattern::new(&reversed);
    let mut matches = Vec::new();
    for region in grams.regions(pattern, max_errors, text.len()) {
        search_in(&forward, &backward, text, region, max_errors, &mut matches);
    }
    matches
}

/// [`search`] for the matches that lie in `region` of `text`. A region
/// holds whole matches with text before and after them that matches
/// nothing, so its ends are the same as in the whole text.
fn search_in(
    forward: &Pattern,
    backward: &Pattern,
    text: &[char],
    region: Range<usize>,
    max_errors: usize,
    matches: &mut Vec<Match>,
) {
    let part = &text[region.clone()];
    if forward.min_distance(part) > max_errors {
        return;
    }
    let ends = forward.distances(part.iter(), false);
    // Whether `j` is on a level run that started by falling.
    let mut minimum = false;
    for (j, &errors) in ends.iter().enumerate() {
        let falling = j == 0 || errors < ends[j - 1];
        minimum = falling || (minimum && errors == ends[j - 1]);
        let not_rising_later = ends.get(j + 1).is_none_or(|&next| errors <= next);
        if errors > max_errors || !minimum || !not_rising_later {
            continue;
        }
        let end = region.start + j + 1;
        let from = end.saturating_sub(forward.len + errors);
        // Distance of the pattern to text[end - i - 1..end], for each i.
        let starts = backward.distances(text[from..end].iter().rev(), true);
        let best = starts
            .iter()
            .enumerate()
            .min_by_key(|&(i, &d)| (d, (i + 1).abs_diff(forward.len)))
            .map(|(i, &d)| (end - i - 1, d));
        if let Some((start, errors)) = best {
            matches.push(Match { start, end, errors });
        }
    }
}

/// Length of the sequences [`Grams`] indexes.
const Q: usize = 3;

/// Where each sequence of [`Q`] code points occurs in a text: built once
/// per text, it tells every quote searched in it which parts of the text
/// can hold a match at all (the q-gram lemma: a match with `k` errors
/// keeps at least `m + 1 - Q(k + 1)` of the pattern's q-grams), so the
/// bit-parallel scan, serial by nature, runs over those parts only.
#[derive(Debug, Clone)]
pub(crate) struct Grams {
    positions: HashMap<u64, Vec<u32>>,
}

impl Grams {
    pub fn new(text: &[char]) -> Grams {
        let mut positions: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, gram) in text.windows(Q).enumerate() {
            positions.entry(key(gram)).or_default().push(i as u32);
        }
        Grams { positions }
    }

    /// The q-gram of `needle` that occurs least often in the text: its
    /// offset in the needle and where it occurs (no place, when the text
    /// lacks it). `None` for needles shorter than a q-gram.
    pub fn rarest(&self, needle: &[char]) -> Option<(usize, &[u32])> {
        needle
            .windows(Q)
            .map(|gram| self.positions.get(&key(gram)).map_or(&[][..], Vec::as_slice))
            .enumerate()
            .min_by_key(|(_, places)| places.len())
    }

    /// The parts of a text of `len` code points that may hold `pattern`
    /// with at most `max_errors` errors, in order and apart; the whole text
    /// when the lemma says nothing (short patterns, many errors).
    fn regions(&self, pattern: &[char], max_errors: usize, len: usize) -> Vec<Range<usize>> {
        let needed = (pattern.len() + 1).saturating_sub(Q * (max_errors + 1));
        if needed == 0 || len > u32::MAX as usize {
            return std::iter::once(0..len).collect();
        }
        let places: Vec<&[u32]> =
            pattern.windows(Q).map(|gram| self.positions.get(&key(gram)).map_or(&[][..], Vec::as_slice)).collect();
        // Counting a place costs about what scanning a code point does: when
        // the pattern's q-grams are that common, scanning everything is cheaper.
        if places.iter().map(|at| at.len()).sum::<usize>() >= len {
            return std::iter::once(0..len).collect();
        }
        // A match spans at most `pattern.len() + max_errors` code points, so
        // its kept q-grams start in one bucket of at least that size or in
        // two neighbours; a power of two, so a place's bucket is a shift.
        let shift = (pattern.len() + max_errors).next_power_of_two().trailing_zeros();
        let span = 1 << shift;
        let mut counts = vec![0usize; (len >> shift) + 2];
        for &at in places.iter().flat_map(|at| at.iter()) {
            counts[at as usize >> shift] += 1;
        }
        let mut regions: Vec<Range<usize>> = Vec::new();
        for bucket in 0..counts.len() - 1 {
            if counts[bucket] + counts[bucket + 1] < needed {
                continue;
            }
            let region = (bucket * span).saturating_sub(span)..((bucket + 2) * span + span).min(len);
            match regions.last_mut() {
                Some(last) if region.start <= last.end => last.end = last.end.max(region.end),
                _ => regions.push(region),
            }
        }
        regions
    }
}

fn key(gram: &[char]) -> u64 {
    gram.iter().fold(0, |key, &c| key << 21 | c as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// Textbook dynamic programming, to check the bit-parallel version.
    fn naive(a: &[char], b: &[char]) -> usize {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }

    #[test]
    fn edit_distance_agrees_with_dynamic_programming_for_long_patterns() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..200 {
            let a: Vec<char> = (0..next() % 200).map(|_| ['a', 'b', 'c', 'é'][next() % 4]).collect();
            let b: Vec<char> = (0..next() % 200).map(|_| ['a', 'b', 'c', 'é'][next() % 4]).collect();
            assert_eq!(edit_distance(&a, &b), naive(&a, &b), "{a:?} / {b:?}");
        }
    }

    #[test]
    fn min_distance_in_lanes_agrees_with_one_pass() {
        let mut seed = 11u64;
        let mut next = |below: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % below
        };
        let alphabet = ['a', 'b', 'c', ' ', 'é'];
        for _ in 0..200 {
            let text: Vec<char> = (0..next(6000)).map(|_| alphabet[next(alphabet.len())]).collect();
            // One block to five, cut from the text (a close match) or not.
            let len = 1 + next(300);
            let pattern: Vec<char> = match text.len() > len && next(2) == 0 {
                true => {
                    text[next(text.len() - len)..][..len].iter().map(|&c| if next(8) == 0 { 'x' } else { c }).collect()
                }
                false => (0..len).map(|_| alphabet[next(alphabet.len())]).collect(),
            };
            let pattern = Pattern::new(&pattern);
            let one_pass = pattern.distances(text.iter(), false).into_iter().min().unwrap_or(pattern.len);
            assert_eq!(pattern.min_distance(&text), one_pass);
        }
    }

    #[test]
    fn finds_an_edited_quote_with_its_bounds() {
        let text = chars("one two three. The quick brown fox jumps. four five");
        let found = search(&chars("The quick brown cat jumps."), &text, 5, &Grams::new(&text));
        assert_eq!(found, vec![Match { start: 15, end: 41, errors: 3 }]);
    }

    #[test]
    fn every_end_of_a_level_minimum_is_a_match() {
        // `open` edited to `opez`: `n` deleted or `n` replaced, one error each.
        let found = search(
            &chars("the door was open"),
            &chars("so the door was opez now"),
            4,
            &Grams::new(&chars("so the door was opez now")),
        );
        assert_eq!(found, vec![Match { start: 3, end: 19, errors: 1 }, Match { start: 3, end: 20, errors: 1 }]);
    }

    #[test]
    fn works_past_one_machine_word() {
        let quote: String = "lorem ipsum dolor sit amet ".repeat(4);
        let edited = quote.replace("dolor", "dolour");
        let text = chars(&format!("xx {edited} yy"));
        let found = search(&chars(&quote), &text, 10, &Grams::new(&text));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].errors), (3, 4));
    }

    #[test]
    fn nothing_within_the_limit_finds_nothing() {
        assert!(search(&chars("abcdef"), &chars("zzzzzzzzz"), 2, &Grams::new(&chars("zzzzzzzzz"))).is_empty());
        assert!(search(&[], &chars("abc"), 2, &Grams::new(&chars("abc"))).is_empty());
        assert_eq!(edit_distance(&[], &chars("abc")), 3);
    }

    #[test]
    fn the_q_gram_filter_finds_exactly_what_a_scan_of_the_whole_text_finds() {
        // Texts from a few words, so near matches abound; quotes cut from
        // the text and edited, and quotes made up.
        let words = ["open", "models", "ship", "fast", "the", "labs", "café", "win"];
        let mut seed = 7u64;
        let mut next = |below: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % below
        };
        for _ in 0..300 {
            let text: Vec<char> =
                (0..200 + next(400)).map(|_| words[next(words.len())]).collect::<Vec<_>>().join(" ").chars().collect();
            let start = next(text.len() - 40);
            let mut quote: Vec<char> = text[start..start + 12 + next(28)].to_vec();
            for _ in 0..next(5) {
                let at = next(quote.len());
                quote[at] = 'x';
            }
            let max_errors = quote.len() / 4;
            let (forward, reversed) = (Pattern::new(&quote), quote.iter().rev().copied().collect::<Vec<_>>());
            let mut whole = Vec::new();
            search_in(&forward, &Pattern::new(&reversed), &text, 0..text.len(), max_errors, &mut whole);
            assert_eq!(search(&quote, &text, max_errors, &Grams::new(&text)), whole);
        }
    }
}
