//! Markdown for incident tickets and chat: one section per task, the raw reason in a code
//! block, cause and fix as text, commands in shell blocks, and a summary table.

use std::io::{self, Write};

use super::{RenderOptions, Summary, subject};
use crate::report::{Diagnosis, Finding};

pub struct MarkdownRenderer<W: Write> {
    out: W,
    options: RenderOptions,
    started: bool,
}

impl<W: Write> MarkdownRenderer<W> {
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn new(out: W, options: RenderOptions) -> Self {
        MarkdownRenderer {
            out,
            options,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            writeln!(self.out, "# ECS stopped-task diagnosis\n")?;
        }
        Ok(())
    }

    pub fn diagnosis(&mut self, d: &Diagnosis) -> io::Result<()> {
        self.start()?;
        let d = &d.for_display();
        writeln!(self.out, "## {}\n", escape_inline(&subject(d)))?;
        let t = &d.task;
        let mut facts = Vec::new();
        if let Some(arn) = &t.task_arn {
            facts.push(format!("- Task: {}", code(arn)));
        }
        if let Some(code_) = &t.stop_code {
            facts.push(format!("- Stop code: {}", code(code_)));
        }
        for c in &t.containers {
            if c.exit_code.is_some() || c.reason.is_some() {
                let exit = c
                    .exit_code
                    .map(|e| format!(", exit code {e}"))
                    .unwrap_or_default();
                facts.push(format!("- Container {}{exit}", code(&c.name)));
            }
        }
        if !facts.is_empty() {
            writeln!(self.out, "{}\n", facts.join("\n"))?;
        }
        let mut reasons: Vec<&str> = t.stopped_reason.iter().map(String::as_str).collect();
        reasons.extend(t.containers.iter().filter_map(|c| c.reason.as_deref()));
        if !reasons.is_empty() {
            writeln!(self.out, "{}", fence("text", &reasons.join("\n")))?;
        }
        for w in &d.warnings {
            writeln!(self.out, "> **Warning:** {}\n", escape_inline(w))?;
        }
        match d.findings.split_first() {
            Some((best, rest)) => {
                write_finding(&mut self.out, best)?;
                if self.options.verbose {
                    for f in rest {
                        write_finding(&mut self.out, f)?;
                    }
                } else if !rest.is_empty() {
                    let names: Vec<String> = rest.iter().map(|f| code(&f.pattern)).collect();
                    writeln!(self.out, "Also matched: {}\n", names.join(", "))?;
                }
            }
            None => {
                if let Some(u) = &d.unrecognised {
                    writeln!(
                        self.out,
                        "**Unrecognised.** No pattern in the catalog matches this message.\n"
                    )?;
                    writeln!(self.out, "Next steps:\n")?;
                    for step in &u.next_steps {
                        writeln!(self.out, "- {}", escape_inline(step))?;
                    }
                    writeln!(
                        self.out,
                        "\nPattern stub:\n\n{}",
                        fence("yaml", &u.pattern_stub)
                    )?;
                }
            }
        }
        Ok(())
    }

    pub fn finish(mut self, s: &Summary) -> io::Result<()> {
        self.start()?;
        if s.diagnoses > 1 {
            writeln!(self.out, "## Summary\n")?;
            writeln!(
                self.out,
                "{} diagnosed: {} failures, {} benign, {} unrecognised.\n",
                s.diagnoses, s.failures, s.benign, s.unrecognised
            )?;
            if !s.by_pattern.is_empty() {
                writeln!(self.out, "| Pattern | Tasks |\n|---|---:|")?;
                let mut counts: Vec<(&String, &usize)> = s.by_pattern.iter().collect();
                counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (pattern, n) in counts {
                    writeln!(self.out, "| {} | {n} |", code(pattern))?;
                }
                writeln!(self.out)?;
            }
        }
        for w in &s.warnings {
            writeln!(self.out, "> **Warning:** {}\n", escape_inline(w))?;
        }
        for e in &s.errors {
            writeln!(self.out, "> **Error:** {}\n", escape_inline(e))?;
        }
        self.out.flush()
    }
}

/// One finding: a heading, then [`write_finding_body`].
fn write_finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(
        out,
        "### {} — {}\n",
        f.severity.as_str().to_uppercase(),
        escape_inline(&f.title)
    )?;
    write_finding_body(out, f)
}

/// A finding without its heading: confidence, cause, candidates, fix, commands, notes, docs.
pub(crate) fn write_finding_body(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(
        out,
        "Pattern {} · {} · confidence **{}** — {}\n",
        code(&f.pattern),
        escape_inline(&f.category),
        f.confidence.as_str(),
        escape_inline(&f.confidence_reason)
    )?;
    if let Some(probe) = &f.probe {
        write_probe(out, probe)?;
    }
    writeln!(out, "**Cause.** {}\n", escape_block(&f.cause))?;
    if !f.candidates.is_empty() {
        writeln!(out, "**Candidates, most likely first:**\n")?;
        for (i, c) in f.candidates.iter().enumerate() {
            writeln!(out, "{}. {}", i + 1, escape_block(&c.cause))?;
            writeln!(out, "   - Evidence: {}", escape_block(&c.evidence))?;
            if let Some(check) = &c.check {
                writeln!(out, "   - Check: {}", code(check))?;
            }
            if let Some(fix) = &c.fix {
                writeln!(out, "   - Fix: {}", escape_block(fix))?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "**Fix.** {}\n", escape_block(&f.fix))?;
    if !f.commands.is_empty() {
        let body: Vec<String> = f
            .commands
            .iter()
            .map(|c| {
                format!(
                    "# {} ({})\n{}",
                    c.title.replace('\n', " "),
                    c.kind.as_str(),
                    c.run
                )
            })
            .collect();
        writeln!(out, "{}", fence("sh", &body.join("\n\n")))?;
    }
    if !f.notes.is_empty() {
        writeln!(out, "Notes:\n")?;
        for n in &f.notes {
            writeln!(out, "- {}", escape_block(n))?;
        }
        writeln!(out)?;
    }
    if !f.terraform.is_empty() {
        let names: Vec<String> = f.terraform.iter().map(|t| code(t)).collect();
        writeln!(out, "Terraform: {}\n", names.join(", "))?;
    }
    if !f.docs.is_empty() {
        writeln!(out, "Docs:\n")?;
        for d in &f.docs {
            writeln!(
                out,
                "- [{}]({})",
                escape_inline(&d.title),
                d.url.replace(')', "%29")
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The probes' verdict and what each saw. Probe text quotes values from AWS, so it is escaped
/// like input.
fn write_probe(out: &mut dyn Write, probe: &crate::report::ProbeSection) -> io::Result<()> {
    writeln!(out, "**Probe: {}.**\n", probe.verdict.words())?;
    for r in &probe.results {
        writeln!(
            out,
            "- {} **{}** — {}",
            code(r.name),
            r.verdict.words(),
            escape_inline(&r.summary)
        )?;
        if let Some(fix) = &r.fix {
            writeln!(out, "  - Fix: {}", escape_inline(fix))?;
        }
        if !r.missing_permissions.is_empty() {
            let actions: Vec<String> = r.missing_permissions.iter().map(|a| code(a)).collect();
            writeln!(out, "  - Missing permission: {}", actions.join(", "))?;
        }
        for fact in &r.facts {
            writeln!(out, "  - {}", escape_inline(fact))?;
        }
        if !r.calls.is_empty() {
            let calls: Vec<String> = r.calls.iter().map(|c| code(c)).collect();
            writeln!(out, "  - Calls: {}", calls.join(", "))?;
        }
    }
    writeln!(out)
}

/// Inline code that survives backticks inside the value.
pub(crate) fn code(text: &str) -> String {
    let text = crate::report::make_visible(&text.replace(['\n', '\r'], " "), false);
    let longest = longest_run(&text, '`');
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A fenced block whose fence is longer than any backtick run in the body.
pub(crate) fn fence(lang: &str, body: &str) -> String {
    // Control characters from the input are shown, not passed on (a fence keeps them raw).
    let body = &crate::report::make_visible(body, false);
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// Escapes characters that would start markup or raw HTML in running text.
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Control characters and bidirectional overrides become visible escapes first.
    for c in crate::report::make_visible(text, false).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Like [`escape_inline`], but keeps `code spans` from pattern text and its line breaks (a
/// numbered list in a fix stays a list).
pub(crate) fn escape_block(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut out = String::new();
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 1 {
                    out.push_str(&code(part));
                } else {
                    out.push_str(&escape_inline(part));
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Stops per time bucket for the most frequent causes: a table for a weekly report.
pub(crate) fn timeline_table(
    out: &mut dyn Write,
    groups: &[crate::group::GroupView],
    bucket: i64,
) -> io::Result<()> {
    const COLUMNS: usize = 5;
    let shown: Vec<&crate::group::GroupView> = groups.iter().take(COLUMNS).collect();
    let series: Vec<std::collections::BTreeMap<i64, u64>> = groups
        .iter()
        .map(|g| crate::group::rebucket(&g.timeline, bucket))
        .collect();
    let mut buckets: Vec<i64> = series.iter().flat_map(|s| s.keys().copied()).collect();
    buckets.sort_unstable();
    buckets.dedup();
    if buckets.is_empty() {
        return Ok(());
    }
    let unit = if bucket >= 86_400 { "Day" } else { "Hour" };
    write!(out, "| {unit} (UTC) | All |")?;
    for g in &shown {
        write!(
            out,
            " {} |",
            code(g.pattern.as_deref().unwrap_or("unrecognised"))
        )?;
    }
    writeln!(out)?;
    writeln!(out, "|---|---:|{}", "---:|".repeat(shown.len()))?;
    for at in buckets {
        let all: u64 = series
            .iter()
            .map(|s| s.get(&at).copied().unwrap_or(0))
            .sum();
        let label = crate::time::format_epoch(at);
        let label = if bucket >= 86_400 {
            &label[..10]
        } else {
            &label[..16]
        };
        write!(out, "| {label} | {all} |")?;
        for s in series.iter().take(shown.len()) {
            write!(out, " {} |", s.get(&at).copied().unwrap_or(0))?;
        }
        writeln!(out)?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("plain"), "`plain`");
    }

    #[test]
    fn fences_outgrow_the_body() {
        assert!(fence("text", "```\nx").starts_with("````text"));
    }

    #[test]
    fn inline_markup_is_escaped() {
        assert_eq!(
            escape_inline("<b>*x*</b> | [y](z)"),
            "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[y\\](z)"
        );
    }
}
