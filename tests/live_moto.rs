//! `ecs-diagnose cluster` and `task` against a real ECS API implementation (moto), seeded with
//! the seed scenarios and common failures. Run through scripts/test.sh.

mod common;

use std::process::Command;

use common::moto::Moto;
use serde_json::Value;

fn live(moto: &Moto, args: &[&str]) -> (Value, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args(args)
        .args([
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (report, out.status.code().expect("exit code"), stderr)
}

fn group<'a>(report: &'a Value, pattern: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["pattern"] == pattern)
        .unwrap_or_else(|| panic!("no group {pattern} in {}", report["groups"]))
}

#[test]
fn cluster_groups_stopped_tasks_by_cause_with_filled_in_fixes() {
    let moto = Moto::start(None);
    let (report, code, stderr) = live(&moto, &["cluster", "demo"]);
    assert_eq!(
        code, 1,
        "one seeded reason is unrecognised; stderr: {stderr}"
    );
    assert_eq!(report["summary"]["tasks"], 13);
    assert_eq!(report["summary"]["failures"], 8);
    assert_eq!(report["summary"]["benign"], 4);
    assert_eq!(report["summary"]["unrecognised"], 1);
    assert_eq!(report["scan"]["account"], "123456789012");
    assert_eq!(report["scan"]["api_calls"]["ListTasks"], 1);
    assert_eq!(report["scan"]["api_calls"]["DescribeTasks"], 1);

    // Seed 1: three tasks, one group, the rewritten image in the task's own account and region.
    let seed1 = group(&report, "ecr-public-unreachable-via-vpc-endpoints");
    assert_eq!(seed1["count"], 3);
    assert_eq!(seed1["services"]["web"], 3);
    assert_eq!(seed1["first_stopped_at"], "2026-11-23T09:00:00Z");
    assert_eq!(seed1["last_stopped_at"], "2026-11-23T09:02:00Z");
    let fix = seed1["finding"]["fix"].as_str().unwrap();
    assert!(
        fix.contains("123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:latest"),
        "{fix}"
    );
    let seeded_web: Vec<String> = moto
        .seeded
        .iter()
        .filter(|t| {
            t["reason"]
                .as_str()
                .unwrap()
                .contains("public.ecr.aws/nginx/nginx:latest")
        })
        .map(|t| {
            t["arn"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for id in seed1["example_tasks"].as_array().unwrap() {
        assert!(
            seeded_web.contains(&id.as_str().unwrap().to_string()),
            "{id} is not a seed-1 task"
        );
    }

    // Seed 3 and the OOM kill: the container reason decides, exit 137 with OutOfMemoryError.
    let seed3 = group(&report, "ecr-pull-through-cache-not-found");
    assert_eq!(seed3["count"], 2);
    assert!(
        seed3["finding"]["fix"]
            .as_str()
            .unwrap()
            .contains("ecr:BatchImportUpstreamImage")
    );
    let oom = group(&report, "oom-container-killed");
    assert_eq!(oom["count"], 2);
    assert_eq!(oom["services"]["api"], 2);
    assert!(oom["finding"]["cause"].as_str().unwrap().contains("`api`"));

    // Seed 2: the record and zone named from the error.
    let seed2 = group(&report, "ecr-dkr-name-shadowed-by-private-zone");
    assert_eq!(seed2["families"]["worker"], 1);
    assert!(
        seed2["finding"]["fix"]
            .as_str()
            .unwrap()
            .contains("`123456789012.dkr.ecr.us-east-1.amazonaws.com`")
    );

    // Normal stops apart from failures; the unknown reason listed as a gap with a stub.
    let scaling = group(&report, "scaling-activity-deployment");
    assert_eq!(scaling["status"], "benign");
    assert_eq!(scaling["count"], 4);
    let unknown = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["pattern"].is_null())
        .unwrap();
    assert_eq!(
        unknown["masked_text"],
        "WidgetError: the frobnicator gave up after <n>s"
    );
    assert!(unknown["pattern_stub"].as_str().unwrap().contains("regex:"));

    // One diagnosis per task, too.
    assert_eq!(report["diagnoses"].as_array().unwrap().len(), 13);
}

#[test]
fn cluster_family_filter() {
    let moto = Moto::start(None);
    let (report, code, _) = live(&moto, &["cluster", "demo", "--family", "api"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["tasks"], 2);
    assert_eq!(report["groups"].as_array().unwrap().len(), 1);
    assert_eq!(report["groups"][0]["pattern"], "oom-container-killed");
    assert_eq!(report["scan"]["filter"], "family api");
}

#[test]
fn cluster_limit_and_text_output() {
    let moto = Moto::start(None);
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args([
            "cluster",
            "demo",
            "--limit",
            "5",
            "--color",
            "never",
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("cluster demo · us-east-1 · account 123456789012\n5 stopped tasks:"),
        "{text}"
    );
    assert!(text.contains("Failures, most frequent first"), "{text}");
}

#[test]
fn task_command_diagnoses_named_tasks() {
    let moto = Moto::start(None);
    let arn = moto
        .seeded
        .iter()
        .find(|t| t["family"] == "api")
        .map(|t| t["arn"].as_str().unwrap().to_string())
        .unwrap();
    let id = arn.rsplit('/').next().unwrap().to_string();
    let (report, code, stderr) = live(&moto, &["task", "--cluster", "demo", &id]);
    assert_eq!(code, 0, "{stderr}");
    let d = &report["diagnoses"][0];
    assert_eq!(d["task"]["arn"], arn.as_str());
    assert_eq!(d["findings"][0]["pattern"], "oom-container-killed");
}

#[test]
fn a_cluster_that_does_not_exist_is_a_clear_error() {
    let moto = Moto::start(None);
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args([
            "cluster",
            "nope",
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cluster `nope` does not exist in us-east-1"),
        "{err}"
    );
    assert!(
        err.contains("aws ecs list-clusters --region us-east-1"),
        "{err}"
    );
}
