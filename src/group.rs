//! Many tasks, few causes: diagnoses grouped by their best finding's pattern, with counts, when
//! they happened, where, and a few example tasks. Unrecognised messages are grouped by their
//! text with variable parts (ids, addresses, numbers) masked, so the biggest gaps in the
//! catalog show up as the biggest groups.
//!
//! Memory grows with the number of distinct causes, not with the number of tasks.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::catalog::spec::Severity;
use crate::mask::masked;
use crate::report::{Diagnosis, Status};

/// Example task ids kept per group.
const EXAMPLES: usize = 5;
/// Distinct unrecognised groups kept; past this, they share one "other" group.
const MAX_UNRECOGNISED_GROUPS: usize = 500;
/// Distinct fixes remembered per group (to count variants).
const MAX_VARIANTS: usize = 100;

/// One cause and the tasks it stopped.
#[derive(Debug, Clone)]
pub struct Group {
    /// The pattern id, or `unrecognised:<masked text>`.
    pub key: String,
    pub pattern: Option<String>,
    pub title: String,
    pub status: Status,
    pub severity: Option<Severity>,
    pub count: u64,
    /// Earliest and latest stop: (epoch seconds, text as given).
    pub first_stopped: Option<(i64, String)>,
    pub last_stopped: Option<(i64, String)>,
    pub services: BTreeMap<String, u64>,
    pub families: BTreeMap<String, u64>,
    pub clusters: BTreeMap<String, u64>,
    /// A few task ids (or input positions for pasted text).
    pub examples: Vec<String>,
    /// The first diagnosis of the group; its best finding explains the group.
    pub representative: Diagnosis,
    /// For unrecognised groups: the normalised text with variable parts masked.
    pub masked_text: Option<String>,
    /// Stops per time bucket (bucket start, epoch seconds), when a bucket size is set.
    pub timeline: BTreeMap<i64, u64>,
    fixes: HashSet<String>,
}

impl Group {
    /// How many different renderings of the fix the group's tasks got (different images,
    /// accounts...); the representative shows one.
    pub fn variants(&self) -> usize {
        self.fixes.len().max(1)
    }
}

/// Diagnoses grouped by cause.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    groups: HashMap<String, Group>,
    unrecognised_groups: usize,
    /// Bucket size for timelines, in seconds (None: no timeline).
    bucket: Option<i64>,
    pub tasks: u64,
    pub failures: u64,
    pub benign: u64,
    pub unrecognised: u64,
}

impl Grouping {
    /// A grouping that also counts stops per `bucket` seconds.
    pub fn with_timeline(bucket: i64) -> Grouping {
        Grouping {
            bucket: Some(bucket.max(1)),
            ..Grouping::default()
        }
    }

    pub fn bucket(&self) -> Option<i64> {
        self.bucket
    }

    /// Adds one task's diagnosis.
    pub fn add(&mut self, diagnosis: &Diagnosis) {
        self.tasks += 1;
        match diagnosis.status {
            Status::Failure => self.failures += 1,
            Status::Benign => self.benign += 1,
            Status::Unrecognised => self.unrecognised += 1,
        }
        let (key, masked_text) = match diagnosis.primary() {
            Some(f) => (f.pattern.clone(), None),
            None => {
                let text = diagnosis
                    .unrecognised
                    .as_ref()
                    .and_then(|u| u.normalized.first().map(|(_, t)| t.clone()))
                    .or_else(|| {
                        diagnosis
                            .task
                            .stop_code
                            .as_ref()
                            .map(|c| format!("(stopCode {c}, no reason)"))
                    })
                    .unwrap_or_else(|| "(no reason given)".to_string());
                let masked = masked(&text);
                let key = format!("unrecognised:{masked}");
                if self.groups.contains_key(&key)
                    || self.unrecognised_groups < MAX_UNRECOGNISED_GROUPS
                {
                    (key, Some(masked))
                } else {
                    (
                        "unrecognised:<other>".to_string(),
                        Some("(other unrecognised messages)".to_string()),
                    )
                }
            }
        };
        if !self.groups.contains_key(&key) {
            if masked_text.is_some() {
                self.unrecognised_groups += 1;
            }
            let primary = diagnosis.primary();
            self.groups.insert(
                key.clone(),
                Group {
                    key: key.clone(),
                    pattern: primary.map(|f| f.pattern.clone()),
                    title: primary.map_or_else(
                        || "Unrecognised stop reason".to_string(),
                        |f| f.title.clone(),
                    ),
                    status: diagnosis.status,
                    severity: primary.map(|f| f.severity),
                    count: 0,
                    first_stopped: None,
                    last_stopped: None,
                    services: BTreeMap::new(),
                    families: BTreeMap::new(),
                    clusters: BTreeMap::new(),
                    examples: Vec::new(),
                    representative: diagnosis.clone(),
                    masked_text,
                    timeline: BTreeMap::new(),
                    fixes: HashSet::new(),
                },
            );
        }
        let bucket = self.bucket;
        let group = self.groups.get_mut(&key).expect("inserted above");
        group.count += 1;
        let task = &diagnosis.task;
        if let Some(stopped) = task.stopped_at.as_deref()
            && let Some(at) = crate::time::parse_rfc3339(stopped)
        {
            if group.first_stopped.as_ref().is_none_or(|(t, _)| at < *t) {
                group.first_stopped = Some((at, stopped.to_string()));
            }
            if group.last_stopped.as_ref().is_none_or(|(t, _)| at > *t) {
                group.last_stopped = Some((at, stopped.to_string()));
            }
            if let Some(size) = bucket {
                *group.timeline.entry(at - at.rem_euclid(size)).or_default() += 1;
            }
        }
        for (map, value) in [
            (&mut group.services, task.service.as_deref()),
            (&mut group.families, task.family.as_deref()),
            (&mut group.clusters, task.cluster.as_deref()),
        ] {
            if let Some(value) = value {
                *map.entry(value.to_string()).or_default() += 1;
            }
        }
        if group.examples.len() < EXAMPLES {
            let label = task
                .task_id
                .clone()
                .unwrap_or_else(|| crate::render::subject(diagnosis));
            if !group.examples.contains(&label) {
                group.examples.push(label);
            }
        }
        if let Some(f) = diagnosis.primary()
            && group.fixes.len() < MAX_VARIANTS
        {
            group.fixes.insert(f.fix.clone());
        }
    }

    /// The groups, failures first (most tasks first), then unrecognised, then benign.
    pub fn groups(&self) -> Vec<&Group> {
        let mut groups: Vec<&Group> = self.groups.values().collect();
        groups.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(b.count.cmp(&a.count))
                .then(a.key.cmp(&b.key))
        });
        groups
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Failure => 0,
        Status::Unrecognised => 1,
        Status::Benign => 2,
    }
}
