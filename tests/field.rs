//! The catalog scored on the field corpus (tests/field/): real stopped-task messages as people
//! published them. Prints the whole report, and fails when top-1, top-3, a confident finding
//! against a confirmed fix, or a damaged form falls below its target. The same report:
//! `ecs-diagnose catalog accuracy tests/field`.

use std::path::PathBuf;

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::catalog::field::{self, Targets};
use ecs_diagnose::engine::Engine;

/// Entries cut to 75% lose their deciding words more often than any other damage (an SSM
/// error cut before "AccessDenied" or "not found" is honestly ambiguous); this is the level
/// the catalog reaches today, so a change that loses ground fails.
const CUT_FLOOR: f64 = 85.0;

fn main() {
    let engine = Engine::new(Catalog::builtin().expect("the catalog loads")).expect("it compiles");
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/field");
    let entries = match field::load(&[corpus], &engine) {
        Ok(entries) => entries,
        Err(problems) => {
            eprintln!("the field corpus does not load:\n{problems}");
            std::process::exit(1);
        }
    };
    assert!(
        entries.len() >= 300,
        "the corpus has {} entries",
        entries.len()
    );
    let targets = Targets {
        robust_cut: CUT_FLOOR,
        ..Targets::default()
    };
    let report = field::score(&engine, &entries, targets);
    let mut out = std::io::stdout().lock();
    field::write_text(&report, &mut out).expect("write the report");
    if !report.passed() {
        std::process::exit(1);
    }
}
