//! The command-line front end: parse arguments, run a command, map the outcome to an exit code.

pub mod args;
mod catalog_cmd;
mod error;
mod events;
mod explain;
mod generate;
#[cfg(feature = "aws")]
mod live;
#[cfg(feature = "probe")]
mod probe;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::Args;
use args::{CatalogCommand, ColorChoice, Command};
pub use error::CliError;

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::render::{Output, RenderOptions};

/// Exit code: everything recognised / all checks passed.
pub const EXIT_OK: u8 = 0;
/// Exit code: something was not recognised / a check failed.
pub const EXIT_UNRECOGNISED: u8 = 1;
/// Exit code: usage, input, catalog or AWS error.
pub const EXIT_ERROR: u8 = 2;

/// Runs the program with the process's arguments.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) if e.use_stderr() => {
            // A usage error quotes the arguments: redacted with --redact like any other
            // output (the ARNs among them teach their names), and never terminal codes.
            let words: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let mut redactor = if words.iter().any(|w| w == "--redact") {
                crate::redact::Redactor::new()
            } else {
                crate::redact::Redactor::credentials_only()
            };
            words.iter().for_each(|w| redactor.learn_text(w));
            let message = redactor.redact(&e.render().to_string());
            eprint!("{}", crate::report::make_visible(&message, false));
            return ExitCode::from(EXIT_ERROR);
        }
        Err(e) => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::from(EXIT_OK);
        }
    };
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::from(EXIT_OK),
        Err(e) => {
            let message = e.to_string();
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Runs one parsed command; returns the exit code.
pub fn run(args: &Args) -> Result<u8, CliError> {
    set_colour(args.color);
    let options = RenderOptions {
        color: colored::control::SHOULD_COLORIZE.should_colorize(),
        verbose: args.verbose,
    };
    let output = Output::new(args.output, options, args.redact);
    // The cluster a command names can appear in messages without an ARN around it.
    let cluster = match &args.command {
        #[cfg(feature = "aws")]
        Command::Cluster(a) => Some(&a.cluster),
        #[cfg(feature = "aws")]
        Command::Task(a) => Some(&a.cluster),
        Command::Events(a) => a.cluster.as_ref(),
        _ => None,
    };
    if let Some(cluster) = cluster {
        output.learn_name(crate::redact::Kind::Cluster, cluster);
    }
    match run_command(args, &output) {
        // Errors name files, clusters and AWS's answers: shown like the report, and never
        // able to drive the terminal.
        Err(e) if !e.is_broken_pipe() => {
            let message = output.shown(&e.to_string());
            Err(CliError::Message(crate::report::make_visible(
                &message, false,
            )))
        }
        other => other,
    }
}

fn run_command(args: &Args, output: &Output) -> Result<u8, CliError> {
    #[cfg(not(feature = "probe"))]
    probe_unavailable(args)?;
    let out: Box<dyn Write> = Box::new(BufWriter::new(io::stdout().lock()));
    match &args.command {
        Command::Explain(explain_args) => {
            let engine = load_engine(args)?;
            let outcome = explain::run(engine, explain_args, output, out)?;
            Ok(if outcome.unrecognised > 0 {
                EXIT_UNRECOGNISED
            } else {
                EXIT_OK
            })
        }
        #[cfg(feature = "aws")]
        Command::Cluster(cluster_args) => {
            let engine = load_engine(args)?;
            let mut out = out;
            let outcome = live::cluster(engine, cluster_args, output, &mut out)?;
            live_exit(outcome)
        }
        #[cfg(feature = "aws")]
        Command::Task(task_args) => {
            let engine = load_engine(args)?;
            let mut out = out;
            let outcome = live::task(engine, task_args, output, &mut out)?;
            live_exit(outcome)
        }
        Command::Events(events_args) => {
            let engine = load_engine(args)?;
            let mut out = out;
            let outcome = events::run(engine, events_args, output, &mut out)?;
            Ok(if outcome.unrecognised {
                EXIT_UNRECOGNISED
            } else {
                EXIT_OK
            })
        }
        Command::Completions { shell } => {
            generate::completions(*shell, out)
                .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
            Ok(EXIT_OK)
        }
        Command::Man { dir } => {
            generate::man(dir.as_deref(), out)?;
            Ok(EXIT_OK)
        }
        Command::Catalog(CatalogCommand::List { category }) => {
            let engine = Engine::new(Catalog::load_with_examples(&args.catalog)?)?;
            catalog_cmd::list(&engine, category.as_deref(), args.output, out)
                .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
            Ok(EXIT_OK)
        }
        Command::Catalog(CatalogCommand::Show { id }) => {
            let catalog = Catalog::load_with_examples(&args.catalog)?;
            catalog_cmd::show(&catalog, id, out)?;
            Ok(EXIT_OK)
        }
        Command::Catalog(CatalogCommand::Accuracy {
            corpus,
            min_top1,
            min_top3,
            min_robust,
            min_cut,
        }) => {
            let engine = Engine::new(Catalog::load(&args.catalog)?)?;
            let targets = crate::catalog::field::Targets {
                top1: *min_top1,
                top3: *min_top3,
                robust: *min_robust,
                robust_cut: *min_cut,
            };
            let passed = catalog_cmd::accuracy(&engine, corpus, targets, args.output, out)?;
            Ok(if passed { EXIT_OK } else { EXIT_UNRECOGNISED })
        }
        Command::Catalog(CatalogCommand::Test { dir }) => {
            let mut dirs = args.catalog.clone();
            dirs.extend(dir.iter().filter(|d| !args.catalog.contains(d)).cloned());
            let engine = Engine::new(Catalog::load_with_examples(&dirs)?)?;
            let passed = catalog_cmd::test(&engine, dir.as_ref(), out)
                .map_err(|e| CliError::Io("cannot write the output".into(), e))?;
            Ok(if passed { EXIT_OK } else { EXIT_UNRECOGNISED })
        }
    }
}

/// `--probe` is in every build's help, so one binary's help reads like another's; a build
/// without the probe clients says how to get them.
#[cfg(not(feature = "probe"))]
fn probe_unavailable(args: &Args) -> Result<(), CliError> {
    let asked = match &args.command {
        Command::Explain(a) => a.probe.probe,
        #[cfg(feature = "aws")]
        Command::Cluster(a) => a.probe,
        #[cfg(feature = "aws")]
        Command::Task(a) => a.probe,
        _ => false,
    };
    if asked {
        return Err(CliError::Usage(
            "--probe needs a build with the `probe` feature\n  help: cargo install --path . --features probe".to_string(),
        ));
    }
    Ok(())
}

/// A partial live result is an error (exit 2) even though what was fetched was reported.
#[cfg(feature = "aws")]
fn live_exit(outcome: live::Outcome) -> Result<u8, CliError> {
    if outcome.partial {
        Err(CliError::Reported)
    } else if outcome.unrecognised {
        Ok(EXIT_UNRECOGNISED)
    } else {
        Ok(EXIT_OK)
    }
}

/// The engine for the rest of the process. Leaked on purpose: it is thousands of allocations
/// (patterns, rules, compiled regexes and their caches), and freeing them one by one at exit
/// was a tenth of the time of one pasted error; the operating system frees them at once.
fn load_engine(args: &Args) -> Result<&'static Engine, CliError> {
    Ok(Box::leak(Box::new(Engine::new(Catalog::load(
        &args.catalog,
    )?)?)))
}

/// Decides colour once for the whole run.
fn set_colour(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
}
