//! `--probe` for the commands: plan each diagnosis's probes, run them concurrently (bounded),
//! attach the verdicts.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::engine::Engine;
use crate::model::Evidence;
use crate::probe::{Fetcher, Plan, ProbeTask, apply};
use crate::render::Output;
use crate::report::Diagnosis;

/// Tasks probed at once. Their questions overlap (one subnet, one role), and shared answers
/// are fetched once, so more would mostly wait on the same calls.
const CONCURRENCY: usize = 16;

/// Probes every task whose diagnosis declares probes, on the task's own values (`raw`: the
/// diagnoses as the engine made them), and attaches the verdicts to the diagnoses as they are
/// shown (`shown`, one per task: redacted with `--redact`), their text redacted too.
pub async fn run(
    engine: &Engine,
    fetcher: &Arc<Fetcher>,
    evidence: &[&Evidence],
    raw: &[Diagnosis],
    shown: &mut [Diagnosis],
    output: &Output,
    default_region: Option<&str>,
) {
    let probes_of = |id: &str| {
        engine
            .catalog()
            .get(id)
            .map(|p| p.probes.clone())
            .unwrap_or_default()
    };
    let mut pending: VecDeque<(usize, Plan)> = evidence
        .iter()
        .zip(raw.iter())
        .enumerate()
        .filter_map(|(i, (e, d))| {
            let task = ProbeTask::of(e, default_region)?;
            Some((i, Plan::of(task, d, probes_of)?))
        })
        .collect();
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < CONCURRENCY
            && let Some((i, plan)) = pending.pop_front()
        {
            let fetcher = fetcher.clone();
            in_flight.spawn(async move { (i, fetcher.run(plan).await) });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        // A panicked probe leaves its task's findings as they were.
        if let Ok((i, mut sections)) = joined {
            for (_, section) in &mut sections {
                for text in section.strings_mut() {
                    *text = output.shown(text);
                }
            }
            apply(&mut shown[i], sections);
        }
    }
}
