//! `ecs-diagnose explain`: read, diagnose, render, one item at a time; a file or stdin on
//! every core.

mod memo;
mod pipeline;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};

use super::args::ExplainArgs;
use super::error::CliError;
use crate::context::Defaults;
use crate::engine::{Engine, MatchCache};
use crate::input::{self, InputError, Warnings};
use crate::model::Evidence;
use crate::render::{Output, Summary};

/// What the run found, for the exit code.
pub struct Outcome {
    pub unrecognised: usize,
}

pub fn run(
    engine: &Engine,
    args: &ExplainArgs,
    output: &Output,
    stdout: impl Write,
) -> Result<Outcome, CliError> {
    #[cfg(feature = "probe")]
    if args.probe.probe {
        return run_probed(engine, args, output, stdout);
    }
    let (reader, many) = open_input(args)?;
    let defaults = Defaults {
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let mut renderer = output.renderer(stdout);
    let mut summary = Summary::default();
    // Text and markdown name the other findings unless `--verbose`: they are not filled in.
    // (`--probe`, above, fills in every finding: a probe may rank another one first.)
    let detail = output.detail();
    let workers = args
        .workers
        .map_or_else(crate::archive::default_workers, usize::from);
    // `--redact` learns names as it reads, so what an item shows depends on the items before
    // it: one thread, in order.
    let (result, warnings) = if many && workers > 1 && !output.redacting() {
        let diagnoser = pipeline::Diagnoser {
            engine,
            defaults: &defaults,
            detail,
        };
        let read = pipeline::run(
            diagnoser,
            reader,
            args.input_format,
            workers,
            &mut renderer,
            &mut summary,
        )
        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
        (read.result, read.warnings)
    } else {
        let mut cache = MatchCache::default();
        let mut warnings = Warnings::default();
        let mut memo = (!output.redacting()).then(memo::RepeatMemo::default);
        let mut sink = |evidence: Evidence| -> io::Result<()> {
            let mut diagnose =
                |e: &Evidence| output.diagnose_with(engine, e, &defaults, &mut cache, &[], detail);
            let diagnosis = match &mut memo {
                Some(memo) => memo.diagnose(&evidence, diagnose),
                None => diagnose(&evidence),
            };
            summary.add(&diagnosis);
            renderer.diagnosis(&diagnosis)
        };
        let result = input::read(reader, args.input_format, &mut sink, &mut warnings);
        (result, warnings)
    };
    let warnings = warnings.into_vec();
    output.notes(&warnings, &[]);
    summary.warnings = output.shown_all(&warnings);
    match result {
        Ok(0) => Err(CliError::Usage(
            "the input holds no stopped task or error message (see the warnings above)".to_string(),
        )),
        Ok(_) => {
            renderer
                .finish(&summary)
                .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
            Ok(Outcome {
                unrecognised: summary.unrecognised,
            })
        }
        Err(InputError::Output(e)) => Err(CliError::Io("cannot write the output".into(), e)),
        Err(e) => {
            if summary.diagnoses > 0 {
                // Keep what was read: finish the report, then say where reading stopped.
                summary.errors.push(output.shown(&format!(
                    "{e} (the {} item(s) before it are diagnosed above)",
                    summary.diagnoses
                )));
                renderer
                    .finish(&summary)
                    .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
            }
            Err(CliError::Input(e))
        }
    }
}

/// `explain --probe`: diagnose everything first, probe the tasks the input names, then render.
#[cfg(feature = "probe")]
fn run_probed(
    engine: &Engine,
    args: &ExplainArgs,
    output: &Output,
    stdout: impl Write,
) -> Result<Outcome, CliError> {
    let (reader, _) = open_input(args)?;
    let defaults = Defaults {
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let mut cache = MatchCache::default();
    let mut warnings = Warnings::default();
    let mut evidence: Vec<Evidence> = Vec::new();
    let result = input::read(
        reader,
        args.input_format,
        &mut |e: Evidence| -> io::Result<()> {
            evidence.push(e);
            Ok(())
        },
        &mut warnings,
    );
    let warnings = warnings.into_vec();
    let read_error = match result {
        Ok(0) => {
            output.notes(&warnings, &[]);
            return Err(CliError::Usage(
                "the input holds no stopped task or error message (see the warnings above)"
                    .to_string(),
            ));
        }
        Ok(_) => None,
        Err(InputError::Output(e)) => {
            return Err(CliError::Io("cannot write the output".into(), e));
        }
        Err(e) if evidence.is_empty() => return Err(CliError::Input(e)),
        Err(e) => Some(e),
    };
    for e in &evidence {
        output.learn_evidence(e);
    }
    let mut diagnoses: Vec<_> = evidence
        .iter()
        .map(|e| output.diagnose(engine, e, &defaults, &mut cache))
        .collect();
    let refs: Vec<&Evidence> = evidence.iter().collect();
    super::live::probe_explained(
        engine,
        &args.probe,
        args.region.as_deref(),
        &refs,
        &mut diagnoses,
        output,
    )?;
    output.notes(&warnings, &[]);
    let mut renderer = output.renderer(stdout);
    let mut summary = Summary::default();
    for d in &diagnoses {
        summary.add(d);
        renderer
            .diagnosis(d)
            .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
    }
    summary.warnings = warnings;
    if let Some(e) = &read_error {
        summary.errors.push(format!(
            "{e} (the {} item(s) before it are diagnosed above)",
            summary.diagnoses
        ));
    }
    renderer
        .finish(&summary)
        .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
    match read_error {
        Some(e) => Err(CliError::Input(e)),
        None => Ok(Outcome {
            unrecognised: summary.unrecognised,
        }),
    }
}

/// The input, and whether it can hold many items (a file or stdin, not words on the command
/// line).
fn open_input(args: &ExplainArgs) -> Result<(Box<dyn Read + Send>, bool), CliError> {
    if let Some(path) = &args.file {
        let file = File::open(path)
            .map_err(|e| CliError::Io(format!("cannot open `{}`", path.display()), e))?;
        return Ok((Box::new(file), true));
    }
    let words: Vec<&str> = args.text.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["-"] => Ok((Box::new(io::stdin()), true)),
        [] if !io::stdin().is_terminal() => Ok((Box::new(io::stdin()), true)),
        [] => Err(CliError::Usage(
            "nothing to explain: pass the error text, `-` to read stdin, or --file PATH\n  help: ecs-diagnose explain 'CannotPullContainerError: ...'".to_string(),
        )),
        _ if words.contains(&"-") => Err(CliError::Usage("`-` (stdin) cannot be combined with text arguments".to_string())),
        _ => Ok((Box::new(io::Cursor::new(words.join(" ").into_bytes())), false)),
    }
}
