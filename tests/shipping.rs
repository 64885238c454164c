//! What a release ships besides the binary's main job: completions, man pages, the version line.

mod common;

use std::process::Command;

use common::*;

fn stdout_of(args: &[&str]) -> String {
    let out = run(args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completions_cover_every_command_and_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for word in [
            "explain", "cluster", "events", "catalog", "redact", "output",
        ] {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    let unknown = run(&["completions", "tcsh"], None);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn bash_completions_are_valid_bash() {
    let dir = scratch_dir();
    let path = dir.path().join("ecs-diagnose.bash");
    std::fs::write(&path, stdout_of(&["completions", "bash"])).unwrap();
    let status = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(status.success());
}

#[test]
fn man_page_documents_the_commands() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH ecs-diagnose 1"),
        "{page}"
    );
    for word in [
        "explain",
        "cluster",
        "events",
        "\\-\\-redact",
        "built\\-in patterns",
    ] {
        assert!(page.contains(word), "the man page lacks `{word}`");
    }

    let scratch = scratch_dir();
    let dir = scratch.path().join("man1");
    let out = run(&["man", "--dir", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    for page in [
        "ecs-diagnose.1",
        "ecs-diagnose-explain.1",
        "ecs-diagnose-events.1",
        "ecs-diagnose-catalog-test.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
}

#[test]
fn version_states_the_number_of_built_in_patterns() {
    let version = stdout_of(&["--version"]);
    let listed = stdout_of(&["catalog", "list", "--output", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let count = listed.as_array().map(Vec::len).unwrap_or_default();
    assert!(count >= 50, "{listed}");
    assert_eq!(
        version.trim(),
        format!(
            "ecs-diagnose {} ({count} built-in patterns)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// A scratch directory, removed when it drops (also when the test fails).
fn scratch_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ecs-diagnose-shipping-")
        .tempdir()
        .unwrap()
}

/// `Cargo.toml` names zlib-rs only to turn on its `std` feature (run-time CPU detection: gzip
/// inflated with vector instructions). Features reach the copy flate2 uses only while both
/// ask for the same version: were flate2 to move to another, the lock file would hold two
/// copies and gzip would silently inflate with plain code again.
#[test]
fn the_zlib_rs_that_gets_std_is_the_one_flate2_uses() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("Cargo.lock is committed");
    let copies = lock.matches("\nname = \"zlib-rs\"\n").count();
    assert_eq!(copies, 1, "Cargo.lock holds {copies} copies of zlib-rs");
}
