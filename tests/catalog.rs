//! Every pattern's examples and near misses, and the catalog's quality gates, as named tests:
//! `cargo test --test catalog <pattern-id>` runs one pattern's checks.

use std::sync::Arc;

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::catalog::verify;
use ecs_diagnose::engine::Engine;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let catalog = match Catalog::builtin() {
        Ok(catalog) => catalog,
        Err(errors) => {
            // A broken built-in file is one failing test that names it, not a panic.
            let trial = Trial::test("catalog::load", move || {
                Err(Failed::from(errors.to_string()))
            });
            libtest_mimic::run(&args, vec![trial]).exit();
        }
    };
    let engine = Arc::new(Engine::new(catalog).expect("the built-in catalog compiles"));
    let mut trials: Vec<Trial> = verify::plan(&engine, |_| true)
        .into_iter()
        .map(|check| {
            let engine = Arc::clone(&engine);
            let name = check.name(&engine);
            Trial::test(name, move || {
                verify::run(&engine, &check).map_err(Failed::from)
            })
        })
        .collect();
    let count = engine.catalog().len();
    trials.push(Trial::test("catalog::has_patterns", move || {
        if count == 0 {
            Err("the built-in catalog is empty".into())
        } else {
            Ok(())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}
