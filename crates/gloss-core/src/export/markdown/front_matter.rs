//! The front matter of an exported file, merged property by property:
//! Gloss rewrites the properties it owns (those its template writes, and
//! those it wrote before, so a property it no longer writes goes away) and
//! leaves every other line where it is: the user's own properties, their
//! order, comments and blank lines.

/// A file split at its front matter.
pub struct Split<'a> {
    /// The YAML between the `---` lines, with its last newline.
    pub front: Option<&'a str>,
    pub body: &'a str,
}

pub fn split(text: &str) -> Split<'_> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Split { front: None, body: text };
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Split { front: Some(&rest[..offset]), body: &rest[offset + line.len()..] };
        }
        offset += line.len();
    }
    Split { front: None, body: text }
}

/// One property with its continuation lines, or a line of no property.
struct Block<'a> {
    key: Option<String>,
    text: &'a str,
}

fn blocks(yaml: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block> = Vec::new();
    let mut start = 0;
    let mut key = None;
    let mut offset = 0;
    for line in yaml.split_inclusive('\n') {
        let continues = line.starts_with([' ', '\t', '-']) && key.is_some();
        if !continues && offset > start {
            out.push(Block { key: key.take(), text: &yaml[start..offset] });
            start = offset;
        }
        if !continues {
            key = property(line);
        }
        offset += line.len();
    }
    if offset > start {
        out.push(Block { key, text: &yaml[start..offset] });
    }
    out
}

/// The property a line starts, if it starts one.
fn property(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then(|| key.to_owned())
}

/// `existing` with the properties Gloss owns taken from `rendered`;
/// `owned_before` are those Gloss wrote last time. Answers the YAML and
/// the properties Gloss owns now.
pub fn merge(existing: &str, rendered: &str, owned_before: &[String]) -> (String, Vec<String>) {
    let new = blocks(rendered);
    let owned: Vec<String> = new.iter().filter_map(|b| b.key.clone()).collect();
    let mut out = String::with_capacity(existing.len() + rendered.len());
    let mut written = std::collections::HashSet::new();
    for block in blocks(existing) {
        let Some(key) = block.key.as_ref().filter(|k| owned.contains(k) || owned_before.contains(k)) else {
            out.push_str(block.text);
            continue;
        };
        if let Some(fresh) = new.iter().find(|b| b.key.as_ref() == Some(key)) {
            if written.insert(key.clone()) {
                out.push_str(fresh.text);
            }
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for block in &new {
        if block.key.as_ref().is_some_and(|k| !written.contains(k)) {
            out.push_str(block.text);
        }
    }
    (out, owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gloss_rewrites_its_properties_and_keeps_the_users() {
        let existing =
            "# my comment\naliases: [IPO]\ntitle: Old\ntags:\n- a\n- b\nrating: 5 # out of 5\nreview_due: 2026-01-01\n";
        let rendered = "title: New\ntags:\n- c\nexported: now\n";
        let owned_before = ["title".into(), "tags".into(), "review_due".into()];
        let (yaml, owned) = merge(existing, rendered, &owned_before);
        assert_eq!(yaml, "# my comment\naliases: [IPO]\ntitle: New\ntags:\n- c\nrating: 5 # out of 5\nexported: now\n");
        assert_eq!(owned, ["title", "tags", "exported"]);
    }

    #[test]
    fn front_matter_is_found_only_at_the_start() {
        let split = split("---\na: 1\n---\n# Body\n---\n");
        assert_eq!((split.front, split.body), (Some("a: 1\n"), "# Body\n---\n"));
        assert!(super::split("# No front\n---\n").front.is_none());
    }
}
