//! Text for a person at a terminal: the best finding of each task in full, other matches named,
//! repeats of an earlier diagnosis collapsed to one line, and a summary at the end.
//! Colour comes from `colored`, switched on or off once by the CLI; single styles go through
//! `style`, which copies nothing while colour is off.

use std::collections::HashMap;
use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::style::{bold, cyan, dimmed, green, red, underline, yellow};
use super::{RenderOptions, Summary, subject};
use crate::catalog::spec::{CommandKind, Severity};
use crate::report::{Confidence, Diagnosis, Finding, ProbeSection, Verdict};

/// How many distinct diagnoses are remembered for "same as" lines.
const SEEN_CAPACITY: usize = 10_000;

pub struct TextRenderer<W: Write> {
    out: W,
    options: RenderOptions,
    /// Fingerprint of a rendered diagnosis -> the subject it was first shown under.
    seen: HashMap<u64, String, foldhash::fast::RandomState>,
    fingerprint_seed: foldhash::quality::RandomState,
}

impl<W: Write> TextRenderer<W> {
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn new(out: W, options: RenderOptions) -> Self {
        TextRenderer {
            out,
            options,
            seen: HashMap::default(),
            fingerprint_seed: foldhash::quality::RandomState::default(),
        }
    }

    pub fn diagnosis(&mut self, d: &Diagnosis) -> io::Result<()> {
        // Names and reasons from the input never reach the terminal as control sequences.
        let subject = crate::report::make_visible(&subject(d), true);
        let fingerprint = fingerprint(d, &self.fingerprint_seed);
        if let Some(first) = self.seen.get(&fingerprint) {
            let what = match d.primary() {
                Some(f) => format!("{} {}", severity_label(f.severity), bold(&f.pattern)),
                None => "unrecognised".yellow().to_string(),
            };
            return writeln!(
                self.out,
                "{} {} same as {first}: {what}",
                dimmed("──"),
                bold(&subject)
            );
        }
        if self.seen.len() < SEEN_CAPACITY {
            self.seen.insert(fingerprint, subject.clone());
        }
        let d = &d.for_display();

        writeln!(self.out, "{} {}", dimmed("──"), bold(&subject))?;
        self.task_facts(d)?;
        for w in &d.warnings {
            writeln!(self.out, "{} {w}", "warning:".yellow().bold())?;
        }
        match d.findings.split_first() {
            Some((best, rest)) => {
                write_finding(&mut self.out, best)?;
                if self.options.verbose {
                    for other in rest {
                        writeln!(self.out)?;
                        write_finding(&mut self.out, other)?;
                    }
                } else if !rest.is_empty() {
                    let names: Vec<String> = rest
                        .iter()
                        .map(|f| match &f.probe {
                            Some(p) => format!(
                                "{} ({} confidence, probe: {})",
                                f.pattern,
                                f.confidence.as_str(),
                                p.verdict.words()
                            ),
                            None => format!("{} ({} confidence)", f.pattern, f.confidence.as_str()),
                        })
                        .collect();
                    writeln!(
                        self.out,
                        "\n  {} {}",
                        dimmed("Also matched:"),
                        dimmed(&names.join(", "))
                    )?;
                    writeln!(
                        self.out,
                        "  {}",
                        dimmed("(run with --verbose to see them in full)")
                    )?;
                }
            }
            None => write_unrecognised(&mut self.out, d)?,
        }
        writeln!(self.out)
    }

    fn task_facts(&mut self, d: &Diagnosis) -> io::Result<()> {
        let t = &d.task;
        if let Some(code) = &t.stop_code {
            writeln!(self.out, "  {} {code}", dimmed("stop code:"))?;
        }
        if let Some(reason) = &t.stopped_reason {
            writeln!(self.out, "  {} {}", dimmed("reason:"), reason)?;
        }
        for c in &t.containers {
            if c.exit_code.is_none() && c.reason.is_none() {
                continue;
            }
            let exit = c
                .exit_code
                .map(|e| format!(" exit {e}"))
                .unwrap_or_default();
            let reason = c
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let name = if c.name.is_empty() {
                "container"
            } else {
                &c.name
            };
            writeln!(self.out, "  {} {name}{exit}{reason}", dimmed("container:"))?;
        }
        Ok(())
    }

    pub fn finish(mut self, s: &Summary) -> io::Result<()> {
        // Warnings quote the input (a describe-tasks failure's reason, say).
        for w in &s.warnings {
            let w = crate::report::make_visible(w, false);
            writeln!(self.out, "{} {w}", "warning:".yellow().bold())?;
        }
        for e in &s.errors {
            let e = crate::report::make_visible(e, false);
            writeln!(self.out, "{} {e}", "error:".red().bold())?;
        }
        if s.diagnoses > 1 {
            let mut line = format!(
                "{} diagnosed: {} failure{}, {} benign, {} unrecognised",
                s.diagnoses,
                s.failures,
                if s.failures == 1 { "" } else { "s" },
                s.benign,
                s.unrecognised
            );
            let top: Vec<String> = {
                let mut counts: Vec<(&String, &usize)> = s.by_pattern.iter().collect();
                counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                counts
                    .into_iter()
                    .take(5)
                    .map(|(p, n)| format!("{n}× {p}"))
                    .collect()
            };
            if !top.is_empty() {
                line.push_str(&format!(" — {}", top.join(", ")));
            }
            writeln!(self.out, "{}", bold(&line))?;
        }
        self.out.flush()
    }
}

/// One finding in full: title, confidence and why, cause, candidates, fix, commands, notes.
pub(crate) fn write_finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}  {}", severity_label(f.severity), bold(&f.title))?;
    let confidence = match f.confidence {
        Confidence::High => green("high"),
        Confidence::Medium => yellow("medium"),
        Confidence::Low => red("low"),
    };
    writeln!(
        out,
        "  {} · {} · confidence {}{}",
        cyan(&f.pattern),
        f.category,
        confidence,
        if f.transient {
            " · often transient"
        } else {
            ""
        }
    )?;
    writeln!(out, "  {} {}", dimmed("why:"), dimmed(&f.confidence_reason))?;
    if let Some(probe) = &f.probe {
        write_probe(out, probe)?;
    }

    section(out, "Cause", &f.cause)?;
    if !f.candidates.is_empty() {
        writeln!(out, "\n  {}", bold("Candidates, most likely first"))?;
        for (i, c) in f.candidates.iter().enumerate() {
            writeln!(out, "    {}. {}", i + 1, indent_rest(&c.cause, 7))?;
            writeln!(
                out,
                "       {} {}",
                dimmed("evidence:"),
                indent_rest(&c.evidence, 17)
            )?;
            if let Some(check) = &c.check {
                writeln!(out, "       {} {}", dimmed("check:"), green(check))?;
            }
            if let Some(fix) = &c.fix {
                writeln!(out, "       {} {}", dimmed("fix:"), indent_rest(fix, 12))?;
            }
        }
    }
    section(out, "Fix", &f.fix)?;
    if !f.commands.is_empty() {
        writeln!(out, "\n  {}", bold("Commands"))?;
        for c in &f.commands {
            let kind = match c.kind {
                CommandKind::Check => dimmed("read-only"),
                CommandKind::Fix => yellow("changes"),
            };
            writeln!(out, "    {} {} ({kind})", dimmed("#"), dimmed(&c.title))?;
            for line in c.run.lines() {
                writeln!(out, "    {}", green(line))?;
            }
        }
    }
    if !f.notes.is_empty() {
        writeln!(out, "\n  {}", bold("Notes"))?;
        for n in &f.notes {
            writeln!(out, "    - {}", indent_rest(n, 6))?;
        }
    }
    if !f.terraform.is_empty() {
        writeln!(out, "\n  {} {}", bold("Terraform:"), f.terraform.join(", "))?;
    }
    if !f.docs.is_empty() {
        writeln!(out, "\n  {}", bold("Docs"))?;
        for doc in &f.docs {
            writeln!(out, "    - {}: {}", doc.title, underline(&doc.url))?;
        }
    }
    placeholder_hint(out, f)
}

/// The probes' verdict first (it outweighs the inference from text), then what each saw.
fn write_probe(out: &mut dyn Write, probe: &ProbeSection) -> io::Result<()> {
    writeln!(
        out,
        "\n  {} {}",
        bold("Probe"),
        verdict_label(probe.verdict)
    )?;
    for r in &probe.results {
        writeln!(
            out,
            "    {} {} — {}",
            cyan(r.name),
            verdict_label(r.verdict),
            indent_rest(&r.summary, 6)
        )?;
        if let Some(fix) = &r.fix {
            writeln!(out, "      {} {}", dimmed("fix:"), indent_rest(fix, 11))?;
        }
        if !r.missing_permissions.is_empty() {
            writeln!(
                out,
                "      {} {}",
                dimmed("missing permission:"),
                yellow(&r.missing_permissions.join(", "))
            )?;
        }
        for fact in &r.facts {
            writeln!(out, "      {} {}", dimmed("·"), fact)?;
        }
        if !r.calls.is_empty() {
            writeln!(
                out,
                "      {} {}",
                dimmed("calls:"),
                dimmed(&r.calls.join(", "))
            )?;
        }
    }
    Ok(())
}

pub(crate) fn verdict_label(verdict: Verdict) -> ColoredString {
    match verdict {
        Verdict::Confirmed => "CONFIRMED".green().bold(),
        Verdict::RuledOut => "RULED OUT".red().bold(),
        Verdict::CouldNotCheck => "COULD NOT CHECK".yellow().bold(),
    }
}

/// Tells the reader which values are placeholders and how to fill them in.
fn placeholder_hint(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    // The texts a placeholder for an unknown value can be left in, read once for both.
    let (mut account, mut region) = (false, false);
    let texts = [&f.fix, &f.cause]
        .into_iter()
        .chain(f.commands.iter().flat_map(|c| [&c.title, &c.run]))
        .chain(&f.notes);
    for text in texts {
        for (at, _) in text.match_indices('<') {
            account |= text[at..].starts_with("<account>");
            region |= text[at..].starts_with("<region>");
        }
    }
    let mut missing = Vec::new();
    if account {
        missing.push("--account");
    }
    if region {
        missing.push("--region");
    }
    let mut known = Vec::new();
    for (name, value) in [
        ("account", &f.location.account),
        ("region", &f.location.region),
    ] {
        if let Some(v) = value {
            known.push(format!("{name} {} (from {})", v.value, v.source.as_str()));
        }
    }
    if !known.is_empty() {
        writeln!(
            out,
            "\n  {} {}",
            dimmed("values:"),
            dimmed(&known.join(", "))
        )?;
    }
    if !missing.is_empty() {
        writeln!(
            out,
            "  {}",
            format!(
                "<placeholders> are values the input does not state; fill them in or pass {}",
                missing.join(" / ")
            )
            .dimmed()
        )?;
    }
    Ok(())
}

fn section(out: &mut dyn Write, title: &str, body: &str) -> io::Result<()> {
    writeln!(out, "\n  {}", bold(title))?;
    for line in body.lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// What to do with a message nothing recognised.
pub(crate) fn write_unrecognised(out: &mut dyn Write, d: &Diagnosis) -> io::Result<()> {
    let Some(u) = &d.unrecognised else {
        return Ok(());
    };
    writeln!(
        out,
        "\n{}  {}",
        " UNRECOGNISED ".black().on_yellow(),
        bold("no pattern in the catalog matches this")
    )?;
    if !u.normalized.is_empty() {
        writeln!(
            out,
            "\n  {}",
            bold("Normalised text (what the catalog saw)")
        )?;
        for (field, text) in &u.normalized {
            writeln!(out, "    [{field}] {text}")?;
        }
    }
    writeln!(out, "\n  {}", bold("Next steps"))?;
    for step in &u.next_steps {
        writeln!(out, "    - {}", indent_rest(step, 6))?;
    }
    writeln!(out, "\n  {}", bold("Pattern stub"))?;
    for line in u.pattern_stub.lines() {
        writeln!(out, "    {}", dimmed(line))?;
    }
    Ok(())
}

pub(crate) fn severity_label(severity: Severity) -> ColoredString {
    match severity {
        Severity::Error => " ERROR ".white().on_red().bold(),
        Severity::Warning => " WARNING ".black().on_yellow().bold(),
        Severity::Benign => " BENIGN ".black().on_green().bold(),
    }
}

/// Continuation lines of a multi-line value, indented to sit under its first line.
fn indent_rest(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width));
        }
        out.push_str(line);
    }
    out
}

/// What makes two diagnoses print the same: the messages, stop code, exit codes and findings.
/// (A 64-bit hash, seeded per run: thousands are kept, and the fix they cover is long.)
fn fingerprint(d: &Diagnosis, seed: &foldhash::quality::RandomState) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = seed.build_hasher();
    d.status.hash(&mut h);
    d.task.stop_code.hash(&mut h);
    d.task.stopped_reason.hash(&mut h);
    for c in &d.task.containers {
        (&c.name, c.exit_code, &c.reason).hash(&mut h);
    }
    d.primary().map(|f| (&f.pattern, &f.fix)).hash(&mut h);
    h.finish()
}
