//! The match cache is keyed on a message's shape (its values replaced by stand-ins), so a
//! message that differs from an earlier one only in its values reuses that match. That must
//! never change a diagnosis: for every example and near miss of the catalog, a twin with other
//! values gets the same findings, captures and confidence from a warm cache as from a cold one,
//! and a message seen before word for word keeps its own captures.

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::catalog::spec::ExampleSpec;
use ecs_diagnose::catalog::verify::example_evidence;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::{Engine, MatchCache};
use ecs_diagnose::report::Diagnosis;

/// `text` with other values of the same shape: every digit of a run of five or more, and the
/// last octet of every IPv4 address, changed; hex ids with their digits changed.
fn twin(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if word_start && run > 0 {
            let word = &text[i..i + run];
            let digits = word.bytes().filter(u8::is_ascii_digit).count();
            let ip_octet = i >= 2
                && bytes[i - 1] == b'.'
                && digits == run
                && run <= 3
                && text[..i - 1]
                    .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .next()
                    .is_some_and(|prefix| prefix.matches('.').count() == 2);
            let long_number = digits == run && run >= 5;
            let hex_id = run >= 8
                && digits > 0
                && digits < run
                && word.bytes().all(|b| b.is_ascii_hexdigit());
            if ip_octet {
                let octet: u32 = word.parse().unwrap_or(0);
                out.push_str(&((octet + 7) % 250 + 1).to_string());
            } else if long_number || hex_id {
                out.extend(word.chars().enumerate().map(|(n, c)| match c {
                    '0'..='9' if n > 0 || c != '0' => char::from(b'1' + ((c as u8 - b'0' + 2) % 9)),
                    c => c,
                }));
            } else {
                out.push_str(word);
            }
            i += run;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// What a reader sees of a diagnosis: each finding's pattern, confidence and captures.
fn summary(d: &Diagnosis) -> Vec<String> {
    d.findings
        .iter()
        .map(|f| format!("{} {:?} {:?}", f.pattern, f.confidence, f.captures))
        .collect()
}

/// The summaries of `evidence` diagnosed with the `warm` cache and with a fresh one.
fn warm_and_cold(
    engine: &Engine,
    evidence: &ecs_diagnose::model::Evidence,
    warm: &mut MatchCache,
) -> (Vec<String>, Vec<String>) {
    let defaults = Defaults::default();
    let from_warm = engine.diagnose(evidence, &defaults, warm);
    let from_cold = engine.diagnose(evidence, &defaults, &mut MatchCache::default());
    (summary(&from_warm), summary(&from_cold))
}

#[test]
fn a_warm_cache_gives_the_same_diagnosis_as_a_cold_one() {
    let engine = Engine::new(Catalog::builtin().unwrap()).unwrap();
    let defaults = Defaults::default();
    let mut warm = MatchCache::default();
    let mut checked = 0;
    let mut changed = 0;
    for pattern in engine.catalog().patterns() {
        for spec in pattern.examples.iter().chain(&pattern.near_misses) {
            let original = example_evidence(spec);
            engine.diagnose(&original, &defaults, &mut warm);
            let twin_spec = ExampleSpec {
                text: twin(&spec.text),
                stopped_reason: spec.stopped_reason.as_deref().map(twin),
                ..spec.clone()
            };
            if twin_spec.text != spec.text {
                changed += 1;
            }
            let twin_evidence = example_evidence(&twin_spec);
            // A classification searches only for the best pattern; a diagnosis finds them all
            // and puts the best first.
            for evidence in [&original, &twin_evidence] {
                let fresh = &mut MatchCache::default();
                let diagnosis = engine.diagnose(evidence, &defaults, fresh);
                assert_eq!(
                    engine
                        .classify(evidence, &mut MatchCache::default())
                        .pattern,
                    diagnosis.primary().map(|f| f.pattern.clone()),
                    "{}: {}",
                    pattern.id,
                    spec.text
                );
            }
            // A summary's classification checks only the best pattern of a cached match.
            assert_eq!(
                engine.classify(&twin_evidence, &mut warm),
                engine.classify(&twin_evidence, &mut MatchCache::default()),
                "{}: the cached match of\n  {}\nchanged the classification of its twin\n  {}",
                pattern.id,
                spec.text,
                twin_spec.text
            );
            let (from_warm, from_cold) = warm_and_cold(&engine, &twin_evidence, &mut warm);
            assert_eq!(
                from_warm, from_cold,
                "{}: the cached match of\n  {}\nchanged the diagnosis of its twin\n  {}",
                pattern.id, spec.text, twin_spec.text
            );
            // The same message again: its captures come from the exact-text cache.
            let (again, original_cold) = warm_and_cold(&engine, &original, &mut warm);
            assert_eq!(
                again, original_cold,
                "{}: a repeated message lost its own captures",
                pattern.id
            );
            checked += 1;
        }
    }
    assert!(warm.hits() > 0, "twins must reuse the cache");
    assert!(
        changed * 3 > checked,
        "a third of the messages or more carry values to change ({changed} of {checked})"
    );
}

#[test]
fn twins_differ_only_in_values() {
    assert_eq!(
        twin("dial tcp 10.0.1.25:443: i/o timeout on 123456789012.dkr task 0a1b2c3d4e5f6789"),
        "dial tcp 10.0.1.33:443: i/o timeout on 456789123345.dkr task 0a4b5c6d7e8f9123"
    );
    assert_eq!(
        twin("API error (500): exit 137"),
        "API error (500): exit 137"
    );
}

#[test]
fn a_user_rule_decided_by_one_value_is_told_apart_in_either_order() {
    // A user's rule may be decided by one address, which the built-in catalog's shape keys
    // would mask: with user patterns the cache keys messages by their exact text, so neither
    // a cached match nor a cached "no match" of one host stands for the other.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/value-decided-catalog");
    let engine = Engine::new(Catalog::load_with_examples(&[dir]).unwrap()).unwrap();
    let example = engine
        .catalog()
        .patterns()
        .iter()
        .find(|p| p.id == "primary-host-down")
        .map(|p| p.examples[0].clone())
        .unwrap();
    let evidence = |text: &str| {
        example_evidence(&ExampleSpec {
            text: text.to_string(),
            ..example.clone()
        })
    };
    let primary = evidence("TeamError: host 10.0.0.1 down");
    let other = evidence("TeamError: host 10.0.0.2 down");
    for order in [[&primary, &other], [&other, &primary]] {
        let mut warm = MatchCache::default();
        for evidence in order.iter().chain(order.iter()) {
            assert_eq!(
                engine.classify(evidence, &mut warm),
                engine.classify(evidence, &mut MatchCache::default())
            );
        }
    }
    let found = engine.classify(&primary, &mut MatchCache::default());
    assert_eq!(found.pattern.as_deref(), Some("primary-host-down"));
}
