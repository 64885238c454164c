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

/// The ssm reason of issue 13, item 1, with a role and a parameter of the user's.
const SSM_DENIED: &str = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/payments-ledger-execution-role/8a1b2c3d4e is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:111122223333:parameter/acme/prod/db_password because no identity-based policy allows the ssm:GetParameters action";

#[test]
fn parameter_names_and_addresses_that_end_a_sentence_are_redacted() {
    for format in FORMATS {
        let (out, err) = redacted(format, &["explain", SSM_DENIED]);
        assert_gone(&out, &["acme/prod", "db_password", "111122223333"]);
        assert_gone(&err, &["acme/prod", "db_password"]);
        let (out, _) = redacted(
            format,
            &[
                "explain",
                "CannotStartContainerError: failed to connect to 10.1.2.3. Connection refused",
            ],
        );
        assert_gone(&out, &["10.1.2.3"]);
    }
}

#[test]
fn the_why_excerpt_is_cut_after_redaction() {
    let (out, _) = redacted("text", &["explain", SSM_DENIED]);
    let why = out
        .lines()
        .find(|l| l.contains("why:"))
        .expect("a why line");
    // No prefix or suffix of the role or the account survives the cut.
    for piece in ["payments", "ledger", "execution-role", "1111", "2333"] {
        assert!(!why.contains(piece), "`{piece}` in {why}");
    }
}

#[test]
fn pattern_stubs_carry_tokens_not_names() {
    let input = r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/acme-prod/0123","stoppedReason":"WidgetError: lost contact with acme-prod.control plane"}]}"#;
    for format in FORMATS {
        let out = run(
            &["--redact", "--output", format, "explain", "-"],
            Some(input.as_bytes()),
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_gone(&text, &["acme", "prod"]);
        assert!(text.contains("regex:"), "{format}: {text}");
    }
}

#[test]
fn names_that_equal_json_keys_or_numbers_leave_the_json_valid() {
    // A family named `137` next to exit code 137, and names that are our JSON keys.
    let input = r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/summary/0123","group":"service:status","taskDefinitionArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/137:4","stoppedReason":"Essential container in task exited","containers":[{"name":"app","exitCode":137,"reason":"cluster summary\u001b[31m said no"}]},{"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/count/0124","group":"service:version","taskDefinitionArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/source:1","stoppedReason":"WidgetError: kind run"}]}"#;
    let out = run(
        &["--redact", "--output", "json", "explain", "-"],
        Some(input.as_bytes()),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON ({e}): {text}"));
    let first = &report["diagnoses"][0];
    assert_eq!(first["task"]["containers"][0]["exit_code"], 137);
    assert_eq!(first["task"]["family"], "<family-1>");
    assert_eq!(first["task"]["service"], "<service-1>");
    assert_eq!(first["task"]["cluster"], "<cluster-1>");
    assert_eq!(
        first["task"]["containers"][0]["reason"],
        "cluster <cluster-1>\u{1b}[31m said no"
    );
    assert_eq!(report["diagnoses"][1]["task"]["service"], "<service-2>");
    assert!(report["summary"]["diagnoses"].is_number());
    // The ESC next to a token is escaped after redaction in text: never `\<cluster-1>`.
    let out = run(&["--redact", "explain", "-"], Some(input.as_bytes()));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("cluster <cluster-1>\\x1b[31m said no"),
        "{text}"
    );
    assert!(!text.contains("\\<"), "{text}");
}

#[test]
fn the_catalogs_own_text_is_never_rewritten() {
    // A service called `api` and a family called `logs` are the user's; `ecr.api` and
    // `aws logs tail` are ours.
    let input = r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/prod/0123","group":"service:api","stoppedReason":"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:latest: failed to do request: Head \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/web/manifests/latest\": dial tcp 10.0.1.25:443: i/o timeout"},{"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/prod/0124","taskDefinitionArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/logs:1","stoppedReason":"WidgetError: odd"}]}"#;
    for format in FORMATS {
        let out = run(
            &["--redact", "--verbose", "--output", format, "explain", "-"],
            Some(input.as_bytes()),
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("ecr.api"), "{format}: {text}");
        assert!(text.contains("aws logs tail"), "{format}: {text}");
        assert!(!text.contains(".ecr.<service"), "{format}: {text}");
        assert!(!text.contains("aws <family"), "{format}: {text}");
        assert!(text.contains("service-1"), "{format}: {text}");
    }
}

/// Runs `args` with `input` on stdin and returns the time it took.
fn timed(args: &[&str], input: &[u8]) -> std::time::Duration {
    let started = std::time::Instant::now();
    let out = run(args, Some(input));
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

#[test]
fn redaction_time_does_not_grow_with_the_number_of_names() {
    // 4,000 lines, each naming a role of its own (0.1.0: 23 s, quadratic in the names).
    let lines: String = (0..4000)
        .map(|i| format!("AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/team-{i:05}-exec/s{i} is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:111122223333:parameter/app-{i:05}/db\n"))
        .collect();
    let plain = timed(&["--output", "json", "explain", "-"], lines.as_bytes());
    let redacting = timed(
        &["--redact", "--output", "json", "explain", "-"],
        lines.as_bytes(),
    );
    assert!(
        redacting < plain * 3 + std::time::Duration::from_secs(2),
        "--redact took {redacting:?}, without it {plain:?}"
    );

    // 20,000 distinct services in an archive (0.1.0: 18 s against 0.3 s).
    let dir = tempfile::Builder::new()
        .prefix("ecs-diagnose-redact-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("events.jsonl");
    let events: String = (0..20_000)
        .map(|i| {
            serde_json::json!({
                "detail-type": "ECS Task State Change", "source": "aws.ecs",
                "detail": {
                    "taskArn": format!("arn:aws:ecs:us-east-1:111122223333:task/prod/{i:032x}"),
                    "group": format!("service:svc-{i:05}"), "lastStatus": "STOPPED",
                    "stoppedReason": "Essential container in task exited",
                    "stoppedAt": "2026-11-23T10:00:00Z",
                }
            })
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&path, events).unwrap();
    let path = path.to_str().unwrap();
    let plain = timed(&["--output", "json", "events", path], b"");
    let redacting = timed(&["--redact", "--output", "json", "events", path], b"");
    assert!(
        redacting < plain * 3 + std::time::Duration::from_secs(2),
        "--redact took {redacting:?}, without it {plain:?}"
    );
}

#[test]
fn markdown_table_cells_and_fences_hold_task_fields_safely() {
    let event = serde_json::json!({"detail-type": "ECS Task State Change", "detail": {
        "lastStatus": "STOPPED", "taskArn": "arn:aws:ecs:eu-west-1:111122223333:task/prod/abc",
        "stopCode": "X\u{1b}[31mRED\u{1b}]8;;http://evil.example/\u{7}link\u{1b}]8;;\u{7}\u{202e}",
        "stoppedAt": "2026-11-23T10:02:11Z | <img src=x onerror=alert(1)> [c](javascript:alert(1)) |"}});
    let dir = tempfile::Builder::new()
        .prefix("ecs-diagnose-markdown-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("e.jsonl");
    std::fs::write(&path, format!("{event}\n")).unwrap();
    let out = run(&["-o", "markdown", "events", path.to_str().unwrap()], None);
    let text = String::from_utf8(out.stdout).unwrap();
    let table_row = text
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .unwrap_or_else(|| panic!("no table row: {text}"));
    // Five cells, six unescaped bars: no `|` from the input splits a cell.
    let bars = table_row
        .char_indices()
        .filter(|&(i, c)| c == '|' && !table_row[..i].ends_with('\\'))
        .count();
    assert_eq!(bars, 6, "{table_row}");
    let outside = outside_code(&text);
    assert!(!outside.contains("<img"), "{outside}");
    assert!(
        !outside.replace("\\]", "").contains("](javascript:"),
        "{outside}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(!text.contains('\u{202e}'), "{text:?}");
}
