//! `ecs-diagnose events`: every archive form, each task counted once, filters, the summary in
//! every format, and bad input counted and reported (never fatal unless nothing is usable).

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const SEED_1: &str = common::SEED_1;
const OOM: &str = "OutOfMemoryError: Container killed due to memory usage";

fn event(
    task: &str,
    service: &str,
    status: &str,
    version: u64,
    time: &str,
    reason: Option<&str>,
) -> Value {
    let arn = format!("arn:aws:ecs:eu-west-1:111122223333:task/prod/{task}");
    let mut detail = json!({
        "clusterArn": "arn:aws:ecs:eu-west-1:111122223333:cluster/prod",
        "taskArn": arn, "group": format!("service:{service}"), "lastStatus": status,
        "desiredStatus": if reason.is_some() { "STOPPED" } else { "RUNNING" },
        "version": version, "launchType": "FARGATE",
        "containers": [{"name": service, "image": "public.ecr.aws/nginx/nginx:latest", "lastStatus": status}]
    });
    if let Some(reason) = reason {
        detail["stoppedReason"] = json!(reason);
        detail["stoppedAt"] = json!(time);
        if reason == "Essential container in task exited" {
            detail["stopCode"] = json!("EssentialContainerExited");
            detail["containers"][0]["exitCode"] = json!(137);
            detail["containers"][0]["reason"] = json!(OOM);
        }
    }
    json!({"version": "0", "id": format!("{task}-{version}"), "detail-type": "ECS Task State Change",
           "source": "aws.ecs", "account": "111122223333", "time": time, "region": "eu-west-1",
           "resources": [arn], "detail": detail})
}

/// A small archive: 3 seed-1 tasks on web, 2 OOM kills on api, 1 user stop, 2 unknown errors
/// differing only in numbers; with earlier state changes, a duplicate and another detail-type.
fn archive() -> Vec<Value> {
    let mut events = Vec::new();
    for (i, (task, service, time, reason)) in [
        ("a1", "web", "2026-11-20T10:05:00Z", SEED_1),
        ("a2", "web", "2026-11-20T11:15:00Z", SEED_1),
        ("a3", "web", "2026-11-21T09:00:00Z", SEED_1),
        (
            "b1",
            "api",
            "2026-11-20T10:30:00Z",
            "Essential container in task exited",
        ),
        (
            "b2",
            "api",
            "2026-11-22T10:30:00Z",
            "Essential container in task exited",
        ),
        ("c1", "web", "2026-11-20T12:00:00Z", "Task stopped by user"),
        (
            "d1",
            "worker",
            "2026-11-20T13:00:00Z",
            "WidgetError: job 4411 failed after 30s",
        ),
        (
            "d2",
            "worker",
            "2026-11-20T14:00:00Z",
            "WidgetError: job 9876 failed after 45s",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        events.push(event(task, service, "PENDING", 1, time, None));
        events.push(event(task, service, "RUNNING", 2, time, None));
        events.push(event(task, service, "STOPPED", 3, time, Some(reason)));
        if i == 0 {
            events.push(event(task, service, "STOPPED", 3, time, Some(reason))); // duplicate delivery
        }
    }
    events.push(json!({"version": "0", "detail-type": "ECS Container Instance State Change", "source": "aws.ecs",
                       "detail": {"agentConnected": true}}));
    events
}

/// A scratch directory, removed when it drops (also when the test fails).
fn dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ecs-diagnose-events-")
        .tempdir()
        .unwrap()
}

fn json_lines(events: &[Value]) -> String {
    events.iter().map(|e| e.to_string() + "\n").collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn events_cmd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .arg("events")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn summary(path: &Path, extra: &[&str]) -> (Value, i32) {
    let mut args = vec![path.to_str().unwrap(), "--output", "json"];
    args.extend_from_slice(extra);
    let out = events_cmd(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap())
}

fn group<'a>(report: &'a Value, pattern: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["pattern"] == pattern)
        .unwrap_or_else(|| panic!("no {pattern}"))
}

/// The archive's summary, whatever form it came in.
fn assert_archive_summary(report: &Value) {
    assert_eq!(report["summary"]["tasks"], 8, "{}", report["summary"]);
    assert_eq!(report["summary"]["failures"], 5);
    assert_eq!(report["summary"]["benign"], 1);
    assert_eq!(report["summary"]["unrecognised"], 2);
    let seed1 = group(report, "ecr-public-unreachable-via-vpc-endpoints");
    assert_eq!(seed1["count"], 3);
    assert_eq!(seed1["first_stopped_at"], "2026-11-20T10:05:00Z");
    assert_eq!(seed1["last_stopped_at"], "2026-11-21T09:00:00Z");
    assert_eq!(seed1["services"]["web"], 3);
    assert!(
        seed1["finding"]["fix"]
            .as_str()
            .unwrap()
            .contains("111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:latest")
    );
    assert_eq!(group(report, "oom-container-killed")["count"], 2);
    // The two unknown errors differ only in numbers: one gap, with a stub.
    let gap = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["pattern"].is_null())
        .unwrap();
    assert_eq!(gap["count"], 2);
    assert_eq!(gap["masked_text"], "WidgetError: job <n> failed after <n>s");
    assert!(gap["pattern_stub"].as_str().unwrap().contains("regex:"));
    // Benign stops are listed after failures and gaps.
    assert_eq!(
        report["groups"].as_array().unwrap().last().unwrap()["status"],
        "benign"
    );
}

#[test]
fn json_lines_plain_and_gzipped() {
    let d = dir();
    let text = json_lines(&archive());
    fs::write(d.path().join("events.jsonl"), &text).unwrap();
    fs::write(d.path().join("events.jsonl.gz"), gzip(text.as_bytes())).unwrap();
    for file in ["events.jsonl", "events.jsonl.gz"] {
        let (report, code) = summary(&d.path().join(file), &[]);
        assert_eq!(code, 1, "unrecognised reasons present");
        assert_archive_summary(&report);
        let archive = &report["scan"]["archive"];
        assert_eq!(archive["records"], 26);
        assert_eq!(archive["stopped_tasks"], 8);
        assert_eq!(archive["skipped"]["duplicate"]["count"], 1);
        assert_eq!(archive["skipped"]["not-final-stop"]["count"], 16);
        assert_eq!(archive["skipped"]["other-detail-type"]["count"], 1);
    }
}

#[test]
fn json_arrays_aws_logs_output_and_s3_exports() {
    let d = dir();
    let events = archive();
    // A JSON array, pretty-printed over many lines.
    fs::write(
        d.path().join("array.json"),
        serde_json::to_string_pretty(&events).unwrap(),
    )
    .unwrap();
    // `aws logs filter-log-events` output: each event is a JSON string in `message`.
    let logs = json!({"events": events.iter().enumerate().map(|(i, e)| json!({
        "logStreamName": "stream", "timestamp": 1795427045000u64 + i as u64, "message": e.to_string(),
        "ingestionTime": 1795427046000u64, "eventId": format!("{i}")})).collect::<Vec<_>>(),
        "searchedLogStreams": []});
    fs::write(
        d.path().join("filter-log-events.json"),
        serde_json::to_string_pretty(&logs).unwrap(),
    )
    .unwrap();
    // `get-log-events` output on one line, gzipped.
    let get =
        json!({"events": logs["events"], "nextForwardToken": "f/1", "nextBackwardToken": "b/1"});
    fs::write(
        d.path().join("get-log-events.json.gz"),
        gzip(get.to_string().as_bytes()),
    )
    .unwrap();
    // A CloudWatch Logs export to S3: a timestamp, a space, the event.
    let export: String = events
        .iter()
        .map(|e| format!("2026-11-20T10:05:00.000Z {e}\n"))
        .collect();
    fs::write(d.path().join("000000.gz"), gzip(export.as_bytes())).unwrap();
    for file in [
        "array.json",
        "filter-log-events.json",
        "get-log-events.json.gz",
        "000000.gz",
    ] {
        let (report, _) = summary(&d.path().join(file), &[]);
        assert_archive_summary(&report);
    }
}

#[test]
fn directories_and_stdin() {
    let d = dir();
    let events = archive();
    let (first, second) = events.split_at(10);
    fs::create_dir_all(d.path().join("2026/11")).unwrap();
    fs::write(d.path().join("2026/11/part-1.jsonl"), json_lines(first)).unwrap();
    fs::write(
        d.path().join("2026/11/part-2.jsonl.gz"),
        gzip(json_lines(second).as_bytes()),
    )
    .unwrap();
    let (report, _) = summary(d.path(), &[]);
    assert_archive_summary(&report);
    assert_eq!(report["scan"]["archive"]["inputs"], 2);

    let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .args(["events", "-", "-o", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json_lines(&events).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_archive_summary(&serde_json::from_slice(&out.stdout).unwrap());
}

#[test]
fn filters() {
    let d = dir();
    fs::write(d.path().join("e.jsonl"), json_lines(&archive())).unwrap();
    let path = d.path().join("e.jsonl");
    let (report, _) = summary(&path, &["--service", "api"]);
    assert_eq!(report["summary"]["tasks"], 2);
    let (report, _) = summary(&path, &["--since", "2026-11-21T00:00:00Z"]);
    assert_eq!(report["summary"]["tasks"], 2, "a3 and b2");
    let (report, _) = summary(&path, &["--until", "2026-11-20T10:59:59Z"]);
    assert_eq!(report["summary"]["tasks"], 2, "a1 and b1");
    let (report, _) = summary(
        &path,
        &[
            "--cluster",
            "arn:aws:ecs:eu-west-1:111122223333:cluster/prod",
            "--family",
            "nope",
        ],
    );
    assert_eq!(report["summary"]["tasks"], 0);
    assert!(
        report["scan"]["archive"]["skipped"]["filtered"]["count"]
            .as_u64()
            .unwrap()
            >= 8
    );
}

#[test]
fn timeline_per_hour_or_day_in_every_format() {
    let d = dir();
    fs::write(d.path().join("e.jsonl"), json_lines(&archive())).unwrap();
    let path = d.path().join("e.jsonl");
    let (report, _) = summary(&path, &["--bucket", "hour"]);
    let seed1 = group(&report, "ecr-public-unreachable-via-vpc-endpoints");
    assert_eq!(
        seed1["timeline"],
        json!([
            ["2026-11-20T10:00:00Z", 1],
            ["2026-11-20T11:00:00Z", 1],
            ["2026-11-21T09:00:00Z", 1]
        ])
    );
    let (report, _) = summary(&path, &["--bucket", "day"]);
    assert_eq!(
        group(&report, "ecr-public-unreachable-via-vpc-endpoints")["timeline"],
        json!([["2026-11-20T00:00:00Z", 2], ["2026-11-21T00:00:00Z", 1]])
    );

    let out = events_cmd(&[
        path.to_str().unwrap(),
        "--bucket",
        "day",
        "--output",
        "markdown",
    ]);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| Day (UTC) | All |"), "{md}");
    assert!(md.contains("| 2026-11-20 | 6 |"), "{md}");
    let out = events_cmd(&[path.to_str().unwrap(), "--bucket", "day"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Timeline (UTC)")
            && text.contains("ecr-public-unreachable-via-vpc-endpoints"),
        "{text}"
    );
    assert!(text.contains('█'), "{text}");
}

#[test]
fn bad_lines_are_counted_with_their_places_and_the_rest_is_read() {
    let d = dir();
    let mut text = json_lines(&archive());
    text.insert_str(0, "this is not JSON\n");
    let cut = event(
        "z9",
        "web",
        "STOPPED",
        3,
        "2026-11-20T10:05:00Z",
        Some(SEED_1),
    )
    .to_string();
    text.push_str(&cut[..cut.len() / 2]); // a truncated last line
    fs::write(d.path().join("e.jsonl"), &text).unwrap();
    let (report, _) = summary(&d.path().join("e.jsonl"), &[]);
    assert_archive_summary(&report);
    let skipped = &report["scan"]["archive"]["skipped"];
    assert_eq!(skipped["not-json"]["count"], 1);
    assert_eq!(
        skipped["not-json"]["first"][0].as_str().unwrap(),
        format!("{}:1", d.path().join("e.jsonl").display())
    );
    assert_eq!(skipped["truncated-json"]["count"], 1);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("not JSON") && warnings.contains("cut off"),
        "{warnings}"
    );
}

#[test]
fn a_truncated_gzip_keeps_what_was_read() {
    let d = dir();
    let mut events = archive();
    // Enough events that the cut lands well after the first ones.
    for i in 0..200 {
        events.push(event(
            &format!("pad{i}"),
            "pad",
            "RUNNING",
            2,
            "2026-11-20T10:05:00Z",
            None,
        ));
    }
    let data = gzip(json_lines(&events).as_bytes());
    fs::write(d.path().join("cut.gz"), &data[..data.len() * 3 / 4]).unwrap();
    let (report, code) = summary(&d.path().join("cut.gz"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        report["summary"]["tasks"], 8,
        "everything before the cut is counted"
    );
    assert_eq!(
        report["scan"]["archive"]["skipped"]["truncated-gzip"]["count"],
        1
    );
}

#[test]
fn nothing_usable_is_an_error() {
    let d = dir();
    fs::write(d.path().join("junk.txt"), "hello\nworld\n").unwrap();
    let out = events_cmd(&[d.path().join("junk.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no events could be read") && err.contains("not JSON"),
        "{err}"
    );
    let out = events_cmd(&["/nonexistent/archive"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn a_200_mb_single_line_is_counted_in_bounded_memory() {
    let d = dir();
    let path = d.path().join("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        f.write_all(json_lines(&archive()).as_bytes()).unwrap();
        // One line: an event whose stoppedReason is 200 MB long.
        f.write_all(br#"{"detail-type":"ECS Task State Change","detail":{"lastStatus":"STOPPED","stoppedReason":""#).unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}}\n").unwrap();
    }
    let script = format!(
        "ulimit -v 600000; exec '{}' events '{}' -o json",
        env!("CARGO_BIN_EXE_ecs-diagnose"),
        path.display()
    );
    let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
    fs::remove_file(&path).unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_archive_summary(&report);
    assert_eq!(
        report["scan"]["archive"]["skipped"]["line-too-long"]["count"],
        1
    );
}

#[test]
fn events_output_validates_against_the_json_schema() {
    let d = dir();
    fs::write(d.path().join("e.jsonl"), json_lines(&archive())).unwrap();
    let out = events_cmd(&[d.path().join("e.jsonl").to_str().unwrap(), "-o", "json"]);
    let python = std::env::var_os("ECS_DIAGNOSE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    assert!(python.exists(), "run the tests with scripts/test.sh");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(python)
        .arg(root.join("tests/live/validate_json.py"))
        .arg(root.join("docs/json-output.schema.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    writeln!(child.stdin.take().unwrap(), "{doc}").unwrap();
    let result = child.wait_with_output().unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stdout)
    );
}

/// Runs `events` with `args`, killed after `secs` seconds (a hang fails the test, not CI).
fn events_bounded(args: &[&str], secs: u32) -> Output {
    Command::new("timeout")
        .arg(secs.to_string())
        .arg(env!("CARGO_BIN_EXE_ecs-diagnose"))
        .arg("events")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn links_that_loop_are_not_followed_and_each_file_is_read_once() {
    let d = dir();
    let archive_dir = d.path().join("archive");
    fs::create_dir(&archive_dir).unwrap();
    fs::write(archive_dir.join("e.jsonl"), json_lines(&archive())).unwrap();
    // A link to the directory itself, one to its parent, and a second name for the file.
    std::os::unix::fs::symlink(".", archive_dir.join("self")).unwrap();
    std::os::unix::fs::symlink("..", archive_dir.join("up")).unwrap();
    std::os::unix::fs::symlink("e.jsonl", archive_dir.join("again.jsonl")).unwrap();
    let out = events_bounded(&[archive_dir.to_str().unwrap(), "-o", "json"], 60);
    // 1: the archive holds an unrecognised reason; 124 would be the timeout.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scan"]["archive"]["inputs"], 1, "{report}");
    assert_archive_summary(&report);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("a link back to a directory above it"),
        "{warnings}"
    );
}

#[test]
fn fifos_and_devices_in_a_directory_are_skipped_with_a_word() {
    let d = dir();
    fs::write(d.path().join("e.jsonl"), json_lines(&archive())).unwrap();
    let fifo = d.path().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", d.path().join("zero")).unwrap();
    let out = events_bounded(&[d.path().to_str().unwrap(), "-o", "json"], 60);
    // 1: the archive holds an unrecognised reason; 124 would be the timeout.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_archive_summary(&report);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("pipe`: not a regular file"), "{warnings}");
    assert!(warnings.contains("zero`: not a regular file"), "{warnings}");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_event() {
    let d = dir();
    let lines = d.path().join("bom.jsonl");
    fs::write(&lines, format!("\u{feff}{}", json_lines(&archive()))).unwrap();
    let (report, _) = summary(&lines, &[]);
    assert_archive_summary(&report);
    assert!(
        report["scan"]["archive"]["skipped"]["not-json"].is_null(),
        "{report}"
    );

    let array = d.path().join("bom.json");
    fs::write(
        &array,
        format!(
            "\u{feff}{}",
            serde_json::to_string_pretty(&archive()).unwrap()
        ),
    )
    .unwrap();
    let (report, _) = summary(&array, &[]);
    assert_archive_summary(&report);
}

#[test]
fn json_without_a_single_task_event_is_an_error() {
    let d = dir();
    let path = d.path().join("package.json");
    fs::write(
        &path,
        r#"{"name": "web", "version": "1.0.0", "dependencies": {}}"#,
    )
    .unwrap();
    let out = events_cmd(&[path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no \"ECS Task State Change\" event"), "{err}");
}

#[test]
fn filters_that_leave_everything_out_say_so() {
    let d = dir();
    let path = d.path().join("e.jsonl");
    fs::write(&path, json_lines(&archive())).unwrap();
    let out = events_cmd(&[path.to_str().unwrap(), "--since", "2030-01-01T00:00:00Z"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("the filters (since 2030-01-01"), "{err}");
    assert!(!err.contains("is this an archive"), "{err}");
}

#[test]
fn a_gzip_bomb_line_is_skipped_in_bounded_memory() {
    // 4 MB of gzip that inflates to one 400 MB line: streamed, the line capped.
    let d = dir();
    let path = d.path().join("bomb.jsonl.gz");
    {
        let file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(json_lines(&archive()).as_bytes()).unwrap();
        gz.write_all(br#"{"detail-type":"ECS Task State Change","detail":{"stoppedReason":""#)
            .unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..400 {
            gz.write_all(&chunk).unwrap();
        }
        gz.write_all(b"\"}}\n").unwrap();
        gz.finish().unwrap();
    }
    let script = format!(
        "ulimit -v 400000; exec timeout 120 '{}' events '{}' -o json",
        env!("CARGO_BIN_EXE_ecs-diagnose"),
        path.display()
    );
    let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_archive_summary(&report);
    assert_eq!(
        report["scan"]["archive"]["skipped"]["line-too-long"]["count"],
        1
    );
}

/// Seed 2 from an organisation-wide event bus: three workload accounts share one endpoint.
fn seed_2_from(accounts: &[(&str, usize)]) -> String {
    let mut events = Vec::new();
    let mut i = 0;
    for (account, n) in accounts {
        for _ in 0..*n {
            i += 1;
            let reason = common::SEED_2.replace("123456789012", account);
            events.push(json!({
                "detail-type": "ECS Task State Change", "source": "aws.ecs",
                "account": account, "region": "ap-northeast-1",
                "detail": {
                    "taskArn": format!("arn:aws:ecs:ap-northeast-1:{account}:task/prod/{i:032x}"),
                    "group": "service:web", "lastStatus": "STOPPED", "stoppedReason": reason,
                    "stoppedAt": format!("2026-11-23T10:{i:02}:00Z"),
                }
            }));
        }
    }
    json_lines(&events)
}

#[test]
fn a_group_across_accounts_lists_each_accounts_values_instead_of_one_tasks() {
    let d = dir();
    let path = d.path().join("org.jsonl");
    fs::write(
        &path,
        seed_2_from(&[
            ("111111111111", 3),
            ("222222222222", 2),
            ("333333333333", 1),
        ]),
    )
    .unwrap();
    let (report, _) = summary(&path, &[]);
    let group = group(&report, "ecr-dkr-name-shadowed-by-private-zone");
    assert_eq!(group["fix_variants"], 3);
    let sets = group["value_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 3, "{group}");
    assert_eq!(
        sets[0]["values"]["lookup_host"],
        "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com"
    );
    assert_eq!(sets[0]["tasks"], 3);
    assert_eq!(sets[2]["values"]["registry_account"], "333333333333");
    let fix = group["finding"]["fix"].as_str().unwrap();
    assert!(fix.contains("named `<lookup_host>`"), "{fix}");
    assert!(!fix.contains("111111111111"), "one account's record: {fix}");

    for format in ["text", "markdown"] {
        let out = events_cmd(&[path.to_str().unwrap(), "-o", format]);
        let text = String::from_utf8_lossy(&out.stdout);
        for account in ["111111111111", "222222222222", "333333333333"] {
            assert!(
                text.contains(&format!("{account}.dkr.ecr.ap-northeast-1.amazonaws.com")),
                "{format}: {account} missing:\n{text}"
            );
        }
        assert!(
            text.contains("(3 tasks)") && text.contains("(1 task)"),
            "{text}"
        );
    }

    // One account: one rendering, with its values, and no list.
    let one = d.path().join("one.jsonl");
    fs::write(&one, seed_2_from(&[("111111111111", 2)])).unwrap();
    let (report, _) = summary(&one, &[]);
    let single = self::group(&report, "ecr-dkr-name-shadowed-by-private-zone");
    assert_eq!(single["fix_variants"], 1);
    assert_eq!(single["value_sets"], json!([]));
    assert!(
        single["finding"]["fix"]
            .as_str()
            .unwrap()
            .contains("111111111111.dkr.ecr.ap-northeast-1.amazonaws.com")
    );
}

#[test]
fn more_value_sets_than_shown_end_with_and_n_more() {
    let d = dir();
    let path = d.path().join("org.jsonl");
    let accounts: Vec<String> = (1..=8).map(|i| format!("{i}{i}{i}{i}00000000")).collect();
    let pairs: Vec<(&str, usize)> = accounts.iter().map(|a| (a.as_str(), 1)).collect();
    fs::write(&path, seed_2_from(&pairs)).unwrap();
    let out = events_cmd(&[path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("and 3 more value sets (3 tasks)"), "{text}");
}

/// The same archive gives the same report, byte for byte (but the timing), whatever the
/// number of workers and however they were scheduled: the example tasks, the value sets kept
/// for a group and the first places of skipped lines all follow the input's order.
#[test]
fn the_report_does_not_depend_on_worker_scheduling() {
    let dir = dir();
    let path = dir.path().join("many.jsonl");
    let mut text = String::new();
    // Many batches of records, with values that differ per task and bad lines scattered
    // through, so workers interleave and groups keep more value sets than they can show.
    for i in 0..6000u32 {
        let reason = match i % 4 {
            0 => SEED_1.to_string(),
            1 => format!(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): \
                 failed to resolve ref docker.io/library/app{}:1.{}: failed to do request: \
                 Head \"https://registry-1.docker.io/v2/library/app{}/manifests/1.{}\": \
                 dial tcp 10.{}.{}.7:443: i/o timeout",
                i % 97,
                i % 13,
                i % 97,
                i % 13,
                i % 200,
                i % 250
            ),
            2 => format!("WidgetError: job {i} failed after {}s", i % 60),
            _ => "Essential container in task exited".to_string(),
        };
        let service = ["web", "api", "worker", "billing"][(i % 7 % 4) as usize];
        let task = format!("{i:032x}");
        text.push_str(
            &event(
                &task,
                service,
                "STOPPED",
                3,
                "2026-11-20T10:05:00Z",
                Some(&reason),
            )
            .to_string(),
        );
        text.push('\n');
        if i % 997 == 0 {
            text.push_str("{\"detail-type\": \"ECS Task State Change\", \"detail\": \n");
        }
    }
    fs::write(&path, text).unwrap();
    let report = |workers: &str| {
        let out = events_cmd(&[
            path.to_str().unwrap(),
            "--output",
            "json",
            "--workers",
            workers,
        ]);
        let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["scan"]["archive"]["seconds"] = json!(0);
        report.to_string()
    };
    let one = report("1");
    assert!(one.contains("\"tasks\":6000"), "{one}");
    for workers in ["4", "4", "2"] {
        assert_eq!(one, report(workers), "{workers} workers");
    }
}
