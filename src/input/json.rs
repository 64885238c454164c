//! AWS JSON: `describe-tasks` output (streamed task by task), a bare task object, EventBridge
//! "ECS Task State Change" events (one, an array, or one per line), and `describe-services`
//! output (its service events). Lenient with what AWS owns: every field is optional and
//! unknown fields are ignored.

use std::fmt;
use std::io::{self, Read};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{InputError, Sink, Warnings, service_event};
use crate::model::{ContainerEvidence, Evidence, Field, Source};

/// The JSON shapes we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    DescribeTasks,
    Task,
    Event,
    DescribeServices,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::DescribeTasks => {
                "`aws ecs describe-tasks` output (an object with a `tasks` array)"
            }
            Shape::Task => "a task object (with `taskArn`, `stoppedReason` or `containers`)",
            Shape::Event => {
                "an EventBridge \"ECS Task State Change\" event (with `detail-type` and `detail`)"
            }
            Shape::DescribeServices => {
                "`aws ecs describe-services` output (an object with a `services` array)"
            }
        }
    }
}

const EXPECTED: &str = "`aws ecs describe-tasks` output (`tasks`), a task object (`taskArn`, `stoppedReason`), an EventBridge \"ECS Task State Change\" event (`detail-type`, `detail`), or `aws ecs describe-services` output (`services`)";

/// Events held back until the end of input, so each task is diagnosed once, from its newest
/// event (`detail.version`). Bounded: past the cap the oldest entry is emitted early.
#[derive(Debug, Default)]
struct PendingEvents {
    order: std::collections::VecDeque<String>,
    latest: std::collections::HashMap<String, (Option<i64>, Evidence)>,
}

const MAX_PENDING_EVENTS: usize = 100_000;

/// Counts kept while reading.
#[derive(Debug, Default)]
pub struct JsonStats {
    pending: PendingEvents,
    pub items: usize,
    tasks: usize,
    events: usize,
    service_events: usize,
    not_stopped: usize,
    other_events: usize,
}

/// Reads every JSON value in `reader` (one document, or several one after another as in JSON
/// Lines) and hands each stopped task to `sink`.
pub fn read(
    reader: impl Read,
    expected: Option<Shape>,
    sink: &mut Sink<'_>,
    warnings: &mut Warnings,
) -> Result<usize, InputError> {
    // Buffered on top, so serde's byte-at-a-time reads stay cheap; strings are cut before the
    // parser holds them.
    let mut reader = io::BufReader::with_capacity(
        64 * 1024,
        super::capped::CappedStrings::new(super::lossy::LossyUtf8::new(reader), MAX_FIELD_BYTES),
    );
    let mut de = serde_json::Deserializer::from_reader(&mut reader);
    let mut stats = JsonStats::default();
    let mut failure: Option<InputError> = None;
    loop {
        let seed = ValueSeed {
            expected,
            sink: &mut *sink,
            warnings: &mut *warnings,
            stats: &mut stats,
            failure: &mut failure,
        };
        if let Err(e) = seed.deserialize(&mut de) {
            return Err(failure.take().unwrap_or_else(|| json_error(e)));
        }
        // `end` only peeks: an error means more values follow (JSON Lines), which the next
        // round reads or reports precisely.
        if de.end().is_ok() {
            break;
        }
    }
    drop(de);
    let capped = reader.get_ref();
    if let Some(warning) = capped.get_ref().invalid.warning() {
        warnings.push(warning);
    }
    if capped.cut > 0 {
        warnings.push(format!(
            "{} text(s) longer than {MAX_FIELD_BYTES} bytes were cut to their first {MAX_FIELD_BYTES} bytes (the longest was {} bytes)",
            capped.cut, capped.longest
        ));
    }
    let pending = std::mem::take(&mut stats.pending);
    for arn in pending.order {
        if let Some((_, evidence)) = pending.latest.get(&arn) {
            deliver_event(evidence.clone(), sink, &mut stats)?;
        }
    }
    if stats.not_stopped > 0 {
        warnings.push(format!(
            "skipped {} task(s) that have not stopped (no stoppedReason, lastStatus not STOPPED)",
            stats.not_stopped
        ));
    }
    if stats.other_events > 0 {
        warnings.push(format!(
            "skipped {} event(s) that are not \"ECS Task State Change\" events",
            stats.other_events
        ));
    }
    Ok(stats.items)
}

fn json_error(e: serde_json::Error) -> InputError {
    if e.is_io() {
        return InputError::Io(io::Error::other(e.to_string()));
    }
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    InputError::Json {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// One top-level value, or one element of a top-level array.
struct ValueSeed<'a, 's> {
    expected: Option<Shape>,
    sink: &'a mut Sink<'s>,
    warnings: &'a mut Warnings,
    stats: &'a mut JsonStats,
    /// A sink or shape error, kept here because serde errors cannot carry it.
    failure: &'a mut Option<InputError>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let element = ValueSeed {
                expected: self.expected,
                sink: &mut *self.sink,
                warnings: &mut *self.warnings,
                stats: &mut *self.stats,
                failure: &mut *self.failure,
            };
            if seq.next_element_seed(element)?.is_none() {
                return Ok(());
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut rest = serde_json::Map::new();
        // What capping the kept values left out (a 300 MB reason is not kept whole).
        let mut capped_notes: Vec<String> = Vec::new();
        let mut shape = None;
        let mut ignored_keys = 0usize;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "tasks" => {
                    shape = Some(Shape::DescribeTasks);
                    self.check_shape(Shape::DescribeTasks)
                        .map_err(de::Error::custom)?;
                    map.next_value_seed(TasksSeed {
                        sink: &mut *self.sink,
                        stats: &mut *self.stats,
                        failure: &mut *self.failure,
                        warnings: &mut *self.warnings,
                    })?;
                }
                "failures" => {
                    let failures: Option<Vec<FailureJson>> = map.next_value()?;
                    for f in failures.unwrap_or_default() {
                        self.warnings.push(f.describe());
                    }
                }
                "services" => {
                    shape = Some(Shape::DescribeServices);
                    self.check_shape(Shape::DescribeServices)
                        .map_err(de::Error::custom)?;
                    let services: Option<Vec<ServiceJson>> = map.next_value()?;
                    for service in services.unwrap_or_default() {
                        for event in service.events.unwrap_or_default() {
                            let Some(message) = event.message else {
                                continue;
                            };
                            let mut evidence =
                                Evidence::pasted(0, service_event::reason_of(&message).to_string());
                            evidence.source = Source::ServiceEvent {
                                index: self.stats.service_events,
                            };
                            evidence.reason_field = Field::ServiceEvent;
                            evidence.meta.service = service.service_name.clone();
                            evidence.meta.stopped_at = event.created_at.map(Timestamp::into_text);
                            self.stats.service_events += 1;
                            emit(self.sink, self.stats, self.failure, evidence)
                                .map_err(de::Error::custom)?;
                        }
                    }
                }
                _ if TOP_LEVEL_KEYS.contains(&key.as_str()) => {
                    let value = map.next_value_seed(CappedValue {
                        notes: &mut capped_notes,
                    })?;
                    rest.insert(key, value);
                }
                _ => {
                    if ignored_keys < 8 {
                        rest.insert(key, serde_json::Value::Null);
                    }
                    ignored_keys += 1;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if shape.is_some() {
            return Ok(());
        }
        for note in capped_notes {
            self.warnings.push(note);
        }
        let is_event = rest.contains_key("detail-type")
            || (rest.contains_key("detail") && rest.contains_key("source"));
        let is_task = TASK_KEYS
            .iter()
            .any(|k| rest.get(*k).is_some_and(|v| !v.is_null()));
        if is_event {
            self.check_shape(Shape::Event).map_err(de::Error::custom)?;
            let event: EventJson = serde_json::from_value(serde_json::Value::Object(rest))
                .map_err(de::Error::custom)?;
            if event.detail_type.is_some() && !event.is_task_state_change() {
                self.stats.other_events += 1;
                return Ok(());
            }
            let index = self.stats.events;
            self.stats.events += 1;
            let Some(TaskEvent {
                evidence,
                version,
                notes,
                ..
            }) = event.into_task(Source::Event { index })
            else {
                self.stats.other_events += 1;
                return Ok(());
            };
            for note in notes {
                self.warnings.push(format!("event #{}: {note}", index + 1));
            }
            let Some(arn) = evidence.meta.task_arn.clone() else {
                return deliver_event(evidence, self.sink, self.stats).map_err(|e| {
                    *self.failure = Some(e);
                    de::Error::custom("output failed")
                });
            };
            let pending = &mut self.stats.pending;
            match pending.latest.get_mut(&arn) {
                // A duplicate delivery or an older state change: keep the newest.
                Some(slot) => {
                    if version >= slot.0 {
                        *slot = (version, evidence);
                    }
                }
                None => {
                    pending.order.push_back(arn.clone());
                    pending.latest.insert(arn, (version, evidence));
                    if pending.order.len() > MAX_PENDING_EVENTS
                        && let Some(oldest) = pending.order.pop_front()
                        && let Some((_, evidence)) = pending.latest.remove(&oldest)
                    {
                        deliver_event(evidence, self.sink, self.stats).map_err(|e| {
                            *self.failure = Some(e);
                            de::Error::custom("output failed")
                        })?;
                    }
                }
            }
            Ok(())
        } else if is_task {
            self.check_shape(Shape::Task).map_err(de::Error::custom)?;
            let mut task: TaskJson = serde_json::from_value(serde_json::Value::Object(rest))
                .map_err(de::Error::custom)?;
            let index = self.stats.tasks;
            self.stats.tasks += 1;
            for note in std::mem::take(&mut task.notes) {
                self.warnings.push(format!("task #{}: {note}", index + 1));
            }
            let evidence = task.into_evidence(Source::Task { index });
            if is_stopped(&evidence) {
                emit(self.sink, self.stats, self.failure, evidence).map_err(de::Error::custom)?;
            } else {
                self.stats.not_stopped += 1;
            }
            Ok(())
        } else {
            let mut keys: Vec<&str> = rest.keys().map(String::as_str).collect();
            keys.sort_unstable();
            let found = if keys.is_empty() {
                "an empty object".to_string()
            } else {
                format!("an object with keys {}", keys.join(", "))
            };
            *self.failure = Some(InputError::UnknownShape {
                found,
                expected: EXPECTED.to_string(),
            });
            Err(de::Error::custom("unknown shape"))
        }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.unexpected("a string")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.unexpected("a boolean")
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.unexpected("a number")
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.unexpected("a number")
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.unexpected("a number")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.unexpected("null")
    }
}

impl ValueSeed<'_, '_> {
    fn check_shape(&mut self, found: Shape) -> Result<(), &'static str> {
        match self.expected {
            Some(expected) if expected != found => {
                *self.failure = Some(InputError::UnknownShape {
                    found: found.describe().to_string(),
                    expected: expected.describe().to_string(),
                });
                Err("unexpected shape")
            }
            _ => Ok(()),
        }
    }

    fn unexpected<E: de::Error>(self, found: &str) -> Result<(), E> {
        *self.failure = Some(InputError::UnknownShape {
            found: found.to_string(),
            expected: EXPECTED.to_string(),
        });
        Err(E::custom("unknown shape"))
    }
}

/// Keys kept from a top-level object to decide its shape and read a task or event from it.
const TOP_LEVEL_KEYS: &[&str] = &[
    "detail-type",
    "detail",
    "source",
    "account",
    "region",
    "time",
    "taskArn",
    "clusterArn",
    "taskDefinitionArn",
    "group",
    "startedBy",
    "launchType",
    "lastStatus",
    "desiredStatus",
    "stopCode",
    "stoppedReason",
    "stoppedAt",
    "containers",
];
const TASK_KEYS: &[&str] = &[
    "taskArn",
    "stoppedReason",
    "stopCode",
    "containers",
    "lastStatus",
];

fn emit(
    sink: &mut Sink<'_>,
    stats: &mut JsonStats,
    failure: &mut Option<InputError>,
    evidence: Evidence,
) -> Result<(), &'static str> {
    stats.items += 1;
    sink(evidence).map_err(|e| {
        *failure = Some(InputError::Output(e));
        "output failed"
    })
}

/// Emits an event's task if it has stopped; counts it as skipped otherwise.
fn deliver_event(
    evidence: Evidence,
    sink: &mut Sink<'_>,
    stats: &mut JsonStats,
) -> Result<(), InputError> {
    if is_stopped(&evidence) {
        stats.items += 1;
        sink(evidence).map_err(InputError::Output)
    } else {
        stats.not_stopped += 1;
        Ok(())
    }
}

fn is_stopped(evidence: &Evidence) -> bool {
    evidence.stopped_reason.is_some()
        || evidence.stop_code.is_some()
        || evidence
            .meta
            .last_status
            .as_deref()
            .is_none_or(|s| s == "STOPPED")
}

/// Streams `tasks[]` so a describe-tasks document of any size is read one task at a time.
struct TasksSeed<'a, 's> {
    sink: &'a mut Sink<'s>,
    stats: &'a mut JsonStats,
    failure: &'a mut Option<InputError>,
    warnings: &'a mut Warnings,
}

impl<'de> DeserializeSeed<'de> for TasksSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TasksSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of tasks")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(mut task) = seq.next_element::<TaskJson>()? {
            let index = self.stats.tasks;
            self.stats.tasks += 1;
            for note in std::mem::take(&mut task.notes) {
                self.warnings.push(format!("task #{}: {note}", index + 1));
            }
            let evidence = task.into_evidence(Source::Task { index });
            if is_stopped(&evidence) {
                emit(self.sink, self.stats, self.failure, evidence).map_err(de::Error::custom)?;
            } else {
                self.stats.not_stopped += 1;
            }
        }
        Ok(())
    }
}

/// Longest text kept from one field, as the text path keeps from one line (ECS itself caps
/// reasons at 1,024 characters; a longer one is not ECS's verbatim).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Containers kept per task (a task definition holds at most 10).
pub const MAX_CONTAINERS: usize = 100;

/// A task as `DescribeTasks` and the event `detail` give it; only the fields we read. Read
/// leniently: a field of the wrong type (`"exitCode": "137"`) or given twice, a text longer than
/// [`MAX_FIELD_BYTES`] and containers past [`MAX_CONTAINERS`] cost a note, never the task.
#[derive(Debug, Default)]
pub struct TaskJson {
    task_arn: Option<String>,
    cluster_arn: Option<String>,
    task_definition_arn: Option<String>,
    group: Option<String>,
    started_by: Option<String>,
    launch_type: Option<String>,
    last_status: Option<String>,
    stop_code: Option<String>,
    stopped_reason: Option<String>,
    stopped_at: Option<Timestamp>,
    containers: Option<Vec<ContainerJson>>,
    /// Increments on every state change; the newest event of a task has the highest.
    version: Option<i64>,
    /// What was not read as given, in words.
    pub notes: Vec<String>,
    /// The ENI attachment's details name the task's subnet (for `--probe`).
    attachments: Option<Vec<AttachmentJson>>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct AttachmentJson {
    #[serde(rename = "type")]
    kind: Option<String>,
    details: Option<Vec<DetailJson>>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct DetailJson {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Default)]
struct ContainerJson {
    name: Option<String>,
    image: Option<String>,
    exit_code: Option<i64>,
    reason: Option<String>,
    health_status: Option<String>,
}

/// A JSON value kept whole except for its size: texts past [`MAX_FIELD_BYTES`] and arrays past
/// [`MAX_CONTAINERS`] are cut, with a note.
struct CappedValue<'n> {
    notes: &'n mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for CappedValue<'_> {
    type Value = serde_json::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CappedValue<'_> {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match ScalarVisitor.visit_str::<E>(v)? {
            Scalar::Text { text, bytes } => {
                if bytes > text.len() {
                    self.notes.push(format!(
                        "a text of {bytes} bytes was cut to its first {} bytes",
                        text.len()
                    ));
                }
                Ok(serde_json::Value::String(text))
            }
            _ => Ok(serde_json::Value::Null),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        let mut dropped = 0usize;
        loop {
            if items.len() < MAX_CONTAINERS {
                match seq.next_element_seed(CappedValue {
                    notes: &mut *self.notes,
                })? {
                    Some(v) => items.push(v),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_some() {
                dropped += 1;
            } else {
                break;
            }
        }
        if dropped > 0 {
            self.notes.push(format!(
                "an array of {} elements was cut to its first {MAX_CONTAINERS}",
                MAX_CONTAINERS + dropped
            ));
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(CappedValue {
                notes: &mut *self.notes,
            })?;
            // A key given twice: the last value counts.
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// One JSON value as read for a field: text capped, anything else remembered by kind.
#[derive(Debug)]
enum Scalar {
    Text {
        text: String,
        bytes: usize,
    },
    Number(serde_json::Number),
    Bool(bool),
    Null,
    /// An object or an array (skipped).
    Nested(&'static str),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        let mut cut = MAX_FIELD_BYTES.min(v.len());
        while !v.is_char_boundary(cut) {
            cut -= 1;
        }
        Ok(Scalar::Text {
            text: v[..cut].to_string(),
            bytes: v.len(),
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an object"))
    }
}

impl Scalar {
    /// The value as text; a number or a boolean is read as its text, with a note.
    fn text(self, field: &str, notes: &mut Vec<String>) -> Option<String> {
        match self {
            Scalar::Text { text, bytes } => {
                if bytes > text.len() {
                    notes.push(format!(
                        "`{field}` is {bytes} bytes long; only its first {} bytes were kept",
                        text.len()
                    ));
                }
                Some(text)
            }
            Scalar::Null => None,
            Scalar::Number(n) => {
                notes.push(format!("`{field}` is a number, not text; read as \"{n}\""));
                Some(n.to_string())
            }
            Scalar::Bool(b) => {
                notes.push(format!("`{field}` is a boolean, not text; read as \"{b}\""));
                Some(b.to_string())
            }
            Scalar::Nested(kind) => {
                notes.push(format!("`{field}` is {kind}, not text; left out"));
                None
            }
        }
    }

    /// The value as a whole number; text that holds one is read as it, with a note.
    fn integer(self, field: &str, notes: &mut Vec<String>) -> Option<i64> {
        match self {
            Scalar::Number(n) => match n.as_i64() {
                Some(i) => Some(i),
                None => {
                    notes.push(format!("`{field}` is {n}, not a whole number; left out"));
                    None
                }
            },
            Scalar::Null => None,
            Scalar::Text { text, .. } => match text.trim().parse::<i64>() {
                Ok(i) => {
                    notes.push(format!(
                        "`{field}` is text (\"{text}\"); read as the number {i}"
                    ));
                    Some(i)
                }
                Err(_) => {
                    notes.push(format!("`{field}` is text, not a number; left out"));
                    None
                }
            },
            Scalar::Bool(_) => {
                notes.push(format!("`{field}` is a boolean, not a number; left out"));
                None
            }
            Scalar::Nested(kind) => {
                notes.push(format!("`{field}` is {kind}, not a number; left out"));
                None
            }
        }
    }

    /// Epoch seconds or RFC 3339 text.
    fn timestamp(self, field: &str, notes: &mut Vec<String>) -> Option<Timestamp> {
        match self {
            Scalar::Number(n) => n.as_f64().map(Timestamp::Epoch),
            other => other.text(field, notes).map(Timestamp::Text),
        }
    }
}

/// Remembers the keys of one object, to note a key given twice (the last value counts, as in
/// most JSON readers, instead of rejecting the document). Only the keys that are read are
/// tracked, as bits: no allocation per key.
#[derive(Default)]
struct Keys(u64);

/// Every key `Keys` tracks (of tasks and of containers).
const TRACKED_KEYS: &[&str] = &[
    "taskArn",
    "clusterArn",
    "taskDefinitionArn",
    "group",
    "startedBy",
    "launchType",
    "lastStatus",
    "stopCode",
    "stoppedReason",
    "stoppedAt",
    "version",
    "containers",
    "attachments",
    "name",
    "image",
    "reason",
    "healthStatus",
    "exitCode",
];

impl Keys {
    fn seen(&mut self, key: &str, notes: &mut Vec<String>) {
        let Some(bit) = TRACKED_KEYS.iter().position(|k| *k == key) else {
            return;
        };
        if self.0 & (1 << bit) != 0 {
            notes.push(format!("`{key}` is given twice; the last value counts"));
        }
        self.0 |= 1 << bit;
    }
}

/// An object's key, borrowed from the input unless it holds an escape. (serde's `Cow<str>`
/// always copies: a `String` per key of every event was a twentieth of reading them.)
struct Key<'de>(std::borrow::Cow<'de, str>);

impl std::ops::Deref for Key<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for TaskJson {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TaskVisitor { network: true })
    }
}

/// A task read for a summary of many (`events`): without its network attachments, which only
/// `--probe` reads, and which were a tenth of the time spent reading each event.
#[derive(Debug)]
pub struct SummaryTaskJson(TaskJson);

impl<'de> Deserialize<'de> for SummaryTaskJson {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TaskVisitor { network: false })
            .map(SummaryTaskJson)
    }
}

impl From<SummaryTaskJson> for TaskJson {
    fn from(task: SummaryTaskJson) -> TaskJson {
        task.0
    }
}

struct TaskVisitor {
    /// Whether to read `attachments` (the task's subnet and ENI).
    network: bool,
}

impl<'de> Visitor<'de> for TaskVisitor {
    type Value = TaskJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskJson, A::Error> {
        let mut task = TaskJson::default();
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.as_ref();
            let notes = &mut task.notes;
            let slot = match key {
                "taskArn" => &mut task.task_arn,
                "clusterArn" => &mut task.cluster_arn,
                "taskDefinitionArn" => &mut task.task_definition_arn,
                "group" => &mut task.group,
                "startedBy" => &mut task.started_by,
                "launchType" => &mut task.launch_type,
                "lastStatus" => &mut task.last_status,
                "stopCode" => &mut task.stop_code,
                "stoppedReason" => &mut task.stopped_reason,
                "stoppedAt" => {
                    keys.seen(key, notes);
                    task.stopped_at = map.next_value::<Scalar>()?.timestamp(key, notes);
                    continue;
                }
                "version" => {
                    keys.seen(key, notes);
                    task.version = map.next_value::<Scalar>()?.integer(key, notes);
                    continue;
                }
                "containers" => {
                    keys.seen(key, notes);
                    task.containers = Some(map.next_value_seed(ContainersSeed { notes })?);
                    continue;
                }
                "attachments" => {
                    keys.seen(key, notes);
                    if self.network {
                        // Only for --probe: an attachment list of another shape is left out.
                        let raw = map.next_value::<Box<serde_json::value::RawValue>>()?;
                        task.attachments = serde_json::from_str(raw.get()).ok();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            keys.seen(key, notes);
            *slot = map.next_value::<Scalar>()?.text(key, notes);
        }
        Ok(task)
    }
}

/// `containers`: at most [`MAX_CONTAINERS`] kept, the rest counted.
struct ContainersSeed<'n> {
    notes: &'n mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ContainersSeed<'_> {
    type Value = Vec<ContainerJson>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ContainersSeed<'_> {
    type Value = Vec<ContainerJson>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of containers")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut containers = Vec::new();
        let mut dropped = 0usize;
        loop {
            if containers.len() < MAX_CONTAINERS {
                match seq.next_element_seed(ContainerSeed {
                    notes: &mut *self.notes,
                })? {
                    Some(Some(c)) => containers.push(c),
                    Some(None) => {}
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_some() {
                dropped += 1;
            } else {
                break;
            }
        }
        if dropped > 0 {
            self.notes.push(format!(
                "the task lists {} containers; only the first {MAX_CONTAINERS} were read",
                MAX_CONTAINERS + dropped
            ));
        }
        Ok(containers)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.notes
            .push("`containers` is an object, not an array; left out".to_string());
        Ok(Vec::new())
    }
}

/// One container; `None` for an element that is not an object.
struct ContainerSeed<'n> {
    notes: &'n mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ContainerSeed<'_> {
    type Value = Option<ContainerJson>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match d.deserialize_any(ScalarOrContainer(self.notes))? {
            Some(c) => Ok(Some(c)),
            None => Ok(None),
        }
    }
}

struct ScalarOrContainer<'n>(&'n mut Vec<String>);

impl<'de> Visitor<'de> for ScalarOrContainer<'_> {
    type Value = Option<ContainerJson>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a container object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let notes = self.0;
        let mut c = ContainerJson::default();
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.as_ref();
            let slot = match key {
                "name" => &mut c.name,
                "image" => &mut c.image,
                "reason" => &mut c.reason,
                "healthStatus" => &mut c.health_status,
                "exitCode" => {
                    keys.seen(key, notes);
                    c.exit_code = map.next_value::<Scalar>()?.integer(key, notes);
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            keys.seen(key, notes);
            *slot = map.next_value::<Scalar>()?.text(key, notes);
        }
        Ok(Some(c))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Epoch seconds (the API) or RFC 3339 text (events, the AWS CLI).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Timestamp {
    Text(String),
    Epoch(f64),
}

impl Timestamp {
    fn into_text(self) -> String {
        match self {
            Timestamp::Text(text) => text,
            Timestamp::Epoch(secs) => crate::time::format_epoch(secs as i64),
        }
    }
}

impl TaskJson {
    pub(crate) fn into_evidence(self, source: Source) -> Evidence {
        let mut evidence = Evidence::task(source);
        evidence.meta.task_arn = self.task_arn;
        evidence.meta.cluster_arn = self.cluster_arn;
        evidence.meta.task_definition_arn = self.task_definition_arn;
        evidence.meta.group = self.group;
        evidence.meta.started_by = self.started_by;
        evidence.meta.launch_type = self.launch_type;
        evidence.meta.last_status = self.last_status;
        evidence.meta.stopped_at = self.stopped_at.map(Timestamp::into_text);
        evidence.meta.network = self
            .attachments
            .iter()
            .flatten()
            .filter(|a| a.kind.as_deref() == Some("ElasticNetworkInterface"))
            .find_map(|a| {
                crate::model::TaskNetwork::from_details(
                    a.details
                        .iter()
                        .flatten()
                        .filter_map(|d| Some((d.name.as_deref()?, d.value.as_deref()?))),
                )
            });
        evidence.stop_code = self.stop_code.filter(|s| !s.is_empty());
        evidence.stopped_reason = self.stopped_reason.filter(|s| !s.trim().is_empty());
        evidence.containers = self
            .containers
            .unwrap_or_default()
            .into_iter()
            .map(|c| ContainerEvidence {
                name: c.name.unwrap_or_default(),
                image: c.image,
                exit_code: c.exit_code,
                reason: c.reason.filter(|s| !s.trim().is_empty()),
                health_status: c.health_status,
            })
            .collect();
        evidence
    }
}

/// An EventBridge event, as far as it matters here.
#[derive(Debug, Deserialize)]
pub struct EventJson<Task = TaskJson> {
    #[serde(rename = "detail-type")]
    pub detail_type: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub time: Option<String>,
    pub detail: Option<Task>,
}

/// What an "ECS Task State Change" event says about its task.
#[derive(Debug)]
pub struct TaskEvent {
    pub evidence: Evidence,
    /// `detail.version`: the newest event of a task has the highest.
    pub version: Option<i64>,
    /// The task's final state change (`lastStatus` STOPPED), not an earlier one.
    pub is_final_stop: bool,
    /// What was not read as given (see [`TaskJson`]).
    pub notes: Vec<String>,
}

impl<Task: Into<TaskJson>> EventJson<Task> {
    /// Whether this is a task state change (events of other detail-types are not about tasks).
    pub fn is_task_state_change(&self) -> bool {
        self.detail_type.as_deref() == Some("ECS Task State Change")
    }

    /// The task, with the envelope's account, region and time.
    pub fn into_task(self, source: Source) -> Option<TaskEvent> {
        let mut detail: TaskJson = self.detail?.into();
        let version = detail.version;
        let notes = std::mem::take(&mut detail.notes);
        let mut evidence = detail.into_evidence(source);
        evidence.meta.envelope_account = self.account;
        evidence.meta.envelope_region = self.region;
        if evidence.meta.stopped_at.is_none() {
            evidence.meta.stopped_at = self.time;
        }
        let is_final_stop = match evidence.meta.last_status.as_deref() {
            Some(status) => status == "STOPPED",
            None => evidence.stopped_reason.is_some(),
        };
        Some(TaskEvent {
            evidence,
            version,
            is_final_stop,
            notes,
        })
    }
}

#[derive(Debug, Deserialize)]
struct FailureJson {
    arn: Option<String>,
    reason: Option<String>,
    detail: Option<String>,
}

impl FailureJson {
    fn describe(&self) -> String {
        let arn = self.arn.as_deref().unwrap_or("<no arn>");
        let reason = self.reason.as_deref().unwrap_or("unknown");
        let detail = self
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let hint = if reason == "MISSING" {
            "; ECS keeps stopped tasks for about an hour, so an older task is gone from the API"
        } else {
            ""
        };
        format!("describe-tasks could not describe {arn}: {reason}{detail}{hint}")
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceJson {
    service_name: Option<String>,
    events: Option<Vec<ServiceEventJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceEventJson {
    message: Option<String>,
    created_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(
        input: &str,
        expected: Option<Shape>,
    ) -> Result<(Vec<Evidence>, Vec<String>), InputError> {
        let mut out = Vec::new();
        let mut warnings = Warnings::default();
        let mut sink = |e: Evidence| -> io::Result<()> {
            out.push(e);
            Ok(())
        };
        read(input.as_bytes(), expected, &mut sink, &mut warnings)?;
        Ok((out, warnings.into_vec()))
    }

    const TASK: &str = r#"{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/prod/abc","lastStatus":"STOPPED","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited","stoppedAt":1767323045.5,"containers":[{"name":"app","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage"},{"name":"log","exitCode":0}]}"#;

    #[test]
    fn describe_tasks_with_failures() {
        let doc = format!(
            r#"{{"tasks":[{TASK}],"failures":[{{"arn":"arn:aws:ecs:us-east-1:123456789012:task/prod/gone","reason":"MISSING"}}]}}"#
        );
        let (out, warnings) = read_all(&doc, None).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].containers[0].exit_code, Some(137));
        assert_eq!(
            out[0].meta.stopped_at.as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert!(warnings[0].contains("MISSING"));
    }

    /// Keys are borrowed from the input; one spelled with an escape is still read.
    #[test]
    fn keys_with_escapes_are_read() {
        let task = serde_json::from_str::<TaskJson>(
            r#"{"stoppedReaso\u006e":"OutOfMemoryError","containers":[{"n\u0061me":"app","exitCode":137}]}"#,
        )
        .unwrap();
        assert_eq!(task.stopped_reason.as_deref(), Some("OutOfMemoryError"));
        let containers = task.containers.unwrap();
        assert_eq!(containers[0].name.as_deref(), Some("app"));
    }

    #[test]
    fn a_summary_reads_the_task_without_its_network() {
        let event = r#"{"detail-type":"ECS Task State Change","account":"123456789012","region":"us-east-1","detail":{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/prod/abc","lastStatus":"STOPPED","stoppedReason":"Essential container in task exited","attachments":[{"type":"ElasticNetworkInterface","details":[{"name":"subnetId","value":"subnet-0123456789abcdef0"},{"name":"networkInterfaceId","value":"eni-0a1b2c3d4e5f60718"}]}],"containers":[{"name":"app","exitCode":1}]}}"#;
        let whole = serde_json::from_str::<EventJson>(event)
            .unwrap()
            .into_task(Source::Event { index: 0 })
            .unwrap();
        let summary = serde_json::from_str::<EventJson<SummaryTaskJson>>(event)
            .unwrap()
            .into_task(Source::Event { index: 0 })
            .unwrap();
        let network = whole
            .evidence
            .meta
            .network
            .clone()
            .expect("the whole task has it");
        assert_eq!(
            network.subnet_id.as_deref(),
            Some("subnet-0123456789abcdef0")
        );
        assert!(summary.evidence.meta.network.is_none());
        let mut without = whole.evidence;
        without.meta.network = None;
        assert_eq!(without, summary.evidence);
        assert_eq!(summary.notes, whole.notes);
        // A malformed attachment list is skipped by a summary as by a whole read.
        let odd = event.replace(r#""attachments":["#, r#""attachments":[7,"#);
        let summary = serde_json::from_str::<EventJson<SummaryTaskJson>>(&odd).unwrap();
        assert!(summary.into_task(Source::Event { index: 0 }).is_some());
    }

    #[test]
    fn bare_task_and_arrays_and_json_lines() {
        assert_eq!(read_all(TASK, None).unwrap().0.len(), 1);
        assert_eq!(
            read_all(&format!("[{TASK},{TASK}]"), None).unwrap().0.len(),
            2
        );
        let event = format!(
            r#"{{"version":"0","detail-type":"ECS Task State Change","source":"aws.ecs","account":"123456789012","region":"us-east-1","time":"2026-01-02T03:04:05Z","detail":{TASK}}}"#
        );
        let (out, _) = read_all(&format!("{event}\n{event}\n"), None).unwrap();
        assert_eq!(out.len(), 1, "a duplicate delivery is one task");
        assert_eq!(out[0].source, Source::Event { index: 1 });
        assert_eq!(out[0].meta.envelope_region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn newest_event_of_a_task_wins() {
        let running = r#"{"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"taskArn":"t1","lastStatus":"RUNNING","version":2}}"#;
        let stopped = r#"{"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"taskArn":"t1","lastStatus":"STOPPED","stoppedReason":"Task stopped by user","version":4}}"#;
        let (out, warnings) = read_all(&format!("{stopped}\n{running}\n"), None).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Task stopped by user")
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn other_events_and_running_tasks_are_skipped() {
        let running = r#"{"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"lastStatus":"RUNNING","desiredStatus":"RUNNING","taskArn":"x"}}"#;
        let other = r#"{"detail-type":"ECS Container Instance State Change","source":"aws.ecs","detail":{}}"#;
        let (out, warnings) = read_all(&format!("[{running},{other}]"), None).unwrap();
        assert!(out.is_empty());
        assert_eq!(warnings.len(), 2);
    }

    #[test]
    fn malformed_json_has_line_and_column() {
        match read_all("{\n  \"tasks\": [\n    {\"taskArn\": }\n", None) {
            Err(InputError::Json { line, column, .. }) => assert_eq!((line, column), (3, 17)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_shape_names_what_was_found() {
        match read_all(r#"{"foo": 1, "bar": 2}"#, None) {
            Err(InputError::UnknownShape { found, .. }) => {
                assert_eq!(found, "an object with keys bar, foo")
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            read_all("[1]", None),
            Err(InputError::UnknownShape { .. })
        ));
    }

    #[test]
    fn forced_shape_mismatch() {
        match read_all(TASK, Some(Shape::DescribeTasks)) {
            Err(InputError::UnknownShape { expected, .. }) => {
                assert!(expected.contains("describe-tasks"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn describe_services_events() {
        let doc = r#"{"services":[{"serviceName":"web","events":[{"message":"(service web) was unable to place a task. Reason: Capacity is unavailable at this time.","createdAt":1767323045}]}]}"#;
        let (out, _) = read_all(doc, None).unwrap();
        assert_eq!(
            out[0].stopped_reason.as_deref(),
            Some("Capacity is unavailable at this time.")
        );
        assert_eq!(out[0].meta.service.as_deref(), Some("web"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let doc = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(read_all(&doc, None), Err(InputError::Json { .. })));
    }
}
