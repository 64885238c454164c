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
