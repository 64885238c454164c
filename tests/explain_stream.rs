//! `explain` on a file or stdin of many items runs on several threads. These tests hold it to
//! what one thread does: the same report byte for byte, each item shown as soon as it is read,
//! and a run that ends when its reader goes away.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{bin, fixture, run};
use ecs_diagnose::catalog::Catalog;

/// Every example of the catalog, each near miss, some noise, and heavy repeats: more than a
/// few batches, so batches finish out of order.
fn paste() -> String {
    let catalog = Catalog::builtin().expect("the built-in catalog loads");
    let mut lines: Vec<String> = Vec::new();
    for pattern in catalog.patterns() {
        for text in pattern
            .examples
            .iter()
            .map(|e| &e.text)
            .chain(pattern.near_misses.iter().map(|n| &n.text))
        {
            lines.push(text.replace('\n', " "));
        }
    }
    let distinct = lines.len();
    for i in 0..distinct {
        // Repeats, so a message is seen a second and third time, on another thread or not.
        lines.push(lines[(i * 7) % distinct].clone());
        lines.push("Task stopped by user".to_string());
    }
    lines.push("a message no rule knows, 10.1.2.3".to_string());
    lines.join("\n") + "\n"
}

fn explain(args: &[&str], stdin: &[u8]) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let mut all = vec!["explain", "-", "--color", "never"];
    all.extend_from_slice(args);
    let out = run(&all, Some(stdin));
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn several_threads_write_the_report_one_thread_writes() {
    let paste = paste();
    assert!(paste.lines().count() > 1000, "enough for many batches");
    for format in ["text", "json", "markdown"] {
        let one = explain(&["--output", format, "--workers", "1"], paste.as_bytes());
        let many = explain(&["--output", format, "--workers", "3"], paste.as_bytes());
        assert_eq!(one.2, many.2, "{format}: exit codes differ");
        assert_eq!(
            one.2,
            Some(1),
            "{format}: an unrecognised line sets the exit code; stderr: {}",
            String::from_utf8_lossy(&one.1)
        );
        let [one_out, many_out] = [&one.0, &many.0].map(|o| {
            // The JSON summary carries the run's duration.
            let text = String::from_utf8_lossy(o).to_string();
            without_seconds(&text)
        });
        assert!(one_out.len() > 100_000, "{format}: a full report");
        assert!(one_out == many_out, "{format}: the reports differ");
        assert_eq!(one.1, many.1, "{format}: stderr differs");
    }
}

/// `"seconds":1.23` with the number removed.
fn without_seconds(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"seconds\":") {
        let end = at + "\"seconds\":".len();
        out.push_str(&rest[..end]);
        rest = rest[end..].trim_start_matches(|c: char| c.is_ascii_digit() || ".e-".contains(c));
    }
    out.push_str(rest);
    out
}

#[test]
fn task_records_read_on_several_threads_match_one_thread() {
    let tasks = std::fs::read(fixture("seed3-events.jsonl")).expect("fixture");
    let many: Vec<u8> = (0..300).flat_map(|_| tasks.clone()).collect();
    let one = explain(&["--output", "json", "--workers", "1"], &many);
    let several = explain(&["--output", "json", "--workers", "2"], &many);
    let [a, b] = [&one.0, &several.0].map(|o| without_seconds(&String::from_utf8_lossy(o)));
    assert!(a.contains("\"diagnoses\""), "a report: {a:.300}");
    assert!(a == b, "the reports differ");
    assert_eq!(one.2, several.2);
}

#[test]
fn redact_reads_on_one_thread_whatever_workers_says() {
    let paste = paste();
    let one = explain(&["--redact", "--workers", "1"], paste.as_bytes());
    let many = explain(&["--redact", "--workers", "4"], paste.as_bytes());
    assert!(one.0 == many.0, "--redact learns names in input order");
}

/// `explain -` on two workers, every stream piped.
fn stream_explain() -> std::process::Child {
    bin()
        .args(["explain", "-", "--color", "never", "--workers", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// A followed log: each line is diagnosed while the input is still open.
#[test]
fn a_followed_stream_is_diagnosed_as_it_arrives() {
    let mut child = stream_explain();
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    let lines = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    for (i, text) in [common::SEED_1, common::SEED_3].into_iter().enumerate() {
        writeln!(stdin, "{text}").expect("write a line");
        stdin.flush().expect("flush");
        // A pasted line is complete once the next one starts (it may be hard-wrapped), so the
        // first diagnosis is due after the second line; the second after a blank line.
        if i == 1 {
            let shown = wait_for(&rx, |l| l.contains("line 1"));
            assert!(shown, "the first line is diagnosed while stdin stays open");
        }
    }
    writeln!(stdin).expect("write a blank line");
    stdin.flush().expect("flush");
    let shown = wait_for(&rx, |l| l.contains("line 2"));
    assert!(shown, "the second line is diagnosed while stdin stays open");
    drop(stdin);
    child.wait().expect("the binary ends");
    lines.join().expect("the reader ends");
}

fn wait_for(rx: &mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if wanted(&line) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// `tail -f log | ecs-diagnose explain - | head -1`: once the reader of the report is gone
/// the run ends at its next line, though its own input stays open and quiet.
#[test]
fn a_closed_output_ends_the_run_while_input_stays_open() {
    let mut child = stream_explain();
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    writeln!(stdin, "{}\n", common::SEED_1).expect("write a line");
    stdin.flush().expect("flush");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("UTF-8");
    assert!(first.contains("line 1"), "{first}");
    drop(lines);
    // The next line's report finds the output closed; the workers are then idle, waiting
    // for input that does not come.
    writeln!(stdin, "{}\n", common::SEED_3).expect("write a line");
    stdin.flush().expect("flush");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let Some(status) = status else {
        child.kill().expect("kill");
        panic!("the run went on after its output closed");
    };
    assert!(
        status.success(),
        "a closed output ends the run quietly, as on one thread"
    );
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    drop(stdin);
}
