//! Field accuracy: how often the catalog names the cause of real messages, as people published
//! them, and whether it still does when they are cut short, redacted, wrapped or labelled.
//!
//! A field corpus is a set of YAML files, each a list of entries: a message copied verbatim
//! from a public source, where it sat, the source, and the pattern(s) that name the cause the
//! source reports. `ecs-diagnose catalog accuracy DIR` and `cargo test --test field` score the
//! catalog on it: top-1 (the best finding names the cause) and top-3, overall and per category,
//! the misses, the confirmed fixes a confident finding contradicts, and the four damaged forms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::spec::ExampleSpec;
use super::verify::example_evidence;
use crate::context::Defaults;
use crate::engine::{Engine, MatchCache};
use crate::input::{self, InputFormat, Warnings};
use crate::model::{Evidence, Field};
use crate::report::{Confidence, Diagnosis};

/// Largest corpus file read (the corpus is text written by people; this bounds a mistake).
const MAX_FILE_BYTES: u64 = 16 << 20;

/// One published message.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldEntry {
    /// The message exactly as published (redactions, truncation and line breaks kept).
    pub text: String,
    /// Where it sat: `stopped-reason`, `container-reason`, `service-event`, or `pasted` (as
    /// pasted, field unknown; read like `explain -` reads a paste).
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub stopped_reason: Option<String>,
    #[serde(default)]
    pub stop_code: Option<String>,
    #[serde(default)]
    pub exit_code: Option<i64>,
    #[serde(default)]
    pub container: Option<String>,
    /// Where it was published (URL).
    pub source: String,
    /// Patterns that name the cause the source reports, most likely first; more than one when
    /// the text alone cannot settle it.
    pub expect: Vec<String>,
    /// The source says the fix worked.
    #[serde(default)]
    pub confirmed: bool,
    /// The cause and fix the source reports, in a sentence.
    #[serde(default)]
    pub resolution: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An entry and where it was read.
#[derive(Debug, Clone)]
pub struct LoadedEntry {
    pub file: String,
    /// 1-based position in its file.
    pub index: usize,
    pub entry: FieldEntry,
}

impl LoadedEntry {
    pub fn name(&self) -> String {
        format!("{}#{}", self.file, self.index)
    }
}

/// Reads every `*.yaml` file in `paths` (files or directories), checking each entry against
/// `engine`'s catalog. Every problem is reported at once.
pub fn load(paths: &[PathBuf], engine: &Engine) -> Result<Vec<LoadedEntry>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err("no corpus files (*.yaml) found".into());
    }
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        let name = file.display().to_string();
        match read_file(file) {
            Ok(list) => {
                for (i, entry) in list.into_iter().enumerate() {
                    let loaded = LoadedEntry {
                        file: name.clone(),
                        index: i + 1,
                        entry,
                    };
                    problems.extend(check(&loaded, engine));
                    entries.push(loaded);
                }
            }
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems.join("\n"))
    }
}

fn read_file(path: &Path) -> Result<Vec<FieldEntry>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{size} bytes; a corpus file may hold {MAX_FILE_BYTES}"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_yaml::from_str(&text).map_err(|e| e.to_string())
}

fn check(loaded: &LoadedEntry, engine: &Engine) -> Vec<String> {
    let e = &loaded.entry;
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(format!("{}: {p}", loaded.name()));
    if e.text.trim().is_empty() {
        problem("`text` is empty".into());
    }
    if !e.source.starts_with("https://") && !e.source.starts_with("http://") {
        problem(format!("`source` must be a URL, not `{}`", e.source));
    }
    if e.expect.is_empty() {
        problem("`expect` names no pattern".into());
    }
    for id in &e.expect {
        if engine.catalog().get(id).is_none() {
            problem(format!(
                "`expect` names `{id}`, which is not in the catalog"
            ));
        }
    }
    if let Some(field) = &e.field
        && parse_field(field).is_none()
    {
        problem(format!(
            "`field` is `{field}`; expected stopped-reason, container-reason, service-event or pasted"
        ));
    }
    problems
}

fn parse_field(field: &str) -> Option<Field> {
    match field {
        "stopped-reason" => Some(Field::StoppedReason),
        "container-reason" => Some(Field::ContainerReason),
        "service-event" => Some(Field::ServiceEvent),
        "pasted" => Some(Field::Pasted),
        _ => None,
    }
}

/// What the catalog made of one input: the findings of every diagnosis, best first.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Pattern ids, best first, each with its confidence.
    pub ranked: Vec<(String, Confidence)>,
    /// How many diagnoses the input gave (a paste read as two errors gives two).
    pub diagnoses: usize,
}

impl Outcome {
    pub fn top(&self) -> Option<&str> {
        self.ranked.first().map(|(id, _)| id.as_str())
    }

    fn hit(&self, expect: &[String], k: usize) -> bool {
        self.ranked
            .iter()
            .take(k)
            .any(|(id, _)| expect.iter().any(|e| e == id))
    }
}

/// Diagnoses `entry` as published: a paste is read the way `explain -` reads it; a message
/// from a known field becomes that field of a task.
pub fn evaluate(engine: &Engine, entry: &FieldEntry, cache: &mut MatchCache) -> Outcome {
    let field = entry.field.as_deref().and_then(parse_field);
    let structured = matches!(
        field,
        Some(Field::StoppedReason | Field::ContainerReason | Field::ServiceEvent)
    ) || entry.stop_code.is_some()
        || entry.exit_code.is_some()
        || entry.stopped_reason.is_some();
    if structured {
        // A field's text is one line; what a page shows over several was wrapped by the page.
        let text = if entry.text.contains('\n') {
            crate::input::wrap::unwrap(&entry.text)
        } else {
            entry.text.clone()
        };
        let spec = ExampleSpec {
            text,
            field: field.filter(|f| *f != Field::Pasted),
            stopped_reason: entry.stopped_reason.clone(),
            stop_code: entry.stop_code.clone(),
            exit_code: entry.exit_code,
            container: entry.container.clone(),
            health_status: None,
            captures: BTreeMap::new(),
            source: None,
        };
        outcome(engine, vec![example_evidence(&spec)], cache)
    } else {
        evaluate_paste(engine, &entry.text, cache)
    }
}

/// Diagnoses `text` as a paste into `explain -`.
pub fn evaluate_paste(engine: &Engine, text: &str, cache: &mut MatchCache) -> Outcome {
    let mut evidence = Vec::new();
    let mut sink = |e: Evidence| -> std::io::Result<()> {
        evidence.push(e);
        Ok(())
    };
    let mut warnings = Warnings::default();
    let _ = input::read(text.as_bytes(), InputFormat::Auto, &mut sink, &mut warnings);
    outcome(engine, evidence, cache)
}

/// Position in its diagnosis, then level and confidence (across diagnoses).
type Rank = (
    usize,
    crate::catalog::spec::Level,
    std::cmp::Reverse<Confidence>,
);

fn outcome(engine: &Engine, evidence: Vec<Evidence>, cache: &mut MatchCache) -> Outcome {
    let diagnoses: Vec<Diagnosis> = evidence
        .iter()
        .map(|e| engine.diagnose(e, &Defaults::default(), cache))
        .collect();
    // One list across the diagnoses: each diagnosis keeps the engine's order; between them,
    // the findings of one rank (every diagnosis's best, then every second best...) go by
    // level, then confidence.
    let mut ranked: Vec<(&str, Confidence, Rank)> = Vec::new();
    for d in &diagnoses {
        for (position, f) in d.findings.iter().enumerate() {
            if ranked.iter().any(|(id, ..)| *id == f.pattern) {
                continue;
            }
            ranked.push((
                &f.pattern,
                f.confidence,
                (position, f.level, std::cmp::Reverse(f.confidence)),
            ));
        }
    }
    ranked.sort_by_key(|(_, _, rank)| *rank);
    Outcome {
        ranked: ranked
            .into_iter()
            .map(|(id, confidence, _)| (id.to_string(), confidence))
            .collect(),
        diagnoses: diagnoses.len(),
    }
}

/// The ways a message is damaged between ECS and the person who pastes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Damage {
    /// Cut to three quarters of its length, ending `...` (a console column, a chat preview).
    Cut,
    /// Account ids replaced by what people write instead (`XXXXXXXXXXXX`, `<account>`, ...).
    Redacted,
    /// Hard-wrapped at 80 columns by a terminal.
    Wrapped,
    /// Under the console's `Stopped reason` label line.
    Labelled,
}

impl Damage {
    pub const ALL: [Damage; 4] = [
        Damage::Cut,
        Damage::Redacted,
        Damage::Wrapped,
        Damage::Labelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Damage::Cut => "cut to 75%",
            Damage::Redacted => "accounts redacted",
            Damage::Wrapped => "wrapped at 80 columns",
            Damage::Labelled => "under a console label",
        }
    }

    /// `text` damaged this way; `None` when the damage would not change it (a message with no
    /// account id to redact, or shorter than a terminal line).
    pub fn apply(self, text: &str, variant: usize) -> Option<String> {
        match self {
            Damage::Cut => {
                let chars = text.chars().count();
                let keep = chars * 3 / 4;
                (keep >= 8).then(|| {
                    let cut: String = text.chars().take(keep).collect();
                    format!("{}...", cut.trim_end())
                })
            }
            Damage::Redacted => {
                const TOKENS: [&str; 6] = [
                    "XXXXXXXXXXXX",
                    "xxxxxxxxxxxx",
                    "************",
                    "<account>",
                    "{ACCOUNT_ID}",
                    "<account-id>",
                ];
                let redacted = replace_accounts(text, TOKENS[variant % TOKENS.len()]);
                (redacted != text).then_some(redacted)
            }
            Damage::Wrapped => {
                let wrapped = hard_wrap(text, 80);
                (wrapped != text).then_some(wrapped)
            }
            Damage::Labelled => Some(format!("Stopped reason\n{text}")),
        }
    }
}

/// `text` with every 12-digit account id (a run of exactly 12 digits) replaced by `token`.
fn replace_accounts(text: &str, token: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let after = bytes.get(i + run);
            if run == 12 && !after.is_some_and(u8::is_ascii_alphanumeric) {
                out.push_str(&text[copied..i]);
                out.push_str(token);
                copied = i + run;
            }
            i += run;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Every line longer than `width` characters broken every `width` characters, mid-word as a
/// terminal does.
fn hard_wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width + 1);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        for (i, chunk) in chars.chunks(width).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.extend(chunk);
        }
    }
    out
}

/// The paste a person would make of `entry`: the message, then the stop code and exit code on
/// lines of their own as the console shows them.
fn paste_of(entry: &FieldEntry, text: &str) -> String {
    let mut paste = text.to_string();
    if let Some(code) = &entry.stop_code {
        paste.push_str(&format!("\nStop code: {code}"));
    }
    if let Some(code) = entry.exit_code {
        paste.push_str(&format!("\nExit code: {code}"));
    }
    paste
}

/// Accuracy targets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Targets {
    pub top1: f64,
    pub top3: f64,
    /// For the redacted, wrapped and labelled forms.
    pub robust: f64,
    /// For the form cut to 75%, which loses the deciding words more often than the others.
    pub robust_cut: f64,
}

impl Targets {
    pub fn for_damage(&self, damage: Damage) -> f64 {
        match damage {
            Damage::Cut => self.robust_cut,
            _ => self.robust,
        }
    }
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            top1: 95.0,
            top3: 99.0,
            robust: 95.0,
            robust_cut: 95.0,
        }
    }
}

/// A scored share.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Share {
    pub hits: usize,
    pub total: usize,
}

impl Share {
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.hits as f64 * 100.0 / self.total as f64
        }
    }

    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
    }
}

/// An entry the catalog got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub entry: String,
    pub text: String,
    pub source: String,
    pub expect: Vec<String>,
    pub got: Vec<String>,
    /// For a damaged form: which damage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub damage: Option<Damage>,
}

/// The whole score.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub entries: usize,
    pub sources: usize,
    pub top1: Share,
    pub top3: Share,
    /// Per category of the expected pattern: (top-1, top-3).
    pub categories: BTreeMap<String, (Share, Share)>,
    /// Per tag: top-1.
    pub tags: BTreeMap<String, Share>,
    pub misses: Vec<Miss>,
    /// Entries whose fix the source confirms, where a high-confidence finding names another
    /// cause first.
    pub contradictions: Vec<Miss>,
    /// Per damage: of the entries right when pasted whole, how many stay right.
    pub robustness: BTreeMap<Damage, Share>,
    pub robustness_misses: Vec<Miss>,
    pub targets: Targets,
}

impl Report {
    /// Whether every target is met.
    pub fn passed(&self) -> bool {
        self.top1.percent() >= self.targets.top1
            && self.top3.percent() >= self.targets.top3
            && self.contradictions.is_empty()
            && self
                .robustness
                .iter()
                .all(|(damage, s)| s.percent() >= self.targets.for_damage(*damage))
    }
}

/// Scores `engine` on `entries`.
pub fn score(engine: &Engine, entries: &[LoadedEntry], targets: Targets) -> Report {
    let mut cache = MatchCache::default();
    let mut top1 = Share::default();
    let mut top3 = Share::default();
    let mut categories: BTreeMap<String, (Share, Share)> = BTreeMap::new();
    let mut tags: BTreeMap<String, Share> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut contradictions = Vec::new();
    let mut robustness: BTreeMap<Damage, Share> = BTreeMap::new();
    let mut robustness_misses = Vec::new();
    let mut sources: Vec<&str> = entries.iter().map(|e| e.entry.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();

    for (n, loaded) in entries.iter().enumerate() {
        let entry = &loaded.entry;
        let outcome = evaluate(engine, entry, &mut cache);
        let hit1 = outcome.hit(&entry.expect, 1);
        let hit3 = outcome.hit(&entry.expect, 3);
        top1.add(hit1);
        top3.add(hit3);
        let category = engine
            .catalog()
            .get(&entry.expect[0])
            .map_or_else(|| "unknown".to_string(), |p| p.category.clone());
        let slot = categories.entry(category).or_default();
        slot.0.add(hit1);
        slot.1.add(hit3);
        for tag in &entry.tags {
            tags.entry(tag.clone()).or_default().add(hit1);
        }
        let miss = |damage: Option<Damage>, text: &str, outcome: &Outcome| Miss {
            entry: loaded.name(),
            text: text.to_string(),
            source: entry.source.clone(),
            expect: entry.expect.clone(),
            got: outcome
                .ranked
                .iter()
                .take(3)
                .map(|(id, _)| id.clone())
                .collect(),
            damage,
        };
        if !hit1 {
            misses.push(miss(None, &entry.text, &outcome));
        }
        let confident_other = outcome
            .ranked
            .first()
            .is_some_and(|(id, c)| *c == Confidence::High && !entry.expect.contains(id));
        if entry.confirmed && confident_other {
            contradictions.push(miss(None, &entry.text, &outcome));
        }

        // Damage is what happens to a paste: only entries right when pasted whole count.
        let whole = paste_of(entry, &entry.text);
        let pasted = evaluate_paste(engine, &whole, &mut cache);
        if !pasted.hit(&entry.expect, 1) {
            continue;
        }
        for damage in Damage::ALL {
            let Some(damaged) = damage.apply(&entry.text, n) else {
                continue;
            };
            let damaged = paste_of(entry, &damaged);
            let outcome = evaluate_paste(engine, &damaged, &mut cache);
            // Read as more errors than the whole paste is a loss even if one of them is right.
            let kept = outcome.hit(&entry.expect, 1) && outcome.diagnoses <= pasted.diagnoses;
            robustness.entry(damage).or_default().add(kept);
            if !kept {
                robustness_misses.push(miss(Some(damage), &damaged, &outcome));
            }
        }
    }
    Report {
        entries: entries.len(),
        sources: sources.len(),
        top1,
        top3,
        categories,
        tags,
        misses,
        contradictions,
        robustness,
        robustness_misses,
        targets,
    }
}

/// The report for people.
pub fn write_text(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let pct = |s: Share| format!("{:5.1}% ({}/{})", s.percent(), s.hits, s.total);
    writeln!(
        out,
        "field accuracy: {} entries from {} sources",
        report.entries, report.sources
    )?;
    writeln!(
        out,
        "  top-1 {}   target {}%",
        pct(report.top1),
        report.targets.top1
    )?;
    writeln!(
        out,
        "  top-3 {}   target {}%",
        pct(report.top3),
        report.targets.top3
    )?;
    writeln!(out, "\nby category (of the expected cause):")?;
    for (category, (one, three)) in &report.categories {
        writeln!(
            out,
            "  {category:16} top-1 {}  top-3 {}",
            pct(*one),
            pct(*three)
        )?;
    }
    writeln!(out, "\nby tag (top-1):")?;
    for (tag, share) in &report.tags {
        writeln!(out, "  {tag:16} {}", pct(*share))?;
    }
    writeln!(
        out,
        "\nrobustness (entries right when pasted whole that stay right):"
    )?;
    for (damage, share) in &report.robustness {
        writeln!(
            out,
            "  {:24} {}   target {}%",
            damage.as_str(),
            pct(*share),
            report.targets.for_damage(*damage)
        )?;
    }
    list(out, "misses (top-1)", &report.misses)?;
    list(
        out,
        "contradictions (a confident finding against a confirmed fix)",
        &report.contradictions,
    )?;
    list(out, "lost when damaged", &report.robustness_misses)?;
    writeln!(
        out,
        "\n{}",
        if report.passed() {
            "every target met"
        } else {
            "BELOW TARGET"
        }
    )
}

fn list(out: &mut dyn std::io::Write, title: &str, misses: &[Miss]) -> std::io::Result<()> {
    if misses.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title} ({}):", misses.len())?;
    for m in misses {
        let damage = m
            .damage
            .map_or(String::new(), |d| format!(" [{}]", d.as_str()));
        writeln!(out, "  {}{damage}", m.entry)?;
        writeln!(out, "    text:   {}", one_line(&m.text, 240))?;
        writeln!(out, "    expect: {}", m.expect.join(", "))?;
        let got = if m.got.is_empty() {
            "nothing recognised".to_string()
        } else {
            m.got.join(", ")
        };
        writeln!(out, "    got:    {got}")?;
        writeln!(out, "    source: {}", m.source)?;
    }
    Ok(())
}

/// `text` on one line, at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_forms() {
        let text = "CannotPullContainerError: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1 not found";
        assert_eq!(
            Damage::Redacted.apply(text, 0).unwrap(),
            "CannotPullContainerError: XXXXXXXXXXXX.dkr.ecr.us-east-1.amazonaws.com/web:1 not found"
        );
        assert_eq!(Damage::Redacted.apply("no account 1234567890123", 0), None);
        let cut = Damage::Cut.apply(text, 0).unwrap();
        assert!(cut.ends_with("...") && cut.len() < text.len(), "{cut}");
        let wrapped = Damage::Wrapped.apply(text, 0).unwrap();
        assert_eq!(wrapped.lines().next().unwrap().chars().count(), 80);
        assert_eq!(wrapped.replace('\n', ""), text);
        assert_eq!(Damage::Wrapped.apply("short", 0), None);
        assert_eq!(Damage::Labelled.apply("x", 0).unwrap(), "Stopped reason\nx");
    }
}
