//! Reports about many tasks at once (`cluster`, `events`): causes ranked by how many tasks they
//! stopped, failures first, normal stops apart, unrecognised messages listed as gaps.

use std::io::{self, Write};

use colored::Colorize;
use serde::Serialize;

use super::json::{SCHEMA_VERSION, Tool, WireDiagnosis, WireFinding};
use super::text::{severity_label, write_finding};
use super::{OutputFormat, RenderOptions};
use std::collections::BTreeMap;

use crate::group::GroupView;
use crate::report::{Diagnosis, Status};

/// What was scanned, for the report's heading.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanInfo {
    /// `cluster`, `events`, ...
    pub kind: &'static str,
    /// What was scanned, in words: "cluster prod", "3 files".
    pub subject: String,
    pub cluster: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// The filter, in words ("service web").
    pub filter: Option<String>,
    /// Tasks found before describing, and tasks diagnosed.
    pub tasks_listed: usize,
    pub tasks_diagnosed: usize,
    /// API calls made, by operation.
    pub api_calls: std::collections::BTreeMap<&'static str, usize>,
    /// Said when nothing was found.
    pub empty_note: Option<String>,
    /// True when some tasks could not be fetched: the counts are a lower bound.
    pub partial: bool,
    /// Timeline bucket in seconds (3600 or 86400), for reports with a timeline.
    pub timeline_bucket: Option<i64>,
    /// For archives: what was read and what was skipped.
    pub archive: Option<ArchiveInfo>,
}

/// What an archive scan read.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveInfo {
    #[serde(flatten)]
    pub stats: crate::archive::ArchiveStats,
    /// Lines and events not counted, by reason, with the first few places.
    pub skipped:
        std::collections::BTreeMap<crate::archive::skips::Skip, crate::archive::skips::Tally>,
}

/// Everything a grouped report shows, as the command collected it.
pub struct GroupedReport<'a> {
    pub scan: &'a ScanInfo,
    pub grouping: &'a crate::group::Grouping,
    /// Per-task diagnoses (made by [`super::Output::diagnose`]), included in JSON (empty for
    /// archives, which can be huge).
    pub diagnoses: &'a [Diagnosis],
    pub warnings: &'a [String],
    pub errors: &'a [String],
}

/// A grouped report as it is shown: every value from the input redacted, each group's
/// representative rendered for the report (see [`super::Output::grouped`]).
pub struct Shown<'a> {
    pub scan: ScanInfo,
    pub totals: Totals,
    pub groups: Vec<GroupView>,
    pub diagnoses: &'a [Diagnosis],
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

/// Task counts of a grouping.
#[derive(Debug, Clone, Copy)]
pub struct Totals {
    pub tasks: u64,
    pub failures: u64,
    pub benign: u64,
    pub unrecognised: u64,
}

impl ScanInfo {
    /// Calls `f` on every string from the input or the command line.
    pub fn visit_strings_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.subject);
        for s in [
            &mut self.cluster,
            &mut self.account,
            &mut self.filter,
            &mut self.empty_note,
        ]
        .into_iter()
        .flatten()
        {
            f(s);
        }
        if let Some(archive) = &mut self.archive {
            for tally in archive.skipped.values_mut() {
                tally.first.iter_mut().for_each(&mut *f);
            }
        }
    }
}

/// Value sets listed per group in text and markdown (JSON has them all).
const SHOWN_VALUE_SETS: usize = 5;

pub fn render(
    format: OutputFormat,
    out: &mut dyn Write,
    report: &Shown<'_>,
    options: RenderOptions,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => text(out, &for_display(report), options),
        OutputFormat::Json => json(out, report),
        OutputFormat::Markdown => markdown(out, &for_display(report)),
    }?;
    out.flush()
}

/// The report with every control character from the input made visible (`\x1b`), for text and
/// markdown.
fn for_display<'a>(report: &Shown<'a>) -> Shown<'a> {
    let visible = |s: &mut String| {
        let shown = crate::report::make_visible(s, true);
        if shown != *s {
            *s = shown;
        }
    };
    let mut scan = report.scan.clone();
    scan.visit_strings_mut(&mut |s| visible(s));
    let groups = report
        .groups
        .iter()
        .map(|g| {
            let mut g = g.clone();
            g.visit_strings_mut(&mut |s| visible(s));
            // A user pattern's title is text from a file, not from us.
            visible(&mut g.title);
            if let std::borrow::Cow::Owned(shown) = g.representative.for_display() {
                g.representative = shown;
            }
            g
        })
        .collect();
    let lines = |messages: &[String]| -> Vec<String> {
        messages
            .iter()
            .map(|m| crate::report::make_visible(m, false))
            .collect()
    };
    Shown {
        scan,
        totals: report.totals,
        groups,
        diagnoses: report.diagnoses,
        warnings: lines(&report.warnings),
        errors: lines(&report.errors),
    }
}

/// "lookup_host `x`, registry_region `y` (3 tasks)".
fn describe_values(set: &crate::group::ValueSet) -> String {
    let values: Vec<String> = set
        .values
        .iter()
        .map(|(name, value)| format!("{name} `{value}`"))
        .collect();
    format!(
        "{} ({} task{})",
        values.join(", "),
        set.tasks,
        if set.tasks == 1 { "" } else { "s" }
    )
}

/// What a group's note says about its fix, and the value sets to list under it.
fn fix_note(group: &GroupView) -> (String, Vec<String>) {
    let shown_for = group
        .examples
        .first()
        .map(String::as_str)
        .unwrap_or("the first task");
    let varying: Vec<&str> = group
        .value_sets
        .first()
        .map(|set| set.values.iter().map(|(n, _)| n.as_str()).collect())
        .unwrap_or_default();
    if varying.is_empty() {
        return (
            format!(
                "details for {shown_for}; the same fix applies to all {}",
                group.count
            ),
            Vec::new(),
        );
    }
    let mut lines: Vec<String> = group
        .value_sets
        .iter()
        .take(SHOWN_VALUE_SETS)
        .map(describe_values)
        .collect();
    let more_sets = group.value_sets.len().saturating_sub(SHOWN_VALUE_SETS);
    let more_tasks: u64 = group
        .value_sets
        .iter()
        .skip(SHOWN_VALUE_SETS)
        .map(|s| s.tasks)
        .sum::<u64>()
        + group.other_values;
    if more_tasks > 0 {
        let sets = if group.other_values > 0 {
            format!("{more_sets}+")
        } else {
            more_sets.to_string()
        };
        lines.push(format!(
            "and {sets} more value sets ({more_tasks} task{})",
            if more_tasks == 1 { "" } else { "s" }
        ));
    }
    (
        format!(
            "the fix differs between these tasks by {}: it is shown with placeholders; fill them in with each of these value sets",
            varying.join(", ")
        ),
        lines,
    )
}

fn heading(scan: &ScanInfo) -> String {
    let mut parts = vec![scan.subject.clone()];
    if let Some(region) = &scan.region {
        parts.push(region.clone());
    }
    if let Some(account) = &scan.account {
        parts.push(format!("account {account}"));
    }
    if let Some(filter) = &scan.filter {
        parts.push(filter.clone());
    }
    parts.join(" · ")
}

fn when(group: &GroupView) -> Option<String> {
    match (&group.first_stopped, &group.last_stopped) {
        (Some((a, first)), Some((b, last))) if a != b => Some(format!("{first} → {last}")),
        (Some((_, first)), _) => Some(first.clone()),
        _ => None,
    }
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut items: Vec<(&String, &u64)> = map.iter().collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = items
        .iter()
        .take(5)
        .map(|(k, n)| format!("{k} ({n})"))
        .collect();
    let more = items.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn where_(group: &GroupView) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(when) = when(group) {
        lines.push(format!("when: {when}"));
    }
    if group.clusters.len() > 1 {
        lines.push(format!("clusters: {}", counts(&group.clusters)));
    }
    if !group.services.is_empty() {
        lines.push(format!("services: {}", counts(&group.services)));
    } else if !group.families.is_empty() {
        lines.push(format!("families: {}", counts(&group.families)));
    }
    if !group.examples.is_empty() {
        lines.push(format!("tasks: {}", group.examples.join(", ")));
    }
    lines
}

fn text(out: &mut dyn Write, report: &Shown<'_>, options: RenderOptions) -> io::Result<()> {
    let scan = &report.scan;
    let g = report.totals;
    writeln!(out, "{}", heading(scan).bold())?;
    let partial = if scan.partial {
        " (partial: see the errors below)"
    } else {
        ""
    };
    writeln!(
        out,
        "{} stopped tasks: {} failed, {} normal stops, {} unrecognised{partial}",
        g.tasks, g.failures, g.benign, g.unrecognised
    )?;
    if !scan.api_calls.is_empty() {
        let calls: Vec<String> = scan
            .api_calls
            .iter()
            .map(|(op, n)| format!("{n} {op}"))
            .collect();
        writeln!(
            out,
            "{}",
            format!("API calls: {}", calls.join(", ")).dimmed()
        )?;
    }
    if let Some(archive) = &scan.archive {
        let st = &archive.stats;
        let skipped: u64 = archive.skipped.values().map(|t| t.count).sum();
        writeln!(
            out,
            "{}",
            format!(
                "read {} events ({:.1} MB) in {:.1}s; {skipped} not counted (earlier state changes, duplicates, other events, bad lines)",
                st.records,
                st.bytes as f64 / 1e6,
                st.seconds
            )
            .dimmed()
        )?;
    }
    if let Some(note) = &scan.empty_note {
        writeln!(out, "\n{note}")?;
    }
    let groups = &report.groups;
    if let Some(bucket) = scan.timeline_bucket {
        timeline_text(out, groups, bucket)?;
    }
    for (status, title) in [
        (Status::Failure, "Failures, most frequent first"),
        (Status::Unrecognised, "Unrecognised: not in the catalog"),
        (Status::Benign, "Normal stops"),
    ] {
        let section: Vec<&GroupView> = groups.iter().filter(|gr| gr.status == status).collect();
        if section.is_empty() {
            continue;
        }
        let tasks: u64 = section.iter().map(|gr| gr.count).sum();
        writeln!(
            out,
            "\n{} {}",
            title.bold().underline(),
            format!("({} causes, {tasks} tasks)", section.len()).dimmed()
        )?;
        for (rank, group) in section.iter().enumerate() {
            let label = match group.severity {
                Some(severity) => severity_label(severity).to_string(),
                None => " ? ".black().on_yellow().to_string(),
            };
            let name = group.pattern.as_deref().unwrap_or("unrecognised");
            writeln!(
                out,
                "\n{:>5}× {label} {} {}",
                group.count,
                group.title.bold(),
                format!("[{name}]").cyan()
            )?;
            for line in where_(group) {
                writeln!(out, "        {}", line.dimmed())?;
            }
            match (status, group.representative.primary()) {
                (Status::Benign, _) if !options.verbose => {}
                // The most frequent causes in full; the rest in a line (a week of stops can have
                // dozens of causes).
                (Status::Failure, Some(_)) if rank >= FULL_GROUPS && !options.verbose => {
                    writeln!(
                        out,
                        "        {}",
                        format!("cause and fix: --verbose, or ecs-diagnose catalog show {name}")
                            .dimmed()
                    )?;
                }
                (_, Some(finding)) => {
                    if group.count > 1 {
                        let (note, values) = fix_note(group);
                        writeln!(out, "        {}", note.dimmed())?;
                        for line in values {
                            writeln!(out, "          {line}")?;
                        }
                    }
                    if let Some(tally) = probe_tally(report.diagnoses, group.pattern.as_deref()) {
                        writeln!(out, "        {}", tally.dimmed())?;
                    }
                    let mut indented = Indented::new(&mut *out, "      ");
                    write_finding(&mut indented, finding)?;
                }
                (_, None) => {
                    if let Some(masked) = &group.masked_text {
                        writeln!(out, "        message: {masked}")?;
                    }
                    if let Some(u) = &group.representative.unrecognised {
                        writeln!(
                            out,
                            "        {}",
                            "pattern stub (save as <dir>/<id>.yaml, pass --catalog <dir>):"
                                .dimmed()
                        )?;
                        for line in u.pattern_stub.lines() {
                            writeln!(out, "          {}", line.dimmed())?;
                        }
                    }
                }
            }
        }
    }
    for w in &report.warnings {
        writeln!(out, "\n{} {w}", "warning:".yellow().bold())?;
    }
    Ok(())
}

/// With `--probe`, how the group's tasks fared (verdicts can differ between subnets or roles;
/// the details shown are the first task's).
fn probe_tally(diagnoses: &[Diagnosis], pattern: Option<&str>) -> Option<String> {
    use crate::report::Verdict;
    let mut counts = [0usize; 3];
    for d in diagnoses {
        let Some(f) = d.primary().filter(|f| Some(f.pattern.as_str()) == pattern) else {
            continue;
        };
        if let Some(p) = &f.probe {
            counts[match p.verdict {
                Verdict::Confirmed => 0,
                Verdict::RuledOut => 1,
                Verdict::CouldNotCheck => 2,
            }] += 1;
        }
    }
    (counts.iter().sum::<usize>() > 0).then(|| {
        format!(
            "probe: {} confirmed, {} ruled out, {} could not check",
            counts[0], counts[1], counts[2]
        )
    })
}

/// A compact chart: one row of bars per cause (each scaled to its own peak), stops per bucket.
fn timeline_text(out: &mut dyn Write, groups: &[GroupView], bucket: i64) -> io::Result<()> {
    const WIDTH: usize = 48;
    const ROWS: usize = 8;
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let rows: Vec<&GroupView> = groups
        .iter()
        .filter(|g| g.status != Status::Benign)
        .take(ROWS)
        .collect();
    let series: Vec<std::collections::BTreeMap<i64, u64>> = rows
        .iter()
        .map(|g| crate::group::rebucket(&g.timeline, bucket))
        .collect();
    let (Some(first), Some(last)) = (
        series.iter().filter_map(|s| s.keys().next().copied()).min(),
        series
            .iter()
            .filter_map(|s| s.keys().next_back().copied())
            .max(),
    ) else {
        return Ok(());
    };
    let buckets = usize::try_from((last - first) / bucket + 1).unwrap_or(1);
    let per_column = buckets.div_ceil(WIDTH).max(1);
    let columns = buckets.div_ceil(per_column);
    let unit = if bucket >= 86_400 { "day" } else { "hour" };
    let width = per_column as i64 * bucket;
    let span = format!(
        "{} → {}",
        crate::time::format_epoch(first),
        crate::time::format_epoch(last + bucket)
    );
    let every = if per_column > 1 {
        format!(", one column per {per_column} {unit}s")
    } else {
        format!(", one column per {unit}")
    };
    writeln!(
        out,
        "\n{} {}",
        "Timeline (UTC)".bold().underline(),
        format!("{span}{every}").dimmed()
    )?;
    for (group, series) in rows.iter().zip(&series) {
        let mut counts = vec![0u64; columns];
        for (at, n) in series {
            let column = usize::try_from((at - first) / width)
                .unwrap_or(0)
                .min(columns - 1);
            counts[column] += n;
        }
        let peak = counts.iter().copied().max().unwrap_or(0).max(1);
        let bars: String = counts
            .iter()
            .map(|&n| {
                if n == 0 {
                    BARS[0]
                } else {
                    BARS[1 + usize::try_from(n * 7 / peak).unwrap_or(7).min(7)]
                }
            })
            .collect();
        let name = group.pattern.as_deref().unwrap_or("unrecognised");
        let name = if name.chars().count() > 40 {
            format!("{}…", name.chars().take(39).collect::<String>())
        } else {
            name.to_string()
        };
        writeln!(out, "  {name:<40} {} {:>6}", bars.cyan(), group.count)?;
    }
    Ok(())
}

/// Failure groups shown with their cause and fix in text output (all with --verbose).
const FULL_GROUPS: usize = 5;

/// Prefixes every line written through it (to nest a finding under its group).
struct Indented<'w> {
    out: &'w mut dyn Write,
    prefix: &'static str,
    at_line_start: bool,
}

impl<'w> Indented<'w> {
    fn new(out: &'w mut dyn Write, prefix: &'static str) -> Self {
        Indented {
            out,
            prefix,
            at_line_start: true,
        }
    }
}

impl Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for line in buf.split_inclusive(|b| *b == b'\n') {
            // Blank lines stay blank: no trailing spaces.
            if self.at_line_start && line != b"\n" {
                self.out.write_all(self.prefix.as_bytes())?;
            }
            self.out.write_all(line)?;
            self.at_line_start = line.ends_with(b"\n");
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[derive(Serialize)]
struct WireReport<'a> {
    schema_version: u32,
    tool: Tool,
    scan: &'a ScanInfo,
    summary: WireGroupSummary,
    groups: Vec<WireGroup<'a>>,
    diagnoses: Vec<WireDiagnosis<'a>>,
    warnings: &'a [String],
    errors: &'a [String],
}

#[derive(Serialize)]
struct WireValueSet<'a> {
    values: BTreeMap<&'a str, &'a str>,
    tasks: u64,
}

#[derive(Serialize)]
struct WireGroupSummary {
    tasks: u64,
    failures: u64,
    benign: u64,
    unrecognised: u64,
    partial: bool,
}

#[derive(Serialize)]
struct WireGroup<'a> {
    /// The pattern id, or null for unrecognised messages.
    pattern: Option<&'a str>,
    title: &'a str,
    status: &'static str,
    severity: Option<&'static str>,
    count: u64,
    first_stopped_at: Option<&'a str>,
    last_stopped_at: Option<&'a str>,
    services: std::collections::BTreeMap<String, u64>,
    families: std::collections::BTreeMap<String, u64>,
    clusters: std::collections::BTreeMap<String, u64>,
    example_tasks: &'a [String],
    /// Distinct renderings of the fix among the group's tasks.
    fix_variants: usize,
    /// When they differ: the values that differ (the finding shows placeholders for them),
    /// one entry per distinct set with its task count, most tasks first.
    value_sets: Vec<WireValueSet<'a>>,
    /// Tasks whose values are not listed in `value_sets` (too many distinct sets).
    other_value_tasks: u64,
    /// The best finding of the group's first task (cause, fix, commands for that task).
    finding: Option<WireFinding<'a>>,
    /// Unrecognised groups: the message with ids, addresses and numbers masked.
    masked_text: Option<&'a str>,
    pattern_stub: Option<&'a str>,
    /// Stops per time bucket (start of bucket, RFC 3339 UTC), when the report has a timeline.
    timeline: Option<Vec<(String, u64)>>,
}

fn wire_group(group: &GroupView, timeline: Option<i64>) -> WireGroup<'_> {
    WireGroup {
        pattern: group.pattern.as_deref(),
        title: &group.title,
        status: group.status.as_str(),
        severity: group.severity.map(|s| s.as_str()),
        count: group.count,
        first_stopped_at: group.first_stopped.as_ref().map(|(_, t)| t.as_str()),
        last_stopped_at: group.last_stopped.as_ref().map(|(_, t)| t.as_str()),
        services: group.services.clone(),
        families: group.families.clone(),
        clusters: group.clusters.clone(),
        example_tasks: &group.examples,
        fix_variants: group.variants(),
        value_sets: group
            .value_sets
            .iter()
            .filter(|set| !set.values.is_empty())
            .map(|set| WireValueSet {
                values: set
                    .values
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                tasks: set.tasks,
            })
            .collect(),
        other_value_tasks: group.other_values,
        finding: group.representative.primary().map(WireFinding::from),
        masked_text: group.masked_text.as_deref(),
        pattern_stub: group
            .representative
            .unrecognised
            .as_ref()
            .map(|u| u.pattern_stub.as_str()),
        timeline: timeline.map(|bucket| {
            crate::group::rebucket(&group.timeline, bucket)
                .into_iter()
                .map(|(at, n)| (crate::time::format_epoch(at), n))
                .collect()
        }),
    }
}

fn json(out: &mut dyn Write, report: &Shown<'_>) -> io::Result<()> {
    let g = report.totals;
    let wire = WireReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        scan: &report.scan,
        summary: WireGroupSummary {
            tasks: g.tasks,
            failures: g.failures,
            benign: g.benign,
            unrecognised: g.unrecognised,
            partial: report.scan.partial,
        },
        groups: report
            .groups
            .iter()
            .map(|gr| wire_group(gr, report.scan.timeline_bucket))
            .collect(),
        diagnoses: report.diagnoses.iter().map(WireDiagnosis::from).collect(),
        warnings: &report.warnings,
        errors: &report.errors,
    };
    serde_json::to_writer(&mut *out, &wire)?;
    writeln!(out)
}

fn markdown(out: &mut dyn Write, report: &Shown<'_>) -> io::Result<()> {
    let scan = &report.scan;
    let g = report.totals;
    writeln!(
        out,
        "# Stopped ECS tasks: {}\n",
        super::markdown::escape_inline(&heading(scan))
    )?;
    writeln!(
        out,
        "{} stopped tasks: {} failed, {} normal stops, {} unrecognised{}.\n",
        g.tasks,
        g.failures,
        g.benign,
        g.unrecognised,
        if scan.partial { " (partial)" } else { "" }
    )?;
    if let Some(note) = &scan.empty_note {
        writeln!(out, "{}\n", super::markdown::escape_inline(note))?;
    }
    let groups = &report.groups;
    if !groups.is_empty() {
        writeln!(
            out,
            "| Tasks | Cause | Pattern | First | Last |\n|---:|---|---|---|---|"
        )?;
        for group in groups {
            // Stop times are text from the input: escaped like any other (a `|` would end
            // the cell, `<img>` would be HTML).
            let time = |t: &Option<(i64, String)>| {
                t.as_ref()
                    .map_or(String::new(), |(_, t)| super::markdown::escape_inline(t))
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                group.count,
                super::markdown::escape_inline(&group.title),
                super::markdown::code(group.pattern.as_deref().unwrap_or("unrecognised")),
                time(&group.first_stopped),
                time(&group.last_stopped),
            )?;
        }
        writeln!(out)?;
    }
    if let Some(size) = scan.timeline_bucket {
        super::markdown::timeline_table(out, groups, size)?;
    }
    for group in groups.iter().filter(|gr| gr.status != Status::Benign) {
        writeln!(
            out,
            "## {} × {}\n",
            group.count,
            super::markdown::escape_inline(&group.title)
        )?;
        for line in where_(group) {
            writeln!(out, "- {}", super::markdown::escape_inline(&line))?;
        }
        writeln!(out)?;
        if let Some(tally) = probe_tally(report.diagnoses, group.pattern.as_deref()) {
            writeln!(out, "{}\n", super::markdown::escape_inline(&tally))?;
        }
        match group.representative.primary() {
            Some(finding) => {
                if group.count > 1 {
                    let (note, values) = fix_note(group);
                    writeln!(out, "*{}*\n", super::markdown::escape_inline(&note))?;
                    for line in &values {
                        writeln!(out, "- {}", super::markdown::escape_block(line))?;
                    }
                    if !values.is_empty() {
                        writeln!(out)?;
                    }
                }
                super::markdown::write_finding_body(out, finding)?
            }
            None => {
                if let Some(masked) = &group.masked_text {
                    writeln!(out, "{}", super::markdown::fence("text", masked))?;
                }
                if let Some(u) = &group.representative.unrecognised {
                    writeln!(
                        out,
                        "Pattern stub:\n\n{}",
                        super::markdown::fence("yaml", &u.pattern_stub)
                    )?;
                }
            }
        }
    }
    for w in &report.warnings {
        writeln!(
            out,
            "> **Warning:** {}\n",
            super::markdown::escape_inline(w)
        )?;
    }
    for e in &report.errors {
        writeln!(out, "> **Error:** {}\n", super::markdown::escape_inline(e))?;
    }
    Ok(())
}
