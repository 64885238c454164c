//! The documents generated from the catalog stay in step with it.
//! Refresh with `ECS_DIAGNOSE_BLESS=1 cargo test --test docs`.

mod common;

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn patterns_page_is_current() {
    let out = common::run(&["catalog", "list", "--output", "markdown"], None);
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = root().join("docs/patterns.md");
    if std::env::var_os("ECS_DIAGNOSE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/patterns.md is out of date: run `ECS_DIAGNOSE_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn readme_states_the_catalog_size() {
    let count = ecs_diagnose::catalog::builtin_pattern_count();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("{count} patterns")),
        "README.md should say the catalog has {count} patterns"
    );
}
