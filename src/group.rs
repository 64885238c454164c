//! Many tasks, few causes: tasks grouped by their best finding's pattern, with counts, when
//! they happened, where, and a few example tasks. Unrecognised messages are grouped by their
//! text with variable parts (ids, addresses, numbers) masked, so the biggest gaps in the
//! catalog show up as the biggest groups.
//!
//! Memory grows with the number of distinct causes (and services, clusters, time buckets), not
//! with the number of tasks: each group keeps counts, a few example ids and one representative
//! diagnosis.

use std::collections::BTreeMap;

/// Maps keyed by what an archive holds: foldhash, seeded per run, hashes a long group key in a
/// fraction of SipHash's time (the aggregator looks one up for every task).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::quality::RandomState>;

use crate::catalog::spec::Severity;
use crate::engine::Classification;
use crate::mask::masked;
use crate::model::Evidence;
use crate::report::{Diagnosis, Status};

/// Example task ids kept per group.
const EXAMPLES: usize = 5;
/// Distinct unrecognised groups kept; past this, they share one "other" group.
const MAX_UNRECOGNISED_GROUPS: usize = 500;
/// Distinct value sets remembered per group; the tasks of any others are counted together.
const MAX_VALUE_SETS: usize = 100;

/// Which group a task belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKey {
    /// The pattern id, or `unrecognised:<masked text>`.
    key: String,
    masked_text: Option<String>,
}

impl GroupKey {
    pub fn of_diagnosis(d: &Diagnosis) -> GroupKey {
        match d.primary() {
            Some(f) => GroupKey {
                key: f.pattern.clone(),
                masked_text: None,
            },
            None => {
                let text = d
                    .unrecognised
                    .as_ref()
                    .and_then(|u| u.normalized.first().map(|(_, t)| t.clone()))
                    .unwrap_or_default();
                GroupKey::unrecognised(&text, d.task.stop_code.as_deref())
            }
        }
    }

    pub fn of_classification(c: &Classification, stop_code: Option<&str>) -> GroupKey {
        match &c.pattern {
            Some(id) => GroupKey {
                key: id.clone(),
                masked_text: None,
            },
            None => GroupKey::unrecognised(c.unrecognised_text.as_deref().unwrap_or(""), stop_code),
        }
    }

    /// The group's identity: the pattern id, or `unrecognised:<masked text>`.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    fn unrecognised(text: &str, stop_code: Option<&str>) -> GroupKey {
        let text = if text.is_empty() {
            match stop_code {
                Some(code) => format!("(stopCode {code}, no reason)"),
                None => "(no reason given)".to_string(),
            }
        } else {
            masked(text)
        };
        GroupKey {
            key: format!("unrecognised:{text}"),
            masked_text: Some(text),
        }
    }
}

/// Where and when one task stopped, as far as the input says.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskFacts<'a> {
    pub task_id: Option<&'a str>,
    pub service: Option<&'a str>,
    pub family: Option<&'a str>,
    pub cluster: Option<&'a str>,
    /// RFC 3339.
    pub stopped_at: Option<&'a str>,
}

impl<'a> TaskFacts<'a> {
    pub fn of(d: &'a Diagnosis) -> TaskFacts<'a> {
        TaskFacts {
            task_id: d.task.task_id.as_deref(),
            service: d.task.service.as_deref(),
            family: d.task.family.as_deref(),
            cluster: d.task.cluster.as_deref(),
            stopped_at: d.task.stopped_at.as_deref(),
        }
    }
}

/// What one task added to a grouping, so it can be taken back when a newer event of the same
/// task replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    group: u32,
    status: Status,
    /// The timeline bucket's start, or `NO_BUCKET` (`Option<i64>` would take 8 bytes more).
    bucket: i64,
    service: SmallIndex,
    family: SmallIndex,
    cluster: SmallIndex,
    /// Index of the task's value set in its group, if it was kept.
    values: SmallIndex,
}

const NO_BUCKET: i64 = i64::MIN;

/// An optional index in four bytes (`Option<u32>` takes eight): a [`Contribution`] is kept for
/// every task counted, hundreds of thousands in a large archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SmallIndex(u32);

impl SmallIndex {
    fn new(index: Option<u32>) -> SmallIndex {
        // Interned names and value sets are far fewer than u32::MAX.
        SmallIndex(index.unwrap_or(u32::MAX))
    }

    fn get(self) -> Option<u32> {
        (self.0 != u32::MAX).then_some(self.0)
    }
}

/// The values one or more of a group's tasks fill the cause and fix in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSet {
    /// By name, sorted.
    pub values: Vec<(String, String)>,
    pub tasks: u64,
}

#[derive(Debug, Clone)]
struct Group {
    key: String,
    status: Status,
    count: u64,
    first_stopped: Option<(i64, String)>,
    last_stopped: Option<(i64, String)>,
    services: HashMap<u32, u64>,
    families: HashMap<u32, u64>,
    clusters: HashMap<u32, u64>,
    examples: Vec<String>,
    representative: Diagnosis,
    /// The representative's evidence, to render it again for the report (redacted, or with
    /// placeholders where the group's tasks differ).
    evidence: Evidence,
    masked_text: Option<String>,
    timeline: BTreeMap<i64, u64>,
    value_sets: Vec<ValueSet>,
    value_index: HashMap<Vec<(String, String)>, u32>,
    /// Tasks whose value set was not kept (past [`MAX_VALUE_SETS`]).
    other_values: u64,
}

/// One cause and the tasks it stopped, ready to render.
#[derive(Debug, Clone)]
pub struct GroupView {
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
    /// A few task ids (or input positions).
    pub examples: Vec<String>,
    /// The first diagnosis of the group; its best finding explains the group.
    pub representative: Diagnosis,
    /// The evidence of that diagnosis.
    pub evidence: Evidence,
    /// For unrecognised groups: the normalised text with variable parts masked.
    pub masked_text: Option<String>,
    /// Stops per time bucket (bucket start, epoch seconds).
    pub timeline: BTreeMap<i64, u64>,
    /// The distinct values the group's tasks fill the cause and fix in with, most tasks first.
    pub value_sets: Vec<ValueSet>,
    /// Tasks whose values are not among `value_sets` (too many distinct ones to keep).
    pub other_values: u64,
}

impl GroupView {
    /// How many renderings of the fix the group's tasks need (at least 1).
    pub fn variants(&self) -> usize {
        (self.value_sets.len() + usize::from(self.other_values > 0)).max(1)
    }

    /// The names whose values differ between the group's tasks.
    pub fn varying_names(&self) -> Vec<String> {
        let Some(first) = self.value_sets.first() else {
            return Vec::new();
        };
        let mut names: Vec<String> = self
            .value_sets
            .iter()
            .flat_map(|set| set.values.iter().map(|(n, _)| n.clone()))
            .collect();
        names.sort();
        names.dedup();
        let value = |set: &ValueSet, name: &str| {
            set.values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        names.retain(|name| {
            self.other_values > 0
                || self
                    .value_sets
                    .iter()
                    .any(|set| value(set, name) != value(first, name))
        });
        names
    }

    /// Calls `f` on every string from the input the view holds (not the representative,
    /// which is made anew for the report).
    pub fn visit_strings_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.services = rekeyed(std::mem::take(&mut self.services), f);
        self.families = rekeyed(std::mem::take(&mut self.families), f);
        self.clusters = rekeyed(std::mem::take(&mut self.clusters), f);
        self.examples.iter_mut().for_each(&mut *f);
        for (_, text) in self
            .first_stopped
            .iter_mut()
            .chain(self.last_stopped.iter_mut())
        {
            f(text);
        }
        if let Some(text) = &mut self.masked_text {
            f(text);
        }
        for set in &mut self.value_sets {
            set.values.iter_mut().for_each(|(_, v)| f(v));
        }
    }
}

/// `map` with every key passed through `f` (keys that become equal are added up).
fn rekeyed(map: BTreeMap<String, u64>, f: &mut dyn FnMut(&mut String)) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (mut key, n) in map {
        f(&mut key);
        *out.entry(key).or_default() += n;
    }
    out
}

/// Tasks grouped by cause.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    groups: Vec<Group>,
    index: HashMap<String, u32>,
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
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

    /// Adds one task's diagnosis; `values` are its classification's.
    pub fn add(
        &mut self,
        diagnosis: &Diagnosis,
        evidence: &Evidence,
        values: Vec<(String, String)>,
    ) -> Contribution {
        self.record(
            GroupKey::of_diagnosis(diagnosis),
            TaskFacts::of(diagnosis),
            diagnosis.status,
            values,
            || (diagnosis.clone(), evidence.clone()),
        )
    }

    /// Adds one task to the group `key`, with the values its cause and fix are filled in
    /// with. `representative` is called only when the group is new.
    pub fn record(
        &mut self,
        key: GroupKey,
        facts: TaskFacts<'_>,
        status: Status,
        values: Vec<(String, String)>,
        representative: impl FnOnce() -> (Diagnosis, Evidence),
    ) -> Contribution {
        self.tasks += 1;
        *self.status_count(status) += 1;
        let mut key = key;
        if key.masked_text.is_some()
            && !self.index.contains_key(&key.key)
            && self.unrecognised_groups >= MAX_UNRECOGNISED_GROUPS
        {
            key = GroupKey {
                key: "unrecognised:<other>".to_string(),
                masked_text: Some("(other unrecognised messages)".to_string()),
            };
        }
        let group = match self.index.get(&key.key) {
            Some(&i) => i,
            None => {
                if key.masked_text.is_some() {
                    self.unrecognised_groups += 1;
                }
                let i = u32::try_from(self.groups.len()).expect("fewer than 4 billion causes");
                let (representative, evidence) = representative();
                self.groups.push(Group {
                    key: key.key.clone(),
                    status,
                    count: 0,
                    first_stopped: None,
                    last_stopped: None,
                    services: HashMap::default(),
                    families: HashMap::default(),
                    clusters: HashMap::default(),
                    examples: Vec::new(),
                    representative,
                    evidence,
                    masked_text: key.masked_text,
                    timeline: BTreeMap::new(),
                    value_sets: Vec::new(),
                    value_index: HashMap::default(),
                    other_values: 0,
                });
                self.index.insert(key.key, i);
                i
            }
        };
        let service = facts.service.map(|s| self.intern(s));
        let family = facts.family.map(|s| self.intern(s));
        let cluster = facts.cluster.map(|s| self.intern(s));
        let bucket_size = self.bucket;
        let g = &mut self.groups[group as usize];
        g.count += 1;
        let mut bucket = NO_BUCKET;
        if let Some(stopped) = facts.stopped_at
            && let Some(at) = crate::time::parse_rfc3339(stopped)
        {
            if g.first_stopped.as_ref().is_none_or(|(t, _)| at < *t) {
                g.first_stopped = Some((at, stopped.to_string()));
            }
            if g.last_stopped.as_ref().is_none_or(|(t, _)| at > *t) {
                g.last_stopped = Some((at, stopped.to_string()));
            }
            if let Some(size) = bucket_size {
                let start = at - at.rem_euclid(size);
                *g.timeline.entry(start).or_default() += 1;
                bucket = start;
            }
        }
        for (map, id) in [
            (&mut g.services, service),
            (&mut g.families, family),
            (&mut g.clusters, cluster),
        ] {
            if let Some(id) = id {
                *map.entry(id).or_default() += 1;
            }
        }
        if g.examples.len() < EXAMPLES
            && let Some(id) = facts.task_id
            && !g.examples.iter().any(|e| e == id)
        {
            g.examples.push(id.to_string());
        }
        let values = match g.value_index.get(&values) {
            Some(&i) => {
                g.value_sets[i as usize].tasks += 1;
                Some(i)
            }
            None if g.value_sets.len() < MAX_VALUE_SETS => {
                let i = u32::try_from(g.value_sets.len()).expect("at most MAX_VALUE_SETS");
                g.value_index.insert(values.clone(), i);
                g.value_sets.push(ValueSet { values, tasks: 1 });
                Some(i)
            }
            None => {
                g.other_values += 1;
                None
            }
        };
        Contribution {
            group,
            status,
            bucket,
            service: SmallIndex::new(service),
            family: SmallIndex::new(family),
            cluster: SmallIndex::new(cluster),
            values: SmallIndex::new(values),
        }
    }

    /// Whether a task was recorded under `key` (so `record` will not ask for a representative).
    pub fn has_group(&self, key: &GroupKey) -> bool {
        self.index.contains_key(&key.key)
    }

    /// Takes back what `c` added (the first and last stop times stay as they were).
    pub fn withdraw(&mut self, c: &Contribution) {
        self.tasks = self.tasks.saturating_sub(1);
        let count = self.status_count(c.status);
        *count = count.saturating_sub(1);
        let g = &mut self.groups[c.group as usize];
        g.count = g.count.saturating_sub(1);
        match c.values.get() {
            Some(i) => {
                let set = &mut g.value_sets[i as usize];
                set.tasks = set.tasks.saturating_sub(1);
            }
            None => g.other_values = g.other_values.saturating_sub(1),
        }
        if c.bucket != NO_BUCKET
            && let Some(n) = g.timeline.get_mut(&c.bucket)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                g.timeline.remove(&c.bucket);
            }
        }
        for (map, id) in [
            (&mut g.services, c.service.get()),
            (&mut g.families, c.family.get()),
            (&mut g.clusters, c.cluster.get()),
        ] {
            if let Some(id) = id
                && let Some(n) = map.get_mut(&id)
            {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    map.remove(&id);
                }
            }
        }
    }

    fn status_count(&mut self, status: Status) -> &mut u64 {
        match status {
            Status::Failure => &mut self.failures,
            Status::Benign => &mut self.benign,
            Status::Unrecognised => &mut self.unrecognised,
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion names");
        self.names.push(name.to_string());
        self.name_ids.insert(name.to_string(), id);
        id
    }

    fn resolve(&self, map: &HashMap<u32, u64>) -> BTreeMap<String, u64> {
        map.iter()
            .map(|(id, n)| (self.names[*id as usize].clone(), *n))
            .collect()
    }

    /// The groups with at least one task: failures first (most tasks first), then
    /// unrecognised, then benign.
    pub fn groups(&self) -> Vec<GroupView> {
        let mut groups: Vec<GroupView> = self
            .groups
            .iter()
            .filter(|g| g.count > 0)
            .map(|g| {
                let primary = g.representative.primary();
                let mut value_sets: Vec<ValueSet> = g
                    .value_sets
                    .iter()
                    .filter(|set| set.tasks > 0)
                    .cloned()
                    .collect();
                value_sets.sort_by(|a, b| b.tasks.cmp(&a.tasks).then(a.values.cmp(&b.values)));
                GroupView {
                    key: g.key.clone(),
                    pattern: primary.map(|f| f.pattern.clone()),
                    title: primary.map_or_else(
                        || "Unrecognised stop reason".to_string(),
                        |f| f.title.clone(),
                    ),
                    status: g.status,
                    severity: primary.map(|f| f.severity),
                    count: g.count,
                    first_stopped: g.first_stopped.clone(),
                    last_stopped: g.last_stopped.clone(),
                    services: self.resolve(&g.services),
                    families: self.resolve(&g.families),
                    clusters: self.resolve(&g.clusters),
                    examples: g.examples.clone(),
                    representative: g.representative.clone(),
                    evidence: g.evidence.clone(),
                    masked_text: g.masked_text.clone(),
                    timeline: g.timeline.clone(),
                    value_sets,
                    other_values: g.other_values,
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(b.count.cmp(&a.count))
                .then(a.key.cmp(&b.key))
        });
        groups
    }

    pub fn is_empty(&self) -> bool {
        self.tasks == 0
    }
}

/// A timeline regrouped into buckets of `size` seconds (hours into days, say).
pub fn rebucket(timeline: &BTreeMap<i64, u64>, size: i64) -> BTreeMap<i64, u64> {
    let mut out = BTreeMap::new();
    for (at, n) in timeline {
        *out.entry(at - at.rem_euclid(size.max(1))).or_default() += n;
    }
    out
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Failure => 0,
        Status::Unrecognised => 1,
        Status::Benign => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Defaults;
    use crate::engine::{Engine, MatchCache};
    use crate::model::{Evidence, Source};

    fn diagnosis(engine: &Engine, reason: &str, service: &str, at: &str) -> Diagnosis {
        let mut e = Evidence::task(Source::Task { index: 0 });
        e.stopped_reason = Some(reason.to_string());
        e.meta.group = Some(format!("service:{service}"));
        e.meta.stopped_at = Some(at.to_string());
        e.meta.task_arn = Some(format!(
            "arn:aws:ecs:us-east-1:123456789012:task/prod/{service}{at}"
        ));
        engine.diagnose(&e, &Defaults::default(), &mut MatchCache::default())
    }

    fn evidence() -> Evidence {
        Evidence::task(Source::Task { index: 0 })
    }

    #[test]
    fn groups_count_and_withdraw() {
        let engine = Engine::new(crate::catalog::Catalog::load(&[]).unwrap()).unwrap();
        let mut g = Grouping::with_timeline(3600);
        let a = g.add(
            &diagnosis(
                &engine,
                "WidgetError: gave up after 30s",
                "web",
                "2026-01-02T03:04:05Z",
            ),
            &evidence(),
            Vec::new(),
        );
        g.add(
            &diagnosis(
                &engine,
                "WidgetError: gave up after 45s",
                "api",
                "2026-01-02T05:00:00Z",
            ),
            &evidence(),
            Vec::new(),
        );
        assert_eq!(g.tasks, 2);
        assert_eq!(g.unrecognised, 2);
        let groups = g.groups();
        assert_eq!(groups.len(), 1, "masked texts are equal");
        assert_eq!(
            groups[0].masked_text.as_deref(),
            Some("WidgetError: gave up after <n>s")
        );
        assert_eq!(groups[0].services.get("web"), Some(&1));
        assert_eq!(groups[0].timeline.len(), 2);
        g.withdraw(&a);
        let groups = g.groups();
        assert_eq!(groups[0].count, 1);
        assert_eq!(groups[0].services.get("web"), None);
        assert_eq!(groups[0].timeline.len(), 1);
        assert_eq!(g.unrecognised, 1);
    }
}
