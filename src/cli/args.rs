//! The command line, defined with clap derive. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use crate::input::InputFormat;
use crate::render::OutputFormat;

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("ECS_DIAGNOSE_PATTERN_COUNT"),
    " built-in patterns)"
);

pub const EXIT_CODES: &str = "\
Exit codes:
  0  everything was recognised (for `catalog test`: every check passed)
  1  something was not recognised (for `catalog test`: a check failed)
  2  error: usage, unreadable input, a broken pattern file, AWS errors";

/// Tells you why an Amazon ECS task stopped and what to do about it.
///
/// Paste a stopped reason, pipe `aws ecs describe-tasks` output or EventBridge "ECS Task State
/// Change" events, and get the cause and a fix filled in with your own values. The catalog of
/// known errors is built in; no AWS credentials are needed for `explain`.
#[derive(Debug, Parser)]
#[command(name = "ecs-diagnose", version = VERSION, after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,

    /// Also load pattern files from DIR (repeatable). A pattern with a built-in id replaces it.
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    pub output: OutputFormat,

    /// When to use colour in text output. `auto` means: stdout is a terminal and NO_COLOR is unset.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Show every finding in full, not only the best one per task.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    /// Replace account ids, IP addresses and the names of roles, users, secrets, parameters,
    /// clusters, services and other resources with stable tokens (`<account-1>`), so the output
    /// can be shared. Fixes keep their shape.
    #[arg(long, global = true)]
    pub redact: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain a stopped-task error: pasted text, a file, or stdin (`-`).
    #[command(after_help = concat!(
        "Examples:\n",
        "  ecs-diagnose explain 'CannotPullContainerError: pull image manifest has been retried 5 time(s): ...: i/o timeout'\n",
        "  aws ecs describe-tasks --cluster prod --tasks $TASK | ecs-diagnose explain -\n",
        "  ecs-diagnose explain --file stopped-event.json --output json\n",
        "  pbpaste | ecs-diagnose explain - --account 123456789012 --region eu-west-1 --output markdown\n\n",
        "Exit codes:\n",
        "  0  everything was recognised\n",
        "  1  something was not recognised\n",
        "  2  error: usage, unreadable input, a broken pattern file"
    ))]
    Explain(ExplainArgs),

    /// Diagnose a cluster's stopped tasks through the ECS API, grouped by cause.
    #[cfg(feature = "aws")]
    #[command(after_help = concat!(
        "ECS keeps stopped tasks for about an hour; for older stops, archive \"ECS Task State Change\"\n",
        "events and use `ecs-diagnose events`.\n\n",
        "Needs ecs:ListTasks and ecs:DescribeTasks.\n\n",
        "Examples:\n",
        "  ecs-diagnose cluster prod --service web\n",
        "  ecs-diagnose cluster prod --family batch-job --since 30m --output markdown\n",
        "  ecs-diagnose cluster prod --watch 20s\n",
        "  ecs-diagnose cluster demo --endpoint-url http://127.0.0.1:5055 --region us-east-1\n\n",
        "Exit codes:\n",
        "  0  every stopped task was recognised (or there were none)\n",
        "  1  some stop reasons were not recognised\n",
        "  2  error: credentials, region, permissions, the cluster, the API; or a partial result"
    ))]
    Cluster(ClusterArgs),

    /// Diagnose specific tasks by id or ARN through the ECS API.
    #[cfg(feature = "aws")]
    #[command(after_help = concat!(
        "Needs ecs:DescribeTasks.\n\n",
        "Examples:\n",
        "  ecs-diagnose task --cluster prod 5d1c2b7e9f0a4e3d8c6b5a4f3e2d1c0b\n",
        "  ecs-diagnose task --cluster prod arn:aws:ecs:eu-west-1:111122223333:task/prod/5d1c2b7e9f0a4e3d8c6b5a4f3e2d1c0b -o json"
    ))]
    Task(TaskArgs),

    /// Summarize archives of "ECS Task State Change" events: what stopped tasks, how often, where.
    #[command(after_help = concat!(
        "Reads, detected per file: JSON Lines of events, JSON arrays of events, `aws logs\n",
        "filter-log-events` / `get-log-events` output, CloudWatch Logs exports to S3 (timestamped\n",
        "lines), and any of them gzip-compressed. Each task counts once, from its newest final event.\n\n",
        "Examples:\n",
        "  ecs-diagnose events exported/                        # a directory of .gz exports\n",
        "  ecs-diagnose events events.jsonl --since 7d --bucket day --output markdown > weekly.md\n",
        "  aws logs filter-log-events --log-group-name /aws/events/ecs --output json | ecs-diagnose events -\n\n",
        "Exit codes:\n",
        "  0  every stop was recognised\n",
        "  1  some stop reasons were not recognised\n",
        "  2  error: nothing usable could be read"
    ))]
    Events(EventsArgs),

    /// List, show and test the pattern catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),

    /// Print a shell completion script.
    #[command(after_help = concat!(
        "Examples:\n",
        "  ecs-diagnose completions bash > ~/.local/share/bash-completion/completions/ecs-diagnose\n",
        "  ecs-diagnose completions zsh > \"${fpath[1]}/_ecs-diagnose\"\n",
        "  ecs-diagnose completions fish > ~/.config/fish/completions/ecs-diagnose.fish"
    ))]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page, or write one page per command into a directory.
    #[command(after_help = concat!(
        "Examples:\n",
        "  ecs-diagnose man | man -l -\n",
        "  ecs-diagnose man --dir /usr/local/share/man/man1"
    ))]
    Man {
        /// Write `ecs-diagnose.1` and a page for each command into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, ClapArgs)]
pub struct EventsArgs {
    /// Files or directories of events (`-` for stdin).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Only stops at or after this time: RFC 3339 (2026-11-20T00:00:00Z) or a duration ago (7d).
    #[arg(long, value_name = "TIME", value_parser = parse_time, help_heading = "Filters")]
    pub since: Option<i64>,

    /// Only stops at or before this time: RFC 3339 or a duration ago.
    #[arg(long, value_name = "TIME", value_parser = parse_time, help_heading = "Filters")]
    pub until: Option<i64>,

    /// Only tasks of this cluster (name or ARN).
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub cluster: Option<String>,

    /// Only tasks of this service.
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub service: Option<String>,

    /// Only tasks of this task definition family.
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub family: Option<String>,

    /// Timeline buckets; `auto` uses days when the stops span more than three days.
    #[arg(long, value_enum, default_value_t, value_name = "SIZE")]
    pub bucket: Bucket,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: Option<u16>,
}

/// Timeline bucket size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Bucket {
    #[default]
    Auto,
    Hour,
    Day,
}

/// RFC 3339, or a duration before now.
fn parse_time(value: &str) -> Result<i64, String> {
    if let Some(at) = crate::time::parse_rfc3339(value) {
        return Ok(at);
    }
    let ago = crate::time::parse_duration(value).map_err(|_| {
        format!("`{value}` is neither a time (2026-11-20T00:00:00Z) nor a duration ago (7d, 12h)")
    })?;
    Ok(crate::time::now() - i64::try_from(ago.as_secs()).unwrap_or(i64::MAX))
}

/// How to reach the ECS API: the standard AWS credential chain and region resolution apply.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, ClapArgs)]
pub struct AwsArgs {
    /// Named profile from the shared AWS config.
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,

    /// Region of the cluster (default: AWS_REGION, then the profile's region).
    #[arg(long, value_name = "REGION", value_parser = parse_region, help_heading = "AWS")]
    pub region: Option<String>,

    /// ECS API endpoint (a local test server, a proxy); AWS_ENDPOINT_URL_ECS also works.
    #[arg(long, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,

    /// Give up on an API call after this long, retries included.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_positive_duration, help_heading = "AWS")]
    pub timeout: std::time::Duration,
}

#[cfg(feature = "aws")]
#[derive(Debug, Clone, ClapArgs)]
pub struct ClusterArgs {
    /// Cluster name or ARN.
    pub cluster: String,

    /// Only tasks of this service.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["family", "started_by"], help_heading = "Filters")]
    pub service: Option<String>,

    /// Only tasks of this task definition family.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "started_by",
        help_heading = "Filters"
    )]
    pub family: Option<String>,

    /// Only tasks started by this value (ECS allows no other filter with it).
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub started_by: Option<String>,

    /// Only tasks that stopped within this long (e.g. 30m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = crate::time::parse_duration, help_heading = "Filters")]
    pub since: Option<std::time::Duration>,

    /// Look at no more than this many stopped tasks.
    #[arg(long, value_name = "N", help_heading = "Filters")]
    pub limit: Option<usize>,

    /// Keep polling and print each newly stopped task once, until Ctrl-C.
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, default_missing_value = "30s", value_parser = parse_positive_duration)]
    pub watch: Option<std::time::Duration>,

    /// After diagnosing, confirm or rule out each cause with read-only checks of the task's own
    /// subnet, VPC, security groups, image, task definition and roles (see the README for the
    /// IAM actions; a missing permission makes that check "could not check").
    #[arg(long, help_heading = "AWS")]
    pub probe: bool,

    /// DescribeTasks calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[cfg(feature = "aws")]
#[derive(Debug, Clone, ClapArgs)]
pub struct TaskArgs {
    /// Cluster name or ARN.
    #[arg(long)]
    pub cluster: String,

    /// Task ids or ARNs.
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,

    /// After diagnosing, confirm or rule out each cause with read-only checks of the task's own
    /// subnet, VPC, security groups, image, task definition and roles (see the README for the
    /// IAM actions; a missing permission makes that check "could not check").
    #[arg(long, help_heading = "AWS")]
    pub probe: bool,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, ClapArgs)]
pub struct ExplainArgs {
    /// The error text (words are joined with spaces), or `-` to read stdin.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// Read the input from a file instead.
    #[arg(
        long,
        short = 'f',
        value_name = "PATH",
        conflicts_with = "text",
        help_heading = "Input"
    )]
    pub file: Option<PathBuf>,

    /// What the input is; detected from its first bytes by default.
    #[arg(
        long,
        value_enum,
        default_value_t,
        value_name = "FORMAT",
        help_heading = "Input"
    )]
    pub input_format: InputFormat,

    /// AWS account id to fill into fixes when the input does not state one.
    #[arg(long, value_name = "ID", value_parser = parse_account, help_heading = "Values")]
    pub account: Option<String>,

    /// AWS region to fill into fixes when the input does not state one.
    #[arg(long, value_name = "REGION", value_parser = parse_region, help_heading = "Values")]
    pub region: Option<String>,

    /// Threads that diagnose a file or stdin (default: one per core). `--redact` uses one:
    /// the names it learns from earlier items are hidden in later ones.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: Option<u16>,

    #[command(flatten)]
    pub probe: ExplainProbeArgs,
}

/// `explain --probe`: the input's task ARNs name the account and region to check.
#[derive(Debug, Clone, ClapArgs)]
pub struct ExplainProbeArgs {
    /// For inputs that name task ARNs (describe-tasks output, events): confirm or rule out each
    /// cause with read-only checks of the task's own resources (needs AWS credentials).
    #[arg(long, help_heading = "Probe")]
    pub probe: bool,

    /// Named profile from the shared AWS config.
    #[arg(long, value_name = "NAME", requires = "probe", help_heading = "Probe")]
    pub profile: Option<String>,

    /// AWS API endpoint (a local test server, a proxy).
    #[arg(long, value_name = "URL", requires = "probe", help_heading = "Probe")]
    pub endpoint_url: Option<String>,

    /// Give up on an API call after this long, retries included.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::time::parse_duration, help_heading = "Probe")]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List the patterns: id, severity, category and title.
    List {
        /// Only patterns of this category.
        #[arg(long)]
        category: Option<String>,
    },
    /// Show one pattern's file.
    Show {
        /// The pattern id.
        id: String,
    },
    /// Run every pattern's examples and near misses, and the catalog's quality checks.
    ///
    /// With DIR, tests the pattern files in DIR together with the built-in catalog (a pattern
    /// in DIR with a built-in id replaces it). Every failure is reported, not just the first.
    Test {
        /// A directory (or file) of pattern files; default: the built-in catalog.
        dir: Option<PathBuf>,
    },
    /// Score the catalog on a field corpus: real messages as people published them.
    ///
    /// Prints top-1 and top-3 accuracy overall, per category and per tag, the misses, any
    /// confident finding that contradicts a confirmed fix, and how many entries keep their
    /// cause when cut to 75%, redacted, hard-wrapped at 80 columns or pasted under a console
    /// label. Exits 1 below the targets. The corpus format is in tests/field/README.md.
    #[command(
        after_help = "Examples:\n  ecs-diagnose catalog accuracy tests/field\n  ecs-diagnose --catalog my-patterns catalog accuracy my-incidents.yaml --min-top1 90"
    )]
    Accuracy {
        /// Corpus files (YAML lists of entries), or directories of them.
        #[arg(required = true)]
        corpus: Vec<PathBuf>,
        /// Least top-1 accuracy, in percent.
        #[arg(long, default_value_t = 95.0, value_name = "PERCENT")]
        min_top1: f64,
        /// Least top-3 accuracy, in percent.
        #[arg(long, default_value_t = 99.0, value_name = "PERCENT")]
        min_top3: f64,
        /// Least share of entries that keep their cause when redacted, wrapped or labelled.
        #[arg(long, default_value_t = 95.0, value_name = "PERCENT")]
        min_robust: f64,
        /// Least share of entries that keep their cause when cut to 75% of their length.
        #[arg(long, default_value_t = 95.0, value_name = "PERCENT")]
        min_cut: f64,
    },
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

fn parse_account(value: &str) -> Result<String, String> {
    if crate::arn::is_account_id(value) {
        Ok(value.to_string())
    } else {
        Err("an AWS account id is 12 digits".to_string())
    }
}

/// A duration that is not zero: `--timeout 0s` would fail every call, `--watch 0` would poll
/// without pause.
#[cfg(feature = "aws")]
fn parse_positive_duration(text: &str) -> Result<std::time::Duration, String> {
    let duration = crate::time::parse_duration(text)?;
    if duration.is_zero() {
        return Err(format!(
            "`{text}` is zero; give a duration such as 30s or 2m"
        ));
    }
    Ok(duration)
}

fn parse_region(value: &str) -> Result<String, String> {
    if crate::arn::is_region(value) {
        Ok(value.to_string())
    } else {
        Err("expected a region name such as us-east-1".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn explain_joins_words_and_reads_flags() {
        let args = Args::try_parse_from([
            "ecs-diagnose",
            "explain",
            "Task",
            "stopped",
            "-o",
            "json",
            "--region",
            "eu-west-1",
        ])
        .unwrap();
        let Command::Explain(explain) = args.command else {
            panic!()
        };
        assert_eq!(explain.text, ["Task", "stopped"]);
        assert_eq!(explain.region.as_deref(), Some("eu-west-1"));
        assert_eq!(args.output, OutputFormat::Json);
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(
            Args::try_parse_from(["ecs-diagnose", "explain", "x", "--account", "12345"]).is_err()
        );
        assert!(
            Args::try_parse_from(["ecs-diagnose", "explain", "x", "--region", "mars"]).is_err()
        );
        assert!(Args::try_parse_from(["ecs-diagnose", "explain", "x", "--file", "y"]).is_err());
    }

    #[cfg(feature = "aws")]
    #[test]
    fn cluster_filters_follow_the_api_rules() {
        let args = Args::try_parse_from([
            "ecs-diagnose",
            "cluster",
            "prod",
            "--service",
            "web",
            "--since",
            "30m",
        ])
        .unwrap();
        let Command::Cluster(cluster) = args.command else {
            panic!()
        };
        assert_eq!(cluster.service.as_deref(), Some("web"));
        assert_eq!(cluster.since, Some(std::time::Duration::from_secs(1800)));
        assert_eq!(cluster.aws.timeout, std::time::Duration::from_secs(30));
        // startedBy must be the only filter.
        assert!(
            Args::try_parse_from([
                "ecs-diagnose",
                "cluster",
                "prod",
                "--service",
                "web",
                "--started-by",
                "x"
            ])
            .is_err()
        );
        let watch = Args::try_parse_from(["ecs-diagnose", "cluster", "prod", "--watch"]).unwrap();
        let Command::Cluster(cluster) = watch.command else {
            panic!()
        };
        assert_eq!(cluster.watch, Some(std::time::Duration::from_secs(30)));
    }

    #[test]
    fn events_arguments() {
        let args = Args::try_parse_from([
            "ecs-diagnose",
            "events",
            "a.jsonl",
            "dir",
            "--since",
            "2026-11-20T00:00:00Z",
            "--bucket",
            "day",
        ])
        .unwrap();
        let Command::Events(events) = args.command else {
            panic!()
        };
        assert_eq!(events.paths.len(), 2);
        assert_eq!(
            events.since,
            crate::time::parse_rfc3339("2026-11-20T00:00:00Z")
        );
        assert_eq!(events.bucket, Bucket::Day);
        let relative =
            Args::try_parse_from(["ecs-diagnose", "events", "-", "--since", "7d"]).unwrap();
        let Command::Events(events) = relative.command else {
            panic!()
        };
        assert!(events.since.unwrap() < crate::time::now() - 6 * 86_400);
        assert!(
            Args::try_parse_from(["ecs-diagnose", "events", "-", "--since", "last week"]).is_err()
        );
    }

    #[test]
    fn catalog_subcommands() {
        let args =
            Args::try_parse_from(["ecs-diagnose", "catalog", "test", "my-patterns"]).unwrap();
        assert!(matches!(
            args.command,
            Command::Catalog(CatalogCommand::Test { dir: Some(_) })
        ));
    }
}
