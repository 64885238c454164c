//! Helpers shared by the integration tests: run the real binary, parse its JSON.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub const SEED_1: &str = r#"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:latest: failed to do request: Head "https://public.ecr.aws/v2/nginx/nginx/manifests/latest": dial tcp 99.83.145.10:443: i/o timeout"#;
pub const SEED_2: &str = r#"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/repo:latest: failed to do request: Head "https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/v2/repo/manifests/latest": dial tcp: lookup 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com on 10.0.0.2:53: no such host"#;
pub const SEED_3: &str = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecr-public/nginx/nginx:stable: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecr-public/nginx/nginx:stable: not found";

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"));
    cmd.env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs the binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("piped");
    let data = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(data) = data {
            let _ = input.write_all(&data);
        }
    });
    let output = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer finishes");
    output
}

/// Runs `explain --output json` and parses the report.
pub fn explain_json(args: &[&str], stdin: Option<&[u8]>) -> (Value, i32) {
    let mut full = vec!["explain", "--output", "json"];
    full.extend_from_slice(args);
    let out = run(&full, stdin);
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (value, out.status.code().expect("exit code"))
}

/// The best finding of the first diagnosis.
pub fn top(report: &Value) -> &Value {
    &report["diagnoses"][0]["findings"][0]
}

/// Everything a finding tells the user, as one string.
pub fn finding_text(finding: &Value) -> String {
    serde_json::to_string(finding).unwrap()
}
pub mod fake_ecs;
pub mod moto;
pub mod probe_world;

/// Validates JSON documents against docs/json-output.schema.json with a real JSON Schema
/// validator (Python's `jsonschema`, from the environment scripts/test.sh prepares).
pub fn validate_json(documents: &[String]) {
    let python = std::env::var_os("ECS_DIAGNOSE_TEST_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
        });
    assert!(
        python.exists(),
        "run the tests with scripts/test.sh (it installs the JSON Schema validator)"
    );
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(python)
        .arg(root.join("tests/live/validate_json.py"))
        .arg(root.join("docs/json-output.schema.json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for doc in documents {
        writeln!(stdin, "{doc}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
