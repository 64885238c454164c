//! Renderers: text for people, JSON for programs, markdown for tickets. They read diagnoses
//! and never match. Output is streamed: one diagnosis at a time, a summary at the end.

pub mod grouped;
pub mod json;
pub mod markdown;
mod style;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::engine::Detail;
use crate::report::{Diagnosis, Status};

/// Output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Coloured, grouped, for people at a terminal.
    #[default]
    Text,
    /// Versioned JSON (schema in docs/json-output.md).
    Json,
    /// Markdown, for incident tickets and chat.
    Markdown,
}

/// How a command writes its report: the format, the options, and the redactor every value
/// from the input passes through before a renderer sees it (credentials masked always; with
/// `--redact`, names, accounts and addresses too). This is the one place where values are
/// redacted; renderers only escape them for their format.
#[derive(Clone)]
pub struct Output {
    pub format: OutputFormat,
    pub options: RenderOptions,
    pub redactor: Redactor,
}

impl Output {
    pub fn new(format: OutputFormat, options: RenderOptions, redact: bool) -> Output {
        let redactor = if redact {
            crate::redact::Redactor::new()
        } else {
            crate::redact::Redactor::credentials_only()
        };
        Output {
            format,
            options,
            redactor: std::rc::Rc::new(std::cell::RefCell::new(redactor)),
        }
    }

    /// Whether `--redact` is on.
    pub fn redacting(&self) -> bool {
        self.redactor.borrow().is_full()
    }

    /// A streaming renderer writing to `out`.
    pub fn renderer<W: Write>(&self, out: W) -> Renderer<W> {
        Renderer::new(self.format, out, self.options)
    }

    /// Diagnoses `evidence` with its values as they may be shown: the names it carries are
    /// learned first, the catalog's text is filled in with redacted values, and every field
    /// copied from the input is redacted.
    pub fn diagnose(
        &self,
        engine: &crate::engine::Engine,
        evidence: &crate::model::Evidence,
        defaults: &crate::context::Defaults,
        cache: &mut crate::engine::MatchCache,
    ) -> Diagnosis {
        self.diagnose_with(engine, evidence, defaults, cache, &[], Detail::Full)
    }

    /// Like [`Output::diagnose`], with the values named in `withheld` left as placeholders and
    /// findings rendered as `detail` says.
    pub fn diagnose_with(
        &self,
        engine: &crate::engine::Engine,
        evidence: &crate::model::Evidence,
        defaults: &crate::context::Defaults,
        cache: &mut crate::engine::MatchCache,
        withheld: &[String],
        detail: Detail,
    ) -> Diagnosis {
        let mut redactor = self.redactor.borrow_mut();
        diagnose_redacted(
            engine,
            evidence,
            defaults,
            cache,
            &mut redactor,
            withheld,
            detail,
        )
    }

    /// How much of each finding this output shows of a diagnosis written as it is (not
    /// grouped, not probed): text and markdown show findings after the best one in full only
    /// with `--verbose`.
    pub fn detail(&self) -> Detail {
        if self.format == OutputFormat::Json || self.options.verbose {
            Detail::Full
        } else {
            Detail::Primary
        }
    }

    /// `text` (a message, a name) as it may be shown: redacted, after learning the names in
    /// its ARNs. Not escaped: that is the renderer's part.
    pub fn shown(&self, text: &str) -> String {
        let mut redactor = self.redactor.borrow_mut();
        redactor.learn_text(text);
        redactor.redact(text)
    }

    /// Learns a name the user gave (a cluster on the command line): it can appear in messages
    /// without an ARN around it.
    pub fn learn_name(&self, kind: crate::redact::Kind, name: &str) {
        let mut redactor = self.redactor.borrow_mut();
        // A name, or an ARN that carries one.
        redactor.learn_text(name);
        if !name.starts_with("arn:") {
            redactor.learn_name(kind, name);
        }
    }

    /// A warning or error on stderr: redacted, and escaped for the terminal.
    pub fn note(&self, level: &str, message: &str) {
        eprintln!(
            "{level}: {}",
            crate::report::make_visible(&self.shown(message), false)
        );
    }

    /// The report's warnings and errors on stderr too, except for JSON (which carries them).
    pub fn notes(&self, warnings: &[String], errors: &[String]) {
        if self.format == OutputFormat::Json {
            return;
        }
        warnings.iter().for_each(|w| self.note("warning", w));
        errors.iter().for_each(|e| self.note("error", e));
    }

    /// Learns what a task's evidence names before it is diagnosed (for reports of many tasks:
    /// a name learned from one task is then redacted in all of them).
    pub fn learn_evidence(&self, evidence: &crate::model::Evidence) {
        self.redactor.borrow_mut().learn_evidence(evidence);
    }

    /// Writes a report about many tasks (`cluster`, `events`). Every name the report holds is
    /// learned first; each group's representative task is diagnosed again for the report, with
    /// placeholders for the values that differ between the group's tasks; then every value
    /// from the input is redacted.
    pub fn grouped(
        &self,
        out: &mut dyn Write,
        engine: &crate::engine::Engine,
        defaults: &crate::context::Defaults,
        report: &grouped::GroupedReport<'_>,
    ) -> io::Result<()> {
        use crate::redact::Kind;
        let mut groups = report.grouping.groups();
        if let Some(cluster) = &report.scan.cluster {
            self.learn_name(Kind::Cluster, cluster);
        }
        for group in &groups {
            self.learn_evidence(&group.evidence);
            let mut redactor = self.redactor.borrow_mut();
            for (names, kind) in [
                (&group.services, Kind::Service),
                (&group.families, Kind::Family),
                (&group.clusters, Kind::Cluster),
            ] {
                for name in names.keys() {
                    redactor.learn_name(kind, name);
                }
            }
        }
        for text in report.warnings.iter().chain(report.errors) {
            self.redactor.borrow_mut().learn_text(text);
        }
        let mut cache = crate::engine::MatchCache::default();
        for group in &mut groups {
            let varying = group.varying_names();
            group.representative = self.diagnose_with(
                engine,
                &group.evidence,
                defaults,
                &mut cache,
                &varying,
                Detail::Full,
            );
            for set in &mut group.value_sets {
                set.values.retain(|(name, _)| varying.contains(name));
            }
            let mut redactor = self.redactor.borrow_mut();
            group.visit_strings_mut(&mut |s| *s = redactor.redact(s));
        }
        let mut scan = report.scan.clone();
        scan.visit_strings_mut(&mut |s| *s = self.shown(s));
        let g = report.grouping;
        let shown = grouped::Shown {
            scan,
            totals: grouped::Totals {
                tasks: g.tasks,
                failures: g.failures,
                benign: g.benign,
                unrecognised: g.unrecognised,
            },
            groups,
            diagnoses: report.diagnoses,
            warnings: self.shown_all(report.warnings),
            errors: self.shown_all(report.errors),
        };
        grouped::render(self.format, out, &shown, self.options)
    }

    /// Messages as they may be shown (see [`Output::shown`]).
    pub fn shown_all(&self, messages: &[String]) -> Vec<String> {
        messages.iter().map(|m| self.shown(m)).collect()
    }
}

/// Options every renderer understands.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Show every finding in full, not only the best one.
    pub verbose: bool,
}

/// Counts for the end of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub diagnoses: usize,
    pub failures: usize,
    pub benign: usize,
    pub unrecognised: usize,
    /// Best finding per diagnosis, counted by pattern id.
    pub by_pattern: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
    /// Errors that stopped reading before the end; what was read is still reported.
    pub errors: Vec<String>,
}

impl Summary {
    pub fn add(&mut self, diagnosis: &Diagnosis) {
        self.diagnoses += 1;
        match diagnosis.status {
            Status::Failure => self.failures += 1,
            Status::Benign => self.benign += 1,
            Status::Unrecognised => self.unrecognised += 1,
        }
        if let Some(finding) = diagnosis.primary() {
            *self.by_pattern.entry(finding.pattern.clone()).or_default() += 1;
        }
    }
}

/// Diagnoses `evidence` through `redactor`: the names it carries are learned first, the
/// catalog's text is filled in with redacted values, and every field copied from the input is
/// redacted. Threads that diagnose for one report each hold a credentials-only redactor, which
/// learns nothing, so their answers are those of the run's own.
pub fn diagnose_redacted(
    engine: &crate::engine::Engine,
    evidence: &crate::model::Evidence,
    defaults: &crate::context::Defaults,
    cache: &mut crate::engine::MatchCache,
    redactor: &mut crate::redact::Redactor,
    withheld: &[String],
    detail: Detail,
) -> Diagnosis {
    redactor.learn_evidence(evidence);
    let mut diagnosis = engine.diagnose_shown(
        evidence,
        defaults,
        cache,
        &mut |name, value| match name {
            Some(name) if withheld.iter().any(|w| w == name) => None,
            _ => Some(redactor.redact(value)),
        },
        detail,
    );
    redactor.redact_diagnosis(&mut diagnosis);
    diagnosis
}

/// A streaming renderer.
pub struct Renderer<W: Write> {
    format: Format<W>,
}

enum Format<W: Write> {
    Text(text::TextRenderer<W>),
    Json(json::JsonRenderer<W>),
    Markdown(markdown::MarkdownRenderer<W>),
}

/// The run's redactor, shared by everything that shows values from the input.
pub type Redactor = std::rc::Rc<std::cell::RefCell<crate::redact::Redactor>>;

impl<W: Write> Renderer<W> {
    pub fn new(format: OutputFormat, out: W, options: RenderOptions) -> Self {
        let format = match format {
            OutputFormat::Text => Format::Text(text::TextRenderer::new(out, options)),
            OutputFormat::Json => Format::Json(json::JsonRenderer::new(out)),
            OutputFormat::Markdown => {
                Format::Markdown(markdown::MarkdownRenderer::new(out, options))
            }
        };
        Renderer { format }
    }

    /// Writes one diagnosis, made by [`Output::diagnose`].
    pub fn diagnosis(&mut self, diagnosis: &Diagnosis) -> io::Result<()> {
        match &mut self.format {
            Format::Text(r) => r.diagnosis(diagnosis),
            Format::Json(r) => r.diagnosis(diagnosis),
            Format::Markdown(r) => r.diagnosis(diagnosis),
        }
    }

    /// Pushes out what was written so far (watch mode prints as tasks stop).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.format {
            Format::Text(r) => r.flush(),
            Format::Json(r) => r.flush(),
            Format::Markdown(r) => r.flush(),
        }
    }

    pub fn finish(self, summary: &Summary) -> io::Result<()> {
        match self.format {
            Format::Text(r) => r.finish(summary),
            Format::Json(r) => r.finish(summary),
            Format::Markdown(r) => r.finish(summary),
        }
    }
}

/// A short heading naming what a diagnosis is about: the task, or the input line.
pub fn subject(diagnosis: &Diagnosis) -> String {
    let task = &diagnosis.task;
    let mut where_ = Vec::new();
    if let Some(cluster) = &task.cluster {
        where_.push(format!("cluster {cluster}"));
    }
    if let Some(service) = &task.service {
        where_.push(format!("service {service}"));
    } else if let Some(family) = &task.family {
        where_.push(format!("family {family}"));
    }
    let context = if where_.is_empty() {
        String::new()
    } else {
        format!(" ({})", where_.join(", "))
    };
    if let Some(id) = &task.task_id {
        return format!("task {id}{context}");
    }
    use crate::model::Source;
    match diagnosis.source {
        Source::Text { line } => format!("line {line}{context}"),
        Source::Task { index } => format!("task #{}{context}", index + 1),
        Source::Event { index } => format!("event #{}{context}", index + 1),
        Source::ServiceEvent { index } => format!("service event #{}{context}", index + 1),
        Source::Live => format!("task{context}"),
    }
}
