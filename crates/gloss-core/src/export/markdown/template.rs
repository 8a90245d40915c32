//! The templates a Markdown export is written with: the file, each
//! highlight, and the front matter, in Jinja syntax through minijinja.
//!
//! The defaults (`templates/`) write the export docs/format.md describes; a
//! user's template folder may replace any of them. minijinja is sandboxed by
//! construction: it has no loader here, so `include` and `import` reach only
//! these three templates, and it has no file, network or environment access
//! of its own. Fuel bounds the work a template may do, so a loop that never
//! ends is an error, not a hung export.

use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::text;

/// The whole file; gets `episode`, `front_matter` and the rendered items.
pub const FILE: &str = "file.md";
/// One highlight; gets `highlight`.
pub const HIGHLIGHT: &str = "highlight.md";
/// The front matter's YAML, without the `---` lines; gets `episode`, `exported`.
pub const FRONT_MATTER: &str = "front-matter.yaml";
/// A highlight's own file, in one-note-per-highlight mode; gets
/// `highlight`, `episode` and `episode_file`.
pub const HIGHLIGHT_NOTE: &str = "highlight-note.md";

const DEFAULTS: [(&str, &str); 4] = [
    (FILE, include_str!("templates/file.md.jinja")),
    (HIGHLIGHT, include_str!("templates/highlight.md.jinja")),
    (FRONT_MATTER, include_str!("templates/front-matter.yaml.jinja")),
    (HIGHLIGHT_NOTE, include_str!("templates/highlight-note.md.jinja")),
];

/// A template file larger than this is refused: templates are a page long.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;

/// Instructions a template may run per rendering: plenty for a file with
/// thousands of highlights, and an end to a template that loops forever.
const FUEL: u64 = 50_000_000;

/// A template that could not be read, compiled or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {}{}: {message}", file.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct TemplateError {
    /// The user's template file, or the default's name.
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

/// The export's templates, ready to render.
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, for error messages.
    origins: Vec<(&'static str, PathBuf)>,
}

impl Templates {
    /// The defaults, with any of them replaced by `<name>.jinja` in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build();
        env.set_syntax(syntax.expect("the default delimiters are valid"));
        // A misspelled field is an error naming it, not an empty string.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.add_filter("plain", |value: &str| text::plain(value));
        env.add_filter("quote", |value: &str| text::block_quote(value));
        env.add_filter("note", |value: &str| text::note(value));
        env.add_filter("tag", |value: &str| text::obsidian_tag(value));
        env.add_filter("yaml", |value: &str| text::yaml_scalar(value));
        env.add_function("item", |key: &str, owned: &str, note: Option<&str>| text::item(key, owned, note));
        let mut origins = Vec::new();
        let mut sources = Vec::new();
        for (name, default) in DEFAULTS {
            let path = dir.map(|dir| dir.join(format!("{name}.jinja"))).filter(|path| path.exists());
            let source = match &path {
                Some(path) => read(path)?,
                None => default.to_owned(),
            };
            origins.push((name, path.unwrap_or_else(|| PathBuf::from(format!("(default) {name}")))));
            sources.push((name, source));
        }
        let mut templates = Templates { env, origins };
        for (name, source) in sources {
            let result = templates.env.add_template_owned(name, source);
            result.map_err(|err| templates.error(name, &err))?;
        }
        Ok(templates)
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &'static str, context: impl Serialize) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|err| self.error(name, &err))?;
        template.render(Value::from(Serde(context))).map_err(|err| self.error(name, &err))
    }

    /// What went wrong, naming the file, the line and the text it was at.
    fn error(&self, name: &str, err: &minijinja::Error) -> TemplateError {
        let at = err.name().unwrap_or(name);
        let file = self.origins.iter().find(|(n, _)| *n == at).map(|(_, p)| p.clone()).unwrap_or_else(|| at.into());
        let source = self.env.get_template(at).ok().map(|t| t.source().to_owned());
        let snippet = err.range().zip(source).and_then(|(range, source)| source.get(range).map(str::to_owned));
        let mut message = err.kind().to_string();
        if let Some(detail) = err.detail() {
            message.push_str(&format!(": {detail}"));
        }
        if let Some(snippet) = snippet.filter(|s| !s.trim().is_empty()) {
            message.push_str(&format!(" (at `{}`)", snippet.trim()));
        }
        TemplateError { file, line: err.line(), message }
    }
}

fn read(path: &Path) -> Result<String, TemplateError> {
    let refuse = |message: String| TemplateError { file: path.to_owned(), line: None, message };
    let size = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?.len();
    if size > MAX_TEMPLATE_BYTES {
        return Err(refuse(format!("{size} bytes, over the {MAX_TEMPLATE_BYTES}-byte limit for a template")));
    }
    let bytes = std::fs::read(path).map_err(|e| refuse(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| refuse("not UTF-8 text; save it as UTF-8".into()))
}
