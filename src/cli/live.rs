//! `ecs-diagnose cluster` and `ecs-diagnose task`: evidence from the ECS API, through the same
//! engine and renderers as `explain`. Only these commands start an async runtime.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use super::args::{AwsArgs, ClusterArgs, TaskArgs};
use super::error::CliError;
use crate::context::Defaults;
use crate::engine::{Engine, MatchCache};
use crate::fetch::{
    AwsOptions, Deadline, Described, Ecs, FetchError, Progress, TaskFilter, task_references,
};
use crate::group::Grouping;
use crate::model::Evidence;
use crate::render::grouped::{GroupedReport, ScanInfo};
use crate::render::{Output, OutputFormat, Renderer, Summary};
use crate::report::Status;

/// What a run found, for the exit code.
pub struct Outcome {
    pub unrecognised: bool,
    /// Some tasks could not be fetched: the report is partial (exit 2).
    pub partial: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io("cannot start the async runtime".into(), e))
}

fn options(aws: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        timeout: aws.timeout,
    }
}

fn fetch_error(e: FetchError) -> CliError {
    CliError::Usage(e.to_string())
}

/// Progress on stderr, only when it is a terminal.
struct StderrProgress {
    on: bool,
}

impl StderrProgress {
    fn new() -> StderrProgress {
        StderrProgress {
            on: io::stderr().is_terminal(),
        }
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

impl Progress for StderrProgress {
    fn listed(&self, tasks: usize) {
        if self.on {
            eprint!("\r\x1b[2Klisting stopped tasks: {tasks}");
        }
    }

    fn described(&self, done: usize, total: usize) {
        if self.on {
            eprint!("\r\x1b[2Kdescribing tasks: batch {done} of {total}");
        }
    }
}

pub fn cluster(
    engine: &Engine,
    args: &ClusterArgs,
    output: &Output,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let filter = match (&args.service, &args.family, &args.started_by) {
        (Some(s), _, _) => TaskFilter::Service(s.clone()),
        (_, Some(f), _) => TaskFilter::Family(f.clone()),
        (_, _, Some(b)) => TaskFilter::StartedBy(b.clone()),
        _ => TaskFilter::All,
    };
    let rt = runtime()?;
    rt.block_on(async {
        let ecs = Ecs::connect(&options(&args.aws))
            .await
            .map_err(fetch_error)?;
        match args.watch {
            Some(interval) => watch(engine, &ecs, args, &filter, interval, output, out).await,
            None => scan(engine, &ecs, args, &filter, output, out).await,
        }
    })
}

/// Runs the probes of the tasks in `evidence` on their own values and attaches the verdicts to
/// `shown` (one diagnosis per task, as shown); returns the calls made by action.
#[cfg(feature = "probe")]
async fn probe(
    engine: &Engine,
    ecs: &Ecs,
    evidence: &[&Evidence],
    shown: &mut [crate::report::Diagnosis],
    output: &Output,
) -> std::collections::BTreeMap<&'static str, usize> {
    let fetcher = std::sync::Arc::new(crate::probe::Fetcher::new(
        ecs.config.clone(),
        ecs.config.endpoint_url().is_some(),
    ));
    let defaults = Defaults {
        account: None,
        region: Some(ecs.region.clone()),
    };
    let mut cache = MatchCache::default();
    let raw: Vec<_> = evidence
        .iter()
        .map(|e| engine.diagnose(e, &defaults, &mut cache))
        .collect();
    super::probe::run(
        engine,
        &fetcher,
        evidence,
        &raw,
        shown,
        output,
        Some(&ecs.region),
    )
    .await;
    fetcher.calls()
}

/// `explain --probe`: the probes of the diagnoses whose input names a task ARN. Without
/// credentials, says so once and leaves the diagnoses as they are.
#[cfg(feature = "probe")]
pub fn probe_explained(
    engine: &Engine,
    args: &super::args::ExplainProbeArgs,
    region: Option<&str>,
    evidence: &[&Evidence],
    diagnoses: &mut [crate::report::Diagnosis],
    output: &Output,
) -> Result<(), CliError> {
    let region = region.map(str::to_string).or_else(|| {
        evidence
            .iter()
            .filter_map(|e| e.meta.task_arn.as_deref())
            .filter_map(crate::arn::Arn::parse)
            .find_map(|a| a.region_name().map(str::to_string))
    });
    if !evidence.iter().any(|e| e.meta.task_arn.is_some()) {
        output.note(
            "warning",
            "--probe: the input names no task ARN, so there is nothing to probe",
        );
        return Ok(());
    }
    let options = AwsOptions {
        profile: args.profile.clone(),
        region,
        endpoint_url: args.endpoint_url.clone(),
        timeout: args.timeout,
    };
    let rt = runtime()?;
    rt.block_on(async {
        let ecs = match Ecs::connect(&options).await {
            Ok(ecs) => ecs,
            Err(e) => {
                output.note(
                    "warning",
                    &format!(
                        "--probe: {}",
                        e.to_string().lines().next().unwrap_or_default()
                    ),
                );
                return Ok(());
            }
        };
        use aws_sdk_ecs::config::ProvideCredentials as _;
        let credentials = match ecs.config.credentials_provider() {
            Some(p) => p.provide_credentials().await.is_ok(),
            None => false,
        };
        if !credentials {
            output.note(
                "warning",
                "--probe: no AWS credentials are available, so the causes were not probed",
            );
            return Ok(());
        }
        probe(engine, &ecs, evidence, diagnoses, output).await;
        Ok(())
    })
}

fn filter_words(filter: &TaskFilter) -> Option<String> {
    match filter {
        TaskFilter::All => None,
        TaskFilter::Service(s) => Some(format!("service {s}")),
        TaskFilter::Family(f) => Some(format!("family {f}")),
        TaskFilter::StartedBy(b) => Some(format!("started by {b}")),
    }
}

/// Tasks that stopped within `since` (tasks without a stop time are kept: better shown than lost).
fn recent(evidence: &Evidence, since: Option<Duration>, now: i64) -> bool {
    let Some(since) = since else { return true };
    let Some(at) = evidence
        .meta
        .stopped_at
        .as_deref()
        .and_then(crate::time::parse_rfc3339)
    else {
        return true;
    };
    now - at <= i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

async fn scan(
    engine: &Engine,
    ecs: &Ecs,
    args: &ClusterArgs,
    filter: &TaskFilter,
    output: &Output,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let progress = StderrProgress::new();
    // --timeout bounds the whole scan: listing and describing together.
    let deadline = Deadline::after(args.aws.timeout);
    let arns = ecs
        .list_stopped(&args.cluster, filter, args.limit, deadline, &progress)
        .await
        .map_err(|e| {
            progress.clear();
            fetch_error(e)
        })?;
    let described = ecs
        .describe(
            &args.cluster,
            &arns,
            usize::from(args.concurrency),
            deadline,
            &progress,
        )
        .await;
    progress.clear();

    let mut warnings = failure_warnings(&described);
    let errors = missing_errors(&described);
    let now = crate::time::now();
    let mut tasks: Vec<&Evidence> = described
        .tasks
        .iter()
        .filter(|e| recent(e, args.since, now))
        .collect();
    let skipped = described.tasks.len() - tasks.len();
    if skipped > 0 {
        warnings.push(format!(
            "left out {skipped} task(s) that stopped before --since"
        ));
    }
    // Newest first, so examples and representatives are the latest stops.
    tasks.sort_by(|a, b| b.meta.stopped_at.cmp(&a.meta.stopped_at));

    let defaults = Defaults {
        account: None,
        region: Some(ecs.region.clone()),
    };
    let mut cache = MatchCache::default();
    let mut grouping = Grouping::default();
    let mut diagnoses = Vec::with_capacity(tasks.len());
    let mut account = None;
    // Every task's names first: one task's service can be named in another's reason.
    for evidence in &tasks {
        output.learn_evidence(evidence);
    }
    let mut values = Vec::with_capacity(tasks.len());
    for evidence in &tasks {
        let diagnosis = output.diagnose(engine, evidence, &defaults, &mut cache);
        values.push(engine.classify(evidence, &mut cache).values);
        if account.is_none() {
            account = evidence
                .meta
                .task_arn
                .as_deref()
                .and_then(crate::arn::Arn::parse)
                .and_then(|a| a.account_id().map(str::to_string));
        }
        diagnoses.push(diagnosis);
    }
    #[cfg(feature = "probe")]
    let probe_calls = match args.probe {
        true => probe(engine, ecs, &tasks, &mut diagnoses, output).await,
        false => Default::default(),
    };
    #[cfg(not(feature = "probe"))]
    let probe_calls = std::collections::BTreeMap::new();
    for ((diagnosis, evidence), values) in diagnoses.iter().zip(&tasks).zip(values) {
        grouping.add(diagnosis, evidence, values);
    }

    let partial = !described.missing.is_empty();
    let scan = ScanInfo {
        kind: "cluster",
        subject: format!("cluster {}", crate::arn::cluster_name(&args.cluster)),
        cluster: Some(crate::arn::cluster_name(&args.cluster).to_string()),
        region: Some(ecs.region.clone()),
        account,
        filter: filter_words(filter),
        tasks_listed: arns.len(),
        tasks_diagnosed: diagnoses.len(),
        api_calls: [
            ("ListTasks", ecs.calls.list_tasks.load(std::sync::atomic::Ordering::Relaxed)),
            ("DescribeTasks", ecs.calls.describe_tasks.load(std::sync::atomic::Ordering::Relaxed)),
        ]
        .into_iter()
        .chain(probe_calls)
        .collect(),
        empty_note: diagnoses.is_empty().then(|| {
            "No stopped tasks found. ECS keeps stopped tasks for about an hour; for older stops, have an EventBridge rule send \"ECS Task State Change\" events to CloudWatch Logs and run `ecs-diagnose events` on the export (see the README).".to_string()
        }),
        partial,
        ..ScanInfo::default()
    };
    output.notes(&warnings, &errors);
    let report = GroupedReport {
        scan: &scan,
        grouping: &grouping,
        diagnoses: &diagnoses,
        warnings: &warnings,
        errors: &errors,
    };
    output
        .grouped(out, engine, &defaults, &report)
        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
    Ok(Outcome {
        unrecognised: grouping.unrecognised > 0,
        partial,
    })
}

fn failure_warnings(described: &Described) -> Vec<String> {
    described
        .failures
        .iter()
        .map(|(arn, reason)| {
            let hint = if reason.starts_with("MISSING") {
                "; ECS keeps stopped tasks for about an hour, so an older task is gone from the API"
            } else {
                ""
            };
            format!("DescribeTasks could not describe {arn}: {reason}{hint}")
        })
        .collect()
}

/// One error per failed batch, naming the tasks that were not diagnosed.
fn missing_errors(described: &Described) -> Vec<String> {
    described
        .missing
        .iter()
        .map(|(arns, error)| {
            let ids: Vec<&str> = arns
                .iter()
                .map(|a| a.rsplit('/').next().unwrap_or(a))
                .collect();
            let shown = ids.iter().take(5).copied().collect::<Vec<_>>().join(", ");
            let more = if ids.len() > 5 {
                format!(" and {} more", ids.len() - 5)
            } else {
                String::new()
            };
            let first = error.to_string();
            let first = first.lines().next().unwrap_or_default();
            format!(
                "{} task(s) were not diagnosed ({shown}{more}): {first}",
                ids.len()
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn watch(
    engine: &Engine,
    ecs: &Ecs,
    args: &ClusterArgs,
    filter: &TaskFilter,
    interval: Duration,
    output: &Output,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    eprintln!(
        "{}",
        output.shown(&format!(
            "watching cluster {} every {}s for stopped tasks; Ctrl-C to stop",
            args.cluster,
            interval.as_secs()
        ))
    );
    let defaults = Defaults {
        account: None,
        region: Some(ecs.region.clone()),
    };
    let mut cache = MatchCache::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut unrecognised = false;
    let mut stream = WatchOutput::new(output, out);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        // Each poll has the whole --timeout.
        let deadline = Deadline::after(args.aws.timeout);
        match ecs
            .list_stopped(
                &args.cluster,
                filter,
                args.limit,
                deadline,
                &crate::fetch::Quiet,
            )
            .await
        {
            Ok(arns) => {
                // Forget tasks ECS no longer lists, so the set stays as small as the cluster.
                let listed: HashSet<&String> = arns.iter().collect();
                seen.retain(|arn| listed.contains(arn));
                let new: Vec<String> = arns
                    .iter()
                    .filter(|a| !seen.contains(*a))
                    .cloned()
                    .collect();
                let described = ecs
                    .describe(
                        &args.cluster,
                        &new,
                        usize::from(args.concurrency),
                        deadline,
                        &crate::fetch::Quiet,
                    )
                    .await;
                for w in failure_warnings(&described)
                    .iter()
                    .chain(&missing_errors(&described))
                {
                    output.note("warning", w);
                }
                let mut tasks = described.tasks;
                tasks.sort_by(|a, b| a.meta.stopped_at.cmp(&b.meta.stopped_at));
                let now = crate::time::now();
                let fresh: Vec<&Evidence> = tasks
                    .iter()
                    .filter(|e| recent(e, args.since, now))
                    .collect();
                #[allow(unused_mut)]
                let mut diagnoses: Vec<_> = fresh
                    .iter()
                    .map(|evidence| {
                        if let Some(arn) = &evidence.meta.task_arn {
                            seen.insert(arn.clone());
                        }
                        output.diagnose(engine, evidence, &defaults, &mut cache)
                    })
                    .collect();
                #[cfg(feature = "probe")]
                if args.probe {
                    probe(engine, ecs, &fresh, &mut diagnoses, output).await;
                }
                for diagnosis in &diagnoses {
                    unrecognised |= diagnosis.status == Status::Unrecognised;
                    stream
                        .write(diagnosis)
                        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
                }
            }
            // A throttled or slow poll is worth a warning, not the end of the watch.
            Err(e) if e.is_transient() => {
                output.note("warning", e.to_string().lines().next().unwrap_or_default())
            }
            Err(e) => return Err(fetch_error(e)),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = &mut ctrl_c => break,
        }
    }
    stream
        .finish()
        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
    eprintln!("stopped watching");
    Ok(Outcome {
        unrecognised,
        partial: false,
    })
}

/// Where watch mode writes each diagnosis as it comes. JSON becomes JSON Lines (one diagnosis
/// per line), since the stream has no end.
enum WatchOutput<'o> {
    Render(Renderer<&'o mut dyn Write>),
    JsonLines(&'o mut dyn Write),
}

impl<'o> WatchOutput<'o> {
    fn new(output: &Output, out: &'o mut dyn Write) -> WatchOutput<'o> {
        match output.format {
            OutputFormat::Json => WatchOutput::JsonLines(out),
            _ => WatchOutput::Render(output.renderer(out)),
        }
    }

    fn write(&mut self, diagnosis: &crate::report::Diagnosis) -> io::Result<()> {
        match self {
            WatchOutput::Render(r) => {
                r.diagnosis(diagnosis)?;
                r.flush()
            }
            WatchOutput::JsonLines(out) => {
                serde_json::to_writer(
                    &mut **out,
                    &crate::render::json::WireDiagnosis::from(diagnosis),
                )?;
                out.write_all(b"\n")?;
                out.flush()
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            WatchOutput::Render(r) => r.finish(&Summary::default()),
            WatchOutput::JsonLines(out) => out.flush(),
        }
    }
}

pub fn task(
    engine: &Engine,
    args: &TaskArgs,
    output: &Output,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let rt = runtime()?;
    rt.block_on(async {
        let ecs = Ecs::connect(&options(&args.aws))
            .await
            .map_err(fetch_error)?;
        let references = task_references(&args.tasks);
        let deadline = Deadline::after(args.aws.timeout);
        let described = ecs
            .describe(
                &args.cluster,
                &references,
                8,
                deadline,
                &crate::fetch::Quiet,
            )
            .await;
        if let Some((_, error)) = described.missing.iter().find(|(_, e)| !e.is_transient())
            && described.tasks.is_empty()
        {
            return Err(fetch_error(error.clone()));
        }
        let warnings = failure_warnings(&described);
        let errors = missing_errors(&described);
        output.notes(&warnings, &errors);
        let defaults = Defaults {
            account: None,
            region: Some(ecs.region.clone()),
        };
        let mut cache = MatchCache::default();
        let mut summary = Summary::default();
        for evidence in &described.tasks {
            output.learn_evidence(evidence);
        }
        #[allow(unused_mut)]
        let mut diagnoses: Vec<_> = described
            .tasks
            .iter()
            .map(|evidence| output.diagnose(engine, evidence, &defaults, &mut cache))
            .collect();
        #[cfg(feature = "probe")]
        if args.probe {
            let evidence: Vec<&Evidence> = described.tasks.iter().collect();
            probe(engine, &ecs, &evidence, &mut diagnoses, output).await;
        }
        let mut renderer = output.renderer(&mut *out);
        for diagnosis in &diagnoses {
            summary.add(diagnosis);
            renderer
                .diagnosis(diagnosis)
                .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
        }
        summary.warnings = output.shown_all(&warnings);
        summary.errors = output.shown_all(&errors);
        renderer
            .finish(&summary)
            .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
        if described.tasks.is_empty() && described.missing.is_empty() {
            if described.failures.is_empty() {
                // ECS answered with neither the tasks nor a reason: say so, not just exit 2.
                return Err(CliError::Usage(format!(
                    "ECS returned no task and no failure for {} in cluster `{}`\n  help: check the task ids and the cluster (--cluster), region and account",
                    references.join(", "),
                    args.cluster
                )));
            }
            return Err(CliError::Reported);
        }
        Ok(Outcome {
            unrecognised: summary.unrecognised > 0,
            partial: !described.missing.is_empty(),
        })
    })
}
