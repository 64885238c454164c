//! What to tell the user when nothing in the catalog matches: the text as the catalog saw it,
//! generic next steps, and a pattern file to start from.

use crate::context::ShowValue;
use crate::mask::{Segment, segments};
use crate::model::{Evidence, Field};
use crate::report::Unrecognised;

/// Longest message prefix turned into a stub regex; ECS messages are most distinctive early.
const STUB_REGEX_CHARS: usize = 160;

/// `normalized` has been through `show` already; the task's names in the next steps go
/// through it here.
pub(super) fn describe(
    evidence: &Evidence,
    normalized: Vec<(Field, String)>,
    show: &mut ShowValue<'_>,
) -> Unrecognised {
    let mut next_steps = Vec::new();
    if normalized.is_empty() {
        next_steps.push(
            "The input has no stopped reason or container reason to match; give the task's stoppedReason, or its describe-tasks JSON."
                .to_string(),
        );
    }
    let task = evidence
        .task_id()
        .and_then(|t| show(Some("task_id"), t))
        .unwrap_or_else(|| "<task-id>".to_string());
    let cluster = evidence
        .meta
        .cluster_arn
        .as_deref()
        .map(crate::arn::cluster_name)
        .and_then(|c| show(Some("cluster"), c))
        .unwrap_or_else(|| "<cluster>".to_string());
    next_steps.push(format!(
        "Read every container's reason and exit code while ECS still lists the task (about an hour): aws ecs describe-tasks --cluster {cluster} --tasks {task} --query 'tasks[].{{stopCode:stopCode,reason:stoppedReason,containers:containers[].{{name:name,exit:exitCode,reason:reason}}}}'"
    ));
    next_steps.push(
        "Read the application's last log lines (the awslogs-group of the task definition): aws logs tail <log-group> --since 1h"
            .to_string(),
    );
    next_steps.push(
        "For a task that failed to start, the AWSSupport-TroubleshootECSTaskFailedToStart runbook checks network paths, the execution role and secrets: aws ssm start-automation-execution --document-name AWSSupport-TroubleshootECSTaskFailedToStart --parameters ClusterName=<cluster>,TaskId=<task-id>"
            .to_string(),
    );
    next_steps.push(
        "Teach ecs-diagnose this message: save the pattern stub as <dir>/<id>.yaml, fill in cause and fix, and pass --catalog <dir> (or contribute it to patterns/)."
            .to_string(),
    );
    let first = normalized.iter().find(|(_, text)| !text.is_empty());
    let pattern_stub = stub(first.map(|(f, t)| (*f, t.as_str())));
    Unrecognised {
        normalized,
        next_steps,
        pattern_stub,
    }
}

fn stub(message: Option<(Field, &str)>) -> String {
    let (field, text) = message.unwrap_or((Field::Pasted, ""));
    let regex = stub_regex(text);
    let id = stub_id(text);
    let field_line = match field {
        Field::Pasted => String::new(),
        other => format!("    fields: [{other}]\n"),
    };
    let example_field = match field {
        Field::Pasted => String::new(),
        other => format!("    field: {other}\n"),
    };
    format!(
        "id: {id}\ntitle: <one line naming the cause>\ncategory: <image-pull | secrets | logging | networking | application | ...>\nseverity: error\nmatch:\n  - regex: '{regex}'\n{field_line}cause: >-\n  <why this happens>\nfix: >-\n  <what to do>\ndocs: []\nexamples:\n  - text: {text}\n{example_field}near_misses: []\n",
        regex = regex.replace('\'', "''"),
        text = yaml_quote(text),
    )
}

/// The message's start as a regex, with variable parts generalised.
fn stub_regex(text: &str) -> String {
    let mut regex = String::from("^");
    let mut chars = 0;
    for segment in segments(text) {
        if chars >= STUB_REGEX_CHARS {
            break;
        }
        match segment {
            Segment::Text(t) => {
                let take: String = t.chars().take(STUB_REGEX_CHARS - chars).collect();
                chars += take.chars().count();
                regex.push_str(&crate::catalog::regex::escape(&take));
            }
            Segment::Value(kind, value) => {
                chars += value.chars().count();
                regex.push_str(kind.regex());
            }
        }
    }
    regex
}

fn stub_id(text: &str) -> String {
    let fixed: String = segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t,
            Segment::Value(..) => " ",
        })
        .collect();
    let words: Vec<String> = fixed
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !w.bytes().all(|b| b.is_ascii_digit()))
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "custom-unrecognised".to_string()
    } else {
        format!("custom-{}", words.join("-"))
    }
}

fn yaml_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_generalises_values() {
        let text = "WidgetError: lease 0a1b2c3d4e lost on 10.0.0.12 after 30s";
        let regex = stub_regex(text);
        assert_eq!(
            regex,
            r"^WidgetError: lease [0-9a-f]+ lost on [0-9]{1,3}(?:\.[0-9]{1,3}){3} after \d+s"
        );
        assert!(
            crate::catalog::regex::Regex::new(&regex)
                .unwrap()
                .is_match(text)
        );
        assert_eq!(stub_id(text), "custom-widgeterror-lease-lost-on");
    }

    #[test]
    fn stub_is_valid_yaml_for_quotes() {
        let s = stub(Some((Field::StoppedReason, "It's 'quoted'")));
        let value: serde_yaml::Value = serde_yaml::from_str(&s).unwrap();
        assert_eq!(value["examples"][0]["text"].as_str(), Some("It's 'quoted'"));
    }
}
