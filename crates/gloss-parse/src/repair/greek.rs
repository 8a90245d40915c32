//! UTF-8 read as ISO-8859-7: the damage the real summaries carry.
//!
//! Somewhere upstream, UTF-8 text was read as ISO-8859-7 (Greek) and the C1
//! bytes 0x80..=0x9F, which ISO-8859-7 leaves as controls, were dropped, as
//! were its three undefined bytes 0xAE, 0xD2 and 0xFF. So `🇨🇳`
//! (F0 9F 87 A8, F0 9F 87 B3) arrives as `π¨π³`: 0xF0 reads as `π`, 0x9F
//! and 0x87 vanish, 0xA8 reads as `¨`; and `⚛️` (E2 9A 9B, EF B8 8F) as
//! `βοΈ`. A decoder that keeps what it can not map instead leaves the C1
//! bytes as control characters (U+0080..=U+009F) and the undefined ones as
//! U+FFFD; then every byte survives (U+FFFD after a lead letter can only be
//! 0xAE, the one undefined byte that continues a sequence).
//!
//! Every lead byte (0xC2..=0xF4) survives as a Greek letter, and a
//! continuation byte survives when it is 0xA0..=0xBF (and not 0xAE), or when
//! the decoder kept it. Repair reads each damaged sequence back into its
//! surviving bytes and restores the character when those bytes determine
//! it:
//!
//! * all bytes survived: exact (`Γ©` is `é`; `π§` + NBSP is `🧠`, U+1F9E0,
//!   since every emoji in U+1F000..=U+1FFFF has the C1 second byte 0x9F);
//! * two regional-indicator remnants side by side form a flag, checked
//!   against the RGI flags; the indicator `I` (4th byte 0xAE) leaves a bare
//!   `π`, so a bare `π` next to a lone indicator is read as `I` when that
//!   makes a real flag (`ππ³` is `🇮🇳`);
//! * one byte lost: restored when exactly one emoji fits the survivors,
//!   or, when several do, exactly one of the usual header emoji (see
//!   [`USUAL_EMOJI`]); before a space, 0xA0 counts as a byte that may be
//!   lost, because in the real files the NBSP after a header emoji was
//!   folded into the space that follows it (`π§ ` is `🧠`);
//! * `β` (E2 80 xx, the General Punctuation block, both continuation bytes
//!   lost) is read from its neighbours: between spaces an em dash, inside a
//!   contraction an apostrophe, between words an em dash, between digits
//!   an en dash, at a word's edges a curly quote. Not inside an emoji
//!   sequence, though: right after a damaged emoji, or right before one or
//!   before a damaged variation selector (`βοΈ` is ⚛️, `π©βπ¬` is 👩‍🔬), it
//!   is a joiner (E2 80 8D) or a symbol (E2 9A 9B) whose bytes are gone;
//! * a variation selector (EF B8 8F, `οΈ`) that lost its last byte is kept
//!   after a restored emoji;
//! * everything else is ambiguous and removed, never shown as garbage, and
//!   with it the space it would leave doubled, or leading or trailing on
//!   its line.
//!
//! Two remnants next to a damaged joiner never pair into a flag: they are
//! part of a ZWJ sequence (`🧔🏻‍♂️` leaves `π§π»ββοΈ`, and `π§π»` reads as 🇧🇻).
//!
//! Repair runs only on documents that show the damage signature (see
//! [`is_damaged`]), and leaves alone Greek letters that sit inside Greek
//! words, and one-letter Greek words next to them (`και ο πυρήνας`), so
//! real Greek text is never touched.

use std::sync::OnceLock;

use unicode_properties::UnicodeEmoji;

use super::{continuations, decode_one, CodePage};

/// Bytes that vanish in the damage, unless the decoder kept them: the C1
/// controls and 0xAE (undefined in ISO-8859-7; 0xD2 and 0xFF are never
/// continuation bytes).
const LOST_CONTINUATIONS: [u8; 33] = {
    let mut bytes = [0u8; 33];
    let mut n = 0;
    while n < 32 {
        bytes[n] = 0x80 + n as u8;
        n += 1;
    }
    bytes[32] = 0xAE;
    bytes
};

/// The damaged document's repaired text, and what repair did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub text: String,
    pub restored: usize,
    pub removed: usize,
}

impl Repair {
    /// The warning an episode carries after a repair, written for the
    /// reader: what happened to the file and what was taken out of it.
    pub fn warning(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut warning = format!(
            "some emoji and punctuation in this file were damaged when it was saved in the wrong encoding; {} repaired",
            plural(self.restored, "character was", "characters were")
        );
        if self.removed > 0 {
            warning.push_str(&format!(
                ", and {} that could not be recovered {} removed from the text",
                plural(self.removed, "damaged character", "damaged characters"),
                if self.removed == 1 { "was" } else { "were" }
            ));
        }
        warning
    }
}

fn iso_8859_7() -> &'static CodePage {
    static PAGE: OnceLock<CodePage> = OnceLock::new();
    PAGE.get_or_init(|| CodePage::new(encoding_rs::ISO_8859_7, 0xA0))
}

/// The byte a damaged character came from, if it can be damage at all: a
/// character of ISO-8859-7's upper half, or a C1 control the decoder kept.
fn byte_of(c: char) -> Option<u8> {
    match c {
        '\u{80}'..='\u{9F}' => u8::try_from(u32::from(c)).ok(),
        _ => iso_8859_7().byte_of(c),
    }
}

/// The continuation byte (0x80..=0xBF) a damaged character came from.
/// U+FFFD is 0xAE: the decoder that kept the C1 bytes put it for the bytes
/// ISO-8859-7 leaves undefined, and 0xAE is the only one of those that
/// continues a sequence.
fn continuation_of(c: char) -> Option<u8> {
    if c == char::REPLACEMENT_CHARACTER {
        return Some(0xAE);
    }
    byte_of(c).filter(|b| (0x80..=0xBF).contains(b))
}

fn is_continuation(c: char) -> bool {
    continuation_of(c).is_some()
}

/// A continuation byte that survives only when the decoder kept it.
fn is_kept_byte(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}' | char::REPLACEMENT_CHARACTER)
}

/// The character a lead letter and the continuation characters after it
/// encode, when the decoder kept at least one byte ISO-8859-7 has no
/// character for: text never holds those, so such a sequence is damage.
fn kept_sequence(chars: &[char]) -> Option<char> {
    let lead = byte_of(*chars.first()?)?;
    let needed = continuations(lead)?;
    let rest = chars.get(1..=needed)?;
    if !rest.iter().any(|&c| is_kept_byte(c)) {
        return None;
    }
    let mut bytes = [lead, 0, 0, 0];
    for (slot, &c) in bytes[1..].iter_mut().zip(rest) {
        *slot = continuation_of(c)?;
    }
    decode_one(&bytes[..=needed])
}

/// Whether a damaged variation selector (EF B8 8F: `ο`, then `Έ` for 0xB8,
/// then 0x8F lost or kept) starts at `chars[i]`.
fn variation_selector_at(chars: &[char], i: usize) -> bool {
    chars.get(i).copied().and_then(byte_of) == Some(0xEF)
        && chars.get(i + 1).copied().and_then(continuation_of) == Some(0xB8)
}

/// Whether a damaged emoji starts at `chars[i]`: the lead letter of a
/// four-byte sequence (`π`, as every emoji from U+1F000 on starts with
/// 0xF0) or a damaged variation selector.
fn damaged_emoji_at(chars: &[char], i: usize) -> bool {
    chars.get(i) == Some(&'π') || variation_selector_at(chars, i)
}

/// A Greek letter that could start a damaged sequence (bytes 0xC0..=0xFE).
fn is_greek_lead_letter(c: char) -> bool {
    matches!(c, '\u{0390}'..='\u{03CE}')
}

/// Does the document carry the damage signature? Cheap when it holds no
/// Greek letter, which is every undamaged English file.
///
/// Signs: `π` followed by a continuation character and then another one,
/// an NBSP or another `π`; `π` + continuation + space at a line start (a
/// header emoji), or a bare `π` and a space there; two bare `π` outside a
/// Greek word; `οΈ` (a damaged VS16); a two-byte remnant right after a
/// Latin letter (`ChloΓ©`); `β` alone between two words, twice; a sequence
/// whose C1 bytes the decoder kept. And the document must be mostly Latin:
/// a Greek text with a stray sign is left alone.
pub fn is_damaged(text: &str) -> bool {
    // Every sign holds a Greek letter, and all of them start with 0xCE or 0xCF.
    if memchr::memchr2(0xCE, 0xCF, text.as_bytes()).is_none() {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut pi_signs = 0usize;
    let mut dash_signs = 0usize;
    let mut greek = 0usize;
    let mut latin = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphabetic() {
            latin += 1;
            continue;
        }
        // Greek letters that are not followed by a continuation character
        // are Greek text, not damage.
        if is_greek_lead_letter(c) && c != 'π' && c != 'β' && !at(i + 1).is_some_and(is_continuation) {
            greek += 1;
        }
        let before = i.checked_sub(1).and_then(at);
        let inside_greek_word = before.is_some_and(|b| is_greek_lead_letter(b) && b != 'π');
        if c == 'π' && !inside_greek_word {
            let next = at(i + 1);
            let after = at(i + 2);
            let line_start = before.is_none_or(|b| b == '\n' || b == '\r');
            let sign = match (next, after) {
                (Some(n), Some(a)) if is_continuation(n) => {
                    let remnant_follows = is_greek_lead_letter(a) && at(i + 3).is_some_and(is_continuation);
                    a == 'π' || is_continuation(a) || remnant_follows || (line_start && a == ' ')
                }
                (Some('π'), a) => !a.is_some_and(|a| is_greek_lead_letter(a) && a != 'π'),
                // A header whose emoji left only its lead byte.
                (Some(' '), _) => line_start,
                _ => false,
            };
            pi_signs += usize::from(sign);
        } else if before.is_some_and(|b| b.is_ascii_alphabetic())
            && matches!(c, '\u{0392}'..='\u{03AF}')
            && at(i + 1).is_some_and(is_continuation)
        {
            // A Latin letter's second byte after a Latin letter: `ChloΓ©`.
            pi_signs += 1;
        } else if variation_selector_at(&chars, i) && !at(i + 2).is_some_and(|a| is_greek_lead_letter(a) && a != 'π') {
            // VS16 (EF B8 8F) reads `οΈ`, a small letter and then a capital:
            // never a Greek spelling, even after a Greek letter (`βοΈ` is
            // ⚛️, whose other bytes were lost), unless a word goes on.
            pi_signs += 1;
        } else if is_greek_lead_letter(c) && !inside_greek_word && kept_sequence(&chars[i..]).is_some() {
            // Bytes no text holds, kept by the decoder: `β\u{9A}\u{9B}` is ⚛.
            pi_signs += 1;
        } else if c == 'β' {
            let word = |ch: Option<char>| ch.is_some_and(|ch| ch.is_ascii_alphanumeric());
            let spaced = before == Some(' ') && at(i + 1) == Some(' ');
            dash_signs += usize::from(spaced && word(at(i.wrapping_sub(2))) && word(at(i + 2)));
        }
    }
    // One `β` between words may be a variable in a formula; two are damage.
    (pi_signs > 0 || dash_signs > 1) && greek * 2 <= latin
}

/// One damaged sequence: the lead byte and the continuation bytes that
/// survived, in order.
#[derive(Debug, Clone, Copy)]
struct Remnant {
    lead: u8,
    /// Continuation bytes the lead byte calls for.
    needed: usize,
    survivors: [u8; 3],
    count: usize,
}

impl Remnant {
    fn survivors(&self) -> &[u8] {
        &self.survivors[..self.count]
    }

    /// Which regional indicator this remnant can be, as its letter index
    /// 0..26: one survivor 0xA6..=0xBF, or none at all for `I` (0xAE).
    fn regional_indicator(&self) -> Option<u32> {
        if self.lead != 0xF0 {
            return None;
        }
        match self.survivors() {
            [] => Some(u32::from(0xAEu8 - 0xA6)),
            [b @ 0xA6..=0xBF] => Some(u32::from(b - 0xA6)),
            _ => None,
        }
    }
}

fn is_emoji(c: char) -> bool {
    let mut buffer = [0u8; 4];
    emojis::get(c.encode_utf8(&mut buffer)).is_some()
}

/// The characters the remnant can have been, with one lost byte (from
/// `lost`) put back at every possible place, keeping those `accept` allows.
/// Two or more lost bytes give over a thousand readings: none is returned.
fn candidates(prefix: &[u8], survivors: &[u8], needed: usize, lost: &[u8], accept: impl Fn(char) -> bool) -> Vec<char> {
    let mut found = Vec::new();
    let missing = needed.saturating_sub(survivors.len());
    if missing > 1 {
        return found;
    }
    let mut bytes = Vec::with_capacity(4);
    let mut try_bytes = |bytes: &[u8]| {
        if let Some(c) = decode_one(bytes).filter(|&c| accept(c)) {
            if !found.contains(&c) {
                found.push(c);
            }
        }
    };
    if missing == 0 {
        bytes.extend_from_slice(prefix);
        bytes.extend_from_slice(survivors);
        try_bytes(&bytes);
        return found;
    }
    for gap in 0..=survivors.len() {
        for &lost_byte in lost {
            bytes.clear();
            bytes.extend_from_slice(prefix);
            bytes.extend_from_slice(&survivors[..gap]);
            bytes.push(lost_byte);
            bytes.extend_from_slice(&survivors[gap..]);
            try_bytes(&bytes);
        }
    }
    found
}

/// Emoji that summaries put in their section headers. When the surviving
/// bytes fit several emoji and exactly one of them is on this list, that
/// one is restored: this is how `π§` (🧠 in the real files, its NBSP byte
/// folded into the following space) comes back. Kept short on purpose:
/// the more it holds, the fewer readings are unique.
const USUAL_EMOJI: &[char] = &[
    '🧠', '🤖', '💡', '🔥', '🚀', '📈', '📉', '📊', '💰', '💸', '⚡', '🌍', '🏭', '🔋', '🧬', '🎯', '🏆', '🥇', '🔒',
    '💻', '🎓', '📚', '🌱', '💼', '🔮', '🌐', '🔍', '🧩', '🧪', '🏦', '🎬', '🎙', '🏗', '🚗', '✈', '🛰', '📱', '🔑', '⚖',
    '🛡', '🏛', '🗳',
];

/// The one reading among `found`: the only one, or in a header (at a line
/// start) the only usual one.
fn choose(found: &[char], context: &Context) -> Option<char> {
    match found {
        [c] => Some(*c),
        _ if !context.line_start => None,
        _ => {
            let mut usual = found.iter().filter(|c| USUAL_EMOJI.contains(c));
            match (usual.next(), usual.next()) {
                (Some(c), None) => Some(*c),
                _ => None,
            }
        }
    }
}

fn only(found: Vec<char>) -> Option<char> {
    match found.as_slice() {
        [c] => Some(*c),
        _ => None,
    }
}

/// What the characters around a remnant are, for the readings that depend
/// on them.
#[derive(Debug, Clone, Copy)]
struct Context {
    before: Option<char>,
    /// The next characters after the remnant.
    following: [Option<char>; 4],
    /// An opening curly quote was restored earlier on this line.
    quote_open: bool,
    /// Only Markdown markup precedes the remnant on its line: a header's
    /// emoji.
    line_start: bool,
    /// A damaged emoji touches the remnant: it ends right before it, or
    /// starts right after it.
    in_emoji: bool,
}

impl Context {
    fn after(&self) -> Option<char> {
        self.following[0]
    }

    /// `s`, `t`, `d`, `m`, `re`, `ve` or `ll` follows, then a word ends:
    /// the lost character was an apostrophe.
    fn contraction_follows(&self) -> bool {
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        match self.following {
            [Some('s' | 't' | 'd' | 'm'), end, ..] => !letter(end),
            [Some('r' | 'v'), Some('e'), end, _] | [Some('l'), Some('l'), end, _] => !letter(end),
            _ => false,
        }
    }
}

/// How a run of damaged emoji sequences is read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Flag(String),
    Single(usize),
}

/// Reads a run of emoji remnants, choosing which neighbours pair into flags
/// so that the most is recovered: a flag whose two indicators both survived
/// is worth 3, one with the lost `I` 2, any other restored emoji 1.
/// `joined`: whether a damaged joiner comes right before and right after
/// the run; a remnant next to one is part of a ZWJ sequence, never of a
/// flag (`🧔🏻‍♂️` leaves `π§π»ββοΈ`, and `π§π»` reads as 🇧🇻 too).
fn plan_run(run: &[Remnant], after_run: Option<char>, line_start: bool, joined: (bool, bool)) -> Vec<Step> {
    let n = run.len();
    let mut best = vec![0usize; n + 2];
    let mut takes_flag = vec![None; n];
    for k in (0..n).rev() {
        let following = if k + 1 == n { [after_run, None, None, None] } else { [Some('π'), None, None, None] };
        // A run of four-byte remnants is emoji all along.
        let context = Context { before: None, following, quote_open: false, line_start, in_emoji: true };
        let single = usize::from(resolve(&run[k], &context).is_some()) + best[k + 1];
        best[k] = single;
        let next_to_joiner = (joined.0 && k == 0) || (joined.1 && k + 2 == n);
        if let Some(flag) = flag_at(run, k).filter(|_| !next_to_joiner) {
            let worth = if run[k].count == 0 || run[k + 1].count == 0 { 2 } else { 3 };
            if worth + best[k + 2] > single {
                best[k] = worth + best[k + 2];
                takes_flag[k] = Some(flag);
            }
        }
    }
    let mut steps = Vec::with_capacity(n);
    let mut k = 0;
    while k < n {
        match takes_flag[k].take() {
            Some(flag) => {
                steps.push(Step::Flag(flag));
                k += 2;
            }
            None => {
                steps.push(Step::Single(k));
                k += 1;
            }
        }
    }
    steps
}

/// Reads a single remnant, or `None` when it is ambiguous.
fn resolve(remnant: &Remnant, context: &Context) -> Option<char> {
    let survivors = remnant.survivors();
    let lead = remnant.lead;
    // In the real files an NBSP byte (0xA0) before a space was folded into
    // it, so there it counts among the bytes that may be lost.
    let mut lost = LOST_CONTINUATIONS.to_vec();
    if context.after().is_none_or(char::is_whitespace) {
        lost.push(0xA0);
    }
    match remnant.needed {
        1 => only(candidates(&[lead], survivors, 1, &LOST_CONTINUATIONS, |c| !c.is_control())),
        2 => {
            if survivors.len() == 2 {
                return decode_one(&[lead, survivors[0], survivors[1]]);
            }
            // `β¦`: the ellipsis (E2 80 A6) is what English text uses; ♦
            // (E2 99 A6) fits the bytes too, and inside an emoji sequence
            // (before a variation selector) it is an emoji's remnant.
            if (lead, survivors) == (0xE2, &[0xA6][..]) && !context.in_emoji {
                return Some('…');
            }
            if let Some(c) = choose(&candidates(&[lead], survivors, 2, &lost, is_emoji), context) {
                return Some(c);
            }
            match (lead, survivors) {
                (0xE2, []) => punctuation_from_context(context),
                // VS16 (EF B8 8F) after an emoji.
                (0xEF, [0xB8]) if context.before.is_some_and(|b| b.is_emoji_char() && !b.is_ascii()) => {
                    Some('\u{FE0F}')
                }
                _ => None,
            }
        }
        _ => {
            if survivors.len() == 3 {
                return decode_one(&[lead, survivors[0], survivors[1], survivors[2]]);
            }
            if lead != 0xF0 {
                return None;
            }
            // Every emoji's second byte is 0x9F, a C1 byte: lost, unless the
            // decoder kept the C1 bytes, and then it is among the survivors.
            if survivors.first().is_some_and(|&b| b < 0xA0) {
                return choose(&candidates(&[0xF0], survivors, 3, &lost, is_emoji), context);
            }
            if survivors.len() == 2 {
                return decode_one(&[0xF0, 0x9F, survivors[0], survivors[1]]);
            }
            choose(&candidates(&[0xF0, 0x9F], survivors, 2, &lost, is_emoji), context)
        }
    }
}

/// `β` with both continuation bytes lost, read from its neighbours.
fn punctuation_from_context(context: &Context) -> Option<char> {
    let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let (before, after) = (context.before, context.after());
    if context.line_start || context.in_emoji {
        // A header's emoji (✈, ⚖, ✅ are E2 9x xx too), or part of an emoji
        // sequence (a joiner, or a symbol before its variation selector),
        // not a dash.
        return None;
    }
    if space(before) && space(after) {
        return Some('—');
    }
    if digit(before) && digit(after) {
        return Some('–');
    }
    if letter(before) && letter(after) {
        return Some(if context.contraction_follows() { '’' } else { '—' });
    }
    if space(before) || before == Some('(') {
        return letter(after).then_some('“');
    }
    if letter(before) || before.is_some_and(|b| matches!(b, '.' | ',' | '!' | '?')) {
        return Some(if context.quote_open { '”' } else { '’' });
    }
    None
}

/// Repairs a damaged document. Call only when [`is_damaged`] holds.
pub fn repair(text: &str) -> Repair {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut restored = 0usize;
    let mut removed = 0usize;
    let mut quote_open = false;
    // Whether only Markdown markup precedes the current position on its
    // line (a header's emoji comes next). Kept as text is written, not
    // found by looking back, so a long line costs no more than a short one.
    let mut line_start = true;
    // Where the last damaged emoji (or part of an emoji sequence) ended, and
    // the last damaged joiner.
    let mut emoji_ends_at = None;
    let mut joiner_ends_at = None;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '\n' || c == '\r' {
            quote_open = false;
        }
        let lead = byte_of(c).and_then(|b| Some((b, continuations(b)?)));
        let before = out.chars().next_back();
        let in_greek_word = before.is_some_and(|b| is_greek_lead_letter(b) && b != 'π');
        let Some(lead) = lead.filter(|_| !in_greek_word) else {
            push_kept(&mut out, &mut line_start, c);
            i += 1;
            continue;
        };
        // A run of damaged emoji sequences is read as a whole, for flags.
        let mut j = i;
        let mut run = vec![read_remnant(&chars, &mut j, lead)];
        while lead.0 == 0xF0 && chars.get(j) == Some(&'π') {
            run.push(read_remnant(&chars, &mut j, lead));
        }
        let after_run = chars.get(j).copied();
        // No Greek word starts with `πβ` or `ββ`, nor holds `οΈ`: those are a
        // damaged emoji, joiner (`πβπ¨` is 😮‍💨) or variation selector.
        let before_joiner = matches!(lead.0, 0xE2 | 0xF0) && after_run == Some('β');
        let greek_neighbour = after_run.is_some_and(|a| is_greek_lead_letter(a) && a != 'π')
            && !before_joiner
            && !variation_selector_at(&chars, j);
        if run.len() == 1 && run[0].count == 0 && (greek_neighbour || greek_word_beside(&out, &chars, j)) {
            // A Greek letter inside a Greek word, or a one-letter Greek word
            // (`ο`, `Η`), not damage.
            push_kept(&mut out, &mut line_start, c);
            i += 1;
            continue;
        }
        let run_at_line_start = line_start;
        let in_emoji = emoji_ends_at == Some(i) || damaged_emoji_at(&chars, j);
        let written = out.len();
        let joiner_follows =
            after_run == Some('β') && (damaged_emoji_at(&chars, j + 1) || chars.get(j + 1) == Some(&'β'));
        let joined = (joiner_ends_at == Some(i), joiner_follows);
        for step in plan_run(&run, after_run, run_at_line_start, joined) {
            let k = match step {
                Step::Flag(flag) => {
                    out.push_str(&flag);
                    line_start = false;
                    restored += 1;
                    continue;
                }
                Step::Single(k) => k,
            };
            let is_last = k + 1 == run.len();
            let mut following = [None; 4];
            if is_last {
                for (slot, n) in following.iter_mut().zip(j..) {
                    *slot = chars.get(n).copied();
                }
            } else {
                following[0] = Some('π');
            }
            let context = Context {
                before: out.chars().next_back(),
                following,
                quote_open,
                line_start: run_at_line_start,
                in_emoji,
            };
            match run.get(k).and_then(|remnant| resolve(remnant, &context)) {
                Some(ch) => {
                    if ch == '“' {
                        quote_open = true;
                    } else if ch == '”' {
                        quote_open = false;
                    }
                    out.push(ch);
                    line_start = false;
                    restored += 1;
                }
                None => removed += 1,
            }
        }
        // A lone lead letter inside an emoji sequence (a joiner) carries it on.
        let joiner = in_emoji && run[0].count == 0;
        let emoji =
            lead.0 == 0xF0 || variation_selector_at(&chars, i) || joiner || out[written..].chars().any(is_emoji);
        emoji_ends_at = emoji.then_some(j);
        joiner_ends_at = (joiner && lead.0 == 0xE2).then_some(j);
        if out.len() == written {
            j += tidy_removal(&mut out, chars.get(j).copied());
        }
        i = j;
    }
    Repair { text: out, restored, removed }
}

/// Whether a lone letter that ends at `chars[j]` is a word of its own
/// (nothing but a space or punctuation follows it; not `βοΈ`) with a Greek
/// word one space away: before it (the end of `out`) or after it. Then it
/// is a one-letter Greek word (`και ο πυρήνας`), not a remnant.
fn greek_word_beside(out: &str, chars: &[char], j: usize) -> bool {
    let greek = |c: Option<&char>| c.is_some_and(|&c| is_greek_lead_letter(c));
    if chars.get(j).is_some_and(|c| c.is_alphanumeric()) {
        return false;
    }
    let mut written = out.chars().rev();
    let before = written.next() == Some(' ') && greek(written.next().as_ref());
    let after = chars.get(j) == Some(&' ') && greek(chars.get(j + 1)) && greek(chars.get(j + 2));
    before || after
}

/// After a damaged sequence was removed, drops the space it leaves doubled,
/// or leading or trailing on its line: the space written before it, or
/// `next`, the one after it (then returns 1, to skip it).
fn tidy_removal(out: &mut String, next: Option<char>) -> usize {
    let before = out.chars().next_back();
    let line_start = before.is_none_or(|b| b == '\n' || b == '\r');
    match next {
        Some(' ') if line_start || before == Some(' ') => 1,
        None | Some('\n' | '\r') if before == Some(' ') => {
            out.pop();
            0
        }
        _ => 0,
    }
}

/// Writes a character that needs no repair, noting whether its line still
/// holds only Markdown markup.
fn push_kept(out: &mut String, line_start: &mut bool, c: char) {
    out.push(c);
    if c == '\n' || c == '\r' {
        *line_start = true;
    } else if !matches!(c, '#' | ' ' | '-' | '*') {
        *line_start = false;
    }
}

/// Reads the remnant starting at `chars[*j]` (its lead byte and the
/// continuation bytes it calls for are `lead`) and moves `*j` past it.
fn read_remnant(chars: &[char], j: &mut usize, (lead, needed): (u8, usize)) -> Remnant {
    let mut remnant = Remnant { lead, needed, survivors: [0; 3], count: 0 };
    *j += 1;
    while remnant.count < remnant.needed {
        match chars.get(*j).copied().and_then(continuation_of) {
            Some(byte) => {
                remnant.survivors[remnant.count] = byte;
                remnant.count += 1;
                *j += 1;
            }
            _ => break,
        }
    }
    remnant
}

/// A flag made of the remnants at `k` and `k + 1`, if they are regional
/// indicators that make an RGI flag (a bare `π` standing for the lost `I`).
fn flag_at(run: &[Remnant], k: usize) -> Option<String> {
    let first = run.get(k)?;
    let second = run.get(k + 1)?;
    let (a, b) = (first.regional_indicator()?, second.regional_indicator()?);
    if first.count == 0 && second.count == 0 {
        return None;
    }
    flag_string(a, b)
}

fn flag_string(a: u32, b: u32) -> Option<String> {
    let indicator = |n: u32| char::from_u32(0x1F1E6 + n);
    let flag: String = [indicator(a)?, indicator(b)?].iter().collect();
    emojis::get(&flag).is_some().then_some(flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gloss_testkit::damage;

    fn damaged(text: &str) -> String {
        String::from_utf8(damage(text)).unwrap()
    }

    /// `text` damaged by a decoder that keeps what ISO-8859-7 has no
    /// character for: the C1 bytes as C1 controls, the undefined bytes as
    /// U+FFFD. Every byte survives.
    fn damaged_keeping_bytes(text: &str) -> String {
        encoding_rs::ISO_8859_7.decode_without_bom_handling(text.as_bytes()).0.into_owned()
    }

    fn round_trip(text: &str) -> String {
        let damaged = damaged(text);
        assert!(is_damaged(&damaged), "no signature in {damaged:?}");
        repair(&damaged).text
    }

    #[test]
    fn restores_the_real_files_signs() {
        let text = "π¨π³ China's Open-Source AI 3 insights\nπ§ Reasoning Models 2 insights\n\
                    πΊπΈ US Response 3 insights\nChatGPT β The Super Assistant Era\n\
                    A Halloween Special. ππ₯BG2 w/ Brad Gerstner";
        assert!(is_damaged(text));
        let repair = repair(text);
        assert_eq!(
            repair.text,
            "🇨🇳 China's Open-Source AI 3 insights\n🧠 Reasoning Models 2 insights\n\
             🇺🇸 US Response 3 insights\nChatGPT — The Super Assistant Era\n\
             A Halloween Special. BG2 w/ Brad Gerstner"
        );
        assert_eq!((repair.restored, repair.removed), (4, 2));
        assert_eq!(
            repair.warning(),
            "some emoji and punctuation in this file were damaged when it was saved in the wrong encoding; \
             4 characters were repaired, and 2 damaged characters that could not be recovered were removed from the text"
        );
    }

    #[test]
    fn a_long_damaged_line_is_repaired_in_one_pass() {
        // Regression (hostile corpus): each remnant looked back to its line's
        // start, so a 4 MiB line of remnants took hours.
        let line = "chips π¨π³ ".repeat(50_000);
        let repair = repair(&format!("# π§ Header\n{line}"));
        assert_eq!(repair.restored, 50_001);
        assert!(repair.text.starts_with("# 🧠 Header\nchips 🇨🇳 chips 🇨🇳"));
    }

    #[test]
    fn restores_every_flag() {
        let flags: Vec<&str> = emojis::iter()
            .map(|e| e.as_str())
            .filter(|s| s.chars().count() == 2 && s.chars().all(unicode_properties::emoji::is_regional_indicator))
            .collect();
        assert!(flags.len() > 250);
        for flag in flags {
            let text = format!("{flag} Section title 2 insights");
            assert_eq!(round_trip(&text), text, "{flag}");
        }
    }

    #[test]
    fn restores_runs_of_flags_including_the_lost_i() {
        let text = "🇮🇳🇨🇳 and 🇨🇳🇮🇳 and 🇮🇹 Italy";
        assert_eq!(round_trip(text), text);
    }

    #[test]
    fn restores_emoji_whose_bytes_survive_and_removes_the_rest() {
        // U+1F900..=U+1F9FF with both low bytes in 0xA0..=0xBF survive whole.
        assert_eq!(round_trip("Try 🧠 and 🥰 now"), "Try 🧠 and 🥰 now");
        // 🔥 (F0 9F 94 A5) leaves only `π₯`: dozens of emoji fit. It goes
        // with the space it would leave doubled.
        assert_eq!(round_trip("🇨🇳 Hot 🔥 take"), "🇨🇳 Hot take");
        // In a header, the one usual emoji among them would be taken, but
        // 🥇 (F0 9F A5 87) is usual too, so both stay ambiguous.
        assert_eq!(round_trip("🔥 Hot takes 2 insights"), "Hot takes 2 insights");
        assert_eq!(round_trip("🥇 Winners 2 insights"), "Winners 2 insights");
        // 😀 leaves a bare `π`.
        assert_eq!(round_trip("🇨🇳 Smile 😀 please"), "🇨🇳 Smile please");
    }

    #[test]
    fn usual_header_emoji_come_back_right_or_not_at_all() {
        let mut restored = 0;
        for &emoji in USUAL_EMOJI {
            // As in the real files: the NBSP byte folded into the space.
            let damaged = damaged(&format!("🇨🇳 x\n{emoji} Title 2 insights")).replace("\u{a0} ", " ");
            let text = repair(&damaged).text;
            let header = text.lines().nth(1).unwrap();
            assert!(header == format!("{emoji} Title 2 insights") || header == "Title 2 insights", "{emoji}: {header}");
            restored += usize::from(header.starts_with(emoji));
            if emoji == '🧠' {
                assert!(header.starts_with(emoji));
            }
        }
        // Most usual emoji share their remnant with another usual one; those
        // are removed. The rest, 🧠 among them, come back.
        assert!(restored >= 12, "only {restored} restored");
    }

    #[test]
    fn restores_dashes_and_apostrophes_between_words() {
        let text = "🇨🇳 A — B, it’s 2020–2024, “quoted” and done—really…";
        assert_eq!(round_trip(text), text);
        // ⚡ (E2 9A A1) and ➡ (E2 9E A1) leave the same `β‘`: removed.
        assert_eq!(round_trip("🇨🇳 Fast ⚡ now"), "🇨🇳 Fast now");
    }

    #[test]
    fn joiners_and_symbols_before_a_variation_selector_are_not_dashes() {
        // ⚛️ leaves `βοΈ`: a lone `β`, but before a VS16, so not a dash.
        assert_eq!(round_trip("🇨🇳 Atoms ⚛️ split"), "🇨🇳 Atoms split");
        // 👩‍🔬 leaves `π©βπ¬`: both emoji fit dozens; the joiner goes too.
        assert_eq!(round_trip("🇨🇳 A 👩‍🔬 works"), "🇨🇳 A works");
        // ♦️ leaves `β¦οΈ`: before a VS16 an emoji, not `…`; several fit.
        assert_eq!(round_trip("🇨🇳 Suit ♦️ led"), "🇨🇳 Suit led");
        // ❤️‍🔥 leaves `β€οΈβπ₯`: the heart and its VS16 come back.
        assert_eq!(round_trip("🇨🇳 Love ❤️‍🔥 it"), "🇨🇳 Love ❤️ it");
    }

    #[test]
    fn a_removed_emoji_takes_a_space_but_not_the_dash_after_it() {
        assert_eq!(round_trip("🇨🇳 Hot 🔥 — take"), "🇨🇳 Hot — take");
        assert_eq!(round_trip("🇨🇳 Hot 🔥\nNext"), "🇨🇳 Hot\nNext");
        assert_eq!(round_trip("🇨🇳 x\n## 🔥 Hot"), "🇨🇳 x\n## Hot");
    }

    #[test]
    fn restores_accented_letters_whose_bytes_survive() {
        assert_eq!(round_trip("🇨🇳 Café Zoë"), "🇨🇳 Café Zoë");
    }

    #[test]
    fn keeps_variation_selectors_after_restored_emoji() {
        // 🛠 leaves `π` + NBSP: ambiguous, so it and its VS16 go, and so
        // does the space they would leave doubled.
        assert_eq!(round_trip("🇨🇳 x 🛠️ Tools"), "🇨🇳 x Tools");
        assert_eq!(round_trip("🧠 ❤️ x"), "🧠 ❤️ x");
    }

    #[test]
    fn leaves_greek_text_alone() {
        let greek = "Η ομάδα ξεκίνησε το πρόγραμμα. Το εμβαδόν είναι πr², και β = 2. «Φίλιππος» — σ’ αγαπώ";
        assert!(!is_damaged(greek));
    }

    #[test]
    fn undamaged_english_is_not_flagged() {
        assert!(!is_damaged("The area is π r² and β is 0.5 — plain text."));
        assert!(is_damaged("Alpha β Beta and Gamma β Delta"));
        assert!(!is_damaged("🇨🇳 China — clean emoji 3 insights"));
    }

    /// What the repair may make of a damaged `symbol` (and `vs`, a VS16 or
    /// nothing) that stood in `line` as `before{symbol}{vs}after`, besides
    /// giving it back or removing it: the readings the module documents.
    fn documented_reading(got: &str, (before, after): (&str, &str), symbol: char, vs: &str) -> bool {
        let Some(reading) = got.strip_prefix(before).and_then(|g| g.strip_suffix(after)) else { return false };
        let mut chars = reading.chars();
        let (Some(x), rest) = (chars.next(), chars.as_str()) else { return false };
        if !(rest.is_empty() || rest == vs) {
            return false;
        }
        let header = before.is_empty();
        let symbol_is_emoji = is_emoji(symbol);
        // A lone `β` (both continuation bytes lost), or `β¦`, read from its
        // neighbours, when no variation selector says it was an emoji.
        let damage = damaged(&symbol.to_string());
        let punctuation = vs.is_empty() && ((damage == "β¦" && x == '…') || (!header && damage == "β"));
        // A symbol with no emoji form keeps no variation selector.
        (x == symbol && rest.is_empty() && !symbol.is_emoji_char())
            || (punctuation && "—–’“”…".contains(x))
            // The one emoji a symbol's remnant fits, read as that emoji.
            || (!symbol_is_emoji && is_emoji(x))
            // In a header, the one usual emoji among several that fit.
            || (header && USUAL_EMOJI.contains(&x))
    }

    #[test]
    fn every_damaged_symbol_is_restored_or_removed_cleanly() {
        // General Punctuation to Miscellaneous Symbols and Arrows (E2 xx xx),
        // and the emoji planes' blocks (F0 9F xx xx), bare and with VS16, at
        // a header's start and inside a sentence.
        let symbols = ('\u{2000}'..='\u{2BFF}').chain('\u{1F000}'..='\u{1FAFF}');
        let places = [("", " Title 2 insights"), ("We saw ", " today.")];
        for symbol in symbols {
            for vs in ["", "\u{FE0F}"] {
                for (before, after) in places {
                    let line = format!("{before}{symbol}{vs}{after}");
                    let removed = format!("{before}{after}").trim().replace("  ", " ");
                    // The flag marks the document as damaged.
                    let text = format!("🇨🇳 China 3 insights\n{line}");

                    let kept = damaged_keeping_bytes(&text);
                    assert!(is_damaged(&kept), "{kept:?}");
                    assert_eq!(repair(&kept).text, text, "every byte of {symbol:?}{vs} was kept");

                    let dropped = damaged(&text);
                    assert!(is_damaged(&dropped), "{dropped:?}");
                    let repaired = repair(&dropped).text;
                    let got = repaired.lines().nth(1).unwrap_or_default();
                    let remnant = |c: char| ('\u{370}'..='\u{3FF}').contains(&c) || is_kept_byte(c);
                    assert!(!got.contains(remnant), "{symbol:?}{vs}: {dropped:?} became {got:?}");
                    assert!(
                        got == line || got == removed || documented_reading(got, (before, after), symbol, vs),
                        "{symbol:?}{vs}: {dropped:?} became {got:?}"
                    );
                }
                let alone = format!("We saw {symbol}{vs} today.");
                if !vs.is_empty() {
                    // A damaged VS16 alone marks the document.
                    assert!(is_damaged(&damaged(&alone)), "{symbol:?}{vs}");
                }
                let kept = damaged_keeping_bytes(&alone);
                if kept.contains(is_kept_byte) {
                    // So does a kept C1 byte.
                    assert!(is_damaged(&kept), "{kept:?}");
                }
            }
        }
    }

    #[test]
    fn every_damaged_emoji_sequence_comes_back_whole_in_parts_or_not_at_all() {
        // ZWJ sequences (👩‍🔬, ❤️‍🔥, 🏳️‍🌈): the joiner (E2 80 8D) loses
        // both continuation bytes and reads `β`, never a dash or a quote.
        let every = emojis::iter().flat_map(|e| e.skin_tones().map_or_else(|| vec![e], Iterator::collect));
        let sequences = every.map(|e| e.as_str()).filter(|e| e.contains('\u{200D}'));
        let mut count = 0;
        for emoji in sequences {
            count += 1;
            let text = format!("🇨🇳 China 3 insights\nWe saw {emoji} today.");
            assert_eq!(repair(&damaged_keeping_bytes(&text)).text, text);
            let repaired = repair(&damaged(&text)).text;
            let got = repaired.lines().nth(1).unwrap_or_default();
            let reading = got.strip_prefix("We saw").and_then(|g| g.strip_suffix("today.")).unwrap_or("?");
            let reading = reading.trim();
            // Each part restored exactly or removed, in order.
            let mut parts = emoji.chars();
            assert!(reading.chars().all(|c| parts.any(|p| p == c)), "{emoji}: {got:?}");
            assert!(
                !reading.starts_with(['\u{200D}', '\u{FE0F}']) && !reading.ends_with('\u{200D}'),
                "{emoji}: {got:?}"
            );
            assert!(!got.contains("  "), "{emoji}: {got:?}");
        }
        assert!(count > 1000, "only {count} sequences");
    }

    #[test]
    fn greek_words_next_to_damaged_symbols_survive() {
        // `αβέβαιος` starts like a lone `α` before a damaged `β`; `Φυσική`
        // follows a damaged ⚛️ (`βοΈ`); `πβ` and `ββ` start no Greek word.
        let text = |atom: &str, scientist: &str| {
            format!("{atom} Φυσική 2 insights\nΗ λέξη αβέβαιος μένει, {scientist} και ο πυρήνας {atom} μένει.")
        };
        let dropped = text(&damaged("⚛️"), &damaged("👩‍🔬"));
        assert_eq!(repair(&dropped).text, "Φυσική 2 insights\nΗ λέξη αβέβαιος μένει, και ο πυρήνας μένει.");
        let kept = text(&damaged_keeping_bytes("⚛️"), &damaged_keeping_bytes("👩‍🔬"));
        assert_eq!(repair(&kept).text, text("⚛️", "👩‍🔬"));
    }

    #[test]
    fn greek_words_inside_a_damaged_file_survive() {
        let text = "π¨π³ China 3 insights\nThe word φιλόσοφος stays, and so does Φίλιππος.";
        assert_eq!(repair(text).text, "🇨🇳 China 3 insights\nThe word φιλόσοφος stays, and so does Φίλιππος.");
    }
}
