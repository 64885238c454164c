//! `--redact` over a corpus of realistic stop reasons that carry every kind of identifier it
//! promises to recognise (parameter names, addresses that end a sentence, names that equal our
//! JSON keys or are numbers, credentials, network ids, host names, account ids with dashes, the
//! names in ARNs of many services), through `explain`, `events` and `cluster` (moto), in every
//! format: nothing may survive, and JSON must still parse.

mod common;

use std::process::Command;

use common::moto::Moto;
use common::*;
use serde_json::{Value, json};

const FORMATS: [&str; 3] = ["text", "json", "markdown"];
const ACCOUNT: &str = "111122223333";

/// One stopped task of the corpus.
struct Case {
    cluster: &'static str,
    service: &'static str,
    family: &'static str,
    container: &'static str,
    reason: &'static str,
    container_reason: Option<&'static str>,
    exit_code: Option<i64>,
}

const CASES: &[Case] = &[
    // A parameter's name, learned from its ARN with its leading `/`.
    Case {
        cluster: "payments-prod",
        service: "status",
        family: "version",
        container: "ledger-api",
        reason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/payments-exec-role/8a1b2c3d4e is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:111122223333:parameter/acme/prod/db_password because no identity-based policy allows the ssm:GetParameters action",
        container_reason: None,
        exit_code: None,
    },
    // An address at the end of a sentence; a family that is a number, next to exit code 137.
    Case {
        cluster: "summary",
        service: "kind",
        family: "137",
        container: "app",
        reason: "Essential container in task exited",
        container_reason: Some(
            "CannotStartContainerError: failed to connect to 10.1.2.3. Connection refused",
        ),
        exit_code: Some(137),
    },
    // Credentials, which go with or without --redact, and an e-mail address.
    Case {
        cluster: "source",
        service: "run",
        family: "count",
        container: "uploader",
        reason: "CannotPullContainerError: Error response from daemon: Get \"https://deploy-bot:hunter2secret@registry.example.com/v2/\": unauthorized (Authorization: Basic ZGVwbG95Omh1bnRlcjI=) with key AKIAIOSFODNN7EXAMPLE, session key ASIAY34FZKBOKMUTVV7A and Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl; ask ops-team@example.com",
        container_reason: None,
        exit_code: None,
    },
    // Network ids, an EC2 host name, an account id with dashes, and a control sequence right
    // next to a name that becomes a token.
    Case {
        cluster: "orders-east",
        service: "checkout-web",
        family: "checkout-task",
        container: "checkout",
        reason: "ResourceInitializationError: failed to configure ENI eni-0a1b2c3d4e5f60718 in subnet-0123456789abcdef0 of vpc-0a1b2c3d with security group sg-12345678 on ip-10-20-3-41.ec2.internal for account 1111-2222-3333 (cluster orders-east\u{1b}[31m)",
        container_reason: None,
        exit_code: None,
    },
    // The names in ARNs of EFS, capacity providers, Lambda, SNS and App Mesh, also named alone.
    Case {
        cluster: "media-batch",
        service: "thumbnails",
        family: "thumbnailer",
        container: "worker",
        reason: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: mount target of arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0a1b2c3d4e5f60718 unreachable; capacity provider arn:aws:ecs:us-east-1:111122223333:capacity-provider/spot-pool-blue, hooks arn:aws:lambda:us-east-1:111122223333:function:resize-thumbnails and arn:aws:sns:us-east-1:111122223333:oncall-alerts, mesh arn:aws:appmesh:us-east-1:111122223333:mesh/storefront-mesh/virtualNode/cart-node; retry on spot-pool-blue after resize-thumbnails",
        container_reason: None,
        exit_code: None,
    },
];

/// What must not appear in any redacted output (besides every case's cluster, service and
/// family, checked as words).
const SECRETS: &[&str] = &[
    ACCOUNT,
    "payments-exec-role",
    "8a1b2c3d4e",
    "acme/prod",
    "db_password",
    "10.1.2.3",
    "hunter2secret",
    "deploy-bot",
    "ZGVwbG95Omh1bnRlcjI=",
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAY34FZKBOKMUTVV7A",
    "eyJhbGciOiJIUzI1NiJ9",
    "c2lnbmF0dXJlLXZhbHVl",
    "ops-team@example.com",
    "eni-0a1b2c3d4e5f60718",
    "subnet-0123456789abcdef0",
    "vpc-0a1b2c3d",
    "sg-12345678",
    "ip-10-20-3-41",
    "1111-2222-3333",
    "fs-0a1b2c3d4e5f60718",
    "spot-pool-blue",
    "resize-thumbnails",
    "oncall-alerts",
    "storefront-mesh",
    "cart-node",
];

/// The corpus's cluster, service and family names that are not common words: a pasted message
/// names them only in prose, so only task input (which states them) is checked for them.
const TASK_NAMES: &[&str] = &[
    "payments-prod",
    "orders-east",
    "checkout-web",
    "checkout-task",
    "media-batch",
    "thumbnailer",
];

/// Credentials: gone even without --redact.
const CREDENTIALS: &[&str] = &[
    "hunter2secret",
    "ZGVwbG95Omh1bnRlcjI=",
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAY34FZKBOKMUTVV7A",
    "eyJhbGciOiJIUzI1NiJ9",
];

fn task_arn(case: &Case, i: usize) -> String {
    format!(
        "arn:aws:ecs:us-east-1:{ACCOUNT}:task/{}/{i:032x}",
        case.cluster
    )
}

fn task_json(case: &Case, i: usize) -> Value {
    json!({
        "taskArn": task_arn(case, i),
        "clusterArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{}", case.cluster),
        "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{}:3", case.family),
        "group": format!("service:{}", case.service),
        "lastStatus": "STOPPED",
        "stopCode": "TaskFailedToStart",
        "stoppedReason": case.reason,
        "stoppedAt": format!("2026-11-23T10:0{i}:00Z"),
        "containers": [{
            "name": case.container,
            "exitCode": case.exit_code,
            "reason": case.container_reason,
            "lastStatus": "STOPPED",
        }],
    })
}

fn describe_tasks() -> String {
    let tasks: Vec<Value> = CASES
        .iter()
        .enumerate()
        .map(|(i, c)| task_json(c, i))
        .collect();
    json!({"tasks": tasks, "failures": []}).to_string()
}

fn events() -> String {
    CASES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut detail = task_json(c, i);
            detail["version"] = json!(5);
            json!({
                "version": "0", "detail-type": "ECS Task State Change", "source": "aws.ecs",
                "account": ACCOUNT, "region": "us-east-1", "time": "2026-11-23T10:00:00Z",
                "detail": detail,
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks one run's output: no secret, valid JSON, names that equal JSON keys replaced where
/// they are values.
fn check(what: &str, format: &str, stdout: &[u8], stderr: &[u8], task_input: bool) {
    let out = String::from_utf8_lossy(stdout);
    let err = String::from_utf8_lossy(stderr);
    let names = if task_input { TASK_NAMES } else { &[] };
    for text in [&out, &err] {
        for secret in SECRETS.iter().chain(names) {
            assert!(
                !text.contains(secret),
                "{what} {format}: `{secret}` survived:\n{text}"
            );
        }
        // Names that are also common words are checked where our own words never are.
        for case in CASES.iter().filter(|_| task_input) {
            for (label, name) in [
                ("cluster", case.cluster),
                ("service", case.service),
                ("family", case.family),
            ] {
                assert!(
                    !text.contains(&format!("{label} {name}")),
                    "{what} {format}: {label} `{name}` survived:\n{text}"
                );
            }
        }
        assert!(
            !text.contains("\\<") && !text.contains("<<"),
            "{what} {format}: a token was glued to an escape:\n{text}"
        );
    }
    if format == "json" {
        let report: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{what}: redacted JSON must parse ({e}):\n{out}"));
        for key in ["services", "families", "clusters"] {
            for group in report["groups"].as_array().into_iter().flatten() {
                for name in group[key].as_object().unwrap().keys() {
                    assert!(name.starts_with('<'), "{what}: {key} key `{name}` survived");
                }
            }
        }
        for d in report["diagnoses"].as_array().into_iter().flatten() {
            for field in ["cluster", "service", "family"] {
                if let Some(name) = d["task"][field].as_str() {
                    assert!(name.starts_with('<'), "{what}: task {field} `{name}`");
                }
            }
        }
    }
    if format != "json" {
        assert!(
            !out.contains('\u{1b}') || format == "text",
            "{what} {format}: raw escape"
        );
    }
}

#[test]
fn explain_redacts_the_whole_corpus_in_every_format() {
    let input = describe_tasks();
    for format in FORMATS {
        let out = run(
            &[
                "--redact",
                "--color",
                "never",
                "--output",
                format,
                "--verbose",
                "explain",
                "-",
            ],
            Some(input.as_bytes()),
        );
        check("explain", format, &out.stdout, &out.stderr, true);
        // Each message line on its own, as pasted text, too.
        for case in CASES {
            let out = run(
                &["--redact", "--output", format, "explain", case.reason],
                None,
            );
            check("explain (pasted)", format, &out.stdout, &out.stderr, false);
        }
    }
}

#[test]
fn events_redacts_the_whole_corpus_in_every_format() {
    let dir = tempfile::Builder::new()
        .prefix("ecs-diagnose-corpus-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, events()).unwrap();
    for format in FORMATS {
        let out = run(
            &[
                "--redact",
                "--color",
                "never",
                "--output",
                format,
                "--verbose",
                "events",
                path.to_str().unwrap(),
            ],
            None,
        );
        check("events", format, &out.stdout, &out.stderr, true);
    }
}

#[test]
fn cluster_redacts_the_whole_corpus_in_every_format() {
    // moto keeps tasks per cluster: one server per cluster name of the corpus.
    for case in CASES {
        let container = json!([
            case.container,
            "public.ecr.aws/nginx/nginx:latest",
            case.exit_code,
            case.container_reason
        ]);
        let scenarios = json!([[
            case.family,
            format!("service:{}", case.service),
            case.reason,
            "TaskFailedToStart",
            [container],
            1
        ]]);
        let moto = Moto::start_scenarios(&scenarios, case.cluster);
        for format in FORMATS {
            let out = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
                .args([
                    "--redact",
                    "--color",
                    "never",
                    "--output",
                    format,
                    "--verbose",
                ])
                .args(["cluster", case.cluster, "--endpoint-url", &moto.endpoint()])
                .args(["--region", "us-east-1"])
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .output()
                .expect("the binary runs");
            check("cluster", format, &out.stdout, &out.stderr, true);
            // moto's tasks live in its own account.
            for text in [&out.stdout, &out.stderr] {
                assert!(
                    !String::from_utf8_lossy(text).contains("123456789012"),
                    "cluster {format}: moto's account survived"
                );
            }
        }
    }
}

#[test]
fn credentials_are_masked_without_redact() {
    let input = describe_tasks();
    for format in FORMATS {
        let out = run(
            &["--output", format, "--verbose", "explain", "-"],
            Some(input.as_bytes()),
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for secret in CREDENTIALS {
            assert!(
                !text.contains(secret),
                "{format}: `{secret}` shown:\n{text}"
            );
        }
        assert!(text.contains("<credentials>"), "{format}: {text}");
        // Without --redact, the rest is shown as it is.
        assert!(text.contains("payments-exec-role"), "{format}: {text}");
    }
}
