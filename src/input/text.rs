//! Pasted text: one error per line (lines that continue a message are joined: see `wrap`),
//! console labels such as `Stopped reason` tolerated, `Stop code:` / `Exit code:` lines attached to the error
//! they belong to, and service events (`(service x) ... Reason: ...`) recognised.

use std::io::BufRead;

use super::lines::BoundedLines;
use super::wrap::{self, Block};
use super::{InputError, Sink, Warnings, service_event};
use crate::engine::MAX_MESSAGE_BYTES;
use crate::model::{ContainerEvidence, Evidence, Field, Source};

/// How lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMode {
    /// Each line is an error; lines starting `(service ` are service events.
    Errors,
    /// Every line is a service event.
    ServiceEvents,
}

/// Reads `reader` line by line, handing each error to `sink`.
pub fn read(
    reader: impl BufRead,
    mode: TextMode,
    sink: &mut Sink<'_>,
    warnings: &mut Warnings,
) -> Result<usize, InputError> {
    let mut lines = BoundedLines::new(reader, MAX_MESSAGE_BYTES);
    let mut state = State {
        pending: None,
        block: None,
        facts: Facts::default(),
        count: 0,
        service_events: 0,
    };
    let mut invalid = super::lossy::InvalidUtf8::default();
    while let Some(line) = lines.next_line().map_err(InputError::Io)? {
        if let Some(total) = line.truncated_from {
            warnings.push(format!(
                "line {} is {total} bytes long; only its first {} bytes were read",
                line.number,
                line.bytes.len()
            ));
        }
        let text = match String::from_utf8(line.bytes) {
            Ok(text) => text,
            Err(e) => {
                invalid.record(line.number as u64);
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        state.line(line.number, &text, mode, sink)?;
    }
    state.flush(sink)?;
    if let Some(warning) = invalid.warning() {
        warnings.push(warning);
    }
    Ok(state.count)
}

#[derive(Debug, Default, Clone)]
struct Facts {
    stop_code: Option<String>,
    exit_code: Option<i64>,
}

struct State {
    pending: Option<Evidence>,
    /// The lines of `pending`'s message, glued together when it is complete.
    block: Option<Block>,
    /// Facts seen before the error they belong to.
    facts: Facts,
    count: usize,
    service_events: usize,
}

impl State {
    fn line(
        &mut self,
        number: usize,
        raw: &str,
        mode: TextMode,
        sink: &mut Sink<'_>,
    ) -> Result<(), InputError> {
        if raw.trim().is_empty() {
            return self.flush(sink);
        }
        let line = strip_timestamp(raw.trim());
        if let Some(fact) = parse_fact(line) {
            match self.pending.as_mut() {
                Some(pending) => apply_fact(pending, fact),
                None => match fact {
                    Fact::StopCode(code) => self.facts.stop_code = Some(code),
                    Fact::ExitCode(code) => self.facts.exit_code = Some(code),
                },
            }
            return Ok(());
        }
        let labelled = strip_label(line);
        if let Some(block) = self.block.as_mut() {
            let new_error = line.len() != raw.trim().len()
                || labelled != Some(line)
                || wrap::starts_error(line);
            let continues = starts_with_ignore_case(raw.trim_start(), "caused by:")
                || block.continued_by(raw, new_error).is_some();
            if continues {
                if block.len() + raw.len() < MAX_MESSAGE_BYTES {
                    block.push(raw);
                }
                return Ok(());
            }
        }
        // A label alone on its line starts what follows.
        let Some(text) = labelled else {
            return self.flush(sink);
        };
        self.flush(sink)?;
        let service = if mode == TextMode::ServiceEvents || text.starts_with("(service ") {
            Some(
                service_event::parse(text).map_or((None, service_event::reason_of(text)), |e| {
                    (e.service, e.message)
                }),
            )
        } else {
            None
        };
        let (mut evidence, message) = match service {
            Some((name, message)) => {
                let mut e = Evidence::pasted(number, String::new());
                e.source = Source::ServiceEvent {
                    index: self.service_events,
                };
                e.reason_field = Field::ServiceEvent;
                e.meta.service = name.map(str::to_string);
                self.service_events += 1;
                (e, message)
            }
            None => (Evidence::pasted(number, String::new()), text),
        };
        let facts = std::mem::take(&mut self.facts);
        if let Some(code) = facts.stop_code {
            apply_fact(&mut evidence, Fact::StopCode(code));
        }
        if let Some(code) = facts.exit_code {
            apply_fact(&mut evidence, Fact::ExitCode(code));
        }
        self.block = Some(Block::new(raw, message));
        self.pending = Some(evidence);
        Ok(())
    }

    fn flush(&mut self, sink: &mut Sink<'_>) -> Result<(), InputError> {
        let block = self.block.take();
        if let Some(mut evidence) = self.pending.take() {
            evidence.stopped_reason = block.map(Block::assemble);
            self.count += 1;
            sink(evidence).map_err(InputError::Output)?;
        }
        Ok(())
    }
}

enum Fact {
    StopCode(String),
    ExitCode(i64),
}

fn apply_fact(evidence: &mut Evidence, fact: Fact) {
    match fact {
        Fact::StopCode(code) => evidence.stop_code = Some(code),
        Fact::ExitCode(code) => match evidence.containers.first_mut() {
            Some(c) => c.exit_code = Some(code),
            // A pasted `Exit code:` line does not say which container: leave the name empty.
            None => evidence.containers.push(ContainerEvidence {
                name: String::new(),
                exit_code: Some(code),
                ..ContainerEvidence::default()
            }),
        },
    }
}

/// `Stop code: EssentialContainerExited`, `Exit code 137`.
fn parse_fact(line: &str) -> Option<Fact> {
    let value = |label: &str| -> Option<&str> {
        let rest = strip_prefix_ignore_case(line, label)?;
        let rest = rest.trim_start().trim_start_matches([':', '=']).trim();
        (!rest.is_empty() && !rest.contains(char::is_whitespace)).then_some(rest)
    };
    if let Some(code) = value("stop code").or_else(|| value("stopcode")) {
        return Some(Fact::StopCode(code.trim_matches(['"', ',']).to_string()));
    }
    let code = value("exit code").or_else(|| value("exitcode"))?;
    code.trim_matches(['"', ','])
        .parse()
        .ok()
        .map(Fact::ExitCode)
}

/// Removes a console label (`Stopped reason`, `Status reason: `, `"stoppedReason": "…",`,
/// ecs-cli's `STOPPED (…)`). `None` when the line is only a label.
fn strip_label(line: &str) -> Option<&str> {
    // `STOPPED (reason)`, `STOPPED(reason)`: the task's status with its reason in parentheses.
    if let Some(rest) = strip_prefix_ignore_case(line, "stopped")
        && let Some(inner) = rest.trim_start().strip_prefix('(')
    {
        let inner = inner.strip_suffix(')').unwrap_or(inner).trim();
        return (!inner.is_empty()).then_some(inner);
    }
    const LABELS: &[&str] = &[
        "\"stoppedReason\"",
        "\"reason\"",
        "stopped reason",
        "stoppedreason",
        "status reason",
        "stop reason",
        "reason",
    ];
    for label in LABELS {
        if let Some(rest) = strip_prefix_ignore_case(line, label) {
            // Only a label when followed by a separator or nothing ("Reasonable" is not one).
            if !(rest.is_empty() || rest.starts_with([':', '=', ' ', '\t'])) {
                continue;
            }
            let rest = rest.trim_start().trim_start_matches([':', '=']).trim();
            let rest = if label.starts_with('"') {
                let rest = rest.strip_suffix(',').unwrap_or(rest);
                rest.strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(rest)
            } else {
                rest
            };
            return (!rest.is_empty()).then_some(rest);
        }
    }
    Some(line)
}

/// Drops a leading timestamp such as `2024-05-01 10:00:00 +0000` (console and log copies).
fn strip_timestamp(line: &str) -> &str {
    let b = line.as_bytes();
    let is_date = b.len() > 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !is_date {
        return line;
    }
    // Skip the date/time token(s) and a timezone token, up to the first word that is not one.
    let mut rest = line;
    for _ in 0..3 {
        let trimmed = rest.trim_start();
        let token_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let token = &trimmed[..token_end];
        let looks_like_time = token
            .bytes()
            .all(|c| c.is_ascii_digit() || b"-:.+TZ".contains(&c))
            || token == "UTC";
        if !looks_like_time || token.is_empty() {
            break;
        }
        rest = &trimmed[token_end..];
    }
    rest.trim_start()
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    strip_prefix_ignore_case(text, prefix).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn read_all(input: &str) -> (Vec<Evidence>, Vec<String>) {
        let mut out = Vec::new();
        let mut warnings = Warnings::default();
        let mut sink = |e: Evidence| -> io::Result<()> {
            out.push(e);
            Ok(())
        };
        read(input.as_bytes(), TextMode::Errors, &mut sink, &mut warnings).unwrap();
        (out, warnings.into_vec())
    }

    #[test]
    fn one_error_per_line_with_labels() {
        let (out, _) = read_all(
            "Stopped reason: Task failed to start\nStatus reason\nCannotPullContainerError: x\n\nEssential container in task exited\n",
        );
        let texts: Vec<_> = out
            .iter()
            .map(|e| e.stopped_reason.clone().unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "Task failed to start",
                "CannotPullContainerError: x",
                "Essential container in task exited"
            ]
        );
        assert_eq!(out[2].source, Source::Text { line: 5 });
    }

    #[test]
    fn continuation_lines_join() {
        let (out, _) = read_all(
            "The task can’t pull the image. RequestError: send request failed\ncaused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": i/o timeout\n",
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .stopped_reason
                .as_ref()
                .unwrap()
                .ends_with("i/o timeout")
        );
    }

    #[test]
    fn facts_attach_to_their_error() {
        let (out, _) = read_all(
            "Stopped reason: Essential container in task exited\nStop code: EssentialContainerExited\nExit code: 137\n",
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].stop_code.as_deref(),
            Some("EssentialContainerExited")
        );
        assert_eq!(out[0].containers[0].exit_code, Some(137));
    }

    #[test]
    fn service_events_and_timestamps() {
        let (out, _) = read_all(
            "2024-05-01 10:00:00 +0000 (service web) was unable to place a task. Reason: Capacity is unavailable at this time.\n",
        );
        assert_eq!(out[0].reason_field, Field::ServiceEvent);
        assert_eq!(out[0].meta.service.as_deref(), Some("web"));
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Capacity is unavailable at this time.")
        );
    }

    #[test]
    fn indented_lists_are_separate_errors() {
        let (out, _) =
            read_all("  CannotPullContainerError: a\n  Essential container in task exited\n");
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn json_fragment_line() {
        let (out, _) = read_all("    \"stoppedReason\": \"Task stopped by user\",\n");
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Task stopped by user")
        );
    }

    #[test]
    fn ecs_cli_status_with_reason() {
        for line in [
            "STOPPED (Task failed to start)",
            "STOPPED(Task failed to start)",
        ] {
            let (out, _) = read_all(line);
            assert_eq!(
                out[0].stopped_reason.as_deref(),
                Some("Task failed to start"),
                "{line}"
            );
        }
        let (out, _) = read_all("Stopped reason: Stopped (deployment)");
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Stopped (deployment)")
        );
    }

    #[test]
    fn reasonable_is_not_a_label() {
        let (out, _) = read_all("Reasonable people disagree\n");
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Reasonable people disagree")
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_with_warning() {
        let mut out = Vec::new();
        let mut warnings = Warnings::default();
        let mut sink = |e: Evidence| -> io::Result<()> {
            out.push(e);
            Ok(())
        };
        read(
            &b"Task stopped by \xff user\n"[..],
            TextMode::Errors,
            &mut sink,
            &mut warnings,
        )
        .unwrap();
        assert!(out[0].stopped_reason.as_ref().unwrap().contains('\u{FFFD}'));
        assert!(warnings.into_vec()[0].contains("not valid UTF-8 (line 1)"));
    }
}
