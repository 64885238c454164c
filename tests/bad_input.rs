//! Bad input gets a clear message and the right exit code; nothing that was read is lost; memory
//! stays bounded whatever the input's size.

mod common;

use std::fs;
use std::process::{Command, Stdio};

use common::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn empty_input_is_an_error() {
    for input in ["", "  \n\t\n"] {
        let out = run(&["explain", "-"], Some(input.as_bytes()));
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("the input is empty"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn no_input_at_all_is_a_usage_error() {
    let out = bin().arg("explain").stdin(Stdio::null()).output().unwrap();
    // stdin is not a terminal here, so it is read: and it is empty.
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning() {
    let mut input = SEED_3.as_bytes().to_vec();
    input.push(b'\n');
    input.extend_from_slice(SEED_1.as_bytes());
    input.extend_from_slice(b" \xff\xfe\n");
    let (report, code) = explain_json(&["-"], Some(&input));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["diagnoses"].as_array().unwrap().len(), 2);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("not valid UTF-8 (line 2)"), "{warnings}");
}

#[test]
fn malformed_json_reports_line_and_column_and_keeps_what_was_read() {
    let doc = format!(
        "{{\"tasks\": [\n  {{\"taskArn\": \"arn:aws:ecs:us-east-1:123456789012:task/prod/a1\", \"stoppedReason\": {}}},\n  {{\"taskArn\": }}\n]}}",
        serde_json::to_string(SEED_3).unwrap()
    );
    let out = run(&["explain", "-", "--output", "json"], Some(doc.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("malformed JSON at line 3, column 15"), "{err}");
    assert!(err.contains("--input-format text"), "{err}");
    // The task before the error is still diagnosed, and the report says where reading stopped.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["diagnoses"][0]["findings"][0]["pattern"],
        "ecr-pull-through-cache-not-found"
    );
    assert!(report["errors"][0].as_str().unwrap().contains("line 3"));
}

#[test]
fn unknown_json_shape_says_what_was_expected() {
    let out = run(
        &["explain", "-"],
        Some(br#"{"clusterName": "prod", "status": "ACTIVE"}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("found an object with keys clusterName, status"),
        "{err}"
    );
    assert!(err.contains("describe-tasks"), "{err}");
}

#[test]
fn forced_format_mismatch_is_explained() {
    let path = fixture("seed2-event.json");
    let out = run(
        &[
            "explain",
            "--input-format",
            "describe-tasks",
            "--file",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected `aws ecs describe-tasks` output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unrecognised_input_exits_1_with_a_stub() {
    let (report, code) = explain_json(
        &["WidgetError: the frobnicator at 10.1.2.3 gave up after 30s"],
        None,
    );
    assert_eq!(code, 1);
    let d = &report["diagnoses"][0];
    assert_eq!(d["status"], "unrecognised");
    assert_eq!(d["recognised"], false);
    let u = &d["unrecognised"];
    assert_eq!(
        u["normalized"][0]["text"],
        "WidgetError: the frobnicator at 10.1.2.3 gave up after 30s"
    );
    let stub = u["pattern_stub"].as_str().unwrap();
    assert!(
        stub.contains("id: custom-widgeterror-the-frobnicator-at"),
        "{stub}"
    );
    assert!(u["next_steps"].as_array().unwrap().len() >= 3);
}

#[test]
fn missing_file_is_an_error() {
    let out = run(&["explain", "--file", "/nonexistent/stopped.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot open `/nonexistent/stopped.json`"));
}

/// Runs the binary with its address space capped, so holding the input in memory would fail.
fn run_with_memory_cap(args: &str, input_cmd: &str) -> std::process::Output {
    let script = format!(
        "{input_cmd} | (ulimit -v 400000; exec '{}' {args})",
        env!("CARGO_BIN_EXE_ecs-diagnose")
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_100_mb_single_line_paste_is_read_in_bounded_memory() {
    let out = run_with_memory_cap(
        "explain - --output json",
        "head -c 104857600 /dev/zero | tr '\\0' 'x'",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["warnings"]
            .to_string()
            .contains("104857600 bytes long"),
        "{}",
        report["warnings"]
    );
}

#[test]
fn a_100_mb_paste_of_many_lines_streams() {
    // ~350k copies of seed 3 (100 MB): streamed line by line, identical reasons matched once.
    let dir = tempdir();
    let path = dir.path().join("seed.txt");
    fs::write(&path, format!("{SEED_3}\n")).unwrap();
    let out = run_with_memory_cap(
        "explain - --color never",
        &format!("yes \"$(cat '{}')\" | head -c 104857600", path.display()),
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&out)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("same as line 1: ERROR ecr-pull-through-cache-not-found")
            || text.contains("same as line 1:"),
        "{}",
        &text[..500.min(text.len())]
    );
    assert!(
        text.lines().last().unwrap().contains("diagnosed"),
        "{}",
        text.lines().last().unwrap()
    );
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let doc = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let out = run(&["explain", "-"], Some(doc.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("recursion limit"), "{}", stderr(&out));
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let script = format!(
        "yes '{}' | head -n 20000 | '{}' explain - | head -n 1",
        SEED_1.replace('\'', "'\\''"),
        env!("CARGO_BIN_EXE_ecs-diagnose")
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "set -o pipefail 2>/dev/null; {script}; echo \"status=$?\" >&2"
        ))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}

/// A scratch directory, removed when it drops (also when the test fails).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ecs-diagnose-test-")
        .tempdir()
        .unwrap()
}

#[test]
fn a_field_of_the_wrong_type_or_given_twice_costs_a_warning_not_the_task() {
    let doc = r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/demo/1","stoppedReason":"x","stoppedReason":"Essential container in task exited","stopCode":{"odd":true},"containers":[{"name":"app","exitCode":"137","reason":"OutOfMemoryError: Container killed due to memory usage"},"junk"]}]}"#;
    let out = run(&["explain", "-", "--output", "json"], Some(doc.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["diagnoses"][0]["findings"][0]["pattern"],
        "oom-container-killed"
    );
    let warnings = report["warnings"].to_string();
    for said in [
        "`stoppedReason` is given twice",
        "`exitCode` is text (\\\"137\\\"); read as the number 137",
        "`stopCode` is an object, not text",
    ] {
        assert!(warnings.contains(said), "{said}: {warnings}");
    }
}

#[test]
fn utf16_input_is_decoded() {
    for little in [true, false] {
        let mut bytes = Vec::new();
        for unit in std::iter::once(0xFEFF).chain(SEED_1.encode_utf16()) {
            if little {
                bytes.extend_from_slice(&unit.to_le_bytes());
            } else {
                bytes.extend_from_slice(&unit.to_be_bytes());
            }
        }
        let out = run(&["explain", "-", "--output", "json"], Some(&bytes));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["diagnoses"][0]["findings"][0]["pattern"],
            "ecr-public-unreachable-via-vpc-endpoints"
        );
        assert!(report["warnings"].to_string().contains("UTF-16"));
    }
}

#[test]
fn usage_errors_are_redacted_and_escaped() {
    let out = run(
        &[
            "--redact",
            "events",
            "--since",
            "arn:aws:ecs:us-east-1:111122223333:cluster/payments-prod",
            "x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("invalid value"), "{err}");
    assert!(
        !err.contains("111122223333") && !err.contains("payments-prod"),
        "{err}"
    );
    let out = run(&["events", "--bogus\u{1b}[2J"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
}
