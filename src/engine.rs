//! The matcher: evidence in, diagnosis out.
//!
//! A prefilter scans each message once for the literals every rule requires (one Aho-Corasick
//! automaton over all of them, see `catalog::literals`); only rules whose required literals all
//! occur run their own regex, which is compiled on first use and kept. Compiling every regex up
//! front would cost tens of milliseconds per run, more than the whole diagnosis. Matching only
//! asks whether a rule matches; captures are extracted when a finding is rendered.
//!
//! Evidence that differs only in its values (addresses, account and task ids, long numbers) is
//! matched once per [`MatchCache`]: the cache is keyed on the messages with those values
//! replaced by look-alikes of the same shape (see `mask::shape_key`), so a rule that tells a
//! private address from a public one still decides the same way. A hit is checked against the
//! actual messages before it is used.

mod unrecognised;

use std::collections::HashMap;
use std::sync::Arc;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::AhoCorasick;

use crate::arn::cluster_name;
use crate::catalog::pattern::{Pattern, Rule};
use crate::catalog::spec::{Level, Severity};
use crate::catalog::{Catalog, CatalogErrors};
use crate::context::{Defaults, Location, ShowValue, Variables, show_as_is};
use crate::model::{Evidence, Field};
use crate::normalize::{Normalized, is_cut, normalize_tracked};
use crate::report::{
    Confidence, Diagnosis, DocLink, Finding, MatchedEvidence, RenderedCandidate, RenderedCommand,
    Status, TaskSummary,
};

/// Messages longer than this are matched on their first part only (ECS itself caps reasons at
/// 1,024 characters, so anything longer is not an ECS reason verbatim).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Entries kept by a [`MatchCache`] before it starts over, to bound memory.
const CACHE_CAPACITY: usize = 4096;
/// Messages kept with their captures. Fewer: a word-for-word repeat is a hot message (one
/// deployment failing over and over), and each entry holds the message and its values.
const CAPTURED_CAPACITY: usize = 1024;

/// A compiled catalog, ready to diagnose.
#[derive(Debug)]
pub struct Engine {
    catalog: Catalog,
    /// Every required literal of every rule, lower-case.
    literals: Vec<String>,
    /// The same literals as one automaton, built once a run has scanned enough distinct
    /// messages to repay its construction (a few milliseconds).
    automaton: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicUsize,
    /// For each literal: the (regex rule, clause) pairs it satisfies.
    literal_clauses: Vec<Vec<(usize, u8)>>,
    /// Rules with a regex: (pattern index, rule index, number of clauses).
    regex_rules: Vec<(usize, usize, u32)>,
    /// Regex rules that require no literal: a candidate for every message.
    literal_free: Vec<usize>,
    /// Rules decided by stopCode / exit code / container name alone.
    condition_rules: Vec<(usize, usize)>,
    /// Rules with a container-name condition.
    container_rules: Vec<(usize, usize)>,
    variable_names: OnceLock<Vec<Vec<String>>>,
    /// Whether the match cache keys messages by their shape (values masked). Only for the
    /// built-in catalog, whose rules read values through classes (`mask::shape_key`; the
    /// catalog tests check it on a twin of every example): a user's rule may be decided by one
    /// address or id, and a cached "no match" is not re-checked. Otherwise, by the exact text.
    masks_values: bool,
}

/// A message as the matcher reads it.
#[derive(Debug, Clone)]
struct Read<'e> {
    message: crate::model::Message<'e>,
    /// The normalised text, and what its redaction tokens stood for (captures keep the
    /// input's spelling).
    normalized: Normalized,
    /// The message was cut short (it ended in `...`, or at a length ECS cuts at).
    cut: bool,
}

impl Read<'_> {
    fn text(&self) -> &str {
        &self.normalized.text
    }
}

/// How a rule matched what is left of a cut message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Partial {
    /// Bytes of the message the rule's beginning covered.
    covered: usize,
    /// Bytes of a required literal the rule needs after the cut (what it assumes was there).
    assumed: usize,
}

/// Shortest part of a cut message that a partial match must cover.
const MIN_PARTIAL: usize = 12;

/// Which regex rules a message may satisfy.
#[derive(Debug, Default)]
struct Candidates {
    /// Every required literal occurs: the regex decides.
    full: Vec<usize>,
    /// One clause of required literals is missing, and the message (cut short) ends in the
    /// beginning of one of its literals: the rest of the message may have held it.
    near: Vec<usize>,
}

/// One rule that matched, before captures are extracted and templates rendered (what the
/// cache keeps: it holds for every message of the same shape).
#[derive(Debug, Clone)]
struct RuleMatch {
    /// Only the beginning of the rule matched a message cut short.
    partial: Option<Partial>,
    pattern: usize,
    /// Index of the message in `Evidence::messages()` order, if a regex matched one.
    message: Option<usize>,
    container: Option<usize>,
    /// The rule, to extract captures and describe its conditions for the task at hand (the
    /// match may be reused for another task with other values and container names).
    rule: usize,
}

/// The best pattern of a task, without the rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The best pattern's id; `None` when nothing matched.
    pub pattern: Option<String>,
    pub status: Status,
    /// For unrecognised evidence: its first normalised message.
    pub unrecognised_text: Option<String>,
    /// The values the best pattern's text is filled in with for this task (by name, sorted),
    /// so a summary can tell when one rendering does not fit all of a group's tasks.
    pub values: Vec<(String, String)>,
}

/// How much of each finding a diagnosis renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every finding in full.
    Full,
    /// The best finding in full; the others named, with their confidence and why, and nothing
    /// filled in (no captures, texts, commands or evidence): what a report that shows only the
    /// best finding in full reads of them. Capturing and filling in are most of a finding's cost.
    Primary,
}

/// Remembers matches of identical evidence. One per thread.
#[derive(Debug)]
pub struct MatchCache {
    /// Matches by the evidence's shape (see `Engine::cache_key`), kept as a 128-bit hash (the
    /// shapes are long, and thousands are kept per thread), each with whether it holds every
    /// match (`false`: the best pattern's only, see `Engine::best_matches`).
    matches: Generations<(Arc<Vec<RuleMatch>>, bool), u128>,
    keys: KeyHasher,
    hits: u64,
    /// Captures by the message as given: a message repeated word for word (the same reason
    /// in many tasks) runs the slower capture engines once.
    captured: Generations<Vec<(CaptureKey, Arc<Extracted>)>>,
    /// Container name -> which container-name conditions it meets: names come from task
    /// definitions and repeat across tasks, and there are dozens of such conditions.
    container_classes: Generations<String>,
}

impl Default for MatchCache {
    fn default() -> Self {
        MatchCache {
            matches: Generations::new(CACHE_CAPACITY),
            keys: KeyHasher::default(),
            hits: 0,
            captured: Generations::new(CAPTURED_CAPACITY),
            container_classes: Generations::new(CACHE_CAPACITY),
        }
    }
}

/// Which rule's captures: (pattern, rule, partial match).
type CaptureKey = (usize, usize, bool);

/// A map bounded by forgetting in bulk: when the current generation is full it becomes the
/// old one, and an entry found there moves back, so entries in use survive (a cheap
/// approximation of least-recently-used).
#[derive(Debug)]
struct Generations<V, K = String> {
    current: HashMap<K, V, foldhash::fast::RandomState>,
    old: HashMap<K, V, foldhash::fast::RandomState>,
    capacity: usize,
}

impl<V, K: std::hash::Hash + Eq> Generations<V, K> {
    fn new(capacity: usize) -> Self {
        Generations {
            current: HashMap::default(),
            old: HashMap::default(),
            capacity,
        }
    }

    fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !self.current.contains_key(key) {
            let value = self.old.remove(key)?;
            self.insert(key.to_owned(), value);
        }
        self.current.get_mut(key)
    }

    fn insert(&mut self, key: K, value: V) -> &mut V {
        if self.current.len() >= self.capacity {
            self.old = std::mem::take(&mut self.current);
        }
        self.current.entry(key).insert_entry(value).into_mut()
    }
}

/// Appends `n` in decimal, or `~` for none (a cache key's field: what matters is that
/// different values differ).
fn push_number(key: &mut String, n: Option<i64>) {
    let Some(n) = n else {
        key.push('~');
        return;
    };
    if n < 0 {
        key.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    key.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Two independently seeded hashes, for 128-bit keys.
#[derive(Debug, Default)]
struct KeyHasher([foldhash::quality::RandomState; 2]);

impl KeyHasher {
    fn hash128(&self, text: &str) -> u128 {
        use std::hash::BuildHasher;
        let [high, low] = &self.0;
        (u128::from(high.hash_one(text)) << 64) | u128::from(low.hash_one(text))
    }
}

impl MatchCache {
    /// How many diagnoses reused an earlier match.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    fn captured(&mut self, message: &str, key: CaptureKey) -> Option<Arc<Extracted>> {
        let list = self.captured.get_mut(message)?;
        list.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| Arc::clone(e))
    }

    fn remember_captures(&mut self, message: &str, key: CaptureKey, extracted: Arc<Extracted>) {
        match self.captured.get_mut(message) {
            Some(list) => list.push((key, extracted)),
            None => {
                self.captured
                    .insert(message.to_string(), vec![(key, extracted)]);
            }
        }
    }
}

impl Engine {
    /// Builds the prefilter for `catalog`.
    pub fn new(catalog: Catalog) -> Result<Engine, CatalogErrors> {
        let mut literals: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut literal_clauses: Vec<Vec<(usize, u8)>> = Vec::new();
        let mut regex_rules = Vec::new();
        let mut condition_rules = Vec::new();
        let mut container_rules = Vec::new();
        for (p, pattern) in catalog.patterns().iter().enumerate() {
            for (r, rule) in pattern.rules.iter().enumerate() {
                if rule.container.is_some() {
                    container_rules.push((p, r));
                }
                if rule.regex.is_none() {
                    condition_rules.push((p, r));
                    continue;
                }
                let slot = regex_rules.len();
                // At most 8 clauses fit the per-rule bit mask; more would only add selectivity.
                let clauses = &rule.prefilter[..rule.prefilter.len().min(8)];
                regex_rules.push((p, r, clauses.len() as u32));
                for (c, clause) in clauses.iter().enumerate() {
                    for literal in clause {
                        let id = *index.entry(literal.clone()).or_insert_with(|| {
                            literals.push(literal.clone());
                            literal_clauses.push(Vec::new());
                            literals.len() - 1
                        });
                        literal_clauses[id].push((slot, c as u8));
                    }
                }
            }
        }
        let masks_values = catalog.patterns().iter().all(|p| p.origin.builtin);
        let literal_free = (regex_rules.iter().enumerate())
            .filter(|(_, (_, _, clauses))| *clauses == 0)
            .map(|(slot, _)| slot)
            .collect();
        Ok(Engine {
            catalog,
            literals,
            automaton: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            literal_clauses,
            regex_rules,
            literal_free,
            condition_rules,
            container_rules,
            variable_names: OnceLock::new(),
            masks_values,
        })
    }

    /// The regex rules (indexes into `regex_rules`) whose required literals all occur in `text`
    /// and, for a message cut short, those missing one clause the cut may have taken.
    fn candidates(&self, text: &[u8], cut: bool) -> Candidates {
        let mut satisfied = vec![0u8; self.regex_rules.len()];
        // The rules some literal was found for: most messages touch a few dozen of hundreds.
        let mut touched: Vec<usize> = Vec::new();
        let mut mark = |literal: usize| {
            for &(slot, clause) in &self.literal_clauses[literal] {
                if satisfied[slot] == 0 {
                    touched.push(slot);
                }
                satisfied[slot] |= 1 << clause;
            }
        };
        match self.automaton() {
            Some(automaton) => {
                for found in automaton.find_overlapping_iter(text) {
                    mark(found.pattern().as_usize());
                }
            }
            None => {
                let lower = text.to_ascii_lowercase();
                for (id, literal) in self.literals.iter().enumerate() {
                    if contains(&lower, literal.as_bytes()) {
                        mark(id);
                    }
                }
            }
        }
        let mut found = Candidates {
            full: self.literal_free.clone(),
            near: Vec::new(),
        };
        found.full.extend(
            touched
                .iter()
                .copied()
                .filter(|&slot| satisfied[slot].count_ones() == self.regex_rules[slot].2),
        );
        found.full.sort_unstable();
        if cut {
            // A rule of one clause that no literal touched may still have lost it to the cut.
            for (slot, &(p, r, clauses)) in self.regex_rules.iter().enumerate() {
                let have = satisfied[slot].count_ones();
                if clauses == 0 || have + 1 != clauses {
                    continue;
                }
                let rule = &self.catalog.patterns()[p].rules[r];
                let missing = (0..clauses as usize).find(|&c| satisfied[slot] & (1 << c) == 0);
                let at_cut = missing.is_some_and(|c| {
                    rule.prefilter[c]
                        .iter()
                        .any(|literal| ends_with_start_of(text, literal.as_bytes()))
                });
                if at_cut {
                    found.near.push(slot);
                }
            }
        }
        found
    }

    /// What makes two pieces of evidence match alike: the normalised messages, the stop code,
    /// and per container its exit code, health status and which container-name conditions its
    /// name meets (not the name itself, so tasks of different services share matches).
    fn cache_key(
        &self,
        evidence: &Evidence,
        messages: &[Read<'_>],
        cache: &mut MatchCache,
    ) -> String {
        let text_bytes: usize = messages.iter().map(|read| read.text().len() + 16).sum();
        let mut key = String::with_capacity(text_bytes + 32 * evidence.containers.len() + 32);
        key.push_str(evidence.stop_code.as_deref().unwrap_or(""));
        for read in messages {
            key.push('\u{1}');
            key.push_str(read.message.field.as_str());
            key.push(':');
            push_number(&mut key, read.message.container.map(|c| c as i64));
            key.push(if read.cut { '+' } else { '-' });
            if self.masks_values {
                crate::mask::shape_key(read.text(), &mut key);
            } else {
                key.push_str(read.text());
            }
        }
        for c in &evidence.containers {
            let class = match cache.container_classes.get_mut(&c.name) {
                Some(class) => class,
                None => {
                    let class = self.container_class(&c.name);
                    cache.container_classes.insert(c.name.clone(), class)
                }
            };
            key.push('\u{2}');
            key.push_str(class);
            key.push(':');
            push_number(&mut key, c.exit_code);
            key.push(':');
            match c.health_status.as_deref() {
                None => key.push('~'),
                // Control characters separate the key's fields: a status holding one is
                // written escaped, so no two containers write the same key.
                Some(status) if status.chars().any(char::is_control) => {
                    key.push_str(&format!("{status:?}"));
                }
                Some(status) => {
                    key.push('=');
                    key.push_str(status);
                }
            }
        }
        key
    }

    /// Which container-name conditions of the catalog `name` meets, as bits; the name itself
    /// when there are more such conditions than bits.
    fn container_class(&self, name: &str) -> String {
        let patterns = self.catalog.patterns();
        if self.container_rules.len() > 64 {
            return name.to_string();
        }
        let mut bits = 0u64;
        for (i, &(p, r)) in self.container_rules.iter().enumerate() {
            let matches = patterns[p].rules[r]
                .container
                .as_ref()
                .and_then(|re| re.get())
                .is_some_and(|re| re.is_match(name));
            if matches {
                bits |= 1 << i;
            }
        }
        format!("{bits:x}")
    }

    /// The automaton, once enough messages were scanned; before that, `None` (scan directly).
    fn automaton(&self) -> Option<&AhoCorasick> {
        const BUILD_AFTER: usize = 64;
        if let Some(built) = self.automaton.get() {
            return built.as_ref();
        }
        if self.scanned.fetch_add(1, Ordering::Relaxed) < BUILD_AFTER {
            return None;
        }
        self.automaton
            .get_or_init(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&self.literals)
                    .ok()
            })
            .as_ref()
    }

    /// Per pattern, the variables its text uses (see `context::variable_names`).
    fn variable_names(&self) -> &[Vec<String>] {
        self.variable_names.get_or_init(|| {
            self.catalog
                .patterns()
                .iter()
                .map(crate::context::variable_names)
                .collect()
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Normalises the messages and finds the matching rules (from the cache when the same
    /// evidence was seen before). With `best_only`, only the best pattern's matches are sure
    /// to hold for this evidence (what a classification reads): a cached match of a lesser
    /// pattern that a value undid cannot change which pattern is best.
    fn matched<'e>(
        &self,
        evidence: &'e Evidence,
        cache: &mut MatchCache,
        warnings: &mut Vec<String>,
        best_only: bool,
        recheck: Recheck,
    ) -> (Vec<Read<'e>>, Arc<Vec<RuleMatch>>, bool) {
        let normalized: Vec<Read<'_>> = evidence
            .messages()
            .map(|m| {
                let text = if m.text.len() > MAX_MESSAGE_BYTES {
                    let cut = floor_char_boundary(m.text, MAX_MESSAGE_BYTES);
                    warnings.push(format!(
                        "the {} is {} bytes long; only its first {} bytes were matched",
                        describe_field(m.field),
                        m.text.len(),
                        cut
                    ));
                    &m.text[..cut]
                } else {
                    m.text
                };
                Read {
                    cut: is_cut(text),
                    normalized: normalize_tracked(text),
                    message: m,
                }
            })
            .collect();
        let shape = self.cache_key(evidence, &normalized, cache);
        let key = cache.keys.hash128(&shape);
        let cached = match recheck {
            Recheck::Fresh => None,
            _ => cache
                .matches
                .get_mut(&key)
                .map(|(found, complete)| (Arc::clone(found), *complete)),
        };
        // A cached match holds if its regex matches still hold for this message; with
        // `ByCaptures`, the best rule's are left to the caller's captures (`deferred`).
        let verified = cached.and_then(|(found, complete)| {
            if !(complete || best_only) {
                return None;
            }
            let best = best_only.then(|| self.best_pattern(&found)).flatten();
            let deferred = match (recheck, best) {
                (Recheck::ByCaptures, Some(p)) => self.captured_rule(&found, p),
                _ => None,
            };
            self.still_matches(&found, &normalized, best, deferred)
                .then_some((found, deferred.is_some()))
        });
        let (matches, deferred) = match verified {
            Some(hit) => {
                cache.hits += 1;
                hit
            }
            None => {
                let found = if best_only {
                    Arc::new(self.best_matches(evidence, &normalized))
                } else {
                    Arc::new(self.match_rules(evidence, &normalized))
                };
                cache.matches.insert(key, (Arc::clone(&found), !best_only));
                (found, false)
            }
        };
        (normalized, matches, deferred)
    }

    /// The index in `matches` of the match of pattern `p` whose captures a classification
    /// takes (see `needs_captures`), when those captures can stand in for its re-check.
    fn captured_rule(&self, matches: &[RuleMatch], p: usize) -> Option<usize> {
        let i = matches.iter().position(|m| m.pattern == p)?;
        let m = &matches[i];
        (m.message.is_some() && m.partial.is_none() && self.needs_captures(p, m.rule)).then_some(i)
    }

    /// Whether pattern `p`'s text uses any capture of its rule `r`: the capture engines are the
    /// slow part of matching, skipped when nothing reads what they find.
    fn needs_captures(&self, p: usize, r: usize) -> bool {
        let names = &self.variable_names()[p];
        self.catalog.patterns()[p].rules[r]
            .capture_names
            .iter()
            .any(|c| names.contains(c))
    }

    /// Whether every regex match of a cached entry (made for a message of the same shape), or
    /// every one of `pattern`, holds for these messages too: a cheap guard against a value
    /// that decided a match.
    fn still_matches(
        &self,
        matches: &[RuleMatch],
        messages: &[Read<'_>],
        pattern: Option<usize>,
        captured: Option<usize>,
    ) -> bool {
        let patterns = self.catalog.patterns();
        matches.iter().enumerate().all(|(i, m)| {
            let Some(index) = m.message else {
                return true;
            };
            if pattern.is_some_and(|p| p != m.pattern) {
                return true;
            }
            let rule = &patterns[m.pattern].rules[m.rule];
            let text = messages[index].text();
            let regex = rule.regex.as_ref();
            let holds = if captured == Some(i) {
                true
            } else if m.partial.is_some() {
                regex.is_some_and(|r| partial_match(r, text).is_some())
            } else {
                regex
                    .and_then(|r| r.get())
                    .is_some_and(|r| r.is_match(text))
            };
            holds
                && !rule
                    .unless
                    .as_ref()
                    .and_then(|u| u.get())
                    .is_some_and(|u| u.is_match(text))
        })
    }

    /// The best-ranked pattern among `matches`.
    fn best_pattern(&self, matches: &[RuleMatch]) -> Option<usize> {
        let patterns = self.catalog.patterns();
        best_per_pattern(matches)
            .into_iter()
            .min_by(|a, b| rank(&patterns[a.0], a.1).cmp(&rank(&patterns[b.0], b.1)))
            .map(|(p, _)| p)
    }

    /// The best pattern for `evidence` and its status, without rendering anything: what a
    /// summary of many tasks needs for each task (it renders one diagnosis per cause).
    pub fn classify(&self, evidence: &Evidence, cache: &mut MatchCache) -> Classification {
        self.classify_with(evidence, cache, Recheck::ByCaptures)
    }

    fn classify_with(
        &self,
        evidence: &Evidence,
        cache: &mut MatchCache,
        recheck: Recheck,
    ) -> Classification {
        let mut warnings = Vec::new();
        let (normalized, matches, deferred) =
            self.matched(evidence, cache, &mut warnings, true, recheck);
        let patterns = self.catalog.patterns();
        let best = self.best_pattern(&matches);
        // The best pattern's first match: the rule whose values the summary keeps.
        let first = best.and_then(|p| matches.iter().find(|m| m.pattern == p));
        // Its captures, when the pattern's text uses them.
        let captured = first.and_then(|m| {
            self.needs_captures(m.pattern, m.rule)
                .then(|| captures_of(&patterns[m.pattern], m, &normalized, cache))
        });
        if deferred && captured.as_ref().is_none_or(|c| c.1.is_none()) {
            // A cached match, taken on the word of its captures, and they found no match: a
            // value of this message decided it. Match it afresh.
            return self.classify_with(evidence, cache, Recheck::Fresh);
        }
        match best {
            Some(p) => Classification {
                values: first
                    .map(|m| {
                        let text = m.message.map_or("", |i| normalized[i].text());
                        let names = &self.variable_names()[p];
                        let location = Location::of_task(evidence, &Defaults::default());
                        Variables::build_selected(
                            evidence,
                            &location,
                            captured.as_deref().map_or(&[][..], |c| &c.0),
                            m.container,
                            text,
                            names,
                        )
                    })
                    .unwrap_or_default(),
                pattern: Some(patterns[p].id.clone()),
                status: if patterns[p].severity == Severity::Benign {
                    Status::Benign
                } else {
                    Status::Failure
                },
                unrecognised_text: None,
            },
            None => Classification {
                values: Vec::new(),
                pattern: None,
                status: Status::Unrecognised,
                unrecognised_text: Some(
                    normalized
                        .into_iter()
                        .map(|read| read.normalized.text)
                        .find(|t| !t.is_empty())
                        .unwrap_or_default(),
                ),
            },
        }
    }

    /// Diagnoses one task or pasted error.
    pub fn diagnose(
        &self,
        evidence: &Evidence,
        defaults: &Defaults,
        cache: &mut MatchCache,
    ) -> Diagnosis {
        self.diagnose_shown(evidence, defaults, cache, &mut show_as_is, Detail::Full)
    }

    /// Diagnoses with the input's values as `show` lets them appear in the findings' text
    /// (matching always sees them as they are).
    pub fn diagnose_shown(
        &self,
        evidence: &Evidence,
        defaults: &Defaults,
        cache: &mut MatchCache,
        show: &mut ShowValue<'_>,
        detail: Detail,
    ) -> Diagnosis {
        let mut warnings = Vec::new();
        let (normalized, matches, _) =
            self.matched(evidence, cache, &mut warnings, false, Recheck::Regex);

        let location = Location::of_task(evidence, defaults);
        let patterns = self.catalog.patterns();
        let findings: Vec<Finding> = self
            .finding_order(&matches)
            .into_iter()
            .enumerate()
            .map(|(i, (p, found))| match detail {
                Detail::Primary if i > 0 => named_finding(&patterns[p], &found),
                _ => render_finding(
                    &patterns[p],
                    evidence,
                    &normalized,
                    &found,
                    &location,
                    cache,
                    show,
                ),
            })
            .collect();
        let status = match findings.first() {
            None => Status::Unrecognised,
            Some(f) if f.severity == Severity::Benign => Status::Benign,
            Some(_) => Status::Failure,
        };
        let unrecognised = (status == Status::Unrecognised).then(|| {
            let messages: Vec<(Field, String)> = normalized
                .iter()
                .map(|read| {
                    (
                        read.message.field,
                        show(None, read.text()).unwrap_or_default(),
                    )
                })
                .collect();
            unrecognised::describe(evidence, messages, show)
        });
        Diagnosis {
            source: evidence.source.clone(),
            task: summarize(evidence),
            status,
            findings: findings.into(),
            unrecognised,
            warnings,
        }
    }

    fn match_rules(&self, evidence: &Evidence, messages: &[Read<'_>]) -> Vec<RuleMatch> {
        let candidates: Vec<Candidates> = messages
            .iter()
            .map(|read| self.candidates(read.text().as_bytes(), read.cut))
            .collect();
        self.collect_matches(evidence, messages, &candidates, None, &[])
    }

    /// The matches among each message's `candidates` and the condition rules, in that order;
    /// with `only`, of that pattern alone.
    fn collect_matches(
        &self,
        evidence: &Evidence,
        messages: &[Read<'_>],
        candidates: &[Candidates],
        only: Option<usize>,
        tried: &[Tried],
    ) -> Vec<RuleMatch> {
        let patterns = self.catalog.patterns();
        let wanted = |p: usize| only.is_none_or(|only| only == p);
        let mut found = Vec::new();
        for (index, (read, candidates)) in messages.iter().zip(candidates).enumerate() {
            let lower = if read.cut {
                read.text().to_ascii_lowercase()
            } else {
                String::new()
            };
            let tries = candidates
                .full
                .iter()
                .map(|&slot| (slot, false))
                .chain(candidates.near.iter().map(|&slot| (slot, true)))
                .filter(|&(slot, _)| wanted(self.regex_rules[slot].0));
            for (slot, near) in tries {
                let earlier = tried
                    .iter()
                    .find(|t| !near && t.message == index && t.slot == slot);
                found.extend(match earlier {
                    Some(t) => t.found.clone(),
                    None => self.try_regex_rule(evidence, index, read, &lower, slot, near),
                });
            }
        }
        for &(p, r) in self.condition_rules.iter().filter(|&&(p, _)| wanted(p)) {
            if let Some((container, _)) = conditions_hold(&patterns[p].rules[r], evidence, None) {
                found.push(RuleMatch {
                    partial: None,
                    pattern: p,
                    message: None,
                    container,
                    rule: r,
                });
            }
        }
        found
    }

    /// The matches of the best pattern only, as `match_rules` lists them: candidate rules are
    /// tried best pattern first, and the first that matches ends the search. What a summary
    /// of many tasks needs; a message cut short is matched in full (a rule's partial match
    /// ranks by how much of the message it covers, not by the pattern alone).
    fn best_matches(&self, evidence: &Evidence, messages: &[Read<'_>]) -> Vec<RuleMatch> {
        if messages.iter().any(|read| read.cut) {
            return self.match_rules(evidence, messages);
        }
        let patterns = self.catalog.patterns();
        let static_rank = |p: usize| rank(&patterns[p], None);
        let mut best: Option<usize> = None;
        for &(p, r) in &self.condition_rules {
            if best.is_none_or(|b| static_rank(p) < static_rank(b))
                && conditions_hold(&patterns[p].rules[r], evidence, None).is_some()
            {
                best = Some(p);
            }
        }
        let candidates: Vec<Candidates> = messages
            .iter()
            .map(|read| self.candidates(read.text().as_bytes(), false))
            .collect();
        let mut tries: Vec<(usize, usize)> = candidates
            .iter()
            .enumerate()
            .flat_map(|(index, c)| c.full.iter().map(move |&slot| (index, slot)))
            .collect();
        tries.sort_by_key(|&(_, slot)| static_rank(self.regex_rules[slot].0));
        let mut tried = Vec::new();
        for (index, slot) in tries {
            let p = self.regex_rules[slot].0;
            if best.is_some_and(|b| static_rank(b) <= static_rank(p)) {
                break;
            }
            let found = self.try_regex_rule(evidence, index, &messages[index], "", slot, false);
            if found.is_some() {
                best = Some(p);
            }
            tried.push(Tried {
                message: index,
                slot,
                found,
            });
        }
        match best {
            Some(best) => self.collect_matches(evidence, messages, &candidates, Some(best), &tried),
            None => Vec::new(),
        }
    }

    /// Whether regex rule `slot` matches message `index` (`lower`: the message in lower case,
    /// for a message cut short; `near`: the cut may have taken one of its literals).
    fn try_regex_rule(
        &self,
        evidence: &Evidence,
        index: usize,
        read: &Read<'_>,
        lower: &str,
        slot: usize,
        near: bool,
    ) -> Option<RuleMatch> {
        let (p, r, _) = self.regex_rules[slot];
        let rule = &self.catalog.patterns()[p].rules[r];
        let (message, text) = (&read.message, read.text());
        if !rule.reads(message.field) {
            return None;
        }
        let lazy = rule.regex.as_ref()?;
        let regex = lazy.get()?;
        // A cut message may have lost what would have completed the match, when it still
        // holds every literal the rule needs but the one the cut went through.
        let partial = if !near && regex.is_match(text) {
            None
        } else if read.cut
            && let Some(left) = partial_match(lazy, text)
            && let Some(assumed) = assumed_after_cut(lazy, lower)
        {
            Some(Partial {
                covered: left.len(),
                assumed,
            })
        } else {
            return None;
        };
        if rule
            .unless
            .as_ref()
            .and_then(|u| u.get())
            .is_some_and(|u| u.is_match(text))
        {
            return None;
        }
        let (container, _) = conditions_hold(rule, evidence, message.container)?;
        Some(RuleMatch {
            partial,
            pattern: p,
            message: Some(index),
            container,
            rule: r,
        })
    }

    /// The patterns `matches` make findings of, best first, each with its matches (the first,
    /// in message order, supplies the captures). Partial matches count only for a pattern
    /// nothing matched in full.
    fn finding_order<'m>(&self, matches: &'m [RuleMatch]) -> Vec<(usize, Vec<&'m RuleMatch>)> {
        let patterns = self.catalog.patterns();
        let best = best_per_pattern(matches);
        let mut order: Vec<(usize, Vec<&RuleMatch>)> = Vec::new();
        for m in matches {
            if best
                .iter()
                .any(|&(p, partial)| p == m.pattern && partial != m.partial)
            {
                continue;
            }
            let at = match order.iter().position(|(p, _)| *p == m.pattern) {
                Some(at) => at,
                None => {
                    order.push((m.pattern, Vec::new()));
                    order.len() - 1
                }
            };
            let list = &mut order[at].1;
            // Two rules of one pattern matching the same message are one piece of evidence.
            if m.message.is_none() || !list.iter().any(|seen| seen.message == m.message) {
                list.push(m);
            }
        }
        let partial = |p: usize| {
            best.iter()
                .find(|(q, _)| *q == p)
                .and_then(|(_, partial)| *partial)
        };
        order.sort_by(|(a, _), (b, _)| {
            rank(&patterns[*a], partial(*a)).cmp(&rank(&patterns[*b], partial(*b)))
        });
        order
    }
}

/// Sort key: specific before family, a full match before a partial one (of a message cut
/// short: the more of it covered, and the less assumed about what was cut, the better), then
/// higher priority, then id.
type Rank<'p> = (
    Level,
    bool,
    std::cmp::Reverse<usize>,
    usize,
    std::cmp::Reverse<i32>,
    &'p str,
);

fn rank(pattern: &Pattern, partial: Option<Partial>) -> Rank<'_> {
    (
        pattern.level,
        partial.is_some(),
        std::cmp::Reverse(partial.map_or(0, |p| p.covered)),
        partial.map_or(0, |p| p.assumed),
        std::cmp::Reverse(pattern.priority),
        pattern.id.as_str(),
    )
}

/// Each matched pattern once: `None` when a rule matched in full, else its best partial
/// match.
fn best_per_pattern(matches: &[RuleMatch]) -> Vec<(usize, Option<Partial>)> {
    let better = |a: Partial, b: Partial| {
        if (std::cmp::Reverse(a.covered), a.assumed) <= (std::cmp::Reverse(b.covered), b.assumed) {
            a
        } else {
            b
        }
    };
    let mut best: Vec<(usize, Option<Partial>)> = Vec::new();
    for m in matches {
        match best.iter_mut().find(|(p, _)| *p == m.pattern) {
            Some(seen) => {
                seen.1 = match (seen.1, m.partial) {
                    (Some(a), Some(b)) => Some(better(a, b)),
                    _ => None,
                }
            }
            None => best.push((m.pattern, m.partial)),
        }
    }
    best
}

/// The part of `text` (cut short) that could begin a match of `regex`, when it is long
/// enough to mean something.
fn partial_match<'t>(regex: &crate::catalog::pattern::LazyRegex, text: &'t str) -> Option<&'t str> {
    regex
        .partial()?
        .find(text)
        .filter(|m| m.len() >= MIN_PARTIAL)
}

/// When `lower` (a cut message, lower-case) holds every literal clause `regex` requires except
/// at most one, whose beginning it ends in: how many bytes of that literal the cut took.
fn assumed_after_cut(regex: &crate::catalog::pattern::LazyRegex, lower: &str) -> Option<usize> {
    let mut missing = regex.required_literals().iter().filter(|clause| {
        !clause
            .iter()
            .any(|literal| memchr::memmem::find(lower.as_bytes(), literal.as_bytes()).is_some())
    });
    match (missing.next(), missing.next()) {
        (None, _) => Some(0),
        (Some(clause), None) => clause
            .iter()
            .filter_map(|literal| {
                let kept = kept_start_of(lower.as_bytes(), literal.as_bytes())?;
                Some(literal.len() - kept)
            })
            .min(),
        _ => None,
    }
}

/// Whether `needle` occurs in `haystack`. A pasted message is short, and building a `memmem`
/// searcher for each of the catalog's literals cost more than looking for each one's first
/// byte; a long text keeps the searcher's linear bound.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    const SHORT: usize = 1024;
    match needle.split_first() {
        None => true,
        Some((&first, rest)) if haystack.len() <= SHORT => {
            memchr::memchr_iter(first, haystack).any(|at| haystack[at + 1..].starts_with(rest))
        }
        Some(_) => memchr::memmem::find(haystack, needle).is_some(),
    }
}

/// How many bytes of the beginning of `literal` (three or more, but not all of it) `text` ends
/// in: a literal the cut went through.
fn kept_start_of(text: &[u8], literal: &[u8]) -> Option<usize> {
    let last = *text.last()?;
    // The text's last byte picks the lengths worth comparing: most lengths fail on it.
    (3..literal.len()).rev().find(|&n| {
        text.len() >= n
            && literal[n - 1].eq_ignore_ascii_case(&last)
            && text[text.len() - n..].eq_ignore_ascii_case(&literal[..n])
    })
}

fn ends_with_start_of(text: &[u8], literal: &[u8]) -> bool {
    kept_start_of(text, literal).is_some()
}

/// Checks the stopCode / exit code / container conditions of `rule`. Returns the container the
/// conditions were met by (or the one the message came from) and what held, in words.
fn conditions_hold(
    rule: &Rule,
    evidence: &Evidence,
    message_container: Option<usize>,
) -> Option<(Option<usize>, Vec<String>)> {
    let mut conditions = Vec::new();
    if !rule.stop_code.is_empty() {
        let code = evidence.stop_code.as_deref()?;
        if !rule.stop_code.iter().any(|c| c.eq_ignore_ascii_case(code)) {
            return None;
        }
        conditions.push(format!("stopCode is {code}"));
    }
    let needs_container =
        !rule.exit_code.is_empty() || rule.container.is_some() || !rule.health_status.is_empty();
    let fits = |i: usize| {
        let c = &evidence.containers[i];
        let exit_ok =
            rule.exit_code.is_empty() || c.exit_code.is_some_and(|e| rule.exit_code.contains(&e));
        let name_ok = rule
            .container
            .as_ref()
            .is_none_or(|re| re.get().is_some_and(|re| re.is_match(&c.name)));
        let health_ok = rule.health_status.is_empty()
            || c.health_status
                .as_deref()
                .is_some_and(|h| rule.health_status.iter().any(|s| s.eq_ignore_ascii_case(h)));
        exit_ok && name_ok && health_ok
    };
    let container = match message_container {
        Some(i) if needs_container => Some(Some(i).filter(|&i| fits(i))?),
        Some(i) => Some(i),
        None if needs_container => Some((0..evidence.containers.len()).find(|&i| fits(i))?),
        // A task-level message: the container that exited non-zero is the one it is about.
        None => evidence
            .containers
            .iter()
            .position(|c| c.exit_code.is_some_and(|e| e != 0)),
    };
    if needs_container && let Some(i) = container {
        let c = &evidence.containers[i];
        let mut facts = Vec::new();
        if let Some(code) = c.exit_code.filter(|_| !rule.exit_code.is_empty()) {
            facts.push(format!("exited with code {code}"));
        }
        if let Some(health) = c
            .health_status
            .as_deref()
            .filter(|_| !rule.health_status.is_empty())
        {
            facts.push(format!("is {health}"));
        }
        let who = if c.name.is_empty() {
            "a container".to_string()
        } else {
            format!("container `{}`", c.name)
        };
        conditions.push(
            format!("{who} {}", facts.join(" and "))
                .trim_end()
                .to_string(),
        );
    }
    Some((container, conditions))
}

/// A regex rule already tried on a message (so collecting the best pattern's matches does not
/// run it again).
struct Tried {
    message: usize,
    slot: usize,
    found: Option<RuleMatch>,
}

/// How a cached match is checked against the message at hand (its values may differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recheck {
    /// Each cached regex match runs again on the message.
    Regex,
    /// As `Regex`, but the best rule whose captures the caller takes is checked by taking
    /// them (one pass instead of two); the caller must match afresh if they find nothing.
    ByCaptures,
    /// The cache is not read: match afresh (and remember the result).
    Fresh,
}

/// A match's named captures and the text it matched.
type Extracted = (Vec<(String, String)>, Option<String>);

/// A match's captures in `messages` (in the input's spelling) and the text it matched. What is
/// left of a cut message gives no values: they may be incomplete.
fn captures_of(
    pattern: &Pattern,
    m: &RuleMatch,
    messages: &[Read<'_>],
    cache: &mut MatchCache,
) -> Arc<Extracted> {
    let Some(i) = m.message else {
        return Arc::default();
    };
    // Messages longer than the cache's keys are worth are extracted each time.
    let as_given = messages[i].message.text;
    if as_given.len() > 4096 {
        return Arc::new(extract(pattern, m, messages));
    }
    let key = (m.pattern, m.rule, m.partial.is_some());
    if let Some(found) = cache.captured(as_given, key) {
        return found;
    }
    let extracted = Arc::new(extract(pattern, m, messages));
    cache.remember_captures(as_given, key, Arc::clone(&extracted));
    extracted
}

fn extract(pattern: &Pattern, m: &RuleMatch, messages: &[Read<'_>]) -> Extracted {
    let lazy = pattern.rules[m.rule].regex.as_ref();
    match (m.message, lazy) {
        (Some(i), Some(lazy)) if m.partial.is_some() => (
            Vec::new(),
            partial_match(lazy, messages[i].text()).map(|t| format!("{t}...")),
        ),
        (Some(i), Some(lazy)) => lazy
            .get()
            .and_then(|regex| regex.captures(messages[i].text()))
            .map(|caps| {
                let read = &messages[i];
                let named = caps
                    .named_spans()
                    .into_iter()
                    .map(|(name, range)| (name, read.normalized.original(range)))
                    .collect();
                (named, caps.get(0).map(str::to_string))
            })
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

fn render_finding(
    pattern: &Pattern,
    evidence: &Evidence,
    messages: &[Read<'_>],
    found: &[&RuleMatch],
    task_location: &Location,
    cache: &mut MatchCache,
    show: &mut ShowValue<'_>,
) -> Finding {
    // Captures of the actual messages: the match may come from a message of the same shape.
    let extracted: Vec<Arc<Extracted>> = found
        .iter()
        .map(|m| captures_of(pattern, m, messages, cache))
        .collect();
    let first = found[0];
    let captures = &extracted[0].0;
    let text = first.message.map_or("", |i| messages[i].text());
    let (vars, location) =
        Variables::build(evidence, task_location, captures, first.container, text);
    let vars = vars.shown(show);
    let render = |t: &crate::catalog::template::Template| t.render(|name| vars.get(name));

    let evidence_list: Vec<MatchedEvidence> = found
        .iter()
        .zip(&extracted)
        .map(|(m, extracted)| {
            let matched = &extracted.1;
            let message = m.message.map(|i| &messages[i].message);
            MatchedEvidence {
                field: message.map(|msg| msg.field),
                container: m
                    .container
                    .and_then(|i| show(None, &evidence.containers[i].name)),
                // Shown before the excerpt below is cut from it, so no part of a value survives.
                text: message.and_then(|msg| show(None, msg.text)),
                matched: matched.as_deref().and_then(|t| show(None, t)),
                conditions: conditions_hold(
                    &pattern.rules[m.rule],
                    evidence,
                    m.message.and_then(|i| messages[i].message.container),
                )
                .map(|(_, conditions)| conditions.iter().filter_map(|c| show(None, c)).collect())
                .unwrap_or_default(),
            }
        })
        .collect();

    // The named finding, filled in: its reason gains what decided it.
    let named = named_finding(pattern, found);
    let decided_by: Vec<String> = evidence_list.iter().map(describe_evidence).collect();
    let confidence_reason = format!(
        "{}; decided by {}",
        named.confidence_reason,
        decided_by.join("; ")
    );

    Finding {
        confidence_reason,
        captures: captures
            .iter()
            .map(|(name, value)| {
                let shown = show(Some(name), value).unwrap_or_else(|| format!("<{name}>"));
                (name.clone(), shown)
            })
            .collect(),
        cause: render(&pattern.cause),
        fix: render(&pattern.fix),
        notes: pattern.notes.iter().map(render).collect(),
        candidates: pattern
            .candidates
            .iter()
            .map(|c| RenderedCandidate {
                cause: render(&c.cause),
                evidence: render(&c.evidence),
                check: c.check.as_ref().map(render),
                fix: c.fix.as_ref().map(render),
            })
            .collect(),
        commands: pattern
            .commands
            .iter()
            .map(|c| RenderedCommand {
                title: render(&c.title),
                run: render(&c.run),
                kind: c.kind,
            })
            .collect(),
        terraform: pattern.terraform.clone(),
        docs: pattern
            .docs
            .iter()
            .map(|d| DocLink {
                title: d.title.clone(),
                url: d.url.clone(),
            })
            .collect(),
        evidence: evidence_list,
        location,
        ..named
    }
}

/// A finding with what identifies it and its confidence, nothing filled in (`Detail::Primary`).
fn named_finding(pattern: &Pattern, found: &[&RuleMatch]) -> Finding {
    let (confidence, why) = confidence_of(pattern, found);
    Finding {
        pattern: pattern.id.clone(),
        title: pattern.title.clone(),
        category: pattern.category.clone(),
        severity: pattern.severity,
        level: pattern.level,
        transient: pattern.transient,
        confidence,
        confidence_reason: why.to_string(),
        captures: Vec::new(),
        cause: String::new(),
        fix: String::new(),
        notes: Vec::new(),
        candidates: Vec::new(),
        commands: Vec::new(),
        terraform: Vec::new(),
        docs: Vec::new(),
        evidence: Vec::new(),
        location: Location::default(),
        probe: None,
    }
}

/// How sure a finding of `pattern` from `found` is, and why.
fn confidence_of<'p>(pattern: &'p Pattern, found: &[&RuleMatch]) -> (Confidence, &'p str) {
    let partial = found.iter().all(|m| m.partial.is_some());
    // A judgement counts only when no rule of the pattern matched on direct evidence.
    let judgement = found
        .iter()
        .map(|m| pattern.rules[m.rule].judgement.as_deref())
        .reduce(|a, b| a.and(b))
        .flatten();
    // What lowers confidence most, first: a family match, an inference, a cut, candidates.
    match (pattern.level, pattern.candidates.is_empty()) {
        (Level::Family, _) => (
            Confidence::Low,
            "family-level match: the error family is recognised, the specific cause is not",
        ),
        (Level::Specific, _) if judgement.is_some() => {
            (Confidence::Medium, judgement.unwrap_or_default())
        }
        (Level::Specific, _) if partial => (
            Confidence::Medium,
            "the message is cut short: what is left of it fits this cause, but the words that \
             would confirm it were cut off",
        ),
        (Level::Specific, false) => (
            Confidence::Medium,
            "the message fits more than one cause; candidates are listed most likely first",
        ),
        (Level::Specific, true) => (Confidence::High, "a specific pattern matched"),
    }
}

/// "the stopped reason matched `...`; stopCode is X".
fn describe_evidence(e: &MatchedEvidence) -> String {
    let mut parts = Vec::new();
    if let (Some(field), Some(matched)) = (e.field, &e.matched) {
        let container = e
            .container
            .as_deref()
            .filter(|_| field == Field::ContainerReason);
        let place = match container {
            Some(name) => format!("container `{name}`'s reason"),
            None => describe_field(field).to_string(),
        };
        parts.push(format!("{place} matched `{}`", excerpt(matched, 100)));
    }
    parts.extend(e.conditions.iter().cloned());
    parts.join(", ")
}

fn describe_field(field: Field) -> &'static str {
    match field {
        Field::StoppedReason => "stopped reason",
        Field::ContainerReason => "container reason",
        Field::ServiceEvent => "service event",
        Field::Pasted => "text",
    }
}

/// At most `max` characters of `text`, with an ellipsis in the middle when cut.
fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max / 2).collect();
    let tail: String = text.chars().skip(count - max / 2).collect();
    format!("{head}…{tail}")
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn summarize(evidence: &Evidence) -> TaskSummary {
    TaskSummary {
        task_arn: evidence.meta.task_arn.clone(),
        task_id: evidence.task_id().map(str::to_string),
        cluster: evidence
            .meta
            .cluster_arn
            .as_deref()
            .or(evidence
                .meta
                .task_arn
                .as_deref()
                .filter(|arn| arn.matches('/').count() >= 2))
            .map(|c| cluster_name(c).to_string()),
        service: evidence.service().map(str::to_string),
        family: evidence.family().map(str::to_string),
        group: evidence.meta.group.clone(),
        stop_code: evidence.stop_code.clone(),
        stopped_reason: evidence.stopped_reason.clone(),
        stopped_at: evidence.meta.stopped_at.clone(),
        last_status: evidence.meta.last_status.clone(),
        containers: evidence.containers.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_text_keeps_the_longest_start_of_a_literal() {
        let literal = b"cannotpullcontainererror";
        assert_eq!(kept_start_of(b"stopped: CannotPull", literal), Some(10));
        assert_eq!(kept_start_of(b"stopped: cannotp", literal), Some(7));
        // Fewer than three bytes kept is not evidence of the literal.
        assert_eq!(kept_start_of(b"stopped: ca", literal), None);
        assert_eq!(kept_start_of(b"CannotPullX", literal), None);
        assert_eq!(kept_start_of(b"", literal), None);
        // The whole literal is not a start of it: the text was not cut inside it.
        assert_eq!(kept_start_of(b"x cannotpullcontainererror", literal), None);
    }

    /// Candidates read from the rules a literal touched are the rules whose every clause has
    /// a literal in the text, as counted over all rules.
    #[test]
    fn candidates_are_the_rules_whose_clauses_all_occur() {
        let engine = Engine::new(Catalog::builtin().unwrap()).unwrap();
        let texts = [
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nginx:latest",
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
            "Essential container in task exited",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc)",
            "nothing known here at all",
        ];
        let check = |engine: &Engine| {
            for text in texts {
                check_candidates(engine, text);
            }
        };
        check(&engine);
        // Past the first few messages the literals are found by the automaton instead.
        for _ in 0..100 {
            engine.candidates(b"warm", false);
        }
        assert!(engine.automaton.get().is_some_and(Option::is_some));
        check(&engine);
    }

    fn check_candidates(engine: &Engine, text: &str) {
        let lower = text.to_ascii_lowercase();
        let expected: Vec<usize> = (engine.regex_rules.iter().enumerate())
            .filter(|&(_, &(p, r, clauses))| {
                let rule = &engine.catalog.patterns()[p].rules[r];
                rule.prefilter[..clauses as usize]
                    .iter()
                    .all(|clause| clause.iter().any(|l| lower.contains(l.as_str())))
            })
            .map(|(slot, _)| slot)
            .collect();
        assert!(
            !expected.is_empty() || text.starts_with("nothing"),
            "{text}"
        );
        assert_eq!(
            engine.candidates(text.as_bytes(), false).full,
            expected,
            "{text}"
        );
    }

    /// A summary checks a cached best rule by taking its captures; when they find nothing (a
    /// value decided the match), the message is matched afresh and the result replaces the
    /// cached one. Built on a user rule decided by one address, with shape keys forced on.
    #[test]
    fn a_cached_match_its_captures_refute_is_matched_afresh() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/value-decided-catalog");
        let catalog = Catalog::load(&[dir]).unwrap();
        let mut engine = Engine::new(catalog).unwrap();
        assert!(!engine.masks_values, "a user rule turns shape keys off");
        engine.masks_values = true;
        let task = |text: &str| Evidence {
            stopped_reason: Some(text.to_string()),
            ..Evidence::task(crate::model::Source::Event { index: 0 })
        };
        let (primary, other) = (
            task("TeamError: host 10.0.0.1 down"),
            task("TeamError: host 10.0.0.2 down"),
        );
        let mut warm = MatchCache::default();
        let first = engine.classify(&primary, &mut warm);
        assert_eq!(first.pattern.as_deref(), Some("primary-host-down"));
        let from_warm = engine.classify(&other, &mut warm);
        assert_eq!(warm.hits(), 1, "the other host found the first one's match");
        assert_eq!(from_warm.pattern, None);
        assert_eq!(
            from_warm,
            engine.classify(&other, &mut MatchCache::default())
        );
    }

    /// `Detail::Primary` renders the best finding as `Full` does, and names the others with
    /// the same confidence and reason for it, without filling anything in.
    #[test]
    fn primary_detail_names_the_other_findings() {
        let engine = Engine::new(Catalog::builtin().unwrap()).unwrap();
        let pasted = Evidence::pasted(
            1,
            r#"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:latest: failed to do request: Head "https://public.ecr.aws/v2/nginx/nginx/manifests/latest": dial tcp 99.83.145.10:443: i/o timeout"#
                .to_string(),
        );
        let diagnose = |detail| {
            engine.diagnose_shown(
                &pasted,
                &Defaults::default(),
                &mut MatchCache::default(),
                &mut show_as_is,
                detail,
            )
        };
        let (full, brief) = (diagnose(Detail::Full), diagnose(Detail::Primary));
        assert_eq!(full.findings.len(), 3, "{:?}", full.findings);
        assert_eq!(brief.findings.len(), 3);
        assert_eq!(full.findings[0], brief.findings[0]);
        for (f, b) in full.findings.iter().zip(brief.findings.iter()).skip(1) {
            assert_eq!((&f.pattern, f.confidence), (&b.pattern, b.confidence));
            assert!(f.confidence_reason.starts_with(&b.confidence_reason));
            assert!(!f.fix.is_empty() && !f.captures.is_empty());
            assert!(b.fix.is_empty() && b.captures.is_empty() && b.evidence.is_empty());
        }
        assert_eq!(
            (full.status, &full.task, &full.unrecognised),
            (brief.status, &brief.task, &brief.unrecognised)
        );
    }
}
