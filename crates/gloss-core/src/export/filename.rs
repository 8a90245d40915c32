//! File names for exported episodes, made from titles the user never chose
//! with file systems in mind: `../../etc/passwd`, `CON`, 400 characters of
//! emoji. A name made here is one plain component (no separator, no `..`,
//! nothing hidden), valid on Windows, macOS and Linux, short enough for any
//! of them, and unique in its folder whatever the case rules there.

use std::collections::HashSet;

/// Longest stem, in UTF-8 bytes: file systems allow 255 for the whole name,
/// and a ` (12).gloss-new.md` suffix must still fit.
const MAX_STEM_BYTES: usize = 120;

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A safe stem for `title` (`fallback` when nothing of it is usable).
pub fn stem(title: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        // One space, one dot at a time: no `..`, no runs of blanks.
        if (c == ' ' || c == '.') && out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    // Leading dots hide files; trailing dots and spaces vanish on Windows.
    let mut stem = truncate(out.trim_matches(|c| c == ' ' || c == '.'), MAX_STEM_BYTES);
    stem.truncate(stem.trim_end_matches(['.', ' ']).len());
    if stem.is_empty() {
        return fallback.to_owned();
    }
    let device = stem.split('.').next().unwrap_or("").trim_end().to_lowercase();
    if RESERVED.contains(&device.as_str()) {
        stem.insert(0, '_');
    }
    stem
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Hands out names that differ from every name taken so far, ignoring case
/// (`Title.md`, `Title (2).md`, ...).
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// Marks `name` as used (a file already in the folder).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_lowercase());
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&name.to_lowercase())
    }

    /// A free name `<stem>.<extension>` or `<stem> (N).<extension>`, now taken.
    pub fn unique(&mut self, stem: &str, extension: &str) -> String {
        let mut name = format!("{stem}.{extension}");
        let mut n = 2;
        while self.is_taken(&name) {
            name = format!("{stem} ({n}).{extension}");
            n += 1;
        }
        self.reserve(&name);
        name
    }
}

/// Whether `name` is one plain component that stays in the folder it is
/// joined to: what every name written is checked against.
pub fn is_plain(name: &str) -> bool {
    let mut components = std::path::Path::new(name).components();
    matches!(components.next(), Some(std::path::Component::Normal(_)))
        && components.next().is_none()
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_titles_become_plain_names() {
        assert_eq!(stem("../../etc/passwd", "x"), "-.-etc-passwd");
        assert_eq!(stem("..", "fallback"), "fallback");
        assert_eq!(stem("CON", "x"), "_CON");
        assert_eq!(stem("con.txt", "x"), "_con.txt");
        assert_eq!(stem("Console", "x"), "Console");
        assert_eq!(stem("a:b*c?\"d\"<e>|f\\g", "x"), "a-b-c--d--e--f-g");
        assert_eq!(stem(" \tline\nbreak ...", "x"), "line break");
        let long = stem(&"🧠".repeat(100), "x");
        assert!(long.len() <= MAX_STEM_BYTES && long.chars().all(|c| c == '🧠'), "{long}");
        for title in ["../../etc/passwd", "CON", ".hidden", "a/b", "..\\..\\x", "\u{0}", ""] {
            assert!(is_plain(&format!("{}.md", stem(title, "episode-1"))), "{title:?}");
        }
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let mut names = Names::default();
        names.reserve("Title.md");
        assert_eq!(names.unique("title", "md"), "title (2).md");
        assert_eq!(names.unique("TITLE", "md"), "TITLE (3).md");
        assert_eq!(names.unique("Other", "md"), "Other.md");
    }
}
