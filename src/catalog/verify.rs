//! The catalog's own tests: every example must be matched by its pattern (and by no better
//! one), with the captures it lists; every near miss must not match; and a few quality gates.
//! `cargo test` (tests/catalog.rs) and `ecs-diagnose catalog test` run these same checks.

use std::collections::BTreeMap;

use super::pattern::Pattern;
use super::spec::ExampleSpec;
use crate::context::{Defaults, is_context_variable};
use crate::engine::{Engine, MatchCache};
use crate::model::{ContainerEvidence, Evidence, Field, Source};

/// Hosts the built-in catalog may link to.
pub const DOC_HOSTS: &[&str] = &["docs.aws.amazon.com", "repost.aws", "aws.amazon.com"];

/// What a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Quality gates on the pattern as a whole.
    Lint,
    Example(usize),
    NearMiss(usize),
}

/// One check of one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub pattern: usize,
    pub kind: CheckKind,
}

impl Check {
    /// `id::example::2` — the name a test runner filters on. Examples count from 1.
    pub fn name(&self, engine: &Engine) -> String {
        let id = &engine.catalog().patterns()[self.pattern].id;
        match self.kind {
            CheckKind::Lint => format!("{id}::lint"),
            CheckKind::Example(i) => format!("{id}::example::{}", i + 1),
            CheckKind::NearMiss(i) => format!("{id}::near_miss::{}", i + 1),
        }
    }
}

/// Every check for the patterns `select` picks.
pub fn plan(engine: &Engine, select: impl Fn(&Pattern) -> bool) -> Vec<Check> {
    let mut checks = Vec::new();
    for (p, pattern) in engine.catalog().patterns().iter().enumerate() {
        if !select(pattern) {
            continue;
        }
        checks.push(Check {
            pattern: p,
            kind: CheckKind::Lint,
        });
        checks.extend((0..pattern.examples.len()).map(|i| Check {
            pattern: p,
            kind: CheckKind::Example(i),
        }));
        checks.extend((0..pattern.near_misses.len()).map(|i| Check {
            pattern: p,
            kind: CheckKind::NearMiss(i),
        }));
    }
    checks
}

/// Runs one check; `Err` says what went wrong, in words an author can act on.
pub fn run(engine: &Engine, check: &Check) -> Result<(), String> {
    let pattern = &engine.catalog().patterns()[check.pattern];
    match check.kind {
        CheckKind::Lint => lint(engine, pattern),
        CheckKind::Example(i) => example(engine, pattern, &pattern.examples[i]),
        CheckKind::NearMiss(i) => near_miss(engine, pattern, &pattern.near_misses[i]),
    }
}

/// The evidence an example stands for.
pub fn example_evidence(spec: &ExampleSpec) -> Evidence {
    let has_task_facts = spec.stop_code.is_some()
        || spec.exit_code.is_some()
        || spec.stopped_reason.is_some()
        || spec.health_status.is_some();
    let field = spec.field.unwrap_or(if has_task_facts {
        Field::StoppedReason
    } else {
        Field::Pasted
    });
    let mut evidence = match field {
        Field::Pasted => Evidence::pasted(1, spec.text.clone()),
        Field::ServiceEvent => {
            let mut e = Evidence::pasted(1, spec.text.clone());
            e.source = Source::ServiceEvent { index: 0 };
            e.reason_field = Field::ServiceEvent;
            e
        }
        Field::StoppedReason | Field::ContainerReason => Evidence::task(Source::Task { index: 0 }),
    };
    evidence.stop_code = spec.stop_code.clone();
    let container_reason = (field == Field::ContainerReason).then(|| spec.text.clone());
    if field == Field::StoppedReason {
        evidence.stopped_reason = Some(spec.text.clone());
    } else if field == Field::ContainerReason {
        evidence.stopped_reason = spec.stopped_reason.clone();
    }
    if container_reason.is_some()
        || spec.exit_code.is_some()
        || spec.container.is_some()
        || spec.health_status.is_some()
    {
        evidence.containers.push(ContainerEvidence {
            name: spec.container.clone().unwrap_or_else(|| "app".to_string()),
            exit_code: spec.exit_code,
            reason: container_reason,
            health_status: spec.health_status.clone(),
            ..ContainerEvidence::default()
        });
    }
    evidence
}

fn diagnose(engine: &Engine, spec: &ExampleSpec) -> crate::report::Diagnosis {
    engine.diagnose(
        &example_evidence(spec),
        &Defaults::default(),
        &mut MatchCache::default(),
    )
}

fn example(engine: &Engine, pattern: &Pattern, spec: &ExampleSpec) -> Result<(), String> {
    let diagnosis = diagnose(engine, spec);
    let Some(position) = diagnosis
        .findings
        .iter()
        .position(|f| f.pattern == pattern.id)
    else {
        let got = match diagnosis.primary() {
            Some(f) => format!("the best match is `{}`", f.pattern),
            None => "nothing matched".to_string(),
        };
        return Err(format!(
            "missed: the pattern does not match this example ({got})\n  text: {}",
            spec.text
        ));
    };
    if position > 0 {
        return Err(format!(
            "outranked: `{}` is reported before this pattern; tighten one of the two regexes or adjust `priority`\n  text: {}",
            diagnosis.findings[0].pattern, spec.text
        ));
    }
    let finding = &diagnosis.findings[0];
    let got: BTreeMap<&str, &str> = finding
        .captures
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut wrong = Vec::new();
    for (name, expected) in &spec.captures {
        match got.get(name.as_str()) {
            Some(value) if value == expected => {}
            Some(value) => wrong.push(format!("`{name}`: expected `{expected}`, got `{value}`")),
            None => wrong.push(format!(
                "`{name}`: expected `{expected}`, but the regex did not capture it"
            )),
        }
    }
    if !wrong.is_empty() {
        return Err(format!(
            "wrong captures: {}\n  text: {}",
            wrong.join("; "),
            spec.text
        ));
    }
    Ok(())
}

fn near_miss(engine: &Engine, pattern: &Pattern, spec: &ExampleSpec) -> Result<(), String> {
    if !spec.captures.is_empty() {
        return Err("near misses do not take `captures`".to_string());
    }
    let diagnosis = diagnose(engine, spec);
    if diagnosis.findings.iter().any(|f| f.pattern == pattern.id) {
        return Err(format!(
            "noisy: the pattern matches this near miss\n  text: {}",
            spec.text
        ));
    }
    Ok(())
}

fn lint(engine: &Engine, pattern: &Pattern) -> Result<(), String> {
    let mut problems = Vec::new();
    for (i, rule) in pattern.rules.iter().enumerate() {
        for (key, regex) in rule.regexes() {
            if let Err(e) = regex.try_get() {
                problems.push(format!("match[{i}].{key}: invalid regex: {e}"));
            }
        }
    }
    let captures = pattern.capture_names();
    for (field, template) in pattern.templates() {
        for (message, _) in super::pattern::template_problems(template.source(), &captures) {
            problems.push(format!("{field}: {message}"));
        }
    }
    if pattern.examples.is_empty() {
        problems.push("no examples: add at least one real message under `examples`".to_string());
    }
    if pattern.near_misses.is_empty() {
        problems.push(
            "no near misses: add a similar message of another cause under `near_misses`"
                .to_string(),
        );
    } else {
        let neighbour = pattern.near_misses.iter().any(|spec| {
            diagnose(engine, spec)
                .primary()
                .is_some_and(|f| f.pattern != pattern.id)
        });
        if !neighbour {
            problems.push(
                "no near miss comes from a neighbouring family: at least one must be recognised by another pattern".to_string(),
            );
        }
    }
    for doc in &pattern.docs {
        let host = doc
            .url
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next());
        match host {
            None => problems.push(format!("doc link `{}` is not https", doc.url)),
            Some(host) if pattern.origin.builtin && !DOC_HOSTS.contains(&host) => {
                problems.push(format!(
                    "doc link `{}` is not on an AWS documentation or re:Post host ({})",
                    doc.url,
                    DOC_HOSTS.join(", ")
                ))
            }
            Some(_) => {}
        }
    }
    if pattern.docs.is_empty() && pattern.origin.builtin {
        problems.push("no doc links: add the AWS page that documents this error".to_string());
    }
    problems.extend(unexercised_captures(engine, pattern));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Capture placeholders used by the templates must be filled in by at least one example, so
/// every template is seen with real values.
fn unexercised_captures(engine: &Engine, pattern: &Pattern) -> Vec<String> {
    let used: Vec<&str> = pattern
        .rules
        .iter()
        .flat_map(|r| r.capture_names.iter().map(String::as_str))
        .filter(|name| !is_context_variable(name) || *name == "image")
        .collect();
    let mut missing = Vec::new();
    for name in used {
        let placeholder = format!("<{name}>");
        let rendered_somewhere = pattern.examples.iter().any(|spec| {
            let d = diagnose(engine, spec);
            d.primary().is_some_and(|f| {
                f.pattern == pattern.id
                    && f.captures.iter().any(|(k, _)| k == name)
                    && !rendered(f).contains(&placeholder)
            })
        });
        let referenced = pattern_mentions(pattern, name);
        if referenced
            && !rendered_somewhere
            && !missing
                .iter()
                .any(|m: &String| m.contains(&format!("`{{{name}}}`")))
        {
            missing.push(format!(
                "the templates use `{{{name}}}` but no example captures it"
            ));
        }
    }
    missing
}

fn pattern_mentions(pattern: &Pattern, name: &str) -> bool {
    let needle = format!("{{{name}}}");
    pattern.source.contains(&needle)
}

fn rendered(f: &crate::report::Finding) -> String {
    let mut text = format!("{}\n{}\n", f.cause, f.fix);
    for n in &f.notes {
        text.push_str(n);
    }
    for c in &f.commands {
        text.push_str(&c.run);
    }
    text
}
