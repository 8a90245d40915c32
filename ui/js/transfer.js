// Export and Import in Settings: annotations out to a folder (Markdown,
// W3C, Readwise CSV, a JSON backup) and back in from a file, each followed
// by a report of what happened, file by file.

import { call } from "./transport.js";
import { h, replace } from "./dom.js";
import { fieldError, showErrorAt, textField } from "./fields.js";

const LAST_EXPORT_KEY = "gloss.lastExport";
const LISTED_FILES = 12;

const FORMATS = [
  ["markdown", "Markdown, one file per episode"],
  ["w3c", "W3C Web Annotations (JSON-LD)"],
  ["csv", "Readwise CSV"],
  ["json", "Gloss backup (JSON)"],
  ["anki", "Review cards for Anki (TSV)"],
];
const FORMAT_NAMES = { markdown: "Markdown", w3c: "W3C annotations", csv: "Readwise CSV", json: "Gloss backup", anki: "Anki cards" };

/** The files Import reads, for the desktop window's file picker. */
const IMPORTABLE = { name: "Gloss backup, W3C annotations or Readwise CSV", extensions: ["json", "jsonld", "csv"] };

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The part of `file` below `dir`, for listing files written into it. */
const below = (dir, file) => (file.startsWith(`${dir}/`) || file.startsWith(`${dir}\\`) ? file.slice(dir.length + 1) : file);

function lastExport() {
  try {
    return { format: "markdown", out_dir: "", ...JSON.parse(localStorage.getItem(LAST_EXPORT_KEY) ?? "{}") };
  } catch {
    return { format: "markdown", out_dir: "" };
  }
}

/** What the automatic export setting `target` means, for its hint. */
const autoText = (target) =>
  target ? `After every change, Gloss exports as ${FORMAT_NAMES[target.format] ?? target.format} into ${target.out_dir}.` : "Off: export only when you press Export.";

/**
 * The Export form: format, destination folder, Export, and the report;
 * `autoExport` is the automatic export setting, to show and change.
 */
export function exportSection(autoExport = null) {
  const last = autoExport ?? lastExport();
  const report = h("div", { class: "report", role: "status" });
  const folder = textField({
    id: "export-dir",
    label: "Destination folder",
    value: last.out_dir,
    placeholder: "/home/you/Documents/Gloss export",
    hint: "The full path of a folder; it is created if missing. Exporting again into Markdown you edited keeps your writing and reads back notes you changed.",
    choose: { kind: "folder", label: "Choose the export folder" },
  });
  const markdown = last.markdown ?? {};
  const templates = textField({
    id: "export-templates",
    label: "Templates folder (optional)",
    value: markdown.templates ?? "",
    placeholder: "/home/you/Documents/Gloss templates",
    hint: "Markdown only: file.md.jinja, highlight.md.jinja, front-matter.yaml.jinja or highlight-note.md.jinja in this folder replace Gloss's own.",
    choose: { kind: "folder", label: "Choose the templates folder" },
  });
  const perHighlight = h("input", { type: "checkbox", id: "export-per-highlight", props: { checked: Boolean(markdown.per_highlight) } });
  const markdownOptions = h(
    "div",
    { class: "markdown-options" },
    templates.el,
    h("div", { class: "setting setting-check" }, perHighlight, h("label", { for: "export-per-highlight", text: "Also one note per highlight, linked from its episode" })),
  );
  const showMarkdownOptions = () => (markdownOptions.hidden = format.value !== "markdown");
  /** The export as the form describes it. */
  const target = () => {
    const args = { format: format.value, out_dir: folder.input.value.trim() };
    const dir = templates.input.value.trim();
    if (args.format === "markdown") args.markdown = { ...(dir ? { templates: dir } : {}), per_highlight: perHighlight.checked };
    return args;
  };
  const format = h(
    "select",
    { id: "export-format", "aria-describedby": "export-format-error" },
    FORMATS.map(([value, label]) => h("option", { props: { value, selected: value === last.format }, text: label })),
  );
  const formatError = fieldError("export-format-error", format);
  format.addEventListener("change", showMarkdownOptions);
  showMarkdownOptions();
  const fields = { out_dir: folder, format: formatError, "auto_export.out_dir": folder, "markdown.templates": templates };
  const autoHint = h("p", { class: "hint", id: "export-auto-hint", text: autoText(autoExport) });
  const auto = h("input", { type: "checkbox", id: "export-auto", "aria-describedby": "export-auto-hint", props: { checked: Boolean(autoExport) } });
  auto.addEventListener("change", async () => {
    folder.clearError();
    templates.clearError();
    const chosen = auto.checked ? target() : null;
    if (chosen && !chosen.out_dir) {
      auto.checked = false;
      return folder.showError("Give the folder to export into, as a full path.");
    }
    try {
      autoHint.textContent = autoText((await call("update_settings", { auto_export: chosen })).auto_export);
    } catch (error) {
      auto.checked = !auto.checked;
      showErrorAt(error, fields, folder);
    }
  });
  const run = async (event) => {
    event.preventDefault();
    folder.clearError();
    templates.clearError();
    formatError.clearError();
    const args = target();
    if (!args.out_dir) return folder.showError("Give the folder to export into, as a full path.");
    localStorage.setItem(LAST_EXPORT_KEY, JSON.stringify(args));
    replace(report, h("p", { class: "hint", text: "Exporting…" }));
    try {
      replace(report, exportReport(await call("export", args)));
    } catch (error) {
      replace(report);
      showErrorAt(error, fields, folder);
    }
  };
  return h(
    "form",
    { class: "settings-form", id: "settings-export", "aria-labelledby": "export-legend", on: { submit: run } },
    h(
      "fieldset",
      {},
      h("legend", { id: "export-legend", text: "Export" }),
      h("div", { class: "setting" }, h("label", { for: "export-format", class: "field-label", text: "Format" }), format, formatError.el),
      folder.el,
      markdownOptions,
      h("div", { class: "button-row" }, h("button", { type: "submit", class: "button button-primary", text: "Export" })),
      h("div", { class: "setting setting-check" }, auto, h("label", { for: "export-auto", text: "Export automatically after every change" }), autoHint),
      report,
    ),
  );
}

function exportReport(result) {
  const files = (title, list, item) =>
    list.length > 0 &&
    h(
      "div",
      { class: "report-group" },
      h("h3", { class: "report-title", text: `${title} (${list.length})` }),
      h("ul", { class: "file-list" }, list.slice(0, LISTED_FILES).map(item), list.length > LISTED_FILES && h("li", { class: "hint", text: `and ${list.length - LISTED_FILES} more` })),
    );
  return [
    h("p", { class: "report-summary", text: `Exported ${plural(result.highlights, "highlight")} from ${plural(result.episodes, "episode")} as ${FORMAT_NAMES[result.format] ?? result.format} into ${result.out_dir}.` }),
    files("Written", result.written, (file) => h("li", { class: "path", text: below(result.out_dir, file) })),
    result.notes_read_back > 0 && h("p", { class: "hint", text: `${plural(result.notes_read_back, "note")} you edited in the files ${result.notes_read_back === 1 ? "was" : "were"} read back into Gloss.` }),
    files("Found where you moved them", result.followed ?? [], (file) => h("li", { class: "path", text: below(result.out_dir, file) })),
    files("Kept as they are", result.kept, (kept) =>
      h("li", {}, h("span", { class: "path", text: below(result.out_dir, kept.file) }), ` — ${kept.reason}; the new version is in `, h("span", { class: "path", text: below(result.out_dir, kept.new_file) })),
    ),
    result.unchanged.length > 0 && h("p", { class: "hint", text: `${plural(result.unchanged.length, "file was", "files were")} already up to date.` }),
  ];
}

/**
 * The Import form: a file path, Import, and the report. An import answers
 * only what it counted, so `onImported()` runs after it, for the views to
 * fetch what they show again.
 */
export function importSection({ onImported }) {
  const report = h("div", { class: "report", role: "status" });
  const file = textField({
    id: "import-file",
    label: "File to import",
    placeholder: "/home/you/Downloads/readwise.csv",
    hint: "The full path of a Gloss backup (.json), W3C annotations (.jsonld) or a Readwise CSV. Highlights already here are matched, not doubled.",
    choose: { kind: "file", label: "Choose the file to import", filter: IMPORTABLE },
  });
  const run = async (event) => {
    event.preventDefault();
    file.clearError();
    const path = file.input.value.trim();
    if (!path) return file.showError("Give the file to import, as a full path.");
    replace(report, h("p", { class: "hint", text: "Importing…" }));
    try {
      replace(report, importReport(await call("import", { file: path })));
      onImported();
    } catch (error) {
      replace(report);
      // Import takes one field: whatever went wrong belongs to it.
      file.showError(error.message);
    }
  };
  return h(
    "form",
    { class: "settings-form", id: "settings-import", "aria-labelledby": "import-legend", on: { submit: run } },
    h(
      "fieldset",
      {},
      h("legend", { id: "import-legend", text: "Import" }),
      file.el,
      h("div", { class: "button-row" }, h("button", { type: "submit", class: "button", text: "Import" })),
      report,
    ),
  );
}

function importReport(result) {
  const name = result.file.split(/[\\/]/).pop();
  const extras = [
    [result.notes, "note"],
    [result.tags, "tag"],
    [result.stars, "star"],
    [result.reading, "reading state"],
    [result.settings, "setting"],
  ]
    .filter(([n]) => n > 0)
    .map(([n, what]) => plural(n, what));
  const problems = result.problems ?? [];
  return [
    h("p", {
      class: "report-summary",
      text: `Imported ${name} (${FORMAT_NAMES[result.format] ?? result.format}): ${result.highlights_added} highlights added, ${result.highlights_updated} updated, ${result.highlights_unchanged} unchanged.${extras.length ? ` Also ${extras.join(", ")}.` : ""}`,
    }),
    problems.length > 0 &&
      h(
        "div",
        { class: "report-group" },
        h("h3", { class: "report-title", text: `Not imported (${problems.length})` }),
        h("ul", { class: "problem-list" }, problems.map((p) => h("li", { text: `${p.row != null ? `Row ${p.row}` : (p.id ?? "Entry")}: ${p.reason}` }))),
      ),
  ];
}
