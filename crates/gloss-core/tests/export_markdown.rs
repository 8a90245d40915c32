//! The Markdown export: what a Markdown renderer makes of it, safe file
//! names from hostile titles, and re-exports that never overwrite a file
//! the user edited.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::util::annotations::{quote, Setup};
use crate::util::summary;
use gloss_core::annotations::{Color, HighlightPatch};
use gloss_core::export::{self, Format, MANIFEST};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use tempfile::TempDir;

fn setup() -> Setup {
    Setup::new(&[
        (
            "html.txt",
            &summary(
                "Markup & <b>Tags</b>",
                "Web Show w/ Ann and Bo",
                "Writing <script>alert(1)</script> is *risky* # here.",
            ),
        ),
        ("plain.txt", &summary("Plain Episode", "Tech Weekly", "Nothing special 🧠 in this one.")),
    ])
}

fn export_markdown(s: &Setup, out: &Path) -> export::ExportReport {
    crate::util::export::export(&s.fx.library, Format::Markdown, out).unwrap()
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_markdown_renders_with_front_matter_block_quotes_and_no_raw_html() {
    let s = setup();
    let html = s.episode("html.txt");
    let notes = s.notes();
    let mut first = quote(html, "Writing <script>alert(1)</script> is *risky*");
    first.color = Some(Color::Pink);
    first.note = Some("My <img src=x onerror=alert(1)> **note**".into());
    first.tags = vec!["AI/Open Source".into(), "policy".into()];
    let first = notes.create_highlight(&first).unwrap();
    let second = notes.create_highlight(&quote(html, "Another point about")).unwrap();
    let trashed = notes.create_highlight(&quote(html, "The conclusion")).unwrap();
    notes.delete_highlight(&trashed.id).unwrap();
    notes.set_episode_note(html, "Episode <em>note</em>").unwrap();
    notes.set_insight_note(html, "s1.i1", "Insight thoughts").unwrap();
    notes.set_star(html, "s1.i2", true).unwrap();
    notes.set_episode_tags(html, &["Listening Queue".into()]).unwrap();
    s.fx.library
        .store()
        .write(|tx| gloss_core::store::settings::set(tx, "ui_color_names", r#"{"pink":"Disagree"}"#))
        .unwrap();

    let out = TempDir::new().unwrap();
    let report = export_markdown(&s, out.path());
    assert_eq!((report.episodes, report.written.len()), (1, 1), "{report}");
    let text = std::fs::read_to_string(&report.written[0]).unwrap();

    let mut front = String::new();
    let mut in_front = false;
    let mut quotes = Vec::new();
    let mut in_quote = false;
    let mut paragraphs = String::new();
    let mut headings = Vec::new();
    let mut in_heading = false;
    for event in Parser::new_ext(&text, Options::ENABLE_YAML_STYLE_METADATA_BLOCKS) {
        match event {
            // Gloss's own markers are the only HTML: comments on their own lines.
            Event::Html(html) if is_marker(&html) => {}
            Event::Html(html) | Event::InlineHtml(html) => panic!("raw HTML {html:?} in\n{text}"),
            Event::Start(Tag::MetadataBlock(_)) => in_front = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_front = false,
            Event::Start(Tag::BlockQuote(_)) => {
                in_quote = true;
                quotes.push(String::new());
            }
            Event::End(TagEnd::BlockQuote(_)) => in_quote = false,
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                headings.push(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) if in_front => front.push_str(&t),
            Event::Text(t) if in_quote => quotes.last_mut().unwrap().push_str(&t),
            Event::Text(t) if in_heading => headings.last_mut().unwrap().push_str(&t),
            Event::Text(t) => paragraphs.push_str(&t),
            _ => {}
        }
    }
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&front).unwrap();
    assert_eq!(yaml["title"].as_str(), Some("Markup & <b>Tags</b>"));
    assert_eq!(yaml["gloss_episode_id"].as_i64(), Some(html));
    let fingerprint = s.fx.library.episode(html).unwrap().unwrap().fingerprint.unwrap();
    assert_eq!(yaml["gloss_fingerprint"].as_str(), Some(fingerprint.as_str()));
    assert_eq!(yaml["show"].as_str(), Some("Web Show"));
    assert_eq!(yaml["hosts"][1].as_str(), Some("Bo"));
    assert_eq!(yaml["tags"][0].as_str(), Some("Listening-Queue"));
    assert!(yaml["exported"].as_str().is_some_and(|t| t.ends_with('Z')));

    // The quotes come out as the episode's words, escapes and all undone.
    assert_eq!(quotes, [first.selector.exact.clone(), second.selector.exact.clone()], "{text}");
    assert_eq!(headings[0], "Markup & <b>Tags</b>");
    assert!(headings.iter().any(|h| h.starts_with("First idea")), "{headings:?}");
    for id in [&first.id, &second.id] {
        let block = format!("^gloss-{}", &id[..8]);
        assert!(paragraphs.contains(&block), "block id {block} in\n{text}");
    }
    assert!(!text.contains(&trashed.id[..8]), "trashed highlights stay out");
    assert!(paragraphs.contains("Color: pink (Disagree)"), "{paragraphs}");
    assert!(paragraphs.contains("#AI/Open-Source #policy"), "{paragraphs}");
    assert!(paragraphs.contains("My <img src=x onerror=alert(1)> note"), "the note, as text: {paragraphs}");
    assert!(paragraphs.contains("Episode <em>note</em>") && paragraphs.contains("Insight thoughts"));
    assert!(paragraphs.contains("⭐ Second idea"), "{paragraphs}");
}

#[test]
fn file_names_from_hostile_titles_stay_in_the_export_folder() {
    let long = "A very long title ".repeat(20);
    let titles = ["../../etc/passwd", "CON", long.as_str(), "🧠🚀 Thinking: Fast/Slow?", "Same Title", "same title"];
    let files: Vec<(String, String)> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| (format!("{i}.txt"), summary(title, &format!("Show {i}"), "An idea worth keeping.")))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let s = Setup::new(&refs);
    for episode in s.fx.library.list_episodes().unwrap() {
        s.notes().create_highlight(&quote(episode.id, "An idea worth keeping.")).unwrap();
    }
    let root = TempDir::new().unwrap();
    let out = root.path().join("vault/gloss");
    let report = export_markdown(&s, &out);
    assert_eq!(report.written.len(), titles.len(), "{report}");
    let mut seen = HashSet::new();
    for path in &report.written {
        assert_eq!(path.parent(), Some(out.as_path()), "{path:?}");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains(['/', '\\', ':', '?']) && !name.contains("..") && !name.starts_with('.'), "{name}");
        assert!(name.len() <= 130, "{name} is {} bytes", name.len());
        assert!(!name.to_lowercase().starts_with("con."), "{name}");
        assert!(seen.insert(name.to_lowercase()), "{name} is not unique");
        assert!(path.is_file());
    }
    assert!(seen.iter().any(|n| n.starts_with("🧠🚀 thinking- fast-slow-")), "{seen:?}");
    // Nothing was written anywhere but the out folder.
    let outside: Vec<_> = std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside, ["vault"]);
    let mut inside: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    inside.sort();
    assert_eq!(inside.len(), titles.len() + 1, "{inside:?}");
    assert!(inside.contains(&MANIFEST.to_owned()));
}

#[test]
fn an_out_dir_that_is_a_file_is_refused_naming_it() {
    let s = setup();
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("notes.md");
    std::fs::write(&file, "mine").unwrap();
    for format in Format::ALL {
        let error = crate::util::export::export(&s.fx.library, format, &file).unwrap_err().to_string();
        assert!(error.contains("notes.md") && error.contains("is a file"), "{error}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn re_exports_merge_into_files_the_user_edited_and_keep_only_damaged_ones() {
    let s = setup();
    let (html, plain) = (s.episode("html.txt"), s.episode("plain.txt"));
    let notes = s.notes();
    let edited_highlight = notes.create_highlight(&quote(html, "Another point about")).unwrap();
    notes.create_highlight(&quote(plain, "Nothing special")).unwrap();
    let out = TempDir::new().unwrap();
    let first = export_markdown(&s, out.path());
    assert_eq!(first.written.len(), 2);
    let [html_file, plain_file] = [0, 1].map(|i| first.written[i].clone());
    assert!(std::fs::read_to_string(&html_file).unwrap().contains("Markup"));

    // Nothing changed: nothing is written.
    let same = export_markdown(&s, out.path());
    assert_eq!((same.written.len(), same.unchanged.len(), same.kept.len()), (0, 2, 0), "{same}");

    // The user writes in one file; Gloss gets new annotations on both episodes.
    let mine = format!("{}\nMy own thoughts.\n", std::fs::read_to_string(&html_file).unwrap());
    std::fs::write(&html_file, &mine).unwrap();
    notes
        .update_highlight(&HighlightPatch {
            id: edited_highlight.id,
            note: Some("New note".into()),
            ..Default::default()
        })
        .unwrap();
    notes.create_highlight(&quote(plain, "The conclusion")).unwrap();
    let again = export_markdown(&s, out.path());
    assert_eq!((again.written.len(), again.kept.len()), (2, 0), "{again}");
    let merged = std::fs::read_to_string(&html_file).unwrap();
    assert!(merged.contains("New note") && merged.ends_with("\nMy own thoughts.\n"), "{merged}");
    assert!(std::fs::read_to_string(&plain_file).unwrap().contains("The conclusion"));

    // Damaged markers: the file is kept as it is, the new version beside it.
    let damaged = merged.replacen("<!-- /gloss -->", "", 1);
    std::fs::write(&html_file, &damaged).unwrap();
    notes.set_episode_note(html, "Changed").unwrap();
    let kept = export_markdown(&s, out.path());
    assert_eq!(kept.kept.len(), 1, "{kept}");
    assert_eq!(std::fs::read_to_string(&html_file).unwrap(), damaged, "the user's file is untouched");
    assert!(kept.kept[0].new_file.to_string_lossy().ends_with(".gloss-new.md"));
    assert!(kept.to_string().contains("markers are damaged at line"), "the report says why: {kept}");
    assert_eq!(markdown_files(out.path()).len(), 3);
}

/// Whether `html` is one of Gloss's region markers and nothing else.
fn is_marker(html: &str) -> bool {
    html.lines().all(|line| {
        line == "<!-- gloss:note -->"
            || line == "<!-- /gloss -->"
            || (line.starts_with("<!-- gloss:")
                && line.ends_with(" -->")
                && !line[11..line.len() - 4].contains(['<', '>']))
    })
}
