//! What was not counted, and why: every skipped line or event is counted by reason, with the
//! first few places it happened, so bad input is reported instead of silently dropped.

use std::collections::BTreeMap;

use serde::Serialize;

use super::read::Location;

/// Places remembered per reason.
const FIRST: usize = 5;

/// Why a line or event was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Skip {
    /// Not JSON (and not a timestamped JSON line).
    NotJson,
    /// JSON that ends too early (a cut-off last line).
    TruncatedJson,
    /// A gzip stream that ends too early.
    TruncatedGzip,
    /// A line (or JSON value) longer than the limit.
    LineTooLong,
    /// An input that could not be read to the end.
    ReadError,
    /// JSON that is not an object, so not an event at all (an array inside an array, a number).
    NotAnEvent,
    /// An event of another detail-type.
    OtherDetailType,
    /// A task state change that is not the task's final stop (normal: tasks change state
    /// several times).
    NotFinalStop,
    /// A second copy of an event already counted (EventBridge delivers at least once).
    Duplicate,
    /// Left out by --since, --until, --cluster, --service or --family.
    Filtered,
}

impl Skip {
    pub fn describe(self) -> &'static str {
        match self {
            Skip::NotJson => "not JSON",
            Skip::TruncatedJson => "JSON cut off before its end",
            Skip::TruncatedGzip => "gzip data cut off before its end",
            Skip::LineTooLong => "longer than 1 MiB",
            Skip::ReadError => "read error",
            Skip::NotAnEvent => "JSON that is not an event object",
            Skip::OtherDetailType => "an event of another detail-type",
            Skip::NotFinalStop => "a task state change before the task's final stop",
            Skip::Duplicate => "a copy of an event already counted",
            Skip::Filtered => "left out by the filters",
        }
    }

    /// Whether this reason means the input was damaged (as opposed to normal filtering).
    pub fn is_bad_input(self) -> bool {
        matches!(
            self,
            Skip::NotJson
                | Skip::NotAnEvent
                | Skip::TruncatedJson
                | Skip::TruncatedGzip
                | Skip::LineTooLong
                | Skip::ReadError
        )
    }
}

/// One reason's tally.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub count: u64,
    /// The first few places (`file:line` or a message).
    pub first: Vec<String>,
    /// Where each of `first` is, in input order (`u64::MAX` for a message without a place):
    /// worker threads see records in their own order, and merging keeps the earliest.
    #[serde(skip)]
    order: Vec<(u32, u64)>,
}

impl Tally {
    fn note(&mut self, at: (u32, u64), place: String) {
        if self.first.len() < FIRST {
            self.first.push(place);
            self.order.push(at);
        }
    }
}

/// All reasons' tallies.
#[derive(Debug, Clone, Default)]
pub struct Skips {
    tallies: BTreeMap<Skip, Tally>,
    /// Events counted after their invalid UTF-8 was replaced by U+FFFD (not skipped).
    repaired: Tally,
    /// Names of the inputs, to turn locations into `file:line`.
    names: Vec<String>,
}

impl Skips {
    pub fn with_inputs(names: Vec<String>) -> Skips {
        Skips {
            tallies: BTreeMap::new(),
            repaired: Tally::default(),
            names,
        }
    }

    /// Counts one skip, described by `detail` (no location).
    pub fn add(&mut self, reason: Skip, detail: String) {
        let tally = self.tallies.entry(reason).or_default();
        tally.count += 1;
        if !detail.is_empty() {
            tally.note((u32::MAX, u64::MAX), detail);
        }
    }

    /// Counts one skip at `location`.
    pub fn add_at(&mut self, reason: Skip, location: Location, detail: String) {
        let tally = self.tallies.entry(reason).or_default();
        Self::count_at(&self.names, tally, location, detail);
    }

    /// Counts an event that was read after replacing invalid UTF-8 at `location`.
    pub fn repaired_at(&mut self, location: Location) {
        Self::count_at(&self.names, &mut self.repaired, location, String::new());
    }

    fn count_at(names: &[String], tally: &mut Tally, location: Location, detail: String) {
        tally.count += 1;
        if tally.first.len() < FIRST {
            let name = names
                .get(location.input as usize)
                .map_or("<input>", String::as_str);
            let place = if location.line > 0 {
                format!("{name}:{}", location.line)
            } else {
                name.to_string()
            };
            let detail = detail.lines().next().unwrap_or_default();
            let at = (location.input, location.line);
            tally.note(
                at,
                if detail.is_empty() {
                    place
                } else {
                    format!("{place} ({detail})")
                },
            );
        }
    }

    /// Counts `n` skips of one reason at once, without places.
    pub fn add_many(&mut self, reason: Skip, n: u64) {
        self.tallies.entry(reason).or_default().count += n;
    }

    /// Adds another tally's counts and places.
    pub fn merge(&mut self, other: Skips) {
        fn add(mine: &mut Tally, theirs: Tally) {
            mine.count += theirs.count;
            // Each side holds its own earliest places; the earliest of both are among them.
            let mut places: Vec<((u32, u64), String)> = std::mem::take(&mut mine.order)
                .into_iter()
                .zip(std::mem::take(&mut mine.first))
                .chain(theirs.order.into_iter().zip(theirs.first))
                .collect();
            places.sort_by_key(|(at, _)| *at);
            places.truncate(FIRST);
            (mine.order, mine.first) = places.into_iter().unzip();
        }
        for (reason, tally) in other.tallies {
            add(self.tallies.entry(reason).or_default(), tally);
        }
        add(&mut self.repaired, other.repaired);
    }

    pub fn count(&self, reason: Skip) -> u64 {
        self.tallies.get(&reason).map_or(0, |t| t.count)
    }

    pub fn bad_input(&self) -> u64 {
        self.tallies
            .iter()
            .filter(|(r, _)| r.is_bad_input())
            .map(|(_, t)| t.count)
            .sum()
    }

    pub fn tallies(&self) -> &BTreeMap<Skip, Tally> {
        &self.tallies
    }

    /// One warning per reason of bad input, naming the first places.
    pub fn warnings(&self) -> Vec<String> {
        let repaired = (self.repaired.count > 0).then(|| {
            format!(
                "{} line(s) held invalid UTF-8, replaced by U+FFFD (their events were counted): {}",
                self.repaired.count,
                self.repaired.first.join("; ")
            )
        });
        self.tallies
            .iter()
            .filter(|(reason, _)| reason.is_bad_input() || **reason == Skip::OtherDetailType)
            .map(|(reason, tally)| {
                let places = if tally.first.is_empty() {
                    String::new()
                } else {
                    format!(": {}", tally.first.join("; "))
                };
                format!("skipped {} ({}){places}", tally.count, reason.describe())
            })
            .chain(repaired)
            .collect()
    }
}
