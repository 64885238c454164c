//! `ecs-diagnose events`: a summary of what stopped tasks in an archive of events.

use std::io::{self, IsTerminal, Write};

use super::args::{Bucket, EventsArgs};
use super::error::CliError;
use crate::archive::{self, Filters, HOUR, read};
use crate::context::Defaults;
use crate::engine::Engine;
use crate::render::Output;
use crate::render::grouped::{ArchiveInfo, GroupedReport, ScanInfo};

pub struct Outcome {
    pub unrecognised: bool,
}

pub fn run(
    engine: &Engine,
    args: &EventsArgs,
    output: &Output,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let read::Inputs {
        inputs,
        notes: walk_notes,
    } = read::inputs(&args.paths).map_err(CliError::Usage)?;
    let filters = Filters {
        since: args.since,
        until: args.until,
        cluster: args.cluster.clone(),
        service: args.service.clone(),
        family: args.family.clone(),
    };
    let workers = args
        .workers
        .map_or_else(archive::default_workers, usize::from);
    let terminal = io::stderr().is_terminal();
    let progress = |p: &archive::Progress| {
        if terminal {
            let secs = p.elapsed.as_secs_f64().max(0.001);
            eprint!(
                "\r\x1b[2Kread {:.1} MB, {} events ({:.0} events/s)",
                p.bytes as f64 / 1e6,
                p.records,
                p.records as f64 / secs
            );
        }
    };
    let defaults = Defaults::default();
    let scan = archive::scan(engine, &inputs, &filters, &defaults, workers, &progress);
    if terminal {
        eprint!("\r\x1b[2K");
    }

    let mut warnings = walk_notes;
    warnings.extend(scan.skips.warnings());
    let errors = scan.errors.clone();
    use archive::skips::Skip;
    // Events of tasks, counted or not: anything else (a `package.json`, events of other kinds)
    // is not an archive this command can read.
    let task_changes = scan.stats.stopped_tasks
        + scan.stats.replaced
        + [Skip::NotFinalStop, Skip::Duplicate, Skip::Filtered]
            .iter()
            .map(|&s| scan.skips.count(s))
            .sum::<u64>();
    if task_changes == 0 {
        // Nothing usable: say why, and fail.
        let mut message = String::from(
            "no events could be read: the input holds no \"ECS Task State Change\" event",
        );
        for line in errors.iter().chain(&warnings) {
            message.push_str("\n  ");
            message.push_str(line);
        }
        return Err(CliError::Usage(message));
    }
    let span = scan
        .grouping
        .groups()
        .iter()
        .flat_map(|g| {
            [
                g.first_stopped.as_ref().map(|(t, _)| *t),
                g.last_stopped.as_ref().map(|(t, _)| *t),
            ]
        })
        .flatten()
        .fold(None, |acc: Option<(i64, i64)>, t| {
            Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
        });
    let bucket = match args.bucket {
        Bucket::Hour => HOUR,
        Bucket::Day => 86_400,
        Bucket::Auto => match span {
            Some((first, last)) if last - first > 3 * 86_400 => 86_400,
            _ => HOUR,
        },
    };
    let skipped_other = scan.skips.count(Skip::NotFinalStop);
    let filtered = scan.skips.count(Skip::Filtered);
    if scan.stats.stopped_tasks == 0 && filtered > 0 {
        warnings.push(format!(
            "the filters ({}) left out all {filtered} stopped task(s) in the archive",
            describe_filters(args).unwrap_or_default()
        ));
    } else if scan.stats.stopped_tasks == 0 {
        warnings.push(format!(
            "no final STOPPED events among {} task state changes: the archive holds only earlier state changes of its tasks",
            skipped_other
        ));
    }
    let subject = match inputs.as_slice() {
        [one] => one.to_string(),
        many => format!("{} inputs", many.len()),
    };
    let info = ScanInfo {
        kind: "events",
        subject,
        cluster: args.cluster.clone(),
        filter: describe_filters(args),
        tasks_listed: usize::try_from(scan.stats.stopped_tasks).unwrap_or(usize::MAX),
        tasks_diagnosed: usize::try_from(scan.stats.stopped_tasks).unwrap_or(usize::MAX),
        empty_note: (scan.stats.stopped_tasks == 0)
            .then(|| "No stopped tasks in the archive.".to_string()),
        timeline_bucket: Some(bucket),
        archive: Some(ArchiveInfo {
            stats: scan.stats.clone(),
            skipped: scan
                .skips
                .tallies()
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
        }),
        ..ScanInfo::default()
    };
    output.notes(&warnings, &errors);
    let report = GroupedReport {
        scan: &info,
        grouping: &scan.grouping,
        diagnoses: &[],
        warnings: &warnings,
        errors: &errors,
    };
    output
        .grouped(out, engine, &defaults, &report)
        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
    Ok(Outcome {
        unrecognised: scan.grouping.unrecognised > 0,
    })
}

fn describe_filters(args: &EventsArgs) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(since) = args.since {
        parts.push(format!("since {}", crate::time::format_epoch(since)));
    }
    if let Some(until) = args.until {
        parts.push(format!("until {}", crate::time::format_epoch(until)));
    }
    if let Some(c) = &args.cluster {
        parts.push(format!("cluster {c}"));
    }
    if let Some(s) = &args.service {
        parts.push(format!("service {s}"));
    }
    if let Some(f) = &args.family {
        parts.push(format!("family {f}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}
