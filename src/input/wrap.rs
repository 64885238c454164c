//! Putting a message back together from the lines a paste split it into.
//!
//! People paste errors as they saw them: hard-wrapped by a terminal or a console column at a
//! fixed width (mid-word, mid-ARN), broken after a `:` by a log formatter, or indented under
//! the first line. A line that continues the message joins it; a line that starts a new error
//! does not. How the pieces are glued is decided once the whole message is known: when its
//! lines share one width, it was hard-wrapped, and the pieces are joined as they were cut
//! (no space added inside a word); otherwise they are joined with a space.

/// Widths terminals and consoles commonly wrap at: one line of such a width is enough to take
/// the next line as its continuation.
const COMMON_WIDTHS: [usize; 7] = [80, 100, 120, 132, 150, 160, 200];
/// Shortest line taken as cut short rather than ended.
const MIN_WRAPPED: usize = 25;

/// One line of a message as pasted.
#[derive(Debug, Clone)]
struct Line {
    /// What the line adds to the message (for the first line: without its label).
    text: String,
    /// Its length in characters as pasted (trailing whitespace removed), indentation included.
    width: usize,
    indent: usize,
}

/// The lines of one message, in order.
#[derive(Debug, Clone)]
pub struct Block {
    lines: Vec<Line>,
}

/// Why a line belongs to the message before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// The message went on after a `:`, a deeper indentation or a line cut in mid-sentence.
    Continues,
    /// The line before had the width of a hard wrap.
    Wrapped,
}

impl Block {
    /// A message whose first line is `raw` (as pasted) and whose text starts with `text`.
    pub fn new(raw: &str, text: &str) -> Block {
        Block {
            lines: vec![Line {
                text: text.to_string(),
                width: raw.trim_end().chars().count(),
                indent: indent_of(raw),
            }],
        }
    }

    pub fn push(&mut self, raw: &str) {
        let trimmed = raw.trim_end();
        self.lines.push(Line {
            text: trimmed.to_string(),
            width: trimmed.chars().count(),
            indent: indent_of(raw),
        });
    }

    /// Total length so far, to bound a message's size.
    pub fn len(&self) -> usize {
        self.lines.iter().map(|l| l.text.len() + 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether `raw`, the next line of the paste, continues this message. `new_error` says
    /// whether the line reads like the start of an error of its own.
    pub fn continued_by(&self, raw: &str, new_error: bool) -> Option<Join> {
        let last = self.lines.last()?;
        let next = raw.trim();
        if next.is_empty() {
            return None;
        }
        // A width seen before in this message: a hard wrap, whatever the next line says.
        let repeated = self.lines[..self.lines.len() - 1]
            .iter()
            .any(|l| l.width >= MIN_WRAPPED && l.width.abs_diff(last.width) <= 1);
        if repeated {
            return Some(Join::Wrapped);
        }
        if last.text.trim_end().ends_with(':') {
            return Some(Join::Continues);
        }
        let common = COMMON_WIDTHS
            .iter()
            .any(|&w| last.width == w || last.width + 1 == w);
        if common && !new_error {
            return Some(Join::Wrapped);
        }
        if new_error {
            return None;
        }
        if indent_of(raw) > self.lines[0].indent {
            return Some(Join::Continues);
        }
        // Cut in mid-sentence: a long line that does not end a sentence, followed by one that
        // does not start like a sentence.
        let starts_lower = next
            .chars()
            .next()
            .is_some_and(|c| !c.is_uppercase() && c != '(');
        let ends_open = !last.text.trim_end().ends_with(['.', '!', ')', '"']);
        (last.width >= MIN_WRAPPED && ends_open && starts_lower).then_some(Join::Continues)
    }

    /// The message, its lines glued back together.
    pub fn assemble(self) -> String {
        let Some(width) = self.wrap_width() else {
            return self
                .lines
                .iter()
                .map(|l| l.text.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
        };
        // A hanging indent shared by every continuation line was added by the tool that
        // wrapped the text; a single leading space is the text's own.
        let hanging = self.lines[1..].iter().map(|l| l.indent).min().unwrap_or(0);
        let hanging = if hanging >= 2 { hanging } else { 0 };
        let mut out = String::new();
        let mut previous: Option<&Line> = None;
        for line in &self.lines {
            let text = if previous.is_some() {
                line.text.get(hanging..).unwrap_or("")
            } else {
                line.text.as_str()
            };
            if let Some(before) = previous {
                let ended = before.text.trim_end().ends_with([':', '.', ',', ';']);
                // One short of the width: the space at the cut was trimmed away.
                let space = before.width + 1 == width || (before.width + 1 < width && ended);
                if space && !out.ends_with(' ') && !text.starts_with(' ') {
                    out.push(' ');
                }
            }
            out.push_str(text);
            previous = Some(line);
        }
        out.trim().to_string()
    }

    /// The width the message was hard-wrapped at, if it was: most lines but the last share it
    /// (within one character, for a trimmed trailing space), or its only cut line has a
    /// common terminal width.
    fn wrap_width(&self) -> Option<usize> {
        let cut = &self.lines[..self.lines.len().saturating_sub(1)];
        match cut {
            [] => None,
            [only] => COMMON_WIDTHS
                .iter()
                .find(|&&w| only.width == w || only.width + 1 == w)
                .copied(),
            _ => {
                let width = cut.iter().map(|l| l.width).max()?;
                let at_width = cut.iter().filter(|l| l.width + 1 >= width).count();
                (width >= MIN_WRAPPED && at_width >= 2 && at_width * 3 >= cut.len() * 2)
                    .then_some(width)
            }
        }
    }
}

/// `text`, one message copied over several lines, put back on one line.
pub fn unwrap(text: &str) -> String {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return String::new();
    };
    let mut block = Block::new(first, first.trim());
    for line in lines {
        block.push(line);
    }
    block.assemble()
}

fn indent_of(raw: &str) -> usize {
    raw.len() - raw.trim_start().len()
}

/// Whether a pasted line reads like the start of an error of its own (an error or exception
/// name, a service event, or one of ECS's own sentences), not like the rest of one.
pub fn starts_error(line: &str) -> bool {
    let line = line.trim_start();
    const OPENERS: &[&str] = &[
        "(service ",
        "service ",
        "task ",
        "essential container",
        "scaling activity",
        "your spot task",
        "host ec2",
        "timeout waiting",
        "ecs was unable",
        "ecs is performing",
        "ecs deployment",
        "the closest matching",
        "container instance",
        "exec ",
        "standard_init_linux",
        "no container instance",
        "container killed",
        "denied:",
        "failed to ",
        "unable to ",
        "stopped (",
        "stopped(",
        "status reason",
        "stopped reason",
    ];
    if OPENERS.iter().any(|o| {
        line.get(..o.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(o))
    }) {
        return true;
    }
    // `CannotPullContainerError:`, `ResourceInitializationError`, `AccessDeniedException`.
    let word: &str = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    word.starts_with(|c: char| c.is_ascii_uppercase())
        && (word.ends_with("Error") || word.ends_with("Exception"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(lines: &[&str]) -> Vec<String> {
        let mut messages = Vec::new();
        let mut block: Option<Block> = None;
        for line in lines {
            let new_error = starts_error(line);
            match block.as_mut().and_then(|b| b.continued_by(line, new_error)) {
                Some(_) => block.as_mut().unwrap().push(line),
                None => {
                    messages.extend(block.take().map(Block::assemble));
                    block = Some(Block::new(line, line.trim()));
                }
            }
        }
        messages.extend(block.map(Block::assemble));
        messages
    }

    #[test]
    fn a_terminal_wrap_is_glued_as_it_was_cut() {
        let text = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1: not found";
        let chars: Vec<char> = text.chars().collect();
        let lines: Vec<String> = chars.chunks(80).map(|c| c.iter().collect()).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(join(&refs), [text]);
    }

    #[test]
    fn a_console_column_wrap_keeps_its_spaces() {
        // Width 30, with the space at one cut trimmed away (a line of 29).
        let lines = [
            "Task failed ELB health checks",
            "in (target-group arn:aws:elast",
            "icloadbalancing:us-west-2:1234",
            "56789012:targetgroup/examp-Tar",
            "58)",
        ];
        assert_eq!(
            join(&lines),
            [
                "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/examp-Tar58)"
            ]
        );
    }

    #[test]
    fn a_hanging_indent_is_the_wrapper_s() {
        let lines = [
            "(service web) (port 5005) i",
            "        s unhealthy in (target-group arn:aws:elasticloadbalancing:ap-south-1:1",
            "        23456789012:targetgroup/corpd-Targe-12YF9HTH1OJGJ/e938d1c7734d02a2) du",
            "        e to (reason Health checks failed).",
        ];
        let joined = join(&lines);
        assert_eq!(joined.len(), 1);
        assert!(joined[0].contains("is unhealthy in"), "{joined:?}");
        assert!(
            joined[0].contains(":123456789012:targetgroup"),
            "{joined:?}"
        );
    }

    #[test]
    fn a_line_ending_in_a_colon_goes_on() {
        let lines = [
            "ResourceInitializationError: unable to pull secrets or registry auth:",
            "execution resource retrieval failed: unable to retrieve ecr registry auth:",
            "service call has been retried 1 time(s):",
            "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-rol...",
        ];
        assert_eq!(join(&lines), [lines.join(" ")]);
    }

    #[test]
    fn separate_errors_stay_separate() {
        let lines = [
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref x: i/o timeout",
            "Essential container in task exited",
            "exec /usr/local/bin/docker-entrypoint.sh: exec format error",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef)",
            "OutOfMemoryError: Container killed due to memory usage",
        ];
        assert_eq!(join(&lines).len(), lines.len());
    }

    #[test]
    fn a_sentence_cut_in_the_middle_goes_on() {
        let lines = [
            "Fetching secret data from SSM Parameter Store in ap-northeast-1: AccessDeniedException:",
            "User: arn:aws:sts::xxxxxxxxxxxx:assumed-role/r/x",
            "is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:x",
            "status code: 400, request id: x",
        ];
        assert_eq!(join(&lines).len(), 1);
    }
}
