//! Reading archives of "ECS Task State Change" events, whatever form they were saved in:
//! JSON Lines, JSON arrays, `aws logs filter-log-events` / `get-log-events` output (events
//! inside `message` strings), CloudWatch Logs exports to S3 (a timestamp, a space, the event),
//! and any of them gzip-compressed. Each event's JSON text becomes a [`Record`]; nothing here
//! parses events or holds more than one of them.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::skips::{Skip, Skips};

/// Longest line or JSON value accepted; events are a few kilobytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Where a record came from: input index and line (1-based; 0 inside a multi-line document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub input: u32,
    pub line: u64,
}

/// One event's JSON text, borrowed from the reader's buffer: whoever keeps it copies it.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub json: &'a [u8],
    pub location: Location,
}

/// An input to read: a file or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::File(path) => write!(f, "{}", path.display()),
            Input::Stdin => f.write_str("<stdin>"),
        }
    }
}

/// The inputs `paths` name, with what was left out of directories and why.
#[derive(Debug, Default)]
pub struct Inputs {
    pub inputs: Vec<Input>,
    /// Entries of directories that are not read: links that loop, FIFOs, devices, sockets.
    pub notes: Vec<String>,
}

/// Expands directories (recursively, sorted) into their regular files, each real file once.
/// Links are followed, but never round a loop; a FIFO or a device in a directory is left out
/// (reading one would wait forever or never end), as are hidden entries.
pub fn inputs(paths: &[PathBuf]) -> Result<Inputs, String> {
    let mut out = Inputs::default();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk(path, &mut seen, &mut out)?;
        } else if path.exists() {
            out.inputs.push(Input::File(path.clone()));
        } else {
            return Err(format!("`{}` does not exist", path.display()));
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Inputs,
) -> Result<(), String> {
    let hidden = |entry: &walkdir::DirEntry| {
        entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
    };
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => {
                let path = e
                    .path()
                    .map_or_else(String::new, |p| p.display().to_string());
                out.notes.push(format!(
                    "skipped `{path}`: a link back to a directory above it"
                ));
                continue;
            }
            Err(e) if e.depth() == 0 => {
                return Err(format!("cannot read directory `{}`: {e}", dir.display()));
            }
            Err(e) => {
                out.notes.push(format!("skipped an entry: {e}"));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let path = entry.path();
        if !kind.is_file() {
            out.notes.push(format!(
                "skipped `{}`: not a regular file (a FIFO, device or socket)",
                path.display()
            ));
            continue;
        }
        // Two links to one file are one input.
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if seen.insert(real) {
            out.inputs.push(Input::File(path.to_path_buf()));
        }
    }
    Ok(())
}

/// Counters shared with the scan: bytes read (compressed size for gzip) and records seen.
#[derive(Debug, Default)]
pub struct Counters {
    pub bytes: AtomicU64,
    pub records: AtomicU64,
}

/// Counts bytes as they are read (compressed bytes, for gzip), for progress and MB/s.
struct Counting<R> {
    inner: R,
    counters: Arc<Counters>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one input, sending each record to `emit` and each problem to `skips`. Returns false if
/// the input could not be opened at all.
pub fn read_input(
    input: &Input,
    index: u32,
    counters: &Arc<Counters>,
    skips: &mut Skips,
    emit: &mut dyn FnMut(Record<'_>) -> bool,
) -> Result<(), String> {
    let raw: Box<dyn Read> = match input {
        Input::File(path) => Box::new(
            File::open(path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?,
        ),
        Input::Stdin => Box::new(io::stdin()),
    };
    let mut reader = BufReader::with_capacity(
        256 * 1024,
        Counting {
            inner: raw,
            counters: Arc::clone(counters),
        },
    );
    let gzip = reader
        .fill_buf()
        .map(|b| b.starts_with(&[0x1f, 0x8b]))
        .unwrap_or(false);
    let name = input.to_string();
    let reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    let result = read_stream(reader, index, counters, skips, emit);
    if let Err(e) = result {
        // A cut-off gzip stream or a read error: what was read before it counts.
        let reason = if gzip && e.kind() == io::ErrorKind::UnexpectedEof {
            Skip::TruncatedGzip
        } else {
            Skip::ReadError
        };
        skips.add(reason, format!("{name}: {e}"));
    }
    Ok(())
}

fn read_stream(
    mut reader: Box<dyn BufRead>,
    index: u32,
    counters: &Counters,
    skips: &mut Skips,
    emit: &mut dyn FnMut(Record<'_>) -> bool,
) -> io::Result<()> {
    // A UTF-8 byte order mark (some Windows tools write one) is not part of the first event.
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    match detect(&mut reader)? {
        Form::Empty => Ok(()),
        Form::Lines => read_lines(reader, index, counters, skips, emit),
        Form::Document => read_document(reader, index, counters, skips, emit),
    }
}

enum Form {
    Empty,
    /// One event (or timestamped event, or log record) per line.
    Lines,
    /// One JSON document over many lines (or one huge line): an array of events, a
    /// pretty-printed event, or `aws logs` output with an `events` array.
    Document,
}

/// JSON Lines if the first line is a whole JSON value of modest size; a document if it starts
/// with `[` or with a `{` that the first line does not close; lines otherwise.
fn detect(reader: &mut Box<dyn BufRead>) -> io::Result<Form> {
    let buf = reader.fill_buf()?;
    let Some(first) = buf.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(if buf.is_empty() {
            Form::Empty
        } else {
            Form::Lines
        });
    };
    match buf[first] {
        b'[' => Ok(Form::Document),
        b'{' => {
            let rest = &buf[first..];
            let line = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest, |end| &rest[..end]);
            let whole_line = line.len() < rest.len();
            let is_logs_output = line.windows(9).any(|w| w == b"\"events\":")
                && !line.windows(13).any(|w| w == b"\"detail-type\"");
            if whole_line && !is_logs_output && serde_json::from_slice::<IgnoredAny>(line).is_ok() {
                Ok(Form::Lines)
            } else {
                Ok(Form::Document)
            }
        }
        _ => Ok(Form::Lines),
    }
}

/// Recognises the events that are a task's earlier state changes without parsing them: most of
/// an archive (no `"STOPPED"` anywhere), not worth copying to a worker; and those of a task
/// still stopping, by a skim (see [`QuickLook::is_stopping`]).
pub struct QuickLook {
    task_change: memchr::memmem::Finder<'static>,
    stopped: memchr::memmem::Finder<'static>,
    stopped_status: memchr::memmem::Finder<'static>,
}

impl QuickLook {
    pub fn new() -> QuickLook {
        QuickLook {
            task_change: memchr::memmem::Finder::new(b"ECS Task State Change"),
            stopped: memchr::memmem::Finder::new(b"\"STOPPED\""),
            stopped_status: memchr::memmem::Finder::new(b"\"lastStatus\":\"STOPPED\""),
        }
    }

    /// A whole JSON object of a task state change that never mentions STOPPED.
    pub fn is_earlier_state_change(&self, json: &[u8]) -> bool {
        json.last() == Some(&b'}')
            && self.stopped.find(json).is_none()
            && self.task_change.find(json).is_some()
    }

    /// Whether the text mentions a task state change at all.
    pub fn is_task_state_change(&self, json: &[u8]) -> bool {
        self.task_change.find(json).is_some()
    }

    /// Whether `json` is a task state change whose task is not `STOPPED` yet (DEACTIVATING,
    /// STOPPING, DEPROVISIONING): such events already carry the stop reason and code, so the
    /// word `STOPPED` does not tell them from the final one. Only an event with no
    /// `"lastStatus":"STOPPED"` at all (its containers still running) is looked at, so a final
    /// event costs nothing more; it is read without copying anything, and any doubt (escapes, a
    /// key given twice, bad JSON) answers `false`, and the event is read in full.
    pub fn is_stopping(&self, json: &[u8]) -> bool {
        if self.stopped_status.find(json).is_some() {
            return false;
        }
        #[derive(serde::Deserialize)]
        struct Event<'a> {
            #[serde(rename = "detail-type", borrow)]
            detail_type: Option<&'a str>,
            #[serde(borrow)]
            detail: Option<Detail<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Detail<'a> {
            #[serde(rename = "lastStatus", borrow)]
            last_status: Option<&'a str>,
        }
        serde_json::from_slice::<Event<'_>>(json).is_ok_and(|event| {
            event.detail_type == Some("ECS Task State Change")
                && event
                    .detail
                    .and_then(|d| d.last_status)
                    .is_some_and(|status| status != "STOPPED")
        })
    }
}

impl Default for QuickLook {
    fn default() -> Self {
        QuickLook::new()
    }
}

fn read_lines(
    mut reader: Box<dyn BufRead>,
    index: u32,
    counters: &Counters,
    skips: &mut Skips,
    emit: &mut dyn FnMut(Record<'_>) -> bool,
) -> io::Result<()> {
    let mut lines = LineSink {
        quick: QuickLook::new(),
        index,
        number: 0,
        records: 0,
        earlier: 0,
        skips,
        emit,
        stopped: false,
    };
    // A line that spans buffer refills is assembled here (up to the limit); a line that sits
    // in the buffer, the usual case, is looked at in place and copied only if a worker needs it.
    let mut partial: Vec<u8> = Vec::new();
    let mut partial_len = 0usize;
    let result = loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        if buf.is_empty() {
            if partial_len > 0 {
                lines.line(&partial, partial_len);
            }
            break Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) if partial_len == 0 => {
                lines.line(&buf[..i], i);
                reader.consume(i + 1);
            }
            Some(i) => {
                let room = MAX_RECORD_BYTES.saturating_sub(partial.len());
                partial.extend_from_slice(&buf[..i.min(room)]);
                lines.line(&partial, partial_len + i);
                partial.clear();
                partial_len = 0;
                reader.consume(i + 1);
            }
            None => {
                let n = buf.len();
                let room = MAX_RECORD_BYTES.saturating_sub(partial.len());
                partial.extend_from_slice(&buf[..n.min(room)]);
                partial_len += n;
                reader.consume(n);
            }
        }
        if lines.stopped {
            break Ok(());
        }
    };
    counters.records.fetch_add(lines.records, Ordering::Relaxed);
    if lines.earlier > 0 {
        // Earlier state changes are the bulk of an archive: counted here, in one go.
        lines.skips.add_many(Skip::NotFinalStop, lines.earlier);
    }
    result
}

/// Decides what each line of a line-oriented archive is.
struct LineSink<'a> {
    quick: QuickLook,
    index: u32,
    number: u64,
    records: u64,
    /// Earlier state changes seen (counted in bulk at the end).
    earlier: u64,
    skips: &'a mut Skips,
    emit: &'a mut dyn FnMut(Record<'_>) -> bool,
    stopped: bool,
}

impl LineSink<'_> {
    /// One line: `bytes` is what was kept of it, `len` its full length.
    fn line(&mut self, bytes: &[u8], len: usize) {
        self.number += 1;
        let location = Location {
            input: self.index,
            line: self.number,
        };
        let (start, end) = trimmed(bytes);
        if start == end && len <= bytes.len() {
            return;
        }
        self.records += 1;
        if len > MAX_RECORD_BYTES {
            self.skips
                .add_at(Skip::LineTooLong, location, format!("{len} bytes"));
            return;
        }
        let bytes = &bytes[start..end];
        // CloudWatch Logs exports put a timestamp and a space before each event.
        let json = match bytes[0] {
            b'{' => bytes,
            b'0'..=b'9' => match memchr::memchr(b'{', bytes) {
                Some(at) => &bytes[at..],
                None => {
                    self.skips.add_at(Skip::NotJson, location, String::new());
                    return;
                }
            },
            _ => {
                self.skips.add_at(Skip::NotJson, location, String::new());
                return;
            }
        };
        if self.quick.is_earlier_state_change(json) {
            self.earlier += 1;
            return;
        }
        if !(self.emit)(Record { json, location }) {
            self.stopped = true;
        }
    }
}

/// The range of `bytes` without leading and trailing whitespace.
fn trimmed(bytes: &[u8]) -> (usize, usize) {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    (start, end)
}

/// Caps how much one JSON value may read, so a document with a gigantic value fails cleanly
/// instead of filling memory. The visitor resets the count after each value it hands on.
struct Limited<R> {
    inner: R,
    since_reset: Rc<Cell<usize>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_reset.get() > MAX_RECORD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "value too large",
            ));
        }
        let n = self.inner.read(buf)?;
        self.since_reset.set(self.since_reset.get() + n);
        Ok(n)
    }
}

fn read_document(
    reader: Box<dyn BufRead>,
    index: u32,
    counters: &Counters,
    skips: &mut Skips,
    emit: &mut dyn FnMut(Record<'_>) -> bool,
) -> io::Result<()> {
    let counter = Rc::new(Cell::new(0));
    let limited = Limited {
        inner: reader,
        since_reset: Rc::clone(&counter),
    };
    let mut lossy =
        io::BufReader::with_capacity(64 * 1024, crate::input::lossy::LossyUtf8::new(limited));
    let mut de = serde_json::Deserializer::from_reader(&mut lossy);
    let location = Location {
        input: index,
        line: 0,
    };
    let mut stopped = false;
    let seed = DocumentSeed {
        emit,
        counter: &counter,
        counters,
        location,
        stopped: &mut stopped,
    };
    if let Err(e) = seed.deserialize(&mut de) {
        if stopped {
            return Ok(());
        }
        let reason = if e.is_io() && e.to_string().contains("value too large") {
            Skip::LineTooLong
        } else if e.is_eof() {
            Skip::TruncatedJson
        } else if e.is_io() {
            return Err(io::Error::other(e.to_string()));
        } else {
            Skip::NotJson
        };
        skips.add_at(
            reason,
            Location {
                input: index,
                line: e.line() as u64,
            },
            e.to_string(),
        );
    }
    drop(de);
    for &line in &lossy.get_ref().invalid.first {
        skips.repaired_at(Location { input: index, line });
    }
    Ok(())
}

struct DocumentSeed<'a> {
    emit: &'a mut dyn FnMut(Record<'_>) -> bool,
    counter: &'a Rc<Cell<usize>>,
    counters: &'a Counters,
    location: Location,
    stopped: &'a mut bool,
}

impl DocumentSeed<'_> {
    /// Hands on one value: a log record's `message`, or the value itself.
    fn value(&mut self, raw: &RawValue) -> bool {
        self.counter.set(0);
        self.counters.records.fetch_add(1, Ordering::Relaxed);
        let text = raw.get().as_bytes();
        #[derive(serde::Deserialize)]
        struct LogRecord {
            message: String,
        }
        let message = match serde_json::from_slice::<LogRecord>(text) {
            Ok(record) if record.message.trim_start().starts_with('{') => Some(record.message),
            _ => None,
        };
        let go_on = (self.emit)(Record {
            json: message.as_deref().map_or(text, str::as_bytes),
            location: self.location,
        });
        if !go_on {
            *self.stopped = true;
        }
        go_on
    }
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("events: an array, an object with an `events` array, or one event")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if !self.value(&raw) {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        // Either `aws logs` output (stream its `events`) or one pretty-printed event.
        let mut event = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                map.next_value_seed(EventsSeed { parent: &mut self })?;
            } else {
                let value: serde_json::Value = map.next_value()?;
                event.insert(key, value);
            }
        }
        if event.contains_key("detail") || event.contains_key("detail-type") {
            let raw = serde_json::to_string(&event).map_err(de::Error::custom)?;
            let raw = RawValue::from_string(raw).map_err(de::Error::custom)?;
            if !self.value(&raw) {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

struct EventsSeed<'p, 'a> {
    parent: &'p mut DocumentSeed<'a>,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of log events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if !self.parent.value(&raw) {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_still_stopping_is_told_from_its_final_event() {
        let quick = QuickLook::new();
        let event = |task: &str, container: &str| {
            format!(
                r#"{{"detail-type":"ECS Task State Change","detail":{{"lastStatus":"{task}","desiredStatus":"STOPPED","stoppedReason":"Essential container in task exited","containers":[{{"name":"app","lastStatus":"{container}"}}]}}}}"#
            )
        };
        assert!(quick.is_stopping(event("DEACTIVATING", "RUNNING").as_bytes()));
        assert!(quick.is_stopping(event("STOPPING", "RUNNING").as_bytes()));
        assert!(!quick.is_stopping(event("STOPPED", "STOPPED").as_bytes()));
        assert!(!quick.is_stopping(event("STOPPED", "RUNNING").as_bytes()));
        // Read in full when in doubt: a container already stopped, an escape, another
        // detail-type, no status, a key given twice, JSON cut short.
        assert!(!quick.is_stopping(event("STOPPING", "STOPPED").as_bytes()));
        assert!(!quick.is_stopping(event("STOP\\u0050ING", "RUNNING").as_bytes()));
        let other = event("STOPPING", "RUNNING").replace("ECS Task", "ECS Container Instance");
        assert!(!quick.is_stopping(other.as_bytes()));
        let no_status = r#"{"detail-type":"ECS Task State Change","detail":{"stoppedReason":"x"}}"#;
        assert!(!quick.is_stopping(no_status.as_bytes()));
        let twice = event("STOPPING", "RUNNING").replace(
            r#""lastStatus":"STOPPING","#,
            r#""lastStatus":"STOPPING","lastStatus":"STOPPED","#,
        );
        assert!(!quick.is_stopping(twice.as_bytes()));
        let cut = event("STOPPING", "RUNNING");
        assert!(!quick.is_stopping(&cut.as_bytes()[..cut.len() - 3]));
    }
}
