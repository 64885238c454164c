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
pub enum Renderer<W: Write> {
    Text(text::TextRenderer<W>),
    Json(json::JsonRenderer<W>),
    Markdown(markdown::MarkdownRenderer<W>),
}

impl<W: Write> Renderer<W> {
    pub fn new(format: OutputFormat, out: W, options: RenderOptions) -> Self {
        match format {
            OutputFormat::Text => Renderer::Text(text::TextRenderer::new(out, options)),
            OutputFormat::Json => Renderer::Json(json::JsonRenderer::new(out)),
            OutputFormat::Markdown => {
                Renderer::Markdown(markdown::MarkdownRenderer::new(out, options))
            }
        }
    }

    pub fn diagnosis(&mut self, diagnosis: &Diagnosis) -> io::Result<()> {
        match self {
            Renderer::Text(r) => r.diagnosis(diagnosis),
            Renderer::Json(r) => r.diagnosis(diagnosis),
            Renderer::Markdown(r) => r.diagnosis(diagnosis),
        }
    }

    /// Pushes out what was written so far (watch mode prints as tasks stop).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Renderer::Text(r) => r.flush(),
            Renderer::Json(r) => r.flush(),
            Renderer::Markdown(r) => r.flush(),
        }
    }

    pub fn finish(self, summary: &Summary) -> io::Result<()> {
        match self {
            Renderer::Text(r) => r.finish(summary),
            Renderer::Json(r) => r.finish(summary),
            Renderer::Markdown(r) => r.finish(summary),
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
