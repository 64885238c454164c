//! Many tasks, few causes: tasks grouped by their best finding's pattern, with counts, when
//! they happened, where, and a few example tasks. Unrecognised messages are grouped by their
//! text with variable parts (ids, addresses, numbers) masked, so the biggest gaps in the
//! catalog show up as the biggest groups.
//!
//! Memory grows with the number of distinct causes (and services, clusters, time buckets), not
//! with the number of tasks: each group keeps counts, a few example ids and one representative
//! diagnosis.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::catalog::spec::Severity;
use crate::engine::Classification;
use crate::mask::masked;
use crate::report::{Diagnosis, Status};

/// Example task ids kept per group.
const EXAMPLES: usize = 5;
/// Distinct unrecognised groups kept; past this, they share one "other" group.
const MAX_UNRECOGNISED_GROUPS: usize = 500;
/// Distinct fixes remembered per group (to count variants).
const MAX_VARIANTS: usize = 100;

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
    bucket: Option<i64>,
    service: Option<u32>,
    family: Option<u32>,
    cluster: Option<u32>,
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
    masked_text: Option<String>,
    timeline: BTreeMap<i64, u64>,
    /// Hashes of the distinct fixes seen (to count variants).
    fixes: HashSet<u64>,
}

/// One cause and the tasks it stopped, ready to render.
#[derive(Debug, Clone)]
pub struct GroupView<'g> {
    /// The pattern id, or `unrecognised:<masked text>`.
    pub key: &'g str,
    pub pattern: Option<&'g str>,
    pub title: &'g str,
    pub status: Status,
    pub severity: Option<Severity>,
    pub count: u64,
    /// Earliest and latest stop: (epoch seconds, text as given).
    pub first_stopped: Option<&'g (i64, String)>,
    pub last_stopped: Option<&'g (i64, String)>,
    pub services: BTreeMap<String, u64>,
    pub families: BTreeMap<String, u64>,
    pub clusters: BTreeMap<String, u64>,
    /// A few task ids (or input positions).
    pub examples: &'g [String],
    /// The first diagnosis of the group; its best finding explains the group.
    pub representative: &'g Diagnosis,
    /// For unrecognised groups: the normalised text with variable parts masked.
    pub masked_text: Option<&'g str>,
    /// Stops per time bucket (bucket start, epoch seconds).
    pub timeline: &'g BTreeMap<i64, u64>,
    /// How many different renderings of the fix the group's tasks got (images, accounts...).
    pub variants: usize,
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

    /// Adds one task's diagnosis.
    pub fn add(&mut self, diagnosis: &Diagnosis) -> Contribution {
        self.record(
            GroupKey::of_diagnosis(diagnosis),
            TaskFacts::of(diagnosis),
            diagnosis.status,
            || diagnosis.clone(),
        )
    }

    /// Adds one task to the group `key`. `representative` is called only when the group is new.
    pub fn record(
        &mut self,
        key: GroupKey,
        facts: TaskFacts<'_>,
        status: Status,
        representative: impl FnOnce() -> Diagnosis,
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
                self.groups.push(Group {
                    key: key.key.clone(),
                    status,
                    count: 0,
                    first_stopped: None,
                    last_stopped: None,
                    services: HashMap::new(),
                    families: HashMap::new(),
                    clusters: HashMap::new(),
                    examples: Vec::new(),
                    representative: representative(),
                    masked_text: key.masked_text,
                    timeline: BTreeMap::new(),
                    fixes: HashSet::new(),
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
        let mut bucket = None;
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
                bucket = Some(start);
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
        if g.fixes.is_empty()
            && let Some(f) = g.representative.primary()
        {
            g.fixes.insert(hash_of(&f.fix));
        }
        Contribution {
            group,
            status,
            bucket,
            service,
            family,
            cluster,
        }
    }

    /// Notes what a task's fix depends on (its rendered fix, or the values that shape it),
    /// to count how many variants of the fix a group's tasks need.
    pub fn note_fix(&mut self, c: &Contribution, fix: &str) {
        self.note_variant(c, hash_of(fix));
    }

    /// Like [`Grouping::note_fix`], with the variant already hashed.
    pub fn note_variant(&mut self, c: &Contribution, variant: u64) {
        let g = &mut self.groups[c.group as usize];
        if g.fixes.len() < MAX_VARIANTS {
            g.fixes.insert(variant);
        }
    }

    /// Takes back what `c` added (the first and last stop times stay as they were).
    pub fn withdraw(&mut self, c: &Contribution) {
        self.tasks = self.tasks.saturating_sub(1);
        let count = self.status_count(c.status);
        *count = count.saturating_sub(1);
        let g = &mut self.groups[c.group as usize];
        g.count = g.count.saturating_sub(1);
        if let Some(bucket) = c.bucket
            && let Some(n) = g.timeline.get_mut(&bucket)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                g.timeline.remove(&bucket);
            }
        }
        for (map, id) in [
            (&mut g.services, c.service),
            (&mut g.families, c.family),
            (&mut g.clusters, c.cluster),
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
    pub fn groups(&self) -> Vec<GroupView<'_>> {
        let mut groups: Vec<GroupView<'_>> = self
            .groups
            .iter()
            .filter(|g| g.count > 0)
            .map(|g| {
                let primary = g.representative.primary();
                GroupView {
                    key: &g.key,
                    pattern: primary.map(|f| f.pattern.as_str()),
                    title: primary.map_or("Unrecognised stop reason", |f| f.title.as_str()),
                    status: g.status,
                    severity: primary.map(|f| f.severity),
                    count: g.count,
                    first_stopped: g.first_stopped.as_ref(),
                    last_stopped: g.last_stopped.as_ref(),
                    services: self.resolve(&g.services),
                    families: self.resolve(&g.families),
                    clusters: self.resolve(&g.clusters),
                    examples: &g.examples,
                    representative: &g.representative,
                    masked_text: g.masked_text.as_deref(),
                    timeline: &g.timeline,
                    variants: g.fixes.len().max(1),
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(b.count.cmp(&a.count))
                .then(a.key.cmp(b.key))
        });
        groups
    }

    pub fn is_empty(&self) -> bool {
        self.tasks == 0
    }
}

fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
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

    #[test]
    fn groups_count_and_withdraw() {
        let engine = Engine::new(crate::catalog::Catalog::load(&[]).unwrap()).unwrap();
        let mut g = Grouping::with_timeline(3600);
        let a = g.add(&diagnosis(
            &engine,
            "WidgetError: gave up after 30s",
            "web",
            "2026-01-02T03:04:05Z",
        ));
        g.add(&diagnosis(
            &engine,
            "WidgetError: gave up after 45s",
            "api",
            "2026-01-02T05:00:00Z",
        ));
        assert_eq!(g.tasks, 2);
        assert_eq!(g.unrecognised, 2);
        let groups = g.groups();
        assert_eq!(groups.len(), 1, "masked texts are equal");
        assert_eq!(
            groups[0].masked_text,
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
