//! Renderers: text for people, JSON for programs, markdown for tickets. They read diagnoses
//! and never match. Output is streamed: one diagnosis at a time, a summary at the end.

pub mod grouped;
pub mod json;
pub mod markdown;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

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

/// How a command writes its report: the format, the options, and the redactor with
/// `--redact` (the writer the command renders into is then a
/// [`crate::redact::RedactingWriter`] sharing it).
#[derive(Clone)]
pub struct Output {
    pub format: OutputFormat,
    pub options: RenderOptions,
    pub redactor: Option<Redactor>,
}

impl Output {
    /// A streaming renderer writing to `out`.
    pub fn renderer<W: Write>(&self, out: W) -> Renderer<W> {
        Renderer::new(self.format, out, self.options).redacting(self.redactor.clone())
    }

    /// A warning or error on stderr, redacted like the report.
    pub fn note(&self, level: &str, message: &str) {
        eprintln!("{level}: {}", self.redact(message));
    }

    /// The report's warnings and errors on stderr too, except for JSON (which carries them).
    pub fn notes(&self, warnings: &[String], errors: &[String]) {
        if self.format == OutputFormat::Json {
            return;
        }
        warnings.iter().for_each(|w| self.note("warning", w));
        errors.iter().for_each(|e| self.note("error", e));
    }

    /// Writes a report about many tasks (`cluster`, `events`).
    pub fn grouped(
        &self,
        out: &mut dyn Write,
        report: &grouped::GroupedReport<'_>,
    ) -> io::Result<()> {
        grouped::render(
            self.format,
            out,
            report,
            self.options,
            self.redactor.as_ref(),
        )
    }

    /// `text` as it may be shown: redacted with `--redact` (learning the names in its ARNs
    /// first), unchanged otherwise.
    pub fn redact(&self, text: &str) -> String {
        match &self.redactor {
            Some(r) => {
                let mut r = r.borrow_mut();
                r.learn_text(text);
                r.redact(text)
            }
            None => text.to_string(),
        }
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

/// A streaming renderer.
pub struct Renderer<W: Write> {
    format: Format<W>,
    /// With `--redact`: learns each diagnosis's names before it is written (the writer redacts).
    redactor: Option<Redactor>,
}

enum Format<W: Write> {
    Text(text::TextRenderer<W>),
    Json(json::JsonRenderer<W>),
    Markdown(markdown::MarkdownRenderer<W>),
}

/// The run's redactor, shared by the renderer (which teaches it) and the writer (which uses it).
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
        Renderer {
            format,
            redactor: None,
        }
    }

    /// Redacts the output: `out` must be the [`crate::redact::RedactingWriter`] sharing `redactor`.
    pub fn redacting(mut self, redactor: Option<Redactor>) -> Self {
        self.redactor = redactor;
        self
    }

    pub fn diagnosis(&mut self, diagnosis: &Diagnosis) -> io::Result<()> {
        if let Some(redactor) = &self.redactor {
            redactor.borrow_mut().learn_diagnosis(diagnosis);
        }
        match &mut self.format {
            Format::Text(r) => r.diagnosis(diagnosis),
            Format::Json(r) => r.diagnosis(diagnosis),
            Format::Markdown(r) => r.diagnosis(diagnosis),
        }?;
        if self.redactor.is_some() {
            // Each diagnosis is redacted as a whole, once its names are known.
            self.flush()?;
        }
        Ok(())
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
