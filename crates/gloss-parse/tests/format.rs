//! The rules of docs/format.md, one fixture each.

use gloss_parse::model::{DocKind, Episode};
use gloss_parse::{parse_bytes, to_json, Refusal, MAX_FILE_BYTES};

const SUMMARY: &str = "\
Grid Limits, Heat Pumps | The Grid Report w/ Dana Okafor, Lee Huang & Priya Raman
TL;DR
Utilities cannot keep up with new load.
⚡ Power Becomes the Constraint 2 insights
Permitting is the real bottleneck
Transmission lines take a decade to approve.
Utilities are rewriting forecasts
Load growth tripled in two years.
Policy Shifts 1 insight
Regulation lags deployment
Rules arrive years after the hardware.
Bottom Line
Build the wires first.
More from The Grid Report
View all
Batteries at Dusk | The Grid Report
Storage now sets the evening price.
";

#[test]
fn reads_the_plain_format() {
    let e = parse_bytes(SUMMARY.as_bytes()).unwrap();
    assert_eq!(e.kind, DocKind::Summary);
    assert_eq!(e.title.as_deref(), Some("Grid Limits, Heat Pumps"));
    assert_eq!(e.show.as_deref(), Some("The Grid Report"));
    assert_eq!(e.hosts, ["Dana Okafor", "Lee Huang", "Priya Raman"]);
    assert_eq!(e.tldr.as_deref(), Some("Utilities cannot keep up with new load."));
    assert_eq!(e.sections.len(), 2);
    assert_eq!(e.sections[0].emoji.as_deref(), Some("⚡"));
    assert_eq!(e.sections[0].title, "Power Becomes the Constraint");
    assert_eq!(e.sections[1].emoji, None);
    assert_eq!(e.sections[1].insights.len(), 1);
    assert_eq!(e.bottom_line.as_deref(), Some("Build the wires first."));
    assert_eq!(e.related_source.as_deref(), Some("The Grid Report"));
    assert_eq!(e.related[0].summary, "Storage now sets the evening price.");
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn utf8_bom_crlf_trailing_tabs_and_blank_runs_change_nothing() {
    let clean = parse_bytes(SUMMARY.as_bytes()).unwrap();
    let messy = format!("\u{feff}\r\n\r\n{}", SUMMARY.replace('\n', " \t\r\n\r\n\r\n"));
    assert_eq!(parse_bytes(messy.as_bytes()).unwrap(), clean);
}

#[test]
fn windows_1252_is_read_with_a_warning() {
    let mut bytes = SUMMARY.replace("⚡ ", "").into_bytes();
    bytes.extend_from_slice(b"Caf\xe9 Society | Show\n");
    bytes.extend_from_slice(b"A \x93quoted\x94 summary.\n");
    let e = parse_bytes(&bytes).unwrap();
    assert_eq!(e.related[1].title, "Café Society | Show");
    assert_eq!(e.related[1].summary, "A “quoted” summary.");
    assert!(e.warnings[0].contains("not saved as UTF-8"), "{:?}", e.warnings);
}

#[test]
fn mismatched_counts_follow_the_lines_and_warn() {
    let text = SUMMARY.replace("2 insights", "3 insights");
    let e = parse_bytes(text.as_bytes()).unwrap();
    assert_eq!(e.sections[0].insights.len(), 2);
    assert_eq!(e.warnings, ["section 1 \"Power Becomes the Constraint\" promises 3 insights, found 2"]);
}

#[test]
fn markdown_with_inline_bodies_parses_the_same() {
    let md = "\
# Grid Limits, Heat Pumps | The Grid Report w/ Dana Okafor, Lee Huang & Priya Raman

**TL;DR:** Utilities cannot keep up with new load.

## ⚡ Power Becomes the Constraint (2 insights)

- **Permitting is the real bottleneck**: Transmission lines take a decade to approve.
- **Utilities are rewriting forecasts**
  Load growth tripled in two years.

---

### Policy Shifts (1 insight)

1. **Regulation lags deployment** — Rules arrive years after the hardware.

## Bottom Line

Build the wires first.

## More from The Grid Report

[View all](https://example.com/all)

- **Batteries at Dusk | The Grid Report**
  Storage now sets the evening price.
";
    assert_eq!(parse_bytes(md.as_bytes()).unwrap(), parse_bytes(SUMMARY.as_bytes()).unwrap());
}

/// A plain document's block texts.
fn texts(e: &Episode) -> Vec<&str> {
    e.paragraphs.iter().map(|p| p.text.as_str()).collect()
}

#[test]
fn other_text_becomes_a_plain_document() {
    let e = parse_bytes(b"Trip notes\n\nBook the train.\nPack light.\n\n\nCall Ana.\n").unwrap();
    assert_eq!(e.kind, DocKind::Document);
    assert_eq!(e.title.as_deref(), Some("Trip notes"));
    assert_eq!(texts(&e), ["Book the train.\nPack light.", "Call Ana."]);
    let keys: Vec<_> = e.blocks().into_iter().map(|b| b.key).collect();
    assert_eq!(keys, ["title", "p1", "p2"]);
}

#[test]
fn greek_text_is_never_repaired() {
    let greek = "Σημειώσεις\n\nΗ ομάδα ξεκίνησε το πρόγραμμα — «Φίλιππος» είπε: π² ≈ 9,87 και β = 2.\n";
    let e = parse_bytes(greek.as_bytes()).unwrap();
    assert_eq!(texts(&e), ["Η ομάδα ξεκίνησε το πρόγραμμα — «Φίλιππος» είπε: π² ≈ 9,87 και β = 2."]);
    assert!(e.warnings.is_empty());
}

#[test]
fn a_damaged_symbol_with_a_variation_selector_leaves_no_trace_in_a_section_title() {
    // ⚛️ is E2 9A 9B EF B8 8F. Read as ISO-8859-7 with the C1 bytes dropped
    // it is `βοΈ`; with them kept, every byte is still there.
    let summary = SUMMARY.replace("⚡ Power", "⚛\u{FE0F} Power");
    let clean = parse_bytes(summary.as_bytes()).unwrap();
    assert_eq!(clean.sections[0].emoji.as_deref(), Some("⚛\u{FE0F}"));

    // The bytes that survive can not tell which symbol it was: removed,
    // with no Greek letter or stray space left, and nothing else changed.
    let dropped = gloss_testkit::damage(&summary);
    assert!(String::from_utf8_lossy(&dropped).contains("\nβοΈ Power Becomes the Constraint 2 insights\n"));
    let e = parse_bytes(&dropped).unwrap();
    assert_eq!(e.sections[0].emoji, None);
    assert_eq!(e.sections[0].title, "Power Becomes the Constraint");
    assert!(
        e.warnings[0].contains("2 damaged characters that could not be recovered were removed"),
        "{:?}",
        e.warnings
    );
    assert!(!e.canonical_text().contains(|c: char| ('\u{370}'..='\u{3FF}').contains(&c)));
    let mut expected = Episode { warnings: e.warnings.clone(), ..clean.clone() };
    expected.sections[0].emoji = None;
    assert_eq!(e, expected);

    // Every byte kept: the symbol comes back.
    let (kept, _) = encoding_rs::ISO_8859_7.decode_without_bom_handling(summary.as_bytes());
    assert!(kept.contains("\nβ\u{9A}\u{9B}οΈ\u{8F} Power"));
    let e = parse_bytes(kept.as_bytes()).unwrap();
    assert!(e.warnings[0].contains("damaged"), "{:?}", e.warnings);
    assert_eq!(e, Episode { warnings: e.warnings.clone(), ..clean });
}

#[test]
fn refusals_have_one_line_reasons() {
    assert_eq!(parse_bytes(b"").unwrap_err(), Refusal::Empty);
    assert_eq!(parse_bytes(b"\n \n").unwrap_err(), Refusal::Empty);
    assert_eq!(parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap_err(), Refusal::Binary);
    let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
    let refusal = parse_bytes(&big).unwrap_err();
    assert_eq!(refusal.to_string(), format!("the file is {} bytes, over the 8388608-byte limit", MAX_FILE_BYTES + 1));
    for refusal in [Refusal::Empty, Refusal::Binary, refusal] {
        assert!(!refusal.to_string().contains('\n'));
    }
}

#[test]
fn json_follows_the_contract() {
    let e = parse_bytes(SUMMARY.as_bytes()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&to_json(&e)).unwrap();
    assert_eq!(json["sections"][1]["emoji"], serde_json::Value::Null);
    assert_eq!(json["sections"][0]["insights"][0]["title"], "Permitting is the real bottleneck");
    assert_eq!(json["warnings"], serde_json::json!([]));
    let keys: Vec<&str> = json["blocks"].as_array().unwrap().iter().map(|b| b["key"].as_str().unwrap()).collect();
    assert_eq!(&keys[..5], ["title", "tldr", "s1.title", "s1.i1.title", "s1.i1.body"]);
    assert!(keys.contains(&"bottom") && keys.contains(&"r1.summary"));
    assert_eq!(json["content_hash"].as_str().unwrap().len(), 32);
}

#[test]
fn a_documents_json_carries_each_blocks_shape() {
    let e = parse_bytes("Plan\n\nSteps:\n1) dig\n   - deep\n\n    cargo build\n".as_bytes()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&to_json(&e)).unwrap();
    assert_eq!(
        json["paragraphs"],
        serde_json::json!([
            {"text": "Steps:", "shape": "prose"},
            {"text": "dig", "shape": "item", "list": 1, "depth": 0, "marker": "1)"},
            {"text": "deep", "shape": "item", "list": 2, "depth": 1, "marker": "-"},
            {"text": "cargo build", "shape": "preformatted"},
        ])
    );
    let blocks = &json["blocks"];
    assert_eq!(blocks[1]["role"], "paragraph");
    assert_eq!(
        blocks[3],
        serde_json::json!({"key": "p3", "text": "deep", "start": 19, "len": 4, "role": "list_item", "group": "l2", "depth": 1, "marker": "-"})
    );
    assert_eq!(blocks[4]["role"], "preformatted");
    assert!(blocks[4].get("depth").is_none());
}
