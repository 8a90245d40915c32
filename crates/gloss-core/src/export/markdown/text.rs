//! The escapes the templates' filters apply: Markdown that shows user text
//! as written, never as markup or HTML, and YAML scalars.

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
pub fn note(text: &str) -> String {
    text.trim_matches('\n').replace('<', "&lt;")
}

/// A quote as a Markdown block quote, line by line, escaped as plain text
/// (it is the episode's words, not Markdown). No newline at the end.
pub fn block_quote(text: &str) -> String {
    let lines: Vec<String> =
        text.lines().map(|line| if line.is_empty() { ">".to_owned() } else { format!("> {}", plain(line)) }).collect();
    lines.join("\n")
}

/// `text` as one YAML scalar, quoted when YAML would read it otherwise.
pub fn yaml_scalar(text: &str) -> String {
    serde_yaml_ng::to_string(text).map(|yaml| yaml.trim_end_matches('\n').to_owned()).unwrap_or_default()
}

/// An item Gloss owns (see [`super::regions`]): `owned` as the template
/// wrote it, then, when the item has a note, the note as [`note`] writes it.
pub fn item(key: &str, owned: &str, note: Option<&str>) -> String {
    let mut out = String::new();
    super::regions::Item { key: key.to_owned(), owned: lines(owned), note: note.map(|text| lines(&self::note(text))) }
        .write(&mut out);
    out.pop();
    out
}

/// `text` with a newline at its end unless it is empty.
fn lines(text: &str) -> String {
    match text.is_empty() || text.ends_with('\n') {
        true => text.to_owned(),
        false => format!("{text}\n"),
    }
}

/// A note as read back from a file: the inverse of [`note`].
pub fn unnote(text: &str) -> String {
    text.replace("&lt;", "<")
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
