//! `ecs-diagnose events`: what has been stopping tasks, from archives of "ECS Task State
//! Change" events (ECS itself forgets stopped tasks after about an hour).
//!
//! A reader thread turns files into numbered batches of event records; worker threads (one per
//! core) parse, filter and classify them (reasons of the same shape are matched once per
//! worker), and diagnose the first task of each cause they see. The calling thread takes the
//! batches back in input order, so a report does not depend on how the workers were
//! scheduled, and keeps one entry per task (the newest event wins, duplicates are dropped) and
//! the grouping by cause. Memory grows with the number of distinct tasks and causes, never
//! with the size of the archive.

mod priority;
pub mod read;
pub mod skips;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::arn::cluster_name;
use crate::context::Defaults;
use crate::engine::{Engine, MatchCache};
use crate::group::{Contribution, GroupKey, Grouping, TaskFacts};
use crate::input::json::{EventJson, SummaryTaskJson};
use crate::model::{Evidence, Source};
use crate::report::{Diagnosis, Status};
use read::{Input, Record};
use skips::{Skip, Skips};

/// Records per batch between threads; with the channel bounds this caps records in flight.
const BATCH: usize = 256;
/// The most a batch buffer keeps for reuse (events are a few KB; a batch of them, a few MB).
const KEPT_BATCH_BYTES: usize = 8 << 20;
/// Timeline buckets are kept per hour and merged into days when rendering a long span.
pub const HOUR: i64 = 3600;

/// Which events count.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Epoch seconds, inclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub family: Option<String>,
}

impl Filters {
    /// Whether `evidence` passes. Unknown values pass (a stop with no time is not dropped by
    /// a time filter).
    fn admit(&self, evidence: &Evidence) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let at = evidence
                .meta
                .stopped_at
                .as_deref()
                .and_then(crate::time::parse_rfc3339);
            if let Some(at) = at
                && (self.since.is_some_and(|s| at < s) || self.until.is_some_and(|u| at > u))
            {
                return false;
            }
        }
        if let Some(cluster) = &self.cluster {
            let name = evidence
                .meta
                .cluster_arn
                .as_deref()
                .or(evidence.meta.task_arn.as_deref())
                .map(cluster_name);
            if name != Some(cluster_name(cluster)) {
                return false;
            }
        }
        if self
            .service
            .as_ref()
            .is_some_and(|s| evidence.service() != Some(s.as_str()))
        {
            return false;
        }
        if self
            .family
            .as_ref()
            .is_some_and(|f| evidence.family() != Some(f.as_str()))
        {
            return false;
        }
        true
    }
}

/// Counts of a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArchiveStats {
    pub inputs: usize,
    /// Bytes read from the inputs (compressed size for gzip).
    pub bytes: u64,
    /// Event records read (lines or array elements).
    pub records: u64,
    /// Distinct tasks counted (each once, from its newest final event).
    pub stopped_tasks: u64,
    /// Tasks whose counted event was replaced by a newer one.
    pub replaced: u64,
    pub seconds: f64,
}

/// What a scan found.
pub struct Scan {
    pub grouping: Grouping,
    pub skips: Skips,
    pub stats: ArchiveStats,
    /// Inputs that could not be opened.
    pub errors: Vec<String>,
}

/// Progress of a running scan (for a terminal).
pub struct Progress {
    pub bytes: u64,
    pub records: u64,
    pub elapsed: Duration,
}

/// One stopped task, classified by a worker.
struct Stopped {
    /// The whole evidence when this worker has not sent its group before; otherwise only
    /// what `TaskFacts` reads, so the rest is freed on the worker and never crosses threads.
    evidence: Evidence,
    /// With the whole evidence, its diagnosis: the group's representative if it is the
    /// group's first task. Workers diagnose, so the aggregator runs no matcher at all.
    diagnosis: Option<Box<Diagnosis>>,
    /// Hash of the task ARN, to count each task once.
    arn_hash: Option<u64>,
    version: i64,
    key: GroupKey,
    status: Status,
    /// What the cause and fix are filled in with for this task.
    values: Vec<(String, String)>,
}

/// A reader's batch of records, numbered in input order. Their texts share one buffer: one
/// allocation per batch rather than one per event, freed by the worker in one go.
struct RecordBatch {
    seq: u64,
    bytes: Vec<u8>,
    records: Vec<(std::ops::Range<usize>, read::Location)>,
}

impl RecordBatch {
    fn new(seq: u64, bytes: usize) -> RecordBatch {
        RecordBatch {
            seq,
            bytes: Vec::with_capacity(bytes),
            records: Vec::with_capacity(BATCH),
        }
    }

    /// An emptied batch, to be filled again as batch `seq`.
    fn refill(mut self, seq: u64) -> RecordBatch {
        self.seq = seq;
        self.bytes.clear();
        self.records.clear();
        // A batch of a few huge events does not keep its size for good.
        self.bytes.shrink_to(KEPT_BATCH_BYTES);
        self
    }

    fn push(&mut self, record: Record<'_>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(record.json);
        self.records
            .push((start..self.bytes.len(), record.location));
    }
}

struct WorkerBatch {
    /// The number of the record batch it came from: batches are aggregated in input order,
    /// so the same archive gives the same report (examples, value sets) however the workers
    /// were scheduled.
    seq: u64,
    stopped: Vec<Stopped>,
}

/// Reads, classifies and groups every event in `inputs`.
pub fn scan(
    engine: &Engine,
    inputs: &[Input],
    filters: &Filters,
    defaults: &Defaults,
    workers: usize,
    progress: &dyn Fn(&Progress),
) -> Scan {
    let names: Vec<String> = inputs.iter().map(|i| i.to_string()).collect();
    let counters = Arc::new(read::Counters::default());
    let started = Instant::now();
    let (record_tx, record_rx) = sync_channel::<RecordBatch>(workers.max(1) * 2);
    let record_rx = Arc::new(Mutex::new(record_rx));
    // Batches the workers are done with go back to the reader to be filled again: a fresh
    // buffer for each batch cost more (page faults, frees across threads) than it saved.
    let (emptied_tx, emptied_rx) = std::sync::mpsc::channel::<RecordBatch>();
    let (batch_tx, batch_rx) = sync_channel::<WorkerBatch>(workers.max(1) * 2);

    let mut grouping = Grouping::with_timeline(HOUR);
    let mut stats = ArchiveStats {
        inputs: inputs.len(),
        ..ArchiveStats::default()
    };
    let mut skips = Skips::with_inputs(names.clone());
    let mut errors = Vec::new();

    std::thread::scope(|scope| {
        let reader = {
            let names = names.clone();
            let counters = Arc::clone(&counters);
            scope.spawn(move || read_all(inputs, &names, &counters, &record_tx, &emptied_rx))
        };
        let mut handles = Vec::new();
        for _ in 0..workers.max(1) {
            let rx = Arc::clone(&record_rx);
            let tx = batch_tx.clone();
            let emptied = emptied_tx.clone();
            let names = names.clone();
            handles.push(
                scope.spawn(move || work(engine, filters, defaults, &rx, &tx, &emptied, names)),
            );
        }
        drop(batch_tx);
        drop(emptied_tx);
        aggregate(
            engine,
            defaults,
            &batch_rx,
            &mut grouping,
            &mut skips,
            &mut stats,
            &counters,
            started,
            progress,
        );
        let (reader_skips, reader_errors) =
            reader.join().expect("the reader thread does not panic");
        skips.merge(reader_skips);
        errors.extend(reader_errors);
        for handle in handles {
            skips.merge(handle.join().expect("worker threads do not panic"));
        }
    });
    stats.bytes = counters.bytes.load(Ordering::Relaxed);
    stats.records = counters.records.load(Ordering::Relaxed);
    stats.seconds = started.elapsed().as_secs_f64();
    Scan {
        grouping,
        skips,
        stats,
        errors,
    }
}

fn read_all(
    inputs: &[Input],
    names: &[String],
    counters: &Arc<read::Counters>,
    tx: &SyncSender<RecordBatch>,
    emptied: &Receiver<RecordBatch>,
) -> (Skips, Vec<String>) {
    let mut skips = Skips::with_inputs(names.to_vec());
    let mut errors = Vec::new();
    let mut batch = RecordBatch::new(0, BATCH * 1024);
    for (index, input) in inputs.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let mut emit = |record: Record<'_>| {
            batch.push(record);
            if batch.records.len() >= BATCH {
                let seq = batch.seq + 1;
                let next = match emptied.try_recv() {
                    Ok(emptied) => emptied.refill(seq),
                    // The next batch is likely the size of this one.
                    Err(_) => RecordBatch::new(seq, batch.bytes.len()),
                };
                return tx.send(std::mem::replace(&mut batch, next)).is_ok();
            }
            true
        };
        if let Err(e) = read::read_input(input, index, counters, &mut skips, &mut emit) {
            errors.push(e);
        }
    }
    if !batch.records.is_empty() {
        let _ = tx.send(batch);
    }
    (skips, errors)
}

/// Parses, filters and classifies records until the reader is done.
fn work(
    engine: &Engine,
    filters: &Filters,
    defaults: &Defaults,
    rx: &Mutex<Receiver<RecordBatch>>,
    tx: &SyncSender<WorkerBatch>,
    emptied: &Sender<RecordBatch>,
    names: Vec<String>,
) -> Skips {
    // The reader (one thread, which inflates gzip) sets the pace: it goes first.
    priority::yield_to_other_threads();
    let mut skips = Skips::with_inputs(names);
    let mut cache = MatchCache::default();
    let mut sent = SentGroups::default();
    let quick = read::QuickLook::new();
    loop {
        let batch = match rx.lock().expect("no thread panics holding the lock").recv() {
            Ok(batch) => batch,
            Err(_) => break,
        };
        let mut out = WorkerBatch {
            seq: batch.seq,
            stopped: Vec::new(),
        };
        for (range, location) in &batch.records {
            let record = Record {
                json: &batch.bytes[range.clone()],
                location: *location,
            };
            if let Some(mut stopped) =
                classify(engine, filters, &mut cache, &mut skips, &quick, record)
            {
                if sent.first(&stopped.key) {
                    let diagnosis = engine.diagnose(&stopped.evidence, defaults, &mut cache);
                    stopped.diagnosis = Some(Box::new(diagnosis));
                } else {
                    stopped.evidence = facts_only(stopped.evidence);
                }
                out.stopped.push(stopped);
            }
        }
        // The reader may have finished: then the batch is freed here.
        let _ = emptied.send(batch);
        if tx.send(out).is_err() {
            break;
        }
    }
    skips
}

/// An event as a summary reads it.
type Event = EventJson<SummaryTaskJson>;

/// One record: a stopped task to count, or a reason to skip it.
fn classify(
    engine: &Engine,
    filters: &Filters,
    cache: &mut MatchCache,
    skips: &mut Skips,
    quick: &read::QuickLook,
    record: Record<'_>,
) -> Option<Stopped> {
    let json = record.json;
    let location = record.location;
    // Most events of an archive are earlier state changes of tasks; telling them apart
    // without parsing them is most of the speed (the reader already drops most of them).
    if !quick.is_task_state_change(json) {
        let reason = match serde_json::from_slice::<serde::de::IgnoredAny>(json) {
            Ok(_) if json.trim_ascii_start().first() != Some(&b'{') => Skip::NotAnEvent,
            Ok(_) => Skip::OtherDetailType,
            Err(e) if e.is_eof() => Skip::TruncatedJson,
            Err(_) => Skip::NotJson,
        };
        skips.add_at(reason, location, String::new());
        return None;
    }
    if quick.is_earlier_state_change(json) || quick.is_stopping(json) {
        skips.add_at(Skip::NotFinalStop, location, String::new());
        return None;
    }
    // Text checked as UTF-8 once is parsed without checking each string again.
    let parsed = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str::<Event>(text),
        Err(_) => serde_json::from_slice::<Event>(json).or_else(|_| {
            // A damaged byte in one string should not cost the whole event.
            let event = serde_json::from_str(&String::from_utf8_lossy(json))?;
            skips.repaired_at(location);
            Ok(event)
        }),
    };
    let event: Event = match parsed {
        Ok(event) => event,
        Err(e) => {
            let reason = if e.is_eof() {
                Skip::TruncatedJson
            } else {
                Skip::NotJson
            };
            skips.add_at(reason, location, e.to_string());
            return None;
        }
    };
    if !event.is_task_state_change() {
        skips.add_at(Skip::OtherDetailType, location, String::new());
        return None;
    }
    let Some(task) = event.into_task(Source::Event { index: 0 }) else {
        skips.add_at(Skip::OtherDetailType, location, "no detail".to_string());
        return None;
    };
    if !task.is_final_stop {
        skips.add_at(Skip::NotFinalStop, location, String::new());
        return None;
    }
    if !filters.admit(&task.evidence) {
        skips.add_at(Skip::Filtered, location, String::new());
        return None;
    }
    let classification = engine.classify(&task.evidence, cache);
    Some(Stopped {
        key: GroupKey::of_classification(&classification, task.evidence.stop_code.as_deref()),
        status: classification.status,
        values: classification.values,
        version: task.version.unwrap_or(-1),
        arn_hash: task.evidence.meta.task_arn.as_deref().map(hash_of),
        evidence: task.evidence,
        diagnosis: None,
    })
}

/// A task ARN's identity: the same on every worker thread, so a fixed seed.
fn hash_of(text: &str) -> u64 {
    foldhash::quality::FixedState::with_seed(0x6563_732d_6469_6167).hash_one(text)
}

/// The groups a worker has sent a whole evidence and its diagnosis for. Bounded: once full,
/// every task is sent whole again (slower, never wrong).
#[derive(Default)]
struct SentGroups(HashSet<String, foldhash::quality::RandomState>);

impl SentGroups {
    const CAPACITY: usize = 4096;

    /// Whether `key` is sent for the first time (its task must go whole).
    fn first(&mut self, key: &GroupKey) -> bool {
        if self.0.contains(key.as_str()) {
            return false;
        }
        if self.0.len() < Self::CAPACITY {
            self.0.insert(key.as_str().to_string());
        }
        true
    }
}

/// `evidence` reduced to what the aggregator reads for every task (see `TaskFacts`).
fn facts_only(evidence: Evidence) -> Evidence {
    let meta = evidence.meta;
    Evidence {
        meta: crate::model::TaskMeta {
            task_arn: meta.task_arn,
            cluster_arn: meta.cluster_arn,
            task_definition_arn: meta.task_definition_arn,
            group: meta.group,
            stopped_at: meta.stopped_at,
            service: meta.service,
            ..crate::model::TaskMeta::default()
        },
        ..Evidence::task(evidence.source)
    }
}

/// Each task counted: its ARN's hash -> the version counted and what it added. One entry per
/// distinct task, the largest structure of a scan: the map holds only an index, and the
/// entries sit in fixed-size chunks, so growing never holds an old and a new copy of them at
/// once (a vector twice its size, or a map of entries, would while it moves).
struct Counted<T = Contribution> {
    index: HashMap<u64, u32, BuildHasherDefault<PassThrough>>,
    chunks: Vec<Vec<(i64, T)>>,
    len: usize,
}

impl<T> Default for Counted<T> {
    fn default() -> Self {
        Counted {
            index: HashMap::default(),
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Counted<T> {
    /// Entries per chunk (640 KB each).
    const CHUNK: usize = 1 << 14;

    fn get(&self, arn_hash: u64) -> Option<&(i64, T)> {
        let i = *self.index.get(&arn_hash)? as usize;
        self.chunks.get(i / Self::CHUNK)?.get(i % Self::CHUNK)
    }

    fn set(&mut self, arn_hash: u64, version: i64, contribution: T) {
        match self.index.get(&arn_hash) {
            Some(&i) => {
                let i = i as usize;
                self.chunks[i / Self::CHUNK][i % Self::CHUNK] = (version, contribution);
            }
            None => {
                // Past u32::MAX tasks the task is counted but no longer deduplicated.
                if let Ok(i) = u32::try_from(self.len) {
                    self.index.insert(arn_hash, i);
                    if self.len.is_multiple_of(Self::CHUNK) {
                        self.chunks.push(Vec::with_capacity(Self::CHUNK));
                    }
                    let last = self.chunks.last_mut().expect("a chunk was just pushed");
                    last.push((version, contribution));
                    self.len += 1;
                }
            }
        }
    }
}

/// A hasher for keys that already are hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed with it; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[allow(clippy::too_many_arguments)]
fn aggregate(
    engine: &Engine,
    defaults: &Defaults,
    rx: &Receiver<WorkerBatch>,
    grouping: &mut Grouping,
    skips: &mut Skips,
    stats: &mut ArchiveStats,
    counters: &read::Counters,
    started: Instant,
    progress: &dyn Fn(&Progress),
) {
    let mut seen = Counted::default();
    // A group's first task, diagnosed, that was dropped as a duplicate: its worker will not
    // send that group whole again.
    let mut unused: HashMap<String, (Box<Diagnosis>, Evidence), foldhash::quality::RandomState> =
        HashMap::default();
    let mut last_progress = Instant::now();
    // Batches that arrived before an earlier one (a worker was slower).
    let mut early: BTreeMap<u64, Vec<Stopped>> = BTreeMap::new();
    let mut next = 0u64;
    let in_order = rx.iter().flat_map(|batch| {
        early.insert(batch.seq, batch.stopped);
        let mut ready = Vec::new();
        while let Some(stopped) = early.remove(&next) {
            ready.push(stopped);
            next += 1;
        }
        ready
    });
    for batch in in_order {
        for stopped in batch {
            let arn_hash = stopped.arn_hash;
            if let Some(hash) = arn_hash
                && let Some((version, contribution)) = seen.get(hash)
            {
                if stopped.version <= *version {
                    skips.add(Skip::Duplicate, String::new());
                    if let Some(diagnosis) = stopped.diagnosis
                        && !grouping.has_group(&stopped.key)
                    {
                        unused.insert(
                            stopped.key.as_str().to_string(),
                            (diagnosis, stopped.evidence),
                        );
                    }
                    continue;
                }
                grouping.withdraw(contribution);
                stats.replaced += 1;
                stats.stopped_tasks -= 1;
            }
            let evidence = &stopped.evidence;
            let cluster = evidence
                .meta
                .cluster_arn
                .as_deref()
                .or(evidence
                    .meta
                    .task_arn
                    .as_deref()
                    .filter(|a| a.matches('/').count() >= 2))
                .map(cluster_name);
            let facts = TaskFacts {
                task_id: evidence.task_id(),
                service: evidence.service(),
                family: evidence.family(),
                cluster,
                stopped_at: evidence.meta.stopped_at.as_deref(),
            };
            let diagnosis = stopped.diagnosis;
            let kept = if diagnosis.is_some() || grouping.has_group(&stopped.key) {
                None
            } else {
                unused.remove(stopped.key.as_str())
            };
            let contribution =
                grouping.record(stopped.key, facts, stopped.status, stopped.values, || {
                    match (diagnosis, kept) {
                        (Some(diagnosis), _) => (*diagnosis, evidence.clone()),
                        (None, Some((diagnosis, evidence))) => (*diagnosis, evidence),
                        // Not reached: a group's first task in input order comes whole from
                        // its worker (see `SentGroups`). Were it not, this task's facts still
                        // give a diagnosis.
                        (None, None) => (
                            engine.diagnose(evidence, defaults, &mut MatchCache::default()),
                            evidence.clone(),
                        ),
                    }
                });
            stats.stopped_tasks += 1;
            if let Some(hash) = arn_hash {
                seen.set(hash, stopped.version, contribution);
            }
        }
        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            progress(&Progress {
                bytes: counters.bytes.load(Ordering::Relaxed),
                records: counters.records.load(Ordering::Relaxed),
                elapsed: started.elapsed(),
            });
        }
    }
}

/// The default number of worker threads: one per core, leaving the reader its share.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries on both sides of a chunk boundary are found and replaced where they are.
    #[test]
    fn counted_tasks_span_chunks() {
        let mut counted: Counted<u64> = Counted::default();
        let n = 2 * Counted::<u64>::CHUNK as u64 + 3;
        for task in 0..n {
            counted.set(task.wrapping_mul(0x9e37_79b9_7f4a_7c15), 1, task);
        }
        assert_eq!(counted.chunks.len(), 3);
        let edge = Counted::<u64>::CHUNK as u64;
        counted.set(edge.wrapping_mul(0x9e37_79b9_7f4a_7c15), 2, 7);
        for task in 0..n {
            let expected = if task == edge { (2, 7) } else { (1, task) };
            let found = counted.get(task.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            assert_eq!(found, Some(&expected), "task {task}");
        }
        assert_eq!(counted.get(u64::MAX), None);
        assert_eq!(counted.len as u64, n);
    }

    fn event(arn: &str, status: &str, version: i64, reason: &str) -> String {
        serde_json::json!({
            "version": "0", "detail-type": "ECS Task State Change", "source": "aws.ecs",
            "account": "123456789012", "region": "us-east-1", "time": "2026-11-20T10:00:00Z",
            "detail": {"taskArn": arn, "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
                       "group": "service:web", "lastStatus": status, "version": version,
                       "stoppedReason": reason, "stoppedAt": "2026-11-20T10:00:00Z"}
        })
        .to_string()
    }

    fn scan_text(text: &str, filters: &Filters) -> Scan {
        // Removed when it drops, also when an assertion fails.
        let dir = tempfile::Builder::new()
            .prefix("ecs-diagnose-archive-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, text).unwrap();
        let engine = Engine::new(crate::catalog::Catalog::load(&[]).unwrap()).unwrap();
        // `dir` goes after the scan has read the file.
        scan(
            &engine,
            &[Input::File(path)],
            filters,
            &Defaults::default(),
            2,
            &|_| {},
        )
    }

    #[test]
    fn one_task_counts_once_from_its_final_event() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/a1";
        let text = [
            event(arn, "RUNNING", 2, ""),
            event(arn, "STOPPING", 3, "Task stopped by user"),
            event(arn, "STOPPED", 4, "Task stopped by user"),
            event(arn, "STOPPED", 4, "Task stopped by user"),
            "not json".to_string(),
            r#"{"detail-type":"ECS Container Instance State Change","detail":{}}"#.to_string(),
            event(arn, "STOPPED", 3, "Task stopped by user")[..60].to_string(),
        ]
        .join("\n");
        let scan = scan_text(&text, &Filters::default());
        assert_eq!(scan.stats.records, 7);
        assert_eq!(scan.stats.stopped_tasks, 1);
        assert_eq!(scan.grouping.benign, 1);
        assert_eq!(scan.skips.count(Skip::Duplicate), 1);
        assert_eq!(scan.skips.count(Skip::NotFinalStop), 2);
        assert_eq!(scan.skips.count(Skip::NotJson), 1);
        assert_eq!(scan.skips.count(Skip::OtherDetailType), 1);
        assert_eq!(scan.skips.count(Skip::TruncatedJson), 1);
    }

    #[test]
    fn a_newer_event_replaces_the_counted_one() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/b2";
        let text = [
            event(arn, "STOPPED", 3, "WidgetError: x"),
            event(arn, "STOPPED", 5, "Task stopped by user"),
        ]
        .join("\n");
        let scan = scan_text(&text, &Filters::default());
        assert_eq!(scan.stats.stopped_tasks, 1);
        assert_eq!(scan.stats.replaced, 1);
        assert_eq!(scan.grouping.unrecognised, 0);
        assert_eq!(scan.grouping.benign, 1);
    }

    #[test]
    fn filters_leave_events_out() {
        let text = event(
            "arn:aws:ecs:us-east-1:123456789012:task/prod/c3",
            "STOPPED",
            3,
            "Task stopped by user",
        );
        let scan = scan_text(
            &text,
            &Filters {
                service: Some("api".into()),
                ..Filters::default()
            },
        );
        assert_eq!(scan.stats.stopped_tasks, 0);
        assert_eq!(scan.skips.count(Skip::Filtered), 1);
        let scan = scan_text(
            &text,
            &Filters {
                cluster: Some("prod".into()),
                since: Some(0),
                ..Filters::default()
            },
        );
        assert_eq!(scan.stats.stopped_tasks, 1);
    }
}
