//! Every JSON shape the binary writes validates against the published schema
//! (docs/json-output.schema.json), checked with a real JSON Schema validator (Python's
//! `jsonschema`, from the test environment scripts/test.sh prepares).

mod common;

use std::process::Command;

use common::fake_ecs::{FakeEcs, Reply, describe_oom, list_page, task_arns};
use common::*;

fn json_out(args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = run(args, stdin);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.trim().is_empty(),
        "no output for {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The document as one line (the per-task renderer spreads one document over several lines).
fn documents(text: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    vec![value.to_string()]
}

#[test]
fn every_output_shape_validates_against_the_published_schema() {
    let mut docs = Vec::new();
    for seed in [SEED_1, SEED_2, SEED_3, "WidgetError: nothing knows this"] {
        docs.extend(documents(&json_out(&["explain", "-o", "json", seed], None)));
    }
    for file in [
        "seed1-describe-tasks.json",
        "seed2-event.json",
        "seed3-events.jsonl",
        "oom-task.json",
        "service-events.txt",
        "pasted-console.txt",
    ] {
        let path = fixture(file);
        docs.extend(documents(&json_out(
            &["explain", "-o", "json", "--file", path.to_str().unwrap()],
            None,
        )));
    }
    // A document cut short by malformed JSON still validates, with its `errors`.
    let broken = format!(
        "{{\"tasks\": [{{\"stoppedReason\": {}}}, {{\"taskArn\": }}]}}",
        serde_json::to_string(SEED_1).unwrap()
    );
    docs.extend(documents(&json_out(
        &["explain", "-o", "json", "-"],
        Some(broken.as_bytes()),
    )));

    // The grouped document of `cluster`, partial and complete.
    let arns = task_arns(150);
    let fake = FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ if body["tasks"].as_array().unwrap().len() == 50 => {
            Reply::Error(500, "ServerException", "Internal error")
        }
        _ => Reply::Ok(describe_oom(body)),
    });
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args([
            "cluster",
            "demo",
            "-o",
            "json",
            "--endpoint-url",
            &fake.endpoint(),
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    docs.extend(documents(&String::from_utf8(out.stdout).unwrap()));
    validate_json(&docs);
}

#[test]
#[should_panic(expected = "error(s)")]
fn the_validator_rejects_a_renamed_field() {
    let doc = json_out(&["explain", "-o", "json", SEED_1], None)
        .replace("\"confidence\"", "\"certainty\"");
    validate_json(&documents(&doc));
}
