//! The live path's pagination and failure modes against a fault-injecting ECS server on
//! 127.0.0.1: every error is a clear message (exit 2), and nothing fetched is dropped.

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::fake_ecs::{FakeEcs, Reply, describe_oom, list_page, task_arns};
use serde_json::{Value, json};

fn run(endpoint: &str, args: &[&str]) -> Output {
    // Killed after a minute: a binary that loops (on a repeated page token, say) fails the
    // test instead of hanging it.
    Command::new("timeout")
        .arg("60")
        .arg(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args(args)
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("the binary runs")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn paginated(n: usize) {
    let arns = task_arns(n);
    let fake = FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => {
            assert_eq!(body["desiredStatus"], "STOPPED");
            Reply::Ok(list_page(&arns, body))
        }
        "DescribeTasks" => {
            assert!(
                body["tasks"].as_array().unwrap().len() <= 100,
                "at most 100 tasks per DescribeTasks"
            );
            Reply::Ok(describe_oom(body))
        }
        _ => Reply::Error(400, "UnknownOperationException", "unknown"),
    });
    let out = run(&fake.endpoint(), &["cluster", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    let pages = n.div_ceil(100);
    assert_eq!(report["summary"]["tasks"], n);
    assert_eq!(report["groups"][0]["pattern"], "oom-container-killed");
    assert_eq!(report["groups"][0]["count"], n);
    // At the floor of API calls: one ListTasks page and one DescribeTasks call per 100 tasks.
    assert_eq!(fake.count("ListTasks"), pages);
    assert_eq!(fake.count("DescribeTasks"), pages);
    assert_eq!(report["scan"]["api_calls"]["ListTasks"], pages);
    assert_eq!(report["scan"]["api_calls"]["DescribeTasks"], pages);
}

#[test]
fn pagination_past_100() {
    paginated(250);
}

#[test]
fn pagination_past_1000() {
    paginated(1050);
}

/// Three stopped tasks listed; DescribeTasks reports the first as MISSING and describes the rest.
fn three_tasks_one_missing() -> FakeEcs {
    let arns = task_arns(3);
    FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ => {
            let mut out = describe_oom(body);
            let first = out["tasks"].as_array_mut().unwrap().remove(0);
            out["failures"] = json!([{"arn": first["taskArn"], "reason": "MISSING"}]);
            Reply::Ok(out)
        }
    })
}

#[test]
fn describe_failures_are_warnings_and_the_rest_is_diagnosed() {
    let fake = three_tasks_one_missing();
    let out = run(&fake.endpoint(), &["cluster", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["summary"]["tasks"], 2);
    let warning = report["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("MISSING") && warning.contains("about an hour"),
        "{warning}"
    );
}

#[test]
fn throttling_is_retried_with_backoff() {
    let arns = task_arns(5);
    let fake = FakeEcs::start(move |op, body, n| match op {
        "ListTasks" if n < 2 => Reply::Error(400, "ThrottlingException", "Rate exceeded"),
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ => Reply::Ok(describe_oom(body)),
    });
    let out = run(&fake.endpoint(), &["cluster", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["summary"]["tasks"], 5);
    assert_eq!(fake.count("ListTasks"), 3);
}

#[test]
fn persistent_throttling_gives_a_partial_result_that_says_so() {
    let arns = task_arns(150);
    let fake = FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        // The second batch (tasks 100..150) never gets through.
        _ if body["tasks"].as_array().unwrap().len() == 50 => {
            Reply::Error(400, "ThrottlingException", "Rate exceeded")
        }
        _ => Reply::Ok(describe_oom(body)),
    });
    let out = run(&fake.endpoint(), &["cluster", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(2), "a partial result is an error");
    let report = json_of(&out);
    // The 100 tasks that were fetched are still diagnosed...
    assert_eq!(report["summary"]["tasks"], 100);
    assert_eq!(report["summary"]["partial"], true);
    // ...and the report names the 50 that were not, and why.
    let error = report["errors"][0].as_str().unwrap();
    assert!(
        error.starts_with("50 task(s) were not diagnosed"),
        "{error}"
    );
    assert!(error.contains("throttled"), "{error}");
}

#[test]
fn server_errors_keep_what_was_fetched() {
    let arns = task_arns(150);
    let fake = FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ if body["tasks"].as_array().unwrap().len() == 50 => {
            Reply::Error(500, "ServerException", "Internal error")
        }
        _ => Reply::Ok(describe_oom(body)),
    });
    let out = run(&fake.endpoint(), &["cluster", "demo", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("100 stopped tasks") && text.contains("partial"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("50 task(s) were not diagnosed") && err.contains("server error"),
        "{err}"
    );
}

#[test]
fn access_denied_names_the_actions_needed() {
    let fake = FakeEcs::start(|_, _, _| {
        Reply::Error(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:ListTasks",
        )
    });
    let out = run(&fake.endpoint(), &["cluster", "demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("access denied calling ecs:ListTasks"), "{err}");
    assert!(
        err.contains("ecs:ListTasks") && err.contains("ecs:DescribeTasks"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn a_server_that_never_answers_is_bounded_by_the_timeout() {
    let fake = FakeEcs::start(|_, _, _| Reply::Hang);
    let start = Instant::now();
    let out = run(&fake.endpoint(), &["cluster", "demo", "--timeout", "2s"]);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no answer from the ECS API for ListTasks"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_refused_connection_is_a_clear_error() {
    // Bind and drop: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(&format!("http://127.0.0.1:{port}"), &["cluster", "demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot connect to the ECS API") && err.contains("Connection refused"),
        "{err}"
    );
}

/// A process environment with no credentials anywhere and no region.
fn bare(endpoint: &str, args: &[&str], region: bool) -> Output {
    let scratch = tempfile::Builder::new()
        .prefix("ecs-diagnose-bare-")
        .tempdir()
        .unwrap();
    let home = scratch.path();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"));
    cmd.args(args)
        .args(["--endpoint-url", endpoint])
        .env_clear()
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd.env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"));
    if region {
        cmd.args(["--region", "us-east-1"]);
    }
    cmd.output().unwrap()
}

#[test]
fn missing_credentials_say_how_to_provide_them() {
    let fake = FakeEcs::start(|_, _, _| Reply::Ok(json!({"taskArns": []})));
    let out = bare(&fake.endpoint(), &["cluster", "demo"], true);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no usable AWS credentials") && err.contains("--profile"),
        "{err}"
    );
    assert_eq!(fake.count("ListTasks"), 0, "nothing is sent unsigned");
}

#[test]
fn missing_region_is_reported_before_any_call() {
    let fake = FakeEcs::start(|_, _, _| Reply::Ok(json!({"taskArns": []})));
    let out = bare(&fake.endpoint(), &["cluster", "demo"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no AWS region is configured"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_stopped_tasks_points_at_the_event_archive() {
    let fake = FakeEcs::start(|_, _, _| Reply::Ok(json!({"taskArns": []})));
    let out = run(&fake.endpoint(), &["cluster", "demo", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("about an hour") && text.contains("ecs-diagnose events"),
        "{text}"
    );
    assert_eq!(
        fake.count("DescribeTasks"),
        0,
        "nothing to describe, no call"
    );
}

#[test]
fn watch_prints_each_new_task_once_and_stops_on_ctrl_c() {
    let arns = task_arns(3);
    let fake = FakeEcs::start(move |op, body, n| match op {
        // First poll: one task; later polls: three (two new).
        "ListTasks" => Reply::Ok(list_page(&arns[..if n == 0 { 1 } else { 3 }], body)),
        _ => Reply::Ok(describe_oom(body)),
    });
    let child = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args([
            "cluster",
            "demo",
            "--watch",
            "1s",
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
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(3500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "Ctrl-C stops cleanly: {}",
        stderr(&out)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON Lines"))
        .collect();
    let arns: Vec<&str> = lines
        .iter()
        .map(|d| d["task"]["arn"].as_str().unwrap())
        .collect();
    assert_eq!(arns.len(), 3, "each task once: {arns:?}");
    assert!(fake.count("ListTasks") >= 3);
    assert!(stderr(&out).contains("stopped watching"));
}

#[test]
fn redacted_scans_hide_the_account_cluster_and_service_everywhere() {
    let fake = three_tasks_one_missing();
    for format in ["json", "text", "markdown"] {
        let out = run(
            &fake.endpoint(),
            &[
                "--redact",
                "cluster",
                "demo",
                "--service",
                "api",
                "-o",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        for secret in ["123456789012", "demo", "service:api", " api"] {
            assert!(
                !all.contains(secret),
                "`{secret}` survived in {format}:\n{all}"
            );
        }
        assert!(
            all.contains("<cluster-1>") && all.contains("<account-1>"),
            "{all}"
        );
        if format == "json" {
            let report = json_of(&out);
            assert_eq!(report["groups"][0]["pattern"], "oom-container-killed");
        }
    }
}

#[test]
fn redacted_errors_hide_the_cluster_name() {
    let fake = FakeEcs::start(|_, _, _| {
        Reply::Error(400, "ClusterNotFoundException", "Cluster not found.")
    });
    let out = run(&fake.endpoint(), &["--redact", "cluster", "payments-prod"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        !err.contains("payments-prod") && err.contains("<cluster-1>"),
        "{err}"
    );
}

#[test]
fn an_endless_response_body_is_cut_in_bounded_memory() {
    let fake = FakeEcs::start(|_, _, _| Reply::Endless);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1000000; exec timeout 60 '{}' cluster demo --endpoint-url {} --region us-east-1",
            env!("CARGO_BIN_EXE_ecs-diagnose"),
            fake.endpoint()
        ))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("answer to ListTasks could not be read: the answer is larger than 64 MiB"),
        "{err}"
    );
}

#[test]
fn a_repeated_page_token_stops_the_listing() {
    let fake = FakeEcs::start(|_, _, _| Reply::Ok(json!({"taskArns": [], "nextToken": "same"})));
    let start = Instant::now();
    let out = run(&fake.endpoint(), &["cluster", "demo", "--timeout", "20s"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("sent the same page token twice"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(fake.count("ListTasks"), 2);
}

#[test]
fn the_timeout_bounds_the_whole_scan() {
    // Each page answers in time, but the pages never end.
    let fake = FakeEcs::start(|_, _, n| {
        Reply::Slow(
            Duration::from_millis(300),
            json!({"taskArns": [], "nextToken": format!("page-{n}")}),
        )
    });
    let start = Instant::now();
    let out = run(&fake.endpoint(), &["cluster", "demo", "--timeout", "2s"]);
    let err = stderr(&out);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("did not finish within the time limit"),
        "{err}"
    );
}

#[test]
fn describing_past_the_timeout_keeps_what_was_fetched() {
    let arns = task_arns(200);
    let fake = FakeEcs::start(move |op, body, n| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ if n == 0 => Reply::Ok(describe_oom(body)),
        _ => Reply::Hang,
    });
    let out = run(
        &fake.endpoint(),
        &[
            "cluster",
            "demo",
            "--timeout",
            "3s",
            "--concurrency",
            "1",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["summary"]["tasks"], 100);
    assert_eq!(report["summary"]["partial"], true);
    assert!(
        report["errors"]
            .to_string()
            .contains("100 task(s) were not diagnosed"),
        "{}",
        report["errors"]
    );
}

#[test]
fn an_answer_that_is_not_json_is_a_sentence_not_a_dump() {
    let fake = FakeEcs::start(|_, _, _| Reply::Raw("<html><body>proxy login</body></html>"));
    let out = run(&fake.endpoint(), &["cluster", "demo", "--timeout", "5s"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("answer to ListTasks could not be read"),
        "{err}"
    );
    for internal in ["Response {", "headers", "<html>", "SdkBody"] {
        assert!(!err.contains(internal), "`{internal}` in {err}");
    }
}

#[test]
fn a_task_ecs_knows_nothing_about_is_an_error_that_says_so() {
    let fake = FakeEcs::start(|_, _, _| Reply::Ok(json!({"tasks": [], "failures": []})));
    let out = run(&fake.endpoint(), &["task", "--cluster", "demo", "0123abcd"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ECS returned no task and no failure for 0123abcd"),
        "{err}"
    );
}

#[test]
fn zero_durations_are_refused() {
    for args in [
        ["cluster", "demo", "--timeout", "0s"],
        ["cluster", "demo", "--watch", "0"],
    ] {
        let out = run("http://127.0.0.1:9", &args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("is zero"), "{}", stderr(&out));
    }
}

#[test]
fn a_cluster_group_across_registry_accounts_lists_each_accounts_record() {
    let arns = task_arns(3);
    let fake = FakeEcs::start(move |op, body, _| match op {
        "ListTasks" => Reply::Ok(list_page(&arns, body)),
        _ => {
            let tasks: Vec<Value> = body["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, arn)| {
                    let registry = if i < 2 {
                        "111111111111"
                    } else {
                        "222222222222"
                    };
                    json!({
                        "taskArn": arn, "group": "service:web", "lastStatus": "STOPPED",
                        "stopCode": "TaskFailedToStart",
                        "stoppedReason": common::SEED_2.replace("123456789012", registry),
                    })
                })
                .collect();
            Reply::Ok(json!({"tasks": tasks, "failures": []}))
        }
    });
    let out = run(&fake.endpoint(), &["cluster", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    let group = &report["groups"][0];
    assert_eq!(group["pattern"], "ecr-dkr-name-shadowed-by-private-zone");
    assert_eq!(group["fix_variants"], 2);
    assert_eq!(
        group["value_sets"][0]["values"]["registry_account"],
        "111111111111"
    );
    assert_eq!(group["value_sets"][0]["tasks"], 2);
    assert_eq!(
        group["value_sets"][1]["values"]["registry_account"],
        "222222222222"
    );
    assert!(
        group["finding"]["fix"]
            .as_str()
            .unwrap()
            .contains("`<lookup_host>`")
    );
}
