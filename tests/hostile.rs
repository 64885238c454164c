//! Hostile input: huge lines, NUL bytes, invalid UTF-8 inside JSON, a million tasks in one
//! document, pathological user regexes and catalogs of thousands of files. Each must end in a
//! result or a clear error, in bounded memory, without a panic or a hang.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

/// Address-space cap for the runs that must stream: holding their input would exceed it.
const MEMORY_CAP_KB: u64 = 400_000;

/// A scratch directory, removed when it drops (also when the test fails).
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("ecs-diagnose-hostile-{name}-"))
        .tempdir()
        .unwrap()
}

/// Starts the binary under a memory cap with piped stdin, stdout and stderr.
fn spawn_capped(args: &[&str]) -> Child {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_CAP_KB}; exec '{}' {}",
            env!("CARGO_BIN_EXE_ecs-diagnose"),
            quoted.join(" ")
        ))
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a capped run wrote, without keeping all of stdout.
struct Seen {
    /// The first short lines.
    head: String,
    last: String,
    lines: usize,
    err: String,
    code: Option<i32>,
}

/// Feeds `write` to the child's stdin on a thread and reads what it writes.
fn drive(mut child: Child, write: impl FnOnce(&mut dyn Write) + Send + 'static) -> Seen {
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut stdin);
        write(&mut buffered);
        let _ = buffered.flush();
    });
    let stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if text.len() < 64 * 1024 {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });
    let mut seen = Seen {
        head: String::new(),
        last: String::new(),
        lines: 0,
        err: String::new(),
        code: None,
    };
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.lines += 1;
        // Short lines only: a reason that is a gigabyte long is not worth keeping.
        if seen.head.len() < 4096 && line.len() < 200 {
            seen.head.push_str(&line);
            seen.head.push('\n');
        }
        if !line.trim().is_empty() {
            seen.last = line;
        }
    }
    feeder.join().unwrap();
    seen.code = child.wait().unwrap().code();
    seen.err = errors.join().unwrap();
    seen
}

/// Writes `n` bytes of `x` with no newline.
fn one_line(out: &mut dyn Write, n: usize) {
    let block = vec![b'x'; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len());
        if out.write_all(&block[..k]).is_err() {
            return; // the reader may stop early; that is its right
        }
        left -= k;
    }
}

const GIB: usize = 1 << 30;

#[test]
fn a_1_gb_line_without_a_newline_is_explained_in_bounded_memory() {
    let child = spawn_capped(&["explain", "-", "--color", "never"]);
    let seen = drive(child, |out| one_line(out, GIB));
    assert_eq!(
        seen.code,
        Some(1),
        "nothing recognisable: exit 1\n{}",
        seen.err
    );
    assert!(
        seen.err.contains(&format!("line 1 is {GIB} bytes long")),
        "{}",
        seen.err
    );
    assert!(seen.head.contains("UNRECOGNISED"), "{}", seen.head);
    assert!(seen.lines > 3 && seen.lines < 100, "{} lines", seen.lines);
}

#[test]
fn a_1_gb_line_in_an_event_archive_is_skipped_and_reported() {
    let child = spawn_capped(&["events", "-", "--color", "never"]);
    let Seen { err, code, .. } = drive(child, |out| one_line(out, GIB));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("skipped 1 (longer than 1 MiB)"), "{err}");
    assert!(err.contains(&format!("({GIB} bytes)")), "{err}");
}

#[test]
fn a_million_tasks_in_one_describe_tasks_document_stream_in_bounded_memory() {
    const TASKS: usize = 1_000_000;
    let child = spawn_capped(&["explain", "-", "--color", "never"]);
    let Seen {
        last,
        lines,
        err,
        code,
        ..
    } = drive(child, |out| {
        let _ = out.write_all(b"{\"tasks\":[");
        for i in 0..TASKS {
            let reason = match i % 3 {
                0 => "Essential container in task exited",
                1 => "Task failed container health checks",
                _ => "Scaling activity initiated by (deployment ecs-svc/4387950321749260193)",
            };
            let exit = if i % 3 == 0 { 137 } else { 0 };
            let sep = if i == 0 { "" } else { "," };
            let task = format!(
                "{sep}{{\"taskArn\":\"arn:aws:ecs:us-east-1:123456789012:task/demo/{i:032x}\",\"lastStatus\":\"STOPPED\",\"stoppedReason\":\"{reason}\",\"containers\":[{{\"name\":\"app\",\"exitCode\":{exit},\"reason\":\"{}\"}}]}}",
                if exit == 137 {
                    "OutOfMemoryError: Container killed due to memory usage"
                } else {
                    ""
                }
            );
            if out.write_all(task.as_bytes()).is_err() {
                return;
            }
        }
        let _ = out.write_all(b"],\"failures\":[]}");
    });
    assert!(matches!(code, Some(0) | Some(1)), "{err}");
    assert!(
        last.starts_with(&format!("{TASKS} diagnosed")),
        "{last}\n{err}"
    );
    assert!(last.contains("oom-container-killed"), "{last}");
    // One heading line per task at least, each written as it was diagnosed.
    assert!(lines >= TASKS, "{lines} lines");
}

#[test]
fn nul_bytes_are_shown_not_passed_through() {
    let out = run(
        &["explain", "-", "--color", "never"],
        Some(b"CannotPullContainerError: \0\0ref public.ecr.aws/nginx/nginx:latest: not found\n"),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\0'), "{text:?}");
    assert!(text.contains("\\x00\\x00ref"), "{text}");
    assert!(text.contains("cannot-pull-container"), "{text}");

    // Escaped NULs in JSON are data; raw ones make the JSON invalid, with line and column.
    let (report, _) = explain_json(
        &["-"],
        Some(br#"{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/demo/abc","lastStatus":"STOPPED","stoppedReason":"Essential container in task exited\u0000","containers":[{"name":"app","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage"}]}"#),
    );
    assert_eq!(top(&report)["pattern"], "oom-container-killed");
    let raw = run(&["explain", "-"], Some(b"{\"stoppedReason\":\"a\0b\"}"));
    assert_eq!(raw.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&raw.stderr).contains("line 1, column"),
        "{}",
        String::from_utf8_lossy(&raw.stderr)
    );
}

/// An OOM-killed task whose service name and container reason carry invalid UTF-8.
const DAMAGED_TASK: &[u8] = b"{\"taskArn\":\"arn:aws:ecs:eu-west-1:111122223333:task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9\",\"group\":\"service:w\xff\xfeb\",\"lastStatus\":\"STOPPED\",\"stopCode\":\"EssentialContainerExited\",\"stoppedReason\":\"Essential container in task exited\",\"containers\":[{\"name\":\"web\",\"exitCode\":137,\"reason\":\"OutOfMemoryError: Container killed due to memory usage \xc3\"}]}";

#[test]
fn invalid_utf8_inside_json_strings_is_replaced_with_a_warning() {
    let mut doc = b"{\"tasks\":[".to_vec();
    doc.extend_from_slice(DAMAGED_TASK);
    doc.extend_from_slice(b"],\"failures\":[]}");
    let (report, code) = explain_json(&["-"], Some(&doc));
    assert_eq!(code, 0);
    assert_eq!(top(&report)["pattern"], "oom-container-killed");
    assert_eq!(
        report["diagnoses"][0]["task"]["service"],
        "w\u{FFFD}\u{FFFD}b"
    );
    assert!(
        report["warnings"]
            .to_string()
            .contains("not valid UTF-8 (line 1)"),
        "{}",
        report["warnings"]
    );
}

#[test]
fn invalid_utf8_inside_archived_events_is_replaced_and_counted() {
    let dir = scratch("utf8-events");
    let mut lines = Vec::new();
    for (i, tail) in [&b""[..], &b"\xff"[..]].iter().enumerate() {
        let event = format!(
            "{{\"version\":\"0\",\"id\":\"{i}\",\"detail-type\":\"ECS Task State Change\",\"source\":\"aws.ecs\",\"account\":\"111122223333\",\"time\":\"2026-11-23T10:00:0{i}Z\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{{\"taskArn\":\"arn:aws:ecs:eu-west-1:111122223333:task/prod/{i:032x}\",\"lastStatus\":\"STOPPED\",\"stopCode\":\"EssentialContainerExited\",\"stoppedReason\":\"Essential container in task exited\",\"stoppedAt\":\"2026-11-23T10:00:0{i}Z\",\"containers\":[{{\"name\":\"web\",\"exitCode\":137,\"reason\":\"OutOfMemoryError: Container killed due to memory usage TAIL\"}}],\"version\":3}}}}\n"
        );
        let mut bytes = event.into_bytes();
        let at = bytes.windows(4).position(|w| w == b"TAIL").unwrap();
        bytes.splice(at..at + 4, tail.iter().copied());
        lines.extend(bytes);
    }
    let path = dir.path().join("events.jsonl");
    fs::write(&path, &lines).unwrap();
    let out = run(
        &["events", path.to_str().unwrap(), "--output", "json"],
        None,
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["groups"][0]["pattern"], "oom-container-killed");
    assert_eq!(report["groups"][0]["count"], 2, "both events count");
    assert!(
        report["warnings"].to_string().contains("invalid UTF-8")
            && report["warnings"].to_string().contains("events.jsonl:2"),
        "{}",
        report["warnings"]
    );
}

fn write_pattern(dir: &Path, id: &str, regex: &str, example: &str) {
    fs::write(
        dir.join(format!("{id}.yaml")),
        format!(
            "id: {id}\ntitle: {id}\ncategory: runtime\nseverity: error\nmatch:\n  - regex: '{regex}'\ncause: It failed.\nfix: Fix it.\nexamples:\n  - text: \"{example}\"\n"
        ),
    )
    .unwrap();
}

#[test]
fn a_huge_user_regex_is_refused_with_its_file_line_and_id() {
    let dir = scratch("huge-regex");
    write_pattern(dir.path(), "huge-repetition", "(?:a{1000}){1000}x", "x");
    write_pattern(dir.path(), "huge-source", &"(?:ab|cd)".repeat(3000), "ab");
    let out = run(
        &["--catalog", dir.path().to_str().unwrap(), "explain", "x"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("huge-repetition.yaml:6:") && err.contains("pattern `huge-repetition`"),
        "{err}"
    );
    assert!(err.contains("size limit"), "{err}");
    assert!(
        err.contains("pattern `huge-source`") && err.contains("the limit is"),
        "{err}"
    );
}

/// Waits for `child`, killing it after `limit` (a guard against hangs, not a speed goal).
fn wait_bounded(child: Child, limit: Duration) -> std::process::Output {
    let pid = child.id();
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match result.recv_timeout(limit) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("still running after {limit:?}: catastrophic backtracking?");
        }
    }
}

#[test]
fn a_pathological_user_regex_cannot_backtrack_forever() {
    let dir = scratch("redos");
    write_pattern(dir.path(), "nested-repetition", "^(a+)+$", "aaa");
    write_pattern(dir.path(), "alternation-blowup", "^(a|aa)+$", "aaaa");
    let input = format!("{}b", "a".repeat(50_000));
    let child = bin()
        .args([
            "--catalog",
            dir.path().to_str().unwrap(),
            "explain",
            &input,
            "--color",
            "never",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(120));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_catalog_of_thousands_of_files_loads_and_tests() {
    const FILES: usize = 3000;
    let dir = scratch("thousands");
    for i in 0..FILES {
        let next = (i + 1) % FILES;
        fs::write(
            dir.path().join(format!("team-error-{i:04}.yaml")),
            format!(
                "id: team-error-{i:04}\ntitle: Team error {i}\ncategory: runtime\nseverity: error\nmatch:\n  - regex: 'TeamError{i:04}: (?P<detail>.+)'\ncause: \"The service failed: {{detail}}.\"\nfix: Restart it.\nexamples:\n  - text: \"TeamError{i:04}: disk quota exceeded\"\n    captures:\n      detail: disk quota exceeded\nnear_misses:\n  - text: \"TeamError{next:04}: disk quota exceeded\"\n"
            ),
        )
        .unwrap();
    }
    let out = run(&["catalog", "test", dir.path().to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
    assert!(
        text.contains(&format!("{FILES} patterns")),
        "{}",
        &text[text.len().saturating_sub(500)..]
    );

    let (report, code) = explain_json(
        &[
            "--catalog",
            dir.path().to_str().unwrap(),
            "TeamError2999: disk full",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(top(&report)["pattern"], "team-error-2999");
    assert!(
        top(&report)["cause"]
            .as_str()
            .unwrap()
            .contains("disk full")
    );
}

#[test]
fn thousands_of_broken_files_give_a_bounded_error() {
    let dir = scratch("broken-thousands");
    for i in 0..3000 {
        fs::write(
            dir.path().join(format!("b-{i:04}.yaml")),
            format!("id: b-{i:04}\ntitle: x\nbogus: 1\n"),
        )
        .unwrap();
    }
    let out = run(
        &["--catalog", dir.path().to_str().unwrap(), "explain", "x"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: 3000 problems in pattern files"),
        "{}",
        &err[..200.min(err.len())]
    );
    assert!(
        err.contains("b-0000.yaml:3:1: pattern `b-0000`: unknown field `bogus`"),
        "{err}"
    );
    assert!(err.contains("... and 2950 more"), "{err}");
    assert!(err.lines().count() < 60, "{} lines", err.lines().count());
}

#[test]
fn deeply_nested_events_are_skipped_not_a_crash() {
    // An array nested 100,000 deep inside an archive's array: one element, not an event.
    let doc = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let out = run(&["events", "-", "--color", "never"], Some(doc.as_bytes()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "nothing usable was read: {err}");
    assert!(
        err.contains("skipped 1 (JSON that is not an event object): <stdin>"),
        "{err}"
    );

    // As a JSON Lines record, too deep to parse: skipped as not JSON, and nothing was usable.
    let doc = format!("{{\"a\":{}{}}}\n", "[".repeat(100_000), "]".repeat(100_000));
    let out = run(&["events", "-", "--color", "never"], Some(doc.as_bytes()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("overflow"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("skipped 1 (not JSON)") && err.contains("recursion limit"),
        "{err}"
    );
}

/// Runs the binary under the memory cap, killed after `secs` seconds.
fn run_capped(args: &[&str], secs: u32) -> std::process::Output {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_CAP_KB}; exec timeout {secs} '{}' {}",
            env!("CARGO_BIN_EXE_ecs-diagnose"),
            quoted.join(" ")
        ))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn yaml_aliases_that_expand_to_gigabytes_are_refused_naming_the_file() {
    // 940 KB that repeats one 400 KB string 180,000 times through aliases (about 72 GB).
    let dir = scratch("laughs");
    let mut text = String::from(
        "id: laughs\ntitle: t\ncategory: test\nseverity: error\nmatch:\n  - regex: zzz\n",
    );
    text.push_str(&format!(
        "cause: &s {}\nfix: f\nnotes: [",
        "x".repeat(400_000)
    ));
    text.push_str(&vec!["*s"; 180_000].join(","));
    text.push_str("]\n");
    fs::write(dir.path().join("laughs.yaml"), text).unwrap();
    let out = run_capped(
        &["--catalog", dir.path().to_str().unwrap(), "explain", "x"],
        60,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("laughs.yaml") && err.contains("aliases"),
        "{err}"
    );
}

#[test]
fn deeply_nested_flow_sequences_are_refused_quickly() {
    // 400 KB of `[`: quadratic in the YAML parser (over a minute in 0.1.0).
    let dir = scratch("nested-flow");
    let depth = 200_000;
    fs::write(
        dir.path().join("deep.yaml"),
        format!(
            "id: deep\nnotes: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = run_capped(
        &["--catalog", dir.path().to_str().unwrap(), "explain", "x"],
        60,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("deep.yaml") && err.contains("nested"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// Escape sequences of the kinds the adversarial pass used: colour, OSC title and hyperlink,
/// clear screen, bell, a bidirectional override.
const ESCAPES: &[&str] = &["\u{1b}[", "\u{1b}]", "\u{7}", "\u{202e}"];

fn assert_no_escapes(what: &str, text: &str) {
    for e in ESCAPES {
        assert!(
            !text.contains(e),
            "{what}: {e:?} reached the terminal: {text:?}"
        );
    }
}

#[test]
fn escape_sequences_never_reach_the_terminal() {
    let dir = scratch("escapes");
    let esc = "X\u{1b}[31mRED\u{1b}]8;;http://evil.example/\u{7}link\u{1b}]8;;\u{7}\u{202e}";
    // Grouped output: a stopCode with no reason; a file name with escapes.
    let event = serde_json::json!({"detail-type": "ECS Task State Change", "detail": {
        "lastStatus": "STOPPED", "taskArn": "arn:aws:ecs:eu-west-1:111122223333:task/prod/abc",
        "stopCode": esc, "stoppedAt": "2026-11-23T10:02:11Z"}});
    let archive = dir
        .path()
        .join("ev\u{1b}[31m\u{1b}]0;PWNED\u{7}\u{202e}.jsonl");
    fs::write(&archive, format!("{event}\nnot json\n")).unwrap();
    for format in ["text", "markdown"] {
        let out = run(
            &[
                "--color",
                "never",
                "-o",
                format,
                "events",
                archive.to_str().unwrap(),
            ],
            None,
        );
        assert_no_escapes("events stdout", &String::from_utf8_lossy(&out.stdout));
        assert_no_escapes("events stderr", &String::from_utf8_lossy(&out.stderr));
    }
    // describe-tasks failures[] as warnings.
    let failures = format!(
        r#"{{"tasks":[{{"stoppedReason":"CannotPullContainerError: x"}}],"failures":[{{"arn":"arn:aws:ecs:us-east-1:111122223333:task/prod/abc{e}","reason":"MISSING\u001b]0;PWNED\u0007\u001b[2J"}}]}}"#,
        e = "\\u001b[31m"
    );
    for format in ["text", "markdown"] {
        let out = run(
            &["--color", "never", "-o", format, "explain", "-"],
            Some(failures.as_bytes()),
        );
        assert_no_escapes("failures stdout", &String::from_utf8_lossy(&out.stdout));
        assert_no_escapes("failures stderr", &String::from_utf8_lossy(&out.stderr));
    }
    // A user pattern's title and category, and a catalog load error.
    let catalog = scratch("escapes-catalog");
    fs::write(
        catalog.path().join("esc-title.yaml"),
        "id: esc-title\ntitle: \"Title \\e[2J\\e]0;PWNED\\a\"\ncategory: \"cat\\e[31m\"\nseverity: error\nmatch:\n  - regex: 'WidgetError'\ncause: It failed.\nfix: Fix it.\n",
    )
    .unwrap();
    for format in ["text", "markdown"] {
        let out = run(
            &[
                "--color",
                "never",
                "-o",
                format,
                "--catalog",
                catalog.path().to_str().unwrap(),
                "explain",
                "WidgetError: x",
            ],
            None,
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Title"), "{text}");
        assert_no_escapes("user pattern", &text);
    }
    fs::write(
        catalog.path().join("broken.yaml"),
        "id: broken\ntitle: \"\\e[2J\\e]0;PWNED\\a\"\nmatch: [\n",
    )
    .unwrap();
    let out = run(
        &[
            "--catalog",
            catalog.path().to_str().unwrap(),
            "explain",
            "x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_no_escapes("catalog error", &String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_300_mb_reason_in_json_is_cut_and_said_in_bounded_memory() {
    let child = spawn_capped(&["explain", "-", "--color", "never"]);
    let Seen {
        head, lines, err, ..
    } = drive(child, |out| {
        let _ = out.write_all(
            br#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/demo/1","stoppedReason":"WidgetError: "#,
        );
        one_line(out, 300 << 20);
        let _ = out.write_all(br#""}]}"#);
    });
    assert!(
        err.contains("were cut to their first 65536 bytes")
            && err.contains(&format!("{} bytes", (300 << 20) + 13)),
        "{err}"
    );
    assert!(head.contains("UNRECOGNISED"), "{head}\n{err}");
    // The reason is shown cut, not in full.
    assert!(lines < 100, "{lines} lines");
}

#[test]
fn a_task_with_a_million_containers_keeps_the_first_hundred() {
    let child = spawn_capped(&["explain", "-", "--color", "never"]);
    let Seen { err, code, .. } = drive(child, |out| {
        let _ = out.write_all(
            br#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/demo/1","stoppedReason":"Essential container in task exited","containers":["#,
        );
        for i in 0..1_000_000 {
            let sep = if i == 0 { "" } else { "," };
            let c = format!(
                r#"{sep}{{"name":"c{i}","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage"}}"#
            );
            if out.write_all(c.as_bytes()).is_err() {
                return;
            }
        }
        let _ = out.write_all(b"]}]}");
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("lists 1000000 containers; only the first 100 were read"),
        "{err}"
    );
}
