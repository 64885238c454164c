//! Any bytes as an event archive (plain or gzip): read, classified, grouped and rendered in
//! every format, with and without `--redact`. JSON must parse, text must carry no control
//! character from the input, and redacted groups name services, families and clusters only by
//! their tokens.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use ecs_diagnose::archive::{self, Filters, read::Input};
use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::Engine;
use ecs_diagnose::render::grouped::{GroupedReport, ScanInfo};
use ecs_diagnose::render::{Output, OutputFormat, RenderOptions};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Catalog::load(&[]).unwrap()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    // The archive reader takes files; a per-process scratch file keeps runs independent.
    let path =
        std::env::temp_dir().join(format!("ecs-diagnose-fuzz-events-{}", std::process::id()));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(data)
        .unwrap();
    let scan = archive::scan(
        engine(),
        &[Input::File(path)],
        &Filters::default(),
        &Defaults::default(),
        1,
        &|_| {},
    );
    let warnings = scan.skips.warnings();
    let scan_info = ScanInfo {
        kind: "events",
        timeline_bucket: Some(archive::HOUR),
        ..ScanInfo::default()
    };
    let report = GroupedReport {
        scan: &scan_info,
        grouping: &scan.grouping,
        diagnoses: &[],
        warnings: &warnings,
        errors: &scan.errors,
    };
    for redact in [false, true] {
        for format in [
            OutputFormat::Text,
            OutputFormat::Json,
            OutputFormat::Markdown,
        ] {
            let output = Output::new(format, RenderOptions::default(), redact);
            let mut out = Vec::new();
            output
                .grouped(&mut out, engine(), &Defaults::default(), &report)
                .unwrap();
            let text = String::from_utf8(out).expect("output is UTF-8");
            match format {
                OutputFormat::Json => {
                    let value: serde_json::Value =
                        serde_json::from_str(&text).expect("JSON output parses");
                    if redact {
                        check_names(&value);
                    }
                }
                OutputFormat::Text => assert!(
                    !text
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "a control character reached the text output: {text:?}"
                ),
                OutputFormat::Markdown => {}
            }
        }
    }
    let _ = std::fs::remove_file(
        std::env::temp_dir().join(format!("ecs-diagnose-fuzz-events-{}", std::process::id())),
    );
});

/// Every service, family and cluster a redacted group names is a token (or a name the
/// redactor does not take: under three characters).
fn check_names(report: &serde_json::Value) {
    for group in report["groups"].as_array().into_iter().flatten() {
        for key in ["services", "families", "clusters"] {
            for name in group[key].as_object().into_iter().flatten().map(|(k, _)| k) {
                let trimmed =
                    name.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'));
                assert!(
                    name.starts_with('<') || trimmed.chars().count() < 3 || trimmed.contains('<'),
                    "{key}: `{name}` survived redaction"
                );
            }
        }
    }
}
