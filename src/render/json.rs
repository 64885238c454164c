//! JSON output. These wire types are the public contract (docs/json-output.md), kept apart from
//! the internal types so refactoring cannot change the output by accident. Additive changes
//! keep `schema_version`; anything else bumps it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Summary;
use crate::context::Sourced;
use crate::report::{Diagnosis, Finding};

/// Version of the JSON output format.
pub const SCHEMA_VERSION: u32 = 1;

pub struct JsonRenderer<W: Write> {
    out: W,
    count: usize,
    started: bool,
}

impl<W: Write> JsonRenderer<W> {
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn new(out: W) -> Self {
        JsonRenderer {
            out,
            count: 0,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let tool = Tool::this();
            write!(self.out, "{{\"schema_version\":{SCHEMA_VERSION},\"tool\":")?;
            serde_json::to_writer(&mut self.out, &tool)?;
            write!(self.out, ",\"diagnoses\":[")?;
        }
        Ok(())
    }

    pub fn diagnosis(&mut self, diagnosis: &Diagnosis) -> io::Result<()> {
        self.start()?;
        if self.count > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        self.count += 1;
        serde_json::to_writer(&mut self.out, &WireDiagnosis::from(diagnosis))?;
        Ok(())
    }

    pub fn finish(mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        write!(self.out, "\n],\"summary\":")?;
        let wire = WireSummary {
            diagnoses: summary.diagnoses,
            failures: summary.failures,
            benign: summary.benign,
            unrecognised: summary.unrecognised,
            by_pattern: &summary.by_pattern,
        };
        serde_json::to_writer(&mut self.out, &wire)?;
        write!(self.out, ",\"warnings\":")?;
        serde_json::to_writer(&mut self.out, &summary.warnings)?;
        write!(self.out, ",\"errors\":")?;
        serde_json::to_writer(&mut self.out, &summary.errors)?;
        writeln!(self.out, "}}")?;
        self.out.flush()
    }
}

#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
    builtin_patterns: usize,
}

impl Tool {
    pub(crate) fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            builtin_patterns: crate::catalog::builtin_pattern_count(),
        }
    }
}

#[derive(Serialize)]
struct WireSummary<'a> {
    diagnoses: usize,
    failures: usize,
    benign: usize,
    unrecognised: usize,
    by_pattern: &'a BTreeMap<String, usize>,
}

#[derive(Serialize)]
pub(crate) struct WireDiagnosis<'a> {
    source: WireSource,
    task: WireTask<'a>,
    status: &'static str,
    recognised: bool,
    findings: Vec<WireFinding<'a>>,
    unrecognised: Option<WireUnrecognised<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct WireSource {
    kind: &'static str,
    /// Line (text, 1-based) or index (tasks and events, 0-based).
    position: Option<usize>,
}

#[derive(Serialize)]
struct WireTask<'a> {
    arn: Option<&'a str>,
    id: Option<&'a str>,
    cluster: Option<&'a str>,
    service: Option<&'a str>,
    family: Option<&'a str>,
    group: Option<&'a str>,
    last_status: Option<&'a str>,
    stop_code: Option<&'a str>,
    stopped_reason: Option<&'a str>,
    stopped_at: Option<&'a str>,
    containers: Vec<WireContainer<'a>>,
}

#[derive(Serialize)]
struct WireContainer<'a> {
    name: &'a str,
    image: Option<&'a str>,
    exit_code: Option<i64>,
    reason: Option<&'a str>,
    health_status: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct WireFinding<'a> {
    pattern: &'a str,
    title: &'a str,
    category: &'a str,
    severity: &'static str,
    level: &'static str,
    transient: bool,
    confidence: &'static str,
    confidence_reason: &'a str,
    cause: &'a str,
    fix: &'a str,
    notes: &'a [String],
    candidates: Vec<WireCandidate<'a>>,
    commands: Vec<WireCommand<'a>>,
    terraform: &'a [String],
    docs: Vec<WireDoc<'a>>,
    captures: BTreeMap<&'a str, &'a str>,
    values: WireValues<'a>,
    evidence: Vec<WireEvidence<'a>>,
    probe: Option<WireProbe<'a>>,
}

#[derive(Serialize)]
struct WireProbe<'a> {
    verdict: &'static str,
    results: Vec<WireProbeResult<'a>>,
}

#[derive(Serialize)]
struct WireProbeResult<'a> {
    name: &'static str,
    verdict: &'static str,
    summary: &'a str,
    fix: Option<&'a str>,
    facts: &'a [String],
    calls: &'a [String],
    missing_permissions: &'a [String],
}

#[derive(Serialize)]
struct WireCandidate<'a> {
    cause: &'a str,
    evidence: &'a str,
    check: Option<&'a str>,
    fix: Option<&'a str>,
}

#[derive(Serialize)]
struct WireCommand<'a> {
    title: &'a str,
    run: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct WireDoc<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct WireValues<'a> {
    account: Option<WireSourced<'a>>,
    region: Option<WireSourced<'a>>,
}

#[derive(Serialize)]
struct WireSourced<'a> {
    value: &'a str,
    source: &'static str,
}

#[derive(Serialize)]
struct WireEvidence<'a> {
    field: Option<&'static str>,
    container: Option<&'a str>,
    text: Option<&'a str>,
    matched: Option<&'a str>,
    conditions: &'a [String],
}

#[derive(Serialize)]
struct WireUnrecognised<'a> {
    normalized: Vec<WireMessage<'a>>,
    next_steps: &'a [String],
    pattern_stub: &'a str,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    field: &'static str,
    text: &'a str,
}

impl<'a> From<&'a Diagnosis> for WireDiagnosis<'a> {
    fn from(d: &'a Diagnosis) -> Self {
        let t = &d.task;
        WireDiagnosis {
            source: WireSource {
                kind: d.source.kind(),
                position: d.source.position(),
            },
            task: WireTask {
                arn: t.task_arn.as_deref(),
                id: t.task_id.as_deref(),
                cluster: t.cluster.as_deref(),
                service: t.service.as_deref(),
                family: t.family.as_deref(),
                group: t.group.as_deref(),
                last_status: t.last_status.as_deref(),
                stop_code: t.stop_code.as_deref(),
                stopped_reason: t.stopped_reason.as_deref(),
                stopped_at: t.stopped_at.as_deref(),
                containers: t
                    .containers
                    .iter()
                    .map(|c| WireContainer {
                        name: &c.name,
                        image: c.image.as_deref(),
                        exit_code: c.exit_code,
                        reason: c.reason.as_deref(),
                        health_status: c.health_status.as_deref(),
                    })
                    .collect(),
            },
            status: d.status.as_str(),
            recognised: !d.findings.is_empty(),
            findings: d.findings.iter().map(WireFinding::from).collect(),
            unrecognised: d.unrecognised.as_ref().map(|u| WireUnrecognised {
                normalized: u
                    .normalized
                    .iter()
                    .map(|(f, text)| WireMessage {
                        field: f.as_str(),
                        text,
                    })
                    .collect(),
                next_steps: &u.next_steps,
                pattern_stub: &u.pattern_stub,
            }),
            warnings: &d.warnings,
        }
    }
}

impl<'a> From<&'a Finding> for WireFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        let sourced = |s: &'a Option<Sourced>| {
            s.as_ref().map(|s| WireSourced {
                value: &s.value,
                source: s.source.as_str(),
            })
        };
        WireFinding {
            pattern: &f.pattern,
            title: &f.title,
            category: &f.category,
            severity: f.severity.as_str(),
            level: f.level.as_str(),
            transient: f.transient,
            confidence: f.confidence.as_str(),
            confidence_reason: &f.confidence_reason,
            cause: &f.cause,
            fix: &f.fix,
            notes: &f.notes,
            candidates: f
                .candidates
                .iter()
                .map(|c| WireCandidate {
                    cause: &c.cause,
                    evidence: &c.evidence,
                    check: c.check.as_deref(),
                    fix: c.fix.as_deref(),
                })
                .collect(),
            commands: f
                .commands
                .iter()
                .map(|c| WireCommand {
                    title: &c.title,
                    run: &c.run,
                    kind: c.kind.as_str(),
                })
                .collect(),
            terraform: &f.terraform,
            docs: f
                .docs
                .iter()
                .map(|d| WireDoc {
                    title: &d.title,
                    url: &d.url,
                })
                .collect(),
            captures: f
                .captures
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            values: WireValues {
                account: sourced(&f.location.account),
                region: sourced(&f.location.region),
            },
            evidence: f
                .evidence
                .iter()
                .map(|e| WireEvidence {
                    field: e.field.map(|f| f.as_str()),
                    container: e.container.as_deref(),
                    text: e.text.as_deref(),
                    matched: e.matched.as_deref(),
                    conditions: &e.conditions,
                })
                .collect(),
            probe: f.probe.as_ref().map(|p| WireProbe {
                verdict: p.verdict.as_str(),
                results: p
                    .results
                    .iter()
                    .map(|r| WireProbeResult {
                        name: r.name,
                        verdict: r.verdict.as_str(),
                        summary: &r.summary,
                        fix: r.fix.as_deref(),
                        facts: &r.facts,
                        calls: &r.calls,
                        missing_permissions: &r.missing_permissions,
                    })
                    .collect(),
            }),
        }
    }
}
