//! Indentation: how far a line is indented, and the text of an indented
//! block, which keeps its shape (code, a table lined up with spaces).

use crate::lines::is_inline_space;
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Columns between tab stops, as most editors show a tab.
const TAB_WIDTH: usize = 4;

/// A line indented this many columns or more starts or continues an
/// indented block, as in Markdown.
pub const BLOCK_INDENT: usize = 4;

/// The columns of a raw line's leading spaces, tabs and no-break spaces.
pub fn columns(raw: &str) -> usize {
    let mut column = 0;
    for c in raw.chars().take_while(|&c| is_inline_space(c)) {
        column = next_column(column, c);
    }
    column
}

fn next_column(column: usize, c: char) -> usize {
    if c == '\t' {
        (column / TAB_WIDTH + 1) * TAB_WIDTH
    } else {
        column + 1
    }
}

/// The text of an indented block from its raw lines: tabs expanded to
/// spaces and no-break spaces made spaces, each line in NFC without its
/// trailing spaces, less the indentation all its lines share; the spacing
/// inside the lines is kept. Every line must hold more than spaces.
pub fn preformatted<S: AsRef<str>>(raw: &[S]) -> String {
    let lines: Vec<String> = raw.iter().map(|line| expand(line.as_ref())).collect();
    let shared = lines.iter().map(|line| line.len() - line.trim_start_matches(' ').len()).min().unwrap_or(0);
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        text.push_str(&line[shared..]);
    }
    text
}

/// One line with its tabs expanded and no-break spaces made spaces, in NFC,
/// without trailing white space.
fn expand(raw: &str) -> String {
    let nfc: Cow<'_, str> = if is_nfc_quick(raw.chars()) == IsNormalized::Yes {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(raw.nfc().collect())
    };
    let mut line = String::with_capacity(nfc.len());
    let mut column = 0;
    for c in nfc.trim_end().chars() {
        let next = next_column(column, c);
        if is_inline_space(c) {
            line.extend(std::iter::repeat_n(' ', next - column));
        } else {
            line.push(c);
        }
        column = next;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_reach_the_next_stop() {
        assert_eq!(columns("    x"), 4);
        assert_eq!(columns("\tx"), 4);
        assert_eq!(columns("  \tx"), 4);
        assert_eq!(columns("\u{a0}x"), 1);
        assert_eq!(columns("x  "), 0);
    }

    #[test]
    fn a_block_keeps_its_relative_indentation_and_inner_spacing() {
        let raw = ["    fn main() {", "\t    println!(\"hi\");  ", "    }"];
        assert_eq!(preformatted(&raw), "fn main() {\n    println!(\"hi\");\n}");
        let table = ["      kWh    price", "      12     3,40\u{a0}€"];
        assert_eq!(preformatted(&table), "kWh    price\n12     3,40 €");
    }
}
