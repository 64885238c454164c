//! Catalog regexes: compiled on first use, matched with a lazy DFA, ASCII semantics.
//!
//! Every catalog regex is case-insensitive with ASCII classes and ASCII case folding (`\d` is
//! `[0-9]`, `\w` is `[0-9A-Za-z_]`, `k` does not match the Kelvin sign): ECS messages are ASCII
//! after normalisation, and Unicode classes would make each automaton many times larger. The
//! regexes run on the message's bytes, so `.` and negated classes match any byte; captures are
//! widened to character boundaries before they become text.
//!
//! Each regex compiles to one Thompson NFA on first use. "Does it match" is answered by a
//! bounded backtracker for the first few texts (a single paste asks each candidate once, and
//! building DFA states for one text costs more than backtracking through it), then by a
//! forward lazy DFA of `regex-automata` (one pass over the text, states built as they are
//! visited), whose states the threads share. Groups come from a second backtracker that starts
//! only where the regex's first byte is, or the PikeVM for a text too long for it; where a
//! match is (for a message cut short) asks the meta engine, built on first use. No literal
//! prefilter for "does it match": the engine's Aho-Corasick prefilter has already checked the
//! literals, and building a second one doubles compile time for nothing.
//! Compared with the meta engine for everything, this compiles one NFA instead of a forward
//! and a reverse one, and keeps one set of DFA states per regex instead of one per thread.
//!
//! An account id (`\d{12}`, the catalog's idiom for one) also matches the word
//! `normalize::REDACTED`, which is what normalisation makes of `XXXXXXXXXXXX`, `<account>` and
//! the like: a message whose poster hid the account is still recognised, and the hidden value
//! is never shown as one.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use regex_automata::hybrid::dfa::{Cache as DfaCache, DFA};
use regex_automata::meta;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, NFA};
use regex_automata::util::captures::Captures as Slots;
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{self, Hir, HirKind};

/// Upper bound on the compiled size of one regex, so a pathological user pattern fails at
/// load time with a clear message instead of eating memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 21;
/// Upper bound on the source length of one regex.
pub const REGEX_SOURCE_LIMIT: usize = 16 * 1024;

/// Deepest nesting of groups and classes a regex may have (a user catalog could otherwise
/// make parsing slow).
const NEST_LIMIT: u32 = 100;

/// Parses `source` the way every catalog regex is read.
fn parse(source: &str) -> Result<Hir, String> {
    if source.len() > REGEX_SOURCE_LIMIT {
        return Err(format!(
            "regex is {} bytes long; the limit is {REGEX_SOURCE_LIMIT}",
            source.len()
        ));
    }
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(source)
        .map_err(|e| e.to_string())
}

/// A regex for every prefix of every string `hir` matches (the empty one included), without
/// captures: `abc` gives `(?:a(?:b(?:c)?)?)?`, `xy` gives `P(x)|xP(y)`, `x*` gives `x*P(x)`.
fn prefixes(hir: &Hir) -> Hir {
    let optional = |h: Hir| {
        Hir::repetition(hir::Repetition {
            min: 0,
            max: Some(1),
            greedy: true,
            sub: Box::new(h),
        })
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(hir::Literal(bytes)) => {
            bytes.iter().rev().fold(Hir::empty(), |rest, &b| {
                optional(Hir::concat(vec![Hir::literal([b]), rest]))
            })
        }
        HirKind::Class(_) => optional(without_captures(hir)),
        HirKind::Capture(cap) => prefixes(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.max == Some(0) {
                return Hir::empty();
            }
            let whole = Hir::repetition(hir::Repetition {
                min: 0,
                max: rep.max.map(|m| m - 1),
                greedy: rep.greedy,
                sub: Box::new(without_captures(&rep.sub)),
            });
            Hir::concat(vec![whole, prefixes(&rep.sub)])
        }
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(prefixes).collect()),
        HirKind::Concat(subs) => subs.iter().rev().fold(Hir::empty(), |rest, sub| {
            Hir::alternation(vec![
                prefixes(sub),
                Hir::concat(vec![without_captures(sub), rest]),
            ])
        }),
    }
}

/// `hir` with its groups made non-capturing.
fn without_captures(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Capture(cap) => without_captures(&cap.sub),
        HirKind::Repetition(rep) => Hir::repetition(hir::Repetition {
            sub: Box::new(without_captures(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(without_captures).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(without_captures).collect()),
        _ => hir.clone(),
    }
}

/// Whether `rep` is `\d{12}` (ASCII digits), the catalog's idiom for an account id.
fn is_account(rep: &hir::Repetition) -> bool {
    rep.min == 12
        && rep.max == Some(12)
        && matches!(rep.sub.kind(), HirKind::Class(hir::Class::Bytes(class))
            if class.ranges() == [hir::ClassBytesRange::new(b'0', b'9')])
}

/// Whether `hir` holds an account id anywhere (see `is_account`).
fn has_account(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(rep) => is_account(rep) || has_account(&rep.sub),
        HirKind::Capture(cap) => has_account(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_account),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => false,
    }
}

/// `hir` with every `\d{12}` widened to `(?:\d{12}|redacted)`. A subtree without one is kept
/// as it is: rebuilding a tree recomputes every node's properties, and most regexes have none.
fn accept_redacted_accounts(hir: Hir) -> Hir {
    if !has_account(&hir) {
        return hir;
    }
    match hir.into_kind() {
        HirKind::Repetition(rep) if is_account(&rep) => Hir::alternation(vec![
            Hir::repetition(rep),
            Hir::literal(crate::normalize::REDACTED.as_bytes()),
        ]),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(accept_redacted_accounts(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(accept_redacted_accounts(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => {
            Hir::concat(subs.into_iter().map(accept_redacted_accounts).collect())
        }
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(accept_redacted_accounts).collect())
        }
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(hir::Literal(bytes)) => Hir::literal(bytes),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// A prefilter for the bytes every match of `hir` begins with, if it has such a set (it has
/// none when it can match the empty text). The backtracker tries a match at every position of
/// the text; most catalog regexes begin with a word or a class, and this skips the positions
/// that cannot begin one (a fifth of the instructions the groups of a varied paste took).
fn first_bytes(hir: &Hir) -> Option<Prefilter> {
    let mut extractor = hir::literal::Extractor::new();
    extractor
        .kind(hir::literal::ExtractKind::Prefix)
        .limit_literal_len(1)
        .limit_class(256)
        .limit_total(256);
    let prefixes = extractor.extract(hir);
    let bytes: Vec<&[u8]> = prefixes.literals()?.iter().map(|l| l.as_bytes()).collect();
    Prefilter::new(MatchKind::LeftmostFirst, &bytes)
}

/// A compiled catalog regex.
pub struct Regex {
    nfa: NFA,
    /// "Does it match" for the first few texts: a backtracking pass over the NFA costs less
    /// than building the DFA states one text visits, so a single paste never builds them.
    backtracker: BoundedBacktracker,
    backtracker_caches: Pool<backtrack::Cache, MakeCache<backtrack::Cache>>,
    /// Groups: the backtracker again, trying only positions whose byte can begin a match.
    /// Built on first use: a catalog regex asked for groups is one that won. (One backtracker
    /// with the prefilter for both questions costs every candidate its prefilter: 0.14 ms more
    /// for one pasted error, for 0.7% less on a large paste.)
    capturer: OnceLock<Capturer>,
    /// Groups of a text too long for the backtracker's bounded memory.
    pike_vm: PikeVM,
    pike_vm_caches: Pool<pikevm::Cache, MakeCache<pikevm::Cache>>,
    /// How many texts were asked "does it match", up to `PROMOTE_AFTER`.
    uses: AtomicU32,
    /// "Does it match" once the regex is in use: a forward lazy DFA, one pass over the text,
    /// built on promotion. Boxed: it and its caches are large.
    dfa: OnceLock<Box<Dfa>>,
    hir: Hir,
    /// The meta engine, for where a match is (`find`: a forward and a reverse lazy DFA), built
    /// on first use.
    full: OnceLock<meta::Regex>,
}

/// Texts a regex answers by backtracking before it builds its lazy DFA: a paste asks each
/// regex once, an archive asks the same ones thousands of times.
const PROMOTE_AFTER: u32 = 4;

struct Capturer {
    backtracker: BoundedBacktracker,
    caches: Pool<backtrack::Cache, MakeCache<backtrack::Cache>>,
}

struct Dfa {
    dfa: DFA,
    /// The DFA's states, built as they are visited: one cache shared by the threads, and
    /// spares for a thread that finds it in use. Threads seldom run the same regex at the same
    /// moment, and one copy of a regex's states is less memory and warmer in the CPU's cache
    /// than one per thread.
    cache: Mutex<DfaCache>,
    spares: Pool<DfaCache, MakeCache<DfaCache>>,
}

impl Dfa {
    fn new(dfa: DFA) -> Box<Dfa> {
        let spare = dfa.clone();
        Box::new(Dfa {
            cache: Mutex::new(dfa.create_cache()),
            spares: Pool::new(Box::new(move || spare.create_cache())),
            dfa,
        })
    }
}

type MakeCache<T> = Box<dyn Fn() -> T + Send + Sync + UnwindSafe + RefUnwindSafe>;

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Regex")
            .field("hir", &self.hir)
            .finish_non_exhaustive()
    }
}

impl Clone for Regex {
    fn clone(&self) -> Self {
        let full = OnceLock::new();
        if let Some(done) = self.full.get() {
            let _ = full.set(done.clone());
        }
        let mut regex = Regex::from_nfa(self.nfa.clone(), self.hir.clone());
        regex.full = full;
        regex
    }
}

/// The Thompson NFA of `hir`, which every engine but the meta one runs.
fn build_nfa(hir: &Hir) -> Result<NFA, String> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
        )
        .build_from_hir(hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => size_limit_message(limit),
            None => e.to_string(),
        })
}

fn size_limit_message(limit: usize) -> String {
    format!(
        "the compiled regex exceeds the size limit of {limit} bytes; simplify it \
         (bounded repeats like {{1000}} multiply its size)"
    )
}

/// `hir` compiled by the meta engine with the options every catalog regex uses.
fn build_meta(hir: &Hir) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            meta::Config::new()
                .auto_prefilter(false)
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
        )
        .build_from_hir(hir)
        .map_err(|e| match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => size_limit_message(limit),
            (None, Some(syntax)) => syntax.to_string(),
            (None, None) => e.to_string(),
        })
}

/// The groups of one match, as text of the message.
#[derive(Debug)]
pub struct Captures<'t> {
    text: &'t str,
    slots: Slots,
}

impl Regex {
    /// Compiles `source` with the options every catalog regex uses.
    pub fn new(source: &str) -> Result<Regex, String> {
        Regex::from_hir(accept_redacted_accounts(parse(source)?))
    }

    /// A regex that matches where a message cut short ends in the beginning of a match of
    /// `source`: its match runs to the end of the text, and the text ends before `source`
    /// could finish. For a message ECS, a console or a person cut off (`...`), this tells
    /// whether what is left is consistent with the rule. It has no captures: the values at the
    /// cut are incomplete.
    pub fn partial(source: &str) -> Result<Regex, String> {
        let hir = accept_redacted_accounts(parse(source)?);
        Regex::from_hir(Hir::concat(vec![prefixes(&hir), Hir::look(hir::Look::End)]))
    }

    fn from_hir(hir: Hir) -> Result<Regex, String> {
        Ok(Regex::from_nfa(build_nfa(&hir)?, hir))
    }

    fn from_nfa(nfa: NFA, hir: Hir) -> Regex {
        let backtracker = BoundedBacktracker::new_from_nfa(nfa.clone())
            .expect("the default backtracker configuration is valid");
        let pike_vm =
            PikeVM::new_from_nfa(nfa.clone()).expect("the default PikeVM configuration is valid");
        let (b, p) = (backtracker.clone(), pike_vm.clone());
        Regex {
            backtracker_caches: Pool::new(Box::new(move || b.create_cache())),
            backtracker,
            pike_vm_caches: Pool::new(Box::new(move || p.create_cache())),
            pike_vm,
            nfa,
            uses: AtomicU32::new(0),
            capturer: OnceLock::new(),
            dfa: OnceLock::new(),
            hir,
            full: OnceLock::new(),
        }
    }

    /// The meta engine for `hir` (compiled before, as the NFA, so it does not fail).
    fn full(&self) -> Option<&meta::Regex> {
        if let Some(full) = self.full.get() {
            return Some(full);
        }
        let built = build_meta(&self.hir).ok()?;
        Some(self.full.get_or_init(|| built))
    }

    /// The backtracker for groups, with the bytes a match can begin with as its prefilter.
    fn capturer(&self) -> &Capturer {
        self.capturer.get_or_init(|| {
            let backtracker = BoundedBacktracker::builder()
                .configure(backtrack::Config::new().prefilter(first_bytes(&self.hir)))
                .build_from_nfa(self.nfa.clone())
                .expect("the backtracker configuration is valid");
            let b = backtracker.clone();
            Capturer {
                caches: Pool::new(Box::new(move || b.create_cache())),
                backtracker,
            }
        })
    }

    /// The lazy DFA, built on first use; `None` if it cannot be built (not expected: the NFA
    /// already fits the size limit, and there are no Unicode word boundaries).
    fn dfa(&self) -> Option<&Dfa> {
        if let Some(dfa) = self.dfa.get() {
            return Some(dfa);
        }
        let built = DFA::builder().build_from_nfa(self.nfa.clone()).ok()?;
        Some(self.dfa.get_or_init(|| Dfa::new(built)))
    }

    pub fn is_match(&self, text: &str) -> bool {
        let input = Input::new(text.as_bytes()).earliest(true);
        if self.uses.load(Ordering::Relaxed) < PROMOTE_AFTER {
            self.uses.fetch_add(1, Ordering::Relaxed);
            let cache = &mut self.backtracker_caches.get();
            if let Ok(found) = self.backtracker.try_is_match(cache, input.clone()) {
                return found;
            }
        }
        let found = match self.dfa() {
            Some(Dfa { dfa, cache, spares }) => match cache.try_lock() {
                Ok(mut cache) => dfa.try_search_fwd(&mut cache, &input),
                Err(_) => dfa.try_search_fwd(&mut spares.get(), &input),
            },
            None => return self.full().is_some_and(|full| full.is_match(input)),
        };
        match found {
            Ok(found) => found.is_some(),
            // The lazy DFA gave up (it has no quit bytes and never gives up as configured, so
            // this is not expected): the meta engine decides.
            Err(_) => self.full().is_some_and(|full| full.is_match(input)),
        }
    }

    /// The leftmost match and its groups: one backtracking pass where the text fits its
    /// bounded memory (a message known to match, as here, is short), the PikeVM otherwise.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        let capturer = self.capturer();
        let mut slots = capturer.backtracker.create_captures();
        let input = Input::new(text.as_bytes());
        let fits = capturer.backtracker.try_captures(
            &mut capturer.caches.get(),
            input.clone(),
            &mut slots,
        );
        if fits.is_err() {
            self.pike_vm
                .captures(&mut self.pike_vm_caches.get(), input, &mut slots);
        }
        slots.is_match().then_some(Captures { text, slots })
    }

    /// The text of the leftmost match.
    pub fn find<'t>(&self, text: &'t str) -> Option<&'t str> {
        let found = self.full()?.find(text.as_bytes())?;
        Some(slice(text, found.start(), found.end()))
    }

    /// The names of the groups, in order (`None` for unnamed ones and the whole match).
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.nfa
            .group_info()
            .pattern_names(regex_automata::PatternID::ZERO)
    }
}

impl<'t> Captures<'t> {
    /// Group `index` (0 is the whole match).
    pub fn get(&self, index: usize) -> Option<&'t str> {
        let span = self.slots.get_group(index)?;
        Some(slice(self.text, span.start, span.end))
    }

    /// The group named `name`.
    pub fn name(&self, name: &str) -> Option<&'t str> {
        let span = self.slots.get_group_by_name(name)?;
        Some(slice(self.text, span.start, span.end))
    }

    /// Every named group that took part in the match, with its text.
    pub fn named(&self) -> Vec<(String, String)> {
        self.named_spans()
            .into_iter()
            .map(|(name, range)| (name, self.text[range].to_string()))
            .collect()
    }

    /// Every named group that took part in the match, with where it is in the text (widened to
    /// character boundaries).
    pub fn named_spans(&self) -> Vec<(String, std::ops::Range<usize>)> {
        self.slots
            .group_info()
            .pattern_names(regex_automata::PatternID::ZERO)
            .flatten()
            .filter_map(|name| {
                let span = self.slots.get_group_by_name(name)?;
                let found = slice(self.text, span.start, span.end);
                let start = found.as_ptr() as usize - self.text.as_ptr() as usize;
                Some((name.to_string(), start..start + found.len()))
            })
            .collect()
    }
}

/// `text[start..end]`, widened to character boundaries: a byte-level match may start or end
/// inside a multi-byte character.
fn slice(text: &str, mut start: usize, mut end: usize) -> &str {
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

/// A regex compiled on first use: a run that reads one message compiles only the few rules the
/// prefilter points at, not the whole catalog.
#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    /// Boxed, like `partial`: a catalog holds hundreds of these and compiles a few, so an
    /// empty slot stays small (less memory to touch at start-up).
    compiled: OnceLock<Result<Box<Regex>, String>>,
    /// Its partial form, for messages cut short (see [`Regex::partial`]).
    partial: OnceLock<Result<Box<Regex>, String>>,
    /// Every literal clause it requires (see `literals::all_required_literals`).
    literals: OnceLock<Vec<super::literals::Clause>>,
}

impl LazyRegex {
    /// Compiles on first use; `names` are the capture names, already known.
    pub fn lazy(source: &str, names: Vec<String>) -> (LazyRegex, Vec<String>) {
        (
            LazyRegex {
                source: source.to_string(),
                compiled: OnceLock::new(),
                partial: OnceLock::new(),
                literals: OnceLock::new(),
            },
            names,
        )
    }

    /// Compiles now (user patterns: every problem is reported at load time).
    pub fn eager(source: &str) -> Result<(LazyRegex, Vec<String>), String> {
        let names = capture_names(source)?;
        let regex = Regex::new(source)?;
        let lazy = LazyRegex {
            source: source.to_string(),
            compiled: OnceLock::new(),
            partial: OnceLock::new(),
            literals: OnceLock::new(),
        };
        let _ = lazy.compiled.set(Ok(Box::new(regex)));
        Ok((lazy, names))
    }

    /// The compiled regex; `Err` if it does not compile (caught by `catalog test`).
    pub fn try_get(&self) -> Result<&Regex, &str> {
        self.compiled
            .get_or_init(|| Regex::new(&self.source).map(Box::new))
            .as_deref()
            .map_err(String::as_str)
    }

    /// The compiled regex, or `None` if it does not compile.
    pub fn get(&self) -> Option<&Regex> {
        self.try_get().ok()
    }

    /// Every literal clause the regex requires, worked out on first use.
    pub fn required_literals(&self) -> &[super::literals::Clause] {
        self.literals.get_or_init(|| {
            super::literals::all_required_literals(&self.source).unwrap_or_default()
        })
    }

    /// The partial form, compiled on first use.
    pub fn partial(&self) -> Option<&Regex> {
        self.partial
            .get_or_init(|| Regex::partial(&self.source).map(Box::new))
            .as_deref()
            .ok()
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

impl Clone for LazyRegex {
    fn clone(&self) -> Self {
        let clone = LazyRegex {
            source: self.source.clone(),
            compiled: OnceLock::new(),
            partial: OnceLock::new(),
            literals: OnceLock::new(),
        };
        if let Some(done) = self.compiled.get() {
            let _ = clone.compiled.set(done.clone());
        }
        if let Some(done) = self.partial.get() {
            let _ = clone.partial.set(done.clone());
        }
        clone
    }
}

/// The named groups of `source`, checking the source's length and syntax.
pub fn capture_names(source: &str) -> Result<Vec<String>, String> {
    if source.len() > REGEX_SOURCE_LIMIT {
        return Err(format!(
            "regex is {} bytes long; the limit is {REGEX_SOURCE_LIMIT}",
            source.len()
        ));
    }
    super::literals::capture_names(source)
}

/// `text` with every regex metacharacter escaped.
pub fn escape(text: &str) -> String {
    regex_syntax::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes_and_case_folding() {
        let re = Regex::new(r"(?P<n>\d+)\s+\w+").unwrap();
        assert!(re.is_match("ERROR 42 Apples"));
        // Unicode digits and the Kelvin sign are not ASCII: no match.
        assert!(!Regex::new(r"^\d$").unwrap().is_match("٣"));
        assert!(!Regex::new(r"(?i)^k$").unwrap().is_match("\u{212A}"));
        assert_eq!(re.captures("x 42 apples").unwrap().name("n"), Some("42"));
    }

    #[test]
    fn captures_never_split_a_character() {
        // `.` matches one byte; the capture is widened to the whole character.
        let re = Regex::new(r"a(?P<x>.)").unwrap();
        let caps = re.captures("aé").unwrap();
        assert_eq!(caps.name("x"), Some("é"));
        assert_eq!(re.find("xaéz"), Some("aé"));
    }

    #[test]
    fn a_redacted_account_is_an_account() {
        let re = Regex::new(r"(?P<host>(?P<acct>\d{12})\.dkr\.ecr)").unwrap();
        let caps = re.captures("ref redacted.dkr.ecr.us-east-1").unwrap();
        assert_eq!(caps.name("acct"), Some("redacted"));
        assert!(re.is_match("123456789012.dkr.ecr"));
        // Only the account idiom: other digit runs stay digits.
        assert!(!Regex::new(r"^\d{3}$").unwrap().is_match("redacted"));
    }

    #[test]
    fn threads_sharing_one_regex_get_their_own_answers() {
        let re = Regex::new(r"dial tcp (?P<ip>\d{1,3}(?:\.\d{1,3}){3}):443: i/o timeout").unwrap();
        std::thread::scope(|scope| {
            for t in 0..4u32 {
                let re = &re;
                scope.spawn(move || {
                    for i in 0..2000u32 {
                        let ip = format!("10.{t}.{}.{}", i % 250, (i * 7) % 250);
                        let hit = format!("pull failed: dial tcp {ip}:443: i/o timeout");
                        let miss = format!("pull failed: dial tcp {ip}:80: connection refused");
                        assert!(re.is_match(&hit), "{hit}");
                        assert!(!re.is_match(&miss), "{miss}");
                    }
                });
            }
        });
    }

    #[test]
    fn partial_matches_a_message_cut_before_the_rule_finishes() {
        let source =
            r"Essential container in task exited|(?P<img>public\.ecr\.aws/\S+).*?i/o timeout";
        let partial = Regex::partial(source).unwrap();
        assert_eq!(
            partial.find("Stopped: Essential container in ta"),
            Some("Essential container in ta")
        );
        assert_eq!(
            partial.find("ref public.ecr.aws/nginx/nginx:latest: failed to do req"),
            Some("public.ecr.aws/nginx/nginx:latest: failed to do req")
        );
        // A text that goes on past where the rule could: no partial match reaches the end,
        // except the empty one.
        assert_eq!(partial.find("Essential container in task failed"), Some(""));
        assert!(Regex::partial(r"(?P<a>x)(?P<b>y)+z{2,3}").is_ok());
    }

    /// Groups found from the first-byte positions are the groups every position gives (the
    /// PikeVM, no prefilter), for regexes that begin with words, classes, optional groups,
    /// anchors and alternations, and one that can match the empty text.
    #[test]
    fn first_byte_prefilter_finds_the_same_groups() {
        let regexes = [
            r"(?:resolve ref (?P<image>\S+): )?dial tcp (?P<ip>[0-9.]+):(?P<port>\d+)",
            r"(?:^|CannotPullContainerError: )(?P<e>context canceled)\.?\s*$",
            r"[a-z]+ (?P<n>\d{12})",
            r"(?P<x>\d*)z?",
            r"\bexit(?:ed)? (?:with )?code (?P<code>\d+)",
        ];
        let texts = [
            "CannotPullContainerError: context canceled",
            "context canceled",
            "x resolve ref docker.io/a:b: dial tcp 10.0.0.1:443: i/o timeout",
            "pull failed: DIAL TCP 10.1.2.3:80",
            "acct 123456789012 and redacted",
            "Essential container exited with code 137",
            "",
            "zz",
        ];
        for source in regexes {
            let regex = Regex::new(source).unwrap();
            for text in texts {
                let mut expected = regex.pike_vm.create_captures();
                regex.pike_vm.captures(
                    &mut regex.pike_vm.create_cache(),
                    text.as_bytes(),
                    &mut expected,
                );
                let found = regex.captures(text);
                assert_eq!(found.is_some(), expected.is_match(), "{source} on {text:?}");
                if let Some(found) = found {
                    for i in 0..expected.group_len() {
                        let want = expected.get_group(i).map(|s| &text[s.range()]);
                        assert_eq!(found.get(i), want, "group {i} of {source} on {text:?}");
                    }
                }
            }
        }
        assert!(first_bytes(&parse(r"(?P<x>\d*)z?").unwrap()).is_none());
        assert!(first_bytes(&parse(r"(?:ab)?c").unwrap()).is_some());
    }

    #[test]
    fn size_limit_is_a_clear_error() {
        let error = Regex::new(r"(?:\w{1000}){1000}").unwrap_err();
        assert!(error.contains("simplify"), "{error}");
    }

    #[test]
    fn named_groups_in_order() {
        let re = Regex::new(r"(?P<a>x)(y)(?P<b>z)?").unwrap();
        let names: Vec<_> = re.capture_names().flatten().collect();
        assert_eq!(names, ["a", "b"]);
        let caps = re.captures("xy").unwrap();
        assert_eq!(caps.named(), vec![("a".to_string(), "x".to_string())]);
    }
}
