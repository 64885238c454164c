//! Any bytes as `explain` input: detected, parsed, diagnosed and rendered in every format, with
//! and without `--redact`. JSON output must parse; text output must carry no control character
//! from the input; a redacted diagnosis names no cluster, service or family it learned.
#![no_main]

use std::sync::OnceLock;

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::{Engine, MatchCache};
use ecs_diagnose::input::{self, InputFormat, Warnings};
use ecs_diagnose::render::{Output, OutputFormat, RenderOptions, Renderer, Summary};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Catalog::load(&[]).unwrap()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let engine = engine();
    let mut diagnoses = Vec::new();
    let mut cache = MatchCache::default();
    let defaults = Defaults::default();
    let mut warnings = Warnings::default();
    let redacting = Output::new(OutputFormat::Json, RenderOptions::default(), true);
    let plain = Output::new(OutputFormat::Json, RenderOptions::default(), false);
    let mut sink = |evidence| {
        diagnoses.push(plain.diagnose(engine, &evidence, &defaults, &mut cache));
        let redacted = redacting.diagnose(engine, &evidence, &defaults, &mut cache);
        for name in [&redacted.task.cluster, &redacted.task.service, &redacted.task.family]
            .into_iter()
            .flatten()
        {
            // Names the redactor does not take: under three characters, or placeholders.
            let trimmed = name.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'));
            assert!(
                name.starts_with('<') || trimmed.chars().count() < 3 || trimmed.contains('<'),
                "a learned name survived: {name:?}"
            );
        }
        diagnoses.push(redacted);
        Ok(())
    };
    // Errors (malformed JSON, empty input) are fine; panics are not.
    let _ = input::read(data, InputFormat::Auto, &mut sink, &mut warnings);

    for format in [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Markdown,
    ] {
        let mut out = Vec::new();
        let mut renderer = Renderer::new(format, &mut out, RenderOptions::default());
        let mut summary = Summary::default();
        for d in &diagnoses {
            summary.add(d);
            renderer.diagnosis(d).unwrap();
        }
        renderer.finish(&summary).unwrap();
        let text = String::from_utf8(out).expect("output is UTF-8");
        match format {
            OutputFormat::Json => {
                serde_json::from_str::<serde_json::Value>(&text).expect("JSON output parses");
            }
            OutputFormat::Text => {
                assert!(
                    !text
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "a control character reached the text output: {text:?}"
                );
            }
            OutputFormat::Markdown => {}
        }
    }
});
