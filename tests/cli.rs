//! CLI snapshots: every input shape, output format and error format, as a user runs them.
//! Refresh after an intended change with `TRYCMD=overwrite cargo test --test cli`, then review
//! the diff.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .case("tests/cmd/*.toml");
}

/// A build without the `probe` feature keeps `--probe` in its help and says how to get it.
#[cfg(not(feature = "probe"))]
#[test]
fn probe_needs_the_probe_feature() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args(["explain", "--probe", "WidgetError: x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--features probe"), "{stderr}");
}
