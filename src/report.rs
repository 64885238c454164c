//! What the engine concludes, in the shape every renderer reads. Renderers never match;
//! the engine never prints.

use crate::catalog::spec::{CommandKind, Level, Severity};
use crate::context::Location;
use crate::model::{ContainerEvidence, Field, Source};

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Only the error family is recognised.
    Low,
    /// The message fits several causes; they are listed as candidates.
    Medium,
    /// One specific cause fits the evidence.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One message (or task fact) that made a pattern match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedEvidence {
    /// The field the message came from; `None` for a rule decided by stopCode/exit code alone.
    pub field: Option<Field>,
    /// The container, for container reasons and exit-code conditions.
    pub container: Option<String>,
    /// The message as written in the input.
    pub text: Option<String>,
    /// The part of the normalised message the regex matched.
    pub matched: Option<String>,
    /// Conditions that held besides the regex (`stopCode = ...`, `exit code 137`).
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCandidate {
    pub cause: String,
    pub evidence: String,
    pub check: Option<String>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCommand {
    pub title: String,
    pub run: String,
    pub kind: CommandKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLink {
    pub title: String,
    pub url: String,
}

/// One pattern that matched a task, with its text rendered for this task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub pattern: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub level: Level,
    pub transient: bool,
    pub confidence: Confidence,
    /// Why this confidence: what in the input decided it.
    pub confidence_reason: String,
    pub captures: Vec<(String, String)>,
    pub cause: String,
    pub fix: String,
    pub notes: Vec<String>,
    pub candidates: Vec<RenderedCandidate>,
    pub commands: Vec<RenderedCommand>,
    pub terraform: Vec<String>,
    pub docs: Vec<DocLink>,
    pub evidence: Vec<MatchedEvidence>,
    /// Account and region used in this finding's text, with where they came from.
    pub location: Location,
    /// With `--probe`: what the read-only checks of the task's own resources found.
    pub probe: Option<ProbeSection>,
}

/// What a probe concluded about a finding's cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The task's resources show this cause.
    Confirmed,
    /// The probes could not read what they needed (a permission, a throttle, a timeout, or a
    /// fact the task no longer has).
    CouldNotCheck,
    /// The task's resources show this is not the cause.
    RuledOut,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::CouldNotCheck => "could-not-check",
            Verdict::RuledOut => "ruled-out",
        }
    }

    /// In words, for text and markdown.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::CouldNotCheck => "could not check",
            Verdict::RuledOut => "ruled out",
        }
    }
}

/// One probe's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The probe's name (`network-path`, ...).
    pub name: &'static str,
    pub verdict: Verdict,
    /// The verdict in one sentence, naming the exact resource (route table, endpoint, zone,
    /// record, role, action).
    pub summary: String,
    /// What to change, when the probe knows better than the catalog (an existing cache
    /// prefix, the exact record to add).
    pub fix: Option<String>,
    /// The facts the verdict rests on.
    pub facts: Vec<String>,
    /// The read-only API calls whose answers were used (`ec2:DescribeRouteTables vpc-1`);
    /// one call may serve many tasks.
    pub calls: Vec<String>,
    /// For `could not check`: the IAM actions the caller was denied.
    pub missing_permissions: Vec<String>,
}

/// The probes of one finding and their combined verdict: confirmed if any probe confirmed,
/// ruled out if every probe ruled it out, otherwise could not check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSection {
    pub verdict: Verdict,
    pub results: Vec<ProbeResult>,
}

impl ProbeSection {
    pub fn new(results: Vec<ProbeResult>) -> ProbeSection {
        let verdict = if results.iter().any(|r| r.verdict == Verdict::Confirmed) {
            Verdict::Confirmed
        } else if !results.is_empty() && results.iter().all(|r| r.verdict == Verdict::RuledOut) {
            Verdict::RuledOut
        } else {
            Verdict::CouldNotCheck
        };
        ProbeSection { verdict, results }
    }

    /// Every string, for escaping and redaction.
    pub fn strings_mut(&mut self) -> impl Iterator<Item = &mut String> {
        self.results.iter_mut().flat_map(|r| {
            std::iter::once(&mut r.summary)
                .chain(r.fix.iter_mut())
                .chain(r.facts.iter_mut())
                .chain(r.calls.iter_mut())
                .chain(r.missing_permissions.iter_mut())
        })
    }

    pub fn strings(&self) -> impl Iterator<Item = &String> {
        self.results.iter().flat_map(|r| {
            std::iter::once(&r.summary)
                .chain(r.fix.iter())
                .chain(r.facts.iter())
                .chain(r.calls.iter())
                .chain(r.missing_permissions.iter())
        })
    }
}

/// What to do with input nothing recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecognised {
    /// The normalised messages, as the catalog saw them.
    pub normalized: Vec<(Field, String)>,
    pub next_steps: Vec<String>,
    /// A pattern file to start from, with the message as its first example.
    pub pattern_stub: String,
}

/// The verdict on one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// The best finding is a failure (error or warning severity).
    Failure,
    /// The best finding is a normal stop.
    Benign,
    /// No pattern matched.
    Unrecognised,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failure => "failure",
            Status::Benign => "benign",
            Status::Unrecognised => "unrecognised",
        }
    }
}

/// The identity of the task a diagnosis is about, as far as the input tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskSummary {
    pub task_arn: Option<String>,
    pub task_id: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub family: Option<String>,
    pub group: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub stopped_at: Option<String>,
    pub last_status: Option<String>,
    pub containers: Vec<ContainerEvidence>,
}

/// One task (or pasted error) with its findings, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub source: Source,
    pub task: TaskSummary,
    pub status: Status,
    /// Shared: a repeated message's diagnosis (see `RepeatMemo`) copies only the handle, and a
    /// change to one copy (redaction, escaping) copies the findings first.
    pub findings: std::sync::Arc<Vec<Finding>>,
    pub unrecognised: Option<Unrecognised>,
    /// Problems with this input item (a message cut for length, say).
    pub warnings: Vec<String>,
}

impl Diagnosis {
    /// The best finding.
    pub fn primary(&self) -> Option<&Finding> {
        self.findings.first()
    }
}

/// Where a string of a diagnosis came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The catalog's words, filled in with shown values.
    Catalog,
    /// Copied from the input as it was.
    Input,
    /// A value from the input as the engine's `show` gave it (redacted where it needs to be).
    Shown,
}

/// Every string of a diagnosis, with where it came from: one list of fields for the reading and
/// the rewriting visitor.
macro_rules! each_string {
    // A rewriting visit copies the findings first if another diagnosis shares them.
    (@findings $d:expr, mut) => {
        std::sync::Arc::make_mut(&mut $d.findings).iter_mut()
    };
    (@findings $d:expr) => {
        $d.findings.iter()
    };
    ($d:expr, $f:ident, $strings:ident $(, $mut:tt)?) => {{
        let t = & $($mut)? $d.task;
        for s in [
            & $($mut)? t.task_arn,
            & $($mut)? t.task_id,
            & $($mut)? t.cluster,
            & $($mut)? t.service,
            & $($mut)? t.family,
            & $($mut)? t.group,
            & $($mut)? t.stop_code,
            & $($mut)? t.stopped_reason,
            & $($mut)? t.stopped_at,
            & $($mut)? t.last_status,
        ]
        .into_iter()
        .flatten()
        {
            $f(s, Origin::Input);
        }
        for c in & $($mut)? t.containers {
            $f(& $($mut)? c.name, Origin::Input);
            for s in [& $($mut)? c.image, & $($mut)? c.reason, & $($mut)? c.health_status]
                .into_iter()
                .flatten()
            {
                $f(s, Origin::Input);
            }
        }
        for finding in each_string!(@findings $d $(, $mut)?) {
            for (_, value) in & $($mut)? finding.captures {
                $f(value, Origin::Shown);
            }
            let location = & $($mut)? finding.location;
            for sourced in (& $($mut)? location.account)
                .into_iter()
                .chain((& $($mut)? location.region).into_iter())
            {
                $f(& $($mut)? sourced.value, Origin::Input);
            }
            for s in [
                & $($mut)? finding.title,
                & $($mut)? finding.category,
                & $($mut)? finding.confidence_reason,
                & $($mut)? finding.cause,
                & $($mut)? finding.fix,
            ] {
                $f(s, Origin::Catalog);
            }
            (& $($mut)? finding.notes).into_iter().for_each(|s| $f(s, Origin::Catalog));
            for c in & $($mut)? finding.candidates {
                $f(& $($mut)? c.cause, Origin::Catalog);
                $f(& $($mut)? c.evidence, Origin::Catalog);
                (& $($mut)? c.check)
                    .into_iter()
                    .chain((& $($mut)? c.fix).into_iter())
                    .for_each(|s| $f(s, Origin::Catalog));
            }
            for c in & $($mut)? finding.commands {
                $f(& $($mut)? c.title, Origin::Catalog);
                $f(& $($mut)? c.run, Origin::Catalog);
            }
            // A user pattern's own words are text from a file, too.
            (& $($mut)? finding.terraform).into_iter().for_each(|s| $f(s, Origin::Catalog));
            for d in & $($mut)? finding.docs {
                $f(& $($mut)? d.title, Origin::Catalog);
                $f(& $($mut)? d.url, Origin::Catalog);
            }
            for e in & $($mut)? finding.evidence {
                (& $($mut)? e.container)
                    .into_iter()
                    .chain((& $($mut)? e.text).into_iter())
                    .chain((& $($mut)? e.matched).into_iter())
                    .for_each(|s| $f(s, Origin::Shown));
                (& $($mut)? e.conditions).into_iter().for_each(|s| $f(s, Origin::Shown));
            }
            // Probe text quotes names and values from AWS, so it is treated as input.
            if let Some(probe) = & $($mut)? finding.probe {
                probe.$strings().for_each(|s| $f(s, Origin::Input));
            }
        }
        if let Some(u) = & $($mut)? $d.unrecognised {
            (& $($mut)? u.normalized).into_iter().for_each(|(_, s)| $f(s, Origin::Shown));
            (& $($mut)? u.next_steps).into_iter().for_each(|s| $f(s, Origin::Catalog));
            $f(& $($mut)? u.pattern_stub, Origin::Catalog);
        }
        (& $($mut)? $d.warnings).into_iter().for_each(|s| $f(s, Origin::Input));
    }};
}

impl Diagnosis {
    /// Calls `f` on every string of the diagnosis. `raw` is true for text copied from the input
    /// (reasons, names), false for text the catalog wrote (which may hold line breaks on purpose).
    pub fn visit_strings_mut(&mut self, f: &mut dyn FnMut(&mut String, bool)) {
        let mut by_origin = |s: &mut String, origin: Origin| f(s, origin != Origin::Catalog);
        each_string!(self, by_origin, strings_mut, mut);
    }

    /// Like [`Diagnosis::visit_strings_mut`], reading only.
    pub fn visit_strings(&self, f: &mut dyn FnMut(&String, bool)) {
        let mut by_origin = |s: &String, origin: Origin| f(s, origin != Origin::Catalog);
        each_string!(self, by_origin, strings);
    }

    /// Calls `f` on every string copied from the input as it was, not through the `show` of
    /// [`crate::engine::Engine::diagnose_shown`] (the task's own fields, locations, probe
    /// text, warnings): what redaction has left to do once the engine has made a diagnosis.
    pub fn visit_unshown_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        let mut unshown = |s: &mut String, origin: Origin| {
            if origin == Origin::Input {
                f(s);
            }
        };
        each_string!(self, unshown, strings_mut, mut);
    }

    /// This diagnosis with every control character that came from the input made visible
    /// (`\x1b`), so printing it cannot move the cursor, change colours or rewrite the screen.
    /// Copied only when something needs escaping, which is rare.
    pub fn for_display(&self) -> std::borrow::Cow<'_, Diagnosis> {
        let mut safe = true;
        self.visit_strings(&mut |s, raw| safe = safe && !needs_escape(s, raw));
        if safe {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut copy = self.clone();
        copy.visit_strings_mut(&mut |s, raw| {
            if needs_escape(s, raw) {
                *s = make_visible(s, raw);
            }
        });
        std::borrow::Cow::Owned(copy)
    }
}

fn needs_escape(s: &str, raw: bool) -> bool {
    // Printable ASCII, the common case, needs no look at each character: eight bytes at a time,
    // a word is flagged when a byte may be below 0x20 or at or above 0x7f (tabs, line breaks
    // and other scripts included), and only a flagged word is read byte by byte. It reads every
    // string of every diagnosis shown.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = s.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let flagged = (x.wrapping_sub(ONES * 0x20) & !x | x.wrapping_add(ONES) | x) & HIGH;
        if flagged != 0 && (at..at + 8).any(|i| unsafe_at(bytes, i, raw)) {
            return true;
        }
        at += 8;
    }
    (at..bytes.len()).any(|i| unsafe_at(bytes, i, raw))
}

/// Whether the character that starts at byte `i` of UTF-8 `bytes` (if one does) is unsafe: the
/// bytes of [`is_unsafe`]'s characters, so that the text need not be decoded.
fn unsafe_at(bytes: &[u8], i: usize, raw: bool) -> bool {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes[i] {
        b'\n' => raw,
        b'\t' => false,
        b => match b {
            0x00..=0x1f | 0x7f => true,
            // U+0080..U+009F, the C1 controls.
            0xc2 => matches!(next(1), 0x80..=0x9f),
            // U+200E, U+200F, U+202A..U+202E and U+2066..U+2069.
            0xe2 => matches!(
                (next(1), next(2)),
                (0x80, 0x8e | 0x8f | 0xaa..=0xae) | (0x81, 0xa6..=0xa9)
            ),
            _ => false,
        },
    }
}

/// Control characters (ANSI escapes among them) and bidirectional overrides. Line breaks are
/// fine in catalog text, not in text from the input.
fn is_unsafe(c: char, raw: bool) -> bool {
    if c == '\n' {
        return raw;
    }
    if c == '\t' {
        return false;
    }
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `text` with unsafe characters written as escapes.
pub fn make_visible(text: &str, raw: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c, raw) {
            let code = u32::from(c);
            if code < 0x100 {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::needs_escape;

    /// The word-at-a-time check finds an unsafe character wherever it sits: inside a full
    /// word, at a word's edge, or in the short tail.
    #[test]
    fn an_unsafe_character_is_found_at_every_position() {
        for len in [1, 7, 8, 9, 16, 31, 32, 33, 64, 95] {
            for at in 0..len {
                for (c, raw_unsafe, catalog_unsafe) in [
                    ('\u{1b}', true, true),
                    ('\n', true, false),
                    ('\r', true, true),
                    ('\u{7f}', true, true),
                    ('\u{1f}', true, true),
                    ('\0', true, true),
                    ('\u{80}', true, true),
                    (' ', false, false),
                    ('~', false, false),
                    ('\u{202e}', true, true),
                    ('\t', false, false),
                    ('é', false, false),
                ] {
                    let mut text: Vec<char> = vec!['a'; len];
                    text[at] = c;
                    let text: String = text.into_iter().collect();
                    assert_eq!(
                        needs_escape(&text, true),
                        raw_unsafe,
                        "{c:?} at {at} of {len}"
                    );
                    assert_eq!(needs_escape(&text, false), catalog_unsafe, "{c:?} at {at}");
                }
            }
        }
        assert!(!needs_escape("", true));
    }

    /// The byte-level check agrees with the character-level definition on every character of
    /// the Basic Multilingual Plane and some beyond, at every offset within a word.
    #[test]
    fn the_byte_check_agrees_with_the_character_check() {
        let chars = (0..0x3000u32)
            .chain([0xfeff, 0xfffd, 0x1_f600, 0x10_ffff])
            .filter_map(char::from_u32);
        for c in chars {
            for pad in 0..9 {
                let text = format!("{}{c}{}", "a".repeat(pad), "é".repeat(pad % 3));
                for raw in [true, false] {
                    let by_char = text.chars().any(|c| super::is_unsafe(c, raw));
                    assert_eq!(
                        needs_escape(&text, raw),
                        by_char,
                        "{c:?} after {pad}, {raw}"
                    );
                }
            }
        }
    }
}
