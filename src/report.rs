//! What the engine concludes, in the shape every renderer reads. Renderers never match;
//! the engine never prints.

use crate::catalog::spec::{CommandKind, Level, Severity};
use crate::context::Location;
use crate::model::{ContainerEvidence, Field, Source};

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Only the error family is recognised.
    Low,
    /// The message fits several causes; they are listed as candidates.
    Medium,
    /// One specific cause fits the evidence.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One message (or task fact) that made a pattern match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedEvidence {
    /// The field the message came from; `None` for a rule decided by stopCode/exit code alone.
    pub field: Option<Field>,
    /// The container, for container reasons and exit-code conditions.
    pub container: Option<String>,
    /// The message as written in the input.
    pub text: Option<String>,
    /// The part of the normalised message the regex matched.
    pub matched: Option<String>,
    /// Conditions that held besides the regex (`stopCode = ...`, `exit code 137`).
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCandidate {
    pub cause: String,
    pub evidence: String,
    pub check: Option<String>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCommand {
    pub title: String,
    pub run: String,
    pub kind: CommandKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLink {
    pub title: String,
    pub url: String,
}

/// One pattern that matched a task, with its text rendered for this task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub pattern: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub level: Level,
    pub transient: bool,
    pub confidence: Confidence,
    /// Why this confidence: what in the input decided it.
    pub confidence_reason: String,
    pub captures: Vec<(String, String)>,
    pub cause: String,
    pub fix: String,
    pub notes: Vec<String>,
    pub candidates: Vec<RenderedCandidate>,
    pub commands: Vec<RenderedCommand>,
    pub terraform: Vec<String>,
    pub docs: Vec<DocLink>,
    pub evidence: Vec<MatchedEvidence>,
    /// Account and region used in this finding's text, with where they came from.
    pub location: Location,
}

/// What to do with input nothing recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecognised {
    /// The normalised messages, as the catalog saw them.
    pub normalized: Vec<(Field, String)>,
    pub next_steps: Vec<String>,
    /// A pattern file to start from, with the message as its first example.
    pub pattern_stub: String,
}

/// The verdict on one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The best finding is a failure (error or warning severity).
    Failure,
    /// The best finding is a normal stop.
    Benign,
    /// No pattern matched.
    Unrecognised,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failure => "failure",
            Status::Benign => "benign",
            Status::Unrecognised => "unrecognised",
        }
    }
}

/// The identity of the task a diagnosis is about, as far as the input tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskSummary {
    pub task_arn: Option<String>,
    pub task_id: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub family: Option<String>,
    pub group: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub stopped_at: Option<String>,
    pub last_status: Option<String>,
    pub containers: Vec<ContainerEvidence>,
}

/// One task (or pasted error) with its findings, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub source: Source,
    pub task: TaskSummary,
    pub status: Status,
    pub findings: Vec<Finding>,
    pub unrecognised: Option<Unrecognised>,
    /// Problems with this input item (a message cut for length, say).
    pub warnings: Vec<String>,
}

impl Diagnosis {
    /// The best finding.
    pub fn primary(&self) -> Option<&Finding> {
        self.findings.first()
    }
}
