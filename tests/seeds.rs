//! The three scenarios the product was born from, end to end through the binary: the right
//! cause first, the user's own values in the fix, the near misses kept apart, and the same
//! answer whatever shape the input has.

mod common;

use common::*;

#[test]
fn seed_1_ecr_public_names_the_cache_rule_and_the_rewritten_image() {
    let (report, code) = explain_json(&[SEED_1], None);
    assert_eq!(code, 0);
    let f = top(&report);
    assert_eq!(f["pattern"], "ecr-public-unreachable-via-vpc-endpoints");
    let text = finding_text(f);
    assert!(text.contains("aws ecr create-pull-through-cache-rule --ecr-repository-prefix ecr-public --upstream-registry-url public.ecr.aws"));
    // No account or region in a pasted string: visible placeholders, never a guess.
    assert!(
        text.contains("<account>.dkr.ecr.<region>.amazonaws.com/ecr-public/nginx/nginx:latest"),
        "{text}"
    );
    assert!(text.contains("NAT gateway"));
    assert!(text.contains("aws_ecr_pull_through_cache_rule"));
    assert!(text.contains("ecr:BatchImportUpstreamImage"));
}

#[test]
fn seed_1_with_account_and_region_flags_fills_the_image() {
    let (report, _) = explain_json(
        &[
            SEED_1,
            "--account",
            "444455556666",
            "--region",
            "eu-central-1",
        ],
        None,
    );
    let text = finding_text(top(&report));
    assert!(
        text.contains(
            "444455556666.dkr.ecr.eu-central-1.amazonaws.com/ecr-public/nginx/nginx:latest"
        ),
        "{text}"
    );
    assert!(text.contains("--region eu-central-1"));
    assert_eq!(top(&report)["values"]["account"]["source"], "command-line");
}

#[test]
fn seed_2_names_the_record_and_the_zone() {
    let (report, code) = explain_json(&[SEED_2], None);
    assert_eq!(code, 0);
    let f = top(&report);
    assert_eq!(f["pattern"], "ecr-dkr-name-shadowed-by-private-zone");
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("`123456789012.dkr.ecr.ap-northeast-1.amazonaws.com`"),
        "{fix}"
    );
    assert!(fix.contains("dkr.ecr.ap-northeast-1.amazonaws.com"));
    assert!(fix.contains("com.amazonaws.ap-northeast-1.ecr.dkr"));
    let text = finding_text(f);
    assert!(text.contains("change-resource-record-sets"));
    assert!(
        text.contains(r#"\"Name\":\"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com\""#),
        "{text}"
    );
}

#[test]
fn seed_3_names_the_two_iam_actions() {
    let (report, code) = explain_json(&[SEED_3], None);
    assert_eq!(code, 0);
    let f = top(&report);
    assert_eq!(f["pattern"], "ecr-pull-through-cache-not-found");
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("ecr:BatchImportUpstreamImage") && fix.contains("ecr:CreateRepository"),
        "{fix}"
    );
    assert!(
        fix.contains("arn:aws:ecr:ap-northeast-1:123456789012:repository/ecr-public/*"),
        "{fix}"
    );
    // Account and region come from the image host here, and the output says so.
    assert_eq!(f["values"]["account"]["source"], "image-host");
    // The string alone does not rule out a missing rule or upstream tag: candidates say so.
    assert_eq!(f["confidence"], "medium");
    assert!(f["candidates"].as_array().unwrap().len() >= 3);
}

/// The pattern ids of the first diagnosis's findings.
fn patterns(report: &serde_json::Value) -> Vec<String> {
    report["diagnoses"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["pattern"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn near_miss_missing_tag_on_a_private_repo_is_not_a_cache_problem() {
    let text = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2: not found";
    let (report, _) = explain_json(&[text], None);
    assert_eq!(top(&report)["pattern"], "pull-image-not-found");
    assert!(!patterns(&report).contains(&"ecr-pull-through-cache-not-found".to_string()));
}

#[test]
fn near_miss_timeout_to_a_private_ecr_host_is_not_ecr_public() {
    let text = r#"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2: failed to do request: Head "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/web/manifests/1.4.2": dial tcp 10.0.12.34:443: i/o timeout"#;
    let (report, _) = explain_json(&[text], None);
    assert_eq!(top(&report)["pattern"], "ecr-registry-timeout-private-ip");
    assert!(!patterns(&report).contains(&"ecr-public-unreachable-via-vpc-endpoints".to_string()));
    let all = serde_json::to_string(&report["diagnoses"][0]["findings"]).unwrap();
    assert!(!all.contains("create-pull-through-cache-rule"));
}

#[test]
fn describe_tasks_gives_the_same_diagnosis_with_values_from_the_task_arn() {
    let path = fixture("seed1-describe-tasks.json");
    let (report, code) = explain_json(&["--file", path.to_str().unwrap()], None);
    assert_eq!(code, 0);
    let d = &report["diagnoses"][0];
    assert_eq!(d["task"]["cluster"], "prod");
    assert_eq!(d["task"]["service"], "web");
    let f = &d["findings"][0];
    assert_eq!(f["pattern"], "ecr-public-unreachable-via-vpc-endpoints");
    assert_eq!(f["values"]["account"]["source"], "task-arn");
    let text = finding_text(f);
    assert!(
        text.contains("111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:latest"),
        "{text}"
    );
    assert!(text.contains("--region eu-west-1"));
    // Both the stopped reason and the container reason are evidence for the one finding.
    assert_eq!(f["evidence"].as_array().unwrap().len(), 2);
    // The describe-tasks `failures` are reported, not dropped.
    assert!(report["warnings"][0].as_str().unwrap().contains("MISSING"));
}

#[test]
fn eventbridge_event_gives_the_same_diagnosis() {
    let path = fixture("seed2-event.json");
    let (report, code) = explain_json(&["--file", path.to_str().unwrap()], None);
    assert_eq!(code, 0);
    let f = top(&report);
    assert_eq!(f["pattern"], "ecr-dkr-name-shadowed-by-private-zone");
    assert_eq!(f["values"]["region"]["value"], "ap-northeast-1");
    assert_eq!(f["values"]["region"]["source"], "task-arn");
}

#[test]
fn json_lines_events_one_diagnosis_per_task() {
    let path = fixture("seed3-events.jsonl");
    let (report, code) = explain_json(&["--file", path.to_str().unwrap()], None);
    assert_eq!(code, 0);
    let diagnoses = report["diagnoses"].as_array().unwrap();
    assert_eq!(diagnoses.len(), 2, "two tasks, three events");
    for d in diagnoses {
        assert_eq!(
            d["findings"][0]["pattern"],
            "ecr-pull-through-cache-not-found"
        );
        assert!(
            finding_text(&d["findings"][0])
                .contains("arn:aws:ecr:eu-west-1:111122223333:repository/ecr-public/*")
        );
    }
}

#[test]
fn stdin_gives_the_same_answer_as_an_argument() {
    let (from_arg, _) = explain_json(&[SEED_2], None);
    let (from_stdin, _) = explain_json(&["-"], Some(SEED_2.as_bytes()));
    assert_eq!(top(&from_arg), top(&from_stdin));
}
