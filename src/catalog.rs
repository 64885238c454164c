//! The catalog: every pattern loaded for a run, built-in plus `--catalog DIR`.

pub mod embedded;
pub mod error;
pub mod field;
pub mod literals;
pub mod pattern;
pub mod regex;
pub mod spec;
pub mod template;
pub mod verify;
mod yaml_limits;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use error::{CatalogError, CatalogErrors};
pub use pattern::{Origin, Pattern};

use error::locate;
use spec::PatternSpec;

/// Upper bound on the size of one user pattern file.
const MAX_PATTERN_FILE_BYTES: u64 = 1 << 20;

/// All patterns of a run, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    patterns: Vec<Pattern>,
}

impl Catalog {
    /// The patterns embedded in the binary, with their examples.
    pub fn builtin() -> Result<Catalog, CatalogErrors> {
        Catalog::load_with_examples(&[])
    }

    /// Built-in patterns plus every `*.yaml`/`*.yml` file in `dirs` (or the files themselves).
    /// A user pattern with a built-in id replaces it; two user files with one id are an error.
    /// Built-in examples are left out (diagnosing never reads them); see
    /// [`Catalog::load_with_examples`].
    pub fn load(dirs: &[PathBuf]) -> Result<Catalog, CatalogErrors> {
        Catalog::load_inner(dirs, false)
    }

    /// Like [`Catalog::load`], with every pattern's examples and near misses.
    pub fn load_with_examples(dirs: &[PathBuf]) -> Result<Catalog, CatalogErrors> {
        Catalog::load_inner(dirs, true)
    }

    fn load_inner(dirs: &[PathBuf], examples: bool) -> Result<Catalog, CatalogErrors> {
        let mut errors = Vec::new();
        let mut patterns = Vec::with_capacity(embedded::EMBEDDED.len());
        for file in embedded::EMBEDDED {
            let origin = Origin {
                file: file.name.to_string(),
                builtin: true,
            };
            // Diagnosing reads only the rules up front: the text is read on first use.
            let head = (!examples).then(|| parse_embedded_head(file)).flatten();
            let deferred = head.is_some();
            match head.map_or_else(|| parse_embedded(file, examples), Ok) {
                Ok(spec) => {
                    match pattern::compile(spec, origin, Cow::Borrowed(file.yaml), file.rules) {
                        Ok(mut p) => {
                            if deferred {
                                p.text = pattern::LazyText::embedded(file);
                            }
                            patterns.push(p)
                        }
                        Err(e) => errors.extend(e),
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let builtin_count = patterns.len();
        let mut user_ids: HashMap<String, String> = HashMap::new();
        for path in user_files(dirs, &mut errors) {
            let name = path.display().to_string();
            let text = match read_pattern_file(&path) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let origin = Origin {
                file: name.clone(),
                builtin: false,
            };
            let spec = match parse_yaml(&name, &text) {
                Ok(spec) => spec,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Some(previous) = user_ids.insert(spec.id.clone(), name.clone()) {
                errors.push(
                    CatalogError::new(
                        &name,
                        format!("the id is also used by `{previous}`; ids must be unique"),
                    )
                    .pattern(Some(&spec.id))
                    .at(locate(&text, "id:", None)),
                );
                continue;
            }
            match pattern::compile(spec, origin, Cow::Owned(text), None) {
                Ok(mut p) => {
                    if let Some(i) = patterns[..builtin_count].iter().position(|b| b.id == p.id) {
                        p.overrides_builtin = true;
                        patterns[i] = p;
                    } else {
                        patterns.push(p);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            // Testing `patterns/` itself loads each file twice (built in and from the directory).
            errors.dedup();
            return Err(CatalogErrors(errors));
        }
        patterns.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { patterns })
    }

    /// A catalog of one user pattern file's text alone, checked as `--catalog` checks files
    /// (no built-in patterns): for tools that check pattern text, such as the fuzz targets.
    pub fn from_user_text(name: &str, text: &str) -> Result<Catalog, CatalogErrors> {
        let spec = parse_yaml(name, text).map_err(|e| CatalogErrors(vec![e]))?;
        let origin = Origin {
            file: name.to_string(),
            builtin: false,
        };
        let pattern = pattern::compile(spec, origin, Cow::Owned(text.to_string()), None)
            .map_err(CatalogErrors)?;
        Ok(Catalog {
            patterns: vec![pattern],
        })
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub fn get(&self, id: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// The number of built-in patterns (for `--version`).
pub fn builtin_pattern_count() -> usize {
    embedded::EMBEDDED.len()
}

/// A built-in pattern without its text (see `spec::HeadSpec`), or `None` to read it whole.
fn parse_embedded_head(file: &embedded::EmbeddedFile) -> Option<PatternSpec> {
    let head: spec::HeadSpec = serde_json::from_str(file.head_json?).ok()?;
    let mut spec = head.into_spec();
    // The head leaves out each regex build.rs analysed; it is in the rule's analysis.
    let analysed = file.rules.unwrap_or_default();
    for (rule, analysed) in spec.rules.iter_mut().zip(analysed) {
        if let Some(source) = analysed.and_then(|a| a.regex) {
            rule.regex = Some(source.to_string());
        }
    }
    Some(spec)
}

pub(crate) fn parse_embedded(
    file: &embedded::EmbeddedFile,
    examples: bool,
) -> Result<PatternSpec, CatalogError> {
    let json = if examples {
        file.json
    } else {
        file.runtime_json
    };
    if let Some(json) = json
        && let Ok(spec) = serde_json::from_str::<PatternSpec>(json)
    {
        return Ok(spec);
    }
    // The YAML parser gives the line and column the author needs.
    parse_yaml(file.name, file.yaml)
}

fn parse_yaml(name: &str, text: &str) -> Result<PatternSpec, CatalogError> {
    yaml_limits::check(text).map_err(|message| CatalogError::new(name, message))?;
    serde_yaml::from_str::<PatternSpec>(text).map_err(|e| {
        let position = e.location().map(|l| (l.line(), l.column()));
        // Name the pattern even when the file does not deserialize, if it has a readable id.
        let id = serde_yaml::from_str::<serde_yaml::Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string))
            .or_else(|| {
                // The file is not valid YAML: an `id:` line is still worth naming.
                text.lines()
                    .find_map(|l| l.strip_prefix("id:"))
                    .map(|id| id.trim().trim_matches(['"', '\'']).to_string())
                    .filter(|id| !id.is_empty())
            });
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) if position.is_some() => message[..at].to_string(),
            _ => message,
        };
        CatalogError::new(name, message)
            .at(position)
            .pattern(id.as_deref())
    })
}

fn user_files(dirs: &[PathBuf], errors: &mut Vec<CatalogError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        if dir.is_file() {
            files.push(dir.clone());
            continue;
        }
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && is_pattern_file(p))
                    .collect();
                found.sort();
                files.extend(found);
            }
            Err(e) => errors.push(CatalogError::new(
                &dir.display().to_string(),
                format!("cannot read the catalog directory: {e}"),
            )),
        }
    }
    files
}

fn is_pattern_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// Reads a user pattern file.
fn read_pattern_file(path: &Path) -> Result<String, CatalogError> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_PATTERN_FILE_BYTES {
        return Err(CatalogError::new(
            &name,
            format!(
                "the file is {size} bytes; pattern files are limited to {MAX_PATTERN_FILE_BYTES}"
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| CatalogError::new(&name, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CatalogError::new(
            &name,
            format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(text)
}
