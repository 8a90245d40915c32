//! Stage 1, exact-position check: the stored offsets still hold the quote.

use super::normalize::NormText;
use super::selector::{Selector, Span};

/// The stored span, if the text there is still exactly the quote.
pub(crate) fn check(text: &NormText, selector: &Selector) -> Option<Span> {
    let span = selector.stored_span()?;
    let here = text.raw.get(span.start..span.end)?;
    here.iter().copied().eq(selector.exact.chars()).then_some(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::describe;

    #[test]
    fn unchanged_position_is_confirmed() {
        let s = describe("one two three", 4, 7).unwrap();
        assert_eq!(check(&NormText::new("one two three"), &s), Some(Span { start: 4, end: 7 }));
    }

    #[test]
    fn shifted_or_corrupt_positions_are_not() {
        let mut s = describe("one two three", 4, 7).unwrap();
        assert_eq!(check(&NormText::new("zero one two three"), &s), None);
        s.start = 40;
        s.end = 43;
        assert_eq!(check(&NormText::new("one two three"), &s), None);
    }
}
