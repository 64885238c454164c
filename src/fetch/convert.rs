//! SDK task → [`Evidence`], the same shape the describe-tasks JSON adapter produces.

use aws_sdk_ecs::types::Task;

use crate::model::{ContainerEvidence, Evidence, Source};

pub(super) fn evidence(task: &Task) -> Evidence {
    let mut evidence = Evidence::task(Source::Live);
    evidence.meta.task_arn = task.task_arn().map(str::to_string);
    evidence.meta.cluster_arn = task.cluster_arn().map(str::to_string);
    evidence.meta.task_definition_arn = task.task_definition_arn().map(str::to_string);
    evidence.meta.group = task.group().map(str::to_string);
    evidence.meta.started_by = task.started_by().map(str::to_string);
    evidence.meta.launch_type = task.launch_type().map(|l| l.as_str().to_string());
    evidence.meta.last_status = task.last_status().map(str::to_string);
    evidence.meta.stopped_at = task
        .stopped_at()
        .map(|t| crate::time::format_epoch(t.secs()));
    evidence.meta.network = task
        .attachments()
        .iter()
        .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
        .find_map(|a| {
            crate::model::TaskNetwork::from_details(
                a.details()
                    .iter()
                    .filter_map(|d| Some((d.name()?, d.value()?))),
            )
        });
    evidence.stop_code = task.stop_code().map(|c| c.as_str().to_string());
    evidence.stopped_reason = task
        .stopped_reason()
        .filter(|r| !r.trim().is_empty())
        .map(str::to_string);
    evidence.containers = task
        .containers()
        .iter()
        .map(|c| ContainerEvidence {
            name: c.name().unwrap_or_default().to_string(),
            image: c.image().map(str::to_string),
            exit_code: c.exit_code().map(i64::from),
            reason: c
                .reason()
                .filter(|r| !r.trim().is_empty())
                .map(str::to_string),
            health_status: c.health_status().map(|h| h.as_str().to_string()),
        })
        .collect();
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{Container, TaskStopCode};

    #[test]
    fn converts_the_fields_the_engine_reads() {
        let task = Task::builder()
            .task_arn("arn:aws:ecs:us-east-1:123456789012:task/prod/abc")
            .cluster_arn("arn:aws:ecs:us-east-1:123456789012:cluster/prod")
            .group("service:web")
            .stop_code(TaskStopCode::EssentialContainerExited)
            .stopped_reason("Essential container in task exited")
            .stopped_at(aws_sdk_ecs::primitives::DateTime::from_secs(1_767_323_045))
            .containers(
                Container::builder()
                    .name("app")
                    .exit_code(137)
                    .reason("OutOfMemoryError: Container killed due to memory usage")
                    .build(),
            )
            .build();
        let e = evidence(&task);
        assert_eq!(e.stop_code.as_deref(), Some("EssentialContainerExited"));
        assert_eq!(e.meta.stopped_at.as_deref(), Some("2026-01-02T03:04:05Z"));
        assert_eq!(e.containers[0].exit_code, Some(137));
        assert_eq!(e.service(), Some("web"));
    }
}
