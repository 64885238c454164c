//! `explain` on a stream of many items, on every core: a thread reads, workers diagnose, and
//! the calling thread renders the diagnoses in input order. Only for runs whose redactor learns
//! nothing (no `--redact`): then an item's diagnosis does not depend on the items before it, and
//! the report is the one a single thread writes, byte for byte.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::memo::RepeatMemo;
use crate::context::Defaults;
use crate::engine::{Detail, Engine, MatchCache};
use crate::input::{self, InputError, InputFormat, Warnings};
use crate::model::Evidence;
use crate::redact::Redactor;
use crate::render::{Renderer, Summary, diagnose_redacted};
use crate::report::Diagnosis;

/// Items per batch handed to a worker: large enough that channels cost little per item.
const BATCH: usize = 128;

type Batch<T> = (u64, Vec<T>);

/// Diagnoses from a worker: its batch, and where to hand them back once written, so the
/// thread that allocated their strings frees them (freeing across threads costs the
/// allocator far more).
struct Done {
    seq: u64,
    diagnoses: Vec<Diagnosis>,
    written: Sender<Vec<Diagnosis>>,
}

/// What workers diagnose with.
#[derive(Clone, Copy)]
pub struct Diagnoser<'a> {
    pub engine: &'a Engine,
    pub defaults: &'a Defaults,
    pub detail: Detail,
}

/// What the reading thread ends with.
pub struct ReadOutcome {
    pub result: Result<usize, InputError>,
    pub warnings: Warnings,
}

/// Reads `reader` on its own thread, diagnoses on `workers` threads, and renders each diagnosis
/// through `renderer` in input order, adding it to `summary`. Returns what reading ended with,
/// or the error writing the output hit (then reading and diagnosing stop early).
pub fn run<W: Write>(
    diagnoser: Diagnoser<'_>,
    reader: Box<dyn Read + Send>,
    format: InputFormat,
    workers: usize,
    renderer: &mut Renderer<W>,
    summary: &mut Summary,
) -> Result<ReadOutcome, io::Error> {
    let (item_tx, item_rx) = sync_channel::<Batch<Evidence>>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    let item_rx = Arc::new(Mutex::new(item_rx));
    let stop = AtomicBool::new(false);
    // Detached: a reader blocked on a slow stream must not keep the run alive once the output
    // is gone (`... | ecs-diagnose explain - | head -1`).
    let reading = std::thread::spawn(move || read_all(reader, format, &item_tx));
    let written = std::thread::scope(|scope| {
        for _ in 0..workers {
            let rx = Arc::clone(&item_rx);
            let tx = done_tx.clone();
            let stop = &stop;
            scope.spawn(move || work(diagnoser, &rx, &tx, stop));
        }
        drop(done_tx);
        let written = render_in_order(&done_rx, renderer, summary);
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        // Workers finish their batch and find the channel closed.
        drop(done_rx);
        written
    });
    written?;
    Ok(reading.join().expect("the reading thread does not panic"))
}

fn render_in_order<W: Write>(
    done: &Receiver<Done>,
    renderer: &mut Renderer<W>,
    summary: &mut Summary,
) -> io::Result<()> {
    let mut next = 0u64;
    let mut early: BTreeMap<u64, Done> = BTreeMap::new();
    for batch in done {
        early.insert(batch.seq, batch);
        while let Some(batch) = early.remove(&next) {
            for diagnosis in &batch.diagnoses {
                summary.add(diagnosis);
                renderer.diagnosis(diagnosis)?;
            }
            // A worker that has ended no longer needs them back.
            let _ = batch.written.send(batch.diagnoses);
            next += 1;
        }
        // A slow stream still shows each item as soon as it is diagnosed.
        if early.is_empty() {
            renderer.flush()?;
        }
    }
    Ok(())
}

/// The items read but not yet handed on, sent before every read of the input that could block,
/// so a followed log is diagnosed as it arrives, not a batch at a time.
struct Pending<'t> {
    items: Vec<Evidence>,
    seq: u64,
    tx: &'t SyncSender<Batch<Evidence>>,
}

impl Pending<'_> {
    fn send(&mut self) -> io::Result<()> {
        if self.items.is_empty() {
            return Ok(());
        }
        let items = std::mem::replace(&mut self.items, Vec::with_capacity(BATCH));
        self.seq += 1;
        self.tx
            .send((self.seq - 1, items))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the report stopped"))
    }
}

struct SendBeforeRead<'p, 't, R> {
    inner: R,
    pending: &'p std::cell::RefCell<Pending<'t>>,
}

impl<R: Read> Read for SendBeforeRead<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.pending.borrow_mut().send()?;
        self.inner.read(buf)
    }
}

fn read_all(
    reader: Box<dyn Read + Send>,
    format: InputFormat,
    tx: &SyncSender<Batch<Evidence>>,
) -> ReadOutcome {
    let pending = std::cell::RefCell::new(Pending {
        items: Vec::with_capacity(BATCH),
        seq: 0,
        tx,
    });
    let mut warnings = Warnings::default();
    let mut sink = |evidence: Evidence| -> io::Result<()> {
        let mut pending = pending.borrow_mut();
        pending.items.push(evidence);
        if pending.items.len() >= BATCH {
            pending.send()?;
        }
        Ok(())
    };
    let source = SendBeforeRead {
        inner: reader,
        pending: &pending,
    };
    let mut result = input::read(source, format, &mut sink, &mut warnings);
    // What was read before an error is still diagnosed.
    if let Err(e) = pending.borrow_mut().send()
        && result.is_ok()
    {
        result = Err(InputError::Output(e));
    }
    ReadOutcome { result, warnings }
}

fn work(
    Diagnoser {
        engine,
        defaults,
        detail,
    }: Diagnoser<'_>,
    rx: &Mutex<Receiver<Batch<Evidence>>>,
    tx: &SyncSender<Done>,
    stop: &AtomicBool,
) {
    let mut cache = MatchCache::default();
    let mut redactor = Redactor::credentials_only();
    let mut memo = RepeatMemo::default();
    let (written_tx, written) = channel::<Vec<Diagnosis>>();
    loop {
        // Frees what was written since the last batch.
        while written.try_recv().is_ok() {}
        // Waits in slices, so a stopped run is noticed while the reader waits on its input.
        let next = rx
            .lock()
            .expect("no thread panics holding the lock")
            .recv_timeout(Duration::from_millis(50));
        let (seq, items) = match next {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::Relaxed) => continue,
            Err(_) => return,
        };
        let diagnoses = items
            .iter()
            .map(|e| {
                memo.diagnose(e, |e| {
                    diagnose_redacted(engine, e, defaults, &mut cache, &mut redactor, &[], detail)
                })
            })
            .collect();
        let done = Done {
            seq,
            diagnoses,
            written: written_tx.clone(),
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}
