//! Messages cut short (by ECS at 255 or 1,024 bytes, by a console column, by a person who
//! pasted `...`): what is left is still diagnosed when it can only be one cause, at medium
//! confidence and saying why, and not when the words that decide were cut off.

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::{Engine, MatchCache};
use ecs_diagnose::model::Evidence;
use ecs_diagnose::report::{Confidence, Diagnosis};

fn diagnose(text: &str) -> Diagnosis {
    let engine = Engine::new(Catalog::builtin().unwrap()).unwrap();
    engine.diagnose(
        &Evidence::pasted(1, text.to_string()),
        &Defaults::default(),
        &mut MatchCache::default(),
    )
}

#[test]
fn a_sentence_cut_in_its_deciding_word_is_still_recognised_at_medium_confidence() {
    let d = diagnose("Your Spot Task was interr...");
    let best = &d.findings[0];
    assert_eq!(best.pattern, "fargate-spot-interruption");
    assert_eq!(best.confidence, Confidence::Medium);
    assert!(
        best.confidence_reason.contains("cut short"),
        "{}",
        best.confidence_reason
    );
}

#[test]
fn the_same_text_without_a_cut_mark_is_not_guessed_at() {
    let d = diagnose("Your Spot Task was interr");
    assert!(d.findings.is_empty(), "{:?}", d.findings);
}

#[test]
fn a_cut_before_the_deciding_words_stays_at_the_family() {
    // Cut after the image: timeout, DNS, 403 and "not found" all begin like this.
    let d = diagnose(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2: failed to do req...",
    );
    assert_eq!(d.findings[0].pattern, "cannot-pull-container-error");
    assert_eq!(d.findings[0].confidence, Confidence::Low);
}

#[test]
fn a_cut_in_the_key_phrase_names_the_likelier_cause_without_values() {
    let d = diagnose("Task failed ELB healt...");
    assert_eq!(d.findings[0].pattern, "elb-health-check-failed");
    assert!(d.findings[0].captures.is_empty());
}

#[test]
fn ecs_s_own_length_limit_counts_as_a_cut() {
    // 255 bytes, no mark: the EC2 agent's old cap on container reasons.
    let mut text = String::from("CannotPullContainerError: ");
    text.push_str(&"x".repeat(255 - text.len() - "Your Spot Task was interr".len()));
    text.push_str("Your Spot Task was interr");
    assert_eq!(text.len(), 255);
    assert_eq!(
        diagnose(&text).findings[0].pattern,
        "fargate-spot-interruption"
    );
}
