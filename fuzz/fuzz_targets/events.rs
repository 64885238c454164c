//! Any bytes as an event archive (plain or gzip): read, classified, grouped and rendered.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use ecs_diagnose::archive::{self, Filters, read::Input};
use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::context::Defaults;
use ecs_diagnose::engine::Engine;
use ecs_diagnose::render::grouped::{self, GroupedReport, ScanInfo};
use ecs_diagnose::render::{OutputFormat, RenderOptions};
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
    for format in [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Markdown,
    ] {
        let mut out = Vec::new();
        grouped::render(format, &mut out, &report, RenderOptions::default(), None).unwrap();
        if format == OutputFormat::Json {
            serde_json::from_slice::<serde_json::Value>(&out).expect("JSON output parses");
        }
    }
});
