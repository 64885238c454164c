//! A pattern compiled and checked: regexes built, templates parsed, placeholders resolved.

use super::error::{CatalogError, locate};
use super::spec::{CommandKind, DocSpec, ExampleSpec, Level, PatternSpec, Severity};
use super::template::Template;
use crate::context::is_context_variable;
use crate::model::Field;
use std::sync::OnceLock;

pub use super::regex::LazyRegex;

/// Where a pattern came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub builtin: bool,
}

/// One rule, checked and ready (its regexes compile on first use).
#[derive(Debug, Clone)]
pub struct Rule {
    pub regex: Option<LazyRegex>,
    /// Literals the regex requires (all clauses; any alternative of a clause).
    pub prefilter: Vec<super::literals::Clause>,
    /// The named groups of `regex`.
    pub capture_names: Vec<String>,
    /// Boxed, like `container`: few rules have one, and the catalog keeps a slot per rule.
    pub unless: Option<Box<LazyRegex>>,
    pub fields: Vec<Field>,
    pub stop_code: Vec<String>,
    pub exit_code: Vec<i64>,
    pub container: Option<Box<LazyRegex>>,
    pub health_status: Vec<String>,
    /// What an inference from indirect evidence rests on (see `RuleSpec::judgement`).
    pub judgement: Option<String>,
}

impl Rule {
    /// Every regex of the rule with its key, for checks.
    pub fn regexes(&self) -> impl Iterator<Item = (&'static str, &LazyRegex)> {
        [
            ("regex", self.regex.as_ref()),
            ("unless", self.unless.as_deref()),
            ("container", self.container.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, r)| r.map(|r| (key, r)))
    }
}

impl Rule {
    /// Whether the rule reads messages of `field`. Pasted text could be any field.
    pub fn reads(&self, field: Field) -> bool {
        field == Field::Pasted || self.fields.is_empty() || self.fields.contains(&field)
    }
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub cause: Template,
    pub evidence: Template,
    pub check: Option<Template>,
    pub fix: Option<Template>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub title: Template,
    pub run: Template,
    pub kind: CommandKind,
}

/// A loaded pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub id: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub level: Level,
    pub priority: i32,
    pub transient: bool,
    pub rules: Vec<Rule>,
    /// The cause, fix, commands and links (read through `Deref`): for a built-in pattern they
    /// are read from the embedded catalog when first needed, since a run renders a few
    /// patterns and matching needs none of them.
    pub text: LazyText,
    pub examples: Vec<ExampleSpec>,
    pub near_misses: Vec<ExampleSpec>,
    pub origin: Origin,
    /// Set when a user pattern replaced a built-in one with the same id.
    pub overrides_builtin: bool,
    /// The YAML source, for `catalog show` (borrowed for built-in patterns).
    pub source: std::borrow::Cow<'static, str>,
    /// Read-only checks `--probe` runs for this cause.
    pub probes: Vec<super::spec::ProbeName>,
}

/// What a pattern says about its cause: everything a finding is rendered from.
#[derive(Debug, Clone, Default)]
pub struct PatternText {
    pub cause: Template,
    pub fix: Template,
    pub notes: Vec<Template>,
    pub candidates: Vec<Candidate>,
    pub commands: Vec<Command>,
    pub terraform: Vec<String>,
    pub docs: Vec<DocSpec>,
}

/// A pattern's text, ready or to be read from the embedded catalog on first use.
#[derive(Debug, Clone)]
pub struct LazyText {
    /// Boxed: most patterns of a run are never rendered, and their slots stay small.
    ready: OnceLock<Box<PatternText>>,
    embedded: Option<&'static super::embedded::EmbeddedFile>,
}

impl LazyText {
    fn ready(text: PatternText) -> LazyText {
        LazyText {
            ready: OnceLock::from(Box::new(text)),
            embedded: None,
        }
    }

    /// The text of a built-in pattern, read when first asked for.
    pub fn embedded(file: &'static super::embedded::EmbeddedFile) -> LazyText {
        LazyText {
            ready: OnceLock::new(),
            embedded: Some(file),
        }
    }

    fn get(&self) -> &PatternText {
        self.ready.get_or_init(|| {
            // The embedded text was checked when the binary was built (and by the catalog
            // tests); were it unreadable, the pattern would show no text rather than fail.
            self.embedded
                .and_then(|file| super::parse_embedded(file, false).ok())
                .map(|spec| Box::new(text_of(&spec)))
                .unwrap_or_default()
        })
    }
}

impl std::ops::Deref for Pattern {
    type Target = PatternText;

    fn deref(&self) -> &PatternText {
        self.text.get()
    }
}

/// The text of a built-in `spec`: templates parsed on first render, as at load.
fn text_of(spec: &PatternSpec) -> PatternText {
    text_of_collecting(
        spec,
        &mut |source, _, _| Template::unchecked(source.to_string()),
        &mut Vec::new(),
    )
}

/// The text of `spec`, each template made by `template` (source, field name, problems found).
fn text_of_collecting(
    spec: &PatternSpec,
    template: &mut dyn FnMut(&str, String, &mut Vec<CatalogError>) -> Template,
    errors: &mut Vec<CatalogError>,
) -> PatternText {
    let cause = template(&spec.cause, "cause".into(), errors);
    let fix = template(&spec.fix, "fix".into(), errors);
    let notes = spec
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| template(n, format!("notes[{i}]"), errors))
        .collect();
    let candidates = spec
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Candidate {
            cause: template(&c.cause, format!("candidates[{i}].cause"), errors),
            evidence: template(&c.evidence, format!("candidates[{i}].evidence"), errors),
            check: c
                .check
                .as_ref()
                .map(|s| template(s, format!("candidates[{i}].check"), errors)),
            fix: c
                .fix
                .as_ref()
                .map(|s| template(s, format!("candidates[{i}].fix"), errors)),
        })
        .collect();
    let commands = spec
        .commands
        .iter()
        .enumerate()
        .map(|(i, c)| Command {
            title: template(&c.title, format!("commands[{i}].title"), errors),
            run: template(&c.run, format!("commands[{i}].run"), errors),
            kind: c.kind,
        })
        .collect();
    PatternText {
        cause,
        fix,
        notes,
        candidates,
        commands,
        terraform: spec.terraform.clone(),
        docs: spec.docs.clone(),
    }
}

/// Whether `id` is kebab-case.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Compiles `spec` from `file` (whose YAML text is `text`), collecting every problem.
pub fn compile(
    spec: PatternSpec,
    origin: Origin,
    text: std::borrow::Cow<'static, str>,
    analysed: Option<&[Option<super::embedded::EmbeddedRule>]>,
) -> Result<Pattern, Vec<CatalogError>> {
    let mut errors = Vec::new();
    let file = origin.file.clone();
    let id = spec.id.clone();
    let yaml: &str = &text;
    let err = |message: String| CatalogError::new(&file, message).pattern(Some(&id));

    if !is_kebab_case(&spec.id) {
        errors.push(
            err(format!(
                "id `{}` is not kebab-case (lower-case words joined by `-`)",
                spec.id
            ))
            .at(locate(yaml, "id:", None)),
        );
    }
    let stem = std::path::Path::new(&origin.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != spec.id {
        errors.push(
            err(format!(
                "the file is named `{stem}` but the id is `{}`; they must be equal",
                spec.id
            ))
            .at(locate(yaml, "id:", None)),
        );
    }
    if spec.rules.is_empty() {
        errors.push(
            err("`match` needs at least one rule".into())
                .field("match")
                .at(locate(yaml, "match:", None)),
        );
    }

    let mut captures: Vec<String> = Vec::new();
    let mut rules = Vec::with_capacity(spec.rules.len());
    for (i, rule) in spec.rules.iter().enumerate() {
        let field = |name: &str| format!("match[{i}].{name}");
        // Built-in regexes were analysed by build.rs and are compiled by `cargo test`; user ones
        // are checked in full now.
        let embedded = analysed
            .and_then(|a| a.get(i).copied().flatten())
            .filter(|_| origin.builtin);
        let compile_one = |source: &Option<String>,
                           name: &str,
                           errors: &mut Vec<CatalogError>|
         -> Option<(LazyRegex, Vec<String>)> {
            let source = source.as_ref()?;
            let result = match embedded {
                Some(rule) if name == "regex" => Ok(LazyRegex::lazy(
                    source,
                    rule.captures.iter().map(|c| c.to_string()).collect(),
                )),
                Some(_) => Ok(LazyRegex::lazy(source, Vec::new())),
                None => LazyRegex::eager(source),
            };
            match result {
                Ok(compiled) => Some(compiled),
                Err(message) => {
                    errors.push(
                        err(format!("invalid regex: {message}"))
                            .field(field(name))
                            .at(locate(
                                yaml,
                                source,
                                Some((&format!("{name}:"), count_before(&spec.rules, i, name))),
                            )),
                    );
                    None
                }
            }
        };
        let regex = compile_one(&rule.regex, "regex", &mut errors);
        let unless = compile_one(&rule.unless, "unless", &mut errors).map(|(r, _)| Box::new(r));
        let container =
            compile_one(&rule.container, "container", &mut errors).map(|(r, _)| Box::new(r));
        if rule.regex.is_none()
            && rule.stop_code.is_empty()
            && rule.exit_code.is_empty()
            && rule.container.is_none()
            && rule.health_status.is_empty()
        {
            errors.push(
                err("a rule needs a `regex` or a `stop_code`/`exit_code`/`container`/`health_status` condition".into())
                    .field(format!("match[{i}]"))
                    .at(locate(yaml, "match:", None)),
            );
        }
        let (regex, capture_names) = match regex {
            Some((regex, names)) => (Some(regex), names),
            None => (None, Vec::new()),
        };
        for name in &capture_names {
            if name != "image" && is_context_variable(name) {
                errors.push(
                    err(format!("capture `{name}` has the name of a context value; rename it (for example `registry_{name}`)"))
                        .field(field("regex"))
                        .at(locate(yaml, &format!("?P<{name}>"), None).or_else(|| locate(yaml, &format!("?<{name}>"), None))),
                );
            }
            if !captures.iter().any(|c| c == name) {
                captures.push(name.clone());
            }
        }
        // Built-in literals were extracted at build time; user regexes are analysed now.
        let prefilter = match (embedded, &regex) {
            (Some(rule), _) => rule
                .literals
                .iter()
                .map(|c| c.iter().map(|l| l.to_string()).collect())
                .collect(),
            (None, Some(regex)) => {
                super::literals::required_literals(regex.source()).unwrap_or_default()
            }
            (None, None) => Vec::new(),
        };
        rules.push(Rule {
            regex,
            prefilter,
            capture_names,
            unless,
            fields: rule.fields.clone(),
            stop_code: rule.stop_code.clone(),
            exit_code: rule.exit_code.clone(),
            container,
            health_status: rule.health_status.clone(),
            judgement: rule.judgement.clone(),
        });
    }

    // A regex that failed to compile captures nothing; its placeholders would only add noise.
    // A regex that failed to compile captures nothing; its placeholders would only add noise.
    let check = !origin.builtin && errors.is_empty();
    let mut template = |source: &str, field: String, errors: &mut Vec<CatalogError>| -> Template {
        // Built-in templates are checked by the catalog tests and parsed on first render.
        if !check {
            return Template::unchecked(source.to_string());
        }
        for (message, needle) in template_problems(source, &captures) {
            errors.push(
                err(message)
                    .field(field.clone())
                    .at(locate(yaml, &needle, None)),
            );
        }
        Template::unchecked(source.to_string())
    };
    let pattern_text = text_of_collecting(&spec, &mut template, &mut errors);
    for (i, doc) in spec.docs.iter().enumerate() {
        if !doc.url.starts_with("https://") {
            errors.push(
                err(format!("doc link `{}` is not an https URL", doc.url))
                    .field(format!("docs[{i}].url"))
                    .at(locate(yaml, &doc.url, None)),
            );
        }
    }
    for (i, example) in spec.examples.iter().chain(&spec.near_misses).enumerate() {
        if example.field == Some(Field::Pasted) {
            errors.push(
                err("`field: pasted` is the default; omit `field` instead".into())
                    .field(format!("examples[{i}].field")),
            );
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Pattern {
        id: spec.id,
        title: spec.title,
        category: spec.category,
        severity: spec.severity,
        level: spec.level,
        priority: spec.priority,
        transient: spec.transient,
        rules,
        text: LazyText::ready(pattern_text),
        examples: spec.examples,
        near_misses: spec.near_misses,
        origin,
        overrides_builtin: false,
        source: text,
        probes: {
            let mut probes = spec.probes;
            probes.dedup();
            probes
        },
    })
}

/// What is wrong with one template: its syntax, or placeholders that are neither a capture
/// (`captures`) nor a context value. Each problem comes with text to locate it by.
pub fn template_problems(source: &str, captures: &[String]) -> Vec<(String, String)> {
    let template = match Template::parse(source) {
        Ok(t) => t,
        Err(e) => return vec![(e.message, source.to_string())],
    };
    let mut problems = Vec::new();
    for name in template.variables() {
        if is_context_variable(name) || captures.iter().any(|c| c == name) {
            continue;
        }
        let mut names = captures.to_vec();
        names.sort();
        let hint = if names.is_empty() {
            "the regexes capture nothing".to_string()
        } else {
            format!("captures: {}", names.join(", "))
        };
        problems.push((
            format!(
                "unknown placeholder `{{{name}}}`; use a named group of the regexes ({hint}) or a context value (see patterns/README.md)"
            ),
            format!("{{{name}}}"),
        ));
    }
    problems
}

impl Pattern {
    /// Every template of the pattern, with its field name.
    pub fn templates(&self) -> Vec<(String, &Template)> {
        let mut all = vec![
            ("cause".to_string(), &self.cause),
            ("fix".to_string(), &self.fix),
        ];
        all.extend(
            self.notes
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("notes[{i}]"), t)),
        );
        for (i, c) in self.candidates.iter().enumerate() {
            all.push((format!("candidates[{i}].cause"), &c.cause));
            all.push((format!("candidates[{i}].evidence"), &c.evidence));
            all.extend(
                c.check
                    .iter()
                    .map(|t| (format!("candidates[{i}].check"), t)),
            );
            all.extend(c.fix.iter().map(|t| (format!("candidates[{i}].fix"), t)));
        }
        for (i, c) in self.commands.iter().enumerate() {
            all.push((format!("commands[{i}].title"), &c.title));
            all.push((format!("commands[{i}].run"), &c.run));
        }
        all
    }

    /// The names the regexes capture.
    pub fn capture_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| r.capture_names.iter().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// How many rules before rule `i` have the key `name`, to find rule `i`'s key in the text.
fn count_before(rules: &[super::spec::RuleSpec], i: usize, name: &str) -> usize {
    rules[..i]
        .iter()
        .filter(|r| match name {
            "regex" => r.regex.is_some(),
            "unless" => r.unless.is_some(),
            _ => r.container.is_some(),
        })
        .count()
}
