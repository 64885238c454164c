//! The pattern file format, exactly as written in YAML. Unknown keys are errors everywhere.
//! `patterns/README.md` documents every field for pattern authors.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Field;

/// One pattern file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternSpec {
    /// Stable kebab-case id; a public interface (runbooks refer to it). Equals the file stem.
    pub id: String,
    /// One line naming the cause.
    pub title: String,
    /// Free-form grouping shown by `catalog list` (image-pull, secrets, networking, ...).
    pub category: String,
    pub severity: Severity,
    /// `specific` names one cause; `family` only recognises the error family.
    #[serde(default)]
    pub level: Level,
    /// Among specific patterns matching one task, the higher priority is reported first.
    #[serde(default = "default_priority")]
    pub priority: i32,
    /// Transient failures usually succeed when retried (ENI timeouts, capacity, Spot).
    #[serde(default)]
    pub transient: bool,
    /// Rules; the pattern matches when any rule matches.
    #[serde(rename = "match")]
    pub rules: Vec<RuleSpec>,
    /// Why it happened. Template.
    pub cause: String,
    /// What to do. Template.
    pub fix: String,
    /// Caveats and things worth checking. Templates.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Plausible causes, most likely first, when the message alone does not decide.
    #[serde(default)]
    pub candidates: Vec<CandidateSpec>,
    /// Ready-to-run commands. Templates.
    #[serde(default)]
    pub commands: Vec<CommandSpec>,
    /// Terraform resources (or `resource.attribute`) involved in the fix.
    #[serde(default)]
    pub terraform: Vec<String>,
    #[serde(default)]
    pub docs: Vec<DocSpec>,
    /// Messages this pattern must match, with the captures they must yield.
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
    /// Similar messages with another cause, which this pattern must not match.
    #[serde(default)]
    pub near_misses: Vec<ExampleSpec>,
    /// Read-only checks that confirm or rule out this cause for a live task (`--probe`).
    /// An unknown name is a load error.
    #[serde(default)]
    pub probes: Vec<ProbeName>,
}

/// What diagnosing needs of a pattern up front: everything but its text (cause, fix, notes,
/// candidates, commands, links), which is most of a pattern file and is read on first use.
#[derive(Debug, Deserialize)]
pub struct HeadSpec {
    id: String,
    title: String,
    category: String,
    severity: Severity,
    #[serde(default)]
    level: Level,
    #[serde(default = "default_priority")]
    priority: i32,
    #[serde(default)]
    transient: bool,
    #[serde(rename = "match")]
    rules: Vec<RuleSpec>,
    #[serde(default)]
    probes: Vec<ProbeName>,
}

impl HeadSpec {
    /// A spec with empty text.
    pub fn into_spec(self) -> PatternSpec {
        PatternSpec {
            id: self.id,
            title: self.title,
            category: self.category,
            severity: self.severity,
            level: self.level,
            priority: self.priority,
            transient: self.transient,
            rules: self.rules,
            cause: String::new(),
            fix: String::new(),
            notes: Vec::new(),
            candidates: Vec::new(),
            commands: Vec::new(),
            terraform: Vec::new(),
            docs: Vec::new(),
            examples: Vec::new(),
            near_misses: Vec::new(),
            probes: self.probes,
        }
    }
}

/// A read-only check `--probe` can run against a stopped task's own resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeName {
    /// Route table, NAT/internet gateway and VPC endpoints (with their security groups) on the
    /// way from the task's subnet to the service the message names.
    NetworkPath,
    /// The image is on ECR Public and the subnet has no internet path; existing cache rules.
    EcrPublic,
    /// VPC DNS attributes and the private hosted zones that answer for the registry's name.
    DkrDns,
    /// The pull-through cache rule for the image's prefix and the execution role's permissions.
    CacheIam,
    /// The secrets the task definition references exist.
    Secret,
    /// The execution role may read them.
    SecretIam,
    /// The SSM parameters the task definition references exist.
    Parameter,
    ParameterIam,
    /// The awslogs log group exists.
    LogGroup,
    LogGroupIam,
    /// The S3 environment files exist.
    EnvFile,
    EnvFileIam,
    /// The ECR image (repository and tag) exists.
    Image,
    ImageIam,
}

impl ProbeName {
    pub const ALL: [ProbeName; 14] = [
        ProbeName::NetworkPath,
        ProbeName::EcrPublic,
        ProbeName::DkrDns,
        ProbeName::CacheIam,
        ProbeName::Secret,
        ProbeName::SecretIam,
        ProbeName::Parameter,
        ProbeName::ParameterIam,
        ProbeName::LogGroup,
        ProbeName::LogGroupIam,
        ProbeName::EnvFile,
        ProbeName::EnvFileIam,
        ProbeName::Image,
        ProbeName::ImageIam,
    ];

    /// The name used in pattern files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeName::NetworkPath => "network-path",
            ProbeName::EcrPublic => "ecr-public",
            ProbeName::DkrDns => "dkr-dns",
            ProbeName::CacheIam => "cache-iam",
            ProbeName::Secret => "secret",
            ProbeName::SecretIam => "secret-iam",
            ProbeName::Parameter => "parameter",
            ProbeName::ParameterIam => "parameter-iam",
            ProbeName::LogGroup => "log-group",
            ProbeName::LogGroupIam => "log-group-iam",
            ProbeName::EnvFile => "env-file",
            ProbeName::EnvFileIam => "env-file-iam",
            ProbeName::Image => "image",
            ProbeName::ImageIam => "image-iam",
        }
    }
}

fn default_priority() -> i32 {
    50
}

/// How bad a stop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Something is broken and will not fix itself.
    Error,
    /// A failure that is often transient or needs a look, not necessarily a change.
    Warning,
    /// A normal stop: scaling, deployments, user stops, Spot interruptions, maintenance.
    Benign,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Benign => "benign",
        }
    }
}

/// Whether a pattern decides a cause or only recognises the family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    #[default]
    Specific,
    Family,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Specific => "specific",
            Level::Family => "family",
        }
    }
}

/// One matching rule. Every condition given must hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Rust `regex` syntax, matched case-insensitively against the normalised message.
    /// Named groups become captures. Optional when `stop_code` or `exit_code` decide alone.
    #[serde(default)]
    pub regex: Option<String>,
    /// The rule does not apply to a message this regex matches.
    #[serde(default)]
    pub unless: Option<String>,
    /// Which messages the regex reads; empty means all. Pasted text matches any field.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The task's stopCode must be one of these.
    #[serde(default)]
    pub stop_code: Vec<String>,
    /// A container's exit code must be one of these (the matched container, if the regex
    /// matched a container reason; otherwise any container).
    #[serde(default)]
    pub exit_code: Vec<i64>,
    /// A container's name must match this regex (the same container as `exit_code`).
    #[serde(default)]
    pub container: Option<String>,
    /// A container's health status must be one of these (`HEALTHY`, `UNHEALTHY`, `UNKNOWN`);
    /// the same container as `exit_code` and `container`.
    #[serde(default)]
    pub health_status: Vec<String>,
    /// The rule infers the cause from indirect evidence (a message cut before the deciding
    /// words, a retry count): this sentence says what the inference rests on. A finding decided
    /// by such a rule is reported with medium confidence and this reason.
    #[serde(default)]
    pub judgement: Option<String>,
}

/// One plausible cause among several.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    /// The cause. Template.
    pub cause: String,
    /// What points to it, and how to tell it apart. Template.
    pub evidence: String,
    /// A read-only command whose answer confirms or rules it out. Template.
    #[serde(default)]
    pub check: Option<String>,
    /// The fix if this candidate is the one. Template.
    #[serde(default)]
    pub fix: Option<String>,
}

/// A command to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSpec {
    pub title: String,
    pub run: String,
    /// `check` commands only read; `fix` commands change something.
    #[serde(default)]
    pub kind: CommandKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    Check,
    #[default]
    Fix,
}

impl CommandKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Check => "check",
            CommandKind::Fix => "fix",
        }
    }
}

/// A documentation link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocSpec {
    pub title: String,
    pub url: String,
}

/// An example (or near miss): a message, optionally with the task facts around it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    /// The message, verbatim as ECS wrote it (scrubbed of real account ids).
    pub text: String,
    /// Where `text` sits. Omitted: pasted text, unless `stop_code`/`exit_code` are given, in
    /// which case it is the stopped reason.
    #[serde(default)]
    pub field: Option<Field>,
    /// The task's stopped reason, when `text` is a container reason.
    #[serde(default)]
    pub stopped_reason: Option<String>,
    #[serde(default)]
    pub stop_code: Option<String>,
    /// Exit code of the example's container.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// Name of the example's container (default `app`).
    #[serde(default)]
    pub container: Option<String>,
    /// Health status of the example's container.
    #[serde(default)]
    pub health_status: Option<String>,
    /// Captures the match must yield (examples only; others are not checked).
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    /// Where this message was seen (URL of the report or documentation).
    #[serde(default)]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;

    const PATTERN: &str = "id: x-timeout\ntitle: T\ncategory: networking\nseverity: error\nmatch:\n  - regex: 'x timeout'\ncause: C\nfix: F\n";

    #[test]
    fn probes_are_read_and_unknown_names_are_load_errors() {
        let ok = Catalog::from_user_text(
            "x-timeout.yaml",
            &format!("{PATTERN}probes: [network-path, cache-iam]\n"),
        )
        .unwrap();
        assert_eq!(
            ok.get("x-timeout").unwrap().probes,
            [super::ProbeName::NetworkPath, super::ProbeName::CacheIam]
        );
        let err = Catalog::from_user_text("x-timeout.yaml", &format!("{PATTERN}probes: [ping]\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x-timeout.yaml:9") && err.contains("unknown variant `ping`"),
            "{err}"
        );
    }

    #[test]
    fn every_probe_name_round_trips() {
        for probe in super::ProbeName::ALL {
            let parsed: super::ProbeName = serde_yaml::from_str(probe.as_str()).unwrap();
            assert_eq!(parsed, probe);
        }
    }
}
