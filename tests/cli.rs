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

/// Colour is the same text with styles around it: on when asked (`--color always`), never in
/// a pipe by default or under `NO_COLOR`, and stripping the styles gives the plain report.
#[test]
fn colour_only_wraps_the_plain_text() {
    let run = |args: &[&str], no_color: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"));
        command.args(args).env_remove("CLICOLOR_FORCE");
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        let out = command.output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let seed = "tests/fixtures/seed1-describe-tasks.json";
    let coloured = run(&["--color", "always", "explain", "--file", seed], false);
    let piped = run(&["explain", "--file", seed], false);
    let no_color = run(&["explain", "--file", seed], true);
    assert!(!piped.contains('\u{1b}'), "{piped}");
    assert_eq!(piped, no_color);
    // The title in bold, the command lines in green.
    assert!(coloured.contains("\u{1b}[1m"), "{coloured}");
    assert!(coloured.contains("    \u{1b}[32maws "), "{coloured}");
    let mut stripped = String::new();
    let mut rest = coloured.as_str();
    while let Some(at) = rest.find("\u{1b}[") {
        stripped.push_str(&rest[..at]);
        let end = rest[at..].find('m').expect("a style ends with m");
        rest = &rest[at + end + 1..];
    }
    stripped.push_str(rest);
    assert_eq!(stripped, piped);
}
