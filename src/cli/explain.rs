//! `ecs-diagnose explain`: read, diagnose, render, one item at a time.

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
    let reader = open_input(args)?;
    let defaults = Defaults {
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let mut renderer = output.renderer(stdout);
    let mut summary = Summary::default();
    let mut cache = MatchCache::default();
    let mut warnings = Warnings::default();
    let mut sink = |evidence: Evidence| -> io::Result<()> {
        let diagnosis = output.diagnose(engine, &evidence, &defaults, &mut cache);
        summary.add(&diagnosis);
        renderer.diagnosis(&diagnosis)
    };
    let result = input::read(reader, args.input_format, &mut sink, &mut warnings);
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
    let reader = open_input(args)?;
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

fn open_input(args: &ExplainArgs) -> Result<Box<dyn Read>, CliError> {
    if let Some(path) = &args.file {
        let file = File::open(path)
            .map_err(|e| CliError::Io(format!("cannot open `{}`", path.display()), e))?;
        return Ok(Box::new(file));
    }
    let words: Vec<&str> = args.text.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["-"] => Ok(Box::new(io::stdin())),
        [] if !io::stdin().is_terminal() => Ok(Box::new(io::stdin())),
        [] => Err(CliError::Usage(
            "nothing to explain: pass the error text, `-` to read stdin, or --file PATH\n  help: ecs-diagnose explain 'CannotPullContainerError: ...'".to_string(),
        )),
        _ if words.contains(&"-") => Err(CliError::Usage("`-` (stdin) cannot be combined with text arguments".to_string())),
        _ => Ok(Box::new(io::Cursor::new(words.join(" ").into_bytes()))),
    }
}
