//! Any text as a user pattern file: loaded as `--catalog` loads it, and when it loads, its
//! examples and near misses run as `catalog test` runs them.
#![no_main]

use ecs_diagnose::catalog::{Catalog, verify};
use ecs_diagnose::engine::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(catalog) = Catalog::from_user_text("fuzz.yaml", text) else {
        return;
    };
    let Ok(engine) = Engine::new(catalog) else {
        return;
    };
    for check in verify::plan(&engine, |_| true) {
        let _ = check.name(&engine);
        let _ = verify::run(&engine, &check);
    }
});
