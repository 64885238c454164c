//! The evidence about one stopped task (or one pasted error), independent of where it came from.
//!
//! Every input adapter — pasted text, `describe-tasks` JSON, EventBridge events, the live
//! fetcher — produces [`Evidence`]; the engine reads nothing else.

use std::fmt;

/// Which text field of a task a message was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// The task's `stoppedReason`.
    StoppedReason,
    /// A container's `reason`.
    ContainerReason,
    /// An ECS service event message (`(service x) ... Reason: ...`).
    ServiceEvent,
    /// Pasted text: we cannot know which field it came from, so it may match any rule.
    Pasted,
}

impl Field {
    /// The stable name used in pattern files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::StoppedReason => "stopped-reason",
            Field::ContainerReason => "container-reason",
            Field::ServiceEvent => "service-event",
            Field::Pasted => "pasted",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a piece of evidence was read from, for the reader of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Text given on the command line, stdin or a file; `line` is 1-based.
    Text { line: usize },
    /// One entry of `tasks[]` in `describe-tasks` output (0-based), or a bare task object.
    Task { index: usize },
    /// An EventBridge "ECS Task State Change" event; `index` counts events (0-based).
    Event { index: usize },
    /// A service event message, from text or `describe-services` output.
    ServiceEvent { index: usize },
    /// Fetched through the ECS API.
    Live,
}

impl Source {
    /// A short, stable name of the kind of source.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Text { .. } => "text",
            Source::Task { .. } => "task",
            Source::Event { .. } => "event",
            Source::ServiceEvent { .. } => "service-event",
            Source::Live => "live",
        }
    }

    /// The line or index within the input, if any.
    pub fn position(&self) -> Option<usize> {
        match *self {
            Source::Text { line } => Some(line),
            Source::Task { index } | Source::Event { index } | Source::ServiceEvent { index } => {
                Some(index)
            }
            Source::Live => None,
        }
    }
}

/// One container of a stopped task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerEvidence {
    pub name: String,
    pub image: Option<String>,
    pub exit_code: Option<i64>,
    pub reason: Option<String>,
    pub health_status: Option<String>,
}

/// Identity and placement of the task; every field is optional because pasted text has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskMeta {
    pub task_arn: Option<String>,
    pub cluster_arn: Option<String>,
    pub task_definition_arn: Option<String>,
    /// `service:<name>` or `family:<name>`.
    pub group: Option<String>,
    pub started_by: Option<String>,
    pub launch_type: Option<String>,
    pub last_status: Option<String>,
    /// RFC 3339 text (events) or the API's epoch seconds rendered as RFC 3339.
    pub stopped_at: Option<String>,
    /// The service name when it is known without a group (service events).
    pub service: Option<String>,
    /// Account and region stated by the envelope of an event.
    pub envelope_account: Option<String>,
    pub envelope_region: Option<String>,
    /// The task's elastic network interface (awsvpc), from its attachment details.
    pub network: Option<TaskNetwork>,
}

/// Where an awsvpc task sat in the network, as its ENI attachment records it. The ENI itself
/// is usually deleted once the task stops; these details stay on the task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskNetwork {
    pub subnet_id: Option<String>,
    pub eni_id: Option<String>,
    pub private_ip: Option<String>,
}

impl TaskNetwork {
    /// From an attachment's `name`/`value` details; `None` when it names no subnet or ENI.
    pub fn from_details<'a>(
        details: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<TaskNetwork> {
        let mut network = TaskNetwork::default();
        for (name, value) in details {
            let value = Some(value.to_string()).filter(|v| !v.is_empty());
            match name {
                "subnetId" => network.subnet_id = value,
                "networkInterfaceId" => network.eni_id = value,
                "privateIPv4Address" => network.private_ip = value,
                _ => {}
            }
        }
        (network.subnet_id.is_some() || network.eni_id.is_some()).then_some(network)
    }
}

/// Everything known about one stopped task or one pasted error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub source: Source,
    pub meta: TaskMeta,
    pub stop_code: Option<String>,
    /// The task's `stoppedReason`; for pasted text and service events, the text itself.
    pub stopped_reason: Option<String>,
    /// Which field `stopped_reason` holds: `StoppedReason`, `Pasted` or `ServiceEvent`.
    pub reason_field: Field,
    pub containers: Vec<ContainerEvidence>,
}

impl Evidence {
    /// Evidence for one pasted error.
    pub fn pasted(line: usize, text: String) -> Evidence {
        Evidence {
            source: Source::Text { line },
            meta: TaskMeta::default(),
            stop_code: None,
            stopped_reason: Some(text),
            reason_field: Field::Pasted,
            containers: Vec::new(),
        }
    }

    /// An empty task record, to be filled in by an adapter.
    pub fn task(source: Source) -> Evidence {
        Evidence {
            source,
            meta: TaskMeta::default(),
            stop_code: None,
            stopped_reason: None,
            reason_field: Field::StoppedReason,
            containers: Vec::new(),
        }
    }

    /// Every text message of the task, in a fixed order: the stopped reason, then containers.
    pub fn messages(&self) -> impl Iterator<Item = Message<'_>> {
        let reason = self.stopped_reason.as_deref().map(|text| Message {
            field: self.reason_field,
            container: None,
            text,
        });
        let containers = self.containers.iter().enumerate().filter_map(|(i, c)| {
            c.reason.as_deref().map(|text| Message {
                field: Field::ContainerReason,
                container: Some(i),
                text,
            })
        });
        reason.into_iter().chain(containers)
    }

    /// The task id (last segment of the task ARN).
    pub fn task_id(&self) -> Option<&str> {
        self.meta
            .task_arn
            .as_deref()
            .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
    }

    /// The service name, from a `service:<name>` group or a service event.
    pub fn service(&self) -> Option<&str> {
        self.meta.service.as_deref().or_else(|| {
            self.meta
                .group
                .as_deref()
                .and_then(|g| g.strip_prefix("service:"))
        })
    }

    /// The task definition family, from a `family:<name>` group or the task definition ARN.
    pub fn family(&self) -> Option<&str> {
        if let Some(f) = self
            .meta
            .group
            .as_deref()
            .and_then(|g| g.strip_prefix("family:"))
        {
            return Some(f);
        }
        let arn = self.meta.task_definition_arn.as_deref()?;
        let last = arn.rsplit('/').next()?;
        Some(last.split(':').next().unwrap_or(last))
    }
}

/// One text taken from the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'e> {
    pub field: Field,
    /// Index into [`Evidence::containers`] for container reasons.
    pub container: Option<usize>,
    pub text: &'e str,
}
