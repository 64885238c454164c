//! Redaction on any input. The bytes are split into a name and a text: once learned, the name
//! never survives in a sentence that mentions it, redaction is idempotent, and a diagnosis of
//! the text shown through `--redact` still serialises to JSON that parses.
#![no_main]

use std::sync::OnceLock;

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::{Engine, MatchCache};
use ecs_diagnose::model::Evidence;
use ecs_diagnose::redact::{Kind, Redactor};
use ecs_diagnose::render::{OutputFormat, RenderOptions, Renderer, Summary};
use ecs_diagnose::render::Output;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Catalog::load(&[]).unwrap()).unwrap())
}

/// Whether the redactor takes `name` (see `Redactor::learn_name`): what is left after trimming
/// is long enough, is not a placeholder, and is not inside one of AWS's host names.
fn learnable(name: &str) -> bool {
    name.chars().count() >= 3 && !name.contains('<') && !name.contains("amazonaws")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let name = name.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'));

    let mut redactor = Redactor::new();
    redactor.learn_name(Kind::Service, name);
    redactor.learn_text(rest);
    if learnable(name) {
        let sentence = format!("service {name} failed");
        let redacted = redactor.redact(&sentence);
        assert!(
            !redacted.contains(&format!(" {name} ")),
            "{name:?} survived: {redacted:?}"
        );
    }
    let once = redactor.redact(rest);
    assert_eq!(redactor.redact(&once), once, "redaction is idempotent on {rest:?}");

    // The same through a diagnosis, as `explain --redact` shows it.
    let output = Output::new(OutputFormat::Json, RenderOptions::default(), true);
    let mut evidence = Evidence::pasted(1, rest.to_string());
    evidence.meta.service = Some(name.to_string());
    let diagnosis = output.diagnose(
        engine(),
        &evidence,
        &Defaults::default(),
        &mut MatchCache::default(),
    );
    if learnable(name) {
        assert!(
            diagnosis
                .task
                .service
                .as_deref()
                .is_some_and(|s| s.starts_with('<')),
            "the service name stayed: {:?}",
            diagnosis.task.service
        );
    }
    let mut out = Vec::new();
    let mut renderer = Renderer::new(OutputFormat::Json, &mut out, RenderOptions::default());
    renderer.diagnosis(&diagnosis).unwrap();
    renderer.finish(&Summary::default()).unwrap();
    serde_json::from_slice::<serde_json::Value>(&out).expect("redacted JSON parses");
});
