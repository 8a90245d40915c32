//! List item markers as notes files write them: the bullets of Markdown
//! and of word processors, and numbers followed by `.` or `)`.

/// Bullets that start a list item: Markdown's `-`, `*` and `+`, and the
/// `•`, `◦`, `▪` and `‣` that text pasted from a word processor carries.
const BULLETS: [char; 7] = ['-', '*', '+', '•', '◦', '▪', '‣'];

/// A normalised line's list marker and the item's text after it, when the
/// line is a list item: a bullet, or a number of one to three digits with
/// `.` or `)` (`2024.` is a year, not an item), then a space, then text that
/// is more than further marks (`* * *` and `- - -` are rules).
pub fn split(line: &str) -> Option<(&str, &str)> {
    let marker_len = bullet_len(line).or_else(|| number_len(line))?;
    let (marker, rest) = line.split_at(marker_len);
    let text = rest.strip_prefix(' ')?;
    let is_rule = text.chars().all(|c| c == ' ' || c == '_' || BULLETS.contains(&c));
    (!is_rule).then_some((marker, text))
}

fn bullet_len(line: &str) -> Option<usize> {
    line.chars().next().filter(|c| BULLETS.contains(c)).map(char::len_utf8)
}

/// The length of a number marker (`3.`, `12)`) at the start of `line`.
pub fn number_len(line: &str) -> Option<usize> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let closed = matches!(line.as_bytes().get(digits), Some(b'.' | b')'));
    ((1..=3).contains(&digits) && closed).then_some(digits + 1)
}

/// Whether a marker numbers its item (`3.`, `2)`) rather than bulleting it.
pub fn is_number(marker: &str) -> bool {
    number_len(marker).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_and_numbers_mark_items() {
        assert_eq!(split("- eggs"), Some(("-", "eggs")));
        assert_eq!(split("* eggs"), Some(("*", "eggs")));
        assert_eq!(split("• eggs"), Some(("•", "eggs")));
        assert_eq!(split("1. Heat the pan."), Some(("1.", "Heat the pan.")));
        assert_eq!(split("12) Serve."), Some(("12)", "Serve.")));
        assert!(is_number("12)") && !is_number("•"));
    }

    #[test]
    fn text_that_only_looks_like_a_marker_is_not_an_item() {
        for line in ["-eggs", "**bold** text", "2024. A good year.", "1.5 litres", "* * *", "- - -", "-", "1."] {
            assert_eq!(split(line), None, "{line}");
        }
    }
}
