//! `--redact` and output safety: what people paste into tickets must not carry their account
//! ids, addresses or resource names, and text from the input must never drive the terminal or
//! break a markdown document or the JSON.

mod common;

use common::*;

const FORMATS: [&str; 3] = ["text", "json", "markdown"];

/// Runs `args` with `--redact` in `format`; returns stdout and stderr.
fn redacted(format: &str, args: &[&str]) -> (String, String) {
    let mut full = vec!["--redact", "--color", "always", "--output", format];
    full.extend_from_slice(args);
    let out = run(&full, None);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 errors");
    if format == "json" {
        serde_json::from_str::<serde_json::Value>(&stdout)
            .unwrap_or_else(|e| panic!("redacted JSON must stay valid ({e}): {stdout}"));
    }
    (stdout, stderr)
}

fn assert_gone(output: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !output.contains(secret),
            "`{secret}` survived redaction:\n{output}"
        );
    }
}

/// Whether `name` occurs as a whole word (`prod`, not `product`).
fn has_word(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let part = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

#[test]
fn seed_1_keeps_the_rewritten_image_with_tokens_inside() {
    let file = fixture("seed1-describe-tasks.json");
    for format in FORMATS {
        let (out, err) = redacted(format, &["explain", "--file", file.to_str().unwrap()]);
        assert_gone(&out, &["111122223333", "99.83.145.10", "10.20.3.41"]);
        assert_gone(&err, &["111122223333"]);
        for name in ["prod", "web"] {
            assert!(
                !has_word(&out, name),
                "`{name}` survived in {format}:\n{out}"
            );
            assert!(!has_word(&err, name), "`{name}` survived on stderr:\n{err}");
        }
        assert!(
            out.contains(
                "<account-1>.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:latest"
            ),
            "{format}: {out}"
        );
        assert!(out.contains("--upstream-registry-url public.ecr.aws --region eu-west-1"));
        // A route check needs 0.0.0.0/0 as it is: it identifies no one.
        assert!(out.contains("0.0.0.0/0"), "{format}: {out}");
    }
}

#[test]
fn seed_2_names_the_record_with_the_account_token() {
    let file = fixture("seed2-event.json");
    for format in FORMATS {
        let (out, _) = redacted(format, &["explain", "--file", file.to_str().unwrap()]);
        assert_gone(&out, &["123456789012", "10.0.0.2", "repo-sync"]);
        assert!(!has_word(&out, "batch"), "{format}: {out}");
        assert!(
            out.contains("<account-1>.dkr.ecr.ap-northeast-1.amazonaws.com"),
            "{format}: {out}"
        );
        assert!(out.contains("dkr.ecr.ap-northeast-1.amazonaws.com"));
    }
}

#[test]
fn seed_3_as_pasted_text_and_as_events() {
    for format in FORMATS {
        let (out, _) = redacted(format, &["explain", SEED_3]);
        assert_gone(&out, &["123456789012"]);
        assert!(out.contains("arn:aws:ecr:ap-northeast-1:<account-1>:repository/ecr-public/*"));

        let file = fixture("seed3-events.jsonl");
        let (out, _) = redacted(format, &["events", file.to_str().unwrap()]);
        assert_gone(&out, &["111122223333"]);
        for name in ["prod", "web"] {
            assert!(
                !has_word(&out, name),
                "`{name}` survived in {format}:\n{out}"
            );
        }
        assert!(out.contains("ecr-pull-through-cache-not-found"));
    }
}

#[test]
fn role_log_group_and_secret_names_are_replaced_the_same_everywhere() {
    let reason = "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/worker-exec-role/0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/worker:log-stream:ecs/worker/0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c";
    for format in FORMATS {
        let (out, _) = redacted(format, &["explain", reason]);
        assert_gone(&out, &["111122223333", "worker-exec-role", "/ecs/worker"]);
        assert!(out.contains("<role-1>"), "{format}: {out}");
        assert!(out.contains("logs:CreateLogStream"));
    }
}

#[test]
fn output_without_redact_is_untouched() {
    let (report, _) = explain_json(&[SEED_2], None);
    assert!(
        finding_text(top(&report)).contains("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com")
    );
}

/// A reason carrying terminal escapes, a bell, a bidi override, backticks and HTML.
const HOSTILE: &str = "CannotPullContainerError: \u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[31mref `x` <img src=x onerror=alert(1)> \u{202e}gnp.exe | # not found";

#[test]
fn terminal_never_receives_control_sequences_from_the_input() {
    for args in [
        vec!["--color", "always", "explain", HOSTILE],
        vec!["--color", "always", "--verbose", "explain", HOSTILE],
        vec![
            "--color",
            "never",
            "explain",
            "--input-format",
            "text",
            HOSTILE,
        ],
    ] {
        let out = run(&args, None);
        let text = String::from_utf8(out.stdout).unwrap();
        // Our own colours are SGR sequences `ESC [ ... m`; anything else came from the input.
        let foreign = text
            .match_indices('\u{1b}')
            .filter(|(at, _)| {
                let rest = &text[at + 1..];
                !(rest.starts_with('[')
                    && rest[1..].find('m').is_some_and(|end| {
                        rest[1..1 + end]
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b == b';')
                    }))
            })
            .count();
        assert_eq!(foreign, 0, "{text:?}");
        assert!(!text.contains("\u{1b}[2J"), "{text:?}");
        assert!(
            !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(
            text.contains("\\x1b[2J"),
            "the escape is shown, not hidden: {text:?}"
        );
    }
}

#[test]
fn markdown_escapes_what_would_break_the_document() {
    let out = run(&["--output", "markdown", "explain", HOSTILE], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        !outside_code(&text).contains("<img"),
        "raw HTML must stay inside code: {text}"
    );
    // A fence inside the input cannot close the block that holds it.
    let fenced = run(
        &[
            "--output",
            "markdown",
            "explain",
            "CannotPullContainerError: ```\n# <b>x</b> not found",
        ],
        None,
    );
    let fenced = String::from_utf8(fenced.stdout).unwrap();
    assert!(!outside_code(&fenced).contains("<b>"), "{fenced}");
}

/// The markdown text outside fenced blocks and inline code spans.
fn outside_code(markdown: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<usize> = None;
    for line in markdown.lines() {
        let ticks = line.bytes().take_while(|&b| b == b'`').count();
        match fence {
            Some(open) if ticks >= open && line[ticks..].trim().is_empty() => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                let mut rest = line;
                while let Some(start) = rest.find('`') {
                    out.push_str(&rest[..start]);
                    let run = rest[start..].bytes().take_while(|&b| b == b'`').count();
                    let closing = "`".repeat(run);
                    let after = &rest[start + run..];
                    rest = match after.find(&closing) {
                        Some(end) => &after[end + run..],
                        None => after,
                    };
                }
                out.push_str(rest);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn json_carries_the_input_exactly_and_stays_valid() {
    let (report, _) = explain_json(&[HOSTILE], None);
    let d = &report["diagnoses"][0];
    assert_eq!(d["task"]["stopped_reason"], HOSTILE);
    assert_eq!(d["findings"][0]["evidence"][0]["text"], HOSTILE);
}
