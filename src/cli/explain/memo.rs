//! Diagnoses of messages seen before in the same paste. A log of stopped tasks repeats itself
//! (`Task stopped by user`, one failure hitting a whole service), and a message with nothing
//! but its text around it always gets the same diagnosis, so a repeat is a copy.
//!
//! Only for runs whose redactor learns nothing: under `--redact`, what a message shows
//! depends on the names learned before it.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use crate::model::{Evidence, Field, Source, TaskMeta};
use crate::report::Diagnosis;

/// Messages whose hashes are remembered as seen once; past it, the record starts over.
const SEEN_CAP: usize = 1 << 16;
/// Diagnoses kept; past it, new repeats are diagnosed without being kept.
const KEPT_CAP: usize = 1024;
/// Longer messages are not kept: they rarely repeat, and the cap on entries bounds memory only
/// with a bound on each.
const KEPT_TEXT_CAP: usize = 4096;

#[derive(Default)]
pub struct RepeatMemo {
    /// Messages seen once: only a message seen twice is kept, so one-off messages (most of a
    /// varied log) cost a hash, not a copy.
    seen: HashSet<u64, foldhash::fast::RandomState>,
    /// Per field the message came from (a rule may read one field and not another).
    kept: [HashMap<String, Diagnosis, foldhash::quality::RandomState>; 4],
    hasher: foldhash::quality::RandomState,
}

impl RepeatMemo {
    /// `evidence`'s diagnosis: a copy of the one kept for its message, or `diagnose`'s answer.
    pub fn diagnose(
        &mut self,
        evidence: &Evidence,
        diagnose: impl FnOnce(&Evidence) -> Diagnosis,
    ) -> Diagnosis {
        let Some(text) = message_only(evidence) else {
            return diagnose(evidence);
        };
        if let Some(kept) = self.kept[field_index(evidence.reason_field)].get(text) {
            return Diagnosis {
                source: evidence.source.clone(),
                ..kept.clone()
            };
        }
        let diagnosis = diagnose(evidence);
        let kept = &mut self.kept[field_index(evidence.reason_field)];
        if text.len() <= KEPT_TEXT_CAP && kept.len() < KEPT_CAP {
            let hash = self.hasher.hash_one((evidence.reason_field, text));
            if self.seen.len() >= SEEN_CAP {
                self.seen.clear();
            }
            if !self.seen.insert(hash) {
                kept.insert(text.to_string(), diagnosis.clone());
            }
        }
        diagnosis
    }
}

/// The message of evidence that holds nothing else (a pasted line, a service event), whose
/// diagnosis therefore follows from the message alone.
fn message_only(evidence: &Evidence) -> Option<&str> {
    let alone = matches!(
        evidence.source,
        Source::Text { .. } | Source::ServiceEvent { .. }
    ) && evidence.stop_code.is_none()
        && evidence.containers.is_empty()
        && evidence.meta == TaskMeta::default();
    alone.then_some(evidence.stopped_reason.as_deref()?)
}

fn field_index(field: Field) -> usize {
    match field {
        Field::StoppedReason => 0,
        Field::ContainerReason => 1,
        Field::ServiceEvent => 2,
        Field::Pasted => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::context::Defaults;
    use crate::engine::{Engine, MatchCache};

    /// A kept diagnosis, copied for a later line, is the one that line gets on its own.
    #[test]
    fn a_repeat_gets_the_diagnosis_it_would_get_alone() {
        let engine = Engine::new(Catalog::load_with_examples(&[]).unwrap()).unwrap();
        let defaults = Defaults::default();
        let alone =
            |evidence: &Evidence| engine.diagnose(evidence, &defaults, &mut MatchCache::default());
        let mut memo = RepeatMemo::default();
        let mut cache = MatchCache::default();
        let mut line = 0;
        let mut copies = 0;
        for pattern in engine.catalog().patterns() {
            for example in pattern.examples.iter().chain(&pattern.near_misses) {
                for _ in 0..3 {
                    line += 1;
                    let evidence = Evidence::pasted(line, example.text.clone());
                    let mut diagnosed = false;
                    let got = memo.diagnose(&evidence, |e| {
                        diagnosed = true;
                        engine.diagnose(e, &defaults, &mut cache)
                    });
                    copies += usize::from(!diagnosed);
                    assert_eq!(got, alone(&evidence), "{}", example.text);
                }
            }
        }
        assert!(copies > line / 4, "the third sight of a message is a copy");
    }

    /// Evidence with more than a message (a task's containers, its stop code) is always
    /// diagnosed: two tasks with one reason can differ in what else they carry.
    #[test]
    fn a_task_is_diagnosed_each_time() {
        let mut memo = RepeatMemo::default();
        let mut evidence = Evidence::task(Source::Task { index: 0 });
        evidence.stopped_reason = Some("Essential container in task exited".to_string());
        let mut calls = 0;
        for _ in 0..3 {
            memo.diagnose(&evidence, |e| {
                calls += 1;
                Diagnosis {
                    source: e.source.clone(),
                    task: Default::default(),
                    status: crate::report::Status::Unrecognised,
                    findings: Default::default(),
                    unrecognised: None,
                    warnings: Vec::new(),
                }
            });
        }
        assert_eq!(calls, 3);
    }
}
